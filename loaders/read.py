"""Read a force's tables (CSV, Excel, Parquet) into frames of trimmed text, nothing more.

Every cell becomes a string ("" for blank) so validation sees exactly what the export
said; Excel and Parquet dates and numbers are turned into their plain text form first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from graph.model import TABLE_ORDER, TABLES
from loaders.mapping import ColumnMapping
from loaders.problems import InputError, Problem

__all__ = ["RawTable", "read_tables"]

SUFFIXES = (".csv", ".parquet", ".xlsx")


@dataclass
class RawTable:
    """One table as read: ``frame`` columns are normalised (and mapped) header names."""

    name: str
    source: str
    frame: pd.DataFrame
    first_row: int  # the row number of frame row 0, as a person opening the file counts

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

    ``text``: the cells are already strings (CSV), so trimming is vectorised.
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
        # kept as compact Arrow-backed strings: Python objects would cost ~60 bytes a cell
        columns = {h: body.iloc[:, i].str.strip() for i, h in enumerate(header) if h}
    else:
        columns = {h: [_text(v) for v in body.iloc[:, i].tolist()] for i, h in enumerate(header) if h}
    frame = pd.DataFrame(columns) if text else pd.DataFrame(columns, dtype=object)
    frame.index = range(len(frame))
    return frame


def _read_csv(path: Path, renames: dict[str, str]) -> pd.DataFrame:
    try:
        grid = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, encoding="utf-8-sig", na_filter=False)
    except pd.errors.EmptyDataError:
        raise InputError([Problem(path.name, "empty file: no header row")]) from None
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 text (byte {exc.start}); save the export as UTF-8"
        raise InputError([Problem(path.name, reason)]) from None
    except pd.errors.ParserError as exc:
        raise InputError([Problem(path.name, f"malformed CSV: {str(exc).strip()}")]) from None
    return _frame_from_grid(grid, path.name, renames, text=True)


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


def _workbook_sheets(path: Path) -> list[str]:
    try:
        return list(pd.ExcelFile(path).sheet_names)
    except Exception as exc:
        raise InputError([Problem(path.name, f"cannot read workbook: {str(exc).splitlines()[0]}")]) from None


def _sources(folder: Path, mapping: ColumnMapping) -> tuple[dict[str, list[tuple[Path, str | None]]], list[Problem]]:
    """Where each table lives: a file of its own, or a sheet named like it in a workbook."""
    found: dict[str, list[tuple[Path, str | None]]] = {name: [] for name in TABLE_ORDER}
    problems: list[Problem] = []
    if folder.is_file():
        workbooks, folder_files = [folder], []
    elif folder.is_dir():
        folder_files = sorted(p for p in folder.iterdir() if p.is_file())
        workbooks = [p for p in folder_files if p.suffix.lower() == ".xlsx"]
    else:
        raise InputError([Problem(str(folder), "no such folder")])
    for name in TABLE_ORDER:
        wanted = mapping.files.get(name)
        for path in folder_files:
            stem_match = path.stem.lower() == name and path.suffix.lower() in SUFFIXES
            chosen = (wanted and path.name == wanted) or (not wanted and stem_match)
            is_book = path.suffix.lower() == ".xlsx"
            if chosen and (not is_book or name in _workbook_sheets(path)):
                found[name].append((path, name if is_book else None))
        if wanted and not found[name]:
            problems.append(Problem(wanted, f"mapped file for table {name} not found"))
    for book in workbooks:
        for sheet in _workbook_sheets(book):
            name = sheet.strip().lower()
            if name in found and (book, sheet) not in found[name] and book.stem.lower() != name:
                found[name].append((book, sheet))
    return found, problems


def read_tables(folder: Path, mapping: ColumnMapping | None = None) -> dict[str, RawTable]:
    """Read every table of the contract found in ``folder`` (or one workbook)."""
    mapping = mapping or ColumnMapping()
    sources, problems = _sources(folder, mapping)
    tables: dict[str, RawTable] = {}
    for name in TABLE_ORDER:
        places = sources[name]
        if len(places) > 1:
            where = " and ".join(p.name + (f"[{s}]" if s and p.suffix == ".xlsx" else "") for p, s in places)
            problems.append(Problem(places[0][0].name, f"table {name} found twice: {where}; keep one"))
            continue
        if not places:
            if TABLES[name].required:
                problems.append(Problem(f"{name}.csv", f"required table {name} not found in {folder.name}"))
            continue
        path, sheet = places[0]
        renames = mapping.renames(name)
        try:
            if sheet is not None:
                frame, source, first = _read_sheet(path, sheet, renames), f"{path.name}[{sheet}]", 2
            elif path.suffix.lower() == ".parquet":
                frame, source, first = _read_parquet(path, renames), path.name, 1
            else:
                frame, source, first = _read_csv(path, renames), path.name, 2
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        tables[name] = RawTable(name, source, frame, first)
    if problems:
        raise InputError(problems)
    return tables
