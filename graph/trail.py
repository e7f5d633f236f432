"""The audit trail: a tamper-evident, append-only JSON Lines file of checks and decisions.

Each line is one entry, chained to the one before it: ``hash`` is the SHA-256 of the
entry's canonical JSON (``graph/trail_format.py``) without ``hash``, and includes
``prev_hash``, the hash of the entry before (64 zeros for the first). A line must be
exactly its entry's canonical JSON, so the hash binds the line's bytes. Changing,
removing or reordering any entry breaks the chain from that entry on, which
:func:`verify` finds. Entries carry ids, never the names of people.

An append is all or nothing: it holds an exclusive ``flock``, writes the whole line with
one ``os.write`` on an ``O_APPEND`` descriptor and fsyncs; if any of that fails (disk
full, file-size limit, I/O error) the file is cut back to its size before the append and
an :class:`OSError` naming the path is raised, so the tool never leaves half an entry.
Only a crash in the middle of that write (a kill, a power cut) can leave one: bytes after
the last line end that are not JSON. :func:`verify` reports them as an incomplete last
entry, not as tampering, and the next append removes them and says so in its entry
(``cut_off_bytes_removed``). Everything else that is not an intact chain is tampering.
"""

from __future__ import annotations

import errno
import fcntl
import getpass
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from coi.graph.files import fsync_dir
from coi.graph.sqlite_store import default_store_path
from coi.graph.store import StoreError
from coi.graph.trail_format import GENESIS, BadLine, canonical, entry_hash, read_line

__all__ = [
    "GENESIS",
    "TrailError",
    "TrailTampered",
    "Verification",
    "append",
    "current_user",
    "entry_hash",
    "read_entries",
    "trail_path",
    "verify",
]

TAIL_CHUNK = 65536
#: set by the trail itself, never by a caller's body
RESERVED = ("seq", "timestamp", "prev_hash", "hash", "cut_off_bytes_removed")


class TrailError(StoreError):
    """The audit trail cannot be used (one-line message)."""


class TrailTampered(TrailError):
    """The audit trail's content does not verify."""


class _Verdict(NamedTuple):
    ok: bool
    first_bad_seq: int | None
    message: str


class Verification(_Verdict):
    """(ok, first bad seq or None, one-line message); ``incomplete_bytes``: the size of a write
    cut off by a crash after the last entry (0 when there is none; never tampering)."""

    incomplete_bytes: int

    def __new__(cls, ok: bool, first_bad_seq: int | None, message: str, incomplete_bytes: int = 0) -> Verification:
        self = super().__new__(cls, ok, first_bad_seq, message)
        self.incomplete_bytes = incomplete_bytes
        return self


def trail_path(store: Path | None = None) -> Path:
    """``$COI_TRAIL``, else ``<store>.trail.jsonl`` beside the embedded store (or its default)."""
    if os.environ.get("COI_TRAIL"):
        return Path(os.environ["COI_TRAIL"])
    base = Path(store) if store else default_store_path()
    return base.with_name(base.name + ".trail.jsonl")


def current_user() -> str:
    """The OS user name (``getpass``), or the numeric uid when there is none."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return f"uid {os.getuid()}"


def _chain_problem(entry: Mapping[str, Any], seq: int, previous: str) -> str:
    """Why ``entry`` cannot be entry number ``seq`` after the hash ``previous`` ("" if it can)."""
    if entry.get("seq") != seq:
        return f"has seq {entry.get('seq')!r}, expected {seq}: entries were removed, added or reordered"
    if entry.get("prev_hash") != previous:
        return "does not chain to the entry before it (prev_hash differs): an earlier entry was changed or removed"
    if entry.get("hash") != entry_hash(entry):
        return "does not match its hash: its content was changed"
    return ""


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except ValueError:  # JSONDecodeError, UnicodeDecodeError
        return False
    return True


class Tail(NamedTuple):
    """What follows the last line end: a cut-off write, or an entry whose line end is missing."""

    entry: dict[str, Any] | None  # the bytes are a whole entry that chains (a write cut off before its "\n")
    problem: str  # the bytes parse as JSON but are not the next entry: tampering ("" otherwise)


def _read_tail(fragment: bytes, seq: int, previous: str) -> Tail:
    """Judge the bytes after the last line end (``seq``: the number they would have as an entry).

    A write cut off by a crash leaves a strict prefix of a JSON object, which never parses:
    that is an incomplete entry. Bytes that do parse were written as a whole; they must be
    the next entry of the chain, or they are tampering.
    """
    if not _is_json(fragment):
        return Tail(None, "")
    try:
        entry = read_line(fragment)
    except BadLine as exc:
        return Tail(None, str(exc))
    problem = _chain_problem(entry, seq, previous)
    return Tail(None if problem else entry, problem)


def _pread(fd: int, start: int, end: int) -> bytes:
    parts = []
    while start < end:
        part = os.pread(fd, min(end - start, 1 << 24), start)
        if not part:
            break
        parts.append(part)
        start += len(part)
    return b"".join(parts)


def _newline_before(fd: int, end: int) -> int:
    """Offset of the last ``\\n`` before ``end``, or -1."""
    pos = end
    while pos > 0:
        step = min(TAIL_CHUNK, pos)
        pos -= step
        found = os.pread(fd, step, pos).rfind(b"\n")
        if found >= 0:
            return pos + found
    return -1


def _last_entry(fd: int, end: int, path: Path) -> dict[str, Any] | None:
    """The entry on the last complete line before ``end`` (None: no entries), checked on its own."""
    newline = _newline_before(fd, end)
    if newline < 0:
        return None
    line = _pread(fd, _newline_before(fd, newline) + 1, newline)
    try:
        entry = read_line(line)
    except BadLine as exc:
        raise TrailTampered(f"the last line of {path} {exc}: run `coi log verify`") from None
    if not isinstance(entry.get("seq"), int) or entry.get("hash") != entry_hash(entry):
        raise TrailTampered(f"the last entry of {path} does not match its hash: run `coi log verify`")
    return entry


def _os_error(exc: OSError, what: str, path: Path) -> OSError:
    """One line for the user: what failed, the path, the system's reason (``OSError`` for exit 8)."""
    return OSError(exc.errno or errno.EIO, f"{what} {path}: {exc.strerror or exc}", str(path))


def append(path: Path, body: Mapping[str, Any]) -> dict[str, Any]:
    """Append one entry (``body`` plus seq, timestamp, prev_hash, hash) all or nothing; return it.

    TrailTampered if the last entry is damaged; OSError (naming the path) if the file cannot
    be opened or written, in which case the trail is as it was.
    """
    reserved = set(RESERVED) & set(body)
    if reserved:
        raise ValueError(f"the trail sets {', '.join(sorted(reserved))} itself")
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        created = not path.exists()
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError as exc:
        raise _os_error(exc, "cannot open the audit trail", path) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        entry, line, size = _next_line(fd, path, body)
        _write_whole(fd, line, size, path)
    except OSError as exc:
        if exc.filename == str(path):  # already one line naming the trail
            raise
        raise _os_error(exc, "cannot write the audit trail", path) from None
    finally:
        os.close(fd)  # closing releases the lock
    if created:
        fsync_dir(path.parent, strict=False)
    return entry


def _next_line(fd: int, path: Path, body: Mapping[str, Any]) -> tuple[dict[str, Any], bytes, int]:
    """The next entry, its bytes, and the file size they go after (a cut-off write is removed first)."""
    size = os.fstat(fd).st_size
    end = _newline_before(fd, size) + 1
    previous = _last_entry(fd, end, path)
    seq, prev_hash = (previous["seq"] + 1, previous["hash"]) if previous else (1, GENESIS)
    lead, removed = b"", 0
    if end < size:
        tail = _read_tail(_pread(fd, end, size), seq, prev_hash)
        if tail.problem:
            raise TrailTampered(f"the last line of {path} (it has no line end) {tail.problem}: run `coi log verify`")
        if tail.entry is not None:  # a whole entry that lost only its line end: keep it, end its line
            lead, seq, prev_hash = b"\n", seq + 1, tail.entry["hash"]
        else:  # a write cut off by a crash: never part of the chain
            removed = size - end
            os.ftruncate(fd, end)
            os.fsync(fd)
            size = end
    entry: dict[str, Any] = {
        "seq": seq,
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
        **body,
        "prev_hash": prev_hash,
    }
    if removed:
        entry["cut_off_bytes_removed"] = removed
    entry["hash"] = entry_hash(entry)
    return entry, lead + canonical(entry) + b"\n", size


def _write_whole(fd: int, line: bytes, size: int, path: Path) -> None:
    """Write ``line`` in one ``os.write`` and fsync; on any failure cut the file back to ``size``."""
    try:
        written = os.write(fd, line)
        while written < len(line):  # a short write: the rest says why (disk full, file too large)
            more = os.write(fd, line[written:])
            if more <= 0:
                raise OSError(errno.EIO, f"only {written} of {len(line)} bytes could be written")
            written += more
        os.fsync(fd)
    except OSError as exc:
        try:
            os.ftruncate(fd, size)
            os.fsync(fd)
            after = "nothing was recorded and the trail is as it was"
        except OSError:
            after = "nothing was recorded, but the trail could not be cut back: `coi log verify` says what is left"
        reason = exc.strerror or str(exc)
        message = f"cannot write the audit trail {path}: {reason}; {after}"
        raise OSError(exc.errno or errno.EIO, message, str(path)) from None
    except BaseException:  # interrupted (Ctrl-C) before the fsync: the command fails, so nothing is recorded
        os.ftruncate(fd, size)
        raise


def _contents(path: Path) -> tuple[list[bytes], bytes]:
    """The complete lines (without their line ends) and what follows the last line end."""
    try:
        with open(path, "rb") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
            data = handle.read()
    except FileNotFoundError:
        return [], b""
    except OSError as exc:
        raise _os_error(exc, "cannot read the audit trail", path) from None
    *lines, fragment = data.split(b"\n")
    return lines, fragment


def read_entries(path: Path) -> list[dict[str, Any]]:
    """Every entry in order ([] when there is no trail yet); TrailTampered on a bad line.

    An incomplete last entry (a write cut off by a crash) is not an entry and is left out.
    """
    path = Path(path)
    lines, fragment = _contents(path)
    entries = []
    for n, line in enumerate(lines, 1):
        try:
            entries.append(read_line(line))
        except BadLine as exc:
            raise TrailTampered(f"{path} line {n} {exc}: run `coi log verify`") from None
    if fragment and _is_json(fragment):
        try:
            entries.append(read_line(fragment))
        except BadLine as exc:
            raise TrailTampered(f"{path} line {len(lines) + 1} {exc}: run `coi log verify`") from None
    return entries


def verify(path: Path) -> Verification:
    """Check the whole chain: (ok, first bad seq or None, one-line message, cut-off bytes)."""
    path = Path(path)
    previous = GENESIS
    lines, fragment = _contents(path)
    for n, line in enumerate(lines, 1):
        try:
            entry = read_line(line)
        except BadLine as exc:
            return Verification(False, n, f"{path}: entry {n} (line {n}) {exc}: tampered or damaged")
        problem = _chain_problem(entry, n, previous)
        if problem:
            return Verification(False, n, f"{path}: entry {n} {problem}")
        previous = entry["hash"]
    count, note, cut_off = len(lines), "", 0
    if fragment:
        n = count + 1
        tail = _read_tail(fragment, n, previous)
        if tail.problem:
            return Verification(False, n, f"{path}: entry {n} (line {n}, which has no line end) {tail.problem}")
        if tail.entry is not None:
            count, previous = n, tail.entry["hash"]
            note = f"; entry {n} has no line end (its write was cut off just before it), the next entry adds it"
        else:
            cut_off = len(fragment)
            note = (
                f"; after them an incomplete entry of {cut_off} bytes (a write cut off by a crash: its command "
                "failed and showed no result) is not part of the chain, and the next entry removes it"
            )
    if not count:
        return Verification(True, None, f"{path}: no entries yet{note}", cut_off)
    return Verification(True, None, f"{path}: {count} entries intact; head hash {previous}{note}", cut_off)
