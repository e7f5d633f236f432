"""Every row of the example's EXPECTED.md, through the engine on each store and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from coi.graph.sqlite_store import SqliteStore
from coi.graph.store import GraphStore
from coi.loaders.load import load_folder
from coi.queries.analyses.audit import audit
from coi.queries.engine import Engine
from expected import expected_rows
from typer.testing import CliRunner

from coi import exitcodes
from coi.app import app

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
ROWS = expected_rows(EXAMPLE / "EXPECTED.md")
CHECKS = [r for r in ROWS if r.section == "check"]
AUDIT = [r for r in ROWS if r.section == "audit"]


def test_expected_file_parsed() -> None:
    assert len(CHECKS) >= 20 and len(AUDIT) >= 5


@pytest.mark.parametrize("row", CHECKS, ids=str)
def test_engine_agrees_with_expected(example_store: GraphStore, row) -> None:
    result = Engine(example_store).check(row.case, row.investigator, row.on)
    assert (result.verdict, set(result.rules())) == (row.verdict, set(row.findings))
    for finding in result.findings:
        assert finding.evidence, f"{finding.rule} has no evidence"
        assert finding.explanation


def test_audit_agrees_with_expected(example_store: GraphStore) -> None:
    report = audit(Engine(example_store))
    got = {(r.case_id, r.investigator_id, r.on, r.verdict, frozenset(r.rules())) for r in report.allocations}
    want = {(r.case, r.investigator, r.on, r.verdict, r.findings) for r in AUDIT}
    assert got == want


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store.sqlite"
    load_folder(EXAMPLE, SqliteStore(path))
    return path


@pytest.mark.parametrize("row", CHECKS, ids=str)
def test_cli_json_agrees_with_expected(cli_store: Path, row) -> None:
    args = ["check", "--case", row.case, "--investigator", row.investigator, "--on", row.on.isoformat()]
    result = CliRunner().invoke(app, [*args, "--store", str(cli_store), "--json"])
    doc = json.loads(result.stdout)
    assert result.exit_code == exitcodes.BY_VERDICT[row.verdict]
    assert doc["verdict"] == row.verdict
    assert {f"{f['rule']}({f['other_id']})" for f in doc["findings"]} == set(row.findings)
    assert {"case_id", "investigator_id", "role", "on", "verdict", "findings"} <= set(doc)
    for f in doc["findings"]:
        assert {"rule", "severity", "other_id", "evidence"} <= set(f) and f["evidence"]


def test_cli_audit_json_agrees_with_expected(cli_store: Path) -> None:
    result = CliRunner().invoke(app, ["audit", "--store", str(cli_store), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    got = {(a["case_id"], a["investigator_id"], a["on"], a["verdict"]) for a in doc["allocations"]}
    assert got == {(r.case, r.investigator, r.on.isoformat(), r.verdict) for r in AUDIT}
    assert sum(doc["totals"]["verdicts"].values()) == len(AUDIT)
    assert doc["totals"]["rules"]["SHARED_UNIT"] == sum("SHARED_UNIT" in f for r in AUDIT for f in r.findings)
