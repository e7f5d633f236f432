"""Inclusive date intervals, clipping at the reference date, and the lookback window."""

from __future__ import annotations

from datetime import date, timedelta

__all__ = ["DAY", "Span", "active", "clip", "lookback_start", "overlap"]

Span = tuple[date, date]  # inclusive at both ends
DAY = timedelta(days=1)


def clip(start: date | None, end: date | None, on: date) -> Span | None:
    """The part of [start, end] known on ``on``: None if it starts after ``on``.

    A blank start (unknown) counts as always; a blank end (ongoing) runs to ``on``.

    >>> clip(date(2020, 1, 1), None, date(2021, 5, 1))
    (datetime.date(2020, 1, 1), datetime.date(2021, 5, 1))
    >>> clip(date(2022, 1, 1), None, date(2021, 5, 1)) is None
    True
    """
    first = start or date.min
    if first > on:
        return None
    return first, min(end, on) if end else on


def overlap(a: Span | None, b: Span | None) -> Span | None:
    """The days two inclusive spans share, or None.

    >>> overlap((date(2020, 1, 1), date(2020, 1, 31)), (date(2020, 1, 31), date(2020, 2, 5)))
    (datetime.date(2020, 1, 31), datetime.date(2020, 1, 31))
    >>> overlap((date(2020, 1, 1), date(2020, 1, 31)), (date(2020, 2, 1), date(2020, 2, 5))) is None
    True
    """
    if a is None or b is None:
        return None
    start, end = max(a[0], b[0]), min(a[1], b[1])
    return (start, end) if start <= end else None


def lookback_start(on: date, years: int) -> date:
    """``on`` minus ``years`` calendar years; 29 February maps to 28 February.

    >>> lookback_start(date(2024, 2, 29), 10)
    datetime.date(2014, 2, 28)
    """
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def active(start: date | None, end: date | None, on: date) -> bool:
    """Whether [start, end] contains ``on`` (blank start: always begun; blank end: open)."""
    return (start is None or start <= on) and (end is None or end >= on)
