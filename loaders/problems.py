"""A problem found in an input file: where (file, row, column), what value, and why."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["InputError", "Problem"]


@dataclass(frozen=True)
class Problem:
    """One defect. ``row`` is the row number a spreadsheet shows (header = row 1)."""

    file: str
    reason: str
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f", column {self.column}"
        if self.value not in (None, ""):
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            where += f", value {shown!r}"
        return f"{where}: {self.reason}"


class InputError(ValueError):
    """Input that cannot be loaded; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "invalid input"
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(first + more)
