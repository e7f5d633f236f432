"""A unit's postings indexed by their days: "which postings of this unit overlap these days?"

In a crowded unit (hundreds of officers at once, decades of history) comparing postings
pair by pair costs millions of date comparisons per audit month. :class:`UnitPostings`
keeps a unit's postings in posting-id order (the order evidence is chosen in) beside two
arrays of day numbers, so one overlap query is a vectorised comparison that returns the
matching postings in that same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from coi.graph.model import Posting

if TYPE_CHECKING:
    import numpy as np

__all__ = ["FEW", "UnitPostings"]

#: up to this many postings, a unit is scanned in Python rather than compared as arrays
FEW = 32

#: day number of an ongoing posting's end (after any real date)
_OPEN = date.max.toordinal() + 1


class UnitPostings:
    """Postings of one unit, by posting id, with start and end day numbers for overlap queries.

    The test is the store's: a posting overlaps [first, last] when it starts by ``last`` and
    has not ended before ``first`` (a load refuses postings that end before they start).
    A unit of a few postings (most supervisor indexes) is scanned in Python instead: there a
    vectorised comparison costs more to set up than it saves.
    """

    __slots__ = ("_ends", "_few", "_officers", "_starts", "postings", "supervisors")

    def __init__(self, postings: Sequence[Posting], supervisors: bool = True) -> None:
        import numpy as np  # here, not at import: every command imports queries, few build an index

        self.postings = list(postings)
        #: the unit's supervisor postings, indexed alike (few: a unit's heads over the years)
        self.supervisors = UnitPostings([p for p in self.postings if p.supervisor], False) if supervisors else None
        days = [(p.start_date.toordinal(), p.end_date.toordinal() if p.end_date else _OPEN) for p in self.postings]
        self._few = (
            [(p, start, end) for p, (start, end) in zip(self.postings, days, strict=True)] if len(days) <= FEW else None
        )
        n = len(self.postings)
        self._starts = np.fromiter((start for start, _ in days), np.int64, n)
        self._ends = np.fromiter((end for _, end in days), np.int64, n)
        self._officers = np.array([p.officer_id for p in self.postings], dtype=object)

    def overlapping(self, first: date, last: date) -> np.ndarray:
        """Positions (in posting-id order) of the postings sharing a day with [first, last]."""
        return ((self._starts <= last.toordinal()) & (self._ends >= first.toordinal())).nonzero()[0]

    def postings_overlapping(self, first: date, last: date) -> list[Posting]:
        """The postings sharing a day with [first, last], by posting id."""
        if self._few is not None:
            low, high = first.toordinal(), last.toordinal()
            return [p for p, start, end in self._few if start <= high and end >= low]
        postings = self.postings
        return [postings[i] for i in self.overlapping(first, last).tolist()]

    def officers_overlapping(self, first: date, last: date) -> list[str]:
        """The officer of each posting sharing a day with [first, last] (repeats kept)."""
        if self._few is not None:
            return [p.officer_id for p in self.postings_overlapping(first, last)]
        return self._officers[self.overlapping(first, last)].tolist()
