"""Anchors for the Neo4j figures, measured in the same run on the same server.

- bare load: the same postings rows through a plain ``UNWIND $rows ... CREATE`` with the
  driver (no MERGE, no generations, no diff): the floor for our load's rows/s;
- minimal check: one hand-written Cypher query for the direct rules that need only the
  two people's postings (line manager and shared unit): the floor for a check's latency.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from coi.graph.neo4j_store import Neo4jStore

BATCH = 5000
ANCHOR_LABEL = "CoiBenchAnchor"  # a label no coi query reads; removed after measuring

MINIMAL_CHECK = """
MATCH (meta:CoiMeta {key: 'current'})
MATCH (i:Person {person_id: $person, gen: meta.gen})<-[:HELD_BY]-(p:Posting)
WHERE p.start_date <= $on
OPTIONAL MATCH (p)-[:LINE_MANAGED_BY]->(lm:Person) WHERE lm.person_id IN $subjects
OPTIONAL MATCH (p)-[:IN_UNIT]->(:Unit)<-[:IN_UNIT]-(q:Posting)-[:HELD_BY]->(s:Person)
WHERE s.person_id IN $subjects AND q.start_date <= $on
RETURN count(lm) AS managed, count(s) AS shared
"""


def bare_create_rows_per_s(store: Neo4jStore, rows: list[dict[str, Any]]) -> float:
    """rows/s of a plain batched UNWIND ... CREATE of ``rows`` (then deleted)."""
    query = f"UNWIND $rows AS row CREATE (n:{ANCHOR_LABEL}) SET n = row"
    start = time.perf_counter()
    with store.driver.session(database=store.database) as session:
        for i in range(0, len(rows), BATCH):
            session.execute_write(lambda tx, batch=rows[i : i + BATCH]: tx.run(query, rows=batch).consume())
    seconds = time.perf_counter() - start
    with store.driver.session(database=store.database) as session:
        while session.execute_write(
            lambda tx: tx.run(f"MATCH (n:{ANCHOR_LABEL}) WITH n LIMIT 10000 DELETE n RETURN count(*) AS c").single()[
                "c"
            ]
        ):
            pass
    return len(rows) / seconds


def minimal_check_ms(store: Neo4jStore, samples: list, subjects: dict[str, list[str]]) -> float:
    """p50 latency of the minimal direct-rules query for each sampled allocation."""
    out = []
    for a in samples:
        start = time.perf_counter()
        store.driver.execute_query(
            MINIMAL_CHECK,
            {"person": a.person_id, "on": a.start_date, "subjects": subjects.get(a.case_id, [])},
            database_=store.database,
            routing_="r",
        )
        out.append((time.perf_counter() - start) * 1000)
    return statistics.median(out)
