"""The conflict engine: every rule of conflict-rules.md, once, over any store.

A check asks whether person I may take a role on case C on day d. The engine reads the
dispute (C and its counter-allegations), the records of I and of the parties through a
:class:`~coi.queries.reader.Reader` (batched, cached), and applies the rules in memory. The
same code serves the embedded store and Neo4j; :meth:`Engine.check_many` checks a whole
candidate pool for one case with a handful of reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from coi.graph.model import CASE_TYPES, OVERSIGHT_ROLES
from coi.graph.store import GraphStore
from coi.queries import evidence
from coi.queries.allocatable import Bar, not_allocatable
from coi.queries.case_context import CaseContext
from coi.queries.dispute import NotFound, dispute_of
from coi.queries.findings import Finding, Findings
from coi.queries.names import Namer
from coi.queries.policy import DEFAULT_POLICY, Policy
from coi.queries.reader import Reader
from coi.queries.rules import PER_PERSON, PER_POOL, RULES, Explaining
from coi.queries.timeline import lookback_start
from coi.queries.verdicts import Verdict, verdict_for

__all__ = ["ALLOCATABLE_ROLES", "CheckResult", "Engine", "Finding", "NotFound"]

ALLOCATABLE_ROLES = OVERSIGHT_ROLES
#: Line-management levels a store's prefetch follows (Reader.prefetch); deeper chains are read
#: as the rules reach them. Each level lengthens Neo4j's one query, whose first run is planned:
#: 4 levels cover most chains of a generated force and plan in about the time ~25 small queries did.
PREFETCH_LEVELS = 4


@dataclass
class CheckResult:
    case_id: str
    investigator_id: str
    role: str
    on: date
    policy: str
    lookback_years: int
    findings: list[Finding]
    investigator_name: str = ""
    notes: list[str] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)  # why the allocation is not possible at all
    case_type: str = ""

    @property
    def verdict(self) -> Verdict:
        return verdict_for([f.severity for f in self.findings])

    @property
    def allocatable(self) -> bool:
        return not self.bars

    def rules(self) -> list[str]:
        return [f"{f.rule}({f.other_id})" for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "investigator_id": self.investigator_id,
            "investigator": self.investigator_name,
            "role": self.role,
            "on": self.on.isoformat(),
            "case_type": self.case_type,
            "allocatable": self.allocatable,
            "not_allocatable": [b.to_dict() for b in self.bars],
            "policy": self.policy,
            "lookback_years": self.lookback_years,
            "verdict": self.verdict,
            "findings": [f.to_dict() for f in self.findings],
            "notes": self.notes,
        }


class Engine:
    """Checks allocations against the rules under one policy, over one store."""

    def __init__(self, store: GraphStore, policy: Policy = DEFAULT_POLICY, reader: Reader | None = None) -> None:
        self.store = store
        self.policy = policy
        self.reader = reader or Reader(store)

    def check(
        self, case_id: str, person_id: str, on: date, role: str = "investigator", show_names: bool = False
    ) -> CheckResult:
        """May ``person_id`` take ``role`` on ``case_id`` on ``on``?"""
        return self.check_many(case_id, [person_id], on, role, show_names)[person_id]

    def check_many(
        self,
        case_id: str,
        person_ids: Iterable[str],
        on: date,
        role: str = "investigator",
        show_names: bool = False,
    ) -> dict[str, CheckResult]:
        """Check many people for one case and day with shared, batched reads."""
        if role not in ALLOCATABLE_ROLES:
            raise ValueError(f"role must be one of {', '.join(ALLOCATABLE_ROLES)}")
        with self.store.reading():
            return self._check_many(case_id, list(dict.fromkeys(person_ids)), on, role, show_names)

    def _check_many(
        self, case_id: str, people: list[str], on: date, role: str, show_names: bool
    ) -> dict[str, CheckResult]:
        # the widest lookback of any case type: the case's own type is not known before this read
        widest = max(self.policy.lookback_for(t) for t in (None, *CASE_TYPES, *self.policy.case_types))
        # management is read from the subjects' side and from the people checked (case_context.py)
        self.reader.prefetch(case_id, people, (lookback_start(on, widest), on), PREFETCH_LEVELS, ("subject",))
        known = self.reader.people(people)
        unknown = [p for p in people if p not in known]
        if unknown:
            raise NotFound(f"unknown person {unknown[0]!r}: check the id, or load the export that has it")
        dispute = dispute_of(self.reader, case_id, on)
        check = CaseContext(self.reader, self.policy, dispute, on, people)
        found = {me: Findings(self.policy, check.case_type) for me in people}
        for me in people:
            for family in PER_PERSON:
                family.find(check, found[me], me)
        for family in PER_POOL:
            family.find_pool(check, found)
        named = self.reader.people(
            set(people)
            | check.subjects
            | check.complainants
            | {pid for f in found.values() for x in f.by_key.values() for pid in evidence.person_ids(x.evidence)}
        )
        namer = Namer(named, dispute.assignments, show_names)
        notes = []
        if dispute.case.opened_on > on:
            notes.append(
                f"case {case_id} was opened on {dispute.case.opened_on}, after {on}: nothing about it was known yet"
            )
        results = {}
        ranks = {pid: p.rank for pid, p in named.items() if p.rank}
        for me in people:
            findings = found[me].sorted()
            explaining = Explaining(me, on, namer, self.reader.units, ranks, self.reader.root)
            for f in findings:
                f.explanation = RULES[f.rule].explain(f, explaining)
            bars = not_allocatable(named[me], dispute.case, on, namer(me))
            results[me] = CheckResult(
                case_id,
                me,
                role,
                on,
                self.policy.name,
                check.lookback,
                findings,
                namer(me),
                list(notes),
                bars,
                dispute.case.case_type,
            )
        return results
