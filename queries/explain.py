"""One plain-English sentence per finding, built from its evidence and real names.

Like BloodHound's edge explanations: "Beth Carter (O2) manages Chris Dunn (O3) on
2023-03-15: Chris Dunn's posting to North Response Team A has line manager Beth Carter."
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from graph.model import Unit

if TYPE_CHECKING:
    from queries.engine import Finding

__all__ = ["describe_step", "explain"]

Namer = Callable[[str | None], str]


def _period(start: str | None, end: str | None) -> str:
    if start == end:
        return f"on {start}"
    return f"from {start or 'an unknown date'} to {end or 'now'}"


def _unit(item: dict[str, Any]) -> str:
    return item.get("unit_name") or item.get("unit_id") or "an unknown unit"


def describe_step(item: dict[str, Any], name: Namer) -> str:
    """A sentence for one evidence item of type management, shared_unit or association."""
    kind = item.get("type")
    if kind == "management":
        postings = item["postings"]
        if item["how"] == "supervision":
            sup, theirs = postings
            via = f"{_unit(sup)}, which contains {_unit(theirs)}" if sup["unit_id"] != theirs["unit_id"] else _unit(sup)
            how = f"{name(item['manager_id'])} supervised {via}, where {name(item['managed_id'])} was posted"
        else:
            chain = " -> ".join([name(postings[0]["officer_id"])] + [name(p["line_manager_id"]) for p in postings])
            how = f"line management chain {chain}"
        return f"{name(item['managed_id'])} worked under the management of {name(item['manager_id'])} {_period(item['from'], item['to'])} ({how})"
    if kind == "shared_unit":
        a, b = item["postings"]
        return f"{name(a['officer_id'])} and {name(b['officer_id'])} were both posted to {_unit(item)} {_period(item['from'], item['to'])}"
    if kind == "association":
        since = f" since {item['start_date']}" if item.get("start_date") else ""
        source = f", {item['source']}" if item.get("source") else ""
        return f"{name(item['person_a'])} and {name(item['person_b'])}: {item['kind'].replace('_', ' ')} association{since}{source}"
    return str(kind)


def _case_roles(f: Finding, me: str, name: Namer) -> str:
    case = next(e for e in f.evidence if e["type"] == "case")
    mine = sorted({e["role"] for e in f.evidence if e["type"] == "assignment" and e["person_id"] == me})
    theirs = sorted({e["role"] for e in f.evidence if e["type"] == "assignment" and e["person_id"] == f.other_id})
    return (
        f"in case {case['case_id']} ({case['case_type'].replace('_', ' ')}, opened {case['opened_on']}) "
        f"{name(me)} was {' and '.join(mine)} and {name(f.other_id)} was {' and '.join(theirs)}"
    )


def explain(f: Finding, me: str, on: date, name: Namer, units: Mapping[str, Unit], ranks: Mapping[str, str]) -> str:
    """The finding's sentence (first piece of evidence; the rest are listed after it)."""
    first = f.evidence[0]
    other = name(f.other_id)
    rule = f.rule
    if rule == "SELF_INVOLVED":
        roles = sorted({f"{e['role']} of case {e['case_id']}" for e in f.evidence})
        return f"{name(me)} is {', '.join(roles)}."
    if rule == "COUNTER_ALLEGATION":
        role = next(e["role"] for e in f.evidence if e["type"] == "assignment")
        return f"{name(me)} is {role.replace('_', ' ')} of {f.other_id}, a counter-allegation linked to this case."
    if rule in (
        "UNDER_MANAGEMENT",
        "MANAGES_SUBJECT",
        "PAST_MANAGEMENT",
        "SHARED_UNIT",
        "ASSOCIATION",
        "CLOSE_ASSOCIATION",
    ):
        extra = f" (+{len(f.evidence) - 1} more)" if len(f.evidence) > 1 else ""
        return describe_step(first, name) + extra + "."
    if rule == "SENIOR_SAME_FORCE":
        _theirs, mine = first, f.evidence[1]
        force = units.get(_root(units, mine["unit_id"]))
        rank = ranks.get(f.other_id, "a senior rank").replace("_", " ")
        return (
            f"{other} is {rank}; {name(me)} is posted to {_unit(mine)} in the same force "
            f"({force.name if force else 'unknown'}), so reg. 15(3)(d) bars them."
        )
    if rule in ("INVESTIGATED_BY_SUBJECT", "COMPLAINANT_LINK", "CO_WORKED", "PRIOR_INVESTIGATION"):
        text = _case_roles(f, me, name)
        return text[0].upper() + text[1:] + "."
    if rule == "INDIRECT_LINK":
        via = [e["via"] for e in f.evidence]
        steps = "; ".join(describe_step(s, name) for s in first["steps"])
        more = f" (and {len(via) - 1} more)" if len(via) > 1 else ""
        return f"{name(me)} and {other} are both linked to {name(via[0])}{more}: {steps}."
    return f"{rule} {other}"


def _root(units: Mapping[str, Unit], unit_id: str) -> str:
    seen = set()
    while unit_id in units and units[unit_id].parent_unit_id and unit_id not in seen:
        seen.add(unit_id)
        unit_id = units[unit_id].parent_unit_id  # type: ignore[assignment]
    return unit_id
