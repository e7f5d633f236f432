// id: investigators-under-subjects-management
// title: Investigators working under the management of the officer they investigate
// category: allocations
// description: Open cases whose current investigator, supervisor or appropriate authority
//   works, directly or indirectly, under the management of a subject of the case (or of a
//   linked counter-allegation) on $on: the reg. 15(3)(c) bar (rule UNDER_MANAGEMENT). The
//   investigator's line-management chain reaches the subject within 6 steps through postings
//   active on $on (how = line), or the subject holds a supervisor posting active on $on to a
//   unit that contains, within 6 levels, a unit the investigator is posted to (how =
//   supervision). Civilians' names are left out (ids only).
// parameters: on: date = today;
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
CALL (i, s) {
  MATCH (i) ((:Person)<-[:HELD_BY]-(p:Posting WHERE p.start_date <= $on AND (p.end_date IS NULL OR p.end_date >= $on))
             -[:LINE_MANAGED_BY]->(:Person)){1,6} (s)
  RETURN 'line' AS how, [x IN p | x.posting_id] AS postings, null AS via_unit
  UNION
  MATCH (s)<-[:HELD_BY]-(sup:Posting)-[:IN_UNIT]->(top:Unit)
  WHERE sup.supervisor AND sup.start_date <= $on AND (sup.end_date IS NULL OR sup.end_date >= $on)
  MATCH (i)<-[:HELD_BY]-(p:Posting)-[:IN_UNIT]->(:Unit)-[:PART_OF*0..6]->(top)
  WHERE p.start_date <= $on AND (p.end_date IS NULL OR p.end_date >= $on)
  RETURN 'supervision' AS how, [sup.posting_id, p.posting_id] AS postings, top.unit_id AS via_unit
}
RETURN c.case_id AS case_id, c.case_type AS case_type, a.role AS role,
       i.person_id AS investigator_id, CASE WHEN i:Officer THEN i.name END AS investigator,
       s.person_id AS subject_id, CASE WHEN s:Officer THEN s.name END AS subject,
       how, via_unit, postings
ORDER BY case_id, investigator_id, subject_id, how
LIMIT $limit
