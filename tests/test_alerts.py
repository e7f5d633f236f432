"""Alerts through the CLI: raised on first sight, open until acknowledged, re-opened when worse.

The example force on 2023-04-01 (EXPECTED.md): K1/O4 declare, K4/O12 clear, K5/O5
disqualified, K6/O4 conflict.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from coi import exitcodes
from coi.app import app

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
CLI_ENV = {"COLUMNS": "250", "NEO4J_URI": None}
DAY = "2023-04-01"
K1_O4 = "K1|O4|investigator|2023-03-10"
NOT_CLEAR = {f"{K1_O4}#1", "K5|O5|investigator|2022-06-10#1", "K6|O4|investigator|2022-09-05#1"}


def coi(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), env=CLI_ENV)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("*.md"))
    return folder


@pytest.fixture
def store(tmp_path: Path, export: Path) -> Path:
    path = tmp_path / "store.sqlite"
    assert coi("load", str(export), "--store", str(path), "--no-recheck").exit_code == 0
    return path


def recheck(store: Path, *args: str) -> Any:
    return coi("recheck", "--on", DAY, "--store", str(store), *args)


def doc(result: Any) -> dict[str, Any]:
    return json.loads(result.stdout)


def befriend_o4_and_o3(export: Path) -> None:
    """A newer export declares a friendship between K1's investigator (O4) and its subject (O3)."""
    with open(export / "associations.csv", "a", encoding="utf-8") as handle:
        handle.write("O4,O3,friend,2023-01-01,,declared\n")


def test_first_recheck_raises_an_alert_for_every_allocation_that_is_not_clear(store: Path) -> None:
    result = recheck(store, "--json")
    assert result.exit_code == exitcodes.OPEN_ALERTS == 9, result.output
    report = doc(result)
    assert {a["alert_id"] for a in report["open_alerts"]} == NOT_CLEAR == set(report["alerts_raised"])
    worst = report["open_alerts"][0]
    assert (worst["case_id"], worst["verdict"], worst["status"], worst["new"]) == ("K5", "disqualified", "open", True)
    assert worst["why"] == "not clear when first seen" and worst["details"][0]["rule"] == "UNDER_MANAGEMENT"
    by_case = {a["case_id"]: a["open_alert"] for a in report["allocations"]}
    assert by_case["K4"] is None and by_case["K1"] == f"{K1_O4}#1"
    human = recheck(store, "--no-record")
    assert human.exit_code == 9
    assert "3 open alert(s): 0 new, 0 updated." in human.stdout
    assert f" ALERT  {K1_O4}#1\n" in human.stdout
    assert "   case K1: Dana O'Neil (O4) as investigator, allocated 2023-03-10: declare (at allocation declare)" in (
        human.stdout
    )


def test_an_alert_stays_open_on_the_next_recheck(store: Path) -> None:
    recheck(store)
    again = recheck(store)
    assert again.exit_code == 9
    assert "3 open alert(s)" in again.stdout and "No new or changed verdicts" not in again.stdout
    assert {a["alert_id"] for a in doc(recheck(store, "--json"))["open_alerts"]} == NOT_CLEAR


def test_the_recheck_after_a_load_does_not_consume_its_alerts(tmp_path: Path, export: Path) -> None:
    path = tmp_path / "loaded.sqlite"
    first = coi("load", str(export), "--store", str(path), "--json")
    assert first.exit_code == 0, first.output  # the load committed; open alerts do not fail it
    assert doc(first)["data_version"] and doc(first)["recheck"]["open_alerts"]
    raised = {a["alert_id"] for a in doc(first)["recheck"]["open_alerts"]}
    assert raised >= {"K5|O5|investigator|2022-06-10#1"}, "a first load alerts on what is not clear"
    nightly = coi("recheck", "--store", str(path), "--json")
    assert nightly.exit_code == 9
    assert {a["alert_id"] for a in doc(nightly)["open_alerts"]} == raised
    assert doc(nightly)["alerts_raised"] == []


def test_a_load_without_open_alerts_exits_0(tmp_path: Path, export: Path) -> None:
    path = tmp_path / "clean.sqlite"
    for name in ("assignments", "associations"):
        with open(export / f"{name}.csv", encoding="utf-8") as handle:
            header = handle.readline()
        (export / f"{name}.csv").write_text(header, encoding="utf-8")
    result = coi("load", str(export), "--store", str(path))
    assert result.exit_code == 0, result.output
    assert "No open alerts." in result.stdout


def test_acknowledging_closes_the_alert_and_is_in_the_trail(store: Path) -> None:
    recheck(store)
    ack = recheck(store, "--ack", f"{K1_O4}#1", "--by", "DI Smith", "--reason", "declared and accepted by the AA")
    assert ack.exit_code == 9, ack.output  # two are still open
    assert f"acknowledged {K1_O4}#1 (declare) by DI Smith: declared and accepted by the AA" in ack.stdout
    assert "2 alert(s) still open." in ack.stdout
    report = doc(recheck(store, "--json"))
    assert {a["alert_id"] for a in report["open_alerts"]} == NOT_CLEAR - {f"{K1_O4}#1"}
    k1 = next(a for a in report["allocations"] if a["assignment_id"] == K1_O4)
    assert k1["open_alert"] is None
    trail = doc(coi("log", "show", "--store", str(store), "--json"))["entries"]
    [entry] = [e for e in trail if e["command"] == "recheck-ack"]
    assert (entry["by"], entry["reason"], entry["inputs"]["alerts"]) == (
        "DI Smith",
        "declared and accepted by the AA",
        [f"{K1_O4}#1"],
    )
    assert entry["alerts"][0]["verdict"] == "declare" and entry["alerts"][0]["findings"] == ["SHARED_UNIT(O3)"]
    from coi.queries.analyses.recheck_state import load_state

    state = load_state(store.with_name("store.sqlite.recheck.json"))
    assert state is not None and state.alerts[f"{K1_O4}#1"].acknowledged.trail_seq == entry["seq"]
    assert coi("log", "verify", "--store", str(store)).exit_code == 0
    shown = coi("log", "show", "--store", str(store))
    assert "recheck-ack" in shown.stdout


def test_ack_all_then_the_recheck_exits_0(store: Path) -> None:
    recheck(store)
    ack = recheck(store, "--ack-all", "--reason", "reviewed at the weekly meeting", "--json")
    assert ack.exit_code == 0, ack.output
    assert {a["alert_id"] for a in doc(ack)["acknowledged"]} == NOT_CLEAR and doc(ack)["open_alerts"] == []
    after = recheck(store)
    assert after.exit_code == 0 and "No open alerts." in after.stdout
    assert recheck(store, "--ack-all", "--reason", "again").stdout.startswith("No open alerts to acknowledge.")


def test_an_acknowledged_alert_reopens_when_the_allocation_gets_worse(store: Path, export: Path) -> None:
    recheck(store)
    recheck(store, "--ack", K1_O4, "--reason", "declared")  # an assignment id means its open alert
    assert recheck(store, "--json").exit_code == 9  # the other two; K1/O4 unchanged stays closed
    befriend_o4_and_o3(export)
    assert coi("load", str(export), "--store", str(store), "--no-recheck").exit_code == 0
    report = doc(recheck(store, "--json"))
    [reopened] = [a for a in report["open_alerts"] if a["assignment_id"] == K1_O4]
    assert (reopened["alert_id"], reopened["episode"], reopened["reopens"]) == (f"{K1_O4}#2", 2, f"{K1_O4}#1")
    assert reopened["verdict"] == "conflict" and "ASSOCIATION(O3)" in reopened["findings"]
    assert report["alerts_reopened"] == [f"{K1_O4}#2"]


def test_an_open_alert_follows_its_allocation(store: Path, export: Path) -> None:
    recheck(store)
    befriend_o4_and_o3(export)
    coi("load", str(export), "--store", str(store), "--no-recheck")
    report = doc(recheck(store, "--json"))
    [alert] = [a for a in report["open_alerts"] if a["assignment_id"] == K1_O4]
    assert alert["alert_id"] == f"{K1_O4}#1" and report["alerts_updated"] == [f"{K1_O4}#1"]
    assert [h["verdict"] for h in alert["history"]] == ["declare", "conflict"]


def test_acknowledging_mistakes_are_refused(store: Path, tmp_path: Path) -> None:
    none_yet = recheck(store, "--ack", "K1|O4|investigator|2023-03-10#1", "--reason", "x")
    assert none_yet.exit_code == exitcodes.NOT_FOUND and "no alerts recorded" in none_yet.stderr
    recheck(store)
    unknown = recheck(store, "--ack", "K9#1", "--reason", "x")
    assert unknown.exit_code == exitcodes.NOT_FOUND and "unknown alert 'K9#1'" in unknown.stderr
    for args in (["--ack", "x"], ["--ack", "x", "--reason", "  "], ["--ack-all", "--ack", "x", "--reason", "r"]):
        assert recheck(store, *args).exit_code == exitcodes.USAGE, args
    assert recheck(store, "--reason", "why").exit_code == exitcodes.USAGE
    assert not (tmp_path / "store.sqlite.trail.jsonl").exists(), "nothing was recorded"


def test_a_version_1_state_is_migrated_and_alerts_start(store: Path) -> None:
    state_file = store.with_name("store.sqlite.recheck.json")
    v1 = {
        "version": 1,
        "on": "2023-03-31",
        "allocations": {K1_O4: {"case_id": "K1", "verdict": "declare", "findings": ["SHARED_UNIT(O3)"]}},
    }
    state_file.write_text(json.dumps(v1), encoding="utf-8")
    result = recheck(store, "--json")
    assert result.exit_code == 9 and "version 1 state" in result.stderr
    assert {a["alert_id"] for a in doc(result)["open_alerts"]} == NOT_CLEAR
    assert json.loads(state_file.read_text(encoding="utf-8"))["version"] == 2


def test_an_unknown_state_version_is_refused(store: Path) -> None:
    state_file = store.with_name("store.sqlite.recheck.json")
    state_file.write_text(json.dumps({"version": 7, "allocations": {}}), encoding="utf-8")
    result = recheck(store)
    assert result.exit_code == exitcodes.BAD_DATA
    assert "version 7; this coi reads versions 1 and 2" in result.stderr


def test_the_policy_is_named(store: Path, tmp_path: Path) -> None:
    policy = tmp_path / "ppda.toml"
    policy.write_text('name = "PPDA: no previous dealings"\nlookback_years = 10\n', encoding="utf-8")
    human = recheck(store, "--no-record", "--policy", str(policy))
    assert 'under policy "PPDA: no previous dealings"' in human.stdout
    assert doc(recheck(store, "--no-record", "--policy", str(policy), "--json"))["policy"] == (
        "PPDA: no previous dealings"
    )
    assert doc(recheck(store, "--no-record", "--json"))["policy"] == "default"


def test_piped_output_keeps_long_ids_and_names_whole(tmp_path: Path, export: Path) -> None:
    """A real process with stdout on a pipe: every allocation on one line, nothing cut at 80 columns."""
    long_name = "Dana Alexandrina Montgomery-Fitzwilliam O'Neil-Vasquez de la Cruz"
    long_case = "PSD-2023-000001-DOMESTIC-ABUSE-NORTH-COMMAND-RESPONSE"
    for name in ("officers", "cases", "assignments"):
        path = export / f"{name}.csv"
        text = path.read_text(encoding="utf-8").replace("Dana O'Neil", long_name)
        path.write_text(text.replace("K1,", f"{long_case},").replace(",K1,", f",{long_case},"), encoding="utf-8")
    path = tmp_path / "long.sqlite"
    env = {k: v for k, v in os.environ.items() if k not in ("NEO4J_URI", "COLUMNS")}
    coi_bin = [sys.executable, "-m", "coi"]
    subprocess.run([*coi_bin, "load", str(export), "--store", str(path), "--no-recheck"], env=env, check=True)
    done = subprocess.run(
        [*coi_bin, "recheck", "--on", DAY, "--store", str(path)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 9, done.stderr
    assignment = f"{long_case}|O4|investigator|2023-03-10"
    lines = done.stdout.splitlines()
    [line] = [x for x in lines if x.startswith(f"{assignment}: ")]
    assert f"{long_name} (O4) as investigator of case {long_case}" in line and line.endswith("#1 (open)")
    assert f" ALERT  {assignment}#1 (new)" in lines
    assert "┃" not in done.stdout and "…" not in done.stdout, "no table on a pipe"
    assert max(map(len, lines)) > 80


def test_both_stores_raise_and_acknowledge_the_same_alerts(load_into: Any, export: Path, tmp_path: Path) -> None:
    """Through the CLI on the embedded store and on a real Neo4j (``-m neo4j``): same alerts, same exits."""
    from coi.graph.sqlite_store import SqliteStore

    loaded = load_into(export)
    where = ["--store", str(loaded.path)] if isinstance(loaded, SqliteStore) else ["--neo4j", os.environ["NEO4J_URI"]]
    loaded.close()
    state = ["--state", str(tmp_path / "alerts.json")]
    env = {"COLUMNS": "250"}
    run = lambda *args: CliRunner().invoke(app, ["recheck", "--on", DAY, *where, *state, *args], env=env)  # noqa: E731
    first = run("--json")
    assert first.exit_code == 9, first.output
    assert {a["alert_id"] for a in doc(first)["open_alerts"]} == NOT_CLEAR
    assert run("--ack-all", "--reason", "reviewed").exit_code == 0
    assert run().exit_code == 0
    befriend_o4_and_o3(export)
    reload = CliRunner().invoke(app, ["load", str(export), *where, "--no-recheck"], env=env)
    assert reload.exit_code == 0, reload.output
    worse = run("--json")
    assert worse.exit_code == 9 and [a["alert_id"] for a in doc(worse)["open_alerts"]] == [f"{K1_O4}#2"]
