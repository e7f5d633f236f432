"""SENIOR_SAME_FORCE: a subject of assistant chief constable rank or above, and the person
posted in the same force on the day (reg. 15(3)(d))."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coi.graph.model import SENIOR_RANKS
from coi.queries import evidence
from coi.queries.rules.base import Explaining, Rule
from coi.queries.rules.basis import REG_15_3_D
from coi.queries.timeline import active
from coi.queries.verdicts import Severity

if TYPE_CHECKING:
    from coi.queries.case_context import CaseContext
    from coi.queries.findings import Finding, Findings


def find(case: CaseContext, found: Findings, me: str) -> None:
    on, root, units = case.on, case.reader.root, case.reader.units
    mine = [p for p in case.postings[me] if active(p.start_date, p.end_date, on)]
    for s in sorted(case.subjects - {me}):
        person = case.people.get(s)
        if person is None or person.rank not in SENIOR_RANKS:
            continue
        theirs = {root(p.unit_id): p for p in case.postings[s] if active(p.start_date, p.end_date, on)}
        for p in mine:
            if (force := root(p.unit_id)) in theirs:
                found.add("SENIOR_SAME_FORCE", s, evidence.posting(theirs[force], units), evidence.posting(p, units))


def _sentence(f: Finding, x: Explaining) -> str:
    mine = f.evidence[1]
    force = x.units.get(x.root(mine["unit_id"]))
    rank = x.ranks.get(f.other_id, "a senior rank").replace("_", " ")
    return (
        f"{x.name(f.other_id)} is {rank}; {x.name(x.me)} is posted to {evidence.unit_text(mine)} in the same force "
        f"({force.name if force else 'unknown'}), so reg. 15(3)(d) bars them."
    )


RULES = (
    Rule(
        "SENIOR_SAME_FORCE",
        Severity.DISQUALIFYING,
        "Same force as a senior subject",
        "A subject is of assistant chief constable rank or above and the person is posted in the same force.",
        REG_15_3_D,
        _sentence,
    ),
)
