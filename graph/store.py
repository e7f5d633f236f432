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
    "StoreChanged",
    "StoreError",
    "StoreInfo",
    "StoreMissing",
    "TableChange",
    "chunks",
    "data_version",
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

    def replace(
        self, dataset: Dataset, progress: Any = None, before_commit: Callable[[LoadSummary], None] | None = None
    ) -> LoadSummary:
        """Make the store hold exactly ``dataset``, atomically; report what changed.

        ``before_commit(summary)`` runs once the change report is known and before the new
        data becomes visible; if it raises, the store is left as it was.
        """

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
