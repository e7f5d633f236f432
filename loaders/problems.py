"""A problem found in an input file: where (file, row, column), what value, and why."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["InputError", "Problem"]


@dataclass(frozen=True)
class Problem:
    """One defect (or, in a list of warnings, one data-quality note).

    ``row`` is the row number a spreadsheet shows (header = row 1). ``listed`` is False for
    a row that is refused for a reason already listed once on another row (every unit of
    one hierarchy cycle): it goes to the rejects file but is not listed again.
    """

    file: str
    reason: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    listed: bool = field(default=True, compare=False)

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

    def to_dict(self) -> dict[str, str | int | None]:
        return {"file": self.file, "row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


class InputError(ValueError):
    """Input that cannot be loaded; carries every problem found (and any warnings), not just the first."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None) -> None:
        self.problems = problems
        self.warnings = list(warnings or [])
        first = str(problems[0]) if problems else "invalid input"
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(first + more)
