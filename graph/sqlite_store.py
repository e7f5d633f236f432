"""The embedded store: one SQLite file, no server, tables and indexes derived from the model.

Loads are atomic (``graph/sqlite_write.py``): a new file is built beside the old one and
swapped in with ``os.replace``, so a failed or killed load leaves the previous store
untouched and a reader sees either the old or the new data, never a mix. Reads open the
file read-only, after checking it has the layout and schema version this code reads.
"""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from coi.graph.model import TABLE_ORDER, TABLES, Assignment, Association, Case, Person, Posting, Unit
from coi.graph.sqlite_write import SCHEMA_VERSION, build_and_swap, layout_problem
from coi.graph.store import Dataset, LoadSummary, StoreChanged, StoreError, StoreInfo, StoreMissing, chunks

__all__ = ["SCHEMA_VERSION", "Snapshot", "SqliteStore", "default_store_path"]

Progress = Callable[[str, int, int], None]


def default_store_path() -> Path:
    """``$COI_STORE``, else ``$XDG_DATA_HOME/coi/store.sqlite`` (``~/.local/share/...``)."""
    if os.environ.get("COI_STORE"):
        return Path(os.environ["COI_STORE"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "coi" / "store.sqlite"


class _Days(dict):
    """ISO text -> date (blank -> None), each distinct day parsed once and shared: a store
    repeats few days, so ``_DAYS[text]`` is a lookup, not a parse."""

    def __missing__(self, text: str | None) -> date | None:
        day = self[text] = date.fromisoformat(text) if text else None
        return day


_DAYS = _Days()


#: SQLite primary result codes of a damaged file: IOERR, CORRUPT, NOTADB
DAMAGED = {10, 11, 26}
READS = (
    "info",
    "units",
    "people",
    "serving_officers",
    "cases",
    "all_cases",
    "cases_linked_to",
    "assignments_for_cases",
    "assignments_for_people",
    "assignments_with_roles",
    "postings_for_people",
    "postings_line_managed_by",
    "postings_in_units",
    "associations_for_people",
    "table_rows",
)


def _damage_is_a_store_error(read: Callable) -> Callable:
    """A read that meets a damaged page raises StoreError (exit 5, what to do), not a bare DatabaseError."""

    @functools.wraps(read)
    def guarded(self: SqliteStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return read(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorcode", 0) & 0xFF not in DAMAGED:
                raise
            raise StoreError(
                f"the store {self.path} cannot be read: it is damaged ({exc}); rebuild it with `coi load DIR`"
            ) from None

    return guarded


class Snapshot(NamedTuple):
    """Which store file a connection reads: the file's identity and the data version in it."""

    device: int
    inode: int
    data_version: str


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


#: tries to open a store that a load keeps replacing before giving up
OPEN_TRIES = 3


class SqliteStore:
    """A :class:`coi.graph.store.GraphStore` over one SQLite file.

    An open store knows its :class:`Snapshot`. Pickled (for a parallel audit's worker) it
    carries that snapshot, and the copy refuses to read any other file: a load that
    swaps the store in between is a :class:`~coi.graph.store.StoreChanged`, never a mix.
    """

    def __init__(self, path: Path | str, expect: Snapshot | None = None) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._units: dict[str, Unit] | None = None
        self.snapshot: Snapshot | None = None  # of the open connection
        self._expect = expect
        self.notify: Callable[[str], None] | None = None  # told when a load waits for another

    def __reduce__(self) -> tuple[type, tuple[Path, Snapshot | None]]:
        """Pickles as its path and the snapshot it reads: another process opens its own connection,
        to that same file and data version only."""
        return (SqliteStore, (self.path, self.snapshot or self._expect))

    # --- connection ----------------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            conn, snapshot = self._open_snapshot()
            if self._expect is not None and snapshot != self._expect:
                conn.close()
                raise StoreChanged(f"the store {self.path} was replaced by a load after this command opened it")
            self._conn, self.snapshot = conn, snapshot
        return self._conn

    def _open_snapshot(self) -> tuple[sqlite3.Connection, Snapshot]:
        """Open the file at the path and say which file it is: the same one before and after opening."""
        for _ in range(OPEN_TRIES):
            before = _identity(self.path)
            conn = self._open()
            row = conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
            if before is not None and before == _identity(self.path):
                return conn, Snapshot(*before, row[0] if row else "")
            conn.close()  # a load swapped the file meanwhile: open the new one
        raise StoreChanged(f"the store {self.path} was replaced {OPEN_TRIES} times while it was opened; try again")

    def _open(self) -> sqlite3.Connection:
        if not self.path.exists():
            raise StoreMissing(f"no store at {self.path}: run `coi load DIR` first")
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a directory, not a store file: pass --store FILE")
        try:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store {self.path} ({exc})") from None
        try:
            problem = layout_problem(conn)
        except sqlite3.DatabaseError as exc:
            problem = f"it is not a coi store or it is damaged ({exc})"
        if problem:
            conn.close()
            raise StoreError(f"the store {self.path} cannot be read: {problem}; rebuild it with `coi load DIR`")
        return conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._units = None
        self.snapshot = None

    def _rows(self, sql: str, ids: Iterable[str], *extra: Any) -> list[tuple]:
        out: list[tuple] = []
        for batch in chunks(ids):
            marks = ",".join("?" * len(batch))
            out.extend(self.conn.execute(sql.format(ids=marks), (*batch, *extra)).fetchall())
        return out

    def pin(self) -> None:
        """Open the file now: this connection reads that file (and data version) to the end."""
        self.conn  # noqa: B018 - opening is the point

    def check_pinned(self) -> None:
        """Nothing to check: a load swaps in a new file, which an open connection never reads."""

    # --- reads ---------------------------------------------------------------------------
    def reading(self) -> AbstractContextManager[None]:
        """Nothing to group: one connection, and a load swaps in a new file it never sees."""
        return nullcontext()

    def info(self) -> StoreInfo:
        meta = dict(self.conn.execute("SELECT key, value FROM meta").fetchall())
        counts = {n: self.conn.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in TABLE_ORDER}
        return StoreInfo(str(self.path), meta.get("data_version", ""), meta.get("loaded_at", ""), counts)

    def units(self) -> Mapping[str, Unit]:
        if self._units is None:
            rows = self.conn.execute("SELECT unit_id, name, parent_unit_id, kind, tags FROM units")
            self._units = {
                r[0]: Unit(r[0], r[1], r[2], r[3] or "other", tuple(t for t in (r[4] or "").split(";") if t))
                for r in rows
            }
        return self._units

    def people(self, ids: Iterable[str]) -> dict[str, Person]:
        ids = list(ids)
        found = {
            r[0]: Person(r[0], r[1], True, r[2], r[3], _DAYS[r[4]], _DAYS[r[5]])
            for r in self._rows(
                "SELECT officer_id, name, rank, collar_number, joined_on, left_on "
                "FROM officers WHERE officer_id IN ({ids})",
                ids,
            )
        }
        for r in self._rows("SELECT person_id, name FROM people WHERE person_id IN ({ids})", ids):
            found[r[0]] = Person(r[0], r[1])
        return found

    def serving_officers(self, on: date) -> list[Person]:
        day = on.isoformat()
        rows = self.conn.execute(
            "SELECT officer_id, name, rank, collar_number, joined_on, left_on FROM officers "
            "WHERE (joined_on IS NULL OR joined_on <= ?) AND (left_on IS NULL OR left_on >= ?)",
            (day, day),
        )
        return [Person(r[0], r[1], True, r[2], r[3], _DAYS[r[4]], _DAYS[r[5]]) for r in rows]

    _CASE_COLS = "case_id, case_type, opened_on, closed_on, counter_allegation_of, summary"

    @staticmethod
    def _case(r: tuple) -> Case:
        return Case(r[0], r[1], _DAYS[r[2]], _DAYS[r[3]], r[4], r[5])

    def cases(self, ids: Iterable[str]) -> dict[str, Case]:
        sql = f"SELECT {self._CASE_COLS} FROM cases WHERE case_id IN ({{ids}})"
        return {r[0]: self._case(r) for r in self._rows(sql, ids)}

    def all_cases(self) -> list[Case]:
        return [self._case(r) for r in self.conn.execute(f"SELECT {self._CASE_COLS} FROM cases")]

    def cases_linked_to(self, case_ids: Iterable[str]) -> list[Case]:
        ids = list(case_ids)
        sql = (
            f"SELECT {self._CASE_COLS} FROM cases WHERE counter_allegation_of IN ({{ids}}) "
            f"UNION SELECT {self._CASE_COLS} FROM cases WHERE case_id IN "
            "(SELECT counter_allegation_of FROM cases WHERE case_id IN ({ids}))"
        )
        out: dict[str, Case] = {}
        for batch in chunks(ids):
            marks = ",".join("?" * len(batch))
            for r in self.conn.execute(sql.format(ids=marks), (*batch, *batch)):
                out[r[0]] = self._case(r)
        return list(out.values())

    _ASSIGNMENT_SQL = "SELECT assignment_id, case_id, person_id, role, effective_start, end_date FROM assignments "

    @staticmethod
    def _assignment(r: tuple) -> Assignment:
        return Assignment(r[0], r[1], r[2], r[3], _DAYS[r[4]], _DAYS[r[5]])

    def assignments_for_cases(self, case_ids: Iterable[str]) -> list[Assignment]:
        sql = self._ASSIGNMENT_SQL + "WHERE case_id IN ({ids})"
        return [self._assignment(r) for r in self._rows(sql, case_ids)]

    def assignments_for_people(self, person_ids: Iterable[str]) -> list[Assignment]:
        sql = self._ASSIGNMENT_SQL + "WHERE person_id IN ({ids})"
        return [self._assignment(r) for r in self._rows(sql, person_ids)]

    def assignments_with_roles(
        self, roles: Sequence[str], since: date | None = None, until: date | None = None
    ) -> list[Assignment]:
        sql = self._ASSIGNMENT_SQL + "WHERE role IN ({ids}) AND effective_start >= ? AND effective_start <= ?"
        low = since.isoformat() if since else "0000-01-01"
        high = until.isoformat() if until else "9999-12-31"
        rows = self._rows(sql, roles, low, high)
        return [self._assignment(r) for r in rows]

    _POSTING_SQL = (
        "SELECT posting_id, officer_id, unit_id, start_date, end_date, role, supervisor, line_manager_id FROM postings "
    )

    @staticmethod
    def _posting(r: tuple) -> Posting:
        return Posting(r[0], r[1], r[2], _DAYS[r[3]], _DAYS[r[4]], r[5], r[6] == "true", r[7])

    def postings_for_people(self, person_ids: Iterable[str]) -> list[Posting]:
        sql = self._POSTING_SQL + "WHERE officer_id IN ({ids})"
        return [self._posting(r) for r in self._rows(sql, person_ids)]

    def postings_line_managed_by(self, manager_ids: Iterable[str]) -> list[Posting]:
        sql = self._POSTING_SQL + "WHERE line_manager_id IN ({ids})"
        return [self._posting(r) for r in self._rows(sql, manager_ids)]

    def postings_in_units(self, unit_ids: Iterable[str], start: date, end: date) -> list[Posting]:
        sql = self._POSTING_SQL + (
            "WHERE unit_id IN ({ids}) AND start_date <= ? AND (end_date IS NULL OR end_date >= ?)"
        )
        return [self._posting(r) for r in self._rows(sql, unit_ids, end.isoformat(), start.isoformat())]

    def neighbourhood(self, *_: Any) -> None:
        """None: reads of an open file cost microseconds, so the reader reads as it goes."""
        return None

    def associations_for_people(self, person_ids: Iterable[str]) -> list[Association]:
        ids = list(person_ids)
        sql = (
            "SELECT association_id, person_a, person_b, kind, start_date, end_date, source "
            "FROM associations WHERE person_a IN ({ids}) UNION "
            "SELECT association_id, person_a, person_b, kind, start_date, end_date, source "
            "FROM associations WHERE person_b IN ({ids})"
        )
        out = {}
        for batch in chunks(ids):
            marks = ",".join("?" * len(batch))
            for r in self.conn.execute(sql.format(ids=marks), (*batch, *batch)):
                out[r[0]] = Association(r[0], r[1], r[2], r[3], _DAYS[r[4]], _DAYS[r[5]], r[6])
        return list(out.values())

    def table_rows(self, table: str) -> list[dict[str, Any]]:
        """Every row of one input table as stored (for exports and parity tests)."""
        cur = self.conn.execute(f"SELECT * FROM {TABLES[table].name}")
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]

    # --- the one write -------------------------------------------------------------------
    def replace(
        self,
        dataset: Dataset,
        progress: Progress | None = None,
        before_commit: Callable[[LoadSummary], None] | None = None,
    ) -> LoadSummary:
        """Build a new file from ``dataset`` beside the old one, diff, then swap it in."""
        self.close()
        return build_and_swap(self.path, dataset, progress, before_commit, self.notify)


for _name in READS:
    setattr(SqliteStore, _name, _damage_is_a_store_error(getattr(SqliteStore, _name)))
