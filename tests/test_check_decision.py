"""`check --json` carries the data version and the decision; overriding DISQUALIFIED needs a
confirmation; a not-allocatable allocation cannot be overridden; `coi --version`; the trail
records the tool version."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from coi.graph import trail
from coi.graph.sqlite_store import SqliteStore
from coi.loaders.load import load_folder
from typer.testing import CliRunner, Result

from coi import exitcodes
from coi.app import app

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
ROOT = Path(__file__).resolve().parent.parent
RUNNER = CliRunner()
ENV = {"NEO4J_URI": None, "COLUMNS": "250"}
K5_O5 = ("check", "--case", "K5", "--investigator", "O5", "--on", "2022-06-10")  # disqualified


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """The example in a fresh store, its trail beside it (conftest unsets COI_TRAIL)."""
    load_folder(EXAMPLE, SqliteStore(tmp_path / "store.sqlite"))
    return tmp_path / "store.sqlite"


def coi(store: Path, *args: str) -> Result:
    return RUNNER.invoke(app, [*args, "--store", str(store)], env=ENV)


def entries(store: Path) -> list[dict]:
    return trail.read_entries(trail.trail_path(store))


def test_check_json_has_data_version_and_decision(store: Path) -> None:
    plain = json.loads(
        coi(store, "check", "--case", "K1", "--investigator", "O4", "--on", "2023-03-15", "--json").stdout
    )
    assert plain["data_version"] == SqliteStore(store).info().data_version
    assert plain["decision"] == {
        "by": trail.current_user(),
        "allocated": False,
        "override": None,
        "confirmed_disqualified": False,
        "refused": None,
        "trail_entry": 1,
        "data_version": plain["data_version"],
    }
    args = ("check", "--case", "K1", "--investigator", "O4", "--on", "2023-03-15", "--json")
    result = coi(store, *args, "--override", "only DA-trained investigator", "--by", "DI Smith")
    assert result.exit_code == exitcodes.DECLARE
    decision = json.loads(result.stdout)["decision"]
    assert (decision["by"], decision["allocated"], decision["override"], decision["trail_entry"]) == (
        "DI Smith",
        True,
        "only DA-trained investigator",
        2,
    )


@pytest.mark.parametrize("fmt", [(), ("--json",)])
def test_overriding_disqualified_needs_the_confirmation_flag(store: Path, fmt: tuple[str, ...]) -> None:
    refused = coi(store, *K5_O5, *fmt, "--override", "no one else", "--by", "DS A")
    assert refused.exit_code == exitcodes.USAGE
    assert "add --confirm-disqualified" in refused.stderr and "nothing was allocated" in refused.stderr
    if fmt:
        doc = json.loads(refused.stdout)
        assert doc["verdict"] == "disqualified" and doc["decision"]["allocated"] is False
        assert "--confirm-disqualified" in doc["decision"]["refused"]
    (entry,) = entries(store)
    assert (entry["decision"], entry["refused"], entry["confirmed_disqualified"]) == (
        "refused",
        "disqualified_not_confirmed",
        False,
    )
    confirmed = coi(store, *K5_O5, *fmt, "--override", "no one else", "--by", "DS A", "--confirm-disqualified")
    assert confirmed.exit_code == exitcodes.DISQUALIFIED  # the verdict stands; the decision is recorded
    assert "confirmed with --confirm-disqualified" in confirmed.stderr
    last = entries(store)[-1]
    assert (last["decision"], last["confirmed_disqualified"], last["override"]) == ("allocated", True, "no one else")
    shown = coi(store, "log", "show").stdout
    assert "ALLOCATED despite it (disqualified, confirmed)" in " ".join(shown.split())


def test_confirmation_alone_is_a_usage_error(store: Path) -> None:
    result = coi(store, *K5_O5, "--confirm-disqualified")
    assert result.exit_code == exitcodes.USAGE and "only goes with --override" in result.output
    assert entries(store) == []


def test_a_not_allocatable_allocation_cannot_be_overridden(store: Path) -> None:
    args = ("check", "--case", "K2", "--investigator", "O6", "--on", "2024-01-01", "--override", "x")
    result = coi(store, *args, "--json")
    assert result.exit_code == exitcodes.NOT_ALLOCATABLE
    assert "--override refused" in result.stderr and "case K2 was closed" in result.stderr
    assert json.loads(result.stdout)["decision"]["allocated"] is False
    with_flag = coi(store, *args, "--confirm-disqualified")
    assert with_flag.exit_code == exitcodes.NOT_ALLOCATABLE  # no flag makes it possible
    assert [(e["decision"], e["refused"]) for e in entries(store)] == [("refused", "not_allocatable")] * 2


def test_version_matches_the_package_and_is_in_every_trail_entry(store: Path) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    result = RUNNER.invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"coi {version}\n")
    coi(store, "check", "--case", "K1", "--investigator", "O4", "--on", "2023-03-15")
    coi(store, "candidates", "--case", "K1", "--on", "2023-03-15")
    assert [e["coi_version"] for e in entries(store)] == [version, version]
    assert trail.verify(trail.trail_path(store)).ok
