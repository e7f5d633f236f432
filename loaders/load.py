"""Load a folder of tables into a store: read, validate, then one atomic replace."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from graph.files import write_csv_atomic
from graph.store import GraphStore, LoadSummary
from loaders.mapping import load_mapping
from loaders.problems import InputError, Problem
from loaders.read import read_tables
from loaders.validate import Validation, validate

__all__ = ["LoadOptions", "check_folder", "load_folder"]

REJECT_HEADER = ("file", "row", "column", "value", "reason", "record")


@dataclass(frozen=True)
class LoadOptions:
    dayfirst: bool = False
    mapping: Path | None = None
    skip_invalid: bool = False
    rejects: Path | None = None


def check_folder(folder: Path, options: LoadOptions = LoadOptions()) -> Validation:
    """Read and validate without writing anything."""
    if options.skip_invalid and options.rejects is None:
        raise InputError([Problem(str(folder), "--skip-invalid needs --rejects FILE so no row is lost silently")])
    raw = read_tables(folder, load_mapping(options.mapping))
    return validate(raw, options.dayfirst, options.skip_invalid)


def load_folder(folder: Path, store: GraphStore, options: LoadOptions = LoadOptions(), progress=None) -> LoadSummary:
    """Validate ``folder`` and make ``store`` hold exactly it; raise InputError on bad input.

    All-or-nothing unless ``options.skip_invalid``: then valid rows load and every
    rejected row is written, with its reason, to ``options.rejects``.
    """
    result = check_folder(folder, options)
    if result.problems:
        raise InputError(result.problems)
    result.dataset.source = folder.name
    summary = store.replace(result.dataset, progress)
    summary.rejected = result.rejected_rows
    if options.skip_invalid and options.rejects is not None:
        write_csv_atomic(
            options.rejects,
            REJECT_HEADER,
            (
                (p.file, p.row, p.column or "", p.value or "", p.reason, json.dumps(record, ensure_ascii=False))
                for p, record in result.rejected
            ),
        )
    return summary
