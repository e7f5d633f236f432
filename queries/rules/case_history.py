"""Earlier cases the person shares with a party: INVESTIGATED_BY_SUBJECT, COMPLAINANT_LINK,
CO_WORKED, PRIOR_INVESTIGATION.

One walk over the person's earlier cases (opened and joined by the day) meets every other
participant once; each rule is a test of the person's roles in that case against the
other's role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coi.graph.model import INVESTIGATING_ROLES
from coi.queries import evidence
from coi.queries.rules.base import Explaining, Rule
from coi.queries.rules.basis import REG_15_3_B, SUPER_COMPLAINT
from coi.queries.verdicts import Severity

if TYPE_CHECKING:
    from coi.queries.case_context import CaseContext
    from coi.queries.findings import Finding, Findings

INVESTIGATING = set(INVESTIGATING_ROLES)


@dataclass(frozen=True)
class Meeting:
    """In one earlier case: the person's roles, and another participant ``who`` as ``role``."""

    mine: frozenset[str]
    who: str
    role: str
    subject: bool  # ``who`` is a subject of the case being checked
    complainant: bool  # ``who`` is a complainant of the case being checked


TESTS: dict[str, Callable[[Meeting], bool]] = {
    "INVESTIGATED_BY_SUBJECT": lambda m: "subject" in m.mine and m.subject and m.role in INVESTIGATING,
    "COMPLAINANT_LINK": lambda m: "subject" in m.mine and m.complainant and m.role == "complainant",
    "CO_WORKED": lambda m: (
        m.subject
        and (
            ("subject" in m.mine and m.role == "subject") or (bool(m.mine & INVESTIGATING) and m.role in INVESTIGATING)
        )
    ),
    "PRIOR_INVESTIGATION": lambda m: bool(m.mine & INVESTIGATING) and m.subject and m.role == "subject",
}


def find(case: CaseContext, found: Findings, me: str) -> None:
    on, subjects, complainants = case.on, case.subjects - {me}, case.complainants - {me}
    mine: dict[str, list] = {}
    for a in case.assignments[me]:
        if a.case_id in case.earlier and a.start_date <= on:
            mine.setdefault(a.case_id, []).append(a)
    for case_id, my_roles in sorted(mine.items()):
        case_ev, roles = None, frozenset(a.role for a in my_roles)
        for other in case.earlier_assignments[case_id]:
            who = other.person_id
            # every test needs the other to be a party of this case: most participants are not
            if who == me or other.start_date > on or (who not in subjects and who not in complainants):
                continue
            role = other.role
            meeting = Meeting(roles, who, role, who in subjects, who in complainants)
            for rule, holds in TESTS.items():
                if holds(meeting):
                    case_ev = case_ev or evidence.case(case.earlier[case_id])
                    # CO_WORKED as fellow subjects shows only the person's subject role
                    relevant = [a for a in my_roles if rule != "CO_WORKED" or a.role == role or role != "subject"]
                    found.add(rule, who, case_ev, *map(evidence.assignment, relevant), evidence.assignment(other))


def _case_roles(f: Finding, x: Explaining) -> str:
    case = next(e for e in f.evidence if e["type"] == "case")
    mine = sorted({e["role"] for e in f.evidence if e["type"] == "assignment" and e["person_id"] == x.me})
    theirs = sorted({e["role"] for e in f.evidence if e["type"] == "assignment" and e["person_id"] == f.other_id})
    text = (
        f"in case {case['case_id']} ({case['case_type'].replace('_', ' ')}, opened {case['opened_on']}) "
        f"{x.name(x.me)} was {' and '.join(mine)} and {x.name(f.other_id)} was {' and '.join(theirs)}"
    )
    return text[0].upper() + text[1:] + "."


RULES = (
    Rule(
        "INVESTIGATED_BY_SUBJECT",
        Severity.HIGH,
        "Was investigated by a subject",
        "In an earlier case the person was a subject and a subject of this case investigated or supervised it.",
        REG_15_3_B,
        _case_roles,
    ),
    Rule(
        "COMPLAINANT_LINK",
        Severity.HIGH,
        "Complainant has complained about the person",
        "A complainant of this case was a complainant in an earlier case against the person.",
        REG_15_3_B,
        _case_roles,
    ),
    Rule(
        "CO_WORKED",
        Severity.MEDIUM,
        "Worked a case together",
        "In an earlier case the person and a subject were both investigators or supervisors, or both subjects.",
        SUPER_COMPLAINT,
        _case_roles,
    ),
    Rule(
        "PRIOR_INVESTIGATION",
        Severity.MEDIUM,
        "Investigated the subject before",
        "In an earlier case the person investigated or supervised a case in which a subject was accused.",
        SUPER_COMPLAINT,
        _case_roles,
    ),
)
