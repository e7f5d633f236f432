"""Deterministic synthetic police forces in the data-contract CSV format.

:func:`generate` writes units, officers, people, postings, cases, assignments and
associations for ``spec.forces`` forces, plus ``planted.csv``: investigator allocations
made deliberately conflicted (ground truth for the audit). Careers are simulated on a
fixed set of positions with one holder each at any time, so unit heads and line managers
are consistent; cases then draw subjects, complainants and investigators from who held
which position on the day. Forces are generated one at a time and streamed to disk.
"""

from __future__ import annotations

import argparse
import csv
import heapq
import random
from bisect import bisect_right
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from itertools import pairwise
from pathlib import Path

from graph.model import ASSOCIATION_KINDS, ASSOCIATION_SOURCES, CASE_TYPES, RANKS, ROLES, UNIT_KINDS

__all__ = ["PLANTED_KINDS", "SCALES", "ForceSpec", "generate", "main"]


@dataclass(frozen=True)
class ForceSpec:
    officers: int = 400  # serving + leavers, per force, roughly
    forces: int = 1
    years: int = 25  # history length ending at `end`
    end: date = date(2025, 12, 31)
    cases_per_officer: float = 0.25  # ~cases per officer over the whole history
    conflict_share: float = 0.15  # share of investigator allocations deliberately conflicted
    seed: int = 1
    posting_years: float = 3.0  # mean planned length of a posting


SCALES: dict[str, ForceSpec] = {
    "small": ForceSpec(officers=300),
    "force": ForceSpec(officers=4000),
    "national": ForceSpec(officers=5800, forces=43, cases_per_officer=4.0, posting_years=1.6),
}
PLANTED_KINDS = ("line_manager", "supervisor_of_unit", "same_unit", "friend")
HEADERS = {
    "units": ("unit_id", "name", "parent_unit_id", "kind", "tags"),
    "officers": ("officer_id", "name", "rank", "collar_number", "joined_on", "left_on"),
    "people": ("person_id", "name"),
    "postings": ("officer_id", "unit_id", "start_date", "end_date", "role", "supervisor", "line_manager_id"),
    "cases": ("case_id", "case_type", "opened_on", "closed_on", "counter_allegation_of", "summary"),
    "assignments": ("case_id", "person_id", "role", "start_date", "end_date"),
    "associations": ("person_a", "person_b", "kind", "start_date", "end_date", "source"),
    "planted": ("case_id", "investigator_id", "on", "kind"),
}

LADDER = tuple(r for r in RANKS if r != "staff")  # constable .. chief_constable
# yearly chances, scaled by the posting length into chances per end of a posting
LEAVE = dict(zip(RANKS, (0.027, 0.027, 0.033, 0.047, 0.067, 0.083, 0.1, 0.117, 0.15, 0.04), strict=True))
PROMOTE = dict(zip(RANKS, (0.023, 0.033, 0.033, 0.04, 0.04, 0.04, 0.04, 0.033, 0.0, 0.0), strict=True))
EXTERNAL = dict(zip(RANKS, (1.0, 0.03, 0.05, 0.05, 0.05, 0.1, 0.5, 0.5, 0.7, 1.0), strict=True))
SERVICE = dict(
    zip(
        RANKS,
        ((0, 12), (4, 18), (8, 22), (12, 25), (15, 27), (18, 28), (20, 30), (22, 30), (24, 32), (0, 15)),
        strict=True,
    )
)
CASE_WEIGHTS = dict(zip(CASE_TYPES, (45, 22, 8, 10, 7, 8), strict=True))
CASE_DAYS = dict(zip(CASE_TYPES, (120, 200, 400, 300, 350, 150), strict=True))
COUNTER = dict(zip(CASE_TYPES, (0.03, 0.0, 0.02, 0.15, 0.08, 0.02), strict=True))
SUMMARIES = {
    "complaint": (
        "Complaint about a stop and search",
        "Complaint about handling of a reported burglary",
        'Complaint of rudeness during a call, "you\'re wasting our time"',
        "Complaint about use of force at arrest",
    ),
    "conduct": (
        "Alleged failure to supervise",
        "Misuse of police systems",
        "Discourtesy on duty",
        "Inappropriate messages to colleagues",
    ),
    "criminal": (
        "Alleged assault off duty",
        "Alleged theft from a property store",
        "Alleged data disclosure to a third party",
    ),
    "domestic_abuse": (
        "Allegation of coercive control by a serving officer",
        "Alleged assault on a partner",
        "Harassment of a former partner",
    ),
    "sexual_misconduct": (
        "Abuse of position for a sexual purpose",
        "Unwanted sexual comments to a colleague",
        "Inappropriate relationship with a victim",
    ),
    "other": (
        "Business interest not declared",
        "Notifiable association not declared",
        "Off-duty incident & media report",
    ),
}
FIRST = (  # noqa: SIM905
    "Aaliyah Aaron Adam Aisha Alan Alice Amara Amir Ana Andrew Anita Ben Beth Callum Chloe Chris Claire "
    "Dana Daniel Deepa Ellie Emma Eve Fatima Femi Gareth Grace Hana Harry Ian Imran Isla Jack Jade James "
    "Jo Kai Karen Kwame Laura Leon Lucy Mark Megan Mohammed Nadia Niamh Oliver Olu Paul Priya Rachel Rhys "
    "Ruth Sam Sara Sean Sofia Tom Wei Zara"
).split()
LAST = (  # noqa: SIM905
    "Ahmed Baker Bennett Brown Campbell Carter Chen Clarke Davies Dunn Evans Fisher Green Hall Harris "
    "Hughes Hussain Jackson Jones Kaur Khan Kowalski Lewis Martin Mensah Mitchell Morgan Murphy Nguyen "
    "Novak Okafor Patel Phillips Price Quinn Reed Roberts Robinson Shaw Singh Smith Taylor Thomas Turner "
    "Walker Ward Watson White Williams Wilson Wood Wright Young O'Brien O'Connor McDonald"
).split()
TRICKY = (
    "Dana O'Neil",
    "Jo Müller",
    "Sam & Alex Carter-Smith",
    "Robin <b>Bold</b> Hood",
    'Chris "CJ" D\'Arcy',
    "Smith, John",
    "Zoë Łukasiewicz",
    "Siobhán Ní Bhriain",
)
AREAS = ("North", "South", "East", "West", "Central", "City", "Coastal", "Rural", "Valley", "Harbour")
TOWNS = (
    "Ashby",
    "Bramley",
    "Carrow",
    "Dunford",
    "Elmstead",
    "Fairholme",
    "Galton",
    "Hexley",
    "Ivybridge",
    "Jarrow",
    "Kelby",
    "Langley",
    "Marsden",
    "Northam",
    "Oakley",
    "Penrith",
    "Quarry Bank",
    "Redhill",
)
PLACES = tuple(
    a + b
    for a in ("North", "South", "East", "West", "Mid", "Upper", "Lower", "Great")
    for b in ("shire", "moor", "vale", "land", "field", "ford")
)

_USED = (
    ({"force", "command", "department", "station", "team"}, set(UNIT_KINDS)),
    ({"subject", "investigator", "supervisor", "appropriate_authority", "complainant", "witness"}, set(ROLES)),
    ({"partner", "former_partner", "family", "friend", "business", "other"}, set(ASSOCIATION_KINDS)),
    ({"declared", "reported", "inferred"}, set(ASSOCIATION_SOURCES)),
)
if not all(used <= declared for used, declared in _USED):
    raise ImportError("loaders.synthetic uses values missing from graph.model's enumerations")


@cache
def _iso_day(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


def iso(ordinal: int | None) -> str:
    """ISO date of a day ordinal; blank for None."""
    return "" if ordinal is None else _iso_day(ordinal)


class _Force:
    """One force: unit tree, positions, simulated careers, then cases and associations."""

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

    # --- structure -------------------------------------------------------------------
    def _unit(self, uid: str, name: str, parent: int, kind: str, tags: str = "") -> int:
        self.units.append((uid, name, self.units[parent][0] if parent >= 0 else "", kind, tags))
        self.u_parent.append(parent)
        self.u_pos.append([])
        self.u_sups.append([])
        return len(self.units) - 1

    def _pos(self, unit: int, rank: str, role: str, sup: bool, mgr: int) -> int:
        p = len(self.p_unit)
        self.p_unit.append(unit), self.p_rank.append(rank), self.p_role.append(role)
        self.p_sup.append(sup), self.p_mgr.append(mgr), self.rank_pos[rank].append(p)
        self.u_pos[unit].append(p)
        if sup:
            self.u_sups[unit].append(p)
        return p

    def _dept(
        self,
        parent: int,
        mgr: int,
        uid: str,
        name: str,
        teams: int,
        team: str,
        roles: tuple[str, str],
        kind: str = "department",
        tags: str = "",
        team_tags: str = "",
    ) -> None:
        """A department (or station) with a head, duty inspectors and teams led by sergeants."""
        d = self._unit(uid, name, parent, kind, tags)
        head = self._pos(d, "chief_inspector" if teams >= 4 else "inspector", f"{name} head", True, mgr)
        for _ in range(teams // 4):
            self._pos(d, "inspector", f"{name} duty inspector", False, head)
        for t in range(1, teams + 1):
            u = self._unit(f"{uid}-T{t}", f"{team} {t}" if teams > 1 else team, d, "team", team_tags)
            sgt = self._pos(u, "sergeant", f"{roles[0]} sergeant", True, head)
            for _ in range(self.rng.randint(5, 10)):
                self._pos(u, "constable", f"{roles[1]} constable", False, sgt)

    def build_units(self, size: int) -> None:
        rng, c = self.rng, self.code
        root = self._unit(
            c, f"{PLACES[self.index % len(PLACES)]} {('Constabulary', 'Police')[self.index % 2]}", -1, "force"
        )
        cc = self._pos(root, "chief_constable", "Chief Constable", True, -1)
        dcc = self._pos(root, "deputy_chief_constable", "Deputy Chief Constable", True, cc)
        accs = [
            self._pos(root, "assistant_chief_constable", f"ACC portfolio {i + 1}", True, dcc)
            for i in range(1 if size < 1000 else 2 if size < 2500 else 3)
        ]
        psd = self._unit(f"{c}-PSD", "Professional Standards Department", root, "department", "professional_standards")
        head = self._pos(
            psd, "superintendent" if size >= 1500 else "chief_inspector", "Head of Professional Standards", True, dcc
        )
        n_psd = max(1, round(size / 300))
        for t in range(1, n_psd + 2):
            last = t > n_psd
            u = self._unit(
                f"{c}-PSD-T{t}",
                "Counter Corruption Unit" if last else f"PSD Investigations Team {t}",
                psd,
                "team",
                "professional_standards",
            )
            lead = self._pos(u, "sergeant" if last else "inspector", "PSD team leader", True, head)
            for rank, n in (("sergeant", 1 if last else 2), ("constable", 2), ("staff", rng.randint(1, 3))):
                for _ in range(n):
                    self._pos(
                        u,
                        rank,
                        "PSD staff investigator" if rank == "staff" else f"PSD investigator ({rank})",
                        False,
                        lead,
                    )
        teams = max(8, round((size - 8 * n_psd - 25) / 8))
        n_geo = max(2, min(len(AREAS), round(size / 700)))
        cmds = [(f"{a} Command", True) for a in AREAS[:n_geo]] + [
            ("Crime Command", False),
            ("Operations Command", False),
        ]
        for ci, (name, geo) in enumerate(cmds, 1):
            cmd = self._unit(f"{c}-C{ci}", name, root, "command")
            top = self._pos(
                cmd,
                "chief_superintendent" if size >= 2000 and geo else "superintendent",
                f"Commander, {name}",
                True,
                accs[ci % len(accs)],
            )
            if size >= 2000:
                self._pos(cmd, "superintendent", f"Deputy commander, {name}", False, top)
            d = f"{c}-C{ci}-D"
            if geo:
                g, area = 0.7 * teams / n_geo, name.split()[0]
                self._dept(
                    cmd,
                    top,
                    f"{d}1",
                    f"{area} Response",
                    max(1, round(0.45 * g)),
                    f"{area} Response Team",
                    ("Response", "Response"),
                )
                self._dept(
                    cmd,
                    top,
                    f"{d}2",
                    f"{area} CID",
                    max(1, round(0.2 * g)),
                    f"{area} CID Team",
                    ("Detective", "Detective"),
                )
                for s in range(max(1, round(0.35 * g / 2))):
                    town = TOWNS[(ci * 7 + s) % len(TOWNS)]
                    self._dept(
                        cmd,
                        top,
                        f"{d}{3 + s}",
                        f"{town} Police Station",
                        rng.randint(1, 2),
                        f"{town} Neighbourhood Team",
                        ("Neighbourhood", "Neighbourhood"),
                        kind="station",
                    )
            elif name.startswith("Crime"):
                k = 0.18 * teams
                self._dept(
                    cmd,
                    top,
                    f"{d}1",
                    "Major Crime",
                    max(1, round(0.4 * k)),
                    "Major Investigation Team",
                    ("Detective", "Detective"),
                )
                pp = (
                    ("Domestic Abuse Unit", "domestic_abuse;vawg;safeguarding"),
                    ("Safeguarding Hub", "safeguarding"),
                    ("RASSO Team", "vawg;safeguarding"),
                )
                for i, (team, tags) in enumerate(pp, 2):
                    self._dept(
                        cmd,
                        top,
                        f"{d}{i}",
                        f"Public Protection: {team}",
                        max(1, round(0.13 * k)),
                        team,
                        ("Public protection", "Public protection"),
                        tags="safeguarding",
                        team_tags=tags,
                    )
                self._dept(
                    cmd,
                    top,
                    f"{d}5",
                    "Intelligence",
                    max(1, round(0.2 * k)),
                    "Intelligence Team",
                    ("Intelligence", "Intelligence"),
                )
            else:
                k = 0.12 * teams
                for i, (dept, share) in enumerate(
                    (("Roads Policing", 0.4), ("Armed Policing", 0.35), ("Custody", 0.25)), 1
                ):
                    self._dept(cmd, top, f"{d}{i}", dept, max(1, round(share * k)), f"{dept} Team", (dept, dept))
        self.u_cmd = [u if self.u_parent[u] <= 0 else -1 for u in range(len(self.units))]
        for u in range(len(self.units)):  # parents are created before children
            if self.u_cmd[u] < 0:
                self.u_cmd[u] = self.u_cmd[self.u_parent[u]]
        self.psd_pos = [p for p in range(len(self.p_unit)) if "professional_standards" in self.units[self.p_unit[p]][4]]
        self.psd_leads = [p for p in self.psd_pos if self.p_sup[p]]
        self.cc, self.dcc = cc, dcc
        present = [r for r in LADDER if self.rank_pos[r]]
        self.up = dict(pairwise(present))
        self.down = {b: a for a, b in pairwise(present)}

    # --- careers ---------------------------------------------------------------------
    def simulate(self) -> None:
        """Fill every position at the start of history, then move people until `end`."""
        rng, n = self.rng, len(self.p_unit)
        self.holder, self.since, self.token = [-1] * n, [0] * n, [0] * n
        self.tl_start: list[list[int]] = [[] for _ in range(n)]
        self.tl_holder: list[list[int]] = [[] for _ in range(n)]
        self.o_rank: list[str] = []
        self.o_joined: list[int] = []
        self.o_left: list[int | None] = []
        self.o_posts: list[list[list]] = []  # [start, end, position, line manager]
        self.heap: list[tuple[int, int, int]] = []
        for p in range(n):
            since = self.t0 - rng.randint(0, int(self.tenure_days))
            lo, hi = SERVICE[self.p_rank[p]]
            o = self._new_officer(self.p_rank[p], min(since, self.t0 - int(rng.uniform(lo, hi) * 365.25)))
            self._assign(o, p, since, max(since + self._tenure(), self.t0 + rng.randint(1, int(self.tenure_days))))
        heap = self.heap
        while heap:
            e, p, tok = heapq.heappop(heap)
            if e >= self.end:
                break
            if tok == self.token[p]:
                self._tenure_end(e, p)
        for o, posts in enumerate(self.o_posts):
            for rec in posts:
                rec[3] = self._manager(rec[2], rec[0], o)

    def _tenure(self) -> int:
        return max(180, int(self.rng.gammavariate(3.0, self.tenure_days / 3)))

    def _new_officer(self, rank: str, joined: int) -> int:
        self.o_rank.append(rank), self.o_joined.append(joined), self.o_left.append(None), self.o_posts.append([])
        return len(self.o_rank) - 1

    def _assign(self, o: int, p: int, day: int, until: int | None = None) -> None:
        self.holder[p], self.since[p] = o, day
        self.tl_start[p].append(day), self.tl_holder[p].append(o)
        self.o_posts[o].append([day, None, p, None])
        self.o_rank[o] = self.p_rank[p]
        self.token[p] += 1
        heapq.heappush(self.heap, (until if until is not None else day + self._tenure(), p, self.token[p]))
        mates = self.u_pos[self.p_unit[p]]
        if len(mates) > 1 and self.rng.random() < 0.08:
            h = self.holder[mates[self.rng.randrange(len(mates))]]
            if h >= 0 and h != o:
                kind = self.rng.choices(("friend", "partner", "former_partner", "business", "other"), (80, 6, 5, 5, 4))[
                    0
                ]
                self._officer_link(o, h, kind, day + self.rng.randint(30, 900))

    def _close(self, o: int, last_day: int) -> None:
        self.o_posts[o][-1][1] = last_day

    def _pick(self, rank: str, day: int, avoid_unit: int = -1) -> int:
        """A random position of `rank` whose holder has been in post for six months."""
        lst = self.rank_pos[rank]
        for _ in range(8 if lst else 0):
            q = lst[self.rng.randrange(len(lst))]
            if self.holder[q] >= 0 and self.since[q] <= day - 180 and self.p_unit[q] != avoid_unit:
                return q
        return -1

    def _tenure_end(self, e: int, p: int) -> None:
        o, rank, day, x = self.holder[p], self.p_rank[p], e + 1, self.rng.random()
        years = self.spec.posting_years
        leave = 0.6 if day - self.o_joined[o] > 30 * 365.25 else LEAVE[rank] * years
        if x < leave:
            self._close(o, e)
            self.o_left[o], self.holder[p] = e, -1
            return self._fill(p, day)
        if x < leave + PROMOTE[rank] * years and rank in self.up and day - self.o_joined[o] > 730:
            q = self._pick(self.up[rank], day)
            if q >= 0:
                o3 = self.holder[q]
                self._close(o3, e), self._close(o, e)
                self.holder[p] = -1
                self._assign(o, q, day)
                self._displaced(o3, e, day, 0)
                return self._fill(p, day)
        q = self._pick(rank, day, self.p_unit[p])  # swap posts with someone of the same rank
        if q >= 0:
            o2 = self.holder[q]
            self._close(o, e), self._close(o2, e)
            self._assign(o, q, day), self._assign(o2, p, day)
            return None
        self.token[p] += 1  # nothing suitable: stay on
        heapq.heappush(self.heap, (e + self._tenure(), p, self.token[p]))
        return None

    def _displaced(self, o: int, e: int, day: int, depth: int) -> None:
        """An officer bumped out of a post by a promotion moves up or leaves."""
        up = self.up.get(self.o_rank[o])
        if up and depth < 3 and self.rng.random() < 0.4:
            q = self._pick(up, day)
            if q >= 0:
                o2 = self.holder[q]
                self._close(o2, e)
                self._assign(o, q, day)
                return self._displaced(o2, e, day, depth + 1)
        self.o_left[o] = e
        return None

    def _fill(self, p: int, day: int) -> None:
        """Fill a vacancy by promotion from the rank below (recursively) or from outside."""
        rank = self.p_rank[p]
        if rank in self.down and self.rng.random() >= EXTERNAL[rank]:
            q = self._pick(self.down[rank], day)
            if q >= 0:
                o = self.holder[q]
                self._close(o, day - 1)
                self.holder[q] = -1
                self._assign(o, p, day)
                return self._fill(q, day)
        self._assign(self._new_officer(rank, day), p, day)
        return None

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

    # --- cases -----------------------------------------------------------------------
    def make_cases(self, n_cases: int) -> None:
        rng, n = self.rng, len(self.o_rank)
        self.oid = [f"{self.code}-O{o + 1:06d}" for o in range(n)]
        self.repeat = rng.sample(range(n), max(1, n // 25))
        for o in rng.sample(range(n), n // 30):  # family ties to non-officers
            self._link(self.oid[o], self._person("Relative"), "family", None, None, "declared")
        for d in sorted(rng.randint(self.t0 + 30, self.end) for _ in range(n_cases)):
            self._case(rng.choices(CASE_TYPES, tuple(CASE_WEIGHTS.values()))[0], d)

    def _subject(self, d: int) -> int:
        rng = self.rng
        if rng.random() < 0.25:
            for _ in range(10):
                o = self.repeat[rng.randrange(len(self.repeat))]
                if self.serving(o, d):
                    return o
        while True:
            o = self.holder_at(rng.randrange(len(self.p_unit)), d)
            if o >= 0:
                return o

    def _case(self, ctype: str, d: int, counter: tuple[str, str, int] | None = None) -> None:
        rng = self.rng
        cid = f"{self.code}-K{len(self.cases) + 1:06d}"
        dur = max(7, int(rng.gammavariate(2.0, CASE_DAYS[ctype] / 2)))
        closed = d + dur if d + dur <= self.end else None
        seen: set[str] = set()
        rows = self.assignments

        def add(pid: str, role: str, start: int | None = None, end: int | None = None) -> None:
            seen.add(pid)
            rows.append((cid, pid, role, iso(start), iso(end)))

        subject, unit, victim = -1, -1, None
        if counter:
            add(counter[1], "subject"), add(self.oid[counter[2]], "complainant")
        else:
            subject = self._subject(d)
            unit = self.p_unit[self.post_at(subject, d)[2]]
            add(self.oid[subject], "subject")
            if rng.random() < 0.12 and (o := self._colleague(unit, d, seen)) >= 0:
                add(self.oid[o], "subject")
            officer_complainant = {"complaint": 0.1, "conduct": 0.6, "sexual_misconduct": 0.4, "domestic_abuse": 0.15}
            has_complainant = rng.random() < {"conduct": 0.6, "criminal": 0.7, "other": 0.5}.get(ctype, 1.0)
            if has_complainant and rng.random() < officer_complainant.get(ctype, 0.0):
                if (o := self._colleague(unit, d, seen)) >= 0:
                    add(self.oid[o], "complainant")
                    if ctype == "domestic_abuse":
                        self._officer_link(
                            subject, o, rng.choice(("partner", "former_partner")), d - rng.randint(200, 4000)
                        )
            elif has_complainant:
                if self.people and rng.random() < 0.06:
                    victim = f"{self.code}-P{rng.randrange(len(self.people)) + 1:06d}"
                else:
                    victim = self._person("Complainant")
                add(victim, "complainant")
                if ctype == "domestic_abuse":
                    start = None if rng.random() < 0.25 else d - rng.randint(200, 4000)
                    kind = rng.choice(("partner", "former_partner"))
                    end = rng.randint(start, d - 1) if kind == "former_partner" and start else None
                    self._link(self.oid[subject], victim, kind, start, end, self._source())
            for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
                late = rng.random() < 0.1 and d + 60 <= min(closed or self.end, self.end)
                if rng.random() < 0.5 and (o := self._colleague(unit, d, seen)) >= 0:
                    add(self.oid[o], "witness", d + rng.randint(1, 60) if late else None)
                elif rng.random() < 0.5:
                    add(self._person("Witness"), "witness")
        self._investigators(cid, ctype, d, closed, subject, unit, seen, add)
        self.cases.append(
            (
                cid,
                ctype,
                iso(d),
                iso(closed),
                counter[0] if counter else "",
                rng.choice(SUMMARIES[ctype])
                if not counter
                else f"Counter-allegation against the complainant in {counter[0]}",
            )
        )
        if victim and rng.random() < COUNTER[ctype] and (d2 := d + rng.randint(3, 60)) <= self.end:
            self._case(rng.choice(("criminal", "complaint", "other")), d2, (cid, victim, subject))

    def _investigators(
        self, cid: str, ctype: str, d: int, closed: int | None, subject: int, unit: int, seen: set[str], add
    ) -> None:
        rng, last = self.rng, min(closed or self.end, self.end)
        blank = rng.random() < 0.1 or d + 14 > last
        on = d if blank else d + rng.randint(1, 14)
        moved = on + rng.randint(30, 180) if rng.random() < 0.08 and on + 180 <= last else None
        plan = [(on, blank, closed if moved is None else moved - 1)]  # (allocated, start blank, end)
        if rng.random() < 0.15:
            plan.append((on, blank, closed))  # co-investigator
        if moved is not None:
            plan.append((moved, False, closed))  # reallocation
        for day, no_date, stop in plan:
            o, kind = self._allocate(ctype, day, subject, unit, seen)
            if o < 0:
                continue
            add(self.oid[o], "investigator", None if no_date else day, stop)
            if kind:
                self.planted.append((cid, self.oid[o], iso(day), kind))
        if rng.random() < 0.4:
            h = self.holder_at(self.psd_leads[rng.randrange(len(self.psd_leads))], on)
            if h >= 0 and self.oid[h] not in seen:
                add(self.oid[h], "supervisor", None if blank else on, closed)
        if rng.random() < 0.3:
            h = self.holder_at(self.dcc, d)
            h = self.holder_at(self.cc, d) if h == subject else h
            if h >= 0 and h != subject and self.oid[h] not in seen:
                add(self.oid[h], "appropriate_authority", None, closed)

    def _allocate(self, ctype: str, d: int, subject: int, unit: int, seen: set[str]) -> tuple[int, str | None]:
        """An investigator serving on `d`: a planted conflict with probability conflict_share."""
        rng = self.rng
        if rng.random() < self.spec.conflict_share and subject >= 0 and self.post_at(subject, d) is not None:
            for kind in rng.sample(PLANTED_KINDS, len(PLANTED_KINDS)):
                o = getattr(self, f"_plant_{kind}")(subject, d, seen)
                if o >= 0:
                    return o, kind
        for _ in range(12):
            if ctype == "complaint" and unit >= 0 and rng.random() < 0.2:  # local investigation
                lst = self.rank_pos[rng.choice(("sergeant", "inspector"))]
                p = lst[rng.randrange(len(lst))]
                if self.u_cmd[self.p_unit[p]] == self.u_cmd[unit] or p in self.psd_pos:
                    continue
            else:
                p = self.psd_pos[rng.randrange(len(self.psd_pos))]
            o = self.holder_at(p, d)
            if o >= 0 and self.oid[o] not in seen:
                return o, None
        return -1, None

    def _free(self, o: int | None, d: int, seen: set[str]) -> bool:
        return o is not None and o >= 0 and self.serving(o, d) and self.oid[o] not in seen

    def _plant_line_manager(self, s: int, d: int, seen: set[str]) -> int:
        m = self.post_at(s, d)[3]
        return m if self._free(m, d, seen) else -1

    def _plant_supervisor_of_unit(self, s: int, d: int, seen: set[str]) -> int:
        u, chain = self.p_unit[self.post_at(s, d)[2]], []
        while self.u_parent[u] >= 0:  # the force root's chief officers are left out
            chain += self.u_sups[u]
            u = self.u_parent[u]
        for sp in self.rng.sample(chain, len(chain)):
            h = self.holder_at(sp, d)
            if h != s and self._free(h, d, seen):
                return h
        return -1

    def _plant_same_unit(self, s: int, d: int, seen: set[str], day: list | None = None) -> int:
        rng, since = self.rng, d - 5 * 365
        recs = [r for r in self.o_posts[s] if r[0] <= d and (r[1] is None or r[1] >= since)]
        for _ in range(10):
            rec = recs[rng.randrange(len(recs))]
            q = rng.choice(self.u_pos[self.p_unit[rec[2]]])
            lo, hi = max(rec[0], since, self.tl_start[q][0]), min(rec[1] or d, d)
            if q == rec[2] or lo > hi:
                continue
            x = rng.randint(lo, hi)
            h = self.holder_at(q, x)
            if h != s and self._free(h, d, seen):
                if day is not None:
                    day.append(x)
                return h
        return -1

    def _plant_friend(self, s: int, d: int, seen: set[str]) -> int:
        for o, start in self.friends.get(s, ()):
            if (start is None or start <= d) and self._free(o, d, seen):
                return o
        day: list[int] = []
        h = self._plant_same_unit(s, d, seen, day)
        if h >= 0:
            start = None if self.rng.random() < 0.2 else self.rng.randint(day[0], d)
            if self._link(self.oid[s], self.oid[h], "friend", start, None, "declared"):
                self.friends.setdefault(s, []).append((h, start))
                self.friends.setdefault(h, []).append((s, start))
        return h

    # --- output ----------------------------------------------------------------------
    def rows(self) -> dict[str, list[tuple]]:
        """Every table of this force as rows of strings, in a fixed order."""
        rng, oid = self.rng, self.oid
        names = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in oid]
        if self.index == 0:
            for i, name in enumerate(TRICKY):
                names[min(3 + 7 * i, len(names) - 1 - i)] = name
        units = self.units
        return {
            "units": units,
            "officers": [
                (
                    oid[o],
                    names[o],
                    self.o_rank[o],
                    str(1000 + o * 7919 % 9000) if self.o_rank[o] in LADDER[:2] else "",
                    iso(self.o_joined[o]),
                    iso(self.o_left[o]),
                )
                for o in range(len(oid))
            ],
            "people": [(f"{self.code}-P{i + 1:06d}", n) for i, n in enumerate(self.people)],
            "postings": [
                (
                    oid[o],
                    units[self.p_unit[p]][0],
                    iso(s),
                    iso(e),
                    self.p_role[p],
                    "true" if self.p_sup[p] else "false",
                    "" if m is None else oid[m],
                )
                for o in range(len(oid))
                for s, e, p, m in self.o_posts[o]
            ],
            "cases": self.cases,
            "assignments": self.assignments,
            "associations": self.assocs,
            "planted": self.planted,
        }


def _positions_for(spec: ForceSpec) -> int:
    """Positions (serving officers at any time) giving about `spec.officers` incl. leavers."""
    return max(60, round(spec.officers / (1 + 0.04 * spec.years)))


def generate(out_dir: Path, spec: ForceSpec = ForceSpec()) -> dict[str, int]:
    """Write the seven CSV tables (+ planted.csv) into out_dir; return row counts per table."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = dict.fromkeys(HEADERS, 0)
    with ExitStack() as stack:
        files = {t: stack.enter_context(open(out_dir / f"{t}.csv", "w", encoding="utf-8", newline="")) for t in HEADERS}
        writers = {t: csv.writer(f, lineterminator="\n") for t, f in files.items()}
        for t, header in HEADERS.items():
            writers[t].writerow(header)
        for i in range(spec.forces):
            force = _Force(spec, i)
            force.build_units(_positions_for(spec))
            force.simulate()
            force.make_cases(round(spec.officers * spec.cases_per_officer))
            for t, rows in force.rows().items():
                writers[t].writerows(rows)
                counts[t] += len(rows)
            del force
    return counts


def main(argv: list[str] | None = None) -> None:
    """``python -m loaders.synthetic OUT_DIR --scale force --seed 1``"""
    ap = argparse.ArgumentParser(prog="python -m loaders.synthetic", description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--scale", choices=sorted(SCALES), default="small")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--officers", type=int, help="override officers per force")
    ap.add_argument("--forces", type=int, help="override number of forces")
    ap.add_argument("--conflict-share", type=float, help="override share of planted conflicts")
    args = ap.parse_args(argv)
    spec = replace(SCALES[args.scale], seed=args.seed)
    for name in ("officers", "forces", "conflict_share"):
        if getattr(args, name) is not None:
            spec = replace(spec, **{name: getattr(args, name)})
    for table, n in generate(args.out_dir, spec).items():
        print(f"{table}\t{n}")


if __name__ == "__main__":
    main()
