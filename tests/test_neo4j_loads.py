"""Loads into a real Neo4j: reloads, stale records, and loads that fail, overlap, are
killed or are taken over halfway. Skipped unless NEO4J_URI is set."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from coi.graph import neo4j_schema as schema
from coi.graph.neo4j_store import Neo4jStore
from coi.graph.store import StoreError
from coi.loaders.load import load_folder
from forces import edit_csv
from load_helpers import EXAMPLE, cli
from neo4j_helpers import NEO4J_ONLY, ROOT, orphans, rename_o1, snapshot

pytestmark = NEO4J_ONLY


def test_reload_is_idempotent(neo: Neo4jStore) -> None:
    first = load_folder(EXAMPLE, neo)
    before = snapshot(neo)
    second = load_folder(EXAMPLE, neo)
    assert second.totals().unchanged == first.totals().added > 0
    assert (second.totals().added, second.totals().changed, second.totals().removed) == (0, 0, 0)
    assert snapshot(neo) == before and orphans(neo) == 0


def test_stale_records_are_removed(neo: Neo4jStore, example_dir: Path) -> None:
    load_folder(example_dir, neo)
    assert neo.associations_for_people(["O9"])
    edit_csv(example_dir / "associations.csv", lambda rows: [r for r in rows if r["person_a"] != "O9"])
    summary = load_folder(example_dir, neo)
    assert summary.tables["associations"].removed == 1 and summary.totals().removed == 1
    assert (summary.totals().added, summary.totals().changed) == (0, 0)
    assert neo.associations_for_people(["O9"]) == [] and neo.info().counts["associations"] == 2
    assert orphans(neo) == 0


def test_a_load_that_fails_halfway_changes_nothing(
    neo: Neo4jStore, example_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_folder(EXAMPLE, neo)
    before, version = snapshot(neo), neo.info().data_version
    original = Neo4jStore._write_table

    def fail_after_units(self: Neo4jStore, table, *args: Any) -> tuple[int, int]:
        if table.name != "units":
            raise RuntimeError("connection lost")
        return original(self, table, *args)

    monkeypatch.setattr(Neo4jStore, "_write_table", fail_after_units)
    rename_o1(example_dir)
    with pytest.raises(RuntimeError, match="connection lost"):
        load_folder(example_dir, neo)
    fresh = Neo4jStore.from_env()
    assert fresh.info().data_version == version and snapshot(fresh) == before
    assert orphans(fresh) == 0  # the failed load cleaned up after itself
    fresh.close()


def test_overlapping_loads_the_later_one_wins(
    neo: Neo4jStore, example_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_folder(EXAMPLE, neo)
    rename_o1(example_dir)
    original, started = Neo4jStore._write_table, []

    def interleave(self: Neo4jStore, table, *args: Any) -> tuple[int, int]:
        if table.name == "officers" and not started:
            started.append(True)
            load_folder(example_dir, Neo4jStore.from_env())  # a second load starts and finishes meanwhile
        return original(self, table, *args)

    monkeypatch.setattr(Neo4jStore, "_write_table", interleave)
    with pytest.raises(StoreError, match="another `coi load` started"):
        load_folder(EXAMPLE, neo)
    fresh = Neo4jStore.from_env()
    assert fresh.people(["O1"])["O1"].name == "Renamed" and orphans(fresh) == 0
    fresh.close()


KILLED_LOAD = """
import sys, time
from pathlib import Path
from coi.graph import neo4j_schema as schema
from coi.graph.neo4j_store import Neo4jStore
from coi.loaders.load import load_folder

original = Neo4jStore._write_table
def slow(self, table, *args):
    result = original(self, table, *args)
    if table.name == "postings":
        print("halfway", flush=True)
        time.sleep(120)
    return result
Neo4jStore._write_table = slow
load_folder(Path(sys.argv[1]), Neo4jStore.from_env())
"""


def test_a_killed_load_is_invisible_and_cleaned_up_by_the_next(neo: Neo4jStore, example_dir: Path) -> None:
    load_folder(EXAMPLE, neo)
    before = snapshot(neo)
    rename_o1(example_dir)
    child = subprocess.Popen([sys.executable, "-c", KILLED_LOAD, str(example_dir)], cwd=ROOT, stdout=subprocess.PIPE,
                             text=True)  # fmt: skip
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "halfway"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    reader = Neo4jStore.from_env()
    assert orphans(reader) > 0  # the killed load's units, people and postings are still there ...
    assert snapshot(reader) == before  # ... but no reader sees them
    assert reader.people(["O1"])["O1"].name == "Alan Marsh"
    summary = load_folder(example_dir, reader)
    assert summary.tables["officers"].changed == 1 and orphans(reader) == 0
    assert reader.people(["O1"])["O1"].name == "Renamed"
    reader.close()


TAKEN_OVER_LOAD = """
import sys, time
from pathlib import Path
from coi.graph import neo4j_schema as schema
from coi.graph.neo4j_store import Neo4jStore

flag, original = Path(sys.argv[1]), Neo4jStore._write_table
def slow(self, table, *args):
    result = original(self, table, *args)
    if table.name == "officers":
        print("halfway", flush=True)
        while not flag.exists():
            time.sleep(0.05)
    return result
Neo4jStore._write_table = slow
from coi.app import main
sys.argv = ["coi", *sys.argv[2:]]
main()
"""


def test_of_two_load_processes_the_later_takes_over_and_the_earlier_says_so(
    neo: Neo4jStore, example_dir: Path, tmp_path: Path
) -> None:
    load_folder(EXAMPLE, neo)
    rename_o1(example_dir)
    flag, uri = tmp_path / "go-on", os.environ["NEO4J_URI"]
    earlier = subprocess.Popen(
        [sys.executable, "-c", TAKEN_OVER_LOAD, str(flag), "load", str(EXAMPLE), "--neo4j", uri, "--no-recheck"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert earlier.stdout is not None and earlier.stdout.readline().strip() == "halfway"
        later = subprocess.run(
            [sys.executable, "-m", "coi", "load", str(example_dir), "--neo4j", uri, "--no-recheck"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert later.returncode == 0, later.stderr
    finally:
        flag.touch()
    _, stderr = earlier.communicate(timeout=120)
    assert earlier.returncode == 5, stderr
    assert stderr.startswith("error: another `coi load` started on this database while this one ran and took it over")
    assert "this load changed nothing" in stderr and "Traceback" not in stderr
    reader = Neo4jStore.from_env()
    assert reader.people(["O1"])["O1"].name == "Renamed" and orphans(reader) == 0
    reader.close()


def test_data_of_another_schema_version_is_exit_5_and_a_load_replaces_it(neo: Neo4jStore) -> None:
    load_folder(EXAMPLE, neo)
    neo.driver.execute_query(f"MATCH (m:{schema.META} {{key: 'current'}}) SET m.schema_version = $v", {"v": "0"})
    uri = os.environ["NEO4J_URI"]
    check = cli("check", "--case", "K1", "--investigator", "O10", "--on", "2023-03-15", "--neo4j", uri, "--json")
    assert check.exit_code == 5 and check.stdout == ""
    assert "was written by another version of coi (schema version 0; this version reads 1)" in check.stderr
    assert "reload it with `coi load DIR`" in check.stderr
    loaded = cli("load", EXAMPLE, "--neo4j", uri, "--no-recheck", "--json")
    assert loaded.exit_code == 0, loaded.output
    assert "schema version 0" in json.loads(loaded.stdout)["previous_store_unreadable"]
    again = cli("check", "--case", "K1", "--investigator", "O10", "--on", "2023-03-15", "--neo4j", uri)
    assert again.exit_code == 30
