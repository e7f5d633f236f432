"""What `coi validate` tells the user: problems grouped by file and kind, with counts.

Every problem and warning is kept (``--json`` and ``--problems FILE`` carry all of them);
people see each group's count and its first rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Group", "group", "kind_of"]


@dataclass
class Group:
    severity: str
    file: str
    column: str | None
    kind: str
    items: list[Any] = field(default_factory=list)

    def to_dict(self, shown: int) -> dict[str, Any]:
        rows = [p.row for p in self.items if p.row is not None]
        return {
            "severity": self.severity,
            "file": self.file,
            "column": self.column,
            "kind": self.kind,
            "count": len(self.items),
            "rows": rows[:shown] if shown else rows,
        }


def kind_of(reason: str) -> str:
    """A problem's reason with its particulars (quoted values, ids, row numbers) blanked out.

    >>> kind_of("1 row(s) dropped by the mapping's filter: Status is 'Withdrawn'")
    "1 row(s) dropped by the mapping's filter: Status is '…'"

    >>> kind_of("posting rejected: officer W1004 rejected at officers.csv row 5")
    'posting rejected: officer … rejected at …'
    >>> kind_of("unknown unit id: did you mean 'NRA'? (this one has full-width characters)")
    "unknown unit id: did you mean '…'? (this one has full-width characters)"
    """
    reason = re.sub(r"(?<![A-Za-z])'[^']*'", "'…'", reason)
    reason = re.sub(r"\b(officer|unit|person|case) \S+ rejected at .*$", r"\1 … rejected at …", reason)
    reason = re.sub(r"\bof officer \S+", "of officer …", reason)
    return re.sub(r"\d{4}-\d{2}-\d{2}", "…", reason)


def group(severity: str, items: Sequence[Any]) -> list[Group]:
    """Items grouped by (file, column, kind), in the order each group first appears."""
    groups: dict[tuple[str, str | None, str], Group] = {}
    for item in items:
        key = (item.file, item.column, kind_of(item.reason))
        if key not in groups:
            groups[key] = Group(severity, *key)
        groups[key].items.append(item)
    return list(groups.values())
