"""A table as read: one frame of trimmed text, made of one or more parts (files or sheets).

Each part remembers where its rows came from, so every problem names the user's file (or
sheet), the user's row number (title lines and header counted, filtered rows skipped)
and the user's header, with the contract's column in brackets: ``Warrant No [officer_id]``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from coi.loaders.problems import Problem

__all__ = ["CONSTANT", "Part", "RawTable"]

CONSTANT = "(mapping constant)"


@dataclass
class Part:
    """The rows of one source: frame positions ``start`` onwards."""

    source: str
    start: int
    first_row: int  # the user's row number of the part's first row
    rows: np.ndarray | None = None  # per row its user's row number, when rows were filtered out
    headers: dict[str, str] = field(default_factory=dict)  # contract column -> the export's header (or CONSTANT)
    originals: dict[str, pd.Series] = field(default_factory=dict)  # export values of columns the mapping changed

    def row_number(self, local: int) -> int:
        return int(self.rows[local]) if self.rows is not None else self.first_row + local


@dataclass
class RawTable:
    """One table as read: ``frame`` columns are the contract's (mapped) names and extra headers.

    ``row_problems`` are refusals found while mapping values (a value missing from a value
    map, a date not in its format); ``flagged`` the (position, column) cells they cover, so
    validation does not refuse the same cell twice. ``structural`` problems (a missing
    column) mean the table cannot be checked row by row.
    """

    name: str
    source: str
    frame: pd.DataFrame
    first_row: int  # the row number of frame row 0, as a person opening the file counts
    bad_rows: dict[int, Problem] = field(default_factory=dict)  # frame position -> why the row is refused
    parts: list[Part] = field(default_factory=list)
    row_problems: dict[int, list[Problem]] = field(default_factory=dict)
    flagged: set[tuple[int, str]] = field(default_factory=set)
    structural: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.parts:
            self.parts = [Part(self.source, 0, self.first_row)]
        self._starts = [p.start for p in self.parts]

    def part(self, position: int) -> Part:
        return self.parts[bisect.bisect_right(self._starts, position) - 1]

    def row_number(self, position: int) -> int:
        part = self.part(position)
        return part.row_number(position - part.start)

    def where(self, position: int) -> str:
        """The file (or ``BOOK.xlsx[sheet]``) a row came from."""
        return self.part(position).source

    def label(self, position: int, column: str | None) -> str | None:
        """The user's header for a contract column, with the contract's name in brackets."""
        if column is None:
            return None
        header = self.part(position).headers.get(column)
        if header is None or header == column:
            return column
        return f"{column} {header}" if header == CONSTANT else f"{header} [{column}]"

    def value(self, position: int, column: str | None) -> str | None:
        """What the export said in that cell (before the mapping changed it)."""
        if column is None or column not in self.frame.columns:
            return None
        part = self.part(position)
        original = part.originals.get(column)
        if original is not None:
            return str(original.iat[position - part.start])
        return str(self.frame.at[position, column])

    def problem(self, position: int, column: str | None, reason: str, listed: bool = True) -> Problem:
        """A problem on one cell, in the user's terms."""
        return Problem(
            self.where(position),
            reason,
            self.row_number(position),
            self.label(position, column),
            self.value(position, column),
            listed,
        )
