"""Who may be allocated at all: the test before any conflict rule (conflict-rules.md).

An allocation of person I to case C on day d is **not allocatable** when I is not an
officer (a row of people, not officers), is not serving on d (joined after d, or left
before d), or C was closed before d. The one definition here serves ``check`` (which
reports the reasons and exits with its own code), ``candidates`` (whose pool is the
people with no person reason) and the audit (which counts past allocations per reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coi.graph.model import Case, Person

__all__ = ["REASONS", "Bar", "case_bars", "not_allocatable", "person_bars"]

#: Every reason code, in the order they are reported.
REASONS = ("not_an_officer", "not_yet_joined", "left", "case_closed")


@dataclass(frozen=True)
class Bar:
    """One reason an allocation is not possible: a stable code and a sentence."""

    reason: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"reason": self.reason, "message": self.message}


def person_bars(person: Person, on: date, shown_as: str | None = None) -> list[Bar]:
    """Why ``person`` cannot be allocated to any case on ``on`` ([] when they can)."""
    who = shown_as or person.person_id
    if not person.is_officer:
        return [Bar("not_an_officer", f"{who} is not an officer (listed in people, not officers)")]
    if person.joined_on is not None and person.joined_on > on:
        return [Bar("not_yet_joined", f"{who} joined on {person.joined_on}, after {on}")]
    if person.left_on is not None and person.left_on < on:
        return [Bar("left", f"{who} left the force on {person.left_on}, before {on}")]
    return []


def case_bars(case: Case, on: date) -> list[Bar]:
    """Why no one can be allocated to ``case`` on ``on`` ([] when someone can)."""
    if case.closed_on is not None and case.closed_on < on:
        return [Bar("case_closed", f"case {case.case_id} was closed on {case.closed_on}, before {on}")]
    return []


def not_allocatable(person: Person, case: Case, on: date, shown_as: str | None = None) -> list[Bar]:
    """Every reason the allocation of ``person`` to ``case`` on ``on`` is not possible."""
    return person_bars(person, on, shown_as) + case_bars(case, on)
