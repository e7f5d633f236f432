"""The embedded store's one write: build a new file beside the old one, then swap it in.

The whole load holds ``STORE.lock`` (a second load waits, saying so). The new file is
built from the model's DDL whatever state the old file is in: a missing, damaged,
truncated, foreign or unreadable old store is only a store that cannot be compared with
(the load says so and every row counts as added). ``before_commit`` sees the change
report before the swap and may refuse it. Operating-system and SQLite I/O errors become a
:class:`~coi.graph.store.StoreError` naming the path; the old file is then untouched.
"""

from __future__ import annotations

import glob
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from coi.graph.files import fsync_dir
from coi.graph.lock import exclusive_lock
from coi.graph.model import TABLE_ORDER, TABLES
from coi.graph.store import Dataset, LoadSummary, StoreError, TableChange, data_version

__all__ = ["SCHEMA_VERSION", "build_and_swap", "layout_problem", "lock_path"]

SCHEMA_VERSION = "1"
Progress = Callable[[str, int, int], None]
#: SQLite primary result codes that are the file system's fault: PERM, READONLY, IOERR, FULL, CANTOPEN
OS_CODES = {3, 8, 10, 13, 14}
SQLITE_HEADER = b"SQLite format 3\x00"


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _columns(name: str) -> list[str]:
    table = TABLES[name]
    cols = [table.key, *(c for c in table.columns if c != table.key)]
    return [*cols, *(["effective_start"] if name == "assignments" else []), "extra", "row_hash"]


def _ddl() -> list[str]:
    statements = []
    for name in TABLE_ORDER:
        table = TABLES[name]
        key, *rest = _columns(name)
        cols = [f"{key} TEXT PRIMARY KEY", *(f"{c} TEXT" + (" NOT NULL" if c == "row_hash" else "") for c in rest)]
        statements.append(f"CREATE TABLE {name} ({', '.join(cols)}) WITHOUT ROWID")
        for column in table.indexes:
            statements.append(f"CREATE INDEX {name}_{column} ON {name} ({column})")
    statements.append("CREATE INDEX assignments_role_start ON assignments (role, effective_start)")
    statements.append("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    return statements


def layout_problem(conn: sqlite3.Connection, schema: str = "main") -> str | None:
    """Why the store attached as ``schema`` is not one this version reads, or None."""
    tables = {r[0] for r in conn.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table'").fetchall()}
    missing = [t for t in (*TABLE_ORDER, "meta") if t not in tables]
    if missing:
        return f"it has an old or incomplete layout (no table {', '.join(missing)})"
    for name in TABLE_ORDER:
        have = {r[1] for r in conn.execute(f"PRAGMA {schema}.table_info({name})").fetchall()}
        lacking = [c for c in _columns(name) if c not in have]
        if lacking:
            return f"it has an old layout (table {name} has no column {', '.join(lacking)})"
    row = conn.execute(f"SELECT value FROM {schema}.meta WHERE key = 'schema_version'").fetchall()
    row = row[0] if row else None
    if row is None or row[0] != SCHEMA_VERSION:
        found = row[0] if row else "none"
        return f"it was written by another version of coi (schema version {found}; this version reads {SCHEMA_VERSION})"
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_orphans(path: Path) -> None:
    """Delete half-built files left by loads that were killed (their process is gone)."""
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.loading"):
        pid = leftover.name[len(path.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            leftover.unlink(missing_ok=True)


def _cell(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ";".join(value)
    return value


def insert_table(
    conn: sqlite3.Connection, name: str, rows: Sequence[dict[str, Any]], progress: Progress | None
) -> None:
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


def _old_problem(conn: sqlite3.Connection, old: Path) -> str | None:
    """Attach the old store as ``old``; say why it cannot be compared with, if it cannot."""
    try:
        with open(old, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if header != SQLITE_HEADER:
        return "it is not a coi store (not an SQLite database)"
    try:
        conn.execute("ATTACH DATABASE ? AS old", (f"{old.resolve().as_uri()}?mode=ro",))
    except sqlite3.DatabaseError as exc:
        return f"it cannot be opened ({exc})"
    try:
        problem = layout_problem(conn, "old")
    except sqlite3.DatabaseError as exc:
        problem = f"it is damaged ({exc})"
    if problem:
        conn.commit()
        conn.execute("DETACH DATABASE old")
    return problem


def _diff(conn: sqlite3.Connection, old: Path) -> LoadSummary:
    """Added / changed / unchanged / removed per table against the old store, when it can be read."""
    conn.commit()  # ATTACH outside a transaction: a failed one would leave it unusable
    summary = LoadSummary()
    totals = {n: conn.execute(f"SELECT count(*) FROM main.{n}").fetchone()[0] for n in TABLE_ORDER}
    summary.tables = {n: TableChange(added=totals[n]) for n in TABLE_ORDER}
    if not old.exists():
        return summary
    problem = _old_problem(conn, old)
    if problem is None:
        try:
            for name in TABLE_ORDER:
                key = TABLES[name].key
                kept, same = conn.execute(
                    f"SELECT count(*), coalesce(sum(n.row_hash = o.row_hash), 0) "
                    f"FROM main.{name} n JOIN old.{name} o ON n.{key} = o.{key}"
                ).fetchone()
                before = conn.execute(f"SELECT count(*) FROM old.{name}").fetchone()[0]
                summary.tables[name] = TableChange(totals[name] - kept, kept - same, same, before - kept)
        except sqlite3.DatabaseError as exc:
            problem = f"it is damaged ({exc})"
            summary.tables = {n: TableChange(added=totals[n]) for n in TABLE_ORDER}
        conn.commit()
        conn.execute("DETACH DATABASE old")
    summary.previous_unreadable = problem or ""
    return summary


def _write(conn: sqlite3.Connection, dataset: Dataset, progress: Progress | None, old: Path) -> LoadSummary:
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    for statement in _ddl():
        conn.execute(statement)
    for name in TABLE_ORDER:
        insert_table(conn, name, dataset.tables.get(name, []), progress)
    conn.execute(
        "UPDATE assignments SET effective_start = COALESCE(start_date, "
        "(SELECT opened_on FROM cases WHERE cases.case_id = assignments.case_id))"
    )
    summary = _diff(conn, old)
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


@contextmanager
def _os_errors(what: str) -> Iterator[None]:
    """File-system failures (disk full, read-only, no permission) as one line naming the path."""
    try:
        yield
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise StoreError(f"{what}{where}: {exc.strerror or exc}; the previous store is untouched") from None
    except sqlite3.OperationalError as exc:
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF not in OS_CODES:
            raise
        raise StoreError(f"{what}: {exc}; the previous store is untouched") from None


@contextmanager
def _locked(path: Path, waiting: Callable[[str], None] | None) -> Iterator[None]:
    with ExitStack() as stack:
        with _os_errors(f"cannot write in the store's folder {path.parent}"):
            stack.enter_context(exclusive_lock(lock_path(path), waiting))
        yield


def build_and_swap(
    path: Path,
    dataset: Dataset,
    progress: Progress | None = None,
    before_commit: Callable[[LoadSummary], None] | None = None,
    waiting: Callable[[str], None] | None = None,
) -> LoadSummary:
    """Build the store for ``dataset`` beside ``path``, let ``before_commit`` see it, then swap it in."""
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not a store file: pass --store FILE")
    with _os_errors(f"cannot create the store folder {path.parent}"):
        path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path, waiting):
        _remove_orphans(path)
        with _os_errors(f"cannot build the new store in {path.parent}"):
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".loading", dir=path.parent)
            os.close(fd)
        tmp = Path(tmp_name)
        try:
            with _os_errors(f"cannot build the new store {tmp}"):
                conn = sqlite3.connect(tmp.as_uri(), uri=True)
                try:
                    summary = _write(conn, dataset, progress, path)
                finally:
                    conn.close()
            if before_commit:
                before_commit(summary)
            with _os_errors(f"cannot put the new store in place at {path}"):
                with open(tmp, "rb") as handle:
                    os.fsync(handle.fileno())
                os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        with suppress(OSError):  # the swap is done; this only hurries the directory entry to disk
            fsync_dir(path.parent)
    return summary
