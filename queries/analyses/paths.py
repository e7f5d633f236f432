"""The shortest explained link paths between two people, as of day d.

A step is a one-step link of :mod:`coi.queries.neighbours` (postings to the same unit that
overlap, one working under the other's management, or an association) within the
lookback window ending on d. Each hop of a path found lists every link between its two
people, strongest first (:func:`~queries.neighbours.links_between`). The search is a bidirectional breadth-first search that
expands whole levels, the smaller frontier first, each level with one batched
:func:`~queries.neighbours.neighbours` call, and stops at ``max_hops``. Every shortest
path found is returned (up to ``limit``), each step with its evidence and a sentence.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice, pairwise
from typing import Any

from coi.queries import evidence
from coi.queries.dispute import NotFound
from coi.queries.evidence import sentence
from coi.queries.names import Namer
from coi.queries.neighbours import links_between, neighbours
from coi.queries.reader import Reader
from coi.queries.timeline import Span, lookback_start

__all__ = ["DEFAULT_HOPS", "MAX_HOPS", "MAX_PATHS", "PathReport", "Step", "shortest_paths"]

DEFAULT_HOPS = 3
MAX_HOPS = 6
MAX_PATHS = 10

Edges = dict[frozenset[str], dict[str, Any]]  # {u, v} -> evidence of the step


@dataclass(frozen=True)
class Step:
    """One hop from ``source`` to ``target``: its strongest link's evidence, and every link."""

    source: str
    target: str
    evidence: dict[str, Any]
    links: tuple[dict[str, Any], ...] = ()  # every link between the two, strongest first

    @property
    def all_links(self) -> tuple[dict[str, Any], ...]:
        return self.links or (self.evidence,)


@dataclass
class PathReport:
    source: str
    target: str
    on: date
    max_hops: int
    window: Span
    paths: list[list[Step]]
    namer: Namer
    explored: int = 0  # people reached by the search

    @property
    def hops(self) -> int | None:
        return len(self.paths[0]) if self.paths else None

    def sentence(self, step: Step) -> str:
        return sentence(step.evidence, self.namer)

    def message(self) -> str:
        a, b = self.namer(self.source), self.namer(self.target)
        if not self.paths:
            return (
                f"No link between {a} and {b} within {self.max_hops} hops "
                f"(links from {self.window[0]} to {self.window[1]})."
            )
        count = f"{len(self.paths)} shortest path{'s' if len(self.paths) > 1 else ''}"
        return f"{a} and {b} are {self.hops} hop{'s' if self.hops != 1 else ''} apart on {self.on}: {count}."

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.source,
            "from_name": self.namer(self.source),
            "to": self.target,
            "to_name": self.namer(self.target),
            "on": self.on.isoformat(),
            "window": {"start": self.window[0].isoformat(), "end": self.window[1].isoformat()},
            "max_hops": self.max_hops,
            "people_reached": self.explored,
            "found": bool(self.paths),
            "hops": self.hops,
            "message": self.message(),
            "paths": [
                {
                    "people": [path[0].source, *(s.target for s in path)],
                    "names": [self.namer(path[0].source), *(self.namer(s.target) for s in path)],
                    "steps": [
                        {
                            "from": s.source,
                            "to": s.target,
                            "type": s.evidence.get("type"),
                            "sentence": self.sentence(s),
                            "evidence": s.evidence,
                            "links": [
                                {
                                    "type": item.get("type"),
                                    "sentence": sentence(item, self.namer),
                                    "evidence": item,
                                }
                                for item in s.all_links
                            ],
                        }
                        for s in path
                    ],
                }
                for path in self.paths
            ],
        }


class _Side:
    """One end of the search: distances from its origin and every shortest predecessor."""

    def __init__(self, origin: str) -> None:
        self.dist = {origin: 0}
        self.pred: dict[str, list[str]] = {origin: []}
        self.frontier = [origin]
        self.depth = 0

    def expand(self, reader: Reader, window: Span, edges: Edges) -> None:
        near = neighbours(reader, self.frontier, window)
        step = []
        for u in sorted(self.frontier):
            for v in sorted(near[u]):
                edges.setdefault(frozenset((u, v)), near[u][v])
                known = self.dist.get(v)
                if known is None:
                    self.dist[v], self.pred[v] = self.depth + 1, [u]
                    step.append(v)
                elif known == self.depth + 1:
                    self.pred[v].append(u)
        self.frontier, self.depth = step, self.depth + 1

    def routes(self, node: str) -> Iterator[list[str]]:
        """Every shortest route from the origin to ``node`` (origin first)."""
        if not self.pred[node]:
            yield [node]
            return
        for before in self.pred[node]:
            for route in self.routes(before):
                yield [*route, node]


def _oriented(item: dict[str, Any], source: str) -> dict[str, Any]:
    """Shared-unit evidence with the step's source's posting first, so sentences read along the path."""
    postings = item.get("postings")
    if item.get("type") == "shared_unit" and postings and postings[0]["officer_id"] != source:
        return {**item, "postings": postings[::-1]}
    return item


def _step(u: str, v: str, edges: Edges, links: dict[frozenset[str], list[dict[str, Any]]]) -> Step:
    found = tuple(_oriented(item, u) for item in links.get(frozenset((u, v)), ()))
    return Step(u, v, found[0] if found else _oriented(edges[frozenset((u, v))], u), found)


def _search(
    reader: Reader, a: str, b: str, window: Span, max_hops: int, limit: int
) -> tuple[list[list[str]], Edges, int]:
    """Shortest routes from ``a`` to ``b`` (lists of people), the links seen, and how many people were reached."""
    ends = (_Side(a), _Side(b))
    edges: Edges = {}
    while ends[0].depth + ends[1].depth < max_hops and ends[0].frontier and ends[1].frontier:
        side = min(ends, key=lambda s: len(s.frontier))
        side.expand(reader, window, edges)
        meet = sorted(set(ends[0].dist) & set(ends[1].dist))
        if meet:
            # with whole levels expanded, every meeting node sits at depth_a + depth_b
            found = (head + tail[-2::-1] for m in meet for head in ends[0].routes(m) for tail in ends[1].routes(m))
            return list(islice(found, limit)), edges, len(set(ends[0].dist) | set(ends[1].dist))
    return [], edges, len(set(ends[0].dist) | set(ends[1].dist))


def shortest_paths(
    reader: Reader,
    a: str,
    b: str,
    on: date,
    max_hops: int = DEFAULT_HOPS,
    lookback_years: int = 10,
    show_names: bool = False,
    limit: int = MAX_PATHS,
) -> PathReport:
    """The shortest link paths from ``a`` to ``b`` on ``on``; NotFound for an unknown person."""
    if not 1 <= max_hops <= MAX_HOPS:
        raise ValueError(f"max_hops must be from 1 to {MAX_HOPS}")
    if a == b:
        raise ValueError("the two people must be different")
    known = reader.people([a, b])
    for pid in (a, b):
        if pid not in known:
            raise NotFound(f"unknown person {pid!r}: check the id, or load the export that has it")
    window = (lookback_start(on, lookback_years), on)
    routes, edges, explored = _search(reader, a, b, window, max_hops, limit)
    links = links_between(reader, {(u, v) for r in routes for u, v in pairwise(r)}, window)
    paths = [[_step(u, v, edges, links) for u, v in pairwise(r)] for r in routes]
    mentioned = {a, b} | {pid for p in paths for s in p for pid in evidence.person_ids(list(s.all_links))}
    # as in a check: non-officers, and officers whose every case role is complainant or witness,
    # are shown by pseudonym; there is no one dispute here, so all their cases count, and every
    # pseudonym reads "Person N" (a role label would tell that someone complained somewhere)
    roles = [x for found in reader.assignments(mentioned).values() for x in found]
    namer = Namer(reader.people(mentioned), roles, show_names, role_labels=False)
    return PathReport(a, b, on, max_hops, window, paths, namer, explored)
