"""Load a folder of tables into a store: read, validate, then one atomic replace.

Everything that can refuse the load happens before the store's swap: reading and
validation, a table the store had that the export lost (``allow_empty``), and writing
the rejects file (fsynced), so a committed load never lacks its rejects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from coi.graph.files import fsync_dir, output_problem, write_csv_atomic
from coi.graph.model import TABLE_ORDER
from coi.graph.store import GraphStore, LoadSummary
from coi.loaders.mapping import load_mapping
from coi.loaders.problems import InputError, Problem
from coi.loaders.read import read_tables
from coi.loaders.validate import Validation, validate

__all__ = ["LoadOptions", "check_folder", "load_folder"]

REJECT_HEADER = ("file", "row", "column", "value", "reason", "record")


@dataclass(frozen=True)
class LoadOptions:
    dayfirst: bool = False
    mapping: Path | None = None
    skip_invalid: bool = False
    rejects: Path | None = None
    ignore: frozenset[str] = frozenset()  # files that look like tables, acknowledged as not part of the export
    allow_empty: frozenset[str] = frozenset()  # tables the store had that this export may empty


def check_folder(folder: Path, options: LoadOptions = LoadOptions()) -> Validation:
    """Read and validate without writing anything."""
    if options.skip_invalid and options.rejects is None:
        raise InputError([Problem(str(folder), "--skip-invalid needs --rejects FILE so no row is lost silently")])
    unknown = sorted(options.allow_empty - set(TABLE_ORDER))
    if unknown:
        raise InputError([Problem(", ".join(unknown), f"--allow-empty takes table names: {', '.join(TABLE_ORDER)}")])
    raw, warnings = read_tables(folder, load_mapping(options.mapping), options.ignore)
    return validate(raw, options.dayfirst, options.skip_invalid, warnings)


def _write_rejects(path: Path, result: Validation) -> None:
    rows = (
        (p.file, p.row, p.column or "", p.value or "", p.reason, json.dumps(record, ensure_ascii=False))
        for p, record in result.rejected
    )
    try:
        write_csv_atomic(path, REJECT_HEADER, rows)  # synced before it is swapped in
        if path.is_file():
            fsync_dir(path.parent)  # and its directory entry, strictly: the swap comes next
    except OSError as exc:
        raise InputError([Problem(str(path), f"rejects file cannot be written: {exc.strerror or exc}")]) from None


def _emptied(summary: LoadSummary, allowed: frozenset[str]) -> tuple[list[Problem], list[Problem]]:
    """Tables the store had that this export empties: (refused, allowed) as problems/warnings."""
    refused, warned = [], []
    for name, change in summary.tables.items():
        total = change.added + change.changed + change.unchanged
        if total == 0 and change.removed > 0:
            where = f"table {name}"
            if name in allowed:
                warned.append(Problem(where, f"0 rows, {change.removed} removed (allowed by --allow-empty {name})"))
            else:
                reason = (
                    f"0 rows, {change.removed} removed: the export has no {name} but the store holds "
                    f"{change.removed}; pass --allow-empty {name} if it really has none now"
                )
                refused.append(Problem(where, reason))
    return refused, warned


def load_folder(folder: Path, store: GraphStore, options: LoadOptions = LoadOptions(), progress=None) -> LoadSummary:
    """Validate ``folder`` and make ``store`` hold exactly it; raise InputError on bad input.

    All-or-nothing unless ``options.skip_invalid``: then valid rows load and every
    rejected row is written, with its reason, to ``options.rejects`` before the swap.
    """
    if options.rejects is not None:
        store_file = getattr(store, "path", None)
        reason = output_problem(options.rejects, [store_file] if store_file else [])
        if reason:
            raise InputError([Problem(str(options.rejects), f"rejects file {reason}")])
    result = check_folder(folder, options)
    if result.problems:
        raise InputError(result.problems, result.warnings)
    result.dataset.source = folder.name
    allowed: list[Problem] = []

    def before_commit(summary: LoadSummary) -> None:
        refused, warned = _emptied(summary, options.allow_empty)
        if refused:
            raise InputError(refused, result.warnings + warned)
        allowed.extend(warned)
        if options.skip_invalid and options.rejects is not None:
            _write_rejects(options.rejects, result)

    summary = store.replace(result.dataset, progress, before_commit)
    summary.rejected = result.rejected_rows
    summary.warnings = [*result.warnings, *allowed]
    summary.postings_ended_on_left_on = result.postings_ended_on_left_on
    return summary
