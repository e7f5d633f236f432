"""Faults: a load killed at any moment, and checks running while a load swaps the store.

The bigger force is the synthetic generator's, plus the example's own rows (so the same
check, K1/O4, has the same answer in both versions of the store).
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from bad_input.defects import EXAMPLE, read_rows, write_rows
from coi.graph.model import TABLE_ORDER
from coi.graph.sqlite_store import SqliteStore
from coi.loaders.load import load_folder
from coi.queries.engine import Engine
from typer.testing import CliRunner

from coi import exitcodes
from coi.app import app

OFFICERS = 3000
CHECK = ("K1", "O4", date(2023, 3, 10))  # declare, SHARED_UNIT(O3), in both versions


def make_big_force(folder: Path) -> None:
    """The synthetic generator's force with the example's rows appended to each table."""
    try:
        from coi.loaders.synthetic import ForceSpec, generate
    except ImportError:  # pragma: no cover - the generator lives in another module
        pytest.skip("coi.loaders.synthetic is not available")
    generate(folder, ForceSpec(officers=OFFICERS, seed=11))
    (folder / "planted.csv").unlink(missing_ok=True)
    for name in TABLE_ORDER:
        header, rows = read_rows(folder / f"{name}.csv")
        extra = read_rows(EXAMPLE / f"{name}.csv")[1]
        write_rows(folder / f"{name}.csv", header, rows + [{k: r.get(k, "") for k in header} for r in extra])


def state(store: Path) -> tuple[str, dict[str, int]]:
    opened = SqliteStore(store)
    try:
        info = opened.info()
        assert opened.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return info.data_version, dict(info.counts)
    finally:
        opened.close()


#: A load that committed (open alerts from its re-check do not fail it).
LOADED = exitcodes.CLEAR


def load_process(folder: Path, store: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "coi", "load", str(folder), "--store", str(store)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class Forces:
    """The two inputs, their known store states, and how long a full load takes."""

    def __init__(self, root: Path) -> None:
        self.big = root / "big"
        make_big_force(self.big)
        self.template = root / "example.sqlite"
        load_folder(EXAMPLE, SqliteStore(self.template))
        self.old = state(self.template)
        scratch = root / "scratch" / "big.sqlite"
        scratch.parent.mkdir()
        shutil.copy(self.template, scratch)
        started = time.monotonic()
        process = load_process(self.big, scratch)
        assert process.wait() == LOADED, process.stderr.read()
        self.seconds = time.monotonic() - started
        self.new = state(scratch)

    def fresh_store(self, folder: Path) -> Path:
        folder.mkdir()
        store = folder / "store.sqlite"
        shutil.copy(self.template, store)
        return store


@pytest.fixture(scope="module")
def forces(tmp_path_factory: pytest.TempPathFactory) -> Forces:
    return Forces(tmp_path_factory.mktemp("forces"))


def leftovers(store: Path) -> list[Path]:
    """Files beside the store other than itself and its lock file (which stays, by design)."""
    return [p for p in store.parent.iterdir() if p.name not in (store.name, store.name + ".lock")]


def assert_later_load_works(store: Path, forces: Forces) -> None:
    """Whatever a killed load left in the folder, the next load succeeds and is complete."""
    process = load_process(EXAMPLE, store)
    assert process.wait() == LOADED, process.stderr.read()
    assert state(store) == forces.old


@pytest.mark.parametrize("seed", range(5))
def test_load_killed_at_a_random_moment_leaves_old_or_new_store(forces: Forces, tmp_path: Path, seed: int) -> None:
    store = forces.fresh_store(tmp_path / "s")
    moment = random.Random(seed).uniform(0.05, 1.0) * forces.seconds
    process = load_process(forces.big, store)
    time.sleep(moment)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert state(store) in (forces.old, forces.new), f"killed after {moment:.2f}s"
    assert_later_load_works(store, forces)


def test_load_killed_while_writing_the_new_file_leaves_the_old_one(forces: Forces, tmp_path: Path) -> None:
    store = forces.fresh_store(tmp_path / "s")
    process = load_process(forces.big, store)
    deadline = time.monotonic() + 60
    while not [p for p in leftovers(store) if p.name.endswith(".loading")]:
        assert process.poll() is None and time.monotonic() < deadline, "the load never wrote a temp file"
        time.sleep(0.001)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert state(store) == forces.old
    assert all(p.name.startswith(".store.sqlite.") and p.name.endswith(".loading") for p in leftovers(store))
    assert_later_load_works(store, forces)


def _reader(store: Path, stop: threading.Event, seen: list, errors: list) -> None:
    case, person, on = CHECK
    while not stop.is_set():
        try:
            opened = SqliteStore(store)
            result = Engine(opened).check(case, person, on)
            seen.append((*state_of(opened), result.verdict, tuple(result.rules())))
            opened.close()
        except Exception as exc:  # any error at all is a failure of the swap
            errors.append(repr(exc))
        time.sleep(0.002)  # leave the (two-CPU) machine some room for the load itself


def state_of(opened: SqliteStore) -> tuple[str, tuple]:
    info = opened.info()
    return info.data_version, tuple(sorted(info.counts.items()))


@contextmanager
def readers(store: Path, count: int = 2) -> Iterator[tuple[list, list]]:
    """Threads checking K1/O4 in a loop until the block ends: (what they saw, errors)."""
    stop, seen, errors = threading.Event(), [], []
    threads = [threading.Thread(target=_reader, args=(store, stop, seen, errors)) for _ in range(count)]
    for t in threads:
        t.start()
    try:
        yield seen, errors
    finally:
        stop.set()
        for t in threads:
            t.join()


def test_checks_during_loads_see_old_or_new_data_never_a_mix(forces: Forces, tmp_path: Path) -> None:
    store = forces.fresh_store(tmp_path / "s")
    case, person, on = CHECK
    check = [sys.executable, "-m", "coi", "check", "--case", case, "--investigator", person, "--on", on.isoformat()]
    cli_checks = []
    with readers(store) as (seen, errors):
        for folder in (forces.big, EXAMPLE):
            process = load_process(folder, store)
            cli_checks.append(subprocess.Popen([*check, "--store", str(store), "--json"], stdout=subprocess.PIPE))
            assert process.wait() == LOADED
            time.sleep(0.3)  # let the readers see this version
    outputs = [(p.wait(), p.stdout.read()) for p in cli_checks]
    assert errors == []
    versions = {forces.old[0]: forces.old[1], forces.new[0]: forces.new[1]}
    assert {v for v, *_ in seen} == set(versions)  # both versions were read...
    for version, counts, verdict, rules in seen:  # ...and each read was of one whole version
        assert dict(counts) == versions[version]
        assert (verdict, rules) == ("declare", ("SHARED_UNIT(O3)",))
    for code, stdout in outputs:
        assert code == exitcodes.DECLARE and json.loads(stdout)["verdict"] == "declare"


# --- reading commands cannot change the store ---------------------------------------------

READERS = {
    "check": ["check", "--case", "K1", "--investigator", "O4", "--on", "2023-03-10", "--json"],
    "candidates": ["candidates", "--case", "K1", "--on", "2023-03-10", "--json"],
    "audit": ["audit", "--json"],
}


@pytest.fixture
def example_store(tmp_path: Path) -> Path:
    path = tmp_path / "s" / "store.sqlite"
    load_folder(EXAMPLE, SqliteStore(path))
    return path


@pytest.mark.parametrize("command", READERS)
def test_reading_commands_open_the_store_read_only(
    example_store: Path, command: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    opened: list[str] = []
    connect = sqlite3.connect

    def spy(database: str, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        opened.append(str(database))
        return connect(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", spy)
    example_store.chmod(0o444)
    before = (example_store.read_bytes(), example_store.stat().st_mtime_ns)
    args = [*READERS[command], "--store", str(example_store)]
    if command == "audit":
        args += ["--csv", str(tmp_path / "audit.csv")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code in exitcodes.BY_VERDICT.values(), result.output
    json.loads(result.stdout)
    assert opened and all(uri.endswith("?mode=ro") for uri in opened), opened
    assert (example_store.read_bytes(), example_store.stat().st_mtime_ns) == before


def test_a_write_through_a_store_connection_is_refused(example_store: Path) -> None:
    opened = SqliteStore(example_store)
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            opened.conn.execute("DELETE FROM officers")
    finally:
        opened.close()
    assert state(example_store)[1]["officers"] == 13
