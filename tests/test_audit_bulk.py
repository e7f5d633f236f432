"""The audit's bulk reads (whole unit histories, kept) give exactly what single checks give."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from graph.sqlite_store import SqliteStore
from loaders.load import load_folder
from loaders.synthetic import ForceSpec, generate
from queries.audit import audit
from queries.candidates import candidates
from queries.engine import Engine
from queries.reader import Reader


def _generated(tmp_path: Path) -> SqliteStore:
    folder = tmp_path / "force"
    generate(folder, ForceSpec(officers=300, seed=7))
    store = SqliteStore(tmp_path / "s.sqlite")
    load_folder(folder, store)
    return store


def test_audit_equals_fresh_single_checks(tmp_path: Path) -> None:
    store = _generated(tmp_path)
    report = audit(Engine(store))
    assert report.allocations, "the generated force has allocations to audit"
    assert {r.verdict for r in report.allocations} - {"clear"}, "and some of them are conflicted"
    for result in report.allocations:
        single = Engine(store).check(result.case_id, result.investigator_id, result.on)  # windowed reads, no cache
        assert single.to_dict() == result.to_dict()


def test_candidates_equal_fresh_single_checks(tmp_path: Path) -> None:
    store = _generated(tmp_path)
    allocation = store.assignments_with_roles(["investigator"])[0]
    ranked = candidates(Engine(store), allocation.case_id, allocation.start_date)
    assert ranked
    for result in ranked[:: max(1, len(ranked) // 25)]:
        single = Engine(store).check(allocation.case_id, result.investigator_id, allocation.start_date)
        assert single.to_dict() == result.to_dict()


def test_kept_unit_histories_answer_every_window_like_the_store(tmp_path: Path) -> None:
    """Windows that start or end on a posting's first or last day are the edges that matter."""
    store = _generated(tmp_path)
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


def test_parallel_audit_equals_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _generated(tmp_path)
    serial = audit(Engine(store))
    monkeypatch.setattr("queries.audit.CHUNK", 7)  # many chunks, so both workers get some
    seen: list[tuple[int, int]] = []
    parallel = audit(Engine(store), workers=2, progress=lambda done, total: seen.append((done, total)))
    assert parallel.to_dict() == serial.to_dict()
    assert parallel.units == serial.units
    assert len(seen) > 2 and seen[-1][0] == seen[-1][1]
