"""Cases, their assignments and associations, and the deliberately conflicted allocations."""

from __future__ import annotations

from collections.abc import Callable

from coi.graph.model import CASE_TYPES

from .names import SUMMARIES
from .spec import CASE_DAYS, CASE_WEIGHTS, COUNTER, PLANTED_KINDS
from .state import ForceState, iso


class CasesMixin(ForceState):
    """Draws cases from who held which position on the day; plants conflicted investigators."""

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
        self,
        cid: str,
        ctype: str,
        d: int,
        closed: int | None,
        subject: int,
        unit: int,
        seen: set[str],
        add: Callable[..., None],
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
