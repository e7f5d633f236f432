"""Loading: formats, mappings, day-first dates, change reports, idempotence, atomicity."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from coi.graph import sqlite_write
from coi.graph.sqlite_store import SqliteStore
from coi.graph.store import GraphStore, StoreError
from coi.loaders.load import LoadOptions, load_folder
from coi.loaders.problems import InputError
from forces import edit_csv

EXAMPLE = Path(__file__).parent / "fixtures" / "example"


def test_example_loads_with_every_row(example_store: GraphStore) -> None:
    counts = example_store.info().counts
    for name in ("units", "officers", "people", "postings", "cases", "assignments", "associations"):
        with open(EXAMPLE / f"{name}.csv", encoding="utf-8") as handle:
            assert counts[name] == sum(1 for _ in handle) - 1


def test_reload_is_idempotent_and_reports_unchanged(store_factory) -> None:
    store = store_factory()
    first = load_folder(EXAMPLE, store)
    version = store.info().data_version
    second = load_folder(EXAMPLE, store)
    assert first.totals().added == second.totals().unchanged > 0
    assert second.totals().added == second.totals().changed == second.totals().removed == 0
    assert store.info().data_version == version


def test_newer_export_reports_added_changed_removed(store_factory, example_dir: Path) -> None:
    store = store_factory()
    load_folder(example_dir, store)

    def change(rows):
        rows[0]["name"] = "Alan Marsh-Smith"  # changed
        rows.append({**rows[1], "officer_id": "O99", "name": "New Officer"})  # added
        return [r for r in rows if r["officer_id"] != "O7"]  # removed (O7 has an association)

    edit_csv(example_dir / "officers.csv", change)
    edit_csv(
        example_dir / "associations.csv", lambda rows: [r for r in rows if "O7" not in (r["person_a"], r["person_b"])]
    )
    edit_csv(example_dir / "postings.csv", lambda rows: [r for r in rows if r["officer_id"] != "O7"])
    summary = load_folder(example_dir, store)
    officers = summary.tables["officers"]
    assert (officers.added, officers.changed, officers.removed) == (1, 1, 1)
    assert summary.tables["associations"].removed == 1
    assert "O7" not in store.people(["O7"]) and store.people(["O1"])["O1"].name == "Alan Marsh-Smith"


def test_failed_load_leaves_the_previous_store(tmp_path: Path, example_dir: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite")
    load_folder(EXAMPLE, store)
    before = store.info()
    edit_csv(example_dir / "postings.csv", lambda rows: rows.__setitem__(0, {**rows[0], "unit_id": "NOWHERE"}))
    with pytest.raises(InputError, match="unknown unit"):
        load_folder(example_dir, store)
    after = store.info()
    assert (after.data_version, after.counts) == (before.data_version, before.counts)
    assert not list(tmp_path.glob(".*loading"))


def test_write_failure_midway_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SqliteStore(tmp_path / "s.sqlite")
    load_folder(EXAMPLE, store)
    version = store.info().data_version

    def boom(conn, name, rows, progress):
        if name == "cases":
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(conn, name, rows, progress)

    original = sqlite_write.insert_table
    monkeypatch.setattr(sqlite_write, "insert_table", boom)
    with pytest.raises(StoreError, match=f"cannot build the new store {tmp_path}.*No space left"):
        load_folder(EXAMPLE, store)
    assert SqliteStore(tmp_path / "s.sqlite").info().data_version == version
    assert not list(tmp_path.glob(".*loading"))


def test_column_mapping_and_other_file_names(tmp_path: Path, example_dir: Path) -> None:
    frame = pd.read_csv(example_dir / "officers.csv", dtype=str, keep_default_na=False)
    frame.rename(columns={"officer_id": "Warrant No", "name": "Full Name"}).to_csv(
        example_dir / "staff.csv", index=False
    )
    (example_dir / "officers.csv").unlink()
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        '[files]\nofficers = "staff.csv"\n[columns.officers]\nofficer_id = "Warrant No"\nname = "Full Name"\n'
    )
    store = SqliteStore(tmp_path / "s.sqlite")
    load_folder(example_dir, store, LoadOptions(mapping=mapping))
    assert store.people(["O1"])["O1"].name == "Alan Marsh"


def test_dayfirst_dates_only_when_asked(tmp_path: Path, example_dir: Path) -> None:
    def dayfirst(rows):
        for r in rows:
            y, m, d = r["opened_on"].split("-")
            r["opened_on"] = f"{d}/{m}/{y}"

    edit_csv(example_dir / "cases.csv", dayfirst)
    with pytest.raises(InputError, match="--dayfirst"):
        load_folder(example_dir, SqliteStore(tmp_path / "a.sqlite"))
    store = SqliteStore(tmp_path / "b.sqlite")
    load_folder(example_dir, store, LoadOptions(dayfirst=True))
    assert str(store.cases(["K1"])["K1"].opened_on) == "2023-03-01"


def test_one_workbook_with_a_sheet_per_table(tmp_path: Path) -> None:
    book = tmp_path / "force.xlsx"
    with pd.ExcelWriter(book) as writer:
        for path in sorted(EXAMPLE.glob("*.csv")):
            pd.read_csv(path, dtype=str, keep_default_na=False).to_excel(writer, sheet_name=path.stem, index=False)
    store = SqliteStore(tmp_path / "s.sqlite")
    load_folder(book, store)
    csv_store = SqliteStore(tmp_path / "c.sqlite")
    load_folder(EXAMPLE, csv_store)
    assert store.info().data_version == csv_store.info().data_version


def test_parquet_tables(tmp_path: Path, example_dir: Path) -> None:
    for path in example_dir.glob("*.csv"):
        pd.read_csv(path, dtype=str, keep_default_na=False).to_parquet(path.with_suffix(".parquet"))
        path.unlink()
    store = SqliteStore(tmp_path / "s.sqlite")
    load_folder(example_dir, store)
    assert store.info().counts["postings"] == 15


def test_extra_columns_are_kept(tmp_path: Path, example_dir: Path) -> None:
    edit_csv(example_dir / "officers.csv", lambda rows: [{**r, "Station Code": "N1"} for r in rows])
    store = SqliteStore(tmp_path / "s.sqlite")
    load_folder(example_dir, store)
    row = next(r for r in store.table_rows("officers") if r["officer_id"] == "O1")
    assert json.loads(row["extra"]) == {"station code": "N1"}


def test_all_problems_are_reported_at_once(tmp_path: Path, example_dir: Path) -> None:
    def break_two(rows):
        rows[0]["joined_on"] = "yesterday"
        rows[1]["rank"] = "general"

    edit_csv(example_dir / "officers.csv", break_two)
    with pytest.raises(InputError) as caught:
        load_folder(example_dir, SqliteStore(tmp_path / "s.sqlite"))
    lines = [str(p) for p in caught.value.problems]
    assert any("officers.csv row 2, column joined_on" in line for line in lines)
    assert any("officers.csv row 3, column rank" in line for line in lines)


def test_skip_invalid_cascades_to_rows_that_refer_to_rejected_ones(tmp_path: Path, example_dir: Path) -> None:
    edit_csv(example_dir / "units.csv", lambda rows: rows.__setitem__(5, {**rows[5], "kind": "galaxy"}))  # NRA
    rejects = tmp_path / "rejects.csv"
    store = SqliteStore(tmp_path / "s.sqlite")
    summary = load_folder(example_dir, store, LoadOptions(skip_invalid=True, rejects=rejects))
    rejected = pd.read_csv(rejects, dtype=str, keep_default_na=False)
    assert set(rejected["file"]) == {"units.csv", "postings.csv"}
    postings = pd.read_csv(EXAMPLE / "postings.csv", dtype=str)
    to_nra = int((postings["unit_id"] == "NRA").sum())
    assert to_nra > 0 and summary.rejected == 1 + to_nra  # NRA itself, and every posting to it
    assert store.info().counts["postings"] == len(postings) - to_nra


def test_skip_invalid_needs_a_rejects_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--rejects"):
        load_folder(EXAMPLE, SqliteStore(tmp_path / "s.sqlite"), LoadOptions(skip_invalid=True))


def test_a_killed_loads_leftover_is_removed_by_the_next_load(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite")
    dead = tmp_path / ".s.sqlite.999999999.abc.loading"  # no such process
    dead.write_bytes(b"half a database")
    mine = tmp_path / f".s.sqlite.{os.getpid()}.xyz.loading"  # a live process's load in progress
    mine.write_bytes(b"in progress")
    load_folder(EXAMPLE, store)
    assert not dead.exists() and mine.exists()


def test_a_named_store_file_wins_over_an_ambient_neo4j_uri(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from coi.app import app

    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")  # nothing listens there
    result = CliRunner().invoke(app, ["load", str(EXAMPLE), "--store", str(tmp_path / "s.sqlite")])
    assert result.exit_code == 0, result.output  # committed (open alerts do not fail a load)
    assert SqliteStore(tmp_path / "s.sqlite").info().counts["officers"] > 0
