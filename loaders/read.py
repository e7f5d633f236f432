"""Read a force's tables (CSV, Excel, Parquet) into frames of trimmed text, as the mapping says.

Every cell becomes a string ("" for blank) so validation sees exactly what the export
said; Excel and Parquet dates and numbers are turned into their plain text form first.
Rows of a CSV with the wrong number of fields are kept in their place and reported
(``RawTable.bad_rows``); which files hold the tables is decided in ``loaders/sources.py``,
what the mapping does to each source in ``loaders/shape.py``. A table with several
sources is their union, in the mapping's order.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from coi.graph.model import TABLE_ORDER, TABLES
from coi.loaders.csv_grid import CsvDialect, field_count_reason, read_csv_grid, sniff_delimiter
from coi.loaders.mapping import ColumnMapping, SourceSpec
from coi.loaders.problems import InputError, Problem
from coi.loaders.raw import Part, RawTable
from coi.loaders.shape import Shaped, shape_source
from coi.loaders.sources import find_sources

__all__ = ["RawTable", "read_tables"]


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


Grid = tuple[pd.DataFrame, dict[str, str], int, dict[int, Problem]]  # frame, headers as written, first row, bad rows


def _frame_from_grid(grid: pd.DataFrame, source: str, header_row: int = 1, text: bool = False):
    """Row ``header_row`` (1-based) of ``grid`` is the header; the rest become trimmed text columns.

    Returns the frame (columns: normalised headers) and normalised -> header as written.
    ``text``: the cells are already trimmed strings (CSV), kept as compact Arrow-backed
    columns (Python objects would cost ~60 bytes a cell).
    """
    if grid.shape[0] < header_row:
        raise InputError(
            [Problem(source, "empty file: no header row" + (f" at row {header_row}" if header_row > 1 else ""))]
        )
    written_header = [_text(h).lstrip("\ufeff").strip() for h in grid.iloc[header_row - 1].tolist()]
    header = [h.lower() for h in written_header]
    seen: set[str] = set()
    for column, as_written in zip(header, written_header, strict=True):
        if column in seen:
            raise InputError([Problem(source, f"column {as_written!r} appears twice in the header")])
        seen.add(column)
    body = grid.iloc[header_row:]
    if text:
        columns = {h: body.iloc[:, i] for i, h in enumerate(header) if h}
    else:
        columns = {h: [_text(v) for v in body.iloc[:, i].tolist()] for i, h in enumerate(header) if h}
    frame = pd.DataFrame(columns) if text else pd.DataFrame(columns, dtype=object)
    frame.index = range(len(frame))
    written = {h: w for h, w in zip(header, written_header, strict=True) if h}
    return frame, written


def _read_csv(path: Path, spec: SourceSpec, notes: list[Problem]) -> Grid:
    skip = spec.header_row - 1
    delimiter = spec.delimiter
    if delimiter is None:
        delimiter = sniff_delimiter(path, CsvDialect(",", spec.encoding, skip))
        if delimiter != ",":
            shown = "tab" if delimiter == "\t" else repr(delimiter)
            code = "\\t" if delimiter == "\t" else delimiter
            notes.append(
                Problem(
                    path.name,
                    f"read with {shown} as the delimiter (the header has no commas); "
                    f'say delimiter = "{code}" in the mapping to confirm it',
                )
            )
    grid, odd = read_csv_grid(path, CsvDialect(delimiter, spec.encoding, skip))
    frame, written = _frame_from_grid(grid, path.name, text=True)
    width = grid.shape[1]
    first = spec.header_row + 1
    bad = {r.row - first: Problem(path.name, field_count_reason(r, width), r.row, value=r.text) for r in odd}
    return frame, written, first, bad


def _read_parquet(path: Path) -> Grid:
    try:
        table = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for a bad file
        raise InputError([Problem(path.name, f"cannot read Parquet: {str(exc).splitlines()[0]}")]) from None
    grid = pd.DataFrame([list(table.columns), *table.astype(object).values.tolist()])
    return (*_frame_from_grid(grid, path.name), 1, {})


def _read_sheet(path: Path, sheet: str, header_row: int) -> Grid:
    source = f"{path.name}[{sheet}]"
    grid = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object)
    return (*_frame_from_grid(grid, source, header_row), header_row + 1, {})


def _read_grid(name: str, path: Path, sheet: str | None, spec: SourceSpec, notes: list[Problem]) -> Grid:
    try:
        if sheet is not None:
            return _read_sheet(path, sheet, spec.header_row)
        if path.suffix.lower() == ".parquet":
            return _read_parquet(path)
        return _read_csv(path, spec, notes)
    except OSError as exc:  # e.g. an I/O error, or the file went away after it was found
        raise InputError([Problem(path.name, f"cannot read table {name}: {exc.strerror or exc}")]) from None


def _shaped(name: str, path: Path, sheet: str | None, spec: SourceSpec, notes: list[Problem]) -> Shaped:
    source = f"{path.name}[{sheet}]" if sheet is not None else path.name
    frame, written, first, bad = _read_grid(name, path, sheet, spec, notes)
    shaped = shape_source(TABLES[name], frame, written, Part(source, 0, first), bad, spec)
    notes.extend(Problem(source, note) for note in shaped.notes)
    return shaped


def _assemble(name: str, shaped: list[Shaped]) -> RawTable:
    """One RawTable from one or more shaped sources (their union, in order)."""
    start, parts, bad, refusals = 0, [], {}, []
    for item in shaped:
        item.part.start = start
        parts.append(item.part)
        bad.update({start + pos: problem for pos, problem in item.bad_rows.items()})
        refusals.extend((start + pos, column, reason) for pos, column, reason in item.refusals)
        start += len(item.frame)
    frames = [s.frame for s in shaped]
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True).fillna("")
    raw = RawTable(name, parts[0].source, frame, parts[0].first_row, bad, parts)
    raw.structural = [Problem(s.part.source, reason) for s in shaped for reason in s.structural]
    for pos, column, reason in refusals:
        raw.row_problems.setdefault(pos, []).append(raw.problem(pos, column, reason))
        raw.flagged.add((pos, column))
    return raw


def _read_table(name: str, places: list[tuple[Path, str | None, SourceSpec]], notes: list[Problem]) -> RawTable:
    shaped, problems = [], []
    for path, sheet, spec in places:
        try:
            shaped.append(_shaped(name, path, sheet, spec, notes))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return _assemble(name, shaped)


def read_tables(
    folder: Path, mapping: ColumnMapping | None = None, ignore: frozenset[str] = frozenset()
) -> tuple[dict[str, RawTable], list[Problem]]:
    """Read every table of the contract found in ``folder`` (or one workbook); return it and warnings."""
    mapping = mapping or ColumnMapping()
    sources = find_sources(folder, mapping, ignore)
    problems = list(sources.problems)
    notes = list(sources.warnings)
    tables: dict[str, RawTable] = {}
    for name in TABLE_ORDER:
        if name in sources.mapped:
            places = sources.mapped[name]
        else:
            found = sources.places[name]
            spec = (mapping.specs(name) or (SourceSpec(),))[0]
            places = [(path, sheet, spec) for path, sheet in found]
            if len(found) > 1:
                where = " and ".join(p.name + (f"[{s}]" if s and p.suffix == ".xlsx" else "") for p, s in found)
                problems.append(Problem(found[0][0].name, f"table {name} found twice: {where}; keep one"))
                continue
        if not places:
            named = any(p.reason.startswith(f"cannot read table {name}:") for p in sources.problems)
            if TABLES[name].required and not named and name not in sources.mapped:
                problems.append(Problem(f"{name}.csv", f"required table {name} not found in {folder.name}"))
            continue
        try:
            tables[name] = _read_table(name, places, notes)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems, notes)
    return tables, notes
