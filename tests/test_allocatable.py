"""Who may be allocated at all (conflict-rules.md): not an officer, not serving, case closed.

The example plus a leaver (O15, left 2002), an officer who joins in 2030 (O16), and three
past allocations that were not possible on their own date: the leaver on K5, a civilian
(P2) on K6, and O12 on K2 after K2 was closed.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from browser import CHROMIUM, open_picture
from coi.graph import trail
from coi.graph.sqlite_store import SqliteStore
from coi.graph.store import GraphStore
from coi.loaders.load import load_folder
from coi.queries.analyses.audit import audit
from coi.queries.engine import Engine
from coi.queries.present.picture import build_case_picture
from test_patterns import add_rows
from test_report import Tables
from typer.testing import CliRunner, Result

from coi import exitcodes
from coi.app import app

RUNNER = CliRunner()
ENV = {"COLUMNS": "250", "NEO4J_URI": None}
BARRED_AUDIT = {("K5", "O15"): ["left"], ("K6", "P2"): ["not_an_officer"], ("K2", "O12"): ["case_closed"]}


@pytest.fixture
def barred_dir(example_dir: Path) -> Path:
    add_rows(
        example_dir,
        "officers",
        "O15,Rhys Leaver,constable,2215,1990-01-01,2002-06-30",
        "O16,Una Future,constable,2216,2030-01-01,",
    )
    add_rows(
        example_dir,
        "assignments",
        "K5,O15,investigator,2022-07-01,",
        "K6,P2,investigator,2022-09-10,",
        "K2,O12,investigator,2020-02-01,",
    )
    return example_dir


@pytest.fixture
def store(barred_dir: Path, tmp_path: Path) -> Path:
    path = tmp_path / "barred.sqlite"
    load_folder(barred_dir, SqliteStore(path))
    return path


def coi(store: Path, *args: str) -> Result:
    return RUNNER.invoke(app, [*args, "--store", str(store)], env=ENV)


@pytest.mark.parametrize(
    ("case", "person", "on", "reason", "verdict"),
    [
        ("K1", "P2", "2023-03-15", "not_an_officer", "clear"),  # a civilian complainant of another case
        ("K1", "O15", "2023-03-15", "left", "clear"),
        ("K1", "O16", "2023-03-15", "not_yet_joined", "clear"),
        ("K2", "O12", "2024-01-01", "case_closed", "clear"),
        ("K4", "P1", "2023-03-25", "not_an_officer", "disqualified"),  # the rules still run
    ],
)
def test_check_json_says_not_allocatable_with_its_own_exit_code(
    store: Path, case: str, person: str, on: str, reason: str, verdict: str
) -> None:
    result = coi(store, "check", "--case", case, "--investigator", person, "--on", on, "--json")
    assert result.exit_code == exitcodes.NOT_ALLOCATABLE, result.output  # whatever the verdict
    doc = json.loads(result.stdout)
    assert doc["allocatable"] is False and doc["verdict"] == verdict
    assert [b["reason"] for b in doc["not_allocatable"]] == [reason]
    assert doc["not_allocatable"][0]["message"]
    if verdict == "disqualified":
        assert [f["rule"] for f in doc["findings"]] == ["SELF_INVOLVED"]  # findings are still shown


def test_check_human_output_leads_with_the_reasons(store: Path) -> None:
    result = coi(store, "check", "--case", "K1", "--investigator", "O15", "--on", "2023-03-15")
    assert result.exit_code == exitcodes.NOT_ALLOCATABLE
    lines = result.stdout.splitlines()
    assert lines[0].strip().startswith("NOT ALLOCATABLE")
    assert "Rhys Leaver (O15) left the force on 2002-06-30, before 2023-03-15 [left]" in lines[1]
    verdict = next(i for i, line in enumerate(lines) if line.strip().startswith("CLEAR"))
    assert verdict > 1


def test_civilian_today_is_no_longer_clear(store: Path) -> None:
    """The issue's case: `check --case K1 --investigator P2` printed CLEAR and exited 0."""
    result = coi(store, "check", "--case", "K1", "--investigator", "P2")
    assert result.exit_code == exitcodes.NOT_ALLOCATABLE
    assert result.stdout.lstrip().startswith("NOT ALLOCATABLE")


@pytest.mark.parametrize(
    ("case", "person", "on"),
    [("K2", "O6", "2019-12-01"), ("K1", "O4", "2015-06-01")],  # closed that day; joined that day
    ids=["closed-on-the-day", "joined-on-the-day"],
)
def test_boundaries_are_inclusive(store: Path, case: str, person: str, on: str) -> None:
    result = coi(store, "check", "--case", case, "--investigator", person, "--on", on, "--json")
    assert json.loads(result.stdout)["allocatable"] is True
    assert result.exit_code != exitcodes.NOT_ALLOCATABLE


def test_left_on_the_day_is_still_serving(example_dir: Path, tmp_path: Path) -> None:
    add_rows(example_dir, "officers", "O15,Rhys Leaver,constable,2215,1990-01-01,2023-03-15")
    path = tmp_path / "s.sqlite"
    load_folder(example_dir, SqliteStore(path))
    assert json.loads(
        coi(path, "check", "--case", "K1", "--investigator", "O15", "--on", "2023-03-15", "--json").stdout
    )["allocatable"]
    day_after = coi(path, "check", "--case", "K1", "--investigator", "O15", "--on", "2023-03-16")
    assert day_after.exit_code == exitcodes.NOT_ALLOCATABLE


def test_candidates_pool_is_the_same_definition(load_into: Callable[[Path], GraphStore], barred_dir: Path) -> None:
    """On every store: an officer is in the store's serving pool on d exactly when person_bars is empty."""
    from coi.queries.allocatable import person_bars
    from coi.queries.analyses.candidates import find_candidates

    store = load_into(barred_dir)
    officers = store.people([f"O{i}" for i in range(1, 17)])
    for day in (date(2002, 6, 30), date(2002, 7, 1), date(2015, 6, 1), date(2023, 3, 15), date(2030, 1, 1)):
        serving = {p.person_id for p in store.serving_officers(day)}
        assert serving == {pid for pid, p in officers.items() if not person_bars(p, day)}, day
    ranked = find_candidates(Engine(store), "K1", date(2023, 3, 15)).ranked
    assert ranked and all(r.allocatable for r in ranked)
    assert {"O15", "O16"}.isdisjoint(r.investigator_id for r in ranked)


def test_candidates_for_a_closed_case_say_so(store: Path) -> None:
    text = coi(store, "candidates", "--case", "K2", "--on", "2024-01-01")
    assert text.exit_code == exitcodes.NOT_ALLOCATABLE
    assert "case K2 was closed on 2019-12-01, before 2024-01-01" in text.stdout
    doc = json.loads(coi(store, "candidates", "--case", "K2", "--on", "2024-01-01", "--json").stdout)
    assert (doc["allocatable"], doc["candidates"]) == (False, [])
    assert [b["reason"] for b in doc["not_allocatable"]] == ["case_closed"]


def test_audit_counts_not_allocatable_per_reason(load_into: Callable[[Path], GraphStore], barred_dir: Path) -> None:
    from coi.queries.allocatable import REASONS

    report = audit(Engine(load_into(barred_dir)))
    barred = {(r.case_id, r.investigator_id): [b.reason for b in r.bars] for r in report.not_allocatable()}
    assert barred == BARRED_AUDIT
    totals = report.totals()["not_allocatable"]
    assert totals == {
        "allocations": 3,
        "per_reason": {reason: sum(v == [reason] for v in BARRED_AUDIT.values()) for reason in REASONS},
    }


def test_audit_cli_json_csv_html_and_terminal(store: Path, tmp_path: Path) -> None:
    doc = json.loads(coi(store, "audit", "--json").stdout)
    assert doc["totals"]["not_allocatable"]["per_reason"] == {
        "not_an_officer": 1,
        "not_yet_joined": 0,
        "left": 1,
        "case_closed": 1,
    }
    flagged = {(a["case_id"], a["investigator_id"]) for a in doc["allocations"] if not a["allocatable"]}
    assert flagged == set(BARRED_AUDIT)

    out_csv, out_html = tmp_path / "a.csv", tmp_path / "a.html"
    assert coi(store, "audit", "--csv", str(out_csv), "--html", str(out_html)).exit_code == 0
    with open(out_csv, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    got = {(r["case_id"], r["investigator_id"]): r["not_allocatable"] for r in rows if r["allocatable"] == "false"}
    assert got == {k: ";".join(v) for k, v in BARRED_AUDIT.items()}

    tables = Tables()
    tables.feed(out_html.read_text(encoding="utf-8"))
    per_reason = {row[0]: row[1] for row in tables.tables["Not allocatable, per reason"][1:]}
    assert per_reason == {"not_an_officer": "1", "not_yet_joined": "0", "left": "1", "case_closed": "1"}

    terminal = coi(store, "audit").stdout
    assert "Not allocatable on their own date: 3 allocation(s)" in terminal
    assert "3 allocation(s) not allocatable on their own date:" in terminal
    assert "case K2 was closed on 2019-12-01, before 2020-02-01 [case_closed]" in terminal


def test_trail_records_allocatable_and_reasons(store: Path) -> None:
    coi(store, "check", "--case", "K1", "--investigator", "O16", "--on", "2023-03-15")
    (entry,) = trail.read_entries(trail.trail_path(store))
    assert (entry["allocatable"], entry["not_allocatable"]) == (False, ["not_yet_joined"])


def test_picture_of_a_not_allocatable_check_says_so(store: Path, tmp_path: Path) -> None:
    engine = Engine(SqliteStore(store))
    page = build_case_picture(engine, "K1", "O15", date(2023, 3, 15)).page
    facts = {f.label: f.value for f in page.facts}
    assert facts["Allocatable"].startswith("NO: Rhys Leaver (O15) left the force on 2002-06-30")
    assert [f.label for f in page.facts].index("Allocatable") < [f.label for f in page.facts].index("Verdict")
    out = tmp_path / "k1.html"
    result = coi(store, "show", "--case", "K1", "--investigator", "O15", "--on", "2023-03-15", "--out", str(out))
    assert result.exit_code == 0 and "NOT ALLOCATABLE" in result.stdout
    allocatable = build_case_picture(engine, "K1", "O4", date(2023, 3, 15)).page
    assert "Allocatable" not in {f.label for f in allocatable.facts}


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: apt-get install chromium")
def test_picture_header_in_chromium_shows_not_allocatable(store: Path, tmp_path: Path) -> None:
    pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
    out = tmp_path / "k1.html"
    assert (
        coi(store, "show", "--case", "K1", "--investigator", "P2", "--on", "2023-03-15", "--out", str(out)).exit_code
        == 0
    )
    header = open_picture(out).state["header"]
    assert "Allocatable" in header and "is not an officer" in header
