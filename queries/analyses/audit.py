"""Audit every past allocation, each checked as of its own allocation date.

Totals per verdict and rule, per year and per unit (the investigator's unit on the day)
show whether conflicted allocations are isolated or systemic.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from coi.graph.store import GraphStore, StoreChanged
from coi.queries.allocatable import REASONS
from coi.queries.engine import CheckResult, Engine
from coi.queries.evidence import summary
from coi.queries.policy import Policy
from coi.queries.rules import RULES
from coi.queries.verdicts import VERDICT_ORDER

__all__ = ["CSV_HEADER", "AuditReport", "audit", "csv_rows", "units_most_conflicted"]


@dataclass
class AuditReport:
    allocations: list[CheckResult]
    units: dict[tuple[str, str], str] = field(default_factory=dict)  # (case, person) -> unit id
    policy: str = "default"  # the policy the audit ran under (named even when nothing was audited)

    def totals(self) -> dict[str, Any]:
        verdicts = Counter(r.verdict for r in self.allocations)
        rules = Counter(f.rule for r in self.allocations for f in r.findings)
        per_year: dict[str, Counter] = defaultdict(Counter)
        per_unit: dict[str, Counter] = defaultdict(Counter)
        for r in self.allocations:
            per_year[str(r.on.year)][r.verdict] += 1
            per_unit[self.units.get((r.case_id, r.investigator_id)) or "(no posting)"][r.verdict] += 1
        barred = [r for r in self.allocations if not r.allocatable]
        reasons = Counter(b.reason for r in barred for b in r.bars)
        return {
            "allocations": len(self.allocations),
            "policy": ", ".join(self.policies()),
            "verdicts": {v: verdicts.get(v, 0) for v in VERDICT_ORDER},
            "not_allocatable": {
                "allocations": len(barred),
                "per_reason": {reason: reasons.get(reason, 0) for reason in REASONS},
            },
            "rules": {rule: rules.get(rule, 0) for rule in RULES},
            "per_year": {y: _full(c) for y, c in sorted(per_year.items())},
            "per_unit": {u: _full(c) for u, c in sorted(per_unit.items())},
        }

    def conflicted(self) -> list[CheckResult]:
        return [r for r in self.allocations if r.verdict in ("conflict", "disqualified")]

    def not_allocatable(self) -> list[CheckResult]:
        """Allocations that were not possible at all on their own date (whatever their verdict)."""
        return [r for r in self.allocations if not r.allocatable]

    def policies(self) -> list[str]:
        """The policy names the allocations were checked under (one, in practice)."""
        return sorted({r.policy for r in self.allocations}) or [self.policy]

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
    in that many processes, each with its own connection to the same store: the very file
    (and data version) this process opened, or the audit stops with StoreChanged. Workers
    end with the audit however it ends (an exception, Ctrl-C, or this process killed).
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
    with closing(_run(engine, chunks, workers)) as runs:
        for chunk, (checked, posted) in zip(chunks, runs, strict=True):
            results.extend(checked)
            units.update(posted)
            done += len(chunk)
            if progress:
                progress(done, len(groups))
    results.sort(key=lambda r: (r.on, r.case_id, r.investigator_id))
    return AuditReport(results, units, engine.policy.name)


def _run(engine: Engine, chunks: list[list[Group]], workers: int) -> Iterator[tuple[list[CheckResult], dict]]:
    if workers <= 1 or len(chunks) <= 1:
        yield from (_check_groups(engine, chunk) for chunk in chunks)
        return
    # forkserver: workers start clean, never a copy of a process holding driver threads (spawn where
    # the platform has no forkserver, e.g. Windows)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    # the store is open here (its assignments were read): pickled, it carries the snapshot it reads
    pool = ProcessPoolExecutor(workers, context, initializer=_start_worker, initargs=(engine.store, engine.policy))
    try:
        yield from pool.map(_worker_chunk, chunks)
    except StoreChanged as exc:
        _stop(pool)
        raise StoreChanged(f"the audit stopped, nothing was reported: {exc}; run it again") from None
    except BaseException:  # an error, Ctrl-C, or the caller stopped early: no chunk is worth waiting for
        _stop(pool)
        raise
    pool.shutdown()


def _stop(pool: ProcessPoolExecutor) -> None:
    """End the workers now, dropping the chunks not yet checked (3.14 has ``terminate_workers``)."""
    processes = list((pool._processes or {}).values())  # the executor keeps no public list before 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(5)
    # wait for the executor's manager thread to finish its teardown: left running, it closes its
    # wake-up pipe while the interpreter's exit hook writes to it ("Bad file descriptor")
    pool.shutdown(wait=True)


def _check_groups(engine: Engine, groups: list[Group]) -> tuple[list[CheckResult], dict[tuple[str, str], str]]:
    """Check each group; also each investigator's unit on the day (their latest active posting)."""
    engine.reader.keep_unit_histories()  # many days over the same units: read each unit once
    results: list[CheckResult] = []
    units: dict[tuple[str, str], str] = {}
    for case_id, on, people in groups:
        checked = engine.check_many(case_id, people, on)
        results.extend(checked[person] for person in people)
        units.update({(case_id, person): unit for person, unit in engine.reader.units_on(people, on).items()})
    return results, units


_WORKER: Engine | None = None


def _start_worker(store: GraphStore, policy: Policy) -> None:
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent stops us
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True, name="exit-with-parent").start()
    _WORKER = Engine(store, policy)


def _exit_with(parent: multiprocessing.process.BaseProcess) -> None:
    """Wait for the parent to end (its sentinel closes), then end this worker: never an orphan."""
    parent.join()
    os._exit(1)


def _worker_chunk(groups: list[Group]) -> tuple[list[CheckResult], dict[tuple[str, str], str]]:
    assert _WORKER is not None, "worker started without an engine"
    return _check_groups(_WORKER, groups)


CSV_HEADER = (
    "case_id",
    "case_type",
    "investigator_id",
    "investigator",
    "unit_id",
    "unit",
    "on",
    "policy",
    "allocatable",
    "not_allocatable",
    "verdict",
    "rule",
    "severity",
    "other_id",
    "explanation",
    "evidence",
)


def csv_rows(report: AuditReport, unit_names: dict[str, str] | None = None) -> list[list[Any]]:
    """One row per finding (one row with no rule for an allocation with none).

    ``investigator`` is the name as the engine showed it (civilians by pseudonym); ``unit_id`` is
    the investigator's unit on the allocation day, ``unit`` its name (from ``unit_names``).
    """
    names = unit_names or {}
    rows = []
    for r in report.allocations:
        unit = report.units.get((r.case_id, r.investigator_id)) or ""
        base = [
            r.case_id,
            r.case_type,
            r.investigator_id,
            r.investigator_name,
            unit,
            names.get(unit, ""),
            r.on.isoformat(),
            r.policy,
            "true" if r.allocatable else "false",
            ";".join(b.reason for b in r.bars),
            r.verdict,
        ]
        if not r.findings:
            rows.append([*base, "", "", "", "", ""])
        for f in r.findings:
            rows.append([*base, f.rule, f.severity, f.other_id, f.explanation, " | ".join(map(summary, f.evidence))])
    return rows


def units_most_conflicted(totals: dict[str, Any]) -> list[tuple[str, dict[str, int]]]:
    """``totals["per_unit"]`` ranked as every view shows it: most conflicted or disqualified
    allocations first, then the highest share of them, then by unit id."""

    def key(kv: tuple[str, dict[str, int]]) -> tuple[int, float, str]:
        bad, n = kv[1]["conflict"] + kv[1]["disqualified"], sum(kv[1].values())
        return -bad, -(bad / n if n else 0), kv[0]

    return sorted(totals["per_unit"].items(), key=key)
