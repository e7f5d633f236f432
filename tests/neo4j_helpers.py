"""What the Neo4j tests share: reads compared with the embedded store, the generation a
load writes, and edits of a private copy of the example force."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from coi.graph import neo4j_schema as schema
from coi.graph.model import TABLE_ORDER
from coi.graph.neo4j_store import Neo4jStore
from forces import edit_csv

ROOT = Path(__file__).resolve().parents[1]
#: every test of a Neo4j module: marked ``neo4j``, skipped with the reason when no server is set
NEO4J_ONLY = [
    pytest.mark.neo4j,
    pytest.mark.skipif(
        not os.environ.get("NEO4J_URI"),
        reason="NEO4J_URI is not set: these tests need a real Neo4j server (see docs/neo4j.md)",
    ),
]
DAYS = [date(2000, 1, 1), date(2016, 3, 31), date(2019, 12, 31), date(2023, 3, 15), date(2030, 1, 1)]


def ids_of(store: Any) -> dict[str, list[str]]:
    """Every id of the loaded data (plus unknown ones), in a fixed order."""
    rows = {name: store.table_rows(name) for name in TABLE_ORDER}
    people = sorted(r["officer_id"] for r in rows["officers"]) + sorted(r["person_id"] for r in rows["people"])
    cases = sorted(r["case_id"] for r in rows["cases"])
    return {
        "people": [*people, "NOBODY"],
        "cases": [*cases, "K404"],
        "units": sorted(r["unit_id"] for r in rows["units"]),
    }


READS: dict[str, Callable[[Any, dict[str, list[str]]], Any]] = {
    "units": lambda s, i: s.units(),
    "people": lambda s, i: s.people(i["people"]),
    "serving_officers": lambda s, i: [s.serving_officers(d) for d in DAYS],
    "cases": lambda s, i: s.cases(i["cases"]),
    "all_cases": lambda s, i: s.all_cases(),
    "cases_linked_to": lambda s, i: [s.cases_linked_to([c]) for c in i["cases"]] + [s.cases_linked_to(i["cases"])],
    "assignments_for_cases": lambda s, i: s.assignments_for_cases(i["cases"]),
    "assignments_for_people": lambda s, i: s.assignments_for_people(i["people"]),
    "assignments_with_roles": lambda s, i: [
        s.assignments_with_roles(["investigator"]),
        s.assignments_with_roles(["subject", "complainant"], date(2023, 1, 1)),
        s.assignments_with_roles(["investigator"], date(2022, 6, 10), date(2023, 3, 10)),
    ],
    "postings_for_people": lambda s, i: s.postings_for_people(i["people"]),
    "postings_line_managed_by": lambda s, i: s.postings_line_managed_by(i["people"]),
    "postings_in_units": lambda s, i: (
        [s.postings_in_units(i["units"], d, d) for d in DAYS]
        + [s.postings_in_units(["NRA", "PSI"], date(2016, 1, 1), date(2019, 12, 31))]
    ),
    "associations_for_people": lambda s, i: [s.associations_for_people([p]) for p in i["people"]],
    "table_rows": lambda s, i: {n: [tuple(sorted(r.items())) for r in s.table_rows(n)] for n in TABLE_ORDER},
}


def norm(value: Any) -> Any:
    """Results are unordered: compare lists of records as multisets, recursively."""
    if isinstance(value, dict):
        return {k: norm(v) for k, v in value.items()}
    if isinstance(value, list) and all(isinstance(v, list | dict) for v in value):
        return [norm(v) for v in value]
    return Counter(value) if isinstance(value, list) else value


def snapshot(store: Any) -> dict[str, Any]:
    ids = ids_of(store)
    return {name: norm(read(store, ids)) for name, read in READS.items()}


def current_gen(store: Neo4jStore) -> str:
    return store._meta()["gen"]


def orphans(store: Neo4jStore) -> int:
    gen = current_gen(store)
    query = " UNION ALL ".join(f"MATCH (n:{lb}) WHERE n.gen <> $gen RETURN n" for lb in schema.LABELS)
    return len(store._query(f"CALL () {{ {query} }} RETURN n", gen=gen))


def rename_o1(folder: Path) -> None:
    edit_csv(
        folder / "officers.csv", lambda rows: [{**r, "name": "Renamed"} if r["officer_id"] == "O1" else r for r in rows]
    )
