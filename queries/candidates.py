"""Rank the people who could be allocated to a case, least conflicted first.

The pool is every officer serving on the day (joined by it, not yet left), less the
parties of the dispute; narrowed by unit (posted on the day to a unit it contains) and
rank. Disqualified officers are never proposed.
"""

from __future__ import annotations

from datetime import date

from queries.dispute import PARTY_ROLES, dispute_of
from queries.engine import CheckResult, Engine
from queries.rules import VERDICT_ORDER, severity_rank

__all__ = ["candidates", "rank_key"]


def rank_key(result: CheckResult) -> tuple:
    """Best first: verdict, then fewest findings of each severity from worst down, then id."""
    counts = [0, 0, 0, 0]
    for f in result.findings:
        counts[severity_rank(f.severity)] += 1
    return (VERDICT_ORDER.index(result.verdict), counts[3], counts[2], counts[1], counts[0], result.investigator_id)


def candidates(
    engine: Engine,
    case_id: str,
    on: date,
    role: str = "investigator",
    unit: str | None = None,
    rank: str | None = None,
    top: int | None = None,
    show_names: bool = False,
) -> list[CheckResult]:
    """Checked, ranked candidates for ``role`` on ``case_id`` on ``on`` (disqualified dropped)."""
    reader = engine.reader
    reader.keep_unit_histories()
    parties = dispute_of(reader, case_id, on).people_with_role(*PARTY_ROLES)
    pool = [p for p in engine.store.serving_officers(on) if p.person_id not in parties]
    if rank:
        pool = [p for p in pool if p.rank == rank]
    if unit:  # officers posted on the day to the unit or one it contains (an indexed read)
        posted = {q.officer_id for q in reader.unit_postings(reader.descendants(unit), (on, on))}
        pool = [p for p in pool if p.person_id in posted]
    results = engine.check_many(case_id, [p.person_id for p in pool], on, role, show_names).values()
    ranked = sorted((r for r in results if r.verdict != "disqualified"), key=rank_key)
    return ranked[:top] if top else ranked
