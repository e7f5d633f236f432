"""Around the store's swap (issue 12 items 3, 4, 10 and OS errors): what must happen before it,
what may fail after it, and old stores in any state."""

from __future__ import annotations

import json
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from coi.graph.sqlite_store import SqliteStore
from load_helpers import EXAMPLE, cli, coi_process, copy_example, run_unprivileged, world_readable_dir

from coi import exitcodes


def info(store: Path) -> tuple[str, dict[str, int]]:
    opened = SqliteStore(store)
    try:
        found = opened.info()
        return found.data_version, dict(found.counts)
    finally:
        opened.close()


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store" / "store.sqlite"
    assert cli("load", EXAMPLE, "--store", path, "--no-recheck").exit_code == 0
    return path


@pytest.fixture
def bad_export(tmp_path: Path) -> Path:
    """The example with one invalid officer rank: --skip-invalid rejects O1 and every row naming O1."""
    export = copy_example(tmp_path / "export")
    text = (
        (export / "officers.csv")
        .read_text(encoding="utf-8")
        .replace("O1,Alan Marsh,inspector", "O1,Alan Marsh,general")
    )
    (export / "officers.csv").write_text(text, encoding="utf-8")
    return export


# --- item 3: rejects are on disk before the swap ----------------------------------------------


@pytest.mark.parametrize("where", ["directory", "missing-folder", "the-store", "the-trail"])
@pytest.mark.parametrize("as_json", [False, True], ids=["human", "json"])
def test_a_rejects_path_that_cannot_be_written_fails_before_anything(
    store: Path, bad_export: Path, where: str, as_json: bool
) -> None:
    rejects = {
        "directory": store.parent,
        "missing-folder": store.parent / "no-such-folder" / "rejects.csv",
        "the-store": store,
        "the-trail": store.with_name(store.name + ".trail.jsonl"),
    }[where]
    before = store.read_bytes()
    args = ["--skip-invalid", "--rejects", rejects, "--no-recheck", *(["--json"] if as_json else [])]
    result = cli("load", bad_export, "--store", store, *args)
    assert result.exit_code == exitcodes.USAGE, result.output
    assert result.stderr.startswith(f"error: --rejects {rejects}: ") and result.stdout == ""
    assert store.read_bytes() == before
    assert not (store.parent / "no-such-folder").exists()


SWAP_KILLER = """
import os, signal, sys
real_replace, store = os.replace, sys.argv[1]
def replace(src, dst):
    if os.fspath(dst) == store:  # the store's swap: die right there
        os.kill(os.getpid(), signal.SIGKILL)
    return real_replace(src, dst)
os.replace = replace
from coi.app import main
sys.argv = ["coi", *sys.argv[2:]]
main()
"""


def test_rejects_are_written_and_synced_before_the_swap(store: Path, bad_export: Path, tmp_path: Path) -> None:
    """A load killed at the very moment of its swap has already written every rejected row."""
    rejects = tmp_path / "rejects.csv"
    before = store.read_bytes()
    args = ["load", bad_export, "--store", store, "--skip-invalid", "--rejects", rejects, "--no-recheck"]
    killed = subprocess.run([sys.executable, "-c", SWAP_KILLER, str(store), *map(str, args)], capture_output=True)
    assert killed.returncode == -9, killed.stderr
    assert store.read_bytes() == before
    written = rejects.read_text(encoding="utf-8").splitlines()
    assert written[0] == "file,row,column,value,reason,record"
    assert "officers.csv,2,rank,general" in written[1]
    assert len(written) == 1 + 3  # O1, O1's posting, and the posting O1 line-manages


# --- item 4: dates in range; what fails after the swap is exit 7 --------------------------------


@pytest.mark.parametrize("as_json", [False, True], ids=["human", "json"])
def test_year_1_is_refused_and_the_store_keeps_working(store: Path, tmp_path: Path, as_json: bool) -> None:
    export = copy_example(tmp_path / "export")
    text = (export / "officers.csv").read_text(encoding="utf-8").replace("2001-09-01", "0001-01-01")
    (export / "officers.csv").write_text(text, encoding="utf-8")
    before = info(store)
    result = cli("load", export, "--store", store, *(["--json"] if as_json else []))
    assert result.exit_code == exitcodes.BAD_DATA, result.output
    expected = "error: officers.csv row 2, column joined_on, value '0001-01-01': outside the supported range"
    assert expected in result.stderr
    if as_json:
        assert json.loads(result.stdout)["problems"][0]["row"] == 2
    assert info(store) == before
    rechecked = cli("recheck", "--store", store, "--json")
    assert rechecked.exit_code in (exitcodes.CLEAR, exitcodes.OPEN_ALERTS), rechecked.output  # it answers
    assert json.loads(rechecked.stdout)["checked"] > 0
    assert cli("audit", "--store", store, "--json").exit_code == 0


@pytest.mark.parametrize("state", ["garbage", "directory"])
@pytest.mark.parametrize("as_json", [False, True], ids=["human", "json"])
def test_a_failure_after_the_swap_says_the_load_succeeded_and_exits_7(
    store: Path, tmp_path: Path, state: str, as_json: bool
) -> None:
    export = copy_example(tmp_path / "export")
    text = (export / "officers.csv").read_text(encoding="utf-8").replace("Alan Marsh", "Alan Marsh-Smith")
    (export / "officers.csv").write_text(text, encoding="utf-8")
    state_file = store.with_name(store.name + ".recheck.json")
    if state == "directory":
        state_file.mkdir()
    else:
        state_file.write_text("{not json", encoding="utf-8")
    old_version = info(store)[0]
    result = cli("load", export, "--store", store, *(["--json"] if as_json else []))
    assert result.exit_code == exitcodes.LOAD_INCOMPLETE, result.output
    new_version = info(store)[0]
    assert new_version != old_version  # the load is committed...
    assert f"error: the load itself succeeded (data version {new_version} is in {store}), but the re-check" in (
        result.stderr
    )  # ...and says so
    if as_json:
        document = json.loads(result.stdout)
        assert document["loaded"] is True and document["data_version"] == new_version
        assert document["after_load_error"].startswith("the re-check after the load failed")
        assert document["tables"]["officers"]["changed"] == 1
    else:
        assert "Loaded into" in result.stdout and "1 changed" in result.stdout


# --- item 9: two loads of one embedded store ----------------------------------------------------

HELD_LOAD = """
import sqlite3, sys, time
from pathlib import Path
flag, connect = Path(sys.argv[1]), sqlite3.connect
def held(database, *args, **kwargs):
    if str(database).endswith(".loading"):  # building the new store: hold on until told
        print("building", flush=True)
        deadline = time.monotonic() + 30
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
    return connect(database, *args, **kwargs)
sqlite3.connect = held
from coi.app import main
sys.argv = ["coi", *sys.argv[2:]]
main()
"""


def test_a_second_load_waits_for_the_first_and_then_loads_over_it(store: Path, tmp_path: Path) -> None:
    """Two real `coi load` processes: the second says it waits, then compares with the first's result."""
    flag, first_export, second_export = tmp_path / "go-on", copy_example(tmp_path / "a"), copy_example(tmp_path / "b")
    for export, name in ((first_export, "Alan Marsh-First"), (second_export, "Alan Marsh-Second")):
        text = (export / "officers.csv").read_text(encoding="utf-8").replace("Alan Marsh", name)
        (export / "officers.csv").write_text(text, encoding="utf-8")
    load = ["load", "--store", str(store), "--no-recheck", "--json"]
    first = subprocess.Popen(
        [sys.executable, "-c", HELD_LOAD, str(flag), *load, str(first_export)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert first.stdout is not None and first.stdout.readline().strip() == "building"
        second = coi_process(*load, second_export)
        assert second.stderr is not None
        said = second.stderr.readline()  # blocks until the second load says something, or ends
    finally:
        flag.touch()
    assert first.wait(timeout=60) == 0
    stdout, stderr = second.communicate(timeout=60)
    assert second.returncode == 0, said + stderr
    assert said.startswith("store.sqlite.lock: another load (pid ") and "waiting for it to finish" in said
    officers = json.loads(stdout)["tables"]["officers"]
    assert (officers["changed"], officers["unchanged"]) == (1, 12)  # compared with the first load's result
    opened = SqliteStore(store)
    try:
        assert opened.people(["O1"])["O1"].name == "Alan Marsh-Second"
    finally:
        opened.close()


# --- item 10: stores this version cannot read ----------------------------------------------------


def _other_schema(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")


def _old_layout(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE associations")


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:20_000])


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[4096:12288] = bytes(range(256)) * 32
    path.write_bytes(bytes(data))


def _not_sqlite(path: Path) -> None:
    path.write_text("officer_id,name\nO1,Alan\n", encoding="utf-8")


BROKEN = {
    "other-schema": (_other_schema, "written by another version of coi (schema version 0; this version reads 1)"),
    "old-layout": (_old_layout, "old or incomplete layout (no table associations)"),
    "truncated": (_truncated, "malformed"),
    "corrupt": (_corrupt, "malformed"),
    "not-sqlite": (_not_sqlite, "not a coi store"),
}


@pytest.mark.parametrize("kind", BROKEN)
@pytest.mark.parametrize("as_json", [False, True], ids=["human", "json"])
def test_a_store_this_version_cannot_read_is_exit_5_saying_what_to_do(store: Path, kind: str, as_json: bool) -> None:
    damage, reason = BROKEN[kind]
    damage(store)
    args = ["check", "--case", "K1", "--investigator", "O4", "--on", "2023-03-15", "--store", store]
    result = cli(*args, *(["--json"] if as_json else []))
    assert result.exit_code == exitcodes.STORE, result.output
    assert result.stderr.startswith(f"error: the store {store} cannot be read: ") and reason in result.stderr
    assert "rebuild it with `coi load DIR`" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("kind", BROKEN)
@pytest.mark.parametrize("as_json", [False, True], ids=["human", "json"])
def test_load_builds_a_fresh_store_over_any_old_file(store: Path, kind: str, as_json: bool) -> None:
    damage, reason = BROKEN[kind]
    damage(store)
    result = cli("load", EXAMPLE, "--store", store, "--no-recheck", *(["--json"] if as_json else []))
    assert result.exit_code == 0, result.output
    assert "warning: could not compare with the store this load replaced (" in result.stderr
    assert reason in result.stderr and "every row counts as added" in result.stderr
    if as_json:
        assert reason in json.loads(result.stdout)["previous_store_unreadable"]
    assert info(store)[1]["officers"] == 13
    check = cli("check", "--case", "K1", "--investigator", "O10", "--on", "2023-03-15", "--store", store)
    assert check.exit_code == exitcodes.DISQUALIFIED


def test_load_replaces_an_old_store_it_may_not_read() -> None:
    with world_readable_dir() as root:
        (root / "store").mkdir()
        (root / "store").chmod(0o777)
        store = root / "store" / "store.sqlite"
        assert cli("load", EXAMPLE, "--store", store, "--no-recheck").exit_code == 0
        store.chmod(0o000)
        store.with_name(store.name + ".lock").unlink()  # root's; the other user makes its own

        def run() -> tuple[int, str, str]:
            result = cli("load", EXAMPLE, "--store", store, "--no-recheck")
            return result.exit_code, result.stdout, result.stderr

        code, stdout, stderr = run_unprivileged(run)
        assert code == 0, stderr
        assert "could not compare with the store this load replaced (it cannot be read (Permission denied))" in stderr
        assert "65 added" in stdout


# --- OS errors while loading name the path ------------------------------------------------------


def test_a_read_only_store_folder_is_one_line_naming_it() -> None:
    with world_readable_dir() as root:
        store = root / "store" / "store.sqlite"
        assert cli("load", EXAMPLE, "--store", store, "--no-recheck").exit_code == 0
        before = store.read_bytes()
        store.parent.chmod(0o555)

        def run() -> tuple[int, str, str]:
            result = cli("load", EXAMPLE, "--store", store, "--no-recheck", "--json")
            return result.exit_code, result.stdout, result.stderr

        code, stdout, stderr = run_unprivileged(run)
        assert code == exitcodes.STORE, stderr
        assert stderr.startswith(f"error: cannot write in the store's folder {store.parent}") and stdout == ""
        assert "Permission denied" in stderr and "internal error" not in stderr
        assert store.read_bytes() == before


def test_a_full_disk_while_building_the_new_store_is_one_line_naming_it(store: Path) -> None:
    """A file-size limit makes every write past 64 KiB fail, as a full disk would."""
    before = store.read_bytes()
    limit = 64 * 1024

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    process = coi_process("load", EXAMPLE, "--store", store, "--no-recheck", preexec_fn=small_files)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == exitcodes.STORE, stderr
    assert stderr.startswith("error: cannot build the new store ") and str(store.parent) in stderr
    assert "the previous store is untouched" in stderr and "internal error" not in stderr
    assert store.read_bytes() == before
    assert not list(store.parent.glob("*.loading"))
