"""Who works under whose management, when, and the postings that prove it.

"Y works under the management of X on a day" (conflict-rules.md) holds when
(a) X is the line manager on a posting of Y active that day, or on a posting of that
    line manager active that day, and so on up the chain; or
(b) X has a supervisor posting active that day to a unit containing a unit Y is posted to.
Each :class:`Link` carries the span of days it holds (inside the window asked for) and
the postings that make it true, so rules can test any day and show the evidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from coi.graph.model import Posting
from coi.queries.reader import LineStep, Reader
from coi.queries.timeline import Span

__all__ = ["MAX_CHAIN", "Link", "managed_by", "managers_of"]

#: Longest line-management chain followed (a force has fewer levels than this).
MAX_CHAIN = 16


class Link(NamedTuple):
    """``manager`` manages ``managed`` on every day of ``span``.

    ``how`` is "line" (postings: the managed person's posting first, then each manager's
    posting up the chain) or "supervision" (postings: the supervisor's posting, then the
    managed person's posting). A named tuple: chains make hundreds of thousands of them.
    """

    manager: str
    managed: str
    span: Span
    how: str
    postings: tuple[Posting, ...]


def _span(posting: Posting, window: Span) -> Span | None:
    """``overlap(window, clip(posting's days, window end))``, inlined: called millions of times."""
    first, on = window
    start, end = posting.start_date or date.min, posting.end_date
    if start > on:
        return None
    last = on if end is None or end > on else end
    if start > first:
        first = start
    return (first, last) if first <= last else None


def _line(reader: Reader, people: list[str], window: Span, upward: bool) -> list[Link]:
    """Line-management chains from each person, up (to managers) or down (to reports).

    A chain's span starts as the window and only narrows, so each step intersects it with the
    posting's own days (:meth:`Reader.line_steps`, built once per person for every window;
    here only the steps sharing a day with the window are kept, most of a career is outside).

    A chain to someone over days inside a span already reached for that origin adds nothing
    and is pruned: every day on which a link holds is kept (findings are exact) and only
    redundant evidence is dropped; without it chains branch at every overlapping posting.
    The loop is written out (no helper calls, links built as plain tuples): a senior person's
    chains reach most of a force, so its body runs millions of times in an audit.
    """
    links: list[Link] = []
    reached: dict[tuple[str, str], list[Span]] = {}  # (origin, person) -> spans already linked
    make = tuple.__new__
    since, on = window
    near: dict[str, list[LineStep]] = {}  # each person's steps that share a day with the window
    frontier = [(p, p, window, (), frozenset([p])) for p in people]
    for _ in range(MAX_CHAIN):
        if not frontier:
            break
        fresh = {current for _, current, *_ in frontier if current not in near}
        if fresh:
            held = reader.line_steps(fresh, upward)
            for person in fresh:
                near[person] = [s for s in held[person] if s[2] <= on and s[3] >= since]
        step = []
        for origin, current, (first, last), chain, seen in frontier:
            for posting, other, start, end in near[current]:
                low = start if start > first else first
                high = end if end < last else last
                if low > high or other in seen:
                    continue
                days = (low, high)
                spans = reached.get((origin, other))
                if spans is None:
                    reached[(origin, other)] = [days]
                elif any(a <= low and high <= b for a, b in spans):
                    continue
                else:
                    spans.append(days)
                longer = (*chain, posting) if upward else (posting, *chain)
                fields = (other, origin, days, "line", longer) if upward else (origin, other, days, "line", longer)
                links.append(make(Link, fields))
                step.append((origin, other, days, longer, seen | {other}))
        frontier = step
    return links


def _supervision_up(reader: Reader, people: list[str], window: Span) -> list[Link]:
    if reader.bulk:
        return _supervision_up_kept(reader, people, window)
    own = {p: [(q, s) for q in ps if (s := _span(q, window))] for p, ps in reader.postings(people).items()}
    above = {u for ps in own.values() for q, _ in ps for u in reader.ancestors(q.unit_id)}
    index = reader.unit_index(above, window)
    links = []
    for person, postings in own.items():
        for posting, span in postings:
            for unit in reader.ancestors(posting.unit_id):
                # the unit's supervisor postings sharing a day with ``span`` (inside the window), by id
                for sup in index[unit].supervisors.postings_overlapping(*span):  # type: ignore[union-attr]
                    if sup.officer_id != person:
                        links.append(Link(sup.officer_id, person, _shared(span, sup), "supervision", (sup, posting)))
    return links


#: a supervisor posting, the posting it supervises, and the first and last day they share
Supervised = tuple[Posting, Posting, date, date]


def _supervision_up_kept(reader: Reader, people: list[str], window: Span) -> list[Link]:
    """:func:`_supervision_up` in bulk mode: each person's supervisors over all time, found once
    and kept, then clipped to the window. The same links in the same order for each person: a
    supervisor shares a day of the window with a posting exactly when the days they share
    over all time do, and the link's span is those days clipped to the window."""
    since, on = window
    make = tuple.__new__
    links = []
    for person in people:
        for sup, posting, low, high in _supervisors(reader, person):
            first = low if low > since else since
            last = high if high < on else on
            if first <= last:
                links.append(make(Link, (sup.officer_id, person, (first, last), "supervision", (sup, posting))))
    return links


def _supervisors(reader: Reader, person: str) -> list[Supervised]:
    """Every supervisor posting of a unit at or above one of ``person``'s postings, sharing a day
    with it, in posting order, then nearest unit first, then by the supervisor's posting id."""
    key = ("supervisors", person)
    if (held := reader.derived.get(key)) is not None:
        return held
    postings = reader.postings([person])[person]
    index = reader.unit_index({u for q in postings for u in reader.ancestors(q.unit_id)}, (date.min, date.max))
    found: list[Supervised] = []
    for posting in postings:
        start, end = posting.start_date or date.min, posting.end_date or date.max
        for unit in reader.ancestors(posting.unit_id):
            for sup in index[unit].supervisors.postings_overlapping(start, end):  # type: ignore[union-attr]
                if sup.officer_id != person:
                    found.append((sup, posting, *_shared((start, end), sup)))
    reader.derived[key] = found
    return found


def _supervision_down(reader: Reader, people: list[str], window: Span) -> list[Link]:
    supervising = [
        (person, sup, span)
        for person, postings in reader.postings(people).items()
        for sup in postings
        if sup.supervisor and (span := _span(sup, window))
    ]
    # a list, not a set: the order links are found in decides which evidence is kept (and must not
    # depend on string hashing, which changes from one process to the next)
    below = {sup.unit_id: list(dict.fromkeys(reader.descendants(sup.unit_id))) for _, sup, _ in supervising}
    index = reader.unit_index([u for units in below.values() for u in units], window)
    links = []
    for person, sup, span in supervising:
        for unit in below[sup.unit_id]:
            for posting in index[unit].postings_overlapping(*span):
                if posting.officer_id != person:
                    links.append(
                        Link(person, posting.officer_id, _shared(span, posting), "supervision", (sup, posting))
                    )
    return links


def _shared(span: Span, posting: Posting) -> Span:
    """The days of ``span`` (inside the window) on which ``posting``, known to share one, runs."""
    start, end = posting.start_date, posting.end_date
    return (start if start > span[0] else span[0], end if end is not None and end < span[1] else span[1])


def managers_of(reader: Reader, people: Iterable[str], window: Span) -> dict[str, list[Link]]:
    """For each person, every link to someone who managed them on some day of ``window``."""
    people = list(dict.fromkeys(people))
    out: dict[str, list[Link]] = {p: [] for p in people}
    for link in _line(reader, people, window, upward=True) + _supervision_up(reader, people, window):
        out[link.managed].append(link)
    return out


def managed_by(reader: Reader, people: Iterable[str], window: Span) -> dict[str, list[Link]]:
    """For each person, every link to someone they managed on some day of ``window``."""
    people = list(dict.fromkeys(people))
    out: dict[str, list[Link]] = {p: [] for p in people}
    for link in _line(reader, people, window, upward=False) + _supervision_down(reader, people, window):
        out[link.manager].append(link)
    return out
