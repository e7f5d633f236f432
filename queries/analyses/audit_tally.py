"""An audit's totals, counted as results arrive, so no view has to read every result again."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any, NamedTuple

from coi.queries.allocatable import REASONS
from coi.queries.engine import CheckResult
from coi.queries.rules import RULES
from coi.queries.verdicts import VERDICT_ORDER

__all__ = ["NO_POSTING", "Mark", "Tally", "mark_of"]

NO_POSTING = "(no posting)"
CONFLICTED = ("conflict", "disqualified")


class Mark(NamedTuple):
    """What the totals need of one result (small: it travels from a worker beside the result)."""

    on: date
    verdict: str
    rules: tuple[str, ...]
    unit: str | None
    reasons: tuple[str, ...]
    policy: str
    lookback: int


def mark_of(result: CheckResult, unit: str | None) -> Mark:
    return Mark(
        result.on,
        result.verdict,
        tuple(f.rule for f in result.findings),
        unit,
        tuple(b.reason for b in result.bars),
        result.policy,
        result.lookback_years,
    )


class Tally:
    def __init__(self) -> None:
        self.allocations = 0
        self.verdicts: Counter[str] = Counter()
        self.rules: Counter[str] = Counter()
        self.per_year: dict[str, Counter[str]] = defaultdict(Counter)
        self.per_unit: dict[str, Counter[str]] = defaultdict(Counter)
        self.barred = 0
        self.reasons: Counter[str] = Counter()
        self.policies: set[str] = set()
        self.lookbacks: set[int] = set()
        self.first: date | None = None
        self.last: date | None = None

    def add(self, mark: Mark) -> None:
        self.allocations += 1
        self.verdicts[mark.verdict] += 1
        self.rules.update(mark.rules)
        self.per_year[str(mark.on.year)][mark.verdict] += 1
        self.per_unit[mark.unit or NO_POSTING][mark.verdict] += 1
        if mark.reasons:
            self.barred += 1
            self.reasons.update(mark.reasons)
        self.policies.add(mark.policy)
        self.lookbacks.add(mark.lookback)
        self.first = mark.on if self.first is None else min(self.first, mark.on)
        self.last = mark.on if self.last is None else max(self.last, mark.on)

    def totals(self, policies: list[str]) -> dict[str, Any]:
        return {
            "allocations": self.allocations,
            "policy": ", ".join(policies),
            "verdicts": {v: self.verdicts.get(v, 0) for v in VERDICT_ORDER},
            "not_allocatable": {
                "allocations": self.barred,
                "per_reason": {reason: self.reasons.get(reason, 0) for reason in REASONS},
            },
            "rules": {rule: self.rules.get(rule, 0) for rule in RULES},
            "per_year": {y: _full(c) for y, c in sorted(self.per_year.items())},
            "per_unit": {u: _full(c) for u, c in sorted(self.per_unit.items())},
        }


def _full(counter: Counter[str]) -> dict[str, int]:
    return {v: counter.get(v, 0) for v in VERDICT_ORDER}
