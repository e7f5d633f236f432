"""Hostile text in the data (SQL, Cypher, HTML/JS, spreadsheet formulas) stays inert text.

Names, summaries and even ids carry payloads; they go through load, check (human and
--json), candidates, audit (--json, --csv) and the audit trail. The store keeps all its
tables, JSON parses, CSV cells cannot run as formulas, complainants' names never leak.
"""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from bad_input.defects import EXAMPLE, read_rows, write_rows
from coi.graph import trail
from coi.graph.files import FORMULA_START
from coi.graph.model import TABLE_ORDER, TABLES
from coi.graph.sqlite_store import SqliteStore
from coi.graph.store import GraphStore
from coi.loaders.load import load_folder
from typer.testing import CliRunner, Result

from coi import exitcodes
from coi.app import app

SQL = "Robert'); DROP TABLE officers;--"
CYPHER = "'}) DETACH DELETE n //"
SCRIPT = "<script>alert('x')</script>"
IMG = "<img src=x onerror=alert(1)>"
CALC = "=cmd|' /C calc'!A0"
NAMES = {
    "O3": SQL,
    "O2": CYPHER,
    "O6": SCRIPT,
    "O4": CALC,
    "O5": "@SUM(1+1)*cmd|' /C calc'!A0",
    "O10": "+1",
    "O7": "-1",
}
COMPLAINANTS = {"P1": f"{IMG} Secret Victim-One", "P2": '=HYPERLINK("http://evil.invalid","Secret Victim-Two")'}
IDS = {"K1": "+K1", "O12": "-O12", "O3": "@O3"}  # ids that a spreadsheet would read as formulas
SUMMARY = f"{SQL} {CYPHER} {SCRIPT} {CALC}"
RUNNER = CliRunner()


def rename_ids(folder: Path, renames: dict[str, str]) -> None:
    """Rename ids in every id and reference column of every table."""
    for name in TABLE_ORDER:
        columns = [f.name for f in TABLES[name].fields if f.kind in ("id", "ref")]
        header, rows = read_rows(folder / f"{name}.csv")
        for r in rows:
            for c in columns:
                if r.get(c) in renames:
                    r[c] = renames[r[c]]
        write_rows(folder / f"{name}.csv", header, rows)


def set_names(folder: Path, table: str, key: str, names: dict[str, str]) -> None:
    header, rows = read_rows(folder / f"{table}.csv")
    for r in rows:
        r["name"] = names.get(r[key], r["name"])
    write_rows(folder / f"{table}.csv", header, rows)


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example force with payloads in names, a summary, a unit name and ids."""
    folder = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("*.md"))
    set_names(folder, "officers", "officer_id", NAMES)
    set_names(folder, "people", "person_id", COMPLAINANTS)
    set_names(folder, "units", "unit_id", {"NRA": f"{CYPHER} {SCRIPT}"})
    header, rows = read_rows(folder / "cases.csv")
    rows[0]["summary"] = SUMMARY
    write_rows(folder / "cases.csv", header, rows)
    rename_ids(folder, IDS)
    return folder


@pytest.fixture(scope="module")
def hostile(hostile_folder: Path) -> Path:
    """The hostile force loaded through `coi load` into an embedded store."""
    store = hostile_folder.parent / "store.sqlite"
    result = RUNNER.invoke(app, ["load", str(hostile_folder), "--store", str(store)])
    assert result.exit_code == 0, result.output  # committed (open alerts do not fail a load)
    return store


def coi(store: Path, *args: str) -> Result:
    return RUNNER.invoke(app, [*args, "--store", str(store)])


def assert_no_complainant_names(text: str) -> None:
    for secret in ("Secret Victim-One", "Secret Victim-Two"):
        assert secret not in text


def test_payloads_are_stored_verbatim_and_every_table_survives(hostile: Path) -> None:
    opened = SqliteStore(hostile)
    try:
        counts = opened.info().counts
        people = opened.people(["@O3", "O2", "O6", "O4", "P1"])
        tables = {r[0] for r in opened.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        summary = opened.cases(["+K1"])["+K1"].summary
    finally:
        opened.close()
    assert tables == {*TABLE_ORDER, "meta"}
    assert counts == {n: len(read_rows(EXAMPLE / f"{n}.csv")[1]) for n in TABLE_ORDER}
    assert [people[i].name for i in ("@O3", "O2", "O6", "O4")] == [SQL, CYPHER, SCRIPT, CALC]
    assert people["P1"].name == COMPLAINANTS["P1"] and summary == SUMMARY


def test_payloads_survive_every_backend(hostile_folder: Path, store_factory: Callable[[], GraphStore]) -> None:
    """Embedded and (with NEO4J_URI) Neo4j: values travel as parameters, never as query text."""
    store = store_factory()
    load_folder(hostile_folder, store)
    assert store.info().counts == {n: len(read_rows(EXAMPLE / f"{n}.csv")[1]) for n in TABLE_ORDER}
    people = store.people(["@O3", "O2", "P1"])
    assert [people[i].name for i in ("@O3", "O2", "P1")] == [SQL, CYPHER, COMPLAINANTS["P1"]]
    assert store.cases(["+K1"])["+K1"].summary == SUMMARY
    assert store.units()["NRA"].name == f"{CYPHER} {SCRIPT}"


def test_check_human_output_shows_payloads_as_plain_text(hostile: Path) -> None:
    result = coi(hostile, "check", "--case=+K1", "--investigator", "O4", "--on", "2023-03-10")
    assert result.exit_code == exitcodes.DECLARE, result.output
    assert f"{CALC} (O4)" in result.stdout and f"{SQL} (@O3)" in result.stdout
    assert_no_complainant_names(result.stdout)


@pytest.mark.parametrize("person", ["O4", "O10", "O6", "-O12", "@O3"])
def test_check_json_parses_and_keeps_complainants_pseudonymous(hostile: Path, person: str) -> None:
    result = coi(hostile, "check", "--case=+K1", f"--investigator={person}", "--on", "2023-04-01", "--json")
    assert result.exit_code in exitcodes.BY_VERDICT.values(), result.output
    doc = json.loads(result.stdout)
    assert doc["case_id"] == "+K1" and doc["investigator_id"] == person
    assert_no_complainant_names(result.stdout)
    if person == "O10":  # a family link to the complainant: named only by pseudonym
        assert any(f["rule"] == "CLOSE_ASSOCIATION" and "Complainant 1" in f["explanation"] for f in doc["findings"])


def test_candidates_json_parses_and_keeps_complainants_pseudonymous(hostile: Path) -> None:
    result = coi(hostile, "candidates", "--case=+K1", "--on", "2023-04-01", "--top", "20", "--json")
    assert result.exit_code == 0, result.output
    assert {c["person_id"] for c in json.loads(result.stdout)["candidates"]} >= {"-O12", "O4"}
    assert_no_complainant_names(result.stdout)


def test_audit_csv_cells_cannot_run_as_formulas(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit.csv"
    result = coi(hostile, "audit", "--csv", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert_no_complainant_names(result.stdout)
    json.loads(result.stdout)
    with open(out, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    cells = [c for row in rows[1:] for c in row]
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    assert {"'+K1", "'-O12", "'@O3"} <= set(cells)  # ids neutralised, not altered otherwise
    assert any(c.startswith(f"'{CALC} (O4)") for c in cells)  # an explanation that began with a formula
    assert_no_complainant_names(out.read_text(encoding="utf-8"))


def test_trail_holds_ids_not_names(hostile: Path) -> None:
    coi(hostile, "check", "--case=+K1", "--investigator", "O10", "--on", "2023-04-01", "--override", SUMMARY)
    coi(hostile, "candidates", "--case=+K1", "--on", "2023-04-01")
    text = trail.trail_path(hostile).read_text(encoding="utf-8")
    assert_no_complainant_names(text)
    assert SQL not in text.replace(SUMMARY, "")  # officers appear by id; only the reason has the payload
    assert trail.verify(trail.trail_path(hostile)).ok
    entry = trail.read_entries(trail.trail_path(hostile))[-2]
    assert entry["override"] == SUMMARY and entry["inputs"]["case"] == "+K1"


def test_store_is_intact_after_every_command(hostile: Path) -> None:
    coi(hostile, "audit")
    conn = sqlite3.connect(f"{hostile.resolve().as_uri()}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM officers").fetchone() == (13,)
    finally:
        conn.close()


MARKUP = {"O1": "[bold red]Alan[/] [link=https://evil.invalid]x[/link]", "O7": "Gary [/]"}


def test_rich_markup_in_names_is_shown_literally(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("*.md"))
    set_names(folder, "officers", "officer_id", MARKUP)
    store = tmp_path / "store.sqlite"
    assert coi(store, "load", str(folder)).exit_code == 0
    args = ["candidates", "--case", "K1", "--on", "2023-03-10", "--top", "20", "--store", str(store)]
    result = RUNNER.invoke(app, args, env={"COLUMNS": "300"})
    assert result.exit_code == 0 and "Traceback" not in result.output
    assert MARKUP["O1"] in result.stdout


def test_recheck_alerts_keep_complainants_pseudonymous_and_payloads_literal(hostile: Path, tmp_path: Path) -> None:
    state = ["--state", str(tmp_path / "alerts.json"), "--on", "2023-04-01"]
    human = coi(hostile, "recheck", *state, "--no-record")
    assert human.exit_code == exitcodes.OPEN_ALERTS and "Traceback" not in human.output
    assert_no_complainant_names(human.stdout)
    assert f"{CALC} (O4) as investigator of case +K1" in human.stdout, "names shown as given, one line each"
    doc = json.loads(coi(hostile, "recheck", *state, "--json").stdout)
    assert_no_complainant_names(json.dumps(doc))
    assert "+K1|O4|investigator|2023-03-10#1" in {a["alert_id"] for a in doc["open_alerts"]}
    ack = coi(hostile, "recheck", *state, "--ack", "+K1|O4|investigator|2023-03-10#1", "--reason", SCRIPT)
    assert ack.exit_code == exitcodes.OPEN_ALERTS and f"by {trail.current_user()}: {SCRIPT}" in ack.stdout
