"""Evidence: the concrete records behind a finding, as plain JSON-ready dicts.

Every item names ids and dates a reviewer can look up by hand. Case summaries and
people's names are never put in evidence (they are sensitive); names are added only
in the human-readable explanation, through a :class:`queries.names.Namer`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from graph.model import Assignment, Association, Case, Posting, Unit
from queries.management import Link
from queries.timeline import Span

__all__ = ["assignment", "association", "case", "iso", "management", "person_ids", "posting", "shared_unit"]


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def posting(p: Posting, units: Mapping[str, Unit]) -> dict[str, Any]:
    unit = units.get(p.unit_id)
    return {
        "type": "posting",
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
        "type": "assignment",
        "assignment_id": a.assignment_id,
        "case_id": a.case_id,
        "person_id": a.person_id,
        "role": a.role,
        "start_date": iso(a.start_date),
        "end_date": iso(a.end_date),
    }


def case(c: Case) -> dict[str, Any]:
    return {
        "type": "case",
        "case_id": c.case_id,
        "case_type": c.case_type,
        "opened_on": iso(c.opened_on),
        "closed_on": iso(c.closed_on),
        "counter_allegation_of": c.counter_allegation_of,
    }


def association(a: Association) -> dict[str, Any]:
    return {
        "type": "association",
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
        "type": "management",
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
        "type": "shared_unit",
        "unit_id": a.unit_id,
        "unit_name": unit.name if unit else None,
        "from": iso(span[0]),
        "to": iso(span[1]),
        "postings": [posting(a, units), posting(b, units)],
    }


PERSON_KEYS = ("officer_id", "person_id", "person_a", "person_b", "manager_id", "managed_id", "line_manager_id", "via")


def person_ids(items: list[dict[str, Any]]) -> set[str]:
    """Every person id mentioned anywhere in evidence (for naming them in one batch)."""
    found: set[str] = set()
    stack: list[Any] = list(items)
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.update(v for k, v in item.items() if k in PERSON_KEYS and isinstance(v, str))
            stack.extend(v for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend(item)
    return found


def summary(item: dict[str, Any]) -> str:
    """One short line naming the records of an evidence item (ids and dates, no names)."""
    kind = item.get("type")
    if kind == "posting":
        sup = ", supervisor" if item["supervisor"] else ""
        lm = f", line manager {item['line_manager_id']}" if item.get("line_manager_id") else ""
        return f"posting {item['officer_id']} to {item['unit_id']} {item['start_date']}..{item['end_date'] or 'open'}{sup}{lm}"
    if kind == "assignment":
        return f"{item['person_id']} {item['role']} of {item['case_id']} from {item['start_date']}"
    if kind == "case":
        return f"case {item['case_id']} ({item['case_type']}) opened {item['opened_on']}"
    if kind == "association":
        return (
            f"association {item['person_a']}-{item['person_b']} {item['kind']} "
            f"{item['start_date'] or '?'}..{item['end_date'] or 'open'} ({item['source'] or 'source unknown'})"
        )
    if kind == "management":
        return (
            f"{item['manager_id']} manages {item['managed_id']} ({item['how']}) {item['from']}..{item['to']}: "
            + "; ".join(summary(p) for p in item["postings"])
        )
    if kind == "shared_unit":
        return f"both in {item['unit_id']} {item['from']}..{item['to']}: " + "; ".join(
            summary(p) for p in item["postings"]
        )
    if kind == "indirect":
        return f"via {item['via']}: " + " | ".join(summary(s) for s in item["steps"])
    return str(item)
