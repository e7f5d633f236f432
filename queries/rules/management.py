"""Management between the person and a subject: UNDER_MANAGEMENT (reg. 15(3)(c)),
MANAGES_SUBJECT on the day, PAST_MANAGEMENT within the lookback.

Links come from the subjects' side (``CaseContext.managed_by_subject`` and
``managing_subject``). A link that holds on the day decides UNDER_MANAGEMENT or
MANAGES_SUBJECT; only when none does, earlier days are PAST_MANAGEMENT.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coi.queries import evidence
from coi.queries.rules.base import Rule
from coi.queries.rules.basis import IOPC_IMPARTIALITY, REG_15_3_C, SUPER_COMPLAINT
from coi.queries.rules.link_sentence import first_link
from coi.queries.timeline import DAY
from coi.queries.verdicts import Severity

if TYPE_CHECKING:
    from coi.queries.case_context import CaseContext
    from coi.queries.findings import Findings


def find(case: CaseContext, found: Findings, me: str) -> None:
    units, on = case.reader.units, case.on
    for s in sorted(case.subjects - {me}):
        under_ever = case.managed_by_subject[s].get(me, [])
        manages_ever = case.managing_subject[s].get(me, [])
        under = [link for link in under_ever if link.span[1] == on]
        manages = [link for link in manages_ever if link.span[1] == on]
        for link in under:
            found.add("UNDER_MANAGEMENT", s, evidence.management(link, units, (on, on)))
        for link in manages:
            found.add("MANAGES_SUBJECT", s, evidence.management(link, units, (on, on)))
        if under or manages:
            continue
        for link in [x for x in under_ever + manages_ever if x.span[0] < on]:
            days = (link.span[0], min(link.span[1], on - DAY))
            found.add("PAST_MANAGEMENT", s, evidence.management(link, units, days))


RULES = (
    Rule(
        "UNDER_MANAGEMENT",
        Severity.DISQUALIFYING,
        "Works under the subject's management",
        "On the reference date the person works, directly or indirectly, under the management of a subject.",
        REG_15_3_C,
        first_link,
    ),
    Rule(
        "MANAGES_SUBJECT",
        Severity.HIGH,
        "Manages a subject",
        "On the reference date a subject works under the person's management.",
        IOPC_IMPARTIALITY,
        first_link,
    ),
    Rule(
        "PAST_MANAGEMENT",
        Severity.HIGH,
        "Past management relationship",
        "Within the lookback, one of the person and a subject worked under the other's management.",
        SUPER_COMPLAINT,
        first_link,
    ),
)
