"""Rechecks of current allocations on the example force (reasoned from EXPECTED.md) and ``coi recheck``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from coi.graph.sqlite_store import SqliteStore
from coi.graph.store import GraphStore
from coi.loaders.load import load_folder
from coi.queries.analyses.alerts import acknowledge
from coi.queries.analyses.recheck import recheck
from coi.queries.analyses.recheck_state import RecheckState, RecheckStateError, load_state, record, save_state
from coi.queries.engine import Engine
from typer.testing import CliRunner

from coi import exitcodes
from coi.app import app

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
# wide, so rich does not wrap table cells; the embedded store given, even if NEO4J_URI is set
CLI_ENV = {"COLUMNS": "250", "NEO4J_URI": None}
DAY = date(2023, 4, 1)
O12_ON_K1 = "K1|O12|investigator|2023-03-15"


@pytest.fixture
def o12_dir(example_dir: Path) -> Path:
    """The example plus O12 allocated to K1 on 2023-03-15 (clear that day, per EXPECTED.md)."""
    with (example_dir / "assignments.csv").open("a", encoding="utf-8") as handle:
        handle.write("K1,O12,investigator,2023-03-15,\n")
    return example_dir


def test_example_has_no_change_by_2023_04_01(example_store: GraphStore) -> None:
    # Open on 2023-04-01: K1, K4, K5, K6 (K2 closed 2019, K7 opened 2024); one investigator each.
    report = recheck(Engine(example_store), DAY)
    got = {
        (r.assignment.case_id, r.assignment.person_id): (
            r.at_allocation.verdict if r.at_allocation else None,
            r.now.verdict,
        )
        for r in report.items
    }
    assert got == {
        ("K1", "O4"): ("declare", "declare"),
        ("K4", "O12"): (None, "clear"),  # clear now: its allocation date is not checked
        ("K5", "O5"): ("disqualified", "disqualified"),
        ("K6", "O4"): ("conflict", "conflict"),
    }
    assert report.changes == []
    assert report.policy == "default"
    assert sorted(a.alert_id for a in report.open_alerts) == [
        "K1|O4|investigator|2023-03-10#1",
        "K5|O5|investigator|2022-06-10#1",
        "K6|O4|investigator|2022-09-05#1",
    ]
    # K1/O4 gains INDIRECT_LINK(P1) once K4 exists: listed, but info alone raises no alert.
    k1 = next(r for r in report.items if r.assignment.case_id == "K1")
    assert k1.added == ["INDIRECT_LINK(P1)"] and not k1.changed


def test_cases_not_open_yet_are_not_rechecked(example_store: GraphStore) -> None:
    report = recheck(Engine(example_store), date(2023, 3, 15))  # K4 opens 2023-03-20
    assert sorted(r.assignment.case_id for r in report.items) == ["K1", "K5", "K6"]


def test_counter_allegation_after_allocation_is_an_alert(
    load_into: Callable[[Path], GraphStore], o12_dir: Path
) -> None:
    # O12 took K1 on 2023-03-15 (clear); by 2023-04-01 counter-allegation K4 exists and O12
    # investigates it, and P1 (K4's subject) is K1's complainant: conflict.
    report = recheck(Engine(load_into(o12_dir)), DAY)
    [change] = report.changes
    assert change.assignment.assignment_id == O12_ON_K1
    assert (change.at_allocation.verdict, change.baseline_verdict, change.now.verdict) == ("clear", "clear", "conflict")
    assert change.added == ["COUNTER_ALLEGATION(K4)", "PRIOR_INVESTIGATION(P1)"]
    doc = change.to_dict()
    assert (doc["old_verdict"], doc["new_verdict"], doc["verdict_changed"]) == ("clear", "conflict", True)
    assert {f["rule"] for f in doc["findings"]} == {"COUNTER_ALLEGATION", "PRIOR_INVESTIGATION"}


def test_last_recorded_recheck_is_the_baseline(
    load_into: Callable[[Path], GraphStore], o12_dir: Path, tmp_path: Path
) -> None:
    engine = Engine(load_into(o12_dir))
    state_file = tmp_path / "state.json"
    save_state(state_file, recheck(engine, DAY).state())
    again = recheck(engine, DAY, load_state(state_file))
    assert again.previous_on == "2023-04-01"
    assert again.changes == [] and again.alert_changes.raised == []  # already reported last time
    assert f"{O12_ON_K1}#1" in {a.alert_id for a in again.open_alerts}, "and still open"
    o12 = next(r for r in again.items if r.assignment.assignment_id == O12_ON_K1)
    assert o12.previous == {
        "on": "2023-04-01",
        "case_id": "K1",
        "person_id": "O12",
        "role": "investigator",
        "verdict": "conflict",
        "findings": ["COUNTER_ALLEGATION(K4)", "PRIOR_INVESTIGATION(P1)"],
    }


def test_allocations_no_longer_current_are_listed(example_store: GraphStore) -> None:
    gone = {"K9|O1|investigator|2022-01-01": {"verdict": "clear", "findings": []}}
    report = recheck(Engine(example_store), DAY, RecheckState("2023-01-01", allocations=gone))
    assert report.gone == [{"assignment_id": "K9|O1|investigator|2022-01-01", "verdict": "clear", "findings": []}]
    assert report.changes == []  # the rest compare with their allocation verdicts


def test_bad_state_file(tmp_path: Path) -> None:
    assert load_state(tmp_path / "missing.json") is None
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(RecheckStateError):
        load_state(tmp_path / "bad.json")
    (tmp_path / "damaged.json").write_text('{"version": 2, "allocations": {"a": {"verdict": "maybe"}}}', "utf-8")
    with pytest.raises(RecheckStateError, match="allocation 'a' has no verdict and findings"):
        load_state(tmp_path / "damaged.json")


def test_an_alert_id_is_never_given_out_twice(example_store: GraphStore) -> None:
    """Acknowledged, then not current (a day before its allocation), then current again: episode 2."""
    engine = Engine(example_store)
    first = recheck(engine, DAY)
    k5 = "K5|O5|investigator|2022-06-10"
    acknowledge(first.alerts, [f"{k5}#1"], "DI Smith", "reallocating")
    before_k5 = recheck(Engine(example_store), date(2022, 6, 5), first.state())  # K5 allocated 2022-06-10
    assert f"{k5}#1" not in before_k5.alerts and before_k5.episodes == {k5: 1}, "forgotten, its episode kept"
    back = recheck(Engine(example_store), DAY, before_k5.state())
    assert f"{k5}#2" in back.alert_changes.raised


def test_recording_keeps_an_acknowledgement_made_meanwhile(example_store: GraphStore, tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    save_state(state_file, recheck(Engine(example_store), DAY).state())
    running = recheck(Engine(example_store), DAY, load_state(state_file))  # a long recheck starts
    acked = load_state(state_file)
    assert acked is not None
    acknowledge(acked.alerts, None, "DI Smith", "all reviewed")  # meanwhile: coi recheck --ack-all
    save_state(state_file, acked)
    record(state_file, running.state())  # the long recheck finishes
    kept = load_state(state_file)
    assert kept is not None and {a.status for a in kept.alerts.values()} == {"acknowledged"}


@pytest.fixture
def cli_store(tmp_path: Path, o12_dir: Path) -> Path:
    path = tmp_path / "store" / "cli.sqlite"
    path.parent.mkdir()
    load_folder(o12_dir, SqliteStore(path))
    return path


def run(store: Path, *args: str):
    return CliRunner().invoke(app, ["recheck", "--on", "2023-04-01", *args, "--store", str(store)], env=CLI_ENV)


def test_cli_json_records_state_beside_store(cli_store: Path) -> None:
    state_file = cli_store.with_name("cli.sqlite.recheck.json")
    first = run(cli_store, "--json")
    assert first.exit_code == exitcodes.OPEN_ALERTS, first.output
    doc = json.loads(first.stdout)
    assert (doc["checked"], doc["previous_recheck_on"], doc["state_file"]) == (5, None, str(state_file))
    [change] = doc["changes"]
    assert (change["case_id"], change["person_id"], change["old_verdict"], change["new_verdict"]) == (
        "K1",
        "O12",
        "clear",
        "conflict",
    )
    assert state_file.exists()
    second = json.loads(run(cli_store, "--json").stdout)
    assert (second["previous_recheck_on"], second["changes"]) == ("2023-04-01", [])
    assert f"{O12_ON_K1}#1" in {a["alert_id"] for a in second["open_alerts"]}


def test_cli_no_record_and_state_option(cli_store: Path, tmp_path: Path) -> None:
    chosen = tmp_path / "elsewhere.json"
    assert run(cli_store, "--json", "--no-record", "--state", str(chosen)).exit_code == exitcodes.OPEN_ALERTS
    assert not chosen.exists() and not cli_store.with_name("cli.sqlite.recheck.json").exists()
    chosen.write_text("[]", encoding="utf-8")
    bad = run(cli_store, "--state", str(chosen))
    assert bad.exit_code == exitcodes.BAD_DATA and "not a recheck state file" in bad.stderr


def test_cli_human(cli_store: Path) -> None:
    result = run(cli_store, "--no-record")
    assert result.exit_code == exitcodes.OPEN_ALERTS, result.output
    assert f" ALERT  {O12_ON_K1}#1 (new)" in result.stdout
    assert "case K1: Lena Novak (O12) as investigator, allocated 2023-03-15: clear -> conflict" in result.stdout
    assert "new [high] COUNTER_ALLEGATION (K4)" in result.stdout
    assert "Current allocations:" in result.stdout


def test_cli_human_without_open_alerts(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    load_folder(EXAMPLE, SqliteStore(path))
    result = CliRunner().invoke(app, ["recheck", "--on", "2019-06-01", "--store", str(path)], env=CLI_ENV)
    assert result.exit_code == 0, result.output  # K2/O6 only, and clear
    assert "No open alerts." in result.stdout


def test_a_terminal_gets_a_table(example_store: GraphStore) -> None:
    from rich.table import Table

    from coi.commands.recheck import recheck_text

    report = recheck(Engine(example_store), DAY)
    assert any(isinstance(x, Table) for x in recheck_text(report, tty=True))
    assert not any(isinstance(x, Table) for x in recheck_text(report, tty=False))


def test_every_load_rechecks_current_allocations_and_alerts_on_a_new_conflict(tmp_path: Path) -> None:
    """A newer export declares a friendship between K1's investigator (O4) and its subject (O3)."""
    import shutil

    from typer.testing import CliRunner

    from coi.app import app

    folder, store = tmp_path / "export", tmp_path / "store.sqlite"
    shutil.copytree(Path(__file__).parent / "fixtures" / "example", folder, ignore=shutil.ignore_patterns("*.md"))
    runner = CliRunner()
    loaded = runner.invoke(app, ["load", str(folder), "--store", str(store), "--json"])
    assert loaded.exit_code == 0
    first = json.loads(loaded.stdout)
    assert first["recheck"]["checked"] > 0
    assert not any(c["case_id"] == "K1" for c in first["recheck"]["changes"])
    with open(folder / "associations.csv", "a", encoding="utf-8") as handle:
        handle.write("O4,O3,friend,2024-01-01,,declared\n")
    second = runner.invoke(app, ["load", str(folder), "--store", str(store), "--json"])
    assert second.exit_code == 0, second.output
    changes = {(c["case_id"], c["person_id"]): c for c in json.loads(second.stdout)["recheck"]["changes"]}
    alert = changes[("K1", "O4")]
    assert (alert["old_verdict"], alert["new_verdict"]) == ("declare", "conflict")
    assert "ASSOCIATION(O3)" in alert["added_findings"]
    no_recheck = runner.invoke(app, ["load", str(folder), "--store", str(store), "--json", "--no-recheck"])
    assert "recheck" not in json.loads(no_recheck.stdout)
