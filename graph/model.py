"""The declared graph model: every table, column, node label and relationship, once.

Validation (``loaders``), the embedded store's SQL tables and Neo4j's constraints and
ingestion Cypher are all derived from :data:`TABLES`; nothing else lists columns.
The record dataclasses at the end are what stores hand to the conflict engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = [
    "ASSOCIATION_KINDS",
    "ASSOCIATION_SOURCES",
    "CASE_TYPES",
    "CLOSE_KINDS",
    "INVESTIGATING_ROLES",
    "OVERSIGHT_ROLES",
    "PARTY_ROLES",
    "RANKS",
    "RECORD_TYPES",
    "ROLES",
    "SENIOR_RANKS",
    "SENSITIVE_UNIT_TAGS",
    "TABLES",
    "TABLE_ORDER",
    "UNIT_KINDS",
    "Assignment",
    "Association",
    "Case",
    "Field",
    "Person",
    "Posting",
    "Relationship",
    "Table",
    "Unit",
]

RANKS = (
    "constable",
    "sergeant",
    "inspector",
    "chief_inspector",
    "superintendent",
    "chief_superintendent",
    "assistant_chief_constable",
    "deputy_chief_constable",
    "chief_constable",
    "staff",
)
#: Ranks that make an accused officer a "senior officer" (reg. 15(3)(d)).
SENIOR_RANKS = frozenset({"assistant_chief_constable", "deputy_chief_constable", "chief_constable"})
CASE_TYPES = ("complaint", "conduct", "criminal", "domestic_abuse", "sexual_misconduct", "other")
ROLES = ("subject", "investigator", "supervisor", "appropriate_authority", "complainant", "witness")
#: the roles of a case's parties (an interested party may not act on it)
PARTY_ROLES = ("subject", "complainant", "witness")
#: the roles a person is allocated to (and that the rules check)
OVERSIGHT_ROLES = ("investigator", "supervisor", "appropriate_authority")
#: the roles that investigate (case history rules)
INVESTIGATING_ROLES = ("investigator", "supervisor")
UNIT_KINDS = ("force", "command", "department", "station", "team", "other")
ASSOCIATION_KINDS = ("partner", "former_partner", "family", "friend", "business", "other")
#: unit tags of teams dealing with violence against women, safeguarding or standards: an accused
#: officer posted to one of them is a pattern analysts look for (``coi patterns``)
SENSITIVE_UNIT_TAGS = ("professional_standards", "domestic_abuse", "vawg", "safeguarding")
#: the associations that make an interested party (conflict-rules.md: CLOSE_ASSOCIATION)
CLOSE_KINDS = ("partner", "former_partner", "family")
ASSOCIATION_SOURCES = ("declared", "reported", "inferred")

Kind = Literal["id", "text", "date", "bool", "enum", "ref", "tags"]


@dataclass(frozen=True)
class Field:
    """One column of an input table and the property it becomes."""

    name: str
    kind: Kind = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    default: str | None = None
    ref: str | None = None  # for kind "ref": "person", "officer", "unit" or "case"
    multiline: bool = False  # free text that may hold line breaks (every other text field is one line)


@dataclass(frozen=True)
class Relationship:
    """A Neo4j relationship written from a column: (this node)-[type]->(target by id)."""

    type: str
    column: str
    target_label: str
    target_key: str


@dataclass(frozen=True)
class Table:
    """One input table: its file stem, its node label and how its id is made."""

    name: str
    label: str
    key: str
    fields: tuple[Field, ...]
    required: bool = True
    derived_key: tuple[str, ...] = ()  # columns that make the id when the key column is absent
    extra_labels: tuple[str, ...] = ()
    relationships: tuple[Relationship, ...] = ()
    interval: tuple[str, str] | None = None  # (start, end) columns checked for end < start
    indexes: tuple[str, ...] = ()  # columns the engine looks records up by

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _rel(type_: str, column: str, label: str, key: str) -> Relationship:
    return Relationship(type_, column, label, key)


UNITS = Table(
    name="units",
    label="Unit",
    key="unit_id",
    fields=(
        Field("unit_id", "id", required=True),
        Field("name", "text", required=True),
        Field("parent_unit_id", "ref", ref="unit"),
        Field("kind", "enum", choices=UNIT_KINDS, default="other"),
        Field("tags", "tags"),
    ),
    relationships=(_rel("PART_OF", "parent_unit_id", "Unit", "unit_id"),),
    indexes=("parent_unit_id",),
)
OFFICERS = Table(
    name="officers",
    label="Person",
    extra_labels=("Officer",),
    key="officer_id",
    fields=(
        Field("officer_id", "id", required=True),
        Field("name", "text", required=True),
        Field("rank", "enum", choices=RANKS),
        Field("collar_number", "text"),
        Field("joined_on", "date"),
        Field("left_on", "date"),
    ),
    interval=("joined_on", "left_on"),
    indexes=("joined_on", "left_on"),
)
PEOPLE = Table(
    name="people",
    label="Person",
    key="person_id",
    required=False,
    fields=(Field("person_id", "id", required=True), Field("name", "text")),
)
POSTINGS = Table(
    name="postings",
    label="Posting",
    key="posting_id",
    derived_key=("officer_id", "unit_id", "start_date"),
    fields=(
        Field("posting_id", "id"),
        Field("officer_id", "ref", required=True, ref="officer"),
        Field("unit_id", "ref", required=True, ref="unit"),
        Field("start_date", "date", required=True),
        Field("end_date", "date"),
        Field("role", "text"),
        Field("supervisor", "bool", default="false"),
        Field("line_manager_id", "ref", ref="person"),
    ),
    relationships=(
        _rel("HELD_BY", "officer_id", "Person", "person_id"),
        _rel("IN_UNIT", "unit_id", "Unit", "unit_id"),
        _rel("LINE_MANAGED_BY", "line_manager_id", "Person", "person_id"),
    ),
    interval=("start_date", "end_date"),
    indexes=("officer_id", "unit_id", "line_manager_id", "start_date"),
)
CASES = Table(
    name="cases",
    label="Case",
    key="case_id",
    fields=(
        Field("case_id", "id", required=True),
        Field("case_type", "enum", required=True, choices=CASE_TYPES),
        Field("opened_on", "date", required=True),
        Field("closed_on", "date"),
        Field("counter_allegation_of", "ref", ref="case"),
        Field("summary", "text", multiline=True),
    ),
    relationships=(_rel("COUNTER_ALLEGATION_OF", "counter_allegation_of", "Case", "case_id"),),
    interval=("opened_on", "closed_on"),
    indexes=("counter_allegation_of", "opened_on"),
)
ASSIGNMENTS = Table(
    name="assignments",
    label="Assignment",
    key="assignment_id",
    derived_key=("case_id", "person_id", "role", "start_date"),
    fields=(
        Field("assignment_id", "id"),
        Field("case_id", "ref", required=True, ref="case"),
        Field("person_id", "ref", required=True, ref="person"),
        Field("role", "enum", required=True, choices=ROLES),
        Field("start_date", "date"),
        Field("end_date", "date"),
    ),
    relationships=(
        _rel("ON_CASE", "case_id", "Case", "case_id"),
        _rel("OF_PERSON", "person_id", "Person", "person_id"),
    ),
    interval=("start_date", "end_date"),
    indexes=("case_id", "person_id", "role"),
)
ASSOCIATIONS = Table(
    name="associations",
    label="Association",
    key="association_id",
    required=False,
    derived_key=("person_a", "person_b", "kind", "start_date"),
    fields=(
        Field("association_id", "id"),
        Field("person_a", "ref", required=True, ref="person"),
        Field("person_b", "ref", required=True, ref="person"),
        Field("kind", "enum", required=True, choices=ASSOCIATION_KINDS),
        Field("start_date", "date"),
        Field("end_date", "date"),
        Field("source", "enum", choices=ASSOCIATION_SOURCES),
    ),
    relationships=(
        _rel("BETWEEN", "person_a", "Person", "person_id"),
        _rel("BETWEEN", "person_b", "Person", "person_id"),
    ),
    interval=("start_date", "end_date"),
    indexes=("person_a", "person_b"),
)

#: Tables in load order: a table only refers to tables before it (or to itself).
TABLE_ORDER = ("units", "officers", "people", "postings", "cases", "assignments", "associations")
TABLES: dict[str, Table] = {t.name: t for t in (UNITS, OFFICERS, PEOPLE, POSTINGS, CASES, ASSIGNMENTS, ASSOCIATIONS)}


# --- records the stores return and the engine reads -------------------------------------


@dataclass(frozen=True, slots=True)
class Unit:
    unit_id: str
    name: str
    parent_unit_id: str | None = None
    kind: str = "other"
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Person:
    """An officer (``is_officer``) or a non-officer person; one id namespace."""

    person_id: str
    name: str | None = None
    is_officer: bool = False
    rank: str | None = None
    collar_number: str | None = None
    joined_on: date | None = None
    left_on: date | None = None


@dataclass(frozen=True, slots=True)
class Posting:
    posting_id: str
    officer_id: str
    unit_id: str
    start_date: date
    end_date: date | None = None
    role: str | None = None
    supervisor: bool = False
    line_manager_id: str | None = None


@dataclass(frozen=True, slots=True)
class Case:
    case_id: str
    case_type: str
    opened_on: date
    closed_on: date | None = None
    counter_allegation_of: str | None = None
    summary: str | None = None


@dataclass(frozen=True, slots=True)
class Assignment:
    """A person's role on a case. ``start_date`` is already defaulted to the case's opened_on."""

    assignment_id: str
    case_id: str
    person_id: str
    role: str
    start_date: date
    end_date: date | None = None


@dataclass(frozen=True, slots=True)
class Association:
    association_id: str
    person_a: str
    person_b: str
    kind: str
    start_date: date | None = None
    end_date: date | None = None
    source: str | None = None

    def other(self, person_id: str) -> str:
        return self.person_b if self.person_a == person_id else self.person_a


RECORD_TYPES: dict[str, type] = {
    "units": Unit,
    "postings": Posting,
    "cases": Case,
    "assignments": Assignment,
    "associations": Association,
}
