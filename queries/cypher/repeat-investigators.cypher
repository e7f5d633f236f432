// id: repeat-investigators
// title: Investigators who repeatedly investigate the same officer
// category: patterns
// description: Pairs of an investigator or supervisor and a subject who meet in $min_cases or
//   more cases opened by $on (coi patterns, third table), with each case and the
//   investigator's roles in it. Civilians' names are left out (ids only).
// parameters: on: date = today; min_cases: int = 2; roles: list = ["investigator", "supervisor"];
//   subject_role: string = "subject"; limit: int = 100
MATCH (meta:CoiMeta {key: 'current'})
WITH meta.gen AS g
MATCH (i:Person)<-[:OF_PERSON]-(ia:Assignment)-[:ON_CASE]->(c:Case)<-[:ON_CASE]-(sa:Assignment)-[:OF_PERSON]->(s:Person)
WHERE c.gen = g AND c.opened_on <= $on AND ia.role IN $roles AND ia.effective_start <= $on
  AND sa.role = $subject_role AND sa.effective_start <= $on AND i <> s
WITH i, s, c, collect(DISTINCT ia.role) AS roles
ORDER BY c.opened_on, c.case_id
WITH i, s, collect({case_id: c.case_id, case_type: c.case_type, opened_on: c.opened_on, roles: roles}) AS cases
WHERE size(cases) >= $min_cases
RETURN i.person_id AS investigator_id, CASE WHEN i:Officer THEN i.name END AS investigator,
       s.person_id AS subject_id, CASE WHEN s:Officer THEN s.name END AS subject,
       size(cases) AS case_count, cases
ORDER BY case_count DESC, investigator_id, subject_id
LIMIT $limit
