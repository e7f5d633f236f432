"""The rule catalogue: every conflict rule's id, default severity, meaning and legal basis.

The engine decides *whether* a rule holds; this file says what it means. Severities here
are the default policy of the specification; a policy file may change them per case type.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RULES", "SEVERITIES", "VERDICTS", "Rule", "severity_rank", "verdict_for"]

SEVERITIES = ("info", "medium", "high", "disqualifying")
#: verdict by worst severity; info findings leave the verdict clear.
VERDICTS = {"disqualifying": "disqualified", "high": "conflict", "medium": "declare", "info": "clear"}
VERDICT_ORDER = ("clear", "declare", "conflict", "disqualified")

REG_15_3_B = "Police (Conduct) Regulations 2020, reg. 15(3)(b): no interested party may investigate."
REG_15_3_C = "Police (Conduct) Regulations 2020, reg. 15(3)(c): no one working, directly or indirectly, under the management of the officer concerned."
REG_15_3_D = "Police (Conduct) Regulations 2020, reg. 15(3)(d): where the officer concerned is a senior officer, no member of the same force."
SUPER_COMPLAINT = "2022 HMICFRS / College of Policing / IOPC response to the police-perpetrated domestic abuse super-complaint: investigators with no previous dealings with the suspect."
IOPC_IMPARTIALITY = "IOPC Statutory Guidance (2020) on the impartiality of investigators."
NOTIFIABLE = "College of Policing guidance on notifiable associations; Code of Ethics on declaring interests."


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str
    description: str
    basis: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "SELF_INVOLVED",
            "disqualifying",
            "Party to the dispute",
            "The person is a subject, complainant or witness of the case or of a case linked to it.",
            REG_15_3_B,
        ),
        Rule(
            "UNDER_MANAGEMENT",
            "disqualifying",
            "Works under the subject's management",
            "On the reference date the person works, directly or indirectly, under the management of a subject.",
            REG_15_3_C,
        ),
        Rule(
            "SENIOR_SAME_FORCE",
            "disqualifying",
            "Same force as a senior subject",
            "A subject is of assistant chief constable rank or above and the person is posted in the same force.",
            REG_15_3_D,
        ),
        Rule(
            "CLOSE_ASSOCIATION",
            "disqualifying",
            "Partner or family of a party",
            "A partner, former partner or family association with a subject or complainant.",
            REG_15_3_B,
        ),
        Rule(
            "MANAGES_SUBJECT",
            "high",
            "Manages a subject",
            "On the reference date a subject works under the person's management.",
            IOPC_IMPARTIALITY,
        ),
        Rule(
            "PAST_MANAGEMENT",
            "high",
            "Past management relationship",
            "Within the lookback, one of the person and a subject worked under the other's management.",
            SUPER_COMPLAINT,
        ),
        Rule(
            "ASSOCIATION",
            "high",
            "Declared or known association",
            "A friend, business or other association with a subject or complainant.",
            NOTIFIABLE,
        ),
        Rule(
            "INVESTIGATED_BY_SUBJECT",
            "high",
            "Was investigated by a subject",
            "In an earlier case the person was a subject and a subject of this case investigated or supervised it.",
            REG_15_3_B,
        ),
        Rule(
            "COMPLAINANT_LINK",
            "high",
            "Complainant has complained about the person",
            "A complainant of this case was a complainant in an earlier case against the person.",
            REG_15_3_B,
        ),
        Rule(
            "COUNTER_ALLEGATION",
            "high",
            "Acts on the linked counter-allegation",
            "The person investigates, supervises or is appropriate authority of a case linked by counter-allegation.",
            IOPC_IMPARTIALITY,
        ),
        Rule(
            "SHARED_UNIT",
            "medium",
            "Served in the same unit",
            "The person and a subject were posted to the same unit at the same time within the lookback.",
            SUPER_COMPLAINT,
        ),
        Rule(
            "CO_WORKED",
            "medium",
            "Worked a case together",
            "In an earlier case the person and a subject were both investigators or supervisors, or both subjects.",
            SUPER_COMPLAINT,
        ),
        Rule(
            "PRIOR_INVESTIGATION",
            "medium",
            "Investigated the subject before",
            "In an earlier case the person investigated or supervised a case in which a subject was accused.",
            SUPER_COMPLAINT,
        ),
        Rule(
            "INDIRECT_LINK",
            "info",
            "Linked through a third person",
            "No direct link, but a third person is linked to both (same unit, management or association).",
            IOPC_IMPARTIALITY,
        ),
    )
}


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


def verdict_for(severities: list[str]) -> str:
    """The verdict for a set of finding severities: the worst one decides.

    >>> verdict_for(["info", "medium"])
    'declare'
    >>> verdict_for([])
    'clear'
    """
    if not severities:
        return "clear"
    return VERDICTS[max(severities, key=severity_rank)]
