"""Associations with a subject or complainant: CLOSE_ASSOCIATION (partner, former partner,
family: an interested party, reg. 15(3)(b)) and ASSOCIATION (any other kind)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coi.graph.model import CLOSE_KINDS
from coi.queries import evidence
from coi.queries.rules.base import Rule
from coi.queries.rules.basis import NOTIFIABLE, REG_15_3_B
from coi.queries.rules.link_sentence import first_link
from coi.queries.verdicts import Severity

if TYPE_CHECKING:
    from coi.queries.case_context import CaseContext
    from coi.queries.findings import Findings


def find(case: CaseContext, found: Findings, me: str) -> None:
    parties = (case.subjects - {me}) | (case.complainants - {me})
    for a in case.associations[me]:
        other = a.other(me)
        if other in parties and (a.start_date is None or a.start_date <= case.on):
            rule = "CLOSE_ASSOCIATION" if a.kind in CLOSE_KINDS else "ASSOCIATION"
            found.add(rule, other, evidence.association(a))


RULES = (
    Rule(
        "CLOSE_ASSOCIATION",
        Severity.DISQUALIFYING,
        "Partner or family of a party",
        "A partner, former partner or family association with a subject or complainant.",
        REG_15_3_B,
        first_link,
    ),
    Rule(
        "ASSOCIATION",
        Severity.HIGH,
        "Declared or known association",
        "A friend, business or other association with a subject or complainant.",
        NOTIFIABLE,
        first_link,
    ),
)
