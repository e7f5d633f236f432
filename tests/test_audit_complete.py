"""Audit reports that are complete: CSV for Excel with the columns an analyst needs, the policy
in every report, a usage error for an empty window, unit names; a policy file's every problem."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from coi.graph.sqlite_store import SqliteStore
from coi.loaders.load import load_folder
from forces import assign, case, load_force, officer, posting, unit
from test_report import Tables
from typer.testing import CliRunner, Result

from coi import exitcodes
from coi.app import app

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
RUNNER = CliRunner()
ENV = {"COLUMNS": "250", "NEO4J_URI": None}
POLICY = 'name = "PPDA: no previous dealings"\n[case_types.domestic_abuse.severity]\nSHARED_UNIT = "high"\n'


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audit") / "store.sqlite"
    load_folder(EXAMPLE, SqliteStore(path))
    (path.parent / "ppda.toml").write_text(POLICY, encoding="utf-8")
    return path


def coi(store: Path, *args: str) -> Result:
    return RUNNER.invoke(app, [*args, "--store", str(store)], env=ENV)


def test_csv_is_utf8_with_bom_and_has_the_analysts_columns(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit.csv"
    policy = store.parent / "ppda.toml"
    assert coi(store, "audit", "--csv", str(out), "--policy", str(policy)).exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "Jo Müller (O10)".encode() in raw  # Excel reads it as UTF-8
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    k7 = next(r for r in rows if r["case_id"] == "K7")
    assert {k: k7[k] for k in ("case_type", "investigator", "unit_id", "unit", "policy", "allocatable")} == {
        "case_type": "sexual_misconduct",
        "investigator": "Jo Müller (O10)",
        "unit_id": "PSI",
        "unit": "Professional Standards Investigations",
        "policy": "PPDA: no previous dealings",
        "allocatable": "true",
    }
    k1 = next(r for r in rows if r["case_id"] == "K1")
    assert (k1["severity"], k1["verdict"]) == ("high", "conflict")  # the policy was applied, and named


def test_policy_is_named_in_the_terminal_json_and_html(store: Path, tmp_path: Path) -> None:
    policy = store.parent / "ppda.toml"
    assert "(policy PPDA: no previous dealings)" in coi(store, "audit", "--policy", str(policy)).stdout
    doc = json.loads(coi(store, "audit", "--json", "--policy", str(policy)).stdout)
    assert doc["totals"]["policy"] == "PPDA: no previous dealings"
    html = tmp_path / "a.html"
    coi(store, "audit", "--html", str(html), "--since", "2030-01-01", "--policy", str(policy))
    assert "PPDA: no previous dealings" in html.read_text(encoding="utf-8")  # even with nothing audited


def test_since_after_until_is_a_usage_error(store: Path) -> None:
    result = coi(store, "audit", "--since", "2024-01-01", "--until", "2023-01-01", "--json")
    assert result.exit_code == exitcodes.USAGE
    assert "2024-01-01 is after --until 2023-01-01" in " ".join(result.stderr.split())
    assert result.stdout == ""  # nothing that a script could read as an (empty) audit


def test_terminal_units_table_has_names_and_says_how_many_were_left_out(tmp_path: Path) -> None:
    teams = [unit(f"T{i:02}") for i in range(18)]
    officers = [officer(f"I{i:02}") for i in range(18)] + [officer("S")]
    store = load_force(
        tmp_path,
        units=[unit("F", kind="force"), *({**t, "parent_unit_id": "F"} for t in teams)],
        officers=officers,
        postings=[posting(f"I{i:02}", f"T{i:02}", "2020-01-01") for i in range(18)],
        cases=[case(f"K{i:02}", "2022-01-01") for i in range(18)],
        assignments=[
            a
            for i in range(18)
            for a in (assign(f"K{i:02}", "S", "subject"), assign(f"K{i:02}", f"I{i:02}", "investigator"))
        ],
    )
    store.close()
    text = coi(tmp_path / "store.sqlite", "audit").stdout
    assert "Unit T00" in text  # the name beside the id
    assert "3 more unit(s) not shown" in text  # 18 units, 15 shown
    tables = Tables()
    html = tmp_path / "a.html"
    coi(tmp_path / "store.sqlite", "audit", "--html", str(html))
    tables.feed(html.read_text(encoding="utf-8"))
    assert len(tables.tables["Allocations per unit and verdict"]) == 19  # the HTML keeps every unit


def test_a_bad_policy_file_lists_every_problem(store: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "bad"\nlookback_years = 200\ncolour = "red"\n[severity]\nNOPE = "high"\nSHARED_UNIT = "severe"\n'
        '[case_types.burglary.severity]\nSHARED_UNIT = "high"\n[case_types.conduct]\nlookback_years = -1\n',
        encoding="utf-8",
    )
    for command in (("check", "--case", "K1", "--investigator", "O4"), ("audit",), ("candidates", "--case", "K1")):
        result = coi(store, *command, "--policy", str(bad))
        assert result.exit_code == exitcodes.BAD_DATA
        errors = result.stderr.splitlines()
        for expected in (
            "unknown key(s) colour",
            "unknown rule 'NOPE'",
            "severity.SHARED_UNIT: severity 'severe'",
            "case_types.burglary: unknown case type",
            "case_types.conduct: lookback_years -1",
            "bad.toml: lookback_years 200",
        ):
            assert sum(expected in line for line in errors) == 1, (expected, errors)
        assert errors[-1] == "error: 6 problems in the policy file; nothing was checked"
