"""`coi patterns` gives the true reason a pattern is empty, and has --limit and --csv."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from coi.graph.sqlite_store import SqliteStore
from coi.graph.store import GraphStore
from coi.loaders.load import load_folder
from coi.queries.analyses.patterns import patterns
from test_patterns import add_rows, busier_dir  # noqa: F401 (busier_dir is a fixture)
from typer.testing import CliRunner, Result

from coi.app import app

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
ENV = {"COLUMNS": "250", "NEO4J_URI": None}
TAGS = "professional_standards, domestic_abuse, vawg, safeguarding"


def run(store: Path, *args: str) -> Result:
    return CliRunner().invoke(app, ["patterns", *args, "--store", str(store)], env=ENV)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pat") / "s.sqlite"
    load_folder(EXAMPLE, SqliteStore(path))
    return path


@pytest.mark.parametrize(
    ("on", "reason"),
    [
        # K1 (domestic abuse) is open, its subject O3 is posted to NRA: nothing tagged above it
        (
            "2023-03-15",
            f"1 subject(s) of 1 open domestic abuse / sexual misconduct case(s), none posted on 2023-03-15 to a unit tagged {TAGS}",
        ),
        # and K7 (sexual misconduct, O14 at the force's root unit) is open too
        (
            "2024-03-01",
            f"2 subject(s) of 2 open domestic abuse / sexual misconduct case(s), none posted on 2024-03-01 to a unit tagged {TAGS}",
        ),
        ("2019-06-01", "no domestic abuse or sexual misconduct case is open on 2019-06-01"),
    ],
)
def test_the_true_reason_a_sensitive_pattern_is_empty(example: Path, on: str, reason: str) -> None:
    text = " ".join(run(example, "--on", on).stdout.split())
    assert f"Subjects in sensitive units: none ({reason}" in text
    assert "no subject of an open" not in text
    doc = json.loads(run(example, "--on", on, "--json").stdout)
    assert doc["why_empty"]["subjects_in_sensitive_units"].startswith(reason)
    assert doc["subjects_in_sensitive_units"] == []


def test_found_patterns_have_no_reason(busier_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "s.sqlite"
    load_folder(busier_dir, SqliteStore(path))
    doc = json.loads(run(path, "--on", "2023-04-01", "--json").stdout)
    assert doc["why_empty"] == {
        "repeat_subjects": None,
        "subjects_in_sensitive_units": None,
        "repeat_investigators": None,
    }


@pytest.fixture
def two_repeats(example_dir: Path, tmp_path: Path) -> Path:
    """O3 (K1, K2) and P1 (K4, K9) are both repeat subjects; O3's name is a spreadsheet formula."""
    add_rows(example_dir, "cases", "K9,criminal,2023-03-22,,,Second counter-allegation")
    add_rows(example_dir, "assignments", "K9,P1,subject,,")
    officers = (example_dir / "officers.csv").read_text(encoding="utf-8")
    (example_dir / "officers.csv").write_text(officers.replace("Chris Dunn", "=Chris Dunn"), encoding="utf-8")
    path = tmp_path / "s.sqlite"
    load_folder(example_dir, SqliteStore(path))
    return path


def test_limit_shows_n_hits_and_says_how_many_there_are(two_repeats: Path) -> None:
    text = run(two_repeats, "--on", "2023-04-01", "--limit", "1").stdout
    assert "Repeat subjects: subjects of two or more cases (1 of 2 shown: --limit)" in text
    assert "Person 1" not in text  # P1, the second hit, is left out
    doc = json.loads(run(two_repeats, "--on", "2023-04-01", "--limit", "1", "--json").stdout)
    assert len(doc["repeat_subjects"]) == 1 and doc["counts"]["repeat_subjects"] == 2
    assert run(two_repeats, "--limit", "0").exit_code == 2


def test_csv_has_every_hit_in_utf8_with_bom_and_is_spreadsheet_safe(two_repeats: Path, tmp_path: Path) -> None:
    out = tmp_path / "patterns.csv"
    result = run(two_repeats, "--on", "2023-04-01", "--limit", "1", "--csv", str(out))
    assert result.exit_code == 0 and f"wrote {out}" in result.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    hits = {(r["pattern"], r["hit"], r["person_id"], r["case_id"]) for r in rows}
    assert hits == {
        ("repeat_subject", "1", "O3", "K2"),
        ("repeat_subject", "1", "O3", "K1"),
        ("repeat_subject", "2", "P1", "K4"),
        ("repeat_subject", "2", "P1", "K9"),
    }  # --limit only shortens what is printed
    names = {r["person_id"]: r["person"] for r in rows}
    assert names == {"O3": "'=Chris Dunn (O3)", "P1": "Person 1"}


def test_counts_behind_the_reasons_on_every_store(example_store: GraphStore) -> None:
    report = patterns(example_store, date(2024, 3, 1))
    assert {k: report.counts[k] for k in ("sensitive_cases", "sensitive_subjects", "repeat_subjects")} == {
        "sensitive_cases": 2,  # K1 and K7
        "sensitive_subjects": 2,  # O3 and O14
        "repeat_subjects": 1,  # O3
    }
