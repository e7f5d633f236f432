"""The unit tree of a force and its fixed positions (rank, role, supervisor, line manager)."""

from __future__ import annotations

from itertools import pairwise

from .names import AREAS, PLACES, TOWNS
from .spec import LADDER, ForceSpec
from .state import ForceState


def _team_positions(spec: ForceSpec) -> float:
    """Mean positions per team, to size the force: constables and their sergeants.

    With one sergeant per team this is (lo + hi + 1) / 2: 8 for the default 5-10 constables,
    the figure every existing force was generated with.
    """
    lo, hi = spec.team_constables
    per = spec.constables_per_sergeant
    return (lo + hi) / 2 * (1 + 1 / per) if per else (lo + hi + 1) / 2


class UnitsMixin(ForceState):
    """Builds the hierarchy: force, commands, departments and stations, teams."""

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
            n, per = self.rng.randint(*self.spec.team_constables), self.spec.constables_per_sergeant
            sgts = [sgt] + [
                self._pos(u, "sergeant", f"{roles[0]} sergeant", False, sgt)
                for _ in range(-(-n // per) - 1 if per else 0)
            ]
            for i in range(n):
                self._pos(u, "constable", f"{roles[1]} constable", False, sgts[i % len(sgts)])

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
        n_psd = max(1, round(size / self.spec.psd_team_positions))
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
        teams = max(8, round((size - 8 * n_psd - 25) / _team_positions(self.spec)))
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
