"""Severities and verdicts: their names, their order, and how findings decide a verdict."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["SEVERITIES", "VERDICTS", "VERDICT_ORDER", "Severity", "Verdict", "severity_rank", "verdict_for"]


class Severity(StrEnum):
    """How much a finding weighs, least first."""

    INFO = "info"
    MEDIUM = "medium"
    HIGH = "high"
    DISQUALIFYING = "disqualifying"


class Verdict(StrEnum):
    """The answer of a check, best first."""

    CLEAR = "clear"
    DECLARE = "declare"
    CONFLICT = "conflict"
    DISQUALIFIED = "disqualified"


SEVERITIES = tuple(Severity)
VERDICT_ORDER = tuple(Verdict)
#: verdict by worst severity; info findings leave the verdict clear.
VERDICTS = {
    Severity.DISQUALIFYING: Verdict.DISQUALIFIED,
    Severity.HIGH: Verdict.CONFLICT,
    Severity.MEDIUM: Verdict.DECLARE,
    Severity.INFO: Verdict.CLEAR,
}


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(Severity(severity))


def verdict_for(severities: list[str]) -> Verdict:
    """The verdict for a set of finding severities: the worst one decides.

    >>> verdict_for(["info", "medium"])
    <Verdict.DECLARE: 'declare'>
    >>> verdict_for([])
    <Verdict.CLEAR: 'clear'>
    """
    if not severities:
        return Verdict.CLEAR
    return VERDICTS[Severity(max(severities, key=severity_rank))]
