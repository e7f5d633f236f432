"""Builders for the bad-input corpus: each returns a ``Make`` that edits a copy of the example.

A ``Make`` takes the folder (a fresh copy of ``tests/fixtures/example``) and returns the
input to load (the folder, or a workbook) plus extra ``coi load`` arguments.
"""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

__all__ = [
    "EXAMPLE",
    "Case",
    "add_column",
    "both_formats",
    "cell",
    "chain",
    "copy_file",
    "copy_row",
    "drop_column",
    "edit",
    "header_only",
    "latin1",
    "line",
    "mapping",
    "parquet",
    "ragged",
    "raw",
    "read_rows",
    "remove",
    "rename",
    "replace_with",
    "with_args",
    "workbook",
    "write_rows",
]

EXAMPLE = Path(__file__).parent.parent / "fixtures" / "example"
Rows = list[dict[str, str]]
Make = Callable[[Path], tuple[Path, tuple[str, ...]]]


@dataclass(frozen=True)
class Case:
    name: str
    make: Make
    expect: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.name

    def build(self, target: Path) -> tuple[Path, tuple[str, ...]]:
        """Copy the example to ``target`` and apply this case; return (input, extra args)."""
        shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("*.md"))
        return self.make(target)


def read_rows(path: Path) -> tuple[list[str], Rows]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: Rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def edit(table: str, fn: Callable[[list[str], Rows], None]) -> Make:
    """A change to one CSV: ``fn`` edits the header list and the rows in place."""

    def make(folder: Path) -> tuple[Path, tuple[str, ...]]:
        path = folder / f"{table}.csv"
        header, rows = read_rows(path)
        fn(header, rows)
        write_rows(path, header, [{k: r.get(k, "") for k in header} for r in rows])
        return folder, ()

    return make


def cell(table: str, row: int, column: str, value: str) -> Make:
    """Set one cell; ``row`` counts as a spreadsheet does (header = 1)."""
    return edit(table, lambda h, rows: rows[row - 2].__setitem__(column, value))


def copy_row(table: str, row: int, **changes: str) -> Make:
    """Append a copy of one row (spreadsheet numbering) with some cells changed."""
    return edit(table, lambda h, rows: rows.append({**rows[row - 2], **changes}))


def drop_column(table: str, column: str) -> Make:
    def fn(header: list[str], rows: Rows) -> None:
        header.remove(column)

    return edit(table, fn)


def add_column(table: str, column: str, values: list[str]) -> Make:
    def fn(header: list[str], rows: Rows) -> None:
        header.insert(0, column)
        for r, v in zip(rows, values, strict=False):
            r[column] = v

    return edit(table, fn)


def remove(table: str) -> Make:
    def make(folder: Path) -> tuple[Path, tuple[str, ...]]:
        (folder / f"{table}.csv").unlink()
        return folder, ()

    return make


def raw(table: str, data: bytes | Callable[[bytes], bytes], suffix: str = ".csv") -> Make:
    """Replace a table's file by these bytes (or by a function of the CSV's bytes)."""

    def make(folder: Path) -> tuple[Path, tuple[str, ...]]:
        source = folder / f"{table}.csv"
        content = data(source.read_bytes()) if callable(data) else data
        source.unlink()
        (folder / f"{table}{suffix}").write_bytes(content)
        return folder, ()

    return make


def header_only(*tables: str) -> Make:
    def make(folder: Path) -> tuple[Path, tuple[str, ...]]:
        for table in tables:
            path = folder / f"{table}.csv"
            path.write_bytes(path.read_bytes().splitlines(keepends=True)[0])
        return folder, ()

    return make


def workbook(sheet_names: dict[str, str]) -> Make:
    """All tables in one workbook, some sheets renamed (table -> sheet name)."""

    def make(folder: Path) -> tuple[Path, tuple[str, ...]]:
        book = folder / "force.xlsx"
        with pd.ExcelWriter(book) as writer:
            for path in sorted(folder.glob("*.csv")):
                frame = pd.read_csv(path, dtype=str, keep_default_na=False)
                frame.to_excel(writer, sheet_name=sheet_names.get(path.stem, path.stem), index=False)
                path.unlink()
        return book, ()

    return make


def parquet(table: str) -> Make:
    def make(folder: Path) -> tuple[Path, tuple[str, ...]]:
        path = folder / f"{table}.csv"
        pd.read_csv(path, dtype=str, keep_default_na=False).to_parquet(path.with_suffix(".parquet"))
        path.unlink()
        return folder, ()

    return make


def both_formats(table: str) -> Make:
    """The same table as CSV and as Parquet."""

    def make(folder: Path) -> tuple[Path, tuple[str, ...]]:
        parquet(table)(folder)
        shutil.copy(EXAMPLE / f"{table}.csv", folder)
        return folder, ()

    return make


def with_args(make: Make, *args: str) -> Make:
    def wrapped(folder: Path) -> tuple[Path, tuple[str, ...]]:
        target, more = make(folder)
        return target, (*more, *args)

    return wrapped


def mapping(text: str) -> Make:
    """A mapping file written beside the folder, passed with --mapping."""

    def make(folder: Path) -> tuple[Path, tuple[str, ...]]:
        path = folder.parent / f"{folder.name}-map.toml"
        path.write_text(text, encoding="utf-8")
        return folder, ("--mapping", str(path))

    return make


def latin1(data: bytes) -> bytes:
    return data.decode("utf-8").encode("latin-1")


def ragged(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    lines[2] = lines[2].rstrip(b"\r\n") + b",extra,cells\n"
    return b"".join(lines)


def line(table: str, row: int, text: str) -> Make:
    """Replace one line of a CSV by raw text (``row`` counts as a spreadsheet does)."""

    def fn(data: bytes) -> bytes:
        lines = data.splitlines(keepends=True)
        lines[row - 1] = text.encode("utf-8") + b"\n"
        return b"".join(lines)

    return raw(table, fn)


def rename(name: str, new_name: str) -> Make:
    """Rename a file of the export (a misnamed table)."""

    def make(folder: Path) -> tuple[Path, tuple[str, ...]]:
        (folder / name).rename(folder / new_name)
        return folder, ()

    return make


def replace_with(table: str, kind: str) -> Make:
    """Put something that cannot be read in place of a table's file: broken-link, fifo or directory."""

    def make(folder: Path) -> tuple[Path, tuple[str, ...]]:
        path = folder / f"{table}.csv"
        path.unlink()
        if kind == "broken-link":
            path.symlink_to(folder / "gone" / f"{table}.csv")
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            path.mkdir()
        return folder, ()

    return make


def chain(*makes: Make) -> Make:
    """Several changes, one after the other."""

    def make(folder: Path) -> tuple[Path, tuple[str, ...]]:
        target, args = folder, ()
        for step in makes:
            target, more = step(folder)
            args = (*args, *more)
        return target, args

    return make


def copy_file(name: str, new_name: str) -> Make:
    def make(folder: Path) -> tuple[Path, tuple[str, ...]]:
        shutil.copy(folder / name, folder / new_name)
        return folder, ()

    return make
