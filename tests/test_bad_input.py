"""Bad input through `coi load`: refused with one clear line per problem, store untouched.

Every defect class of docs/data-contract.md (tests/bad_input/defects.py), the valid edge
cases, --skip-invalid with a rejects file, and hypothesis fuzzing of the example's cells.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

import pytest
from bad_input.defects import DEFECTS, EXAMPLE, FORMULA, HUGE, VALID, Case, cell, read_rows
from coi.graph.model import TABLE_ORDER
from coi.graph.sqlite_store import SqliteStore
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from coi import exitcodes
from coi.app import app

FILES = tuple(f"{name}.csv" for name in TABLE_ORDER)
RUNNER = CliRunner()


def load(source: Path, store: Path, *args: str) -> Result:
    """`coi load` without its re-check: these tests are about loading (alerts: test_alerts.py)."""
    return RUNNER.invoke(app, ["load", str(source), "--store", str(store), "--no-recheck", *args])


def snapshot(store: Path) -> tuple[str, dict[str, int], bytes]:
    """What a reader would see: data version, table counts, and the file's bytes."""
    opened = SqliteStore(store)
    try:
        info = opened.info()
    finally:
        opened.close()
    return info.data_version, dict(info.counts), store.read_bytes()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "store.sqlite"
    assert load(EXAMPLE, path).exit_code == 0
    return path


@pytest.fixture
def store(template: Path, tmp_path: Path) -> Path:
    """A store already holding the example force."""
    path = tmp_path / "store" / "store.sqlite"
    path.parent.mkdir()
    shutil.copy(template, path)
    return path


def assert_clean_refusal(result: Result, store: Path, before: tuple) -> list[str]:
    """Exit BAD_DATA, only `error: ...` lines on stderr, nothing on stdout, store as it was."""
    lines = result.stderr.splitlines()
    assert result.exit_code == exitcodes.BAD_DATA, result.output
    assert lines and all(line.startswith("error: ") for line in lines), result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    assert lines[-1].endswith("nothing was written")
    assert snapshot(store) == before
    kept = {store.name, store.name + ".lock"}  # the lock file stays, by design (graph/lock.py)
    assert not [p for p in store.parent.iterdir() if p.name not in kept], "a temp file was left behind"
    return lines


@pytest.mark.parametrize("case", DEFECTS, ids=str)
def test_defect_is_refused_naming_where_and_why(case: Case, store: Path, tmp_path: Path) -> None:
    before = snapshot(store)
    source, args = case.build(tmp_path / "input")
    lines = assert_clean_refusal(load(source, store, *args), store, before)
    assert any(all(fragment in line for fragment in case.expect) for line in lines), "\n".join(lines)


VALID_CHECKS = {
    "header-only-associations": lambda s: s.info().counts["associations"] == 0 and s.info().counts["officers"] == 13,
    "header-only-every-table": lambda s: set(s.info().counts.values()) == {0},
    "huge-field": lambda s: s.cases(["K1"])["K1"].summary == HUGE,
    "formula-looking-name": lambda s: s.people(["O1"])["O1"].name == FORMULA,
    "nfd-reference-to-nfc-id": lambda s: [p.officer_id for p in s.postings_for_people(["\u00d699"])] == ["\u00d699"],
}


@pytest.mark.parametrize("case", VALID, ids=str)
def test_valid_edge_case_loads(case: Case, store: Path, tmp_path: Path) -> None:
    example_version = snapshot(store)[0]
    source, args = case.build(tmp_path / "input")
    result = load(source, store, *args)
    assert result.exit_code == 0, result.output
    opened = SqliteStore(store)
    try:
        if case.name in VALID_CHECKS:
            assert VALID_CHECKS[case.name](opened)
        else:  # the same force in another encoding, format or date style
            assert opened.info().data_version == example_version
    finally:
        opened.close()


def test_dayfirst_date_without_the_option_is_refused_and_with_it_loads(store: Path, tmp_path: Path) -> None:
    source, _ = Case("dayfirst", cell("cases", 2, "opened_on", "01/03/2023")).build(tmp_path / "input")
    before = snapshot(store)
    assert_clean_refusal(load(source, store), store, before)
    assert load(source, store, "--dayfirst").exit_code == 0
    assert snapshot(store)[0] == before[0]  # 01/03/2023 day-first is the example's 2023-03-01


# --- --skip-invalid -------------------------------------------------------------------


def test_skip_invalid_writes_every_rejected_row_and_loads_the_rest(store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "input"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("*.md"))
    cell("officers", 2, "rank", "general")(folder)  # O1: rejected, and so every row naming O1
    cell("postings", 9, "unit_id", "NOWHERE")(folder)
    rejects = tmp_path / "rejects.csv"
    result = load(folder, store, "--skip-invalid", "--rejects", str(rejects))
    assert result.exit_code == 0, result.output
    with open(rejects, encoding="utf-8", newline="") as handle:
        rejected = list(csv.DictReader(handle))
    assert all(r["reason"] and r["file"] in FILES and r["record"] for r in rejected)
    where = {(r["file"], r["row"], r["column"]) for r in rejected}
    assert {("officers.csv", "2", "rank"), ("postings.csv", "9", "unit_id")} <= where
    assert ("postings.csv", "3", "officer_id") in where  # O1's own posting cascades
    assert ("postings.csv", "4", "line_manager_id") in where  # so does the posting O1 manages
    opened = SqliteStore(store)
    try:
        counts = opened.info().counts
        assert "O1" not in opened.people(["O1"])
    finally:
        opened.close()
    for name in TABLE_ORDER:
        total = len(read_rows(folder / f"{name}.csv")[1])
        dropped = len({r["row"] for r in rejected if r["file"] == f"{name}.csv"})
        assert counts[name] == total - dropped, name


def test_skip_invalid_without_rejects_is_refused(store: Path, tmp_path: Path) -> None:
    before = snapshot(store)
    source, _ = DEFECTS[0].build(tmp_path / "input")
    lines = assert_clean_refusal(load(source, store, "--skip-invalid"), store, before)
    assert any("--rejects" in line for line in lines)


def test_skip_invalid_still_refuses_a_missing_table(store: Path, tmp_path: Path) -> None:
    before = snapshot(store)
    source, _ = next(c for c in DEFECTS if c.name == "missing-table-officers").build(tmp_path / "input")
    rejects = tmp_path / "rejects.csv"
    assert_clean_refusal(load(source, store, "--skip-invalid", "--rejects", str(rejects)), store, before)
    assert not rejects.exists()


# --- regressions found by the fuzzer (fixed in loaders/validate.py) ---------------------


def test_year_zero_is_refused_as_bad_data(store: Path, tmp_path: Path) -> None:
    before = snapshot(store)
    source, _ = Case("year-0", cell("officers", 2, "joined_on", "0000-01-01")).build(tmp_path / "input")
    lines = assert_clean_refusal(load(source, store), store, before)
    assert any("officers.csv row 2, column joined_on" in line for line in lines)


@pytest.mark.parametrize("row", [2, 3], ids=["root", "child"])
def test_blank_unit_id_is_refused_as_bad_data(store: Path, tmp_path: Path, row: int) -> None:
    before = snapshot(store)
    source, _ = Case("blank-unit-id", cell("units", row, "unit_id", "")).build(tmp_path / "input")
    lines = assert_clean_refusal(load(source, store), store, before)
    assert any(f"units.csv row {row}, column unit_id" in line and "required value is empty" in line for line in lines)
    assert not any("cycle" in line for line in lines)


# --- fuzzing ----------------------------------------------------------------------------

SHAPES = {name: read_rows(EXAMPLE / f"{name}.csv") for name in TABLE_ORDER}
NASTY = st.sampled_from(
    ['"', "'", '""', "\n", "\r\n", "\r", ",", ";", "\t", "\ufeff", "\x00", "=1+1", "NaN", "null", " ", "31/02/2021",
     "2021-02-29", "9999-12-31", "O1", "K1", "NRA", "P1", "true", "é", "\u202e", "𝔘"]
)  # fmt: skip
VALUES = st.one_of(
    st.text(max_size=40),
    st.just(""),
    NASTY,
    st.lists(NASTY, min_size=2, max_size=6).map("".join),
    st.integers(1_000, 200_000).map(lambda n: "y" * n),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=10),
)


@st.composite
def mutations(draw: st.DrawFn) -> list[tuple[str, int, str, str, bool]]:
    """1-3 edits: (table, row index, column, new value, raw = spliced in without CSV quoting)."""
    edits = []
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(TABLE_ORDER))
        header, rows = SHAPES[name]
        row = draw(st.integers(0, len(rows) - 1))
        edits.append((name, row, draw(st.sampled_from(header)), draw(VALUES), draw(st.booleans())))
    return edits


def write_mutated(folder: Path, edits: list[tuple[str, int, str, str, bool]]) -> None:
    tables = {name: (list(h), [dict(r) for r in rows]) for name, (h, rows) in SHAPES.items()}
    raw: dict[tuple[str, int], str] = {}
    for name, row, column, value, spliced in edits:
        tables[name][1][row][column] = value
        if spliced:
            raw[(name, row)] = column
    for name, (header, rows) in tables.items():
        with open(folder / f"{name}.csv", "w", encoding="utf-8", errors="surrogatepass", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for i, r in enumerate(rows):
                if (name, i) in raw:  # the export's own (broken) quoting
                    handle.write(",".join(r[c] for c in header) + "\n")
                else:
                    writer.writerow([r[c] for c in header])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=mutations())
def test_fuzzed_cells_load_or_are_refused_cleanly(template: Path, edits: list) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder, store = Path(tmp) / "input", Path(tmp) / "store" / "store.sqlite"
        folder.mkdir()
        store.parent.mkdir()
        shutil.copy(template, store)
        write_mutated(folder, edits)
        before = snapshot(store)
        result = load(folder, store)
        if result.exit_code == 0:
            assert snapshot(store)[0]
            return
        lines = assert_clean_refusal(result, store, before)
        assert all(line.startswith(tuple(f"error: {f}" for f in FILES)) for line in lines[:-1]), result.stderr
