// id: repeat-subjects
// title: Repeat subjects
// category: patterns
// description: People who are subjects of $min_cases or more cases opened by $on, looked at
//   together: each case with its type, opening date, status on $on and its investigators,
//   supervisors and appropriate authorities (coi patterns, first table). Civilians' names are
//   left out (ids only).
// parameters: on: date = today; min_cases: int = 2; subject_role: string = "subject";
//   oversight_roles: list = ["investigator", "supervisor", "appropriate_authority"];
//   limit: int = 100
MATCH (meta:CoiMeta {key: 'current'})
WITH meta.gen AS g
MATCH (c:Case)<-[:ON_CASE]-(sa:Assignment)-[:OF_PERSON]->(s:Person)
WHERE c.gen = g AND c.opened_on <= $on AND sa.role = $subject_role AND sa.effective_start <= $on
WITH DISTINCT s, c
ORDER BY c.opened_on, c.case_id
WITH s, collect(c) AS cases
WHERE size(cases) >= $min_cases
RETURN s.person_id AS subject_id, CASE WHEN s:Officer THEN s.name END AS subject,
       size(cases) AS case_count,
       [c IN cases | {
         case_id: c.case_id, case_type: c.case_type, opened_on: c.opened_on, closed_on: c.closed_on,
         status: CASE WHEN c.closed_on IS NULL OR c.closed_on >= $on THEN 'open' ELSE 'closed' END,
         investigators: [(c)<-[:ON_CASE]-(oa:Assignment)-[:OF_PERSON]->(o:Person)
                         WHERE oa.role IN $oversight_roles AND oa.effective_start <= $on |
                         {person_id: o.person_id, role: oa.role, start_date: oa.effective_start}]
       }] AS cases
ORDER BY case_count DESC, subject_id
LIMIT $limit
