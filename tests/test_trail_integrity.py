"""The audit trail is damaged by no failure of the tool's own, and verifies exact bytes.

Real processes: ``coi check`` under a file-size limit (``RLIMIT_FSIZE``) that cuts its
append midway, and appends killed with ``SIGKILL`` in the middle of their write.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from coi.graph import trail
from coi.graph.sqlite_store import SqliteStore
from coi.loaders.load import load_folder

from coi import exitcodes

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
ROOT = Path(__file__).parent.parent
CHECK = ("check", "--case", "K1", "--investigator", "O4", "--on", "2023-03-10")


def body(n: int, by: str = "tester") -> dict:
    return {"by": by, "command": "check", "inputs": {"case": f"K{n}"}, "verdict": "clear", "findings": []}


def coi(store: Path, *args: str, limit: int | None = None) -> subprocess.CompletedProcess:
    """``coi ARGS --store STORE`` in its own process; ``limit``: its file-size limit in bytes."""

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # over the limit a write fails (EFBIG), not the process
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {k: v for k, v in os.environ.items() if k not in ("COI_TRAIL", "COI_STORE")}
    return subprocess.run(
        [sys.executable, "-m", "coi", *args, "--store", str(store)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        preexec_fn=limited,
        timeout=120,
    )


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store.sqlite"
    load_folder(EXAMPLE, SqliteStore(path))
    return path


# --- a write that fails is undone ----------------------------------------------------------


@pytest.mark.parametrize("room", [0, 1, 150], ids=["no-room", "one-byte", "half-an-entry"])
def test_a_check_over_the_file_size_limit_leaves_the_trail_as_it_was(store: Path, room: int) -> None:
    path = trail.trail_path(store)
    for _ in range(2):
        assert coi(store, *CHECK).returncode == exitcodes.DECLARE
    before = path.read_bytes()

    failed = coi(store, *CHECK, "--json", limit=len(before) + room)  # the append stops `room` bytes in

    assert failed.returncode == exitcodes.OS_ERROR, failed.stderr
    assert failed.stdout == ""  # no result is shown that was not recorded
    assert failed.stderr.count("\n") == 1 and "Traceback" not in failed.stderr
    assert f"cannot write the audit trail {path}: File too large" in failed.stderr
    assert "nothing was recorded and the trail is as it was" in failed.stderr
    assert path.read_bytes() == before
    verified = coi(store, "log", "verify")
    assert verified.returncode == 0 and "2 entries intact" in verified.stdout, verified.stderr
    again = coi(store, *CHECK)
    assert again.returncode == exitcodes.DECLARE, again.stderr
    assert [e["seq"] for e in trail.read_entries(path)] == [1, 2, 3] and trail.verify(path).ok


# --- a write cut off by a crash --------------------------------------------------------------

BIG = 32 << 20  # bytes of padding: a write long enough to be killed in the middle of it
APPEND_BIG = (
    "import sys; from pathlib import Path; from graph import trail; pad = 'x' * {n}; "
    "print('ready', flush=True); trail.append(Path(sys.argv[1]), {{'by': 't', 'command': 'check', 'pad': pad}})"
)


def _kill_mid_append(path: Path) -> int:
    """Start an append of a big entry, SIGKILL it as soon as the file changes; the bytes it added."""
    before = path.stat().st_size
    child = subprocess.Popen(
        [sys.executable, "-c", APPEND_BIG.format(n=BIG), str(path)], stdout=subprocess.PIPE, cwd=ROOT
    )
    assert child.stdout is not None and child.stdout.readline() == b"ready\n"
    while path.stat().st_size == before and child.poll() is None:
        pass
    child.kill()
    child.wait()
    return path.stat().st_size - before


def test_a_kill_mid_append_is_never_tampering_and_the_next_entry_removes_it(tmp_path: Path) -> None:
    path = tmp_path / "trail.jsonl"
    for n in range(1, 4):
        trail.append(path, body(n))
    cut_off = 0
    for _attempt in range(20):
        added = _kill_mid_append(path)
        verified = trail.verify(path)
        assert verified.ok, verified.message  # whatever the moment of the kill
        if added > 0 and verified.incomplete_bytes == added:
            cut_off = added
            break
        trail.append(path, body(9))  # a whole entry went in (or none): go on from there
    assert cut_off, "no kill landed in the middle of a write in 20 attempts"
    assert "incomplete entry of" in verified.message and "a write cut off by a crash" in verified.message
    count = len(trail.read_entries(path))  # the cut-off bytes are not an entry

    entry = trail.append(path, body(10))

    assert entry["cut_off_bytes_removed"] == cut_off  # the repair is itself recorded, in the chain
    assert entry["seq"] == count + 1 and len(trail.read_entries(path)) == count + 1
    after = trail.verify(path)
    assert after.ok and after.incomplete_bytes == 0 and "incomplete" not in after.message


def test_log_verify_reports_a_cut_off_write_and_exits_0(store: Path) -> None:
    assert coi(store, *CHECK).returncode == exitcodes.DECLARE
    path = trail.trail_path(store)
    line = path.read_bytes()
    with open(path, "ab") as handle:
        handle.write(line[: len(line) // 2])  # what a write cut off by a crash leaves
    verified = coi(store, "log", "verify", "--json")
    assert verified.returncode == 0, verified.stderr
    doc = json.loads(verified.stdout)
    assert doc["ok"] and doc["incomplete_bytes"] == len(line) // 2 and "a write cut off by a crash" in doc["message"]
    human = coi(store, "log", "verify")
    assert human.returncode == 0 and "1 entries intact" in human.stdout and "incomplete entry" in human.stdout
    shown = coi(store, "log", "show", "--json")
    assert shown.returncode == 0 and len(json.loads(shown.stdout)["entries"]) == 1
    assert coi(store, *CHECK).returncode == exitcodes.DECLARE  # recorded, not refused
    assert [e["seq"] for e in trail.read_entries(path)] == [1, 2] and trail.verify(path).ok


def test_every_prefix_of_an_entry_is_an_incomplete_entry(tmp_path: Path) -> None:
    path = tmp_path / "trail.jsonl"
    trail.append(path, body(1))
    whole = path.read_bytes()
    trail.append(path, body(2, by="Inspector Zoë Ærø"))  # multi-byte characters: cut in the middle of one
    second = path.read_bytes()[len(whole) :]
    for end in range(1, len(second) - 1):  # every cut a crash could make before the closing brace
        path.write_bytes(whole + second[:end])
        verified = trail.verify(path)
        assert verified.ok and verified.incomplete_bytes == end, (end, verified.message)
        assert [e["seq"] for e in trail.read_entries(path)] == [1]


def test_a_whole_entry_without_its_line_end_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "trail.jsonl"
    for n in (1, 2):
        trail.append(path, body(n))
    path.write_bytes(path.read_bytes()[:-1])  # cut off exactly before the final newline
    verified = trail.verify(path)
    assert verified.ok and verified.incomplete_bytes == 0 and "2 entries intact" in verified.message
    assert "entry 2 has no line end" in verified.message
    third = trail.append(path, body(3))
    assert third["seq"] == 3 and "cut_off_bytes_removed" not in third
    assert [e["seq"] for e in trail.read_entries(path)] == [1, 2, 3] and trail.verify(path).ok


def _no_newline(path: Path, data: bytes) -> None:
    with open(path, "ab") as handle:
        handle.write(data)


def test_json_after_the_last_line_end_is_tampering_unless_it_is_the_next_entry(tmp_path: Path) -> None:
    path = tmp_path / "trail.jsonl"
    for n in (1, 2):
        trail.append(path, body(n))
    first = path.read_bytes().split(b"\n")[0]
    _no_newline(path, first)  # a whole object, but a copy of entry 1: not a crash's remnant
    verified = trail.verify(path)
    assert (verified.ok, verified.first_bad_seq) == (False, 3)
    assert "entry 3 (line 3, which has no line end) has seq 1, expected 3" in verified.message
    with pytest.raises(trail.TrailTampered, match="no line end"):
        trail.append(path, body(3))


def test_an_unterminated_line_before_others_is_tampering(tmp_path: Path) -> None:
    path = tmp_path / "trail.jsonl"
    trail.append(path, body(1))
    _no_newline(path, b'{"seq":2,"tru')
    path.write_bytes(path.read_bytes() + b"\n")  # the cut-off write is no longer last: a damaged line
    verified = trail.verify(path)
    assert (verified.ok, verified.first_bad_seq) == (False, 2) and "not valid JSON" in verified.message


# --- verify the exact bytes --------------------------------------------------------------------

NON_ASCII = "Inspector Zoë Ærø"


def _first(path: Path) -> tuple[bytes, list[bytes]]:
    lines = path.read_bytes().split(b"\n")[:-1]
    return lines[1], lines


def _duplicate_key(line: bytes) -> bytes:
    return b'{"verdict":"disqualified",' + line[1:]  # a parser keeping the last value reads "clear"


def _extra_space(line: bytes) -> bytes:
    return line.replace(b'":', b'": ', 1)


def _reordered(line: bytes) -> bytes:
    entry = json.loads(line)
    return json.dumps(dict(reversed(entry.items())), separators=(",", ":"), ensure_ascii=False).encode()


def _escaped_non_ascii(line: bytes) -> bytes:
    return line.replace("ë".encode(), b"\\u00eb")


def _escaped_ascii(line: bytes) -> bytes:
    return line.replace(b'"command":"check"', b'"command":"\\u0063heck"')


def _escaped_slash(line: bytes) -> bytes:
    entry = json.loads(line)
    entry["inputs"]["case"] = "K2/3"
    entry["hash"] = trail.entry_hash(entry)
    canonical = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return canonical.replace(b"K2/3", b"K2\\/3")


EDITS = {
    "duplicate key": (_duplicate_key, "has the key 'verdict' twice"),
    "extra whitespace": (_extra_space, "spacing, key order or escaping differ"),
    "trailing space": (lambda line: line + b" ", "spacing, key order or escaping differ"),
    "carriage return": (lambda line: line + b"\r", "spacing, key order or escaping differ"),
    "key order": (_reordered, "spacing, key order or escaping differ"),
    "escaped non-ASCII": (_escaped_non_ascii, "spacing, key order or escaping differ"),
    "escaped ASCII": (_escaped_ascii, "spacing, key order or escaping differ"),
    "escaped slash": (_escaped_slash, "spacing, key order or escaping differ"),
    "all ASCII": (
        lambda line: json.dumps(json.loads(line), sort_keys=True, separators=(",", ":")).encode(),
        "escaping",
    ),
}


@pytest.mark.parametrize("how", EDITS)
def test_verify_compares_the_exact_bytes_of_each_entry(tmp_path: Path, how: str) -> None:
    path = tmp_path / "trail.jsonl"
    for n in range(1, 4):
        trail.append(path, body(n, by=NON_ASCII))
    second, lines = _first(path)
    edit, reason = EDITS[how]
    changed = edit(second)
    assert changed != second
    if how != "escaped slash":  # every other edit leaves the values (and so their hash) as they were
        parsed = json.loads(changed)
        assert parsed["hash"] == trail.entry_hash(parsed) or how == "duplicate key"
    path.write_bytes(b"".join(line + b"\n" for line in (lines[0], changed, lines[2])))

    ok, first_bad, message = trail.verify(path)

    assert (ok, first_bad) == (False, 2)
    assert message.startswith(f"{path}: entry 2 (line 2) ") and reason in message and "\n" not in message
    with pytest.raises(trail.TrailTampered, match="line 2"):
        trail.read_entries(path)


def test_log_verify_names_an_entry_with_a_duplicate_key(store: Path) -> None:
    for _ in range(3):
        coi(store, *CHECK)
    path = trail.trail_path(store)
    lines = path.read_bytes().split(b"\n")[:-1]
    lines[1] = _duplicate_key(lines[1])
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    result = coi(store, "log", "verify")
    assert result.returncode == exitcodes.TAMPERED
    assert result.stderr.count("\n") == 1 and "entry 2 (line 2) has the key 'verdict' twice" in result.stderr


def test_a_check_refuses_to_follow_an_edited_last_entry(store: Path) -> None:
    coi(store, *CHECK)
    path = trail.trail_path(store)
    path.write_bytes(_extra_space(path.read_bytes()[:-1]) + b"\n")
    result = coi(store, *CHECK, "--json")
    assert result.returncode == exitcodes.TAMPERED and result.stdout == ""
    assert "not recorded" in result.stderr and "coi log verify" in result.stderr


#: two entries exactly as the writer before strict verification wrote them (non-ASCII, nested, null)
WRITTEN_BEFORE = (
    b'{"by":"Inspector Zo\xc3\xab \xc3\x86r\xc3\xb8","coi_version":"0.1.0","command":"check","data_version":"3f2a",'
    b'"decision":null,"findings":[{"other_id":"O3","rule":"SHARED_UNIT","severity":"medium"}],'
    b'"hash":"7d06e29d8f05f7e79ac0a107952daf8cfe547e1e893fdd9c6c685d43e116617b","inputs":{"case":"K1",'
    b'"on":"2023-03-10","person":"O4","policy":"default","role":"investigator"},"override":null,'
    b'"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","seq":1,'
    b'"timestamp":"2026-12-03T06:24:05.385+00:00","verdict":"declare"}\n'
    b'{"by":"tester","candidates":[{"person_id":"O6","verdict":"clear"}],"command":"candidates",'
    b'"hash":"5035655107a1826dc904cd4814b17141c0962e8362897f6178c401dbf9097ba7","inputs":{"case":"K1","top":3},'
    b'"override":null,"pool_size":12,'
    b'"prev_hash":"7d06e29d8f05f7e79ac0a107952daf8cfe547e1e893fdd9c6c685d43e116617b","seq":2,'
    b'"timestamp":"2026-12-03T06:24:05.385+00:00"}\n'
)


def test_trails_written_before_verify_as_they_are(tmp_path: Path) -> None:
    path = tmp_path / "trail.jsonl"
    path.write_bytes(WRITTEN_BEFORE)
    assert trail.verify(path)[:2] == (True, None)
    assert trail.append(path, body(3))["seq"] == 3 and trail.verify(path).ok
