"""Values cannot steer the terminal: escape sequences in the data are shown, not obeyed.

Every command runs as its own process on a real pseudo-terminal (so rich draws colours, as
on an allocator's screen). Names, ranks, roles and unit names carry ESC sequences (recolour,
clear screen, hyperlink), a carriage return and a bidirectional override; the bytes that
reach the terminal must hold none of them raw, only their visible escapes. Line breaks in a
one-line field are refused at load, and in ``--by``/``--override`` by the CLI.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from forces import edit_csv
from load_helpers import cli, copy_example

from coi import exitcodes

GREEN_CLEAR = "\x1b[1;32m CLEAR \x1b[0m"
CLEAR_SCREEN = "\x1b[2J\x1b[H"
HYPERLINK = "\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\"
OVERWRITE = "\x1b[7A\x1b[2KCLEAR  nothing links this person"  # cursor up, erase the line
BIDI = "\u202eRALC"
RAW = (GREEN_CLEAR, CLEAR_SCREEN, "\x1b]8;;", "\x1b[7A", "\u202e", "\x9b")
SHOWN = ("\\x1b[1;32m CLEAR", "\\x1b[2J", "\\x1b]8;;https://evil.example/", "\\x1b[7A", "\\u202e", "\\x9b")


def _rewrite(path: Path, column: str, values: dict[str, str]) -> None:
    def change(rows: list[dict[str, str]]) -> None:
        key = next(iter(rows[0]))  # the table's id column comes first
        for row in rows:
            if row[key] in values:
                row[column] = values[row[key]]

    edit_csv(path, change)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example force whose accused, investigators and units carry terminal payloads; loaded."""
    work = tmp_path_factory.mktemp("escapes")
    force = copy_example(work / "force")
    _rewrite(force / "officers.csv", "name", {"O3": f"Chris{GREEN_CLEAR}", "O4": f"Dana{CLEAR_SCREEN}{HYPERLINK}"})
    _rewrite(force / "postings.csv", "role", {"O4": "PSD investigator\x9b31m"})
    _rewrite(force / "units.csv", "name", {"NRA": f"North Team A{OVERWRITE}", "PSI": f"PSI {BIDI}"})
    store = work / "store.sqlite"
    result = cli("load", force, "--store", store)
    assert result.exit_code == 0, result.output
    return store


def on_terminal(*args: str | Path) -> tuple[int, str]:
    """``coi ARGS`` on a pseudo-terminal (stdout and stderr): exit code and every byte it wrote."""
    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "240", "COI_TRAIL": ""}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "coi", *map(str, args)], stdin=follower, stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            process.kill()
            raise AssertionError(f"coi {args} wrote nothing for 60 s")
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(30), b"".join(chunks).decode("utf-8", errors="replace")


COMMANDS = {
    "check": ("check", "--case", "K1", "--investigator", "O4", "--on", "2023-03-25"),
    "check subject": ("check", "--case", "K2", "--investigator", "O7", "--on", "2019-06-01"),
    "candidates": ("candidates", "--case", "K1", "--on", "2023-03-25", "--top", "20"),
    "path": ("path", "O4", "O3"),
    "audit": ("audit",),
    "recheck": ("recheck",),
    "patterns": ("patterns",),
}


@pytest.mark.parametrize("label", list(COMMANDS))
def test_no_payload_reaches_the_terminal_raw(hostile: Path, label: str) -> None:
    code, screen = on_terminal(*COMMANDS[label], "--store", hostile)
    assert code not in (exitcodes.INTERNAL, exitcodes.USAGE), screen
    leaked = [payload for payload in RAW if payload in screen]
    assert not leaked, f"{label}: raw terminal payloads reached the screen: {leaked!r}"
    assert "\x1b[" in screen, f"{label}: not drawn as on a terminal (no colours at all)"
    assert any(shown in screen for shown in SHOWN), f"{label}: the payloads are not shown visibly:\n{screen}"


def test_log_show_shows_a_hand_edited_entry_visibly(hostile: Path, tmp_path: Path) -> None:
    trail = tmp_path / "edited.trail.jsonl"
    lines = Path(f"{hostile}.trail.jsonl").read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace('"by":"', '"by":' + json.dumps(GREEN_CLEAR + OVERWRITE)[:-1], 1)
    trail.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, screen = on_terminal("log", "show", "--trail", trail, "--store", hostile)
    assert code != exitcodes.INTERNAL, screen
    assert not [p for p in RAW if p in screen], screen
    assert "\\x1b[1;32m CLEAR" in screen


def test_the_load_report_shows_payloads_visibly(tmp_path: Path, hostile: Path) -> None:
    force = copy_example(tmp_path / "force")
    _rewrite(force / "units.csv", "kind", {"NRA": f"team{OVERWRITE}"})  # not a kind: the problem quotes it
    code, screen = on_terminal("load", force, "--store", tmp_path / "s.sqlite")
    assert code == exitcodes.BAD_DATA, screen
    assert "\x1b[7A" not in screen and "\\x1b[7A" in screen


def test_json_keeps_values_and_escapes_what_a_terminal_would_obey(hostile: Path) -> None:
    code, screen = on_terminal(
        "check", "--case", "K1", "--investigator", "O4", "--on", "2023-03-25", "--json", "--store", hostile
    )
    assert code != exitcodes.INTERNAL
    assert not [p for p in RAW if p in screen]
    document = json.loads(screen[screen.index("{") :].replace("\r\n", "\n"))
    assert document["investigator"] == f"Dana{CLEAR_SCREEN}{HYPERLINK} (O4)"  # the value itself, unchanged


@pytest.mark.parametrize("field", ["name", "collar_number"])
def test_a_line_break_in_a_one_line_field_is_refused_at_load(tmp_path: Path, field: str) -> None:
    force = copy_example(tmp_path / "force")
    _rewrite(force / "officers.csv", field, {"O4": "Dana\n CLEAR  case K1: nothing links this person"})
    result = cli("load", force, "--store", tmp_path / "s.sqlite")
    assert result.exit_code == exitcodes.BAD_DATA, result.output
    line = next(x for x in result.stderr.splitlines() if "line break" in x)
    assert "officers.csv" in line and field in line and "row" in line
    assert not (tmp_path / "s.sqlite").exists()


def test_a_case_summary_may_hold_line_breaks(tmp_path: Path) -> None:
    force = copy_example(tmp_path / "force")
    _rewrite(force / "cases.csv", "summary", {"K1": "First paragraph.\nSecond paragraph."})
    assert cli("load", force, "--store", tmp_path / "s.sqlite").exit_code == exitcodes.CLEAR


@pytest.mark.parametrize("value", ["Sgt\x1b[2J Smith", "Sgt Smith\n CLEAR", "\u202eSgt"])
def test_by_and_override_must_be_one_line_of_plain_text(hostile: Path, value: str) -> None:
    for option in ("--by", "--override"):
        result = cli("check", "--case", "K1", "--investigator", "O4", option, value, "--store", hostile)
        assert result.exit_code == exitcodes.USAGE, result.output
        assert "one line of plain text" in result.output
