"""SHARED_UNIT: the person and a subject were posted to the same unit at the same time
within the lookback."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coi.queries import evidence
from coi.queries.rules.base import Rule
from coi.queries.rules.basis import SUPER_COMPLAINT
from coi.queries.rules.link_sentence import first_link
from coi.queries.timeline import clip, overlap
from coi.queries.verdicts import Severity

if TYPE_CHECKING:
    from coi.queries.case_context import CaseContext
    from coi.queries.findings import Findings


def find(case: CaseContext, found: Findings, me: str) -> None:
    on, start = case.on, case.window[0]
    for s in sorted(case.subjects - {me}):
        for p in case.postings[me]:
            for q in case.postings[s]:
                if p.unit_id != q.unit_id:
                    continue
                days = overlap(clip(p.start_date, p.end_date, on), clip(q.start_date, q.end_date, on))
                if days and days[1] >= start:
                    found.add("SHARED_UNIT", s, evidence.shared_unit(p, q, days, case.reader.units))


RULES = (
    Rule(
        "SHARED_UNIT",
        Severity.MEDIUM,
        "Served in the same unit",
        "The person and a subject were posted to the same unit at the same time within the lookback.",
        SUPER_COMPLAINT,
        first_link,
    ),
)
