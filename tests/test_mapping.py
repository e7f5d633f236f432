"""Mapping v2 (issue 14): a real export loads from a mapping file alone; every problem names file, row, header."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from coi.graph.sqlite_store import SqliteStore
from coi.loaders.load import LoadOptions, load_folder
from coi.loaders.problems import InputError
from load_helpers import EXAMPLE, cli, cli_store
from real_export import ROLE_WITH_ACCENT, write_real_export

from coi import exitcodes

TABLES = ("units", "officers", "people", "postings", "cases", "assignments", "associations")


def model_rows(store: SqliteStore, table: str) -> dict[str, dict]:
    rows = store.table_rows(table)
    return {next(iter(r.values())): {k: v for k, v in r.items() if k not in ("extra", "row_hash")} for r in rows}


@pytest.fixture
def real(tmp_path: Path) -> tuple[Path, Path]:
    mapping = write_real_export(tmp_path / "export")
    return tmp_path / "export", mapping


def problems_of(folder: Path, **options) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_folder(folder, SqliteStore(folder.parent / "refused.sqlite"), LoadOptions(**options))
    return [str(p) for p in caught.value.problems]


def edit_mapping(mapping: Path, old: str, new: str) -> None:
    text = mapping.read_text(encoding="utf-8")
    assert old in text
    mapping.write_text(text.replace(old, new), encoding="utf-8")


def test_a_real_export_loads_from_its_mapping_as_the_example_force(real, tmp_path: Path) -> None:
    folder, mapping = real
    store = SqliteStore(tmp_path / "real.sqlite")
    summary = load_folder(folder, store, LoadOptions(mapping=mapping))
    example = SqliteStore(tmp_path / "example.sqlite")
    load_folder(EXAMPLE, example)
    for table in TABLES:
        expected = model_rows(example, table)
        if table == "postings":
            expected["O2|NRA|2016-01-01"]["role"] = ROLE_WITH_ACCENT  # cp1252 text read as such
        assert model_rows(store, table) == expected, table
    dropped = [str(w) for w in summary.warnings if "dropped" in w.reason]
    assert dropped == [
        "Case Extract.xlsx[Cases]: 1 row(s) dropped by the mapping's filter: Status is 'Withdrawn'",
        "Case Extract.xlsx[Cases]: 1 row(s) dropped by the mapping's filter: Case Ref is blank",
    ]


def test_validate_reports_a_valid_export_and_what_a_load_would_change(real, tmp_path: Path) -> None:
    folder, mapping = real
    store = ["--store", str(tmp_path / "s.sqlite")]
    first = cli("validate", folder, "--mapping", mapping, *store, "--json")
    assert first.exit_code == 0, first.output
    document = json.loads(first.stdout)
    assert document["valid"] is True and document["changes"] is None and "no store yet" in document["changes_note"]
    assert document["tables"]["assignments"] == 15 and document["warning_count"] == 2
    assert cli("load", folder, "--mapping", mapping, *store, "--no-recheck").exit_code == 0
    again = json.loads(cli("validate", folder, "--mapping", mapping, *store, "--json").stdout)
    assert again["changes"]["postings"] == {"added": 0, "changed": 0, "unchanged": 15, "removed": 0}
    assert not (tmp_path / "refused.sqlite").exists()


@pytest.mark.neo4j
def test_validate_compares_with_neo4j_too(example_dir: Path, tmp_path: Path) -> None:
    store = cli_store("neo4j", tmp_path)
    assert cli("load", example_dir, *store, "--no-recheck").exit_code == 0
    path = example_dir / "officers.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Dana O'Neil", "Dana O'Neill"), encoding="utf-8")
    result = cli("validate", example_dir, *store, "--json")
    assert result.exit_code == 0, result.output
    changes = json.loads(result.stdout)["changes"]
    assert changes["officers"] == {"added": 0, "changed": 1, "unchanged": 12, "removed": 0}
    assert changes["postings"]["changed"] == 0


@pytest.mark.parametrize("delimiter", [";", "\t"], ids=["semicolon", "tab"])
def test_a_semicolon_or_tab_csv_is_read_with_a_note(example_dir: Path, tmp_path: Path, delimiter: str) -> None:
    path = example_dir / "officers.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.to_csv(path, sep=delimiter, index=False)
    summary = load_folder(example_dir, SqliteStore(tmp_path / "s.sqlite"))
    notes = [str(w) for w in summary.warnings]
    shown = "tab" if delimiter == "\t" else "';'"
    assert any(n.startswith(f"officers.csv: read with {shown} as the delimiter") for n in notes), notes


def test_latin1_is_refused_with_a_hint_and_read_when_declared(example_dir: Path, tmp_path: Path) -> None:
    path = example_dir / "officers.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    assert any("declare its encoding in the mapping" in p for p in problems_of(example_dir))
    mapping = tmp_path / "m.toml"
    mapping.write_text('[[sources.officers]]\nfile = "officers.csv"\nencoding = "latin-1"\n')
    store = SqliteStore(tmp_path / "s.sqlite")
    load_folder(example_dir, store, LoadOptions(mapping=mapping))
    assert store.people(["O10"])["O10"].name == "Jo Müller"


def test_a_title_line_above_the_header_counts_in_row_numbers(example_dir: Path, tmp_path: Path) -> None:
    path = example_dir / "officers.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = "O3,Chris Dunn,constable"  # a short row: data row 3, file row 5 under the title line
    path.write_text("Staff export 2024\n" + "\n".join(lines) + "\n", encoding="utf-8")
    mapping = tmp_path / "m.toml"
    mapping.write_text('[[sources.officers]]\nfile = "officers.csv"\nheader_row = 2\n')
    found = problems_of(example_dir, mapping=mapping)
    assert any(p.startswith("officers.csv row 5") and "row has 3 field(s)" in p for p in found), found


def test_an_unmapped_value_is_an_error_naming_file_row_and_header(real) -> None:
    folder, mapping = real
    edit_mapping(mapping, 'ACC = "assistant_chief_constable"\n', "")
    found = problems_of(folder, mapping=mapping)
    assert found == [
        "HR.xlsx[Staff List] row 15, column Rank [rank], value 'ACC': "
        "value not in the mapping's value map (values.rank): add it, or set _default"
    ]


def test_a_value_maps_default_takes_the_unmapped_values(real, tmp_path: Path) -> None:
    folder, mapping = real
    edit_mapping(mapping, 'ACC = "assistant_chief_constable"\n', '_default = "staff"\n')
    store = SqliteStore(tmp_path / "s.sqlite")
    load_folder(folder, store, LoadOptions(mapping=mapping))
    assert store.people(["O14"])["O14"].rank == "staff"


def test_a_date_not_in_its_format_is_one_error_naming_the_header(real) -> None:
    folder, mapping = real
    edit_mapping(mapping, 'start_date = "%d/%m/%Y"', 'start_date = "%Y/%m/%d"')
    found = problems_of(folder, mapping=mapping)
    assert len(found) == 15  # one per row: not also "required value is empty"
    assert found[0] == (
        "postings_export.csv row 2, column From [start_date], value '01/01/2014': "
        "not a date in the mapping's format '%Y/%m/%d' (dates.start_date)"
    )


def test_a_mistyped_mapped_header_names_the_users_header_and_the_closest(real) -> None:
    folder, mapping = real
    edit_mapping(mapping, 'officer_id = "Warrant No", name', 'officer_id = "Warant No", name')
    found = problems_of(folder, mapping=mapping)[0]
    assert found.startswith(
        "HR.xlsx[Staff List]: header 'Warant No' (mapped to officer_id) not found (closest: 'Warrant No'); "
        "headers found: 'Warrant No', 'Full Name', 'Rank'"
    )


def test_a_missing_sheet_names_the_sheets_there(real) -> None:
    folder, mapping = real
    edit_mapping(mapping, "HR.xlsx#Staff List", "HR.xlsx#Staf List")
    found = problems_of(folder, mapping=mapping)
    assert (
        "HR.xlsx#Staf List: sheet 'Staf List' not found in HR.xlsx; its sheets: Staff List (closest: 'Staff List')"
        in found
    )


def test_a_missing_required_column_lists_the_headers_found(example_dir: Path) -> None:
    path = example_dir / "officers.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("officer_id,", "officer id,", 1), encoding="utf-8")
    found = problems_of(example_dir)[0]
    assert found.startswith(
        "officers.csv: missing required column(s): officer_id (closest: 'officer id'); headers found: 'officer id', 'name'"
    )


def test_number_like_ids_are_one_id(example_dir: Path, tmp_path: Path) -> None:
    def swap(name: str, columns: dict[str, str]) -> None:
        path = example_dir / f"{name}.csv"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column, new in columns.items():
            frame[column] = frame[column].where(frame[column] != "O1", new)
        frame.to_csv(path, index=False)

    swap("officers", {"officer_id": "128108"})
    swap("postings", {"officer_id": "128108.0", "line_manager_id": "128108.0"})  # as a spreadsheet saved them
    store = SqliteStore(tmp_path / "s.sqlite")
    load_folder(example_dir, store)
    managed = [p for p in store.table_rows("postings") if p["line_manager_id"] == "128108"]
    assert store.people(["128108"]) and len(managed) >= 1


def test_mapping_file_problems_each_name_their_key(tmp_path: Path) -> None:
    mapping = tmp_path / "bad.toml"
    mapping.write_text(
        "[[sources.officers]]\n"
        'file = "staff.csv"\n'
        'encoding = "klingon"\n'
        'colums = { officer_id = "No" }\n'
        'ids = { officer_id = "O", name = "N{}" }\n'
        'dates = { joined_on = "dd/mm/yyyy" }\n'
        'values.rank = { yes = "constable", _unmapped = "skip" }\n'
    )
    found = problems_of(EXAMPLE, mapping=mapping)
    expected = [
        "sources.officers[1].encoding: unknown encoding 'klingon'",
        "sources.officers[1]: unknown key 'colums'",
        "sources.officers[1].ids.officer_id: template 'O' needs exactly one {} placeholder",
        "sources.officers[1].ids: 'name' is not a id or ref column of officers",
        "sources.officers[1].dates.joined_on.format: a strptime format",
        "sources.officers[1].values.rank._unmapped: must be",
    ]
    for fragment in expected:
        assert any(p.startswith(f"bad.toml: {fragment}") for p in found), (fragment, found)


def test_validate_lists_every_problem_grouped_by_file_and_kind(example_dir: Path, tmp_path: Path) -> None:
    path = example_dir / "postings.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    bad = pd.concat([frame] * 5, ignore_index=True)
    bad["unit_id"] = "NOWHERE"
    bad["start_date"] = [f"2000-01-{i % 28 + 1:02d}" for i in range(len(bad))]
    bad["officer_id"] = [f"O{i}" for i in range(100, 100 + len(bad))]  # 75 unknown officers, 75 unknown units
    bad.to_csv(path, index=False)
    problems_csv = tmp_path / "problems.csv"
    human = cli("validate", example_dir, "--store", tmp_path / "s.sqlite", "--problems", problems_csv)
    assert human.exit_code == exitcodes.BAD_DATA
    assert "postings.csv: 150 problem(s)" in human.stderr
    assert "  75 x unknown unit id [unit_id]" in human.stderr and "... and 70 more" in human.stderr
    with open(problems_csv, encoding="utf-8") as handle:
        assert sum(1 for row in csv.DictReader(handle) if row["severity"] == "error") == 150
    document = json.loads(cli("validate", example_dir, "--json", "--store", tmp_path / "s.sqlite").stdout)
    assert document["problem_count"] == len(document["problems"]) == 150
    counts = {(g["column"], g["kind"]): g["count"] for g in document["groups"]}
    assert counts == {("officer_id", "unknown officer id"): 75, ("unit_id", "unknown unit id"): 75}
    assert not (tmp_path / "s.sqlite").exists()


def test_skip_invalid_knock_on_rejections_name_the_row_behind_them(example_dir: Path, tmp_path: Path) -> None:
    path = example_dir / "officers.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("O7,Gary Holt,constable", "O7,Gary Holt,general"))
    rejects = tmp_path / "rejects.csv"
    load_folder(example_dir, SqliteStore(tmp_path / "s.sqlite"), LoadOptions(skip_invalid=True, rejects=rejects))
    reasons = set(pd.read_csv(rejects, dtype=str, keep_default_na=False)["reason"])
    assert "posting rejected: officer O7 rejected at officers.csv row 8" in reasons
    assert "association rejected: person O7 rejected at officers.csv row 8" in reasons


def test_a_yaml_mapping_with_excel_serials_and_a_prefix_template(example_dir: Path, tmp_path: Path) -> None:
    path = example_dir / "cases.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    serial = lambda d: str((pd.Timestamp(d) - pd.Timestamp("1899-12-30")).days) if d else ""  # noqa: E731
    frame["opened_on"] = frame["opened_on"].map(serial)
    frame.to_csv(example_dir / "Case List.csv", index=False)
    path.unlink()
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "sources:\n  cases:\n    - file: Case List.csv\n      dates: {opened_on: {format: excel}}\n", encoding="utf-8"
    )
    store = SqliteStore(tmp_path / "s.sqlite")
    load_folder(example_dir, store, LoadOptions(mapping=mapping))
    assert str(store.cases(["K1"])["K1"].opened_on) == "2023-03-01"


def test_a_constant_is_checked_like_any_value(real) -> None:
    folder, mapping = real
    edit_mapping(mapping, 'constants = { role = "subject" }', 'constants = { role = "accused" }')
    found = problems_of(folder, mapping=mapping)
    assert found[0].startswith("accused.csv row 2, column role (mapping constant), value 'accused': must be one of")
