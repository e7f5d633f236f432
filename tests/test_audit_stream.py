"""The streamed audit (results spilled as they come, totals counted on the way, JSON Lines
written as checked) gives exactly what an audit held in memory gives."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from coi.graph.sqlite_store import SqliteStore
from coi.loaders.synthetic import ForceSpec
from coi.queries.analyses import audit_chunks
from coi.queries.analyses.audit import AuditReport, audit, csv_rows
from coi.queries.engine import CheckResult, Engine
from coi.queries.present.report import render_audit_html
from forces import generated_store


@pytest.fixture(scope="module")
def force(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SqliteStore]:
    store = generated_store(tmp_path_factory.mktemp("force"), ForceSpec(officers=250, seed=11))
    return store.path, store


def in_memory(store: SqliteStore) -> tuple[list[CheckResult], list[str | None]]:
    """The audit as a list: every investigator allocation checked on its day, oldest first,
    each with the investigator's unit that day (their latest posting active then)."""
    engine = Engine(store)
    rows = []
    for a in store.assignments_with_roles(["investigator"]):
        result = engine.check(a.case_id, a.person_id, a.start_date)
        active = [
            p
            for p in store.postings_for_people([a.person_id])
            if p.start_date <= a.start_date and (p.end_date is None or p.end_date >= a.start_date)
        ]
        unit = max(active, key=lambda p: (p.start_date, p.posting_id)).unit_id if active else None
        rows.append((result, unit))
    rows.sort(key=lambda row: (row[0].on, row[0].case_id, row[0].investigator_id))
    return [r for r, _ in rows], [u for _, u in rows]


def expected_totals(results: list[CheckResult], units: list[str | None]) -> dict[str, Any]:
    per_unit: dict[str, Counter[str]] = defaultdict(Counter)
    per_year: dict[str, Counter[str]] = defaultdict(Counter)
    for r, u in zip(results, units, strict=True):
        per_unit[u or "(no posting)"][r.verdict] += 1
        per_year[str(r.on.year)][r.verdict] += 1
    return {
        "allocations": len(results),
        "verdicts": Counter(r.verdict for r in results),
        "rules": Counter(f.rule for r in results for f in r.findings),
        "barred": sum(1 for r in results if r.bars),
        "per_unit": {u: dict(c) for u, c in per_unit.items()},
        "per_year": {y: dict(c) for y, c in per_year.items()},
    }


def comparable(totals: dict[str, Any]) -> dict[str, Any]:
    nonzero = lambda d: {k: v for k, v in d.items() if v}  # noqa: E731
    return {
        "allocations": totals["allocations"],
        "verdicts": Counter(nonzero(totals["verdicts"])),
        "rules": Counter(nonzero(totals["rules"])),
        "barred": totals["not_allocatable"]["allocations"],
        "per_unit": {u: nonzero(c) for u, c in totals["per_unit"].items()},
        "per_year": {y: nonzero(c) for y, c in totals["per_year"].items()},
    }


@pytest.fixture(scope="module")
def reference(force: tuple[Path, SqliteStore]) -> tuple[list[CheckResult], list[str | None]]:
    return in_memory(force[1])


@pytest.mark.parametrize("workers", [1, 2])
def test_streamed_audit_equals_the_audit_in_memory(
    force: tuple[Path, SqliteStore], reference: tuple, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("coi.queries.analyses.audit.CHUNK", 9)  # many chunks, so both workers get some
    results, units = reference
    assert {r.verdict for r in results} - {"clear"}, "the force has conflicted allocations to compare"
    with audit(Engine(force[1]), workers=workers) as report:
        assert [r.to_dict() for r in report.allocations] == [r.to_dict() for r in results]
        assert [u for _, u in report.rows()] == units
        assert comparable(report.totals()) == expected_totals(results, units)
        assert [r.to_dict() for r in report.conflicted()] == [
            r.to_dict() for r in results if r.verdict in ("conflict", "disqualified")
        ]
        assert [r.to_dict() for r in report.not_allocatable()] == [r.to_dict() for r in results if r.bars]
        assert report.period() == (results[0].on, results[-1].on)
        with AuditReport.of(results, units) as memory:
            assert list(csv_rows(report)) == list(csv_rows(memory))
            assert memory.totals() == report.totals()


def test_json_lines_hold_every_result_as_it_was_checked(force: tuple[Path, SqliteStore], tmp_path: Path) -> None:
    target = tmp_path / "audit.jsonl"
    with target.open("w", encoding="utf-8") as lines, audit(Engine(force[1]), lines=lines) as report:
        held = json.loads(json.dumps([r.to_dict() for r in report.allocations]))
    written = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    # check order (by case, then day); the same objects as the report's, which is oldest first
    assert [(d["case_id"], d["on"]) for d in written] == sorted((d["case_id"], d["on"]) for d in written)
    by_age = sorted(written, key=lambda d: (d["on"], d["case_id"], d["investigator_id"]))
    assert by_age == held


def test_engines_over_budget_are_replaced_with_the_same_answers(
    force: tuple[Path, SqliteStore], reference: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    replaced: list[int] = []
    real_call = audit_chunks.Checker.__call__

    def counting(self: audit_chunks.Checker, groups: list) -> Any:
        out = real_call(self, groups)
        replaced.append(self.replaced)
        return out

    monkeypatch.setattr("coi.queries.analyses.audit.CHUNK", 15)
    monkeypatch.setattr(audit_chunks, "CACHE_BUDGET", -(1 << 62))  # every chunk starts cold
    monkeypatch.setattr(audit_chunks.Checker, "__call__", counting)
    with audit(Engine(force[1])) as report:
        assert [r.to_dict() for r in report.allocations] == [r.to_dict() for r in reference[0]]
    assert replaced and replaced[-1] == len(replaced), "a fresh engine after every chunk"


def test_the_spill_leaves_no_file_behind(
    force: tuple[Path, SqliteStore], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spill_dir = tmp_path / "tmp"
    spill_dir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spill_dir))
    with audit(Engine(force[1])) as report:
        assert report.spilled_bytes > 100 * len(report.allocations)  # every result is on disk
        assert list(spill_dir.iterdir()) == []  # an anonymous file: nothing to clean up after a kill
    with pytest.raises(ValueError):
        next(iter(report.allocations))  # closed with the block


def test_html_written_in_parts_is_the_page(force: tuple[Path, SqliteStore], tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from coi.queries.present.report import audit_html_parts

    engine = Engine(force[1])
    when = datetime(2026, 1, 2, tzinfo=UTC)
    with audit(engine) as report:
        parts = list(audit_html_parts(report, engine.reader, when))
        assert len(parts) > len(report.conflicted()) > 0
        assert "".join(parts) == render_audit_html(report, engine.reader, when)


def coi(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "coi", *map(str, args)], capture_output=True, text=True, check=False)


def test_cli_jsonl_matches_the_json_document(force: tuple[Path, SqliteStore], tmp_path: Path) -> None:
    jsonl = tmp_path / "a.jsonl"
    done = coi("audit", "--store", force[0], "--json", "--jsonl", jsonl, "--workers", "2")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    lines = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == document["totals"]["allocations"] == len(document["allocations"])
    assert sorted(lines, key=lambda d: (d["on"], d["case_id"], d["investigator_id"])) == document["allocations"]


def test_cli_jsonl_is_not_written_when_the_audit_fails(force: tuple[Path, SqliteStore], tmp_path: Path) -> None:
    jsonl = tmp_path / "a.jsonl"
    done = coi("audit", "--store", tmp_path / "missing.sqlite", "--jsonl", jsonl)
    assert done.returncode != 0 and done.stderr.count("\n") <= 2
    assert list(tmp_path.iterdir()) == []
    same = coi("audit", "--store", force[0], "--jsonl", force[0])
    assert same.returncode == 2 and "--jsonl" in same.stderr
