"""What `coi load` tells the user: problems (all of them when asked), warnings, the summary.

Problems and warnings go to stderr one line each (``error: ...`` / ``warning: ...``), up
to ``--max-errors`` of each (0 = all); ``--json`` carries every one of them, and
``--problems FILE`` writes every one to a CSV. A future ``coi validate`` can reuse this.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import typer

from coi import exitcodes
from coi.graph.files import write_csv_atomic
from coi.graph.store import LoadSummary
from coi.output import Output

__all__ = ["PROBLEMS_HEADER", "print_summary", "refuse", "show_lines", "summary_document", "write_problems"]

PROBLEMS_HEADER = ("severity", "file", "row", "column", "value", "reason")


def write_problems(path: Path | None, problems: Sequence[Any], warnings: Sequence[Any]) -> None:
    """Every problem and warning as CSV rows (header only when there are none)."""
    if path is None:
        return
    rows = [("error", p) for p in problems] + [("warning", w) for w in warnings]
    write_csv_atomic(
        path,
        PROBLEMS_HEADER,
        ((kind, p.file, p.row or "", p.column or "", p.value or "", p.reason) for kind, p in rows),
    )


def show_lines(out: Output, kind: str, items: Sequence[Any], limit: int) -> None:
    """Up to ``limit`` (0 = all) lines ``kind: item`` on stderr, then how many were left out."""
    shown = items if limit == 0 else items[:limit]
    for item in shown:
        out.note(f"{kind}: {item}")
    more = len(items) - len(shown)
    if more > 0:
        noun = "problems" if kind == "error" else "warnings"
        out.note(f"{kind}: ... and {more} more {noun} (--max-errors 0 shows all; --problems FILE writes all)")


def refuse(
    out: Output, problems: Sequence[Any], warnings: Sequence[Any], limit: int, problems_file: Path | None
) -> NoReturn:
    """Report a refused load (nothing was written) and exit BAD_DATA."""
    write_problems(problems_file, problems, warnings)
    show_lines(out, "warning", warnings, limit)
    show_lines(out, "error", problems, limit)
    if out.json_mode:
        out.json(
            {
                "loaded": False,
                "problem_count": len(problems),
                "problems": [p.to_dict() for p in problems],
                "warnings": [w.to_dict() for w in warnings],
            }
        )
    out.note(f"error: {len(problems)} problem(s) found; nothing was written")
    raise typer.Exit(exitcodes.BAD_DATA)


def summary_document(summary: LoadSummary, where: str) -> dict[str, Any]:
    return {
        "loaded": True,
        "store": where,
        "data_version": summary.data_version,
        "rejected": summary.rejected,
        "tables": {name: vars(change) for name, change in summary.tables.items()},
        "previous_store_unreadable": summary.previous_unreadable or None,
        "postings_ended_on_left_on": summary.postings_ended_on_left_on,
        "warnings": [w.to_dict() for w in summary.warnings],
    }


def print_summary(out: Output, summary: LoadSummary, where: str, extra: dict | None = None) -> None:
    """The one JSON document, or the summary line for people."""
    if out.json_mode:
        out.json({**summary_document(summary, where), **(extra or {})})
        return
    t = summary.totals()
    out.print(
        f"Loaded into {where}: {t.added} added, {t.changed} changed, {t.unchanged} unchanged, "
        f"{t.removed} removed, {summary.rejected} rejected (data version {summary.data_version})."
    )
