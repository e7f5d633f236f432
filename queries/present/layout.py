"""Precomputed positions for a picture, with no two nodes' label boxes overlapping.

vis-network draws each node's label under its shape, on a canvas, and with physics off it
never moves a node: two nodes placed close together show their labels on one spot. So
positions come from a seeded spring layout, then :func:`separate` pushes apart every pair
of boxes (shape plus label, estimated from the text on the wide side) that intersect,
along the axis where they overlap least, until none does; if pushing alone does not settle,
the whole layout is spread out a little and pushing goes on (spreading always ends it).
"""

from __future__ import annotations

import math
import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

__all__ = ["GAP", "Box", "box_for", "overlapping", "separate", "text_width"]

GAP = 14.0  # pixels between two boxes
NARROW, WIDE = set("fijlrtI.,:;'!|()[]/ "), set("mwMW@%&#<>")
PUSH_ROUNDS, SPREAD = 60, 1.25


def text_width(text: str, font_px: float) -> float:
    """A generous width of ``text`` in pixels (wider than DejaVu Sans, the widest common sans)."""
    em = 0.0
    for ch in text:
        if ch in NARROW:
            em += 0.42
        elif ch in WIDE:
            em += 1.0
        elif ch.isascii():
            em += 0.8 if ch.isupper() else 0.66
        else:
            em += 1.05 if unicodedata.east_asian_width(ch) in "WF" else 0.85
    return em * font_px + 8.0


@dataclass(frozen=True)
class Box:
    """Extent around a node's centre: half its width, how far up and how far down it reaches."""

    half_width: float
    up: float
    down: float


def box_for(label: str, size: float, font_px: float) -> Box:
    """A node drawn as a shape of radius ``size`` with its one-line label below it."""
    return Box(max(size, text_width(label, font_px) / 2), size + 2.0, size + font_px + 8.0)


def _extent(x: float, y: float, b: Box) -> tuple[float, float, float, float]:
    return x - b.half_width, y - b.up, x + b.half_width, y + b.down


def _pairs(where: Mapping[Hashable, tuple[float, float]], boxes: Mapping[Hashable, Box]) -> list[tuple]:
    """Every pair of nodes whose boxes (plus GAP) intersect, found through a grid."""
    cell_w = 2 * max(b.half_width for b in boxes.values()) + GAP
    cell_h = max(b.up + b.down for b in boxes.values()) + GAP
    grid: dict[tuple[int, int], list] = defaultdict(list)
    for n, (x, y) in where.items():
        grid[(math.floor(x / cell_w), math.floor(y / cell_h))].append(n)
    order = {n: i for i, n in enumerate(where)}
    found = []
    for (cx, cy), members in grid.items():
        near = [m for dx in (-1, 0, 1) for dy in (-1, 0, 1) for m in grid.get((cx + dx, cy + dy), ())]
        for a in members:
            la, ta, ra, ba = _extent(*where[a], boxes[a])
            for b in near:
                if order[b] <= order[a]:
                    continue
                lb, tb, rb, bb = _extent(*where[b], boxes[b])
                dx, dy = min(ra, rb) - max(la, lb) + GAP, min(ba, bb) - max(ta, tb) + GAP
                if dx > 0 and dy > 0:
                    found.append((a, b, dx, dy))
    return found


def overlapping(where: Mapping[Hashable, tuple[float, float]], boxes: Mapping[Hashable, Box]) -> list[tuple]:
    """Pairs of nodes whose boxes are closer than GAP."""
    return [(a, b) for a, b, _, _ in _pairs(where, boxes)] if where else []


def separate(
    where: Mapping[Hashable, tuple[float, float]], boxes: Mapping[Hashable, Box]
) -> dict[Hashable, tuple[float, float]]:
    """New positions, near the given ones, where no two boxes come closer than GAP."""
    pos = {n: [float(x), float(y)] for n, (x, y) in where.items()}
    if len(pos) < 2:
        return {n: (x, y) for n, (x, y) in pos.items()}
    order = {n: i for i, n in enumerate(pos)}
    rounds = 0
    while True:
        pairs = _pairs({n: (p[0], p[1]) for n, p in pos.items()}, boxes)
        if not pairs:
            return {n: (p[0], p[1]) for n, p in pos.items()}
        rounds += 1
        if rounds % PUSH_ROUNDS == 0:  # pushing is not settling: spread everything out
            for p in pos.values():
                p[0], p[1] = p[0] * SPREAD, p[1] * SPREAD
            continue
        for a, b, dx, dy in pairs:
            pa, pb = pos[a], pos[b]
            if dx <= dy:
                sign = 1.0 if (pb[0], order[b]) > (pa[0], order[a]) else -1.0
                pa[0] -= sign * dx / 2
                pb[0] += sign * dx / 2
            else:
                sign = 1.0 if (pb[1], order[b]) > (pa[1], order[a]) else -1.0
                pa[1] -= sign * dy / 2
                pb[1] += sign * dy / 2
