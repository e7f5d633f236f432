"""The audit trail: a tamper-evident, append-only JSON Lines file of checks and decisions.

Each line is one entry, chained to the one before it: ``hash`` is the SHA-256 of the
entry's canonical JSON (sorted keys, no spaces, UTF-8) without ``hash``, and includes
``prev_hash``, the hash of the entry before (64 zeros for the first). Changing, removing
or reordering any entry breaks the chain from that entry on, which :func:`verify` finds.
Appends hold an exclusive ``flock`` and are fsynced, so concurrent commands never
interleave or fork the chain. Entries carry ids, never the names of people.
"""

from __future__ import annotations

import fcntl
import getpass
import hashlib
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from graph.sqlite_store import default_store_path
from graph.store import StoreError

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

GENESIS = "0" * 64
TAIL_CHUNK = 65536


class TrailError(StoreError):
    """The audit trail cannot be read or written (one-line message)."""


class TrailTampered(TrailError):
    """The audit trail's content does not verify."""


class Verification(NamedTuple):
    ok: bool
    first_bad_seq: int | None
    message: str


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


def _canonical(entry: Mapping[str, Any]) -> bytes:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 over the canonical JSON of ``entry`` without its ``hash`` key."""
    return hashlib.sha256(_canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


def _last_line(fd: int) -> bytes:
    """The last complete line of the open file (b"" when it is empty)."""
    end = os.fstat(fd).st_size
    data = b""
    pos = end
    while pos > 0:
        step = min(TAIL_CHUNK, pos)
        pos -= step
        data = os.pread(fd, step, pos) + data
        if data.rstrip(b"\n").count(b"\n") >= 1:
            break
    return data.rstrip(b"\n").rsplit(b"\n", 1)[-1]


def _parse(line: bytes, where: str) -> dict[str, Any]:
    try:
        entry = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        entry = None
    if not isinstance(entry, dict):
        raise TrailTampered(f"{where} is not a trail entry: run `coi log verify`")
    return entry


def append(path: Path, body: Mapping[str, Any]) -> dict[str, Any]:
    """Append one entry (``body`` plus seq, timestamp, prev_hash, hash); return it."""
    reserved = {"seq", "timestamp", "prev_hash", "hash"} & set(body)
    if reserved:
        raise ValueError(f"the trail sets {', '.join(sorted(reserved))} itself")
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        created = not path.exists()
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError as exc:
        raise TrailError(
            f"cannot open the audit trail {path}: {exc.strerror or exc}; set COI_TRAIL to a writable file"
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        last = _last_line(fd)
        previous = _parse(last, f"the last line of {path}") if last else None
        if previous is not None and not isinstance(previous.get("seq"), int):
            raise TrailTampered(f"the last entry of {path} has no sequence number: run `coi log verify`")
        entry: dict[str, Any] = {
            "seq": previous["seq"] + 1 if previous else 1,
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
            **body,
            "prev_hash": previous.get("hash", "") if previous else GENESIS,
        }
        entry["hash"] = entry_hash(entry)
        line = _canonical(entry) + b"\n"
        written = 0
        while written < len(line):
            written += os.write(fd, line[written:])
        os.fsync(fd)
    except OSError as exc:
        raise TrailError(f"cannot write the audit trail {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)  # closing releases the lock
    if created:
        _fsync_dir(path.parent)
    return entry


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _lines(path: Path) -> list[bytes]:
    try:
        with open(path, "rb") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
            data = handle.read()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise TrailError(f"cannot read the audit trail {path}: {exc.strerror or exc}") from None
    return data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n")


def read_entries(path: Path) -> list[dict[str, Any]]:
    """Every entry in order ([] when there is no trail yet); TrailTampered on a bad line."""
    return [_parse(line, f"{path} line {n}") for n, line in enumerate(_lines(Path(path)), 1)]


def verify(path: Path) -> Verification:
    """Check the whole chain: (ok, first bad seq or None, one-line message)."""
    path = Path(path)
    previous = GENESIS
    lines = _lines(path)
    for n, line in enumerate(lines, 1):
        try:
            entry = _parse(line, f"line {n}")
        except TrailTampered:
            return Verification(False, n, f"{path}: entry {n} (line {n}) is not valid JSON: tampered or damaged")
        seq = entry.get("seq")
        problem = ""
        if seq != n:
            problem = f"has seq {seq!r}, expected {n}: entries were removed, added or reordered"
        elif entry.get("prev_hash") != previous:
            problem = (
                "does not chain to the entry before it (prev_hash differs): an earlier entry was changed or removed"
            )
        elif entry.get("hash") != entry_hash(entry):
            problem = "does not match its hash: its content was changed"
        if problem:
            return Verification(False, n, f"{path}: entry {n} {problem}")
        previous = entry["hash"]
    if not lines:
        return Verification(True, None, f"{path}: no entries yet")
    return Verification(True, None, f"{path}: {len(lines)} entries intact; head hash {previous}")
