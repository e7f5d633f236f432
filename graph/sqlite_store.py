"""The embedded store: one SQLite file, no server, tables and indexes derived from the model.

Loads are atomic: a new file is built beside the old one and swapped in with
``os.replace``, so a failed or killed load leaves the previous store untouched and a
reader sees either the old or the new data, never a mix. Reads open the file read-only.
"""

from __future__ import annotations

import glob
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from graph.model import TABLE_ORDER, TABLES, Assignment, Association, Case, Person, Posting, Unit
from graph.store import (
    Dataset,
    LoadSummary,
    StoreError,
    StoreInfo,
    StoreMissing,
    TableChange,
    chunks,
    data_version,
)

__all__ = ["SqliteStore", "default_store_path"]

SCHEMA_VERSION = "1"
Progress = Callable[[str, int, int], None]


def default_store_path() -> Path:
    """``$COI_STORE``, else ``$XDG_DATA_HOME/coi/store.sqlite`` (``~/.local/share/...``)."""
    if os.environ.get("COI_STORE"):
        return Path(os.environ["COI_STORE"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "coi" / "store.sqlite"


def _ddl() -> list[str]:
    statements = []
    for name in TABLE_ORDER:
        table = TABLES[name]
        cols = [f"{table.key} TEXT PRIMARY KEY"]
        cols += [f"{c} TEXT" for c in table.columns if c != table.key]
        if name == "assignments":
            cols.append("effective_start TEXT")
        cols += ["extra TEXT", "row_hash TEXT NOT NULL"]
        statements.append(f"CREATE TABLE {name} ({', '.join(cols)}) WITHOUT ROWID")
        for column in table.indexes:
            statements.append(f"CREATE INDEX {name}_{column} ON {name} ({column})")
    statements.append("CREATE INDEX assignments_role_start ON assignments (role, effective_start)")
    statements.append("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    return statements


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Days(dict):
    """ISO text -> date (blank -> None), each distinct day parsed once and shared: a store
    repeats few days, so ``_DAYS[text]`` is a lookup, not a parse."""

    def __missing__(self, text: str | None) -> date | None:
        day = self[text] = date.fromisoformat(text) if text else None
        return day


_DAYS = _Days()


def _cell(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ";".join(value)
    return value


class SqliteStore:
    """A :class:`graph.store.GraphStore` over one SQLite file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._units: dict[str, Unit] | None = None

    def __reduce__(self) -> tuple[type, tuple[Path]]:
        """Pickles as its path: another process (a parallel audit's worker) opens its own connection."""
        return (SqliteStore, (self.path,))

    # --- connection ----------------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            if not self.path.exists():
                raise StoreMissing(f"no store at {self.path}: run `coi load DIR` first")
            try:
                self._conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
                self._conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            except sqlite3.DatabaseError as exc:
                self._conn = None
                raise StoreError(f"{self.path} is not a coi store ({exc})") from exc
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._units = None

    def _rows(self, sql: str, ids: Iterable[str], *extra: Any) -> list[tuple]:
        out: list[tuple] = []
        for batch in chunks(ids):
            marks = ",".join("?" * len(batch))
            out.extend(self.conn.execute(sql.format(ids=marks), (*batch, *extra)).fetchall())
        return out

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
    def replace(self, dataset: Dataset, progress: Progress | None = None) -> LoadSummary:
        """Build a new file from ``dataset`` beside the old one, diff, then swap it in."""
        self.close()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._remove_orphans()
        prefix = f".{self.path.name}.{os.getpid()}."
        fd, tmp_name = tempfile.mkstemp(prefix=prefix, suffix=".loading", dir=self.path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            conn = sqlite3.connect(tmp.as_uri(), uri=True)
            try:
                summary = self._write(conn, dataset, progress)
            finally:
                conn.close()
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return summary

    def _remove_orphans(self) -> None:
        """Delete half-built files left by loads that were killed (their process is gone)."""
        for leftover in self.path.parent.glob(f".{glob.escape(self.path.name)}.*.loading"):
            pid = leftover.name[len(self.path.name) + 2 :].split(".", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                leftover.unlink(missing_ok=True)

    def _write(self, conn: sqlite3.Connection, dataset: Dataset, progress: Progress | None) -> LoadSummary:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        for statement in _ddl():
            conn.execute(statement)
        for name in TABLE_ORDER:
            self._insert(conn, name, dataset.tables.get(name, []), progress)
        conn.execute(
            "UPDATE assignments SET effective_start = COALESCE(start_date, "
            "(SELECT opened_on FROM cases WHERE cases.case_id = assignments.case_id))"
        )
        summary = self._diff(conn)
        summary.data_version = data_version(dataset)
        meta = {
            "schema_version": SCHEMA_VERSION,
            "data_version": summary.data_version,
            "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "source": dataset.source,
        }
        conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        conn.commit()
        return summary

    @staticmethod
    def _insert(conn: sqlite3.Connection, name: str, rows: Sequence[dict[str, Any]], progress: Progress | None) -> None:
        table = TABLES[name]
        columns = [*table.columns, "extra", "row_hash"]
        sql = f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        step = 50_000
        for start in range(0, len(rows), step):
            batch = rows[start : start + step]
            conn.executemany(
                sql,
                (
                    [_cell(r.get(c)) for c in table.columns]
                    + [json.dumps(r["extra"], ensure_ascii=False) if r.get("extra") else None, r["row_hash"]]
                    for r in batch
                ),
            )
            if progress:
                progress(name, min(start + step, len(rows)), len(rows))
        if progress and not rows:
            progress(name, 0, 0)

    def _diff(self, conn: sqlite3.Connection) -> LoadSummary:
        summary = LoadSummary()
        old = self.path.exists()
        if old:
            try:
                conn.execute("ATTACH DATABASE ? AS old", (f"{self.path.resolve().as_uri()}?mode=ro",))
                conn.execute("SELECT 1 FROM old.meta").fetchone()
            except sqlite3.DatabaseError:
                old = False
        for name in TABLE_ORDER:
            key = TABLES[name].key
            total = conn.execute(f"SELECT count(*) FROM main.{name}").fetchone()[0]
            if not old:
                summary.tables[name] = TableChange(added=total)
                continue
            kept, same = conn.execute(
                f"SELECT count(*), coalesce(sum(n.row_hash = o.row_hash), 0) "
                f"FROM main.{name} n JOIN old.{name} o ON n.{key} = o.{key}"
            ).fetchone()
            before = conn.execute(f"SELECT count(*) FROM old.{name}").fetchone()[0]
            summary.tables[name] = TableChange(
                added=total - kept, changed=kept - same, unchanged=same, removed=before - kept
            )
        if old:
            conn.commit()
            conn.execute("DETACH DATABASE old")
        return summary
