"""SELF_INVOLVED: the person is a party to the dispute (reg. 15(3)(b))."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coi.queries import evidence
from coi.queries.dispute import PARTY_ROLES
from coi.queries.rules.base import Explaining, Rule
from coi.queries.rules.basis import REG_15_3_B
from coi.queries.verdicts import Severity

if TYPE_CHECKING:
    from coi.queries.case_context import CaseContext
    from coi.queries.findings import Finding, Findings


def find(case: CaseContext, found: Findings, me: str) -> None:
    for a in case.dispute.assignments:
        if a.person_id == me and a.role in PARTY_ROLES:
            found.add("SELF_INVOLVED", me, evidence.assignment(a))


def _sentence(f: Finding, x: Explaining) -> str:
    roles = sorted({f"{e['role']} of case {e['case_id']}" for e in f.evidence})
    return f"{x.name(x.me)} is {', '.join(roles)}."


RULES = (
    Rule(
        "SELF_INVOLVED",
        Severity.DISQUALIFYING,
        "Party to the dispute",
        "The person is a subject, complainant or witness of the case or of a case linked to it.",
        REG_15_3_B,
        _sentence,
    ),
)
