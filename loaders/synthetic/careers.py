"""Careers: positions filled at the start of history, then postings, promotions and leavers."""

from __future__ import annotations

import heapq

from .spec import EXTERNAL, LEAVE, PROMOTE, SERVICE
from .state import ForceState


class CareersMixin(ForceState):
    """Simulates who held which position when, one holder per position at any time."""

    def simulate(self) -> None:
        """Fill every position at the start of history, then move people until `end`."""
        rng, n = self.rng, len(self.p_unit)
        self.holder, self.since, self.token = [-1] * n, [0] * n, [0] * n
        self.tl_start = [[] for _ in range(n)]
        self.tl_holder = [[] for _ in range(n)]
        self.o_rank = []
        self.o_joined = []
        self.o_left = []
        self.o_posts = []  # [start, end, position, line manager]
        self.heap = []
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
