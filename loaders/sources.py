"""Which file (or workbook sheet) holds each table, and which files only look like one.

Every entry of the folder is looked at, not only regular files: a table file that cannot
be read (a broken link, a directory, a FIFO, no permission) is a problem naming it, never
an absent table. A file whose name looks like a table's but is not read as one
(``association.csv``, ``Officers.xlsx.bak``) is a warning when that table is read from
another file, and a problem when the table would otherwise be loaded without it, unless
the user acknowledges it with ``--ignore NAME``.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from coi.graph.model import TABLE_ORDER
from coi.loaders.mapping import ColumnMapping, SourceSpec
from coi.loaders.problems import InputError, Problem

__all__ = ["SUFFIXES", "Sources", "find_sources", "looks_like", "readable"]

SUFFIXES = (".csv", ".parquet", ".xlsx")
#: other names a person might give a table's file (singular forms)
ALIASES = {
    "units": ("unit",),
    "officers": ("officer",),
    "people": ("person", "persons"),
    "postings": ("posting",),
    "cases": ("case",),
    "assignments": ("assignment",),
    "associations": ("association",),
}


@dataclass
class Sources:
    """Per table its places ``(file, sheet or None)``; problems and warnings found on the way.

    ``mapped`` holds the tables whose mapping names their files: per table every source
    ``(file, sheet or None, spec)``, read and joined in that order.
    """

    places: dict[str, list[tuple[Path, str | None]]]
    mapped: dict[str, list[tuple[Path, str | None, SourceSpec]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    sheet_look_alikes: list[tuple[str, str | None]] = field(default_factory=list)


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (names are short)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def looks_like(name: str) -> str | None:
    """The table a file or sheet name resembles, if any.

    >>> looks_like("association.csv"), looks_like("Officers.xlsx.bak"), looks_like("notes.txt")
    ('associations', 'officers', None)
    >>> looks_like("postings (1).csv"), looks_like("~$cases.xlsx"), looks_like("EXPECTED.md")
    ('postings', 'cases', None)
    """
    base = name.strip().lower().lstrip("~$.")
    stem = base.split(".", 1)[0]
    letters = re.sub(r"[^a-z]", "", stem)
    for table in TABLE_ORDER:
        for word in (table, *ALIASES[table]):
            near = _distance(letters, word) <= (1 if len(word) <= 6 else 2)
            if stem == word or letters.startswith(word) or (len(letters) >= 4 and near):
                return table
    return None


def readable(path: Path) -> str | None:
    """Why ``path`` cannot be read as a table file, or None when it can."""
    try:
        mode = os.stat(path).st_mode  # follows links
    except FileNotFoundError:
        if path.is_symlink():
            return f"it is a broken link (to {os.readlink(path)}, which does not exist)"
        return "it does not exist"
    except OSError as exc:
        return str(exc.strerror or exc)
    if stat.S_ISDIR(mode):
        return "it is a directory, not a table file"
    if not stat.S_ISREG(mode):
        return "it is not a regular file (a FIFO, socket or device): export the table to a file"
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        return str(exc.strerror or exc)
    return None


def _workbook_sheets(path: Path) -> list[str]:
    try:
        return list(pd.ExcelFile(path).sheet_names)
    except Exception as exc:
        raise InputError([Problem(path.name, f"cannot read workbook: {str(exc).splitlines()[0]}")]) from None


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError as exc:
        raise InputError([Problem(str(folder), f"cannot list the folder: {exc.strerror or exc}")]) from None


def find_sources(folder: Path, mapping: ColumnMapping, ignore: frozenset[str] = frozenset()) -> Sources:
    """Where each table lives: the files its mapping names, else a file of its own or a sheet named like it."""
    found = Sources({name: [] for name in TABLE_ORDER})
    if folder.is_file():
        _add_mapped(found, [folder], mapping, [])
        _add_sheets(found, [folder])
        _report_look_alikes(found, [], ignore)
        return found
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "no such folder")])
    entries = _entries(folder)
    claimed: list[Path] = []
    _add_mapped(found, entries, mapping, claimed)
    for name in TABLE_ORDER:
        if name in found.mapped:
            continue
        for path in entries:
            if not (path.stem.lower() == name and path.suffix.lower() in SUFFIXES):
                continue
            claimed.append(path)
            reason = readable(path)
            if reason:
                found.problems.append(Problem(path.name, f"cannot read table {name}: {reason}"))
            elif not _is_book(path) or name in _workbook_sheets(path):
                found.places[name].append((path, name if _is_book(path) else None))
    books = []
    for path in entries:
        if _is_book(path):
            reason = readable(path)
            if reason is None:
                books.append(path)
            elif path not in claimed and path.name not in ignore:
                found.problems.append(Problem(path.name, f"cannot read workbook (it may hold tables): {reason}"))
    _add_sheets(found, books)
    used = {path for places in found.places.values() for path, _ in places}
    others = [p for p in entries if p not in claimed and p not in used and not p.is_dir()]
    _report_look_alikes(found, others, ignore)
    return found


def _closest(word: str, options: list[str]) -> str:
    """`` (closest: 'X')`` when one of ``options`` is near ``word``."""
    near = difflib.get_close_matches(word, options, n=1, cutoff=0.5)
    return f" (closest: {near[0]!r})" if near else ""


def _add_mapped(found: Sources, entries: list[Path], mapping: ColumnMapping, claimed: list[Path]) -> None:
    """The files and sheets a mapping names, each checked: present, readable, the sheet there."""
    by_name = {p.name: p for p in entries}
    for name in TABLE_ORDER:
        specs = mapping.named_files(name)
        if not specs:
            continue
        found.mapped[name] = []
        for spec in specs:
            path = by_name.get(spec.file or "")
            if path is None:
                names = sorted(by_name)
                found.problems.append(
                    Problem(spec.label, f"mapped file for table {name} not found{_closest(spec.file or '', names)}")
                )
                continue
            claimed.append(path)
            reason = readable(path)
            if reason:
                found.problems.append(Problem(path.name, f"cannot read table {name}: {reason}"))
                continue
            sheet = _mapped_sheet(found, path, spec, name)
            if sheet is not False:
                found.mapped[name].append((path, sheet, spec))


def _mapped_sheet(found: Sources, path: Path, spec: SourceSpec, table: str) -> str | bool | None:
    """The sheet of a mapped workbook to read (None for other files), or False after a problem."""
    if not _is_book(path):
        if spec.sheet:
            found.problems.append(Problem(spec.label, f"{path.name} is not a workbook (.xlsx): it has no sheets"))
            return False
        return None
    sheets = _workbook_sheets(path)
    if spec.sheet is None:
        if len(sheets) == 1 or table in sheets:
            return table if table in sheets else sheets[0]
        found.problems.append(
            Problem(
                path.name,
                f'which sheet holds table {table}? name it as "{path.name}#SHEET"; sheets: {", ".join(sheets)}',
            )
        )
        return False
    wanted = {s.strip().lower(): s for s in sheets}
    if spec.sheet.strip().lower() in wanted:
        return wanted[spec.sheet.strip().lower()]
    found.problems.append(
        Problem(
            spec.label,
            f"sheet {spec.sheet!r} not found in {path.name}; its sheets: {', '.join(sheets)}{_closest(spec.sheet, sheets)}",
        )
    )
    return False


def _is_book(path: Path) -> bool:
    return path.suffix.lower() == ".xlsx"


def _add_sheets(found: Sources, books: list[Path]) -> None:
    """Sheets named like a table (in any workbook of the folder, or the one workbook given)."""
    for book in books:
        for sheet in _workbook_sheets(book):
            name = sheet.strip().lower()
            if any(book == p and sheet == s for places in found.mapped.values() for p, s, _ in places):
                continue
            if name in found.mapped:
                found.sheet_look_alikes.append((f"{book.name}[{sheet}]", name))
            elif name in found.places:
                if (book, sheet) not in found.places[name]:
                    found.places[name].append((book, sheet))
            elif looks_like(sheet):
                found.sheet_look_alikes.append((f"{book.name}[{sheet}]", looks_like(sheet)))


def _report_look_alikes(found: Sources, others: list[Path], ignore: frozenset[str]) -> None:
    alikes = [(p.name, looks_like(p.name)) for p in others] + found.sheet_look_alikes
    for label, table in alikes:
        if table is None:
            continue
        places = found.places[table] or [(p, s) for p, s, _ in found.mapped.get(table, [])]
        if label in ignore:
            found.warnings.append(Problem(label, f"looks like table {table}; not read, as --ignore asked"))
        elif places:
            path, sheet = places[0]
            where = path.name + (f"[{sheet}]" if sheet else "")
            found.warnings.append(
                Problem(label, f"looks like table {table} but is not read ({table} is read from {where})")
            )
        else:
            reason = (
                f"looks like table {table} but is not one, so {table} would load without it: "
                f"rename it to {table}.csv (or the sheet to {table}), or pass --ignore {label!r} to load without it"
            )
            found.problems.append(Problem(label, reason))
