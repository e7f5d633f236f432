"""Audit every past allocation, each checked as of its own allocation date.

Totals per verdict and rule, per year and per unit (the investigator's unit on the day)
show whether conflicted allocations are isolated or systemic. Results stream: each is
counted into the totals and spilled to a temporary file as it arrives (and, when asked,
written as a line of JSON), so memory stays bounded whatever the window; the report reads
them back one at a time, oldest first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any, TextIO, overload

from coi.graph.store import StoreChanged
from coi.queries.analyses.audit_chunks import Group
from coi.queries.analyses.audit_pool import run_chunks
from coi.queries.analyses.audit_spill import Spill, pack
from coi.queries.analyses.audit_tally import CONFLICTED, Mark, Tally, mark_of
from coi.queries.engine import CheckResult, Engine
from coi.queries.evidence import summary

__all__ = ["CSV_HEADER", "AuditReport", "Results", "audit", "csv_rows", "units_most_conflicted"]

_CONFLICTED, _BARRED = 1, 2  # flags kept per allocation


class AuditReport:
    """An audit's totals (in memory) and its allocations (spilled), oldest first.

    Allocations are read back from the spill one at a time: ``allocations``, ``conflicted()``
    and ``not_allocatable()`` are sequences, not lists; ``rows()`` pairs each with the
    investigator's unit on the day. Close the report (or use it as a context manager) to free
    its spill early; it is freed when the report is collected in any case.
    """

    def __init__(self, policy: str = "default") -> None:
        self.policy = policy  # the policy the audit ran under (named even when nothing was audited)
        self._spill = Spill()
        self._tally = Tally()
        self._flags = bytearray()
        self._order: Sequence[int] = range(0)

    @classmethod
    def of(
        cls, results: Iterable[CheckResult], units: Iterable[str | None] | None = None, policy: str = "default"
    ) -> AuditReport:
        """A report of ``results`` in the order given, ``units`` beside them (each investigator's
        unit on the day; default: none)."""
        report = cls(policy)
        results = list(results)
        for r, unit in zip(results, [None] * len(results) if units is None else units, strict=True):
            report.add(pack((r, unit)), mark_of(r, unit))
        report.finish()
        return report

    def add(self, blob: bytes, mark: Mark) -> None:
        self._spill.add(blob)
        self._tally.add(mark)
        self._flags.append((_CONFLICTED if mark.verdict in CONFLICTED else 0) | (_BARRED if mark.reasons else 0))

    def finish(self, order: Sequence[int] | None = None) -> None:
        """Fix the report order: ``order`` lists arrival positions (default: as they arrived)."""
        self._order = range(len(self._spill)) if order is None else order

    def __enter__(self) -> AuditReport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._spill.close()

    # --- reading -----------------------------------------------------------------------------
    @property
    def allocations(self) -> Results:
        return Results(self._spill, self._order)

    def rows(self) -> Iterator[tuple[CheckResult, str | None]]:
        """Each allocation with the investigator's unit on the day (None: no posting), oldest first."""
        return self.allocations.rows()

    def conflicted(self) -> Results:
        return self._flagged(_CONFLICTED)

    def not_allocatable(self) -> Results:
        """Allocations that were not possible at all on their own date (whatever their verdict)."""
        return self._flagged(_BARRED)

    def _flagged(self, flag: int) -> Results:
        return Results(self._spill, [i for i in self._order if self._flags[i] & flag])

    def policies(self) -> list[str]:
        """The policy names the allocations were checked under (one, in practice)."""
        return sorted(self._tally.policies) or [self.policy]

    def lookbacks(self) -> list[int]:
        return sorted(self._tally.lookbacks)

    def period(self) -> tuple[date, date] | None:
        """The first and last allocation day audited (None when nothing was)."""
        t = self._tally
        return (t.first, t.last) if t.first and t.last else None

    @property
    def spilled_bytes(self) -> int:
        return self._spill.bytes_written

    def totals(self) -> dict[str, Any]:
        return self._tally.totals(self.policies())

    def to_dict(self) -> dict[str, Any]:
        return {"totals": self.totals(), "allocations": [r.to_dict() for r in self.allocations]}


class Results(Sequence[CheckResult]):
    """Some of a report's allocations, in report order, read from its spill on demand."""

    def __init__(self, spill: Spill, positions: Sequence[int]) -> None:
        self._spill, self._positions = spill, positions

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, i: int) -> CheckResult: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[CheckResult]: ...
    def __getitem__(self, i: int | slice) -> CheckResult | Sequence[CheckResult]:
        if isinstance(i, slice):
            return Results(self._spill, self._positions[i])
        return self._spill[self._positions[i]][0]

    def __iter__(self) -> Iterator[CheckResult]:
        return (self._spill[i][0] for i in self._positions)

    def rows(self) -> Iterator[tuple[CheckResult, str | None]]:
        """Each with the investigator's unit on the day (None: no posting)."""
        return (self._spill[i] for i in self._positions)


#: Groups per task for a parallel audit: large enough that a worker's kept unit histories pay off.
CHUNK = 400


def audit(
    engine: Engine,
    since: date | None = None,
    until: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
    lines: TextIO | None = None,
) -> AuditReport:
    """Check every investigator assignment (start in [since, until]) as of its start date.

    With ``workers`` > 1 the allocations are split into runs of consecutive cases and checked
    in that many processes, each with its own connection to the same store. The data version is
    pinned first, and every chunk checks that it read that version (the very file this process
    opened, or the Neo4j generation current then), or the audit stops with StoreChanged. ``lines``
    receives each result as one line of JSON as soon as it is checked (in check order: by case,
    then day); the report holds them oldest first.
    """
    engine.store.pin()  # before the allocations are read: each chunk then checks it read that version
    groups = _groups(engine, since, until)
    chunks = [groups[i : i + CHUNK] for i in range(0, len(groups), CHUNK)]
    report = AuditReport(engine.policy.name)
    try:
        done = 0
        for chunk, checked in zip(
            chunks, run_chunks(engine.store, engine.policy, chunks, workers, lines is not None), strict=True
        ):
            for blob, mark in zip(checked.blobs, checked.marks, strict=True):
                report.add(blob, mark)
            if lines is not None and checked.lines:
                lines.write("\n".join(checked.lines) + "\n")
            done += len(chunk)
            if progress:
                progress(done, len(groups))
        report.finish(_oldest_first(groups))
    except StoreChanged as exc:
        report.close()
        raise StoreChanged(f"the audit stopped, nothing was reported: {exc}; run it again") from None
    except BaseException:
        report.close()
        raise
    return report


def _groups(engine: Engine, since: date | None, until: date | None) -> list[Group]:
    by_day: dict[tuple[str, date], list[str]] = defaultdict(list)
    for a in engine.store.assignments_with_roles(["investigator"], since, until):
        by_day[(a.case_id, a.start_date)].append(a.person_id)
    return [(case_id, on, people) for (case_id, on), people in sorted(by_day.items())]


def _oldest_first(groups: list[Group]) -> list[int]:
    """Arrival positions (groups in check order, each group's people in turn) by (day, case,
    person); a stable sort, so an investigator allocated twice the same day keeps both."""
    keys = [(on, case_id, person) for case_id, on, people in groups for person in people]
    return sorted(range(len(keys)), key=keys.__getitem__)


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


def csv_rows(report: AuditReport, unit_names: dict[str, str] | None = None) -> Iterator[list[Any]]:
    """One row per finding (one row with no rule for an allocation with none), oldest first.

    ``investigator`` is the name as the engine showed it (civilians by pseudonym); ``unit_id`` is
    the investigator's unit on the allocation day, ``unit`` its name (from ``unit_names``).
    """
    names = unit_names or {}
    for r, unit in report.rows():
        unit = unit or ""
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
            yield [*base, "", "", "", "", ""]
        for f in r.findings:
            yield [*base, f.rule, f.severity, f.other_id, f.explanation, " | ".join(map(summary, f.evidence))]


def units_most_conflicted(totals: dict[str, Any]) -> list[tuple[str, dict[str, int]]]:
    """``totals["per_unit"]`` ranked as every view shows it: most conflicted or disqualified
    allocations first, then the highest share of them, then by unit id."""

    def key(kv: tuple[str, dict[str, int]]) -> tuple[int, float, str]:
        bad, n = kv[1]["conflict"] + kv[1]["disqualified"], sum(kv[1].values())
        return -bad, -(bad / n if n else 0), kv[0]

    return sorted(totals["per_unit"].items(), key=key)
