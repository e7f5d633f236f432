// id: subjects-in-sensitive-units
// title: Accused officers of open domestic abuse or sexual misconduct cases posted to sensitive units
// category: patterns
// description: Subjects of cases of the types in $case_types that are open on $on who, on $on,
//   are posted to a unit tagged with one of $tags (by default professional_standards,
//   domestic_abuse, vawg, safeguarding). With $inherit_tags a unit also carries the tags of the
//   units above it (up to 8 levels: a team inside a tagged department counts), as in coi
//   patterns; tagged_unit_id is the nearest unit holding a matching tag.
// parameters: on: date = today; case_types: list = ["domestic_abuse", "sexual_misconduct"];
//   tags: list = ["professional_standards", "domestic_abuse", "vawg", "safeguarding"];
//   inherit_tags: bool = true; subject_role: string = "subject"; limit: int = 100
MATCH (meta:CoiMeta {key: 'current'})
WITH meta.gen AS g
MATCH (c:Case)<-[:ON_CASE]-(sa:Assignment)-[:OF_PERSON]->(s:Person)
WHERE c.gen = g AND c.case_type IN $case_types
  AND c.opened_on <= $on AND (c.closed_on IS NULL OR c.closed_on >= $on)
  AND sa.role = $subject_role AND sa.effective_start <= $on AND (sa.end_date IS NULL OR sa.end_date >= $on)
MATCH (s)<-[:HELD_BY]-(p:Posting)-[:IN_UNIT]->(u:Unit)
WHERE p.start_date <= $on AND (p.end_date IS NULL OR p.end_date >= $on)
MATCH up = (u)-[:PART_OF*0..8]->(t:Unit)
WHERE (length(up) = 0 OR $inherit_tags) AND any(tag IN coalesce(t.tags, []) WHERE tag IN $tags)
WITH c, s, p, u, t, length(up) AS distance
ORDER BY distance
WITH c, s, p, u, collect(t) AS tagged
RETURN s.person_id AS subject_id, CASE WHEN s:Officer THEN s.name END AS subject,
       c.case_id AS case_id, c.case_type AS case_type, c.opened_on AS opened_on,
       u.unit_id AS unit_id, u.name AS unit, p.posting_id AS posting_id, p.start_date AS posted_since,
       reduce(found = [], t IN tagged | found + [x IN t.tags WHERE x IN $tags AND NOT x IN found]) AS tags,
       tagged[0].unit_id AS tagged_unit_id
ORDER BY subject_id, case_id, unit_id
LIMIT $limit
