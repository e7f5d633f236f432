"""A force's shared state: positions' holders over time, people and associations."""

from __future__ import annotations

import random
from bisect import bisect_right
from datetime import date
from functools import cache

from coi.graph.model import RANKS

from .spec import ForceSpec


@cache
def _iso_day(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


def iso(ordinal: int | None) -> str:
    """ISO date of a day ordinal; blank for None."""
    return "" if ordinal is None else _iso_day(ordinal)


class ForceState:
    """State shared by the unit, career and case stages of one force, and lookups into it."""

    # set by build_units
    u_cmd: list[int]
    psd_pos: list[int]
    psd_leads: list[int]
    cc: int
    dcc: int
    up: dict[str, str]
    down: dict[str, str]
    # set by simulate
    holder: list[int]
    since: list[int]
    token: list[int]
    tl_start: list[list[int]]
    tl_holder: list[list[int]]
    o_rank: list[str]
    o_joined: list[int]
    o_left: list[int | None]
    o_posts: list[list[list]]  # [start, end, position, line manager]
    heap: list[tuple[int, int, int]]
    # set by make_cases
    oid: list[str]
    repeat: list[int]

    def __init__(self, spec: ForceSpec, index: int) -> None:
        self.rng = random.Random(f"coi-synthetic-{spec.seed}-{index}")
        self.spec, self.index, self.code = spec, index, f"F{index + 1:02d}"
        self.end = spec.end.toordinal()
        self.t0 = self.end - round(spec.years * 365.25)
        self.tenure_days = spec.posting_years * 365.25
        self.units: list[tuple[str, str, str, str, str]] = []
        self.u_parent: list[int] = []
        self.u_pos: list[list[int]] = []
        self.u_sups: list[list[int]] = []
        self.p_unit: list[int] = []
        self.p_rank: list[str] = []
        self.p_role: list[str] = []
        self.p_sup: list[bool] = []
        self.p_mgr: list[int] = []
        self.rank_pos: dict[str, list[int]] = {r: [] for r in RANKS}
        self.people: list[str] = []
        self.assocs: list[tuple] = []
        self._assoc_keys: set[tuple] = set()
        self.friends: dict[int, list[tuple[int, int | None]]] = {}
        self.cases: list[tuple] = []
        self.assignments: list[tuple] = []
        self.planted: list[tuple] = []

    # --- lookups ---------------------------------------------------------------------
    def holder_at(self, p: int, d: int) -> int:
        i = bisect_right(self.tl_start[p], d) - 1
        return self.tl_holder[p][i] if i >= 0 else -1

    def _manager(self, p: int, d: int, o: int) -> int | None:
        m = self.p_mgr[p]
        if m < 0:
            return None
        i = max(bisect_right(self.tl_start[m], d) - 1, 0)  # before the manager's first record: the first holder
        h = self.tl_holder[m][i]
        return None if h == o else h

    def post_at(self, o: int, d: int) -> list | None:
        for rec in reversed(self.o_posts[o]):
            if rec[0] <= d:
                return rec if rec[1] is None or rec[1] >= d else None
        return None

    def serving(self, o: int, d: int) -> bool:
        return self.o_joined[o] <= d and (self.o_left[o] is None or self.o_left[o] >= d)

    def _colleague(self, u: int, d: int, not_in: set) -> int:
        mates = self.u_pos[u]
        for _ in range(6):
            h = self.holder_at(mates[self.rng.randrange(len(mates))], d)
            if h >= 0 and self.oid[h] not in not_in:
                return h
        return -1

    # --- associations and people -----------------------------------------------------
    def _person(self, label: str) -> str:
        self.people.append(f"{label} {len(self.people) + 1} (pseudonym)")
        return f"{self.code}-P{len(self.people):06d}"

    def _link(self, a: str, b: str, kind: str, start: int | None, end: int | None, source: str) -> bool:
        key = (min(a, b), max(a, b), kind, start)
        if a == b or key in self._assoc_keys or (start is not None and start > self.end):
            return False
        self._assoc_keys.add(key)
        self.assocs.append((a, b, kind, iso(start), iso(end), source))
        return True

    def _source(self) -> str:
        return self.rng.choices(("declared", "reported", "inferred"), (55, 30, 15))[0]

    def _officer_link(self, a: int, b: int, kind: str, start: int | None) -> None:
        rng = self.rng
        if start is not None and start > self.end:
            return
        start = None if rng.random() < 0.25 else start
        end = None
        if kind == "former_partner" and start is not None:
            end = min(start + rng.randint(180, 2500), self.end)
        if kind in ("business", "other") and rng.random() < 0.5:
            self._link(f"{self.code}-O{a + 1:06d}", self._person("Associate"), kind, start, end, self._source())
            return
        if (
            self._link(f"{self.code}-O{a + 1:06d}", f"{self.code}-O{b + 1:06d}", kind, start, end, self._source())
            and kind == "friend"
        ):
            self.friends.setdefault(a, []).append((b, start))
            self.friends.setdefault(b, []).append((a, start))
