"""The conflict engine: every rule of conflict-rules.md, once, over any store.

A check asks whether person I may take a role on case C on day d. The engine reads the
dispute (C and its counter-allegations), the records of I and of the parties through a
:class:`~queries.reader.Reader` (batched, cached), and applies the rules in memory. The
same code serves the embedded store and Neo4j; :meth:`Engine.check_many` checks a whole
candidate pool for one case with a handful of reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graph.model import ASSOCIATION_KINDS, SENIOR_RANKS
from graph.store import GraphStore
from queries import evidence
from queries.allocatable import Bar, not_allocatable
from queries.dispute import (
    INVESTIGATING_ROLES,
    OVERSIGHT_ROLES,
    PARTY_ROLES,
    Dispute,
    NotFound,
    dispute_of,
)
from queries.explain import explain
from queries.management import Link, managed_by, managers_of
from queries.names import Namer
from queries.neighbours import step_evidence, steps
from queries.policy import DEFAULT_POLICY, Policy
from queries.reader import Reader
from queries.rules import RULES, severity_rank, verdict_for
from queries.timeline import DAY, active, clip, lookback_start, overlap

__all__ = ["ALLOCATABLE_ROLES", "CheckResult", "Engine", "Finding", "NotFound"]

ALLOCATABLE_ROLES = OVERSIGHT_ROLES
CLOSE_KINDS = {"partner", "former_partner", "family"}
MAX_EVIDENCE = 10
MAX_INTERMEDIARIES = 3
assert set(ASSOCIATION_KINDS) >= CLOSE_KINDS


@dataclass
class Finding:
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
    def verdict(self) -> str:
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


class _Findings:
    """Findings of one check, one per (rule, other party), evidence merged."""

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


class _Check:
    """Everything one (case, day) needs, read once for a whole pool of people."""

    def __init__(self, reader: Reader, policy: Policy, dispute: Dispute, on: date, people: list[str]) -> None:
        self.reader, self.policy, self.dispute, self.on = reader, policy, dispute, on
        self.case_type = dispute.case.case_type
        self.lookback = policy.lookback_for(self.case_type)
        self.window = (lookback_start(on, self.lookback), on)
        self.subjects = dispute.people_with_role("subject")
        self.complainants = dispute.people_with_role("complainant")
        everyone = set(people) | self.subjects
        self.people = reader.people(everyone | self.complainants)
        self.postings = reader.postings(everyone)
        self.assignments = reader.assignments(people)
        self.associations = reader.associations(people)
        # management is read from the subjects' side: who they manage, and who manages them
        self.up_s = managers_of(reader, self.subjects, self.window)
        self.down_s = managed_by(reader, self.subjects, self.window)
        self.managed_by_subject = _index(self.down_s, lambda link: link.managed)
        self.managing_subject = _index(self.up_s, lambda link: link.manager)
        history = {a.case_id for p in people for a in self.assignments[p] if a.start_date <= on}
        self.earlier = {
            c.case_id: c
            for c in reader.cases(history).values()
            if c.case_id != dispute.case.case_id and c.opened_on <= on
        }
        self.earlier_assignments = reader.case_assignments(self.earlier)

    def direct(self, me: str) -> _Findings:
        found = _Findings(self.policy, self.case_type)
        subjects, complainants = self.subjects - {me}, self.complainants - {me}
        self._involvement(found, me)
        self._management(found, me, subjects)
        self._senior(found, me, subjects)
        self._associations(found, me, subjects | complainants)
        self._history(found, me, subjects, complainants)
        self._shared_unit(found, me, subjects)
        return found

    def _involvement(self, found: _Findings, me: str) -> None:
        linked = {c.case_id: c for c in self.dispute.linked}
        for a in self.dispute.assignments:
            if a.person_id != me:
                continue
            if a.role in PARTY_ROLES:
                found.add("SELF_INVOLVED", me, evidence.assignment(a))
            elif a.role in OVERSIGHT_ROLES and a.case_id in linked:
                found.add("COUNTER_ALLEGATION", a.case_id, evidence.case(linked[a.case_id]), evidence.assignment(a))

    def _management(self, found: _Findings, me: str, subjects: set[str]) -> None:
        units, on = self.reader.units, self.on
        for s in sorted(subjects):
            under_ever = self.managed_by_subject[s].get(me, [])
            manages_ever = self.managing_subject[s].get(me, [])
            under = [link for link in under_ever if link.span[1] == on]
            manages = [link for link in manages_ever if link.span[1] == on]
            for link in under:
                found.add("UNDER_MANAGEMENT", s, evidence.management(link, units, (on, on)))
            for link in manages:
                found.add("MANAGES_SUBJECT", s, evidence.management(link, units, (on, on)))
            if under or manages:
                continue
            for link in [x for x in under_ever + manages_ever if x.span[0] < on]:
                days = (link.span[0], min(link.span[1], on - DAY))
                found.add("PAST_MANAGEMENT", s, evidence.management(link, units, days))

    def _senior(self, found: _Findings, me: str, subjects: set[str]) -> None:
        on, root = self.on, self.reader.root
        mine = [p for p in self.postings[me] if active(p.start_date, p.end_date, on)]
        for s in sorted(subjects):
            person = self.people.get(s)
            if person is None or person.rank not in SENIOR_RANKS:
                continue
            theirs = {root(p.unit_id): p for p in self.postings[s] if active(p.start_date, p.end_date, on)}
            for p in mine:
                if (force := root(p.unit_id)) in theirs:
                    units = self.reader.units
                    found.add(
                        "SENIOR_SAME_FORCE",
                        s,
                        evidence.posting(theirs[force], units),
                        evidence.posting(p, units),
                    )

    def _associations(self, found: _Findings, me: str, parties: set[str]) -> None:
        for a in self.associations[me]:
            other = a.other(me)
            if other in parties and (a.start_date is None or a.start_date <= self.on):
                rule = "CLOSE_ASSOCIATION" if a.kind in CLOSE_KINDS else "ASSOCIATION"
                found.add(rule, other, evidence.association(a))

    def _history(self, found: _Findings, me: str, subjects: set[str], complainants: set[str]) -> None:
        on = self.on
        mine: dict[str, list] = {}
        for a in self.assignments[me]:
            if a.case_id in self.earlier and a.start_date <= on:
                mine.setdefault(a.case_id, []).append(a)
        for case_id, my_roles in sorted(mine.items()):
            case_ev = evidence.case(self.earlier[case_id])
            roles = {a.role for a in my_roles}
            for other in self.earlier_assignments[case_id]:
                if other.person_id == me or other.start_date > on:
                    continue
                who, role = other.person_id, other.role
                rules = []
                if "subject" in roles:
                    if who in subjects and role in INVESTIGATING_ROLES:
                        rules.append("INVESTIGATED_BY_SUBJECT")
                    if who in complainants and role == "complainant":
                        rules.append("COMPLAINANT_LINK")
                    if who in subjects and role == "subject":
                        rules.append("CO_WORKED")
                if roles & set(INVESTIGATING_ROLES) and who in subjects:
                    if role in INVESTIGATING_ROLES:
                        rules.append("CO_WORKED")
                    if role == "subject":
                        rules.append("PRIOR_INVESTIGATION")
                for rule in rules:
                    relevant = [a for a in my_roles if rule != "CO_WORKED" or a.role == role or role != "subject"]
                    found.add(rule, who, case_ev, *map(evidence.assignment, relevant), evidence.assignment(other))

    def _shared_unit(self, found: _Findings, me: str, subjects: set[str]) -> None:
        on, start = self.on, self.window[0]
        for s in sorted(subjects):
            for p in self.postings[me]:
                for q in self.postings[s]:
                    if p.unit_id != q.unit_id:
                        continue
                    days = overlap(clip(p.start_date, p.end_date, on), clip(q.start_date, q.end_date, on))
                    if days and days[1] >= start:
                        found.add("SHARED_UNIT", s, evidence.shared_unit(p, q, days, self.reader.units))

    def indirect(self, results: dict[str, _Findings]) -> None:
        """INDIRECT_LINK for every subject no other finding names, for all people at once.

        Steps are symmetric, so the intermediaries X of (I, S) can be found from either side:
        N(I) & N(S) for a few people, or {X in N(S) : I in N(X)} for a large pool.
        """
        open_pairs = {me: sorted(self.subjects - {me} - found.named()) for me, found in results.items()}
        wanted = {me for me, subjects in open_pairs.items() if subjects}
        if not wanted:
            return
        near_s = steps(self.reader, self.subjects, self.window, self.up_s, self.down_s)
        middle = {x for s in self.subjects for x in near_s[s]}
        if len(wanted) <= len(middle):
            near_me = steps(self.reader, wanted, self.window)
            first = lambda me, x: near_me[me].get(x)  # noqa: E731
        else:
            near_x = steps(self.reader, middle, self.window)
            first = lambda me, x: near_x[x].get(me)  # noqa: E731
        for me in sorted(wanted):
            for s in open_pairs[me]:
                common = sorted(x for x in near_s[s] if x != me and first(me, x) is not None)
                items = [
                    {
                        "type": "indirect",
                        "via": x,
                        "steps": [step_evidence(first(me, x), self.reader), step_evidence(near_s[s][x], self.reader)],
                    }
                    for x in common[:MAX_INTERMEDIARIES]
                ]
                if items:
                    results[me].add("INDIRECT_LINK", s, *items)


def _index(links: dict[str, list[Link]], other: Callable[[Link], str]) -> dict[str, dict[str, list[Link]]]:
    """subject -> other person -> the links between them."""
    out: dict[str, dict[str, list[Link]]] = {}
    for subject, found in links.items():
        by_person: dict[str, list[Link]] = {}
        for link in found:
            by_person.setdefault(other(link), []).append(link)
        out[subject] = by_person
    return out


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
        known = self.reader.people(people)
        unknown = [p for p in people if p not in known]
        if unknown:
            raise NotFound(f"unknown person {unknown[0]!r}: check the id, or load the export that has it")
        dispute = dispute_of(self.reader, case_id, on)
        check = _Check(self.reader, self.policy, dispute, on, people)
        found = {me: check.direct(me) for me in people}
        check.indirect(found)
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
            for f in findings:
                f.explanation = explain(f, me, on, namer, self.reader.units, ranks)
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
