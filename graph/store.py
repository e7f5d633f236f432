"""The store interface: the few batched reads the conflict engine needs, and one write.

Both stores (the embedded SQLite file and Neo4j) implement :class:`GraphStore`. Every read
takes a batch of ids, so bulk work (candidates, audit) costs a handful of round trips,
not one per pair. Rules never live here: a store only answers these questions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, runtime_checkable

from coi.graph.model import TABLE_ORDER, Assignment, Association, Case, Person, Posting, Unit

__all__ = [
    "Dataset",
    "GraphStore",
    "LoadSummary",
    "Neighbourhood",
    "StoreChanged",
    "StoreError",
    "StoreInfo",
    "StoreMissing",
    "TableChange",
    "chunks",
    "data_version",
    "group_records",
    "read_neighbourhood",
]


class StoreError(RuntimeError):
    """A store cannot be opened, read or written (message is one line, safe to show)."""


class StoreChanged(StoreError):
    """The store was replaced (a load) while a piece of work that must read one version ran."""


class StoreMissing(StoreError):
    """There is no store at the configured location yet."""


@dataclass
class Dataset:
    """Validated rows ready to write: per table, dicts keyed by model column (+ ``extra``)."""

    tables: Mapping[str, Sequence[dict[str, Any]]]  # sliceable; loaders back it with a DataFrame
    source: str = ""

    def count(self, table: str) -> int:
        return len(self.tables.get(table, ()))


@dataclass
class TableChange:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0


@dataclass
class LoadSummary:
    """What a load did, per table, plus rows rejected by ``--skip-invalid``.

    ``previous_unreadable`` says why the store that was replaced could not be compared
    with (then every row counts as added); ``warnings`` are the loader's data-quality
    warnings (objects with ``str()`` and ``to_dict()``).
    """

    tables: dict[str, TableChange] = field(default_factory=dict)
    rejected: int = 0
    data_version: str = ""
    previous_unreadable: str = ""
    warnings: list[Any] = field(default_factory=list)
    postings_ended_on_left_on: int = 0

    def totals(self) -> TableChange:
        total = TableChange()
        for change in self.tables.values():
            total.added += change.added
            total.changed += change.changed
            total.unchanged += change.unchanged
            total.removed += change.removed
        return total


@dataclass(frozen=True)
class StoreInfo:
    location: str
    data_version: str
    loaded_at: str
    counts: Mapping[str, int]


@dataclass
class Neighbourhood:
    """The records around one check, each map complete for its keys (see ``GraphStore.neighbourhood``).

    ``people`` and ``cases`` map every id looked up to its record or None; the others map
    every id looked up to ALL its records (maybe none), in no particular order.
    """

    people: dict[str, Person | None]
    cases: dict[str, Case | None]
    linked: dict[str, list[Case]]  # case id -> cases_linked_to([case id])
    postings: dict[str, list[Posting]]  # officer -> every posting of theirs
    reports: dict[str, list[Posting]]  # line manager -> every posting they line-manage
    assignments: dict[str, list[Assignment]]  # person -> every assignment of theirs
    case_assignments: dict[str, list[Assignment]]  # case -> every assignment on it
    associations: dict[str, list[Association]]  # person -> every association naming them


@runtime_checkable
class GraphStore(Protocol):
    """What the engine reads. All id arguments are batches; results are unordered."""

    def info(self) -> StoreInfo: ...

    def reading(self) -> AbstractContextManager[None]:
        """Group the reads of one check: Neo4j runs them in one read transaction. Re-entrant."""

    def units(self) -> Mapping[str, Unit]:
        """Every unit (the hierarchy is small: tens of thousands at national scale)."""

    def people(self, ids: Iterable[str]) -> dict[str, Person]: ...

    def serving_officers(self, on: date) -> list[Person]:
        """Officers with joined_on <= on (or blank) and left_on blank or >= on."""

    def cases(self, ids: Iterable[str]) -> dict[str, Case]: ...

    def all_cases(self) -> list[Case]: ...

    def cases_linked_to(self, case_ids: Iterable[str]) -> list[Case]:
        """Cases whose counter_allegation_of names one of ``case_ids``, or that they name."""

    def assignments_for_cases(self, case_ids: Iterable[str]) -> list[Assignment]: ...

    def assignments_for_people(self, person_ids: Iterable[str]) -> list[Assignment]: ...

    def assignments_with_roles(
        self, roles: Sequence[str], since: date | None = None, until: date | None = None
    ) -> list[Assignment]:
        """Assignments in ``roles`` whose (defaulted) start date lies in [since, until]."""

    def postings_for_people(self, person_ids: Iterable[str]) -> list[Posting]: ...

    def postings_line_managed_by(self, manager_ids: Iterable[str]) -> list[Posting]: ...

    def postings_in_units(self, unit_ids: Iterable[str], start: date, end: date) -> list[Posting]:
        """Postings to one of ``unit_ids`` overlapping [start, end] (inclusive)."""

    def associations_for_people(self, person_ids: Iterable[str]) -> list[Association]: ...

    def neighbourhood(
        self, case_id: str, person_ids: Sequence[str], roles: Sequence[str], start: date, end: date, levels: int
    ) -> Neighbourhood | None:
        """What one check of ``person_ids`` on ``case_id`` reads, in as few round trips as the store can.

        Exactly :func:`read_neighbourhood`'s answer, or None where separate reads are as
        cheap (the embedded store): the reader then reads as it goes.
        """

    def replace(
        self, dataset: Dataset, progress: Any = None, before_commit: Callable[[LoadSummary], None] | None = None
    ) -> LoadSummary:
        """Make the store hold exactly ``dataset``, atomically; report what changed.

        ``before_commit(summary)`` runs once the change report is known and before the new
        data becomes visible; if it raises, the store is left as it was.
        """

    def pin(self) -> None:
        """Take the data version readable now as the one a long piece of work reads (an audit).

        Pickled, the store carries its pin to the process it is sent to.
        """

    def check_pinned(self) -> None:
        """Raise :class:`StoreChanged` unless every read since :meth:`pin` came from the pinned
        version (nothing pinned: nothing to check)."""

    def close(self) -> None: ...


def chunks(items: Iterable[str], size: int = 5000) -> Iterator[list[str]]:
    """Split a batch of ids into lists of at most ``size`` (deduplicated, order kept)."""
    batch: list[str] = []
    seen: set[str] = set()
    for item in items:
        if item in seen:
            continue
        seen.add(item)
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def data_version(dataset: Dataset) -> str:
    """A short hash of the whole content, independent of row order."""
    digest = hashlib.blake2b(digest_size=8)
    for name in TABLE_ORDER:
        digest.update(name.encode())
        rows = dataset.tables.get(name, ())
        frame = getattr(rows, "frame", None)  # a DataFrame-backed table: read the column, not the rows
        hashes = frame["row_hash"].tolist() if frame is not None else [r["row_hash"] for r in rows]
        for row_hash in sorted(hashes):
            digest.update(row_hash.encode())
    return digest.hexdigest()


def group_records(
    records: Iterable[Any], keys: Iterable[str], key: Callable[[Any], Iterable[str]]
) -> dict[str, list[Any]]:
    """keys -> the records naming each (a record naming one key twice is listed twice, as readers do)."""
    out: dict[str, list[Any]] = {k: [] for k in keys}
    for record in records:
        for k in key(record):
            if k in out:
                out[k].append(record)
    return out


_Step = Callable[[list[str]], Iterable[Posting]]


def _closure(start: Iterable[str], step: _Step, by: str, to: str, window: tuple[date, date], levels: int) -> list[str]:
    """``start`` and everyone up to ``levels`` steps from it.

    A step from person x over days [s, e] goes through a posting of ``step([x])`` (whose
    ``by`` is x) that overlaps [s, e], to its ``to``, over the days they share; a
    (person, days) already reached is not followed again.
    """
    seen = dict.fromkeys(start)
    frontier = [(x, *window) for x in seen]
    done: set[tuple[str, date, date]] = set()
    for _ in range(levels):
        at: dict[str, list[tuple[str, date, date]]] = {}
        for item in frontier:
            at.setdefault(item[0], []).append(item)
        found: dict[tuple[str, date, date], None] = {}
        for posting in step(list(at)):
            other = getattr(posting, to)
            for _, s, e in at.get(getattr(posting, by), ()) if other else ():
                if posting.start_date <= e and (posting.end_date is None or posting.end_date >= s):
                    last = e if posting.end_date is None else min(e, posting.end_date)
                    if (days := (other, max(s, posting.start_date), last)) not in done:
                        found[days] = None
        frontier = list(found)
        done.update(frontier)
        seen.update(dict.fromkeys(x for x, _, _ in frontier))
    return list(seen)


def read_neighbourhood(
    store: GraphStore,
    case_id: str,
    person_ids: Sequence[str],
    roles: Sequence[str],
    start: date,
    end: date,
    levels: int,
) -> Neighbourhood:
    """The records a check of ``person_ids`` on ``case_id`` in the window [start, end] reads, from the batched reads.

    - the case, the cases linked to it, and every assignment on those (their *parties*);
    - the people's own assignments, the cases those are on, and every assignment on those;
    - for the people and the parties: their records, their associations, every posting of theirs;
    - for the people and the parties with one of ``roles``: every posting of everyone up to
      ``levels`` line managers above them, and every posting line-managed by them or by anyone
      up to ``levels`` steps below them, where a step goes through a posting overlapping both
      [start, end] and the days of the step before.

    This is the definition a store's one-query ``neighbourhood`` must match (tests compare them).
    """
    people = list(dict.fromkeys(person_ids))
    linked = store.cases_linked_to([case_id])
    dispute = list(dict.fromkeys([case_id, *(c.case_id for c in linked)]))
    on_dispute = store.assignments_for_cases(dispute)
    around = list(dict.fromkeys([*people, *(a.person_id for a in on_dispute)]))
    chains = list(dict.fromkeys([*people, *(a.person_id for a in on_dispute if a.role in roles)]))
    own = store.assignments_for_people(people)
    history = list(dict.fromkeys(a.case_id for a in own))
    cases = store.cases([case_id, *history])
    on_history = store.assignments_for_cases(history)

    above = _closure(chains, store.postings_for_people, "officer_id", "line_manager_id", (start, end), levels)
    below = _closure(chains, store.postings_line_managed_by, "line_manager_id", "officer_id", (start, end), levels)
    officers = list(dict.fromkeys([*around, *above]))
    found = store.people(around)
    return Neighbourhood(
        people={i: found.get(i) for i in around},
        cases={i: cases.get(i) for i in [case_id, *history]},
        linked={case_id: linked},
        postings=group_records(store.postings_for_people(officers), officers, lambda p: (p.officer_id,)),
        reports=group_records(store.postings_line_managed_by(below), below, lambda p: (p.line_manager_id,)),
        assignments=group_records(own, people, lambda a: (a.person_id,)),
        case_assignments=group_records(
            {a.assignment_id: a for a in [*on_dispute, *on_history]}.values(),
            dict.fromkeys([*dispute, *history]),
            lambda a: (a.case_id,),
        ),
        associations=group_records(store.associations_for_people(around), around, lambda a: (a.person_a, a.person_b)),
    )
