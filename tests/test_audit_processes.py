"""A parallel audit (``--workers 2``) with real processes: a load swapping the store under it,
and its parent stopped by signals.

Every worker reads the store the parent opened, or the audit stops (exit 5); never a mix
of two stores. However the parent ends (SIGTERM, SIGINT to it or to its whole group, even
SIGKILL), no worker, forkserver or resource tracker outlives it. Processes are found in
``/proc``: the audit runs in a session of its own, and everything it starts is in it.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from coi.graph.sqlite_store import SqliteStore
from coi.loaders.load import load_folder
from coi.loaders.synthetic import ForceSpec, generate
from forces import edit_csv

from coi import exitcodes

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")

ROOT = Path(__file__).parent.parent
MARK = " of force B"  # every officer's and unit's name in the second force ends so


@pytest.fixture(scope="module")
def forces(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(force A's loaded store, to copy; force A's export; force B's export: A with every officer and unit renamed)."""
    root = tmp_path_factory.mktemp("forces")
    generate(root / "a", ForceSpec(officers=6000, seed=5, cases_per_officer=0.6))  # an audit of ~8 s on 2 cores
    (root / "a" / "planted.csv").unlink()
    shutil.copytree(root / "a", root / "b")
    for table in ("officers", "units"):
        edit_csv(root / "b" / f"{table}.csv", lambda rows: [{**r, "name": r["name"] + MARK} for r in rows])
    load_folder(root / "a", SqliteStore(root / "a.sqlite"))
    return root / "a.sqlite", root / "a", root / "b"


@pytest.fixture
def store(forces: tuple[Path, Path, Path], tmp_path: Path) -> Path:
    path = tmp_path / "store.sqlite"
    shutil.copyfile(forces[0], path)
    return path


def start_audit(store: Path, tmp_path: Path) -> subprocess.Popen:
    """``coi audit --workers 2 --json --csv`` in a session of its own; output to files (no pipe an orphan could hold)."""
    command = ["audit", "--workers", "2", "--json", "--csv", str(tmp_path / "audit.csv"), "--store", str(store)]
    with open(tmp_path / "out.json", "wb") as out, open(tmp_path / "err.txt", "wb") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "coi", *command],
            stdout=out,
            stderr=err,
            start_new_session=True,
            cwd=ROOT,
            # a suite run in the background (``&``, nohup) ignores SIGINT, and the audit would inherit
            # that: Python then never raises KeyboardInterrupt, and the Ctrl-C tests test nothing
            preexec_fn=_default_sigint,
        )


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def in_session(session: int) -> dict[int, str]:
    """Live (not zombie) processes of ``session``: pid -> command line."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue  # ended meanwhile
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == session and fields[0] != "Z":
            found[int(entry)] = cmdline.replace(b"\0", b" ").decode(errors="replace")
    return found


def has_open(pid: int, path: Path) -> bool:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                return True
        except OSError:
            continue
    return False


def wait_for(condition, timeout: float, step: float = 0.001) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(step)
    return condition()


# --- a load swaps the store mid-audit ----------------------------------------------------------


def _forces(table: Path) -> set[tuple[bool, bool]]:
    """Per row of the audit's CSV: (is the investigator, checked by a worker, of force B; is the unit's
    name, from the parent's reads, of force B)."""
    with open(table, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    return {(MARK in r["investigator"], r["unit"].endswith(MARK)) for r in rows if r["unit"]}


ATTEMPTS = 10  # a loaded machine can let the workers start before the parent is stopped


def stopped_with_the_store_open(store: Path, tmp_path: Path, original: Path) -> subprocess.Popen:
    """An audit stopped (SIGSTOP) as soon as its parent has the store open, before any worker has."""
    for _ in range(ATTEMPTS):
        audit = start_audit(store, tmp_path)
        assert wait_for(lambda a=audit: has_open(a.pid, store) or a.poll() is not None, 60)
        audit.send_signal(signal.SIGSTOP)
        if not [p for p in in_session(audit.pid) if p != audit.pid and has_open(p, store)]:
            return audit
        audit.send_signal(signal.SIGCONT)  # a worker already had the store open: too late, again
        audit.wait(60)
        shutil.copyfile(original, store)
    pytest.fail(f"the parent could not be caught before its workers opened the store, {ATTEMPTS} times")


def test_a_load_mid_audit_never_mixes_two_stores(forces: tuple[Path, Path, Path], store: Path, tmp_path: Path) -> None:
    """The parent is stopped as soon as it has force A's store open, force B is loaded over it, then
    the parent goes on and its workers open the store path, which now holds force B."""
    audit = stopped_with_the_store_open(store, tmp_path, forces[0])
    loaded = subprocess.run(
        [sys.executable, "-m", "coi", "load", str(forces[2]), "--store", str(store)], capture_output=True, cwd=ROOT
    )
    assert loaded.returncode == 0, loaded.stderr
    audit.send_signal(signal.SIGCONT)
    code = audit.wait(120)
    out, err = (tmp_path / "out.json").read_text(), (tmp_path / "err.txt").read_text()

    if code == exitcodes.STORE:
        assert out == "" and err.count("\n") == 1, err
        assert f"the store {store} was replaced by a load after this command opened it" in err
        assert "run it again" in err and "Traceback" not in err
    else:
        assert code == 0, err
        assert json.loads(out)["allocations"]
        seen = _forces(tmp_path / "audit.csv")
        assert seen in ({(False, False)}, {(True, True)}), f"two stores in one audit: {seen}"


# --- the parent is stopped: nothing outlives it ----------------------------------------------------


def _kill(how: str, pid: int) -> None:
    if how == "SIGINT to the group":  # Ctrl-C in a terminal
        os.killpg(pid, signal.SIGINT)
    else:
        os.kill(pid, getattr(signal, how))


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT", "SIGINT to the group", "SIGKILL"])
def test_a_stopped_parallel_audit_leaves_no_process_behind(store: Path, tmp_path: Path, how: str) -> None:
    audit = start_audit(store, tmp_path)
    try:
        workers = lambda: len(in_session(audit.pid)) >= 5  # noqa: E731 - parent, tracker, forkserver, 2 workers
        assert wait_for(workers, 60, 0.05), in_session(audit.pid)
        time.sleep(0.5)  # the workers are checking allocations
        started = in_session(audit.pid)
        _kill(how, audit.pid)
        sent = time.monotonic()
        code = audit.wait(60)
        took = time.monotonic() - sent
        wait_for(lambda: not in_session(audit.pid), 10, 0.05)
        left = in_session(audit.pid)
    finally:
        for pid in in_session(audit.pid):
            os.kill(pid, signal.SIGKILL)
        audit.wait(10)
    assert not left, f"left behind after {how}: {left} (started: {started})"
    err = (tmp_path / "err.txt").read_text()
    if how.startswith("SIGINT"):
        assert code == exitcodes.INTERNAL and err == "error: interrupted\n", err  # no worker's traceback
        assert took < 20, f"the parent waited {took:.1f} s for work nobody will read"  # loose: shared CI cores
    else:
        assert code == -getattr(signal, how)
