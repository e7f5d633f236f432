"""Batched, cached reads over a store: each id is fetched once, many ids per round trip.

The engine asks for records of whole sets of people at a time; this keeps a check to a
handful of queries on either store, and lets bulk work (candidates, audit) reuse them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from functools import cached_property
from operator import attrgetter
from typing import Any, Generic, TypeVar

from coi.graph.model import Assignment, Association, Case, Person, Posting, Unit
from coi.graph.store import GraphStore
from coi.queries.intervals import UnitPostings
from coi.queries.timeline import Span

__all__ = ["Reader"]

_BY_POSTING_ID = attrgetter("posting_id")

T = TypeVar("T")

#: a line-management step: (posting, the other person, the posting's first day, its last day)
LineStep = tuple[Posting, str, date, date]


class _Cache(Generic[T]):
    """ids -> list of records, filled in batches by ``fetch``."""

    def __init__(
        self,
        fetch: Callable[[list[str]], Iterable[T]],
        key: Callable[[T], Iterable[str]],
        order: Callable[[T], Any],
    ) -> None:
        self.fetch, self.key, self.order, self.data = fetch, key, order, {}

    def get(self, ids: Iterable[str]) -> dict[str, list[T]]:
        ids = set(ids)
        missing = [i for i in ids if i not in self.data]
        if missing:
            found: dict[str, list[T]] = defaultdict(list)
            for record in self.fetch(missing):
                for k in self.key(record):
                    found[k].append(record)
            for i in missing:  # sorted: evidence must not depend on the order a store returns rows
                self.data[i] = sorted(found.get(i, []), key=self.order)
        return {i: self.data[i] for i in ids}

    def prime(self, found: Mapping[str, Iterable[T]]) -> None:
        """Take ids' complete record lists read some other way (ids already held are kept)."""
        for i, records in found.items():
            if i not in self.data:
                self.data[i] = sorted(records, key=self.order)


class Reader:
    """The engine's view of a store."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        by_assignment = lambda a: a.assignment_id  # noqa: E731
        self._postings = _Cache(store.postings_for_people, lambda p: (p.officer_id,), _BY_POSTING_ID)
        self._reports = _Cache(store.postings_line_managed_by, lambda p: (p.line_manager_id,), _BY_POSTING_ID)
        self._assignments = _Cache(store.assignments_for_people, lambda a: (a.person_id,), by_assignment)
        self._case_assignments = _Cache(store.assignments_for_cases, lambda a: (a.case_id,), by_assignment)
        self._associations = _Cache(
            store.associations_for_people, lambda a: (a.person_a, a.person_b), lambda a: a.association_id
        )
        self._unit_history: _Cache[Posting] | None = None
        self._line_steps: dict[bool, dict[str, list[LineStep]]] = {False: {}, True: {}}
        self._ancestors: dict[str, tuple[str, ...]] = {}  # the unit tree is read once: walks are kept
        self._descendants: dict[str, tuple[str, ...]] = {}
        self._unit_index: dict[str, UnitPostings] = {}
        self._people: dict[str, Person | None] = {}
        self._cases: dict[str, Case | None] = {}
        self._linked: dict[str, list[Case]] = {}
        self._primed = False
        self._window: tuple[Span, dict[str, list[Posting]]] | None = None  # see prefetch_units
        #: what the rules derive from these records and keep for bulk work (keyed by the rules)
        self.derived: dict[Any, Any] = {}

    # --- units -----------------------------------------------------------------------------
    @cached_property
    def units(self) -> Mapping[str, Unit]:
        return self.store.units()

    @cached_property
    def _children(self) -> dict[str, list[str]]:
        children: dict[str, list[str]] = defaultdict(list)
        for unit in self.units.values():
            if unit.parent_unit_id:
                children[unit.parent_unit_id].append(unit.unit_id)
        return children

    def ancestors(self, unit_id: str) -> tuple[str, ...]:
        """The unit and every unit above it, nearest first."""
        if (held := self._ancestors.get(unit_id)) is not None:
            return held
        chain, seen = [], set()
        node: str | None = unit_id
        while node and node not in seen and node in self.units:
            chain.append(node)
            seen.add(node)
            node = self.units[node].parent_unit_id
        self._ancestors[unit_id] = found = tuple(chain)
        return found

    def root(self, unit_id: str) -> str:
        """The force a unit belongs to: the root of its tree."""
        return self.ancestors(unit_id)[-1] if unit_id in self.units else unit_id

    def descendants(self, unit_id: str) -> tuple[str, ...]:
        """The unit and every unit it contains."""
        if (held := self._descendants.get(unit_id)) is not None:
            return held
        out, stack = [], [unit_id]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(self._children.get(node, ()))
        self._descendants[unit_id] = found = tuple(out)
        return found

    # --- records ---------------------------------------------------------------------------
    def people(self, ids: Iterable[str]) -> dict[str, Person]:
        ids = set(ids)
        missing = [i for i in ids if i not in self._people]
        if missing:
            found = self.store.people(missing)
            for i in missing:
                self._people[i] = found.get(i)
        return {i: p for i in ids if (p := self._people[i]) is not None}

    def cases(self, ids: Iterable[str]) -> dict[str, Case]:
        ids = set(ids)
        missing = [i for i in ids if i not in self._cases]
        if missing:
            found = self.store.cases(missing)
            for i in missing:
                self._cases[i] = found.get(i)
        return {i: c for i in ids if (c := self._cases[i]) is not None}

    def linked_cases(self, case_id: str) -> list[Case]:
        """Cases linked to ``case_id`` by counter-allegation, either direction."""
        if case_id not in self._linked:
            self._linked[case_id] = [c for c in self.store.cases_linked_to([case_id]) if c.case_id != case_id]
        return self._linked[case_id]

    def postings(self, people: Iterable[str]) -> dict[str, list[Posting]]:
        return self._postings.get(people)

    def units_on(self, people: Iterable[str], on: date) -> dict[str, str]:
        """Each person's unit on ``on``: that of their latest posting active that day (none: left out)."""
        out = {}
        for person, postings in self.postings(people).items():
            active = [p for p in postings if p.start_date <= on and (p.end_date is None or p.end_date >= on)]
            if active:
                out[person] = max(active, key=lambda p: (p.start_date, p.posting_id)).unit_id
        return out

    def reports(self, managers: Iterable[str]) -> dict[str, list[Posting]]:
        """Postings whose line manager is one of ``managers``."""
        return self._reports.get(managers)

    def line_steps(self, people: Iterable[str], upward: bool) -> dict[str, list[LineStep]]:
        """Each person's line-management steps, up (postings with a line manager: to that manager)
        or down (postings they line-manage: to the officer), in posting-id order, with each
        posting's days (a blank start is ``date.min``, an open end ``date.max``)."""
        held = self._line_steps[upward]
        missing = [p for p in people if p not in held]
        if missing:
            for person, postings in (self.postings if upward else self.reports)(missing).items():
                held[person] = [
                    (q, other, q.start_date or date.min, q.end_date or date.max)
                    for q in postings
                    if (other := q.line_manager_id if upward else q.officer_id)
                ]
        return held

    def assignments(self, people: Iterable[str]) -> dict[str, list[Assignment]]:
        return self._assignments.get(people)

    def case_assignments(self, case_ids: Iterable[str]) -> dict[str, list[Assignment]]:
        return self._case_assignments.get(case_ids)

    def associations(self, people: Iterable[str]) -> dict[str, list[Association]]:
        return self._associations.get(people)

    # --- prefetching: one check's records in a round trip or two ---------------------------
    def prefetch(
        self, case_id: str, people: Iterable[str], window: Span, levels: int, chains: Sequence[str] = ()
    ) -> None:
        """Read what a check of ``people`` on ``case_id`` needs at once, where the store can.

        ``chains``: the roles on the case whose holders' line-management chains the rules follow.
        The store's neighbourhood (``GraphStore.neighbourhood``) fills the caches, so the rules
        then find most records here instead of reading them one batch at a time. A store that
        has none (separate reads are cheap there) and bulk mode (its own caching) change nothing.
        """
        read = getattr(self.store, "neighbourhood", None)
        if read is None or self._unit_history is not None:
            return
        found = read(case_id, list(dict.fromkeys(people)), chains, window[0], window[1], levels)
        if found is None:
            return
        self._primed = True
        for i, person in found.people.items():
            self._people.setdefault(i, person)
        for i, case in found.cases.items():
            self._cases.setdefault(i, case)
        for i, linked in found.linked.items():
            self._linked.setdefault(i, [c for c in linked if c.case_id != i])
        self._postings.prime(found.postings)
        self._reports.prime(found.reports)
        self._assignments.prime(found.assignments)
        self._case_assignments.prime(found.case_assignments)
        self._associations.prime(found.associations)

    def prefetch_units(self, people: Iterable[str], window: Span) -> None:
        """After :meth:`prefetch`: in one read, the postings overlapping ``window`` of every unit
        the rules look at for ``people`` (their units, the units above those, the units below
        the ones they supervised); :meth:`unit_postings` and :meth:`unit_index` then answer from them.
        """
        if not self._primed or self._unit_history is not None:
            return
        first, on = window
        units: dict[str, None] = {}
        for postings in self.postings(people).values():
            for p in postings:
                units[p.unit_id] = None
                if p.start_date <= on and (p.end_date is None or p.end_date >= first):
                    units.update(dict.fromkeys(self.ancestors(p.unit_id)))
                    if p.supervisor:
                        units.update(dict.fromkeys(self.descendants(p.unit_id)))
        by_unit: dict[str, list[Posting]] = {u: [] for u in units}
        if units:
            for p in sorted(self.store.postings_in_units(list(units), first, on), key=_BY_POSTING_ID):
                by_unit[p.unit_id].append(p)
        self._window = (window, by_unit)

    def _in_window(self, unit_ids: list[str], span: Span) -> dict[str, list[Posting]] | None:
        """The units' postings overlapping ``span`` from :meth:`prefetch_units`, if it read them all."""
        if self._window is None or self._window[0] != span:
            return None
        by_unit = self._window[1]
        return {u: by_unit[u] for u in unit_ids} if all(u in by_unit for u in unit_ids) else None

    @property
    def bulk(self) -> bool:
        """Whether whole unit histories are kept (:meth:`keep_unit_histories`)."""
        return self._unit_history is not None

    def keep_unit_histories(self) -> None:
        """Bulk mode (audit, candidates): read each unit's whole posting history once, keep it.

        A single check reads only the window it needs; thousands of checks on different days
        read the same units again and again, so for them one read per unit is far cheaper.
        """
        if self._unit_history is None:
            self._unit_history = _Cache(
                lambda ids: self.store.postings_in_units(ids, date.min, date.max),
                lambda p: (p.unit_id,),
                _BY_POSTING_ID,
            )

    def unit_index(self, unit_ids: Iterable[str], span: Span) -> dict[str, UnitPostings]:
        """Each unit's postings, indexed by their days, holding at least those overlapping ``span``.

        In bulk mode a unit's whole history is indexed once and kept; otherwise only the
        postings overlapping ``span`` are read, so the index answers queries inside ``span``.
        """
        unit_ids = list(dict.fromkeys(unit_ids))
        if self._unit_history is None:
            by_unit = self._in_window(unit_ids, span)
            if by_unit is not None:
                return {u: UnitPostings(postings) for u, postings in by_unit.items()}
            by_unit = {u: [] for u in unit_ids}
            if unit_ids:
                for p in sorted(self.store.postings_in_units(unit_ids, span[0], span[1]), key=_BY_POSTING_ID):
                    by_unit[p.unit_id].append(p)
            return {u: UnitPostings(postings) for u, postings in by_unit.items()}
        missing = [u for u in unit_ids if u not in self._unit_index]
        if missing:
            for u, postings in self._unit_history.get(missing).items():
                self._unit_index[u] = UnitPostings(postings)
        return {u: self._unit_index[u] for u in unit_ids}

    def unit_postings(self, unit_ids: Iterable[str], span: Span) -> list[Posting]:
        """Postings to any of ``unit_ids`` overlapping ``span``, by posting id."""
        unit_ids = list(dict.fromkeys(unit_ids))
        if not unit_ids:
            return []
        if self._unit_history is None:
            if (held := self._in_window(unit_ids, span)) is not None:
                return sorted((p for postings in held.values() for p in postings), key=_BY_POSTING_ID)
            return sorted(self.store.postings_in_units(unit_ids, span[0], span[1]), key=_BY_POSTING_ID)
        found = [p for index in self.unit_index(unit_ids, span).values() for p in index.postings_overlapping(*span)]
        return found if len(unit_ids) == 1 else sorted(found, key=_BY_POSTING_ID)

    def unit_supervisors(self, unit_ids: Iterable[str], span: Span) -> list[Posting]:
        """Supervisor postings to any of ``unit_ids`` overlapping ``span``, by posting id."""
        if self._unit_history is None:
            return [p for p in self.unit_postings(unit_ids, span) if p.supervisor]
        found = [
            p
            for index in self.unit_index(unit_ids, span).values()
            for p in index.supervisors.postings_overlapping(*span)  # type: ignore[union-attr]
        ]
        return sorted(found, key=_BY_POSTING_ID)
