"""Rank the people who could be allocated to a case, least conflicted first.

The pool is every officer who may be allocated on the day (:mod:`coi.queries.allocatable`:
an officer, joined by it, not yet left), less the parties of the dispute; narrowed by unit
(posted on the day to a unit it contains) and rank. Disqualified officers are never
proposed. A case closed before the day has no pool at all. When nobody is proposed the
report says why: an empty pool, or everyone in it disqualified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from coi.queries.allocatable import Bar, case_bars, person_bars
from coi.queries.dispute import PARTY_ROLES, NotFound, dispute_of
from coi.queries.engine import CheckResult, Engine
from coi.queries.reader import Reader
from coi.queries.verdicts import VERDICT_ORDER, severity_rank

__all__ = ["CandidateReport", "candidates", "find_candidates", "rank_key"]


def rank_key(result: CheckResult) -> tuple:
    """Best first: verdict, then fewest findings of each severity from worst down, then id."""
    counts = [0, 0, 0, 0]
    for f in result.findings:
        counts[severity_rank(f.severity)] += 1
    return (VERDICT_ORDER.index(result.verdict), counts[3], counts[2], counts[1], counts[0], result.investigator_id)


@dataclass
class CandidateReport:
    """The ranked candidates and what the answer rests on: the pool, its filters, the policy."""

    case_id: str
    on: date
    role: str
    policy: str
    unit: str | None
    rank: str | None
    ranked: list[CheckResult]  # best first, at most ``top``
    pool_size: int = 0  # officers checked
    disqualified: int = 0
    ranks: dict[str, str | None] = field(default_factory=dict)  # person -> rank
    units: dict[str, str] = field(default_factory=dict)  # person -> unit id on the day
    unit_names: dict[str, str] = field(default_factory=dict)
    bars: list[Bar] = field(default_factory=list)  # the case itself cannot be allocated
    notes: list[str] = field(default_factory=list)

    def pool_text(self) -> str:
        """What the pool is, in words: "officers serving on D, rank R, posted to U"."""
        text = f"officers serving on {self.on}"
        if self.rank:
            text += f" of rank {self.rank.replace('_', ' ')}"
        if self.unit:
            text += f" posted to {self.unit_names.get(self.unit, self.unit)} ({self.unit}) or a unit it contains"
        return text + ", other than the parties of the dispute"

    def why_none(self) -> str:
        """Why no one is proposed (only meaningful when ``ranked`` is empty)."""
        if self.bars:
            return f"No candidate: no one may be allocated ({'; '.join(b.message for b in self.bars)})."
        if not self.pool_size:
            return f"No candidate: the pool is empty (no {self.pool_text()})."
        return f"No candidate: all {self.pool_size} officer(s) in the pool ({self.pool_text()}) are disqualified."

    def to_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "on": self.on.isoformat(),
            "role": self.role,
            "policy": self.policy,
            "unit": self.unit,
            "rank": self.rank,
            "pool": self.pool_text(),
            "pool_size": self.pool_size,
            "disqualified": self.disqualified,
            "allocatable": not self.bars,
            "not_allocatable": [b.to_dict() for b in self.bars],
            "notes": self.notes,
            "message": self.why_none() if not self.ranked else None,
            "candidates": [
                {
                    "person_id": r.investigator_id,
                    "name": r.investigator_name,
                    "rank": self.ranks.get(r.investigator_id),
                    "unit_id": self.units.get(r.investigator_id),
                    "unit_name": self.unit_names.get(self.units.get(r.investigator_id, "")),
                    "verdict": r.verdict,
                    "findings": [f.to_dict() for f in r.findings],
                }
                for r in self.ranked
            ],
        }


def _known_unit(reader: Reader, unit: str) -> None:
    if unit in reader.units:
        return
    alike = [u for u in reader.units if u.casefold() == unit.casefold()]
    hint = f" (ids are case-sensitive: did you mean {alike[0]!r}?)" if alike else ""
    raise NotFound(f"unknown unit {unit!r}{hint}: check the id, or load the export that has it")


def _force_note(reader: Reader, unit: str, subjects: set[str], on: date) -> list[str]:
    """A note when the unit is in another force than the one the case's subjects serve in."""
    forces = {reader.root(u) for u in reader.units_on(subjects, on).values()}
    mine = reader.root(unit)
    if not forces or mine in forces:
        return []
    names = ", ".join(f"{reader.units[f].name} ({f})" for f in sorted(forces) if f in reader.units)
    return [f"unit {unit} is in {reader.units[mine].name} ({mine}), not in the force of the case's subjects ({names})"]


def find_candidates(
    engine: Engine,
    case_id: str,
    on: date,
    role: str = "investigator",
    unit: str | None = None,
    rank: str | None = None,
    top: int | None = None,
    show_names: bool = False,
) -> CandidateReport:
    """Checked, ranked candidates for ``role`` on ``case_id`` on ``on`` (disqualified dropped)."""
    reader = engine.reader
    reader.keep_unit_histories()
    dispute = dispute_of(reader, case_id, on)
    if unit is not None:
        _known_unit(reader, unit)
    report = CandidateReport(case_id, on, role, engine.policy.name, unit, rank, [])
    report.unit_names = {uid: u.name for uid, u in reader.units.items()}
    report.bars = case_bars(dispute.case, on)
    if unit is not None:
        report.notes = _force_note(reader, unit, dispute.people_with_role("subject"), on)
    if report.bars:
        return report
    parties = dispute.people_with_role(*PARTY_ROLES)
    # serving_officers is the store's indexed read of the same test person_bars makes
    pool = [p for p in engine.store.serving_officers(on) if p.person_id not in parties and not person_bars(p, on)]
    if rank:
        pool = [p for p in pool if p.rank == rank]
    if unit:  # officers posted on the day to the unit or one it contains (an indexed read)
        posted = {q.officer_id for q in reader.unit_postings(reader.descendants(unit), (on, on))}
        pool = [p for p in pool if p.person_id in posted]
    results = engine.check_many(case_id, [p.person_id for p in pool], on, role, show_names).values()
    ranked = sorted((r for r in results if r.verdict != "disqualified"), key=rank_key)
    report.pool_size, report.disqualified = len(pool), len(pool) - len(ranked)
    report.ranked = ranked[:top] if top else ranked
    shown = [r.investigator_id for r in report.ranked]
    report.ranks = {p.person_id: p.rank for p in pool if p.person_id in set(shown)}
    report.units = reader.units_on(shown, on)
    return report


def candidates(engine: Engine, case_id: str, on: date, *args: Any, **kwargs: Any) -> list[CheckResult]:
    """The ranked candidates of :func:`find_candidates` alone (same arguments)."""
    return find_candidates(engine, case_id, on, *args, **kwargs).ranked
