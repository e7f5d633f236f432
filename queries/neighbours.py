"""One-step links between people within a window, for INDIRECT_LINK and ``coi path``.

A step is: postings to the same unit that overlap (last shared day within the window),
one working under the other's management on some day of the window, or an association
begun by the window's end.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from queries import evidence
from queries.management import managed_by, managers_of
from queries.reader import Reader
from queries.timeline import Span, clip, overlap

__all__ = ["neighbours", "shared_units"]


def shared_units(reader: Reader, people: list[str], window: Span) -> dict[str, dict[str, dict[str, Any]]]:
    """person -> other person -> evidence of overlapping postings to one unit."""
    on = window[1]
    own = reader.postings(people)
    units = {p.unit_id for ps in own.values() for p in ps}
    by_unit: dict[str, list] = {}
    for q in reader.unit_postings(units, window):
        by_unit.setdefault(q.unit_id, []).append(q)
    out: dict[str, dict[str, dict[str, Any]]] = {p: {} for p in people}
    for person, postings in own.items():
        for p in postings:
            mine = clip(p.start_date, p.end_date, on)
            for q in by_unit.get(p.unit_id, ()):
                if q.officer_id == person or q.officer_id in out[person]:
                    continue
                days = overlap(mine, clip(q.start_date, q.end_date, on))
                if days and days[1] >= window[0]:
                    out[person][q.officer_id] = evidence.shared_unit(p, q, days, reader.units)
    return out


def neighbours(reader: Reader, people: Iterable[str], window: Span) -> dict[str, dict[str, dict[str, Any]]]:
    """person -> every person one step away -> the evidence of that step."""
    people = list(dict.fromkeys(people))
    out = shared_units(reader, people, window)
    for links in (managers_of(reader, people, window), managed_by(reader, people, window)):
        for person, found in links.items():
            for link in found:
                other = link.manager if link.managed == person else link.managed
                out[person].setdefault(other, evidence.management(link, reader.units))
    for person, found in reader.associations(people).items():
        for assoc in found:
            if assoc.start_date is None or assoc.start_date <= window[1]:
                out[person].setdefault(assoc.other(person), evidence.association(assoc))
    for person in people:
        out[person].pop(person, None)
    return out
