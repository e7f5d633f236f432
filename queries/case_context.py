"""Everything one check of a case on a day needs, read once for a whole pool of people.

The rule families (``queries/rules/``) decide from this; none of them reads the store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from operator import attrgetter

from coi.queries.dispute import Dispute
from coi.queries.management import Link, managed_by, managers_of
from coi.queries.policy import Policy
from coi.queries.reader import Reader
from coi.queries.timeline import lookback_start

__all__ = ["CaseContext"]


class CaseContext:
    """Everything one (case, day) needs, read once for a whole pool of people."""

    def __init__(self, reader: Reader, policy: Policy, dispute: Dispute, on: date, people: list[str]) -> None:
        self.reader, self.policy, self.dispute, self.on = reader, policy, dispute, on
        self.case_type = dispute.case.case_type
        self.lookback = policy.lookback_for(self.case_type)
        self.window = (lookback_start(on, self.lookback), on)
        self.subjects = dispute.people_with_role("subject")
        self.complainants = dispute.people_with_role("complainant")
        everyone = set(people) | self.subjects
        reader.prefetch_units(everyone, self.window)  # one read where the store prefetched (Neo4j)
        self.people = reader.people(everyone | self.complainants)
        self.postings = reader.postings(everyone)
        self.assignments = reader.assignments(people)
        self.associations = reader.associations(people)
        # management is read from the subjects' side: who they manage, and who manages them
        self.up_s = managers_of(reader, self.subjects, self.window)
        self.down_s = managed_by(reader, self.subjects, self.window)
        self.managed_by_subject = _index(self.down_s, attrgetter("managed"))
        self.managing_subject = _index(self.up_s, attrgetter("manager"))
        history = {a.case_id for p in people for a in self.assignments[p] if a.start_date <= on}
        self.earlier = {
            c.case_id: c
            for c in reader.cases(history).values()
            if c.case_id != dispute.case.case_id and c.opened_on <= on
        }
        self.earlier_assignments = reader.case_assignments(self.earlier)


def _index(links: dict[str, list[Link]], other: Callable[[Link], str]) -> dict[str, dict[str, list[Link]]]:
    """subject -> other person -> the links between them."""
    out: dict[str, dict[str, list[Link]]] = {}
    for subject, found in links.items():
        by_person: dict[str, list[Link]] = {}
        for link in found:
            by_person.setdefault(other(link), []).append(link)
        out[subject] = by_person
    return out
