"""The audit trail: a hash chain that verifies, finds tampering, and records every check."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import stat
from pathlib import Path

import pytest
from coi.graph import trail
from coi.graph.sqlite_store import SqliteStore
from coi.loaders.load import load_folder
from typer.testing import CliRunner, Result

from coi import exitcodes
from coi.app import app

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
RUNNER = CliRunner()


def body(n: int) -> dict:
    return {"by": "tester", "command": "check", "inputs": {"case": f"K{n}"}, "verdict": "clear", "findings": []}


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def rewrite(path: Path, entries: list[str]) -> None:
    path.write_text("".join(e + "\n" for e in entries), encoding="utf-8")


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    path = tmp_path / "trail.jsonl"
    for n in range(1, 6):
        trail.append(path, body(n))
    return path


# --- the chain ------------------------------------------------------------------------


def test_entries_are_numbered_and_chained(chain: Path) -> None:
    entries = trail.read_entries(chain)
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0]["prev_hash"] == trail.GENESIS
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(entries))
    assert all(e["hash"] == trail.entry_hash(e) for e in entries)
    assert entries[2]["timestamp"].endswith("+00:00") and entries[2]["inputs"] == {"case": "K3"}
    assert trail.verify(chain) == (True, None, trail.verify(chain).message)
    assert entries[-1]["hash"] in trail.verify(chain).message  # the head, to note elsewhere


def test_trail_file_is_private(chain: Path) -> None:
    assert stat.S_IMODE(chain.stat().st_mode) == 0o600


def test_no_trail_yet_verifies_as_empty(tmp_path: Path) -> None:
    assert trail.verify(tmp_path / "none.jsonl")[:2] == (True, None)
    assert trail.read_entries(tmp_path / "none.jsonl") == []


def test_reserved_fields_are_set_by_the_trail_only(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="seq"):
        trail.append(tmp_path / "t.jsonl", {**body(1), "seq": 99})


def canonical(entry: dict) -> str:
    """An entry written the way coi writes it (a careful forger's edit)."""
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _edit_verdict(entries: list[str]) -> list[str]:
    e = json.loads(entries[2])
    e["verdict"] = "disqualified"
    return [*entries[:2], canonical(e), *entries[3:]]


def _edit_and_rehash(entries: list[str]) -> list[str]:
    e = json.loads(entries[2])
    e["verdict"] = "disqualified"
    e["hash"] = trail.entry_hash(e)
    return [*entries[:2], canonical(e), *entries[3:]]


TAMPERING = {
    "edited field": (_edit_verdict, 3, "content was changed"),
    "edited and rehashed": (_edit_and_rehash, 4, "does not chain"),
    "removed entry": (lambda es: es[:1] + es[2:], 2, "expected 2"),
    "swapped entries": (lambda es: [es[0], es[2], es[1], *es[3:]], 2, "expected 2"),
    "garbage line": (lambda es: [*es[:3], "{not json", *es[4:]], 4, "not valid JSON"),
    "blank line": (lambda es: [*es[:1], "", *es[1:]], 2, "not valid JSON"),
    "removed first": (lambda es: es[1:], 1, "expected 1"),
    "forged genesis": (lambda es: [es[0].replace("0" * 64, "1" * 64, 1), *es[1:]], 1, "does not chain"),
}


@pytest.mark.parametrize("how", TAMPERING)
def test_tampering_is_found_at_the_first_bad_entry(chain: Path, how: str) -> None:
    change, bad_seq, reason = TAMPERING[how]
    rewrite(chain, change(lines(chain)))
    ok, first_bad, message = trail.verify(chain)
    assert (ok, first_bad) == (False, bad_seq)
    assert f"entry {bad_seq} " in message and reason in message and "\n" not in message


def test_appending_after_a_damaged_last_line_is_refused(chain: Path) -> None:
    with open(chain, "a", encoding="utf-8") as handle:
        handle.write('{"seq": 6, "trunc\n')  # a whole line (it ends): not a write cut off by a crash
    with pytest.raises(trail.TrailTampered):
        trail.append(chain, body(7))


def _append_many(path: str, worker: int) -> None:
    for n in range(10):
        trail.append(Path(path), body(worker * 100 + n))


def test_concurrent_appends_from_processes_keep_one_chain(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    with multiprocessing.get_context("fork").Pool(4) as pool:
        pool.starmap(_append_many, [(str(path), w) for w in range(4)])
    entries = trail.read_entries(path)
    assert [e["seq"] for e in entries] == list(range(1, 41))
    assert sorted(e["inputs"]["case"] for e in entries) == sorted(
        f"K{w * 100 + n}" for w in range(4) for n in range(10)
    )
    assert trail.verify(path).ok


def test_trail_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COI_TRAIL", raising=False)
    assert trail.trail_path(tmp_path / "s.sqlite") == tmp_path / "s.sqlite.trail.jsonl"
    monkeypatch.setenv("COI_TRAIL", str(tmp_path / "elsewhere.jsonl"))
    assert trail.trail_path(tmp_path / "s.sqlite") == tmp_path / "elsewhere.jsonl"


# --- through the CLI --------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("COI_TRAIL", raising=False)
    path = tmp_path / "store.sqlite"
    load_folder(EXAMPLE, SqliteStore(path))
    return path


def coi(store: Path, *args: str) -> Result:
    return RUNNER.invoke(app, [*args, "--store", str(store)])


def recorded(store: Path) -> list[dict]:
    return trail.read_entries(trail.trail_path(store))


def test_every_check_is_recorded_with_inputs_verdict_and_findings(store: Path) -> None:
    result = coi(store, "check", "--case", "K1", "--investigator", "O4", "--on", "2023-03-10", "--json")
    assert result.exit_code == exitcodes.DECLARE
    assert json.loads(result.stdout)["verdict"] == "declare"  # stdout is still one JSON document
    (entry,) = recorded(store)
    assert entry["command"] == "check" and entry["verdict"] == "declare"
    assert entry["inputs"] == {
        "case": "K1",
        "person": "O4",
        "role": "investigator",
        "on": "2023-03-10",
        "policy": "default",
    }
    assert entry["findings"] == [{"rule": "SHARED_UNIT", "severity": "medium", "other_id": "O3"}]
    assert entry["data_version"] == SqliteStore(store).info().data_version
    assert entry["by"] == trail.current_user() and entry["override"] is None and entry["decision"] is None


def test_override_records_an_allocation_going_ahead(store: Path) -> None:
    reason = "only PSD investigator free; shared posting ended 2019; reviewed by DCI"
    args = ("check", "--case", "K6", "--investigator", "O4", "--on", "2022-09-05", "--by", "DS Example")
    result = coi(store, *args, "--override", reason)
    assert result.exit_code == exitcodes.CONFLICT  # the verdict stands; the decision is recorded
    assert "entry 1: O4 allocated to K6 with verdict conflict" in result.stderr
    clear = coi(store, "check", "--case", "K1", "--investigator", "O12", "--on", "2023-03-15", "--override", "routine")
    assert clear.exit_code == exitcodes.CLEAR
    first, second = recorded(store)
    assert (first["by"], first["decision"], first["override"], first["verdict"]) == (
        "DS Example",
        "allocated",
        reason,
        "conflict",
    )
    assert (second["verdict"], second["override"]) == ("clear", "routine")


@pytest.mark.parametrize("option", ["--by", "--override"])
def test_blank_name_or_reason_is_refused_and_nothing_recorded(store: Path, option: str) -> None:
    result = coi(store, "check", "--case", "K1", "--investigator", "O4", option, "  ")
    assert result.exit_code == exitcodes.USAGE
    assert recorded(store) == []


def test_failed_check_records_nothing(store: Path) -> None:
    assert coi(store, "check", "--case", "K99", "--investigator", "O4").exit_code == exitcodes.NOT_FOUND
    assert recorded(store) == []


def test_candidates_are_recorded_with_pool_size_and_top_ids(store: Path) -> None:
    result = coi(store, "candidates", "--case", "K1", "--on", "2023-03-10", "--top", "3", "--json", "--by", "PSD")
    assert result.exit_code == 0
    proposed = [(c["person_id"], c["verdict"]) for c in json.loads(result.stdout)["candidates"]]
    (entry,) = recorded(store)
    assert entry["command"] == "candidates" and entry["by"] == "PSD"
    assert [(c["person_id"], c["verdict"]) for c in entry["candidates"]] == proposed and len(proposed) == 3
    assert entry["pool_size"] == 12  # the 13 serving officers less O3, K1's subject
    assert entry["inputs"]["case"] == "K1" and entry["inputs"]["on"] == "2023-03-10" and entry["inputs"]["top"] == 3


def test_log_show_and_verify(store: Path) -> None:
    for person in ("O4", "O12", "O6"):
        coi(store, "check", "--case", "K1", "--investigator", person, "--on", "2023-03-10")
    shown = coi(store, "log", "show", "--json", "--tail", "2")
    assert shown.exit_code == 0
    doc = json.loads(shown.stdout)
    assert [e["inputs"]["person"] for e in doc["entries"]] == ["O12", "O6"]
    human = coi(store, "log", "show")
    assert human.exit_code == 0 and "O12" in human.stdout and "declare" in human.stdout
    verified = coi(store, "log", "verify")
    assert verified.exit_code == 0 and "3 entries intact" in verified.stdout


def test_log_verify_exits_tampered_naming_the_entry(store: Path) -> None:
    for person in ("O4", "O12", "O6"):
        coi(store, "check", "--case", "K1", "--investigator", person, "--on", "2023-03-10")
    path = trail.trail_path(store)
    entries = lines(path)
    rewrite(path, [entries[0], entries[1].replace('"verdict":"clear"', '"verdict":"declare"'), entries[2]])
    result = coi(store, "log", "verify")
    assert result.exit_code == exitcodes.TAMPERED
    assert result.stderr.count("\n") == 1 and "entry 2 " in result.stderr
    as_json = coi(store, "log", "verify", "--json")
    assert as_json.exit_code == exitcodes.TAMPERED and json.loads(as_json.stdout)["first_bad_seq"] == 2


def test_check_is_not_run_unrecorded_on_a_damaged_trail(store: Path) -> None:
    coi(store, "check", "--case", "K1", "--investigator", "O4", "--on", "2023-03-10")
    with open(trail.trail_path(store), "a", encoding="utf-8") as handle:
        handle.write("garbage\n")
    result = coi(store, "check", "--case", "K1", "--investigator", "O4", "--on", "2023-03-10", "--json")
    assert result.exit_code == exitcodes.TAMPERED and result.stdout == ""
    assert "coi log verify" in result.stderr and "Traceback" not in result.output


def test_unwritable_trail_is_a_clean_os_error(store: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    where = tmp_path / "store.sqlite" / "trail.jsonl"  # under a file, not a folder
    monkeypatch.setenv("COI_TRAIL", str(where))
    result = coi(store, "check", "--case", "K1", "--investigator", "O4", "--on", "2023-03-10")
    assert result.exit_code == exitcodes.OS_ERROR
    assert result.stderr.count("\n") == 1 and f"audit trail {where}" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


def test_log_show_prints_names_and_reasons_literally(store: Path) -> None:
    reason = "[/] [link=https://evil.invalid]see[/link] =cmd|' /C calc'!A0"
    check = ("check", "--case", "K1", "--investigator", "O4", "--on", "2023-03-10")
    assert coi(store, *check, "--by", "[bold]DS [/]Example", "--override", reason).exit_code == exitcodes.DECLARE
    result = RUNNER.invoke(app, ["log", "show", "--store", str(store)], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert "[bold]DS [/]Example" in result.stdout and reason in result.stdout
