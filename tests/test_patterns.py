"""Pattern queries on the example force (answers reasoned from its CSV files) and ``coi patterns``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from coi.graph.sqlite_store import SqliteStore
from coi.graph.store import GraphStore
from coi.loaders.load import load_folder
from coi.queries.analyses.patterns import patterns
from typer.testing import CliRunner

from coi.app import app

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
# wide, so rich does not wrap table cells; the embedded store given, even if NEO4J_URI is set
CLI_ENV = {"COLUMNS": "250", "NEO4J_URI": None}


def add_rows(folder: Path, table: str, *rows: str) -> None:
    with (folder / f"{table}.csv").open("a", encoding="utf-8") as handle:
        handle.writelines(row + "\n" for row in rows)


@pytest.fixture
def busier_dir(example_dir: Path) -> Path:
    """The example plus: K8 (O3 subject, O4 investigator, like K1) and O3 posted to a team under DAU."""
    add_rows(example_dir, "units", "DAT,Domestic Abuse Team North,DAU,team,")
    add_rows(example_dir, "postings", "O3,DAT,2023-01-01,,Secondment,false,")
    add_rows(example_dir, "cases", "K8,conduct,2023-02-01,,,Second allegation")
    add_rows(example_dir, "assignments", "K8,O3,subject,,", "K8,O4,investigator,2023-02-05,", "K8,O2,supervisor,,")
    return example_dir


def test_repeat_subject_is_o3_with_both_cases_and_their_investigators(example_store: GraphStore) -> None:
    # O3 is the subject of K2 (conduct, closed 2019-12-01, investigated by O6) and of K1 (open, O4).
    report = patterns(example_store, date(2023, 4, 1))
    assert [r.person_id for r in report.repeat_subjects] == ["O3"]
    cases = report.repeat_subjects[0].cases
    assert [(v.case.case_id, v.status) for v in cases] == [("K2", "closed"), ("K1", "open")]
    assert [[a.person_id for a in v.oversight] for v in cases] == [["O6"], ["O4"]]
    # K1's subject O3 is posted to NRA (no tags anywhere above it); K7 is not open yet.
    assert report.sensitive_postings == []
    assert report.repeat_investigators == []


def test_cases_opened_after_the_day_do_not_count(example_store: GraphStore) -> None:
    assert patterns(example_store, date(2020, 1, 1)).repeat_subjects == []


def test_senior_subject_in_untagged_force_unit_is_not_flagged(example_store: GraphStore) -> None:
    # K7 (sexual misconduct) is open on 2024-03-01; its subject O14 is posted to EXF, which has no tags.
    assert patterns(example_store, date(2024, 3, 1)).sensitive_postings == []


def test_busier_force(load_into: Callable[[Path], GraphStore], busier_dir: Path) -> None:
    store = load_into(busier_dir)
    report = patterns(store, date(2023, 4, 1))
    subject = report.repeat_subjects[0]
    assert subject.person_id == "O3"
    assert [v.case.case_id for v in subject.cases] == ["K2", "K8", "K1"]
    assert [(a.person_id, a.role) for a in subject.cases[1].oversight] == [("O4", "investigator"), ("O2", "supervisor")]
    # O4 investigated O3 in K8 and in K1; O2 supervised only K8; O6 only K2.
    assert [(r.investigator_id, r.subject_id) for r in report.repeat_investigators] == [("O4", "O3")]
    assert [(v.case.case_id, roles) for v, roles in report.repeat_investigators[0].cases] == [
        ("K8", ("investigator",)),
        ("K1", ("investigator",)),
    ]
    # O3, subject of open domestic-abuse K1, is posted to DAT, which inherits DAU's tags.
    [hit] = report.sensitive_postings
    assert (hit.person_id, hit.case.case_id, hit.posting.unit_id, hit.tagged_unit_id) == ("O3", "K1", "DAT", "DAU")
    assert hit.tags == ("domestic_abuse", "vawg", "safeguarding")
    # Before K1 was opened, the same posting is not a pattern.
    assert patterns(store, date(2023, 2, 15)).sensitive_postings == []


def test_civilian_subjects_are_pseudonymised(load_into: Callable[[Path], GraphStore], example_dir: Path) -> None:
    # P1 becomes a repeat subject (K4 and a new K9): a civilian, shown as a pseudonym unless names are asked for.
    add_rows(example_dir, "cases", "K9,criminal,2023-03-22,,,Second counter-allegation")
    add_rows(example_dir, "assignments", "K9,P1,subject,,")
    store = load_into(example_dir)
    doc = patterns(store, date(2023, 4, 1)).to_dict()
    names = {r["person_id"]: r["name"] for r in doc["repeat_subjects"]}
    assert names == {"O3": "Chris Dunn (O3)", "P1": "Person 1"}
    shown = patterns(store, date(2023, 4, 1), show_names=True).to_dict()
    assert {r["person_id"]: r["name"] for r in shown["repeat_subjects"]}["P1"] == "Samantha (pseudonym) (P1)"


@pytest.fixture
def cli_store(tmp_path: Path, busier_dir: Path) -> Path:
    path = tmp_path / "cli.sqlite"
    load_folder(busier_dir, SqliteStore(path))
    return path


def run(store: Path, *args: str):
    return CliRunner().invoke(app, ["patterns", *args, "--store", str(store)], env=CLI_ENV)


def test_cli_json(cli_store: Path) -> None:
    result = run(cli_store, "--on", "2023-04-01", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["on"] == "2023-04-01"
    [subject] = doc["repeat_subjects"]
    assert (subject["person_id"], subject["case_count"]) == ("O3", 3)
    assert [c["case_id"] for c in subject["cases"]] == ["K2", "K8", "K1"]
    assert subject["cases"][0]["investigators"][0] == {
        "person_id": "O6",
        "name": "Femi Okafor (O6)",
        "role": "investigator",
        "start_date": "2019-05-15",
        "end_date": "2019-12-01",
    }
    [hit] = doc["subjects_in_sensitive_units"]
    assert (hit["person_id"], hit["unit_id"], hit["tagged_unit_id"]) == ("O3", "DAT", "DAU")
    assert hit["posting"]["type"] == "posting"
    [pair] = doc["repeat_investigators"]
    assert (pair["investigator_id"], pair["subject_id"], pair["case_count"]) == ("O4", "O3", 2)


def test_cli_human(cli_store: Path) -> None:
    result = run(cli_store, "--on", "2023-04-01")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    for expected in ("Repeat subjects", "Chris Dunn (O3)", "Domestic Abuse Team North", "(DAU)", "Dana O'Neil (O4)"):
        assert expected in text


def test_cli_human_when_nothing_found(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    load_folder(EXAMPLE, SqliteStore(path))
    result = run(path, "--on", "2019-06-01")
    assert result.exit_code == 0, result.output
    assert "Repeat subjects: none" in result.stdout
    assert "Repeat investigators: none" in result.stdout
