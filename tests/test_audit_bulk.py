"""The audit's bulk reads (whole unit histories, kept) give exactly what single checks give."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from coi.graph.sqlite_store import SqliteStore
from coi.loaders.synthetic import ForceSpec
from coi.queries.analyses.audit import audit
from coi.queries.analyses.candidates import candidates
from coi.queries.engine import Engine
from coi.queries.reader import Reader
from forces import generated_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SqliteStore:
    """A generated force of 300 officers, loaded once for the module (tests only read it)."""
    return generated_store(tmp_path_factory.mktemp("force"), ForceSpec(officers=300, seed=7))


def test_audit_equals_fresh_single_checks(store: SqliteStore) -> None:
    report = audit(Engine(store))
    assert report.allocations, "the generated force has allocations to audit"
    assert {r.verdict for r in report.allocations} - {"clear"}, "and some of them are conflicted"
    for result in report.allocations:
        single = Engine(store).check(result.case_id, result.investigator_id, result.on)  # windowed reads, no cache
        assert single.to_dict() == result.to_dict()


def test_candidates_equal_fresh_single_checks(store: SqliteStore) -> None:
    allocation = store.assignments_with_roles(["investigator"])[0]
    ranked = candidates(Engine(store), allocation.case_id, allocation.start_date)
    assert ranked
    for result in ranked[:: max(1, len(ranked) // 25)]:
        single = Engine(store).check(allocation.case_id, result.investigator_id, allocation.start_date)
        assert single.to_dict() == result.to_dict()


def test_kept_unit_histories_answer_every_window_like_the_store(store: SqliteStore) -> None:
    """Windows that start or end on a posting's first or last day are the edges that matter."""
    windowed, bulk = Reader(store), Reader(store)
    bulk.keep_unit_histories()
    units = sorted(windowed.units)[:40]
    edges = sorted(
        {d for p in store.postings_in_units(units, date.min, date.max) for d in (p.start_date, p.end_date) if d}
    )
    assert len(edges) > 20
    for start in edges[::7]:
        for end in (start, start + timedelta(days=400)):
            assert bulk.unit_postings(units, (start, end)) == windowed.unit_postings(units, (start, end))


def test_parallel_audit_equals_serial(store: SqliteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    serial = audit(Engine(store))
    monkeypatch.setattr("coi.queries.analyses.audit.CHUNK", 7)  # many chunks, so both workers get some
    seen: list[tuple[int, int]] = []
    parallel = audit(Engine(store), workers=2, progress=lambda done, total: seen.append((done, total)))
    assert parallel.to_dict() == serial.to_dict()
    assert [unit for _, unit in parallel.rows()] == [unit for _, unit in serial.rows()]
    assert len(seen) > 2 and seen[-1][0] == seen[-1][1]
