"""Shortest explained paths on the example force (answers reasoned from its CSV files) and ``coi path``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from coi.graph.sqlite_store import SqliteStore
from coi.graph.store import GraphStore
from coi.loaders.load import load_folder
from coi.queries.analyses.paths import shortest_paths
from coi.queries.dispute import NotFound
from coi.queries.reader import Reader
from typer.testing import CliRunner

from coi import exitcodes
from coi.app import app

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
# wide, so rich does not wrap table cells; the embedded store given, even if NEO4J_URI is set
CLI_ENV = {"COLUMNS": "250", "NEO4J_URI": None}
DAY = date(2023, 3, 15)


def people(report) -> list[list[str]]:
    return [[p[0].source, *(s.target for s in p)] for p in report.paths]


def test_o5_reaches_o3_through_o4_in_two_hops(example_store: GraphStore) -> None:
    # O5 line-manages O4 in PSI from 2020 (and both are posted there); O4 and O3 shared NRA
    # 2017-2019; no one else is next to both. The first hop leads with its strongest link.
    report = shortest_paths(Reader(example_store), "O5", "O3", DAY)
    assert report.hops == 2
    assert people(report) == [["O5", "O4", "O3"]]
    first, second = report.paths[0]
    assert (first.evidence["type"], first.evidence["manager_id"], first.evidence["managed_id"]) == (
        "management",
        "O5",
        "O4",
    )
    assert [(x["type"], x.get("unit_id")) for x in first.links] == [("management", None), ("shared_unit", "PSI")]
    assert (second.evidence["from"], second.evidence["to"]) == ("2017-01-01", "2019-12-31")
    assert report.sentence(second) == (
        "Dana O'Neil (O4) and Chris Dunn (O3) were both posted to North Response Team A from 2017-01-01 to 2019-12-31"
    )


def test_path_is_the_same_length_both_ways(example_store: GraphStore) -> None:
    back = shortest_paths(Reader(example_store), "O3", "O5", DAY)
    assert people(back) == [["O3", "O4", "O5"]]


def test_max_hops_bounds_the_search(example_store: GraphStore) -> None:
    # O12's only link is O6 (South CID Team 1, 2015-2016); O6 meets O4 in PSI; O4 meets O3 in NRA.
    reader = Reader(example_store)
    assert people(shortest_paths(reader, "O12", "O3", DAY, max_hops=3)) == [["O12", "O6", "O4", "O3"]]
    too_short = shortest_paths(reader, "O12", "O3", DAY, max_hops=2)
    assert too_short.paths == [] and too_short.hops is None
    assert "No link" in too_short.message()


def test_links_older_than_the_lookback_do_not_count(example_store: GraphStore) -> None:
    # On 2030-01-01 the window starts 2020-01-01: O4 and O3 no longer share a unit within it,
    # and O5's neighbours (O4, O6, O8, O10, O14) and O3's (O1, O2, O13, O7, O9) are disjoint.
    report = shortest_paths(Reader(example_store), "O5", "O3", date(2030, 1, 1), max_hops=2)
    assert report.paths == []


def test_several_shortest_paths_are_all_listed(example_store: GraphStore) -> None:
    # O7 (NRB) is managed by O1 and O13, who both managed O4 in NRA, and is a friend of O3 (NRA with O4).
    report = shortest_paths(Reader(example_store), "O7", "O5", DAY)
    assert report.hops == 3
    assert sorted(people(report)) == [["O7", "O1", "O4", "O5"], ["O7", "O13", "O4", "O5"], ["O7", "O3", "O4", "O5"]]


def test_civilians_are_pseudonymised(example_store: GraphStore) -> None:
    report = shortest_paths(Reader(example_store), "O10", "P1", DAY)
    assert report.hops == 1 and report.paths[0][0].evidence["kind"] == "family"
    assert report.sentence(report.paths[0][0]) == "Jo Müller (O10) and Person 1: family association, declared"
    named = shortest_paths(Reader(example_store), "O10", "P1", DAY, show_names=True)
    assert "Samantha (pseudonym) (P1)" in named.sentence(named.paths[0][0])


def test_unknown_person(example_store: GraphStore) -> None:
    with pytest.raises(NotFound, match="OX"):
        shortest_paths(Reader(example_store), "O5", "OX", DAY)


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("path") / "store.sqlite"
    load_folder(EXAMPLE, SqliteStore(path))
    return path


def run(cli_store: Path, *args: str):
    return CliRunner().invoke(app, ["path", *args, "--store", str(cli_store)], env=CLI_ENV)


def test_cli_json(cli_store: Path) -> None:
    result = run(cli_store, "O5", "O3", "--on", "2023-03-15", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["found"], doc["hops"], doc["max_hops"]) == (True, 2, 3)
    [path] = doc["paths"]
    assert path["people"] == ["O5", "O4", "O3"]
    assert [s["type"] for s in path["steps"]] == ["management", "shared_unit"]
    assert [link["type"] for link in path["steps"][0]["links"]] == ["management", "shared_unit"]
    assert (
        "Professional Standards Investigations from 2020-01-01 to 2023-03-15"
        in path["steps"][0]["links"][1]["sentence"]
    )


def test_cli_human(cli_store: Path) -> None:
    result = run(cli_store, "O5", "O3", "--on", "2023-03-15")
    assert result.exit_code == 0, result.output
    assert "Path 1: Eve Patel (O5) -> Dana O'Neil (O4) -> Chris Dunn (O3)" in result.stdout
    assert "North Response Team A from 2017-01-01 to 2019-12-31" in result.stdout


def test_cli_no_path_is_success(cli_store: Path) -> None:
    result = run(cli_store, "O12", "O3", "--on", "2023-03-15", "--max-hops", "2", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["found"], doc["paths"]) == (False, [])
    assert doc["message"].startswith("No link between Lena Novak (O12) and Chris Dunn (O3) within 2 hops")


def test_cli_errors(cli_store: Path) -> None:
    unknown = run(cli_store, "O5", "OX")
    assert unknown.exit_code == exitcodes.NOT_FOUND
    assert "unknown person 'OX'" in unknown.stderr
    assert run(cli_store, "O5", "O3", "--max-hops", "7").exit_code == exitcodes.USAGE
    assert run(cli_store, "O5", "O5").exit_code == exitcodes.USAGE
