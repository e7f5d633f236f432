"""The Neo4j store against a real server: every read and check equal to the embedded
store's, constraints, credentials, read transactions and round trips. Skipped unless
NEO4J_URI is set (reloads and loads that fail or are killed: test_neo4j_loads.py)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from coi.graph import neo4j_schema as schema
from coi.graph.model import TABLE_ORDER, TABLES
from coi.graph.neo4j_store import Neo4jStore
from coi.graph.sqlite_store import SqliteStore
from coi.graph.store import StoreError, StoreMissing
from coi.loaders.load import load_folder
from coi.queries.analyses.audit import audit
from coi.queries.engine import Engine
from expected import expected_rows
from load_helpers import EXAMPLE
from neo4j.exceptions import ConstraintError
from neo4j_helpers import NEO4J_ONLY, READS, current_gen, ids_of, norm

pytestmark = NEO4J_ONLY


@pytest.mark.parametrize("read", sorted(READS))
def test_reads_match_the_embedded_store(neo: Neo4jStore, embedded: SqliteStore, read: str) -> None:
    load_folder(EXAMPLE, neo)
    ids = ids_of(embedded)
    assert norm(READS[read](neo, ids)) == norm(READS[read](embedded, ids))


def test_info_and_engine_match_the_embedded_store(neo: Neo4jStore, embedded: SqliteStore) -> None:
    load_folder(EXAMPLE, neo)
    mine, theirs = neo.info(), embedded.info()
    assert (mine.data_version, dict(mine.counts)) == (theirs.data_version, dict(theirs.counts))
    assert Engine(neo).check("K1", "O2", date(2023, 3, 15)).rules() == ["MANAGES_SUBJECT(O3)", "SHARED_UNIT(O3)"]
    for row in expected_rows(EXAMPLE / "EXPECTED.md"):
        got = Engine(neo).check(row.case, row.investigator, row.on).to_dict()
        assert got == Engine(embedded).check(row.case, row.investigator, row.on).to_dict(), str(row)
    assert audit(Engine(neo)).to_dict() == audit(Engine(embedded)).to_dict()


def test_an_empty_database_is_a_missing_store(neo: Neo4jStore) -> None:
    with pytest.raises(StoreMissing, match="coi load"):
        neo.people(["O1"])


@pytest.mark.parametrize("name", TABLE_ORDER)
def test_constraints_reject_a_duplicate_id(neo: Neo4jStore, name: str) -> None:
    load_folder(EXAMPLE, neo)
    table = TABLES[name]
    key = schema.node_key(table)
    existing = neo.table_rows(name)[0][table.key]
    query = f"CREATE (n:{table.label} {{{key}: $id, gen: $gen}})"
    with pytest.raises(ConstraintError):
        neo.driver.execute_query(query, {"id": existing, "gen": current_gen(neo)}, database_=neo.database)


def test_bad_credentials_are_one_safe_line() -> None:
    secret = "never-print-this-7f3a"
    store = Neo4jStore(os.environ["NEO4J_URI"], "coi-no-such-user", secret)
    with pytest.raises(StoreError) as caught:
        store.info()
    message = str(caught.value)
    assert "coi-no-such-user" in message and "NEO4J_PASSWORD" in message
    assert secret not in message and "\n" not in message
    real = os.environ.get("NEO4J_PASSWORD")
    assert not real or real not in message


def test_unreachable_uri_is_a_store_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret-from-env")
    store = Neo4jStore.from_env(uri="neo4j://127.0.0.1:1")
    with pytest.raises(StoreError) as caught:
        store.units()
    assert "cannot reach Neo4j at neo4j://127.0.0.1:1" in str(caught.value)
    assert "s3cret-from-env" not in str(caught.value)


def test_a_generated_forces_audit_is_identical_on_both_stores(neo: Neo4jStore, tmp_path: Path, monkeypatch) -> None:
    from coi.loaders.synthetic import SCALES, ForceSpec, generate

    folder = tmp_path / "force"
    generate(folder, ForceSpec(**{**vars(SCALES["small"]), "seed": 5}))
    embedded = SqliteStore(tmp_path / "store.sqlite")
    load_folder(folder, embedded)
    load_folder(folder, neo)
    on_neo, on_embedded = audit(Engine(neo)), audit(Engine(embedded))
    assert len(on_embedded.allocations) > 50 and on_embedded.conflicted()
    assert on_neo.to_dict() == on_embedded.to_dict()  # verdicts, findings and evidence alike
    monkeypatch.setattr("coi.queries.analyses.audit.CHUNK", 9)  # several chunks, so both workers get some
    in_two_processes = audit(Engine(neo), workers=2)  # each worker opens its own driver
    assert in_two_processes.to_dict() == on_embedded.to_dict()


def test_a_check_runs_in_one_read_transaction(neo: Neo4jStore, embedded: SqliteStore, monkeypatch) -> None:
    load_folder(EXAMPLE, neo)
    neo.people(["O1"])  # connected and ready
    driver, counts = neo.driver, {"execute_query": 0, "session": 0}

    def counting(name):
        real = getattr(driver, name)

        def call(*args, **kwargs):
            counts[name] += 1
            return real(*args, **kwargs)

        return call

    for name in counts:
        monkeypatch.setattr(driver, name, counting(name))
    got = Engine(neo).check("K4", "O4", date(2023, 3, 25)).to_dict()
    assert counts == {"execute_query": 0, "session": 1}, "every read of the check went through one transaction"
    assert got == Engine(embedded).check("K4", "O4", date(2023, 3, 25)).to_dict()


def test_reading_is_reentrant_and_closes_on_error(neo: Neo4jStore) -> None:
    load_folder(EXAMPLE, neo)
    with neo.reading():
        outer = neo._tx
        with neo.reading():
            assert neo._tx is outer and neo.people(["O1"])
        assert neo._tx is outer
    assert neo._tx is None
    with pytest.raises(KeyError), neo.reading():
        neo.people(["O1"])
        raise KeyError("boom")
    assert neo._tx is None and neo.people(["O2"]), "the store reads normally after a failed check"


def _neighbourhood_norm(found: Any) -> dict[str, Any]:
    return {part: {k: norm(v) for k, v in got.items()} for part, got in vars(found).items()}


@pytest.mark.parametrize("levels", [0, 1, 4, 16])
def test_the_one_query_neighbourhood_is_the_batched_reads_one(
    neo: Neo4jStore, embedded: SqliteStore, levels: int
) -> None:
    from coi.graph.store import read_neighbourhood
    from coi.queries.timeline import lookback_start

    load_folder(EXAMPLE, neo)
    allocations = embedded.assignments_with_roles(["investigator", "supervisor", "appropriate_authority"])
    for a in allocations:
        for people in ([a.person_id], [a.person_id, "O1", "O3", "NOBODY"]):
            args = (a.case_id, people, ["subject"], lookback_start(a.start_date, 10), a.start_date, levels)
            with neo.reading():
                mine = neo.neighbourhood(*args)
            assert _neighbourhood_norm(mine) == _neighbourhood_norm(read_neighbourhood(embedded, *args)), a
    assert neo.neighbourhood("K404", ["NOBODY"], ["subject"], date(2013, 1, 1), date(2023, 1, 1), 4).people == {
        "NOBODY": None
    }


def _count_queries(store: Neo4jStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    queries: list[str] = []
    real = store._query

    def counted(query: str, **params: Any) -> list[Any]:
        queries.append(query)
        return real(query, **params)

    monkeypatch.setattr(store, "_query", counted)
    return queries


def test_a_check_makes_a_few_round_trips_not_dozens(neo: Neo4jStore, embedded: SqliteStore, monkeypatch) -> None:
    """The neighbourhood prefetch: one query for the records around the check, one for its units' postings."""
    load_folder(EXAMPLE, neo)
    neo.units()  # read once per store, not per check
    queries = _count_queries(neo, monkeypatch)
    for row in expected_rows(EXAMPLE / "EXPECTED.md"):
        queries.clear()
        got = Engine(neo).check(row.case, row.investigator, row.on).to_dict()
        assert got == Engine(embedded).check(row.case, row.investigator, row.on).to_dict(), str(row)
        assert len(queries) <= 6, (str(row), len(queries))


def test_a_generated_forces_checks_are_identical_and_few_round_trips(neo: Neo4jStore, tmp_path: Path, monkeypatch):
    """Single checks (not the audit's bulk mode) on a generated force: same answers, bounded queries."""
    from coi.loaders.synthetic import SCALES, ForceSpec, generate

    folder = tmp_path / "force"
    generate(folder, ForceSpec(**{**vars(SCALES["small"]), "seed": 7}))
    embedded = SqliteStore(tmp_path / "store.sqlite")
    load_folder(folder, embedded)
    load_folder(folder, neo)
    neo.units()
    allocations = embedded.assignments_with_roles(["investigator", "supervisor", "appropriate_authority"])[::2]
    assert len(allocations) > 30
    queries = _count_queries(neo, monkeypatch)
    counts = []
    for a in allocations:
        queries.clear()
        got = Engine(neo).check(a.case_id, a.person_id, a.start_date, a.role).to_dict()
        counts.append(len(queries))
        assert got == Engine(embedded).check(a.case_id, a.person_id, a.start_date, a.role).to_dict(), a
    assert sorted(counts)[len(counts) // 2] <= 5 and max(counts) <= 12, counts
