"""The Neo4j store against a real server: parity with the embedded store, constraints,
reloads, and loads that fail or are killed halfway. Skipped unless NEO4J_URI is set."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
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
from neo4j.exceptions import ConstraintError

NEO4J_SKIP = "NEO4J_URI is not set: these tests need a real Neo4j server (see docs/neo4j.md)"
pytestmark = [pytest.mark.neo4j, pytest.mark.skipif(not os.environ.get("NEO4J_URI"), reason=NEO4J_SKIP)]
ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tests" / "fixtures" / "example"
DAYS = [date(2000, 1, 1), date(2016, 3, 31), date(2019, 12, 31), date(2023, 3, 15), date(2030, 1, 1)]


@pytest.fixture
def neo() -> Iterator[Neo4jStore]:
    store = Neo4jStore.from_env()
    store.wipe()
    yield store
    store.close()


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> SqliteStore:
    store = SqliteStore(tmp_path_factory.mktemp("parity") / "store.sqlite")
    load_folder(EXAMPLE, store)
    return store


def _ids(store: Any) -> dict[str, list[str]]:
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


def _norm(value: Any) -> Any:
    """Results are unordered: compare lists of records as multisets, recursively."""
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list) and all(isinstance(v, list | dict) for v in value):
        return [_norm(v) for v in value]
    return Counter(value) if isinstance(value, list) else value


def _snapshot(store: Any) -> dict[str, Any]:
    ids = _ids(store)
    return {name: _norm(read(store, ids)) for name, read in READS.items()}


def _current_gen(store: Neo4jStore) -> str:
    return store._meta()["gen"]


def _orphans(store: Neo4jStore) -> int:
    gen = _current_gen(store)
    query = " UNION ALL ".join(f"MATCH (n:{lb}) WHERE n.gen <> $gen RETURN n" for lb in schema.LABELS)
    return len(store._query(f"CALL () {{ {query} }} RETURN n", gen=gen))


def _edit(path: Path, fn: Callable[[list[dict[str, str]]], list[dict[str, str]]]) -> None:
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    names = list(rows[0])
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        writer.writerows(fn(rows))


def _rename_o1(folder: Path) -> None:
    _edit(
        folder / "officers.csv", lambda rows: [{**r, "name": "Renamed"} if r["officer_id"] == "O1" else r for r in rows]
    )


@pytest.mark.parametrize("read", sorted(READS))
def test_reads_match_the_embedded_store(neo: Neo4jStore, embedded: SqliteStore, read: str) -> None:
    load_folder(EXAMPLE, neo)
    ids = _ids(embedded)
    assert _norm(READS[read](neo, ids)) == _norm(READS[read](embedded, ids))


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
        neo.driver.execute_query(query, {"id": existing, "gen": _current_gen(neo)}, database_=neo.database)


def test_reload_is_idempotent(neo: Neo4jStore) -> None:
    first = load_folder(EXAMPLE, neo)
    before = _snapshot(neo)
    second = load_folder(EXAMPLE, neo)
    assert second.totals().unchanged == first.totals().added > 0
    assert (second.totals().added, second.totals().changed, second.totals().removed) == (0, 0, 0)
    assert _snapshot(neo) == before and _orphans(neo) == 0


def test_stale_records_are_removed(neo: Neo4jStore, example_dir: Path) -> None:
    load_folder(example_dir, neo)
    assert neo.associations_for_people(["O9"])
    _edit(example_dir / "associations.csv", lambda rows: [r for r in rows if r["person_a"] != "O9"])
    summary = load_folder(example_dir, neo)
    assert summary.tables["associations"].removed == 1 and summary.totals().removed == 1
    assert (summary.totals().added, summary.totals().changed) == (0, 0)
    assert neo.associations_for_people(["O9"]) == [] and neo.info().counts["associations"] == 2
    assert _orphans(neo) == 0


def test_a_load_that_fails_halfway_changes_nothing(
    neo: Neo4jStore, example_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_folder(EXAMPLE, neo)
    before, version = _snapshot(neo), neo.info().data_version
    original = Neo4jStore._write_table

    def fail_after_units(self: Neo4jStore, table, *args: Any) -> tuple[int, int]:
        if table.name != "units":
            raise RuntimeError("connection lost")
        return original(self, table, *args)

    monkeypatch.setattr(Neo4jStore, "_write_table", fail_after_units)
    _rename_o1(example_dir)
    with pytest.raises(RuntimeError, match="connection lost"):
        load_folder(example_dir, neo)
    fresh = Neo4jStore.from_env()
    assert fresh.info().data_version == version and _snapshot(fresh) == before
    assert _orphans(fresh) == 0  # the failed load cleaned up after itself
    fresh.close()


def test_overlapping_loads_the_later_one_wins(
    neo: Neo4jStore, example_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_folder(EXAMPLE, neo)
    _rename_o1(example_dir)
    original, started = Neo4jStore._write_table, []

    def interleave(self: Neo4jStore, table, *args: Any) -> tuple[int, int]:
        if table.name == "officers" and not started:
            started.append(True)
            load_folder(example_dir, Neo4jStore.from_env())  # a second load starts and finishes meanwhile
        return original(self, table, *args)

    monkeypatch.setattr(Neo4jStore, "_write_table", interleave)
    with pytest.raises(StoreError, match="another `coi load` started"):
        load_folder(EXAMPLE, neo)
    fresh = Neo4jStore.from_env()
    assert fresh.people(["O1"])["O1"].name == "Renamed" and _orphans(fresh) == 0
    fresh.close()


KILLED_LOAD = """
import sys, time
from pathlib import Path
from coi.graph.neo4j_store import Neo4jStore
from coi.loaders.load import load_folder

original = Neo4jStore._write_table
def slow(self, table, *args):
    result = original(self, table, *args)
    if table.name == "postings":
        print("halfway", flush=True)
        time.sleep(120)
    return result
Neo4jStore._write_table = slow
load_folder(Path(sys.argv[1]), Neo4jStore.from_env())
"""


def test_a_killed_load_is_invisible_and_cleaned_up_by_the_next(neo: Neo4jStore, example_dir: Path) -> None:
    load_folder(EXAMPLE, neo)
    before = _snapshot(neo)
    _rename_o1(example_dir)
    child = subprocess.Popen([sys.executable, "-c", KILLED_LOAD, str(example_dir)], cwd=ROOT, stdout=subprocess.PIPE,
                             text=True)  # fmt: skip
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "halfway"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    reader = Neo4jStore.from_env()
    assert _orphans(reader) > 0  # the killed load's units, people and postings are still there ...
    assert _snapshot(reader) == before  # ... but no reader sees them
    assert reader.people(["O1"])["O1"].name == "Alan Marsh"
    summary = load_folder(example_dir, reader)
    assert summary.tables["officers"].changed == 1 and _orphans(reader) == 0
    assert reader.people(["O1"])["O1"].name == "Renamed"
    reader.close()


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


TAKEN_OVER_LOAD = """
import sys, time
from pathlib import Path
from coi.graph.neo4j_store import Neo4jStore

flag, original = Path(sys.argv[1]), Neo4jStore._write_table
def slow(self, table, *args):
    result = original(self, table, *args)
    if table.name == "officers":
        print("halfway", flush=True)
        while not flag.exists():
            time.sleep(0.05)
    return result
Neo4jStore._write_table = slow
from coi.app import main
sys.argv = ["coi", *sys.argv[2:]]
main()
"""


def test_of_two_load_processes_the_later_takes_over_and_the_earlier_says_so(
    neo: Neo4jStore, example_dir: Path, tmp_path: Path
) -> None:
    load_folder(EXAMPLE, neo)
    _rename_o1(example_dir)
    flag, uri = tmp_path / "go-on", os.environ["NEO4J_URI"]
    earlier = subprocess.Popen(
        [sys.executable, "-c", TAKEN_OVER_LOAD, str(flag), "load", str(EXAMPLE), "--neo4j", uri, "--no-recheck"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert earlier.stdout is not None and earlier.stdout.readline().strip() == "halfway"
        later = subprocess.run(
            [sys.executable, "-m", "coi", "load", str(example_dir), "--neo4j", uri, "--no-recheck"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert later.returncode == 0, later.stderr
    finally:
        flag.touch()
    _, stderr = earlier.communicate(timeout=120)
    assert earlier.returncode == 5, stderr
    assert stderr.startswith("error: another `coi load` started on this database while this one ran and took it over")
    assert "this load changed nothing" in stderr and "Traceback" not in stderr
    reader = Neo4jStore.from_env()
    assert reader.people(["O1"])["O1"].name == "Renamed" and _orphans(reader) == 0
    reader.close()


def test_data_of_another_schema_version_is_exit_5_and_a_load_replaces_it(neo: Neo4jStore) -> None:
    from load_helpers import cli

    load_folder(EXAMPLE, neo)
    neo.driver.execute_query(f"MATCH (m:{schema.META} {{key: 'current'}}) SET m.schema_version = $v", {"v": "0"})
    uri = os.environ["NEO4J_URI"]
    check = cli("check", "--case", "K1", "--investigator", "O10", "--on", "2023-03-15", "--neo4j", uri, "--json")
    assert check.exit_code == 5 and check.stdout == ""
    assert "was written by another version of coi (schema version 0; this version reads 1)" in check.stderr
    assert "reload it with `coi load DIR`" in check.stderr
    loaded = cli("load", EXAMPLE, "--neo4j", uri, "--no-recheck", "--json")
    assert loaded.exit_code == 0, loaded.output
    assert "schema version 0" in json.loads(loaded.stdout)["previous_store_unreadable"]
    again = cli("check", "--case", "K1", "--investigator", "O10", "--on", "2023-03-15", "--neo4j", uri)
    assert again.exit_code == 30


def _neighbourhood_norm(found: Any) -> dict[str, Any]:
    return {part: {k: _norm(v) for k, v in got.items()} for part, got in vars(found).items()}


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
