"""COUNTER_ALLEGATION: the person acts on a case linked to this one by counter-allegation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coi.queries import evidence
from coi.queries.dispute import OVERSIGHT_ROLES, PARTY_ROLES
from coi.queries.rules.base import Explaining, Rule
from coi.queries.rules.basis import IOPC_IMPARTIALITY
from coi.queries.verdicts import Severity

if TYPE_CHECKING:
    from coi.queries.case_context import CaseContext
    from coi.queries.findings import Finding, Findings


def find(case: CaseContext, found: Findings, me: str) -> None:
    linked = {c.case_id: c for c in case.dispute.linked}
    for a in case.dispute.assignments:
        if a.person_id == me and a.role not in PARTY_ROLES and a.role in OVERSIGHT_ROLES and a.case_id in linked:
            found.add("COUNTER_ALLEGATION", a.case_id, evidence.case(linked[a.case_id]), evidence.assignment(a))


def _sentence(f: Finding, x: Explaining) -> str:
    role = next(e["role"] for e in f.evidence if e["type"] == "assignment")
    return f"{x.name(x.me)} is {role.replace('_', ' ')} of {f.other_id}, a counter-allegation linked to this case."


RULES = (
    Rule(
        "COUNTER_ALLEGATION",
        Severity.HIGH,
        "Acts on the linked counter-allegation",
        "The person investigates, supervises or is appropriate authority of a case linked by counter-allegation.",
        IOPC_IMPARTIALITY,
        _sentence,
    ),
)
