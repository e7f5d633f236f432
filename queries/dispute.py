"""A dispute: a case, the cases linked to it by counter-allegation, and their parties.

Only what was known on the reference date counts: linked cases opened after it, and
assignments starting after it, are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coi.graph.model import Assignment, Case
from coi.queries.reader import Reader

__all__ = ["Dispute", "NotFound", "dispute_of"]

OVERSIGHT_ROLES = ("investigator", "supervisor", "appropriate_authority")
INVESTIGATING_ROLES = ("investigator", "supervisor")
PARTY_ROLES = ("subject", "complainant", "witness")


class NotFound(LookupError):
    """An unknown case or person id (message is one line)."""


@dataclass(frozen=True)
class Dispute:
    case: Case
    linked: tuple[Case, ...]
    assignments: tuple[Assignment, ...]  # of the case and the linked cases, begun by d

    @property
    def case_ids(self) -> set[str]:
        return {self.case.case_id, *(c.case_id for c in self.linked)}

    def with_role(self, *roles: str) -> list[Assignment]:
        return [a for a in self.assignments if a.role in roles]

    def people_with_role(self, *roles: str) -> set[str]:
        return {a.person_id for a in self.with_role(*roles)}


def dispute_of(reader: Reader, case_id: str, on: date) -> Dispute:
    """The dispute around ``case_id`` as known on ``on``; NotFound for an unknown case."""
    case = reader.cases([case_id]).get(case_id)
    if case is None:
        raise NotFound(f"unknown case {case_id!r}: check the id, or load the export that has it")
    linked = tuple(sorted((c for c in reader.linked_cases(case_id) if c.opened_on <= on), key=lambda c: c.case_id))
    ids = [case_id, *(c.case_id for c in linked)]
    found = reader.case_assignments(ids)
    assignments = tuple(a for cid in ids for a in found[cid] if a.start_date <= on)
    return Dispute(case, linked, assignments)
