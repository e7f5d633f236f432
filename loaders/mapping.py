"""Mapping files: how a force's own export becomes the contract's tables (docs/mapping.md).

A small TOML or YAML file. Version 1 only names files and renames columns::

    [files]
    officers = "staff_export.csv"      # which file holds a table ("HR.xlsx#Staff List": a sheet)
    [columns.officers]
    officer_id = "Warrant No"          # contract column = the export's header

Version 2 gives each table one or more *sources* (a table is the union of its sources),
each with its own file, CSV dialect, header row, columns, constants, value maps, id
templates, date formats and row filters::

    [[sources.assignments]]
    file = "accused.csv"
    delimiter = ";"
    columns = { case_id = "Case Ref", person_id = "Warrant No" }
    constants = { role = "subject" }
    ids = { person_id = "O{}" }

Everything is checked here, before any export is read: every problem names the mapping
file and the key it is under.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from coi.graph.model import TABLES
from coi.loaders.problems import InputError, Problem

__all__ = ["ColumnMapping", "DateRule", "SourceSpec", "ValueMap", "load_mapping", "split_place"]

SOURCE_KEYS = (
    "file",
    "delimiter",
    "encoding",
    "header_row",
    "columns",
    "constants",
    "values",
    "ids",
    "dates",
    "filter",
)
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
#: reserved keys of a value map
DEFAULT, UNMAPPED = "_default", "_unmapped"


@dataclass(frozen=True)
class ValueMap:
    """Export value (trimmed, lower case) -> contract value; what to do with the others."""

    values: dict[str, str]
    default: str | None = None  # the value for an unmapped one
    keep_unmapped: bool = False  # keep unmapped values as they are (the contract's checks still apply)


@dataclass(frozen=True)
class DateRule:
    """How one date column is written: a strptime format, ``excel`` serials, or the contract's form."""

    format: str | None = None
    open: tuple[str, ...] = ()  # values meaning "still open" (read as blank)


@dataclass(frozen=True)
class SourceSpec:
    """One file (or sheet) that holds rows of a table, and how to read them."""

    file: str | None = None  # None: the table's own file (``officers.csv``, a sheet ``officers``)
    sheet: str | None = None
    delimiter: str | None = None  # None: sniffed
    encoding: str | None = None  # None: UTF-8 (a BOM is allowed)
    header_row: int = 1
    columns: dict[str, str] = field(default_factory=dict)  # contract column -> the export's header
    constants: dict[str, str] = field(default_factory=dict)
    values: dict[str, ValueMap] = field(default_factory=dict)
    ids: dict[str, tuple[str, str]] = field(default_factory=dict)  # contract column -> (prefix, suffix)
    dates: dict[str, DateRule] = field(default_factory=dict)
    drop_when: dict[str, tuple[str, ...]] = field(default_factory=dict)  # export header -> values (any case)
    drop_blank: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return (self.file or "") + (f"#{self.sheet}" if self.sheet else "")

    def renames(self) -> dict[str, str]:
        """Normalised export header -> contract column."""
        return {export.strip().lower(): contract for contract, export in self.columns.items()}


@dataclass(frozen=True)
class ColumnMapping:
    """Per table its sources; a table without any is read from its own file, as the contract says."""

    sources: dict[str, tuple[SourceSpec, ...]] = field(default_factory=dict)
    name: str = ""

    def specs(self, table: str) -> tuple[SourceSpec, ...]:
        return self.sources.get(table, ())

    def named_files(self, table: str) -> list[SourceSpec]:
        return [s for s in self.specs(table) if s.file is not None]


def split_place(text: str) -> tuple[str, str | None]:
    """``"HR.xlsx#Staff List"`` -> ``("HR.xlsx", "Staff List")``; other names have no sheet.

    >>> split_place("HR.xlsx#Staff List"), split_place("a#b.csv")
    (('HR.xlsx', 'Staff List'), ('a#b.csv', None))
    """
    book, sep, sheet = text.rpartition("#")
    if sep and book.lower().endswith(".xlsx") and sheet.strip():
        return book, sheet
    return text, None


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
        return yaml.safe_load(text) if path.suffix.lower() in (".yaml", ".yml") else tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError([Problem(path.name, f"cannot read mapping: {reason}")]) from exc


class _Checker:
    """Collects every problem of one mapping file, each naming the key it is under."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[Problem] = []

    def bad(self, where: str, reason: str) -> None:
        self.problems.append(Problem(self.name, f"{where}: {reason}"))

    def text(self, where: str, value: Any) -> str | None:
        """A scalar as text (YAML may give numbers or booleans); None after reporting a problem."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str | int | float):
            return str(value)
        self.bad(where, f"expected a text value, got {type(value).__name__}")
        return None

    def table(self, where: str, value: Any) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.bad(where, "expected a table of key = value pairs")
            return {}
        return value

    def columns_of(self, where: str, table: str, value: Any, kinds: tuple[str, ...] = ()) -> dict[str, Any]:
        """Entries keyed by contract columns of ``table`` (of the given kinds, when given)."""
        out = {}
        for column, item in self.table(where, value).items():
            if column not in TABLES[table].columns:
                self.bad(where, f"{column!r} is not a column of {table} ({', '.join(TABLES[table].columns)})")
            elif kinds and TABLES[table].field(column).kind not in kinds:
                self.bad(where, f"{column!r} is not a {' or '.join(kinds)} column of {table}")
            else:
                out[column] = item
        return out


def _value_map(c: _Checker, where: str, raw: Any) -> ValueMap | None:
    entries = c.table(where, raw)
    values: dict[str, str] = {}
    default, keep = None, False
    for key, target in entries.items():
        if isinstance(key, bool) or not isinstance(key, str | int | float):
            c.bad(where, f"key {key!r} must be quoted text (YAML reads yes/no/on/off as booleans)")
            continue
        text = c.text(f"{where}.{key}", target)
        if text is None:
            continue
        if key == DEFAULT:
            default = text
        elif key == UNMAPPED:
            if text not in ("error", "keep"):
                c.bad(f"{where}.{UNMAPPED}", 'must be "error" (the default) or "keep"')
            keep = text == "keep"
        else:
            values[str(key).strip().lower()] = text
    return ValueMap(values, default, keep)


def _template(c: _Checker, where: str, raw: Any) -> tuple[str, str] | None:
    text = c.text(where, raw)
    if text is None:
        return None
    found = PLACEHOLDER.findall(text)
    if len(found) != 1:
        c.bad(where, f'template {text!r} needs exactly one {{}} placeholder for the export\'s id, e.g. "P{{}}"')
        return None
    prefix, _, suffix = PLACEHOLDER.sub("\0", text).partition("\0")
    return prefix, suffix


def _date_rule(c: _Checker, where: str, raw: Any) -> DateRule | None:
    entry = {"format": raw} if isinstance(raw, str) else c.table(where, raw)
    for key in set(entry) - {"format", "open"}:
        c.bad(where, f"unknown key {key!r} (expected format, open)")
    fmt = entry.get("format")
    if fmt is not None and (not isinstance(fmt, str) or (fmt != "excel" and "%" not in fmt)):
        c.bad(f"{where}.format", 'a strptime format such as "%d/%m/%Y" or "%d-%b-%y", or "excel"')
        fmt = None
    opened = entry.get("open", [])
    opened = [opened] if isinstance(opened, str) else opened
    if not isinstance(opened, list):
        c.bad(f"{where}.open", 'a list of values meaning "still open", e.g. ["9999-12-31"]')
        opened = []
    texts = [c.text(f"{where}.open", v) for v in opened]
    return DateRule(fmt, tuple(t.strip() for t in texts if t is not None))


def _filter(c: _Checker, where: str, raw: Any) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    entry = c.table(where, raw)
    for key in set(entry) - {"drop_when", "drop_blank"}:
        c.bad(where, f"unknown key {key!r} (expected drop_when, drop_blank)")
    drop_when = {}
    for header, values in c.table(f"{where}.drop_when", entry.get("drop_when")).items():
        values = values if isinstance(values, list) else [values]
        texts = [c.text(f"{where}.drop_when.{header}", v) for v in values]
        drop_when[str(header)] = tuple(t.strip() for t in texts if t is not None)
    blank = entry.get("drop_blank", [])
    blank = [blank] if isinstance(blank, str) else blank
    if not isinstance(blank, list) or not all(isinstance(b, str) for b in blank):
        c.bad(f"{where}.drop_blank", "a list of the export's headers")
        blank = []
    return drop_when, tuple(blank)


def _source(c: _Checker, table: str, where: str, raw: Any) -> SourceSpec | None:
    entry = c.table(where, raw)
    for key in set(entry) - set(SOURCE_KEYS):
        c.bad(where, f"unknown key {key!r} (expected {', '.join(SOURCE_KEYS)})")
    file = entry.get("file")
    if not isinstance(file, str) or not file.strip():
        c.bad(where, 'needs file = "NAME" (a file of the folder, or "BOOK.xlsx#Sheet name")')
        return None
    book, sheet = split_place(file.strip())
    delimiter = entry.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n'):
        c.bad(f"{where}.delimiter", 'one character, e.g. ";" or "\\t"')
        delimiter = None
    encoding = entry.get("encoding")
    if encoding is not None:
        try:
            codecs.lookup(str(encoding))
        except LookupError:
            c.bad(f"{where}.encoding", f"unknown encoding {encoding!r} (e.g. utf-8, cp1252, latin-1)")
            encoding = None
    header_row = entry.get("header_row", 1)
    if isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1:
        c.bad(f"{where}.header_row", "the 1-based row number of the header (2 when one title line is above it)")
        header_row = 1
    columns = {}
    for contract, header in c.columns_of(f"{where}.columns", table, entry.get("columns")).items():
        text = c.text(f"{where}.columns.{contract}", header)
        if text is not None:
            columns[contract] = text.strip()
    constants = {}
    for contract, value in c.columns_of(f"{where}.constants", table, entry.get("constants")).items():
        text = c.text(f"{where}.constants.{contract}", value)
        if text is not None:
            constants[contract] = text.strip()
        if contract in columns:
            c.bad(f"{where}.constants.{contract}", "is also mapped to a header in columns: give one or the other")
    values = {
        col: _value_map(c, f"{where}.values.{col}", v)
        for col, v in c.columns_of(f"{where}.values", table, entry.get("values")).items()
    }
    ids = {
        col: _template(c, f"{where}.ids.{col}", v)
        for col, v in c.columns_of(f"{where}.ids", table, entry.get("ids"), ("id", "ref")).items()
    }
    dates = {
        col: _date_rule(c, f"{where}.dates.{col}", v)
        for col, v in c.columns_of(f"{where}.dates", table, entry.get("dates"), ("date",)).items()
    }
    drop_when, drop_blank = _filter(c, f"{where}.filter", entry.get("filter"))
    return SourceSpec(
        book,
        sheet,
        delimiter,
        encoding,
        header_row,
        columns,
        constants,
        {k: v for k, v in values.items() if v},
        {k: v for k, v in ids.items() if v},
        {k: v for k, v in dates.items() if v},
        drop_when,
        drop_blank,
    )


def _version_1(c: _Checker, data: dict) -> dict[str, tuple[SourceSpec, ...]]:
    files = c.table("files", data.get("files"))
    columns = c.table("columns", data.get("columns"))
    sources: dict[str, tuple[SourceSpec, ...]] = {}
    for table, file_name in files.items():
        if table not in TABLES or not isinstance(file_name, str):
            c.bad("files", f"{table!r} is not a table name with a file name")
    for table in columns:
        if table not in TABLES or not isinstance(columns[table], dict):
            c.bad("columns", f"{table!r} is not a table name")
    for table in TABLES:
        file_name, cols = files.get(table), columns.get(table)
        if not isinstance(file_name, str) and not isinstance(cols, dict):
            continue
        renames = {}
        for contract, export in (cols or {}).items() if isinstance(cols, dict) else ():
            if contract not in TABLES[table].columns or not isinstance(export, str):
                c.bad(f"columns.{table}", f"{contract!r} is not a column of {table}")
            else:
                renames[contract] = export.strip()
        book, sheet = split_place(file_name.strip()) if isinstance(file_name, str) else (None, None)
        sources[table] = (SourceSpec(book, sheet, columns=renames),)
    return sources


def load_mapping(path: Path | None) -> ColumnMapping:
    """Read and check a mapping file; ``None`` means no mapping (every table from its own file)."""
    if path is None:
        return ColumnMapping()
    data = _read(path)
    if not isinstance(data, dict):
        raise InputError([Problem(path.name, "a mapping file holds [files], [columns.TABLE] or [[sources.TABLE]]")])
    c = _Checker(path.name)
    for section in set(data) - {"files", "columns", "sources"}:
        c.bad(section, "unknown section (expected files, columns, sources)")
    sources = _version_1(c, data)
    for table, entries in c.table("sources", data.get("sources")).items():
        if table not in TABLES:
            c.bad("sources", f"{table!r} is not a table name ({', '.join(TABLES)})")
            continue
        if table in sources:
            c.bad(f"sources.{table}", f"{table} is also in [files] or [columns.{table}]: describe it in one place")
            continue
        entries = entries if isinstance(entries, list) else [entries]
        specs = [_source(c, table, f"sources.{table}[{i + 1}]", e) for i, e in enumerate(entries)]
        if not entries:
            c.bad(f"sources.{table}", "names no source")
        sources[table] = tuple(s for s in specs if s)
    if c.problems:
        raise InputError(c.problems)
    return ColumnMapping(sources, path.name)
