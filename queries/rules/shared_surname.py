"""SHARED_SURNAME (a demonstration): the person and a subject share a surname."""

from __future__ import annotations

from typing import TYPE_CHECKING

from queries import evidence
from queries.rules.base import Explaining, Rule
from queries.rules.basis import NOTIFIABLE
from queries.verdicts import Severity

if TYPE_CHECKING:
    from queries.case_context import CaseContext
    from queries.findings import Finding, Findings


def _surname(name: str | None) -> str:
    return (name or "").split()[-1].lower() if (name or "").split() else ""


def find(case: CaseContext, found: Findings, me: str) -> None:
    mine = _surname(case.people[me].name)
    for s in sorted(case.subjects - {me}):
        if mine and _surname(case.people[s].name) == mine:
            found.add("SHARED_SURNAME", s, evidence.case(case.dispute.case))


def _sentence(f: Finding, x: Explaining) -> str:
    return f"{x.name(x.me)} and {x.name(f.other_id)} share a surname."


RULES = (
    Rule(
        "SHARED_SURNAME",
        Severity.INFO,
        "Shares a surname",
        "The person and a subject share a surname.",
        NOTIFIABLE,
        _sentence,
    ),
)
