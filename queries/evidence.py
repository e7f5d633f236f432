"""Evidence: the concrete records behind a finding, as plain JSON-ready dicts.

Every item names ids and dates a reviewer can look up by hand. Case summaries and
people's names are never put in evidence (they are sensitive); names are added only
in the human-readable explanation, through a :class:`coi.queries.names.Namer`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from coi.graph.model import Assignment, Association, Case, Posting, Unit
from coi.queries.management import Link
from coi.queries.timeline import Span

__all__ = [
    "EvidenceKind",
    "assignment",
    "association",
    "case",
    "indirect",
    "iso",
    "management",
    "person_ids",
    "posting",
    "sentence",
    "shared_unit",
    "summary",
    "unit_text",
]

Namer = Callable[[str | None], str]


class EvidenceKind(StrEnum):
    """The ``type`` of an evidence item: which records it names."""

    POSTING = "posting"
    ASSIGNMENT = "assignment"
    CASE = "case"
    ASSOCIATION = "association"
    MANAGEMENT = "management"
    SHARED_UNIT = "shared_unit"
    INDIRECT = "indirect"


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def posting(p: Posting, units: Mapping[str, Unit]) -> dict[str, Any]:
    unit = units.get(p.unit_id)
    return {
        "type": EvidenceKind.POSTING,
        "posting_id": p.posting_id,
        "officer_id": p.officer_id,
        "unit_id": p.unit_id,
        "unit_name": unit.name if unit else None,
        "start_date": iso(p.start_date),
        "end_date": iso(p.end_date),
        "role": p.role,
        "supervisor": p.supervisor,
        "line_manager_id": p.line_manager_id,
    }


def assignment(a: Assignment) -> dict[str, Any]:
    return {
        "type": EvidenceKind.ASSIGNMENT,
        "assignment_id": a.assignment_id,
        "case_id": a.case_id,
        "person_id": a.person_id,
        "role": a.role,
        "start_date": iso(a.start_date),
        "end_date": iso(a.end_date),
    }


def case(c: Case) -> dict[str, Any]:
    return {
        "type": EvidenceKind.CASE,
        "case_id": c.case_id,
        "case_type": c.case_type,
        "opened_on": iso(c.opened_on),
        "closed_on": iso(c.closed_on),
        "counter_allegation_of": c.counter_allegation_of,
    }


def association(a: Association) -> dict[str, Any]:
    return {
        "type": EvidenceKind.ASSOCIATION,
        "association_id": a.association_id,
        "person_a": a.person_a,
        "person_b": a.person_b,
        "kind": a.kind,
        "start_date": iso(a.start_date),
        "end_date": iso(a.end_date),
        "source": a.source,
    }


def management(link: Link, units: Mapping[str, Unit], span: Span | None = None) -> dict[str, Any]:
    days = span or link.span
    return {
        "type": EvidenceKind.MANAGEMENT,
        "manager_id": link.manager,
        "managed_id": link.managed,
        "how": link.how,
        "from": iso(days[0]),
        "to": iso(days[1]),
        "postings": [posting(p, units) for p in link.postings],
    }


def shared_unit(a: Posting, b: Posting, span: Span, units: Mapping[str, Unit]) -> dict[str, Any]:
    unit = units.get(a.unit_id)
    return {
        "type": EvidenceKind.SHARED_UNIT,
        "unit_id": a.unit_id,
        "unit_name": unit.name if unit else None,
        "from": iso(span[0]),
        "to": iso(span[1]),
        "postings": [posting(a, units), posting(b, units)],
    }


def indirect(via: str, steps: list[dict[str, Any]]) -> dict[str, Any]:
    """A third person linked to both sides, and the two steps that link them."""
    return {"type": EvidenceKind.INDIRECT, "via": via, "steps": steps}


PERSON_KEYS = ("officer_id", "person_id", "person_a", "person_b", "manager_id", "managed_id", "line_manager_id", "via")


def person_ids(items: list[dict[str, Any]]) -> set[str]:
    """Every person id mentioned anywhere in evidence (for naming them in one batch)."""
    found: set[str] = set()
    stack: list[Any] = list(items)
    keys = frozenset(PERSON_KEYS)
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for k, v in item.items():
                if isinstance(v, str):
                    if k in keys:
                        found.add(v)
                elif isinstance(v, dict | list):
                    stack.append(v)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _posting_line(item: dict[str, Any]) -> str:
    sup = ", supervisor" if item["supervisor"] else ""
    lm = f", line manager {item['line_manager_id']}" if item.get("line_manager_id") else ""
    return (
        f"posting {item['officer_id']} to {item['unit_id']} {item['start_date']}..{item['end_date'] or 'open'}{sup}{lm}"
    )


def _association_line(item: dict[str, Any]) -> str:
    return (
        f"association {item['person_a']}-{item['person_b']} {item['kind']} "
        f"{item['start_date'] or '?'}..{item['end_date'] or 'open'} ({item['source'] or 'source unknown'})"
    )


def _management_line(item: dict[str, Any]) -> str:
    return (
        f"{item['manager_id']} manages {item['managed_id']} ({item['how']}) {item['from']}..{item['to']}: "
        + "; ".join(summary(p) for p in item["postings"])
    )


def _shared_unit_line(item: dict[str, Any]) -> str:
    return f"both in {item['unit_id']} {item['from']}..{item['to']}: " + "; ".join(summary(p) for p in item["postings"])


SUMMARIES: dict[str, Callable[[dict[str, Any]], str]] = {
    EvidenceKind.POSTING: _posting_line,
    EvidenceKind.ASSIGNMENT: lambda i: f"{i['person_id']} {i['role']} of {i['case_id']} from {i['start_date']}",
    EvidenceKind.CASE: lambda i: f"case {i['case_id']} ({i['case_type']}) opened {i['opened_on']}",
    EvidenceKind.ASSOCIATION: _association_line,
    EvidenceKind.MANAGEMENT: _management_line,
    EvidenceKind.SHARED_UNIT: _shared_unit_line,
    EvidenceKind.INDIRECT: lambda i: f"via {i['via']}: " + " | ".join(summary(s) for s in i["steps"]),
}


def summary(item: dict[str, Any]) -> str:
    """One short line naming the records of an evidence item (ids and dates, no names)."""
    return SUMMARIES[item["type"]](item)


# --- sentences: the links of a finding or a path, with names ------------------------------


def _period(start: str | None, end: str | None) -> str:
    if start == end:
        return f"on {start}"
    return f"from {start or 'an unknown date'} to {end or 'now'}"


def unit_text(item: dict[str, Any]) -> str:
    """The unit an item names, by name when known."""
    return item.get("unit_name") or item.get("unit_id") or "an unknown unit"


def _management_sentence(item: dict[str, Any], name: Namer) -> str:
    postings = item["postings"]
    if item["how"] == "supervision":
        sup, theirs = postings
        unit = unit_text(sup)
        via = f"{unit}, which contains {unit_text(theirs)}" if sup["unit_id"] != theirs["unit_id"] else unit
        how = f"{name(item['manager_id'])} supervised {via}, where {name(item['managed_id'])} was posted"
    else:
        chain = " -> ".join([name(postings[0]["officer_id"])] + [name(p["line_manager_id"]) for p in postings])
        how = f"line management chain {chain}"
    return f"{name(item['managed_id'])} worked under the management of {name(item['manager_id'])} {_period(item['from'], item['to'])} ({how})"


def _shared_unit_sentence(item: dict[str, Any], name: Namer) -> str:
    a, b = item["postings"]
    return f"{name(a['officer_id'])} and {name(b['officer_id'])} were both posted to {unit_text(item)} {_period(item['from'], item['to'])}"


def _association_sentence(item: dict[str, Any], name: Namer) -> str:
    since = f" since {item['start_date']}" if item.get("start_date") else ""
    source = f", {item['source']}" if item.get("source") else ""
    return f"{name(item['person_a'])} and {name(item['person_b'])}: {item['kind'].replace('_', ' ')} association{since}{source}"


#: the kinds that link two people (a step of INDIRECT_LINK or of a path), and their sentence
SENTENCES: dict[str, Callable[[dict[str, Any], Namer], str]] = {
    EvidenceKind.MANAGEMENT: _management_sentence,
    EvidenceKind.SHARED_UNIT: _shared_unit_sentence,
    EvidenceKind.ASSOCIATION: _association_sentence,
}


def sentence(item: dict[str, Any], name: Namer) -> str:
    """A sentence for one evidence item that links two people (management, shared unit, association)."""
    return SENTENCES[item["type"]](item, name)
