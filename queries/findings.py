"""Findings: a rule holding against one other party, and the set one check collects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coi.queries.rules import RULES
from coi.queries.verdicts import severity_rank

if TYPE_CHECKING:
    from coi.queries.policy import Policy

__all__ = ["MAX_EVIDENCE", "Finding", "Findings"]

#: evidence items kept per finding (the first ones found)
MAX_EVIDENCE = 10


@dataclass
class Finding:
    """One rule holding against one other party, with its evidence (JSON-ready dicts)."""

    rule: str
    severity: str
    other_id: str
    evidence: list[dict[str, Any]] = field(default_factory=list)
    explanation: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "other_id": self.other_id,
            "title": RULES[self.rule].title,
            "explanation": self.explanation,
            "basis": RULES[self.rule].basis,
            "evidence": self.evidence,
        }


class Findings:
    """Findings of one check, one per (rule, other party), evidence merged and capped."""

    def __init__(self, policy: Policy, case_type: str) -> None:
        self.policy, self.case_type = policy, case_type
        self.by_key: dict[tuple[str, str], Finding] = {}

    def add(self, rule: str, other: str, *items: dict[str, Any]) -> None:
        key = (rule, other)
        if key not in self.by_key:
            self.by_key[key] = Finding(rule, self.policy.severity_of(rule, self.case_type), other)
        found = self.by_key[key].evidence
        for item in items:
            if item not in found and len(found) < MAX_EVIDENCE:
                found.append(item)

    def named(self) -> set[str]:
        return {other for _, other in self.by_key}

    def sorted(self) -> list[Finding]:
        return sorted(self.by_key.values(), key=lambda f: (-severity_rank(f.severity), f.rule, f.other_id))
