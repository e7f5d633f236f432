"""`coi load` reads every table file that is there, or says why not (issue 12 item 1, issue 13).

A file that cannot be read is an error naming it, never an absent table; a file that only
looks like a table is reported; an export that empties a table the store had is refused
unless --allow-empty names it (both stores); every problem is listed when asked.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from forces import edit_csv
from load_helpers import EXAMPLE, cli, cli_store, copy_example, run_unprivileged, world_readable_dir

from coi import exitcodes

K1_O10 = ("check", "--case", "K1", "--investigator", "O10", "--on", "2023-03-15", "--json")


@pytest.fixture(params=[pytest.param("embedded"), pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store_args(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[str]]:
    """CLI arguments naming a store (embedded file, or the Neo4j of NEO4J_URI) that holds the example."""
    args = cli_store(request.param, tmp_path)
    assert cli("load", EXAMPLE, *args, "--no-recheck").exit_code == 0
    yield args


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "export")


def k1_o10(store_args: list[str]) -> str:
    result = cli(*K1_O10, *store_args)
    return json.loads(result.stdout)["verdict"]


@pytest.mark.parametrize("kind", ["broken-link", "fifo", "directory"])
@pytest.mark.parametrize("as_json", [False, True], ids=["human", "json"])
def test_an_unreadable_associations_file_is_an_error_not_an_absent_table(
    store_args: list[str], export: Path, kind: str, as_json: bool
) -> None:
    path = export / "associations.csv"
    path.unlink()
    if kind == "broken-link":
        path.symlink_to(export / "moved" / "associations.csv")
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    assert k1_o10(store_args) == "disqualified"  # O10 is K1's subject's partner
    result = cli("load", export, *store_args, "--no-recheck", *(["--json"] if as_json else []))
    assert result.exit_code == exitcodes.BAD_DATA, result.output
    assert "error: associations.csv: cannot read table associations: it is " in result.stderr
    if as_json:
        document = json.loads(result.stdout)
        assert document["loaded"] is False and document["problems"][0]["file"] == "associations.csv"
    assert k1_o10(store_args) == "disqualified"  # nothing was loaded without the associations


@pytest.mark.parametrize("as_json", [False, True], ids=["human", "json"])
def test_a_table_file_without_read_permission_is_an_error_naming_it(as_json: bool) -> None:
    with world_readable_dir() as root:
        export = copy_example(root / "export")
        (root / "store").mkdir()
        (root / "store").chmod(0o777)
        store = root / "store" / "store.sqlite"
        (export / "people.csv").chmod(0o000)
        args = ["load", str(export), "--store", str(store), "--no-recheck", *(["--json"] if as_json else [])]

        def run() -> tuple[int, str, str]:
            result = cli(*args)
            return result.exit_code, result.stdout, result.stderr

        code, stdout, stderr = run_unprivileged(run)
        assert code == exitcodes.BAD_DATA, stderr
        assert "error: people.csv: cannot read table people: Permission denied" in stderr
        assert not store.exists()
        if as_json:
            assert json.loads(stdout)["problems"][0]["reason"] == "cannot read table people: Permission denied"


def test_a_look_alike_beside_its_table_is_a_warning(store_args: list[str], export: Path) -> None:
    shutil.copy(export / "officers.csv", export / "Officers.xlsx.bak")
    result = cli("load", export, *store_args, "--no-recheck")
    assert result.exit_code == 0, result.output
    line = "warning: Officers.xlsx.bak: looks like table officers but is not read (officers is read from officers.csv)"
    assert line in result.stderr
    document = json.loads(cli("load", export, *store_args, "--no-recheck", "--json").stdout)
    assert [w["file"] for w in document["warnings"]] == ["Officers.xlsx.bak"]


@pytest.mark.parametrize("as_json", [False, True], ids=["human", "json"])
def test_a_misnamed_table_is_refused_then_loads_only_when_acknowledged(
    store_args: list[str], export: Path, as_json: bool
) -> None:
    (export / "associations.csv").rename(export / "association.csv")
    mode = ["--json"] if as_json else []
    refused = cli("load", export, *store_args, "--no-recheck", *mode)
    assert refused.exit_code == exitcodes.BAD_DATA
    assert "error: association.csv: looks like table associations but is not one" in refused.stderr
    assert k1_o10(store_args) == "disqualified"
    ignored = cli("load", export, *store_args, "--no-recheck", "--ignore", "association.csv", *mode)
    assert ignored.exit_code == exitcodes.BAD_DATA  # ...and now the store would lose its associations
    assert "error: table associations: 0 rows, 3 removed" in ignored.stderr
    assert k1_o10(store_args) == "disqualified"
    both = ["--ignore", "association.csv", "--allow-empty", "associations"]
    allowed = cli("load", export, *store_args, "--no-recheck", *both, *mode)
    assert allowed.exit_code == 0, allowed.output
    assert "warning: table associations: 0 rows, 3 removed (allowed by --allow-empty associations)" in allowed.stderr
    if as_json:
        document = json.loads(allowed.stdout)
        assert document["tables"]["associations"]["removed"] == 3
        assert {w["file"] for w in document["warnings"]} == {"association.csv", "table associations"}
    assert k1_o10(store_args) == "clear"  # what the user asked for, knowingly


def test_allow_empty_takes_table_names(store_args: list[str], export: Path) -> None:
    result = cli("load", export, *store_args, "--no-recheck", "--allow-empty", "association")
    assert result.exit_code == exitcodes.BAD_DATA
    assert "--allow-empty takes table names" in result.stderr


# --- every problem, when asked (issue 13) ---------------------------------------------------


def _sixty_bad_postings(export: Path) -> None:
    with open(export / "postings.csv", "a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for day in range(1, 61):
            writer.writerow(["O3", "NOWHERE", f"2019-{1 + day // 28:02d}-{1 + day % 28:02d}", "", "", "false", ""])


def test_load_errors_are_not_capped_when_the_user_asks(tmp_path: Path, export: Path) -> None:
    _sixty_bad_postings(export)
    store = tmp_path / "store.sqlite"
    errors = lambda result: [x for x in result.stderr.splitlines() if "unknown unit id" in x]  # noqa: E731
    default = cli("load", export, "--store", store)
    assert default.exit_code == exitcodes.BAD_DATA and len(errors(default)) == 50
    assert "error: ... and 10 more problems (--max-errors 0 shows all; --problems FILE writes all)" in default.stderr
    assert len(errors(cli("load", export, "--store", store, "--max-errors", "0"))) == 60
    assert len(errors(cli("load", export, "--store", store, "--max-errors", "5"))) == 5
    as_json = cli("load", export, "--store", store, "--json", "--max-errors", "5")
    document = json.loads(as_json.stdout)
    assert document["problem_count"] == 60 and len(document["problems"]) == 60
    problems = tmp_path / "problems.csv"
    cli("load", export, "--store", store, "--problems", problems)
    with open(problems, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 60 and {r["severity"] for r in rows} == {"error"}
    assert {r["file"] for r in rows} == {"postings.csv"} and rows[0]["row"] == "17"
    assert not store.exists()


def test_date_reasons_say_what_is_wrong(tmp_path: Path, export: Path) -> None:
    """Only a really ambiguous date is called ambiguous; an impossible one is called impossible."""

    def dates(rows: list[dict[str, str]]) -> None:
        for row, value in zip(
            rows, ["31/03/2024", "03/01/2023", "31/02/2022", "12/31/2024", "0001-01-01"], strict=False
        ):
            row["opened_on"] = value

    edit_csv(export / "cases.csv", dates)
    result = cli("load", export, "--store", tmp_path / "s.sqlite", "--json")
    reasons = {p["value"]: p["reason"] for p in json.loads(result.stdout)["problems"] if p["column"] == "opened_on"}
    assert reasons == {
        "31/03/2024": "a day-first date (DD/MM/YYYY): pass --dayfirst to read day-first dates",
        "03/01/2023": "day/month order is ambiguous: pass --dayfirst if the export is day-first",
        "31/02/2022": "not a real calendar date in either day/month order",
        "12/31/2024": "a month-first date (MM/DD/YYYY): month-first dates are not read; write YYYY-MM-DD",
        "0001-01-01": "outside the supported range 1900-01-01..2100-12-31",
    }
