"""Read a force's tables (CSV, Excel, Parquet) into frames of trimmed text, nothing more.

Every cell becomes a string ("" for blank) so validation sees exactly what the export
said; Excel and Parquet dates and numbers are turned into their plain text form first.
Rows of a CSV with the wrong number of fields are kept in their place and reported
(``RawTable.bad_rows``); which files hold the tables is decided in ``loaders/sources.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from graph.model import TABLE_ORDER, TABLES
from loaders.csv_grid import field_count_reason, read_csv_grid
from loaders.mapping import ColumnMapping
from loaders.problems import InputError, Problem
from loaders.sources import find_sources

__all__ = ["RawTable", "read_tables"]


@dataclass
class RawTable:
    """One table as read: ``frame`` columns are normalised (and mapped) header names."""

    name: str
    source: str
    frame: pd.DataFrame
    first_row: int  # the row number of frame row 0, as a person opening the file counts
    bad_rows: dict[int, Problem] = field(default_factory=dict)  # frame position -> why the row is refused

    def row_number(self, position: int) -> int:
        return self.first_row + position


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, datetime | pd.Timestamp):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _frame_from_grid(grid: pd.DataFrame, source: str, renames: dict[str, str], text: bool = False) -> pd.DataFrame:
    """First row of ``grid`` is the header; the rest become trimmed text columns.

    ``text``: the cells are already trimmed strings (CSV), kept as compact Arrow-backed
    columns (Python objects would cost ~60 bytes a cell).
    """
    if grid.shape[0] == 0:
        raise InputError([Problem(source, "empty file: no header row")])
    header = [_text(h).lstrip("\ufeff").strip().lower() for h in grid.iloc[0].tolist()]
    header = [renames.get(h, h) for h in header]
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise InputError([Problem(source, f"column {column!r} appears twice in the header")])
        seen.add(column)
    body = grid.iloc[1:]
    if text:
        columns = {h: body.iloc[:, i] for i, h in enumerate(header) if h}
    else:
        columns = {h: [_text(v) for v in body.iloc[:, i].tolist()] for i, h in enumerate(header) if h}
    frame = pd.DataFrame(columns) if text else pd.DataFrame(columns, dtype=object)
    frame.index = range(len(frame))
    return frame


def _read_csv(path: Path, renames: dict[str, str]) -> tuple[pd.DataFrame, dict[int, Problem]]:
    grid, odd = read_csv_grid(path)
    frame = _frame_from_grid(grid, path.name, renames, text=True)
    width = grid.shape[1]
    # grid row 0 is the header (spreadsheet row 1), so frame position = row - 2
    bad = {r.row - 2: Problem(path.name, field_count_reason(r, width), r.row, value=r.text) for r in odd}
    return frame, bad


def _read_parquet(path: Path, renames: dict[str, str]) -> pd.DataFrame:
    try:
        table = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for a bad file
        raise InputError([Problem(path.name, f"cannot read Parquet: {str(exc).splitlines()[0]}")]) from None
    grid = pd.DataFrame([list(table.columns), *table.astype(object).values.tolist()])
    return _frame_from_grid(grid, path.name, renames)


def _read_sheet(path: Path, sheet: str, renames: dict[str, str]) -> pd.DataFrame:
    source = f"{path.name}[{sheet}]"
    grid = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object)
    return _frame_from_grid(grid, source, renames)


def _read_one(name: str, path: Path, sheet: str | None, mapping: ColumnMapping) -> RawTable:
    renames = mapping.renames(name)
    try:
        if sheet is not None:
            return RawTable(name, f"{path.name}[{sheet}]", _read_sheet(path, sheet, renames), 2)
        if path.suffix.lower() == ".parquet":
            return RawTable(name, path.name, _read_parquet(path, renames), 1)
        frame, bad = _read_csv(path, renames)
        return RawTable(name, path.name, frame, 2, bad)
    except OSError as exc:  # e.g. an I/O error, or the file went away after it was found
        raise InputError([Problem(path.name, f"cannot read table {name}: {exc.strerror or exc}")]) from None


def read_tables(
    folder: Path, mapping: ColumnMapping | None = None, ignore: frozenset[str] = frozenset()
) -> tuple[dict[str, RawTable], list[Problem]]:
    """Read every table of the contract found in ``folder`` (or one workbook); return it and warnings."""
    mapping = mapping or ColumnMapping()
    sources = find_sources(folder, mapping, ignore)
    problems = list(sources.problems)
    tables: dict[str, RawTable] = {}
    for name in TABLE_ORDER:
        places = sources.places[name]
        if len(places) > 1:
            where = " and ".join(p.name + (f"[{s}]" if s and p.suffix == ".xlsx" else "") for p, s in places)
            problems.append(Problem(places[0][0].name, f"table {name} found twice: {where}; keep one"))
            continue
        if not places:
            named = any(p.reason.startswith(f"cannot read table {name}:") for p in sources.problems)
            if TABLES[name].required and not named:
                problems.append(Problem(f"{name}.csv", f"required table {name} not found in {folder.name}"))
            continue
        path, sheet = places[0]
        try:
            tables[name] = _read_one(name, path, sheet, mapping)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems, sources.warnings)
    return tables, sources.warnings
