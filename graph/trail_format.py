"""One audit-trail line: its canonical bytes, its hash, and the strict reading of it.

An entry is written as its canonical JSON (sorted keys, no spaces, UTF-8 without
``\\u`` escapes) and nothing else. Reading it back is strict: a line must be valid UTF-8
JSON, one object, no key twice, and re-serialising what was read must give the very bytes
of the line. So the hash, computed over the canonical JSON without ``hash``, binds the
line's exact bytes: reformatting, reordering keys, escaping differently or repeating a key
with another value all fail, even when the parsed values would still hash the same.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["GENESIS", "BadLine", "canonical", "entry_hash", "read_line"]

GENESIS = "0" * 64


class BadLine(ValueError):
    """A line that is not an entry exactly as coi writes entries (the message says why)."""


def canonical(entry: Mapping[str, Any]) -> bytes:
    """The one serialisation of an entry (without the line end)."""
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 over the canonical JSON of ``entry`` without its ``hash`` key."""
    return hashlib.sha256(canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise BadLine(f"has the key {key!r} twice")
        seen[key] = value
    return seen


def parse(line: bytes) -> Any:
    """The JSON value of ``line``; BadLine if it is not UTF-8 JSON or repeats a key."""
    try:
        return json.loads(line.decode("utf-8"), object_pairs_hook=_no_repeats)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadLine("is not valid JSON") from None


def read_line(line: bytes) -> dict[str, Any]:
    """The entry on ``line``, read strictly; BadLine naming the first reason it is not one."""
    entry = parse(line)
    if not isinstance(entry, dict):
        raise BadLine("is not valid JSON (not an object)")
    try:
        same = canonical(entry) == line
    except UnicodeEncodeError:  # a \\ud800-style escape: no UTF-8 line could hold it
        same = False
    if not same:
        raise BadLine("is not byte for byte what coi writes (spacing, key order or escaping differ): it was edited")
    return entry
