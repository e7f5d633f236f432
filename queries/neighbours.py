"""One-step links between people within a window, for INDIRECT_LINK and ``coi path``.

:func:`links_between` lists EVERY link between given pairs, strongest first, for the
hops of a path: management (line before supervision), then associations (partner,
former partner and family before the others), then shared units; within a kind, the
most recent first.

A step is: postings to the same unit that overlap (last shared day within the window),
one working under the other's management on some day of the window, or an association
begun by the window's end. Steps are symmetric: if X is one step from Y, Y is one step
from X, through the same records.

Steps are kept as light tuples (:data:`Step`) and turned into evidence dicts only for the
few that a finding shows; a force-wide pool has hundreds of thousands of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from coi.graph.model import CLOSE_KINDS, Association, Posting
from coi.queries import evidence
from coi.queries.management import Link, managed_by, managers_of
from coi.queries.reader import Reader
from coi.queries.timeline import Span, clip, overlap

__all__ = [
    "LINK_STRENGTH",
    "Step",
    "linked_ids",
    "links_between",
    "neighbours",
    "shared_ids",
    "step_between",
    "step_evidence",
    "steps",
]

#: ("shared", own posting, other's posting, days) | ("link", Link) | ("association", Association)
Step = tuple[str, Any] | tuple[str, Posting, Posting, Span]


def step_evidence(step: Step, reader: Reader) -> dict[str, Any]:
    """The evidence dict of one step."""
    if step[0] == "shared":
        _, mine, theirs, days = step
        return evidence.shared_unit(mine, theirs, days, reader.units)
    if step[0] == "link":
        return evidence.management(step[1], reader.units)
    return evidence.association(step[1])


def _own_days(posting: Posting, window: Span) -> Span | None:
    """The days of ``posting`` (clipped at the window's end) that can share a day within the window.

    Postings p and q share a unit within the window exactly when q overlaps p's
    ``_own_days``: their common days end on or after the window's start.
    """
    mine = clip(posting.start_date, posting.end_date, window[1])
    return (max(mine[0], window[0]), mine[1]) if mine is not None and mine[1] >= window[0] else None


def _shared(reader: Reader, people: list[str], window: Span, out: dict[str, dict[str, Step]]) -> None:
    on = window[1]
    own = reader.postings(people)
    index = reader.unit_index({p.unit_id for ps in own.values() for p in ps}, window)
    for person, postings in own.items():
        found = out[person]
        for p in postings:
            if (days := _own_days(p, window)) is None:
                continue
            mine = clip(p.start_date, p.end_date, on)
            for q in index[p.unit_id].postings_overlapping(*days):
                if q.officer_id != person and q.officer_id not in found:
                    found[q.officer_id] = ("shared", p, q, overlap(mine, clip(q.start_date, q.end_date, on)))


def shared_ids(reader: Reader, people: Iterable[str], window: Span) -> dict[str, set[str]]:
    """person -> everyone posted to one of their units on a common day within ``window``.

    The ids of :func:`steps`' shared-unit steps, from each unit's interval index, without
    building a step per pair.
    """
    own = reader.postings(people)
    index = reader.unit_index({p.unit_id for ps in own.values() for p in ps}, window)
    out: dict[str, set[str]] = {}
    for person, postings in own.items():
        ids: set[str] = set()
        for p in postings:
            if (days := _own_days(p, window)) is not None:
                ids.update(index[p.unit_id].officers_overlapping(*days))
        ids.discard(person)
        out[person] = ids
    return out


def linked_ids(reader: Reader, person: str, window: Span, up: list[Link], down: list[Link]) -> set[str]:
    """Everyone one management step (``up``, ``down``: the person's links) or association away."""
    ids = {link.manager for link in up} | {link.managed for link in down}
    ids.update(
        a.other(person)
        for a in reader.associations([person])[person]
        if a.start_date is None or a.start_date <= window[1]
    )
    ids.discard(person)
    return ids


def step_between(reader: Reader, a: str, b: str, window: Span, up: list[Link], down: list[Link]) -> Step | None:
    """The step :func:`steps` finds from ``a`` to ``b`` (``up``, ``down``: a's links), or None."""
    theirs = reader.postings([b])[b]
    on = window[1]
    for p in reader.postings([a])[a]:
        if _own_days(p, window) is None:
            continue
        mine = clip(p.start_date, p.end_date, on)
        for q in theirs:
            days = overlap(mine, clip(q.start_date, q.end_date, on)) if q.unit_id == p.unit_id else None
            if days and days[1] >= window[0]:
                return ("shared", p, q, days)
    for link in up:
        if link.manager == b:
            return ("link", link)
    for link in down:
        if link.managed == b:
            return ("link", link)
    for assoc in reader.associations([a])[a]:
        if assoc.other(a) == b and (assoc.start_date is None or assoc.start_date <= on):
            return ("association", assoc)
    return None


def steps(
    reader: Reader,
    people: Iterable[str],
    window: Span,
    up: dict[str, list[Link]] | None = None,
    down: dict[str, list[Link]] | None = None,
) -> dict[str, dict[str, Step]]:
    """person -> every person one step away -> the step (``up``/``down`` reuse known links)."""
    people = list(dict.fromkeys(people))
    out: dict[str, dict[str, Step]] = {p: {} for p in people}
    _shared(reader, people, window, out)
    missing_up = [p for p in people if up is None or p not in up]
    missing_down = [p for p in people if down is None or p not in down]
    ups = {**(up or {}), **managers_of(reader, missing_up, window)} if missing_up else up or {}
    downs = {**(down or {}), **managed_by(reader, missing_down, window)} if missing_down else down or {}
    for person in people:
        found = out[person]
        for link in ups.get(person, ()):
            found.setdefault(link.manager, ("link", link))
        for link in downs.get(person, ()):
            found.setdefault(link.managed, ("link", link))
    associations: dict[str, list[Association]] = reader.associations(people)
    for person, assocs in associations.items():
        for assoc in assocs:
            if assoc.start_date is None or assoc.start_date <= window[1]:
                out[person].setdefault(assoc.other(person), ("association", assoc))
    for person in people:
        out[person].pop(person, None)
    return out


def neighbours(reader: Reader, people: Iterable[str], window: Span) -> dict[str, dict[str, dict[str, Any]]]:
    """person -> every person one step away -> the evidence of that step."""
    return {
        person: {other: step_evidence(step, reader) for other, step in found.items()}
        for person, found in steps(reader, people, window).items()
    }


#: Strongest first: management is a reg. 15(3)(c) bar, a close association a disqualifying
#: interest, a shared unit only something to declare (the rules' severities, in that order).
LINK_STRENGTH = ("management", "association", "shared_unit")
MAX_LINKS = 10


def _strength(item: dict[str, Any]) -> tuple:
    kind = item["type"]
    if kind == "management":
        detail = 0 if item["how"] == "line" else 1
    elif kind == "association":
        detail = 0 if item["kind"] in CLOSE_KINDS else 1
    else:
        detail = 0
    return LINK_STRENGTH.index(kind), detail


def _strongest_first(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """By kind and strength; within those, the link that lasted latest first (open ones first)."""
    recent = sorted(items, key=lambda i: i.get("to") or i.get("end_date") or "9999-12-31", reverse=True)
    return sorted(recent, key=_strength)


def links_between(reader: Reader, pairs: Iterable[tuple[str, str]], window: Span) -> dict[frozenset[str], list[dict]]:
    """{a, b} -> every link (evidence item) between a and b within ``window``, strongest first.

    The same tests as :func:`steps` (so a hop found by a search always has its links), at most
    ``MAX_LINKS`` per pair; a management link is kept once per (how, from, to).
    """
    wanted = {frozenset(p) for p in pairs}
    people = sorted({x for pair in wanted for x in pair})
    found: dict[frozenset[str], list[dict]] = {pair: [] for pair in wanted}
    postings, on = reader.postings(people), window[1]
    for pair in wanted:
        a, b = sorted(pair)
        for p in postings[a]:
            for q in postings[b]:
                if p.unit_id != q.unit_id:
                    continue
                days = overlap(clip(p.start_date, p.end_date, on), clip(q.start_date, q.end_date, on))
                if days and days[1] >= window[0]:
                    found[pair].append(evidence.shared_unit(p, q, days, reader.units))
    seen: set[tuple] = set()
    for links in managers_of(reader, people, window).values():
        for link in links:
            pair, key = frozenset((link.manager, link.managed)), (link.manager, link.managed, link.how, link.span)
            if pair in found and key not in seen:
                seen.add(key)
                found[pair].append(evidence.management(link, reader.units))
    for assocs in reader.associations(people).values():
        for assoc in assocs:
            pair = frozenset((assoc.person_a, assoc.person_b))
            item = evidence.association(assoc)
            if pair in found and (assoc.start_date is None or assoc.start_date <= on) and item not in found[pair]:
                found[pair].append(item)
    return {pair: _strongest_first(items)[:MAX_LINKS] for pair, items in found.items()}
