"""`coi candidates` says why: unknown unit, empty pool or everyone disqualified; rank, unit, pool, policy."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from coi.graph.sqlite_store import SqliteStore
from coi.graph.store import GraphStore
from coi.loaders.load import load_folder
from coi.queries.analyses.candidates import find_candidates
from coi.queries.engine import Engine
from test_patterns import add_rows
from typer.testing import CliRunner, Result

from coi import exitcodes
from coi.app import app

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
RUNNER = CliRunner()
ENV = {"COLUMNS": "250", "NEO4J_URI": None}
DAY = ("--on", "2023-03-15")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cand") / "store.sqlite"
    load_folder(EXAMPLE, SqliteStore(path))
    return path


def coi(store: Path, *args: str) -> Result:
    return RUNNER.invoke(app, ["candidates", "--case", "K1", *DAY, *args, "--store", str(store)], env=ENV)


@pytest.mark.parametrize(("unit", "hint"), [("XYZ", ""), ("psd", "did you mean 'PSD'?")])
def test_unknown_unit_is_not_found_naming_it(store: Path, unit: str, hint: str) -> None:
    for json_args in ((), ("--json",)):
        result = coi(store, "--unit", unit, *json_args)
        assert result.exit_code == exitcodes.NOT_FOUND
        assert f"unknown unit {unit!r}" in result.stderr and hint in result.stderr
        assert result.stdout == ""


def test_empty_pool_is_not_called_disqualified(store: Path) -> None:
    # nobody of rank inspector is posted to South CID Team 1 on the day
    text = coi(store, "--unit", "SCT1", "--rank", "inspector")
    assert text.exit_code == 0
    assert "the pool is empty" in text.stdout and "disqualified" not in text.stdout
    doc = json.loads(coi(store, "--unit", "SCT1", "--rank", "inspector", "--json").stdout)
    assert (doc["pool_size"], doc["disqualified"], doc["candidates"]) == (0, 0, [])
    assert doc["message"].startswith("No candidate: the pool is empty")


def test_everyone_disqualified_says_so_with_the_pool_size(tmp_path: Path, example_dir: Path) -> None:
    # K7's subject O14 is an assistant chief constable: everyone in the force is barred (reg. 15(3)(d))
    path = tmp_path / "s.sqlite"
    load_folder(example_dir, SqliteStore(path))
    args = ["candidates", "--case", "K7", "--on", "2024-02-05", "--unit", "PSI", "--store", str(path)]
    text = RUNNER.invoke(app, args, env=ENV)
    assert text.exit_code == 0
    assert "all 4 officer(s) in the pool" in text.stdout and "are disqualified" in text.stdout
    doc = json.loads(RUNNER.invoke(app, [*args, "--json"], env=ENV).stdout)
    assert (doc["pool_size"], doc["disqualified"], doc["candidates"]) == (4, 4, [])


def test_candidates_show_rank_unit_pool_and_policy(store: Path, tmp_path: Path) -> None:
    policy = tmp_path / "ppda.toml"
    policy.write_text('name = "PPDA: no previous dealings"\n', encoding="utf-8")
    doc = json.loads(coi(store, "--top", "2", "--json", "--policy", str(policy)).stdout)
    assert doc["policy"] == "PPDA: no previous dealings"
    assert (doc["pool_size"], doc["disqualified"]) == (12, 1)  # 13 serving officers less O3, the subject
    first = doc["candidates"][0]
    assert {k: first[k] for k in ("person_id", "name", "rank", "unit_id", "unit_name")} == {
        "person_id": "O12",
        "name": "Lena Novak (O12)",
        "rank": "constable",
        "unit_id": "SCT1",
        "unit_name": "South CID Team 1",
    }
    text = coi(store, "--top", "2", "--policy", str(policy)).stdout
    assert "(policy PPDA: no previous dealings)" in text
    assert "pool: 12 officers serving on 2023-03-15" in text and "1 disqualified" in text
    row = next(line for line in text.splitlines() if "Lena Novak (O12)" in line)
    assert "constable" in row and "South CID Team 1 (SCT1)" in row


def test_unit_of_another_force_is_named_as_such(tmp_path: Path, example_dir: Path) -> None:
    add_rows(example_dir, "units", "OTH,Other Constabulary,,force,", "OTT,Other Team,OTH,team,")
    add_rows(example_dir, "officers", "O30,Zed Other,constable,3030,2000-01-01,")
    add_rows(example_dir, "postings", "O30,OTT,2010-01-01,,Constable,false,")
    path = tmp_path / "s.sqlite"
    load_folder(example_dir, SqliteStore(path))
    args = ["candidates", "--case", "K1", *DAY, "--unit", "OTT", "--store", str(path)]
    text = RUNNER.invoke(app, args, env=ENV)
    assert text.exit_code == 0
    assert "unit OTT is in Other Constabulary (OTH), not in the force of the case's subjects" in text.stdout
    doc = json.loads(RUNNER.invoke(app, [*args, "--json"], env=ENV).stdout)
    assert doc["notes"] and "Example Constabulary (EXF)" in doc["notes"][0]
    assert [c["person_id"] for c in doc["candidates"]] == ["O30"]


def test_rank_unit_and_pool_on_every_store(example_store: GraphStore) -> None:
    report = find_candidates(Engine(example_store), "K1", date(2023, 3, 15), unit="PSD")
    assert (report.pool_size, report.disqualified) == (5, 1)  # O4, O5, O6, O8, O10 in PSD/PSI; O10 barred
    assert {
        r.investigator_id: (report.ranks[r.investigator_id], report.units[r.investigator_id]) for r in report.ranked
    } == {
        "O4": ("constable", "PSI"),
        "O5": ("sergeant", "PSI"),
        "O6": ("inspector", "PSI"),
        "O8": ("chief_inspector", "PSD"),
    }
