"""Audit every past allocation, each checked as of its own allocation date.

Totals per verdict and rule, per year and per unit (the investigator's unit on the day)
show whether conflicted allocations are isolated or systemic.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graph.store import GraphStore
from queries.engine import CheckResult, Engine
from queries.evidence import summary
from queries.policy import Policy
from queries.rules import RULES, VERDICT_ORDER
from queries.timeline import active

__all__ = ["CSV_HEADER", "AuditReport", "audit", "csv_rows"]


@dataclass
class AuditReport:
    allocations: list[CheckResult]
    units: dict[tuple[str, str], str] = field(default_factory=dict)  # (case, person) -> unit id

    def totals(self) -> dict[str, Any]:
        verdicts = Counter(r.verdict for r in self.allocations)
        rules = Counter(f.rule for r in self.allocations for f in r.findings)
        per_year: dict[str, Counter] = defaultdict(Counter)
        per_unit: dict[str, Counter] = defaultdict(Counter)
        for r in self.allocations:
            per_year[str(r.on.year)][r.verdict] += 1
            per_unit[self.units.get((r.case_id, r.investigator_id)) or "(no posting)"][r.verdict] += 1
        return {
            "allocations": len(self.allocations),
            "verdicts": {v: verdicts.get(v, 0) for v in VERDICT_ORDER},
            "rules": {rule: rules.get(rule, 0) for rule in RULES},
            "per_year": {y: _full(c) for y, c in sorted(per_year.items())},
            "per_unit": {u: _full(c) for u, c in sorted(per_unit.items())},
        }

    def conflicted(self) -> list[CheckResult]:
        return [r for r in self.allocations if r.verdict in ("conflict", "disqualified")]

    def to_dict(self) -> dict[str, Any]:
        return {"totals": self.totals(), "allocations": [r.to_dict() for r in self.allocations]}


def _full(counter: Counter) -> dict[str, int]:
    return {v: counter.get(v, 0) for v in VERDICT_ORDER}


Group = tuple[str, date, list[str]]  # (case, allocation day, investigators allocated that day)
#: Groups per task for a parallel audit: large enough that a worker's kept unit histories pay off.
CHUNK = 400


def audit(
    engine: Engine,
    since: date | None = None,
    until: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> AuditReport:
    """Check every investigator assignment (start in [since, until]) as of its start date.

    With ``workers`` > 1 the allocations are split into runs of consecutive cases and checked
    in that many processes, each with its own connection to the same store.
    """
    assignments = engine.store.assignments_with_roles(["investigator"], since, until)
    by_day: dict[tuple[str, date], list[str]] = defaultdict(list)
    for a in assignments:
        by_day[(a.case_id, a.start_date)].append(a.person_id)
    groups = [(case_id, on, people) for (case_id, on), people in sorted(by_day.items())]
    chunks = [groups[i : i + CHUNK] for i in range(0, len(groups), CHUNK)]
    results: list[CheckResult] = []
    units: dict[tuple[str, str], str] = {}
    done = 0
    for chunk, (checked, posted) in zip(chunks, _run(engine, chunks, workers), strict=True):
        results.extend(checked)
        units.update(posted)
        done += len(chunk)
        if progress:
            progress(done, len(groups))
    results.sort(key=lambda r: (r.on, r.case_id, r.investigator_id))
    return AuditReport(results, units)


def _run(engine: Engine, chunks: list[list[Group]], workers: int) -> Iterator[tuple[list[CheckResult], dict]]:
    if workers <= 1 or len(chunks) <= 1:
        yield from (_check_groups(engine, chunk) for chunk in chunks)
        return
    # forkserver: workers start clean, never a copy of a process holding driver threads (spawn where
    # the platform has no forkserver, e.g. Windows)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    with ProcessPoolExecutor(
        workers, context, initializer=_start_worker, initargs=(engine.store, engine.policy)
    ) as pool:
        yield from pool.map(_worker_chunk, chunks)


def _check_groups(engine: Engine, groups: list[Group]) -> tuple[list[CheckResult], dict[tuple[str, str], str]]:
    """Check each group; also each investigator's unit on the day (their latest active posting)."""
    engine.reader.keep_unit_histories()  # many days over the same units: read each unit once
    results: list[CheckResult] = []
    units: dict[tuple[str, str], str] = {}
    for case_id, on, people in groups:
        checked = engine.check_many(case_id, people, on)
        postings = engine.reader.postings(people)
        for person in people:
            results.append(checked[person])
            mine = sorted(
                (p for p in postings[person] if active(p.start_date, p.end_date, on)), key=lambda p: p.start_date
            )
            if mine:
                units[(case_id, person)] = mine[-1].unit_id
    return results, units


_WORKER: Engine | None = None


def _start_worker(store: GraphStore, policy: Policy) -> None:
    global _WORKER
    _WORKER = Engine(store, policy)


def _worker_chunk(groups: list[Group]) -> tuple[list[CheckResult], dict[tuple[str, str], str]]:
    assert _WORKER is not None, "worker started without an engine"
    return _check_groups(_WORKER, groups)


CSV_HEADER = ("case_id", "investigator_id", "on", "verdict", "rule", "severity", "other_id", "explanation", "evidence")


def csv_rows(report: AuditReport) -> list[list[Any]]:
    """One row per finding (one row with no rule for an allocation with none)."""
    rows = []
    for r in report.allocations:
        base = [r.case_id, r.investigator_id, r.on.isoformat(), r.verdict]
        if not r.findings:
            rows.append([*base, "", "", "", "", ""])
        for f in r.findings:
            rows.append([*base, f.rule, f.severity, f.other_id, f.explanation, " | ".join(map(summary, f.evidence))])
    return rows
