"""`coi path`: every hop lists every kind of link, strongest first; victims stay pseudonymised."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from coi.graph.sqlite_store import SqliteStore
from coi.loaders.load import load_folder
from coi.queries.analyses.paths import shortest_paths
from coi.queries.reader import Reader
from forces import assign, assoc, case, load_force, officer, posting, unit
from test_patterns import add_rows
from typer.testing import CliRunner, Result

from coi.app import app

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
ENV = {"COLUMNS": "250", "NEO4J_URI": None}


def run(store: Path, *args: str) -> Result:
    return CliRunner().invoke(app, ["path", *args, "--store", str(store)], env=ENV)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("path") / "s.sqlite"
    load_folder(EXAMPLE, SqliteStore(path))
    return path


def test_o5_is_shown_as_o4s_line_manager_first(example: Path) -> None:
    """The issue's example: only "both posted to ..." was shown, although O5 line-manages O4."""
    text = run(example, "O5", "O4", "--on", "2023-03-15").stdout
    hop = [line.strip() for line in text.splitlines() if line.strip().startswith(("1.", "also:"))]
    assert hop[0].startswith("1. Dana O'Neil (O4) worked under the management of Eve Patel (O5) from 2020-01-01")
    assert hop[1].startswith("also: Eve Patel (O5) and Dana O'Neil (O4) were both posted to Professional Standards")
    doc = json.loads(run(example, "O5", "O4", "--on", "2023-03-15", "--json").stdout)
    [step] = doc["paths"][0]["steps"]
    assert step["type"] == "management"
    assert [(x["type"], x["evidence"].get("how")) for x in step["links"]] == [
        ("management", "line"),
        ("shared_unit", None),
    ]


def test_links_are_ordered_management_association_shared_unit(tmp_path: Path) -> None:
    store = load_force(
        tmp_path,
        units=[unit("F", kind="force"), unit("T", "F")],
        officers=[officer("A"), officer("B")],
        postings=[posting("A", "T", "2015-01-01"), posting("B", "T", "2016-01-01", manager="A")],
        associations=[assoc("A", "B", "friend", "2017-01-01"), assoc("A", "B", "family", "2018-01-01")],
        cases=[case("K", "2020-01-01")],
        assignments=[assign("K", "A", "subject")],
    )
    [[step]] = shortest_paths(Reader(store), "B", "A", date(2023, 1, 1)).paths
    kinds = [(x["type"], x.get("kind") or x.get("how") or "") for x in step.links]
    assert kinds == [("management", "line"), ("association", "family"), ("association", "friend"), ("shared_unit", "")]
    assert step.evidence == step.links[0]


@pytest.fixture
def hidden_victim(example_dir: Path, tmp_path: Path) -> Path:
    """O20, an officer posted to PSI with O5, who is only ever a complainant (of K1)."""
    add_rows(example_dir, "officers", "O20,Olivia Hiddenvictim,constable,2220,2012-01-01,")
    add_rows(example_dir, "postings", "O20,PSI,2021-01-01,,PSD investigator,false,O8")
    add_rows(example_dir, "assignments", "K1,O20,complainant,,")
    path = tmp_path / "s.sqlite"
    load_folder(example_dir, SqliteStore(path))
    return path


def test_an_officer_who_is_only_a_complainant_is_pseudonymised(hidden_victim: Path) -> None:
    for args in ((), ("--json",)):
        result = run(hidden_victim, "O5", "O20", "--on", "2023-03-15", *args)
        assert result.exit_code == 0, result.output
        assert "Hiddenvictim" not in result.stdout and "Person 1" in result.stdout
    check = CliRunner().invoke(
        app, ["check", "--case", "K1", "--investigator", "O5", "--on", "2023-03-15", "--store", str(hidden_victim)]
    )
    assert "Hiddenvictim" not in check.stdout  # as `check` already did
    named = run(hidden_victim, "O5", "O20", "--on", "2023-03-15", "--show-names")
    assert "Olivia Hiddenvictim (O20)" in named.stdout
