"""One chunk of an audit: check its allocations, pack each result for the spill.

Runs where the checking happens (the audit's own process or a worker), so the parent only
appends bytes and counts marks: it never rebuilds a result it does not show.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import json
import os
from datetime import date
from typing import NamedTuple

from coi.graph.store import GraphStore
from coi.queries.analyses.audit_spill import pack
from coi.queries.analyses.audit_tally import Mark, mark_of
from coi.queries.engine import Engine
from coi.queries.policy import Policy

__all__ = ["CACHE_BUDGET", "Checked", "Checker", "Group"]

Group = tuple[str, date, list[str]]  # (case, allocation day, investigators allocated that day)

#: Bytes a checking process may grow by, from its first engine, before that engine's kept records
#: are dropped for a fresh engine (1.5 GiB): a whole national history would otherwise end with
#: every unit's history in every worker.
CACHE_BUDGET = 3 << 29


class Checked(NamedTuple):
    """A chunk's results in check order: packed ``(result, unit)`` records, their marks, and
    (when asked) each result as one line of JSON."""

    blobs: list[bytes]
    marks: list[Mark]
    lines: list[str] | None


class Checker:
    """Checks chunks with one engine in bulk mode, replaced when its caches outgrow the budget."""

    def __init__(self, store: GraphStore, policy: Policy, lines: bool = False, budget: int | None = None) -> None:
        self.store, self.policy, self.lines = store, policy, lines
        self.budget = CACHE_BUDGET if budget is None else budget
        self.engine = self._fresh()
        self._base = _resident_bytes()
        self.replaced = 0

    def _fresh(self) -> Engine:
        engine = Engine(self.store, self.policy)
        engine.reader.keep_unit_histories()  # many days over the same units: read each unit once
        return engine

    def __call__(self, groups: list[Group]) -> Checked:
        checked = check_groups(self.engine, groups, self.lines)
        self.store.check_pinned()  # every read of the chunk came from the version the audit pinned
        if _resident_bytes() - self._base > self.budget:
            del self.engine  # evidence never depends on what a cache holds
            gc.collect()
            _give_back()
            self.engine = self._fresh()
            self.replaced += 1
        return checked


def check_groups(engine: Engine, groups: list[Group], lines: bool = False) -> Checked:
    """Check each group; each result goes with the investigator's unit on the day (their latest
    active posting), in the order the group lists its investigators."""
    blobs, marks, texts = [], [], []
    for case_id, on, people in groups:
        checked = engine.check_many(case_id, people, on)
        units = engine.reader.units_on(people, on)
        for person in people:
            result, unit = checked[person], units.get(person)
            blobs.append(pack((result, unit)))
            marks.append(mark_of(result, unit))
            if lines:
                texts.append(json.dumps(result.to_dict(), ensure_ascii=False, default=str))
    return Checked(blobs, marks, texts if lines else None)


def _give_back() -> None:
    """Return freed heap to the system (glibc keeps it otherwise, and the process looks as big)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: memory is reused all the same
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)


def _resident_bytes() -> int:
    """This process's resident memory now (0 where the system does not say: never replaced)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
