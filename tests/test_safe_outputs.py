"""Every file the tool writes goes through one rule: never the store, its trail or sidecars;
pipes and devices written through, never replaced; bad paths a clear usage error.

Real files, a real FIFO, real device nodes, hard links and symlinks; every command that
writes a file for the user (audit --csv/--html, patterns --csv, show --out, load --rejects
and --problems, validate --problems, demo).
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from pathlib import Path

import pytest
from load_helpers import EXAMPLE, cli

from coi import exitcodes


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example force in ``tmp/s/store.html`` (a name ``show --out`` accepts), with a trail."""
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.delenv("COI_TRAIL", raising=False)
    store = tmp_path / "s" / "store.html"
    store.parent.mkdir()
    assert cli("load", EXAMPLE, "--store", store).exit_code == 0
    assert cli("check", "--case", "K1", "--investigator", "O4", "--store", store).exit_code != 1
    return store


def writers(target: Path) -> dict[str, list[str | Path]]:
    return {
        "audit --csv": ["audit", "--csv", target],
        "audit --html": ["audit", "--html", target],
        "patterns --csv": ["patterns", "--csv", target],
        "show --out": ["show", "--case", "K1", "--investigator", "O4", "--out", target],
        "load --problems": ["load", EXAMPLE, "--problems", target],
        "validate --problems": ["validate", EXAMPLE, "--problems", target],
    }


@pytest.mark.parametrize("which", ["store", "trail", "recheck state", "lock", "hard link", "symlink"])
def test_no_command_writes_over_the_store_or_what_coi_keeps_beside_it(loaded: Path, which: str) -> None:
    sidecars = {
        "store": loaded,
        "trail": Path(f"{loaded}.trail.jsonl"),
        "recheck state": Path(f"{loaded}.recheck.json"),
        "lock": Path(f"{loaded}.lock"),
    }
    if which == "hard link":
        os.link(loaded, loaded.parent.parent / "copy.html")
        target = loaded.parent.parent / "copy.html"
    elif which == "symlink":
        (loaded.parent.parent / "link.html").symlink_to(loaded)
        target = loaded.parent.parent / "link.html"
    else:
        target = sidecars[which]
    before = {p: digest(p) for p in sidecars.values() if p.exists()}
    for label, args in writers(target).items():
        result = cli(*args, "--store", loaded)
        if label == "show --out" and not target.name.endswith(".html"):
            assert result.exit_code == exitcodes.USAGE
            continue
        assert result.exit_code == exitcodes.USAGE, f"{label}: {result.output}"
        assert "coi keeps" in result.stderr and "internal error" not in result.output, label
    assert {p: digest(p) for p in before} == before


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda tmp: Path(""), "no file name"),
        (lambda tmp: tmp, "is a directory"),
        (lambda tmp: tmp / "nowhere" / "out.csv", "does not exist"),
    ],
    ids=["empty", "directory", "missing folder"],
)
def test_a_bad_output_path_is_one_clear_usage_error(loaded: Path, tmp_path: Path, make, reason: str) -> None:
    target = make(tmp_path)
    for label, args in writers(target).items():
        if label == "show --out":
            continue  # show's own check (.html) answers first for these
        result = cli(*args, "--store", loaded)
        assert result.exit_code == exitcodes.USAGE, f"{label}: {result.output}"
        lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(lines) == 1 and reason in lines[0] and "internal error" not in result.output, label


def test_one_file_for_two_outputs_is_refused(loaded: Path, tmp_path: Path) -> None:
    target = tmp_path / "both.out"
    result = cli("audit", "--csv", target, "--html", target, "--store", loaded)
    assert result.exit_code == exitcodes.USAGE and "names the same file" in result.stderr
    assert not target.exists()


def test_a_symlinked_output_keeps_its_link_and_replaces_its_target(loaded: Path, tmp_path: Path) -> None:
    real, link = tmp_path / "real.csv", tmp_path / "link.csv"
    real.write_text("old\n")
    link.symlink_to(real)
    assert cli("audit", "--csv", link, "--store", loaded).exit_code == 0
    assert link.is_symlink() and real.read_text(encoding="utf-8-sig").startswith("case_id,")


def test_a_new_output_is_readable_by_its_owner_only_and_a_replaced_one_keeps_its_mode(
    loaded: Path, tmp_path: Path
) -> None:
    """Reports name officers and cases: a new file is 0600 whatever the umask; a file the user
    made readable to a group stays so when an audit replaces it."""
    fresh, shared = tmp_path / "fresh.csv", tmp_path / "shared.csv"
    shared.write_text("old\n")
    shared.chmod(0o640)
    old_umask = os.umask(0o022)
    try:
        for target in (fresh, shared):
            assert cli("audit", "--csv", target, "--store", loaded).exit_code == 0
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert stat.S_IMODE(shared.stat().st_mode) == 0o640
    assert shared.read_text(encoding="utf-8-sig").startswith("case_id,")


def test_a_fifo_is_written_through_not_replaced(loaded: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = cli("patterns", "--csv", fifo, "--store", loaded)
    reader.join(30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the FIFO was replaced by a regular file"
    assert got and got[0].decode("utf-8-sig").startswith("pattern,")


def _device(path: Path, minor: int) -> Path:
    """A private copy of /dev/null (minor 3) or /dev/full (minor 7): if the writer ever replaced
    the node, only this copy would be lost, never the machine's."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except PermissionError:
        pytest.skip("creating device nodes needs root (CAP_MKNOD)")
    return path


def test_a_device_stays_a_device_and_a_full_one_is_an_os_error_naming_it(loaded: Path, tmp_path: Path) -> None:
    null = _device(tmp_path / "null", 3)
    assert cli("audit", "--csv", null, "--store", loaded).exit_code == 0
    assert stat.S_ISCHR(os.stat(null).st_mode), "the device was replaced by a regular file"
    full = _device(tmp_path / "full", 7)
    result = cli("audit", "--csv", full, "--store", loaded)
    assert result.exit_code == exitcodes.OS_ERROR, result.output
    assert str(full) in result.stderr and "internal error" not in result.output
    assert stat.S_ISCHR(os.stat(full).st_mode)


def test_demo_never_touches_the_configured_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEO4J_URI", raising=False)
    real = tmp_path / "real.sqlite"
    assert cli("load", EXAMPLE, "--store", real).exit_code == 0
    before = digest(real)
    monkeypatch.setenv("COI_STORE", str(real))
    result = cli("demo", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    assert digest(real) == before
    assert (tmp_path / "demo" / "store.sqlite").exists()
    monkeypatch.setenv("COI_STORE", str(tmp_path / "demo" / "store.sqlite"))
    again = cli("demo", tmp_path / "demo")
    assert again.exit_code == exitcodes.USAGE and "its own folder" in again.stderr


@pytest.mark.parametrize("place", ["/proc/coi-test.csv", "/sys/coi-test.csv"])
def test_a_place_the_os_refuses_is_an_os_error_naming_it(loaded: Path, place: str) -> None:
    result = cli("audit", "--csv", place, "--store", loaded)
    assert result.exit_code == exitcodes.OS_ERROR, result.output
    assert place in result.stderr and "internal error" not in result.output


def test_a_file_size_limit_is_an_os_error_naming_where_and_leaves_nothing(loaded: Path, tmp_path: Path) -> None:
    """200 bytes: the audit's own spill (in TMPDIR) hits the limit before the CSV is begun."""
    import resource
    import signal
    import subprocess
    import sys

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))

    target, spill = tmp_path / "audit.csv", tmp_path / "spill"
    spill.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "coi", "audit", "--csv", str(target), "--store", str(loaded)],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        env={**os.environ, "COI_TRAIL": str(tmp_path / "t.jsonl"), "TMPDIR": str(spill)},
    )
    assert done.returncode == exitcodes.OS_ERROR, done.stderr
    assert f"{spill} (the audit's temporary spill" in done.stderr and "File too large" in done.stderr
    assert done.stderr.count("\n") == 1
    assert not target.exists() and not list(tmp_path.glob(".audit.csv.*")) and not list(spill.iterdir())
