// id: current-allocations-shared-unit
// title: Current allocations where the investigator and a subject served in the same unit
// category: allocations
// description: Every open case's current investigator, supervisor or appropriate authority who
//   was posted to the same unit as a subject of the case (or of a counter-allegation linked to
//   it) at an overlapping time, the overlap ending within the lookback (rule SHARED_UNIT, as of
//   $on). sharing_now is true when both are still posted there on $on. Civilians' names are
//   left out (ids only).
// parameters: on: date = today; lookback_years: int = 10;
//   roles: list = ["investigator", "supervisor", "appropriate_authority"];
//   subject_role: string = "subject"; limit: int = 100
MATCH (meta:CoiMeta {key: 'current'})
WITH meta.gen AS g
MATCH (c:Case)
WHERE c.gen = g AND c.opened_on <= $on AND (c.closed_on IS NULL OR c.closed_on >= $on)
MATCH (c)<-[:ON_CASE]-(a:Assignment)-[:OF_PERSON]->(i:Person)
WHERE a.role IN $roles AND a.effective_start <= $on AND (a.end_date IS NULL OR a.end_date >= $on)
CALL (c) {
  RETURN c AS d
  UNION
  MATCH (c)-[:COUNTER_ALLEGATION_OF]-(d:Case)
  WHERE d.opened_on <= $on
  RETURN d
}
MATCH (d)<-[:ON_CASE]-(sa:Assignment)-[:OF_PERSON]->(s:Person)
WHERE sa.role = $subject_role AND sa.effective_start <= $on AND s <> i
MATCH (i)<-[:HELD_BY]-(p:Posting)-[:IN_UNIT]->(u:Unit)<-[:IN_UNIT]-(q:Posting)-[:HELD_BY]->(s)
WHERE p.start_date <= $on AND q.start_date <= $on
WITH c, a, i, s, u, p, q,
     CASE WHEN p.start_date > q.start_date THEN p.start_date ELSE q.start_date END AS first_day,
     reduce(last = $on, day IN [p.end_date, q.end_date] |
            CASE WHEN day IS NOT NULL AND day < last THEN day ELSE last END) AS last_day
WHERE first_day <= last_day AND last_day >= $on - duration({years: $lookback_years})
RETURN c.case_id AS case_id, c.case_type AS case_type, a.role AS role,
       i.person_id AS investigator_id, CASE WHEN i:Officer THEN i.name END AS investigator,
       s.person_id AS subject_id, CASE WHEN s:Officer THEN s.name END AS subject,
       u.unit_id AS unit_id, u.name AS unit, first_day AS shared_from, last_day AS shared_to,
       last_day = $on AS sharing_now, p.posting_id AS investigator_posting, q.posting_id AS subject_posting
ORDER BY case_id, investigator_id, subject_id, shared_from
LIMIT $limit
