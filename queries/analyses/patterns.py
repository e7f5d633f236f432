"""The pattern queries of conflict-rules.md: many cases looked at together, as of day d.

- **repeat subjects**: people who are subjects of two or more cases opened by d, with each
  case's status on d and its investigators, supervisors and appropriate authorities;
- **subjects in sensitive units**: subjects of domestic_abuse or sexual_misconduct cases
  open on d who, on d, are posted to a unit tagged professional_standards,
  domestic_abuse, vawg or safeguarding;
- **repeat investigators**: an investigator or supervisor and a subject who meet in two
  or more cases.

Tag inheritance: a unit carries its own tags and those of every unit above it, so a
team inside a tagged department (PSI inside PSD) counts even when its own row has no
tag. Teams share their department's work, case systems and management, which is what
the pattern is about. Each hit names the nearest unit holding a matching tag
(``tagged_unit_id``) so a reviewer sees where the tag came from.

Reads: units, all cases, the assignments of every case (in batches), the people shown,
and the postings of the subjects of open sensitive cases; never one read per case.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from coi.graph.model import INVESTIGATING_ROLES, OVERSIGHT_ROLES, SENSITIVE_UNIT_TAGS, Assignment, Case, Posting
from coi.graph.store import GraphStore, chunks
from coi.queries import evidence
from coi.queries.names import Namer
from coi.queries.reader import Reader
from coi.queries.timeline import active

__all__ = [
    "SENSITIVE_CASE_TYPES",
    "CaseView",
    "PatternReport",
    "RepeatInvestigator",
    "RepeatSubject",
    "SensitivePosting",
    "case_status",
    "patterns",
]

SENSITIVE_CASE_TYPES = ("domestic_abuse", "sexual_misconduct")
BATCH = 5000


def case_status(case: Case, on: date) -> str:
    """The status of a case on ``on``: "open" (opened by then, not closed before) or "closed".

    >>> case_status(Case("K", "conduct", date(2020, 1, 1), date(2020, 2, 1)), date(2021, 1, 1))
    'closed'
    """
    return "open" if active(case.opened_on, case.closed_on, on) else "closed"


@dataclass(frozen=True)
class CaseView:
    """A case as seen on d, with its oversight assignments (investigators and the like)."""

    case: Case
    status: str
    oversight: tuple[Assignment, ...]


@dataclass(frozen=True)
class RepeatSubject:
    person_id: str
    cases: tuple[CaseView, ...]


@dataclass(frozen=True)
class SensitivePosting:
    person_id: str
    case: Case
    posting: Posting
    tags: tuple[str, ...]
    tagged_unit_id: str


@dataclass(frozen=True)
class RepeatInvestigator:
    investigator_id: str
    subject_id: str
    cases: tuple[tuple[CaseView, tuple[str, ...]], ...]  # each case and the investigator's roles


@dataclass
class PatternReport:
    on: date
    repeat_subjects: list[RepeatSubject]
    sensitive_postings: list[SensitivePosting]
    repeat_investigators: list[RepeatInvestigator]
    reader: Reader
    namer: Namer
    counts: dict[str, int] = field(default_factory=dict)  # what each pattern looked at (see :meth:`why_empty`)

    def why_empty(self) -> dict[str, str | None]:
        """For each empty pattern, the true reason it is empty, from what was looked at (None: not empty)."""
        n = self.counts
        tags = ", ".join(SENSITIVE_UNIT_TAGS)
        if n.get("sensitive_cases", 0) == 0:
            sensitive = f"no domestic abuse or sexual misconduct case is open on {self.on}"
        elif n.get("sensitive_subjects", 0) == 0:
            sensitive = f"{n['sensitive_cases']} open domestic abuse / sexual misconduct case(s), none with a subject"
        else:
            sensitive = (
                f"{n['sensitive_subjects']} subject(s) of {n['sensitive_cases']} open domestic abuse / sexual "
                f"misconduct case(s), none posted on {self.on} to a unit tagged {tags} (or inside one)"
            )
        repeat = (
            f"{n.get('subjects', 0)} subject(s) of {n.get('cases', 0)} case(s) opened by {self.on}, "
            "none a subject of two or more"
        )
        pairs = f"{n.get('pairs', 0)} investigator/supervisor-subject pair(s), none met in two or more cases"
        return {
            "repeat_subjects": None if self.repeat_subjects else repeat,
            "subjects_in_sensitive_units": None if self.sensitive_postings else sensitive,
            "repeat_investigators": None if self.repeat_investigators else pairs,
        }

    def limited(self, limit: int | None) -> PatternReport:
        """The same report with at most ``limit`` hits per pattern (``counts`` keeps the totals)."""
        if limit is None:
            return self
        return replace(
            self,
            repeat_subjects=self.repeat_subjects[:limit],
            sensitive_postings=self.sensitive_postings[:limit],
            repeat_investigators=self.repeat_investigators[:limit],
        )

    def _case(self, view: CaseView) -> dict[str, Any]:
        c = view.case
        return {
            "case_id": c.case_id,
            "case_type": c.case_type,
            "opened_on": evidence.iso(c.opened_on),
            "closed_on": evidence.iso(c.closed_on),
            "status": view.status,
            "investigators": [
                {
                    "person_id": a.person_id,
                    "name": self.namer(a.person_id),
                    "role": a.role,
                    "start_date": evidence.iso(a.start_date),
                    "end_date": evidence.iso(a.end_date),
                }
                for a in view.oversight
            ],
        }

    def to_dict(self) -> dict[str, Any]:
        units = self.reader.units
        return {
            "on": self.on.isoformat(),
            "counts": self.counts,
            "why_empty": self.why_empty(),
            "case_types": list(SENSITIVE_CASE_TYPES),
            "tags": list(SENSITIVE_UNIT_TAGS),
            "tags_inherited_from_ancestors": True,
            "repeat_subjects": [
                {
                    "person_id": r.person_id,
                    "name": self.namer(r.person_id),
                    "case_count": len(r.cases),
                    "cases": [self._case(v) for v in r.cases],
                }
                for r in self.repeat_subjects
            ],
            "subjects_in_sensitive_units": [
                {
                    "person_id": s.person_id,
                    "name": self.namer(s.person_id),
                    "case_id": s.case.case_id,
                    "case_type": s.case.case_type,
                    "opened_on": evidence.iso(s.case.opened_on),
                    "unit_id": s.posting.unit_id,
                    "unit_name": units[s.posting.unit_id].name if s.posting.unit_id in units else None,
                    "tags": list(s.tags),
                    "tagged_unit_id": s.tagged_unit_id,
                    "posting": evidence.posting(s.posting, units),
                }
                for s in self.sensitive_postings
            ],
            "repeat_investigators": [
                {
                    "investigator_id": r.investigator_id,
                    "investigator": self.namer(r.investigator_id),
                    "subject_id": r.subject_id,
                    "subject": self.namer(r.subject_id),
                    "case_count": len(r.cases),
                    "cases": [{**self._case(v), "roles": list(roles)} for v, roles in r.cases],
                }
                for r in self.repeat_investigators
            ],
        }


def _inherited_tags(reader: Reader, unit_id: str) -> tuple[tuple[str, ...], str | None]:
    """Sensitive tags on the unit or any unit above it, and the nearest unit holding one."""
    found: list[str] = []
    nearest = None
    for uid in reader.ancestors(unit_id):
        mine = [t for t in reader.units[uid].tags if t in SENSITIVE_UNIT_TAGS and t not in found]
        if mine and nearest is None:
            nearest = uid
        found.extend(mine)
    return tuple(found), nearest


def _open_sensitive(cases: dict[str, Case], on: date) -> list[str]:
    return [cid for cid, c in cases.items() if c.case_type in SENSITIVE_CASE_TYPES and case_status(c, on) == "open"]


def _sensitive_subjects(
    cases: dict[str, Case], subjects: dict[str, list[Assignment]], on: date
) -> list[tuple[str, Case]]:
    """(subject, case) for every subject of an open domestic abuse / sexual misconduct case on ``on``."""
    return [
        (a.person_id, cases[cid])
        for cid in _open_sensitive(cases, on)
        for a in subjects.get(cid, ())
        if active(a.start_date, a.end_date, on)
    ]


def _sensitive(reader: Reader, wanted: list[tuple[str, Case]], on: date) -> list[SensitivePosting]:
    postings = reader.postings({pid for pid, _ in wanted})
    hits = []
    for pid, case in wanted:
        for p in postings[pid]:
            if not active(p.start_date, p.end_date, on):
                continue
            tags, tagged = _inherited_tags(reader, p.unit_id)
            if tagged:
                hits.append(SensitivePosting(pid, case, p, tags, tagged))
    return sorted(hits, key=lambda h: (h.person_id, h.case.case_id, h.posting.unit_id))


def patterns(store: GraphStore, on: date, show_names: bool = False, reader: Reader | None = None) -> PatternReport:
    """The three pattern queries as of ``on`` (cases opened and assignments begun by then)."""
    reader = reader or Reader(store)
    cases = {c.case_id: c for c in store.all_cases() if c.opened_on <= on}
    by_case: dict[str, list[Assignment]] = defaultdict(list)
    for batch in chunks(sorted(cases), BATCH):
        for a in store.assignments_for_cases(batch):
            if a.start_date <= on and a.case_id in cases:
                by_case[a.case_id].append(a)
    views = {
        cid: CaseView(
            case,
            case_status(case, on),
            tuple(sorted((a for a in by_case[cid] if a.role in OVERSIGHT_ROLES), key=lambda a: (a.role, a.person_id))),
        )
        for cid, case in cases.items()
    }
    subjects = {cid: [a for a in found if a.role == "subject"] for cid, found in by_case.items()}

    def in_order(ids: set[str]) -> tuple[CaseView, ...]:
        return tuple(sorted((views[c] for c in ids), key=lambda v: (v.case.opened_on, v.case.case_id)))

    cases_of: dict[str, set[str]] = defaultdict(set)
    pairs: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for cid, found in subjects.items():
        for s in found:
            cases_of[s.person_id].add(cid)
            for a in by_case[cid]:
                if a.role in INVESTIGATING_ROLES and a.person_id != s.person_id:
                    pairs[(a.person_id, s.person_id)][cid].add(a.role)
    repeat = [RepeatSubject(pid, in_order(ids)) for pid, ids in cases_of.items() if len(ids) >= 2]
    repeat.sort(key=lambda r: (-len(r.cases), r.person_id))
    investigators = [
        RepeatInvestigator(inv, subj, tuple((v, tuple(sorted(found[v.case.case_id]))) for v in in_order(set(found))))
        for (inv, subj), found in pairs.items()
        if len(found) >= 2
    ]
    investigators.sort(key=lambda r: (-len(r.cases), r.investigator_id, r.subject_id))
    wanted = _sensitive_subjects(cases, subjects, on)
    sensitive = _sensitive(reader, wanted, on)

    shown = {r.person_id for r in repeat} | {s.person_id for s in sensitive}
    shown |= {a.person_id for r in repeat for v in r.cases for a in v.oversight}
    shown |= {pid for r in investigators for pid in (r.investigator_id, r.subject_id)}
    shown |= {a.person_id for r in investigators for v, _ in r.cases for a in v.oversight}
    namer = Namer(reader.people(shown), (), show_names)
    counts = {
        "cases": len(cases),
        "subjects": len(cases_of),
        "sensitive_cases": len(_open_sensitive(cases, on)),
        "sensitive_subjects": len({pid for pid, _ in wanted}),
        "pairs": len(pairs),
        "repeat_subjects": len(repeat),
        "subjects_in_sensitive_units": len(sensitive),
        "repeat_investigators": len(investigators),
    }
    return PatternReport(on, repeat, sensitive, investigators, reader, namer, counts)
