"""No command shows a protected name without --show-names (issue 12, item 12).

Protected: the example's civilian complainants (P1, P2) plus planted ones: a civilian
witness (P3), an officer who is only ever a complainant (O20, posted beside O5) and an
officer who is only ever a witness (O21, retired, a friend of O7). Every command's output,
on stdout, stderr and in every file it writes, is searched for their names; with
--show-names the same commands do show them (so the search can fail).

As in a check, an officer is pseudonymised as a complainant or witness of the dispute at
hand (in `coi path`, of every case): proposed as a candidate for an unrelated case, an
officer is named like any other. So O20 is a party of K1 (and everyone is disqualified
from K7), and O21 has retired before the days the candidates are searched.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_patterns import add_rows
from typer.testing import CliRunner

from coi.app import app

ENV = {"COLUMNS": "250", "NEO4J_URI": None}
PROTECTED = ("Samantha", "Lizzie", "Walter Witnessname", "Olivia Hiddenvictim", "Wendy Quietwitness")
RUNNER = CliRunner()


@pytest.fixture(scope="module")
def force(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from shutil import copytree, ignore_patterns

    folder = tmp_path_factory.mktemp("protected") / "data"
    copytree(Path(__file__).parent / "fixtures" / "example", folder, ignore=ignore_patterns("*.md"))
    add_rows(folder, "people", "P3,Walter Witnessname")
    add_rows(
        folder,
        "officers",
        "O20,Olivia Hiddenvictim,constable,2220,2012-01-01,",
        "O21,Wendy Quietwitness,constable,2221,2012-01-01,2022-12-31",
    )
    add_rows(folder, "postings", "O20,PSI,2021-01-01,,PSD investigator,false,O8")
    add_rows(folder, "associations", "O21,O7,friend,2018-01-01,,declared")
    add_rows(folder, "assignments", "K1,O20,complainant,,", "K1,P3,witness,,", "K7,O21,witness,,")
    add_rows(folder, "cases", "K9,criminal,2023-03-22,,,Second counter-allegation")
    add_rows(folder, "assignments", "K9,P1,subject,,")  # P1 becomes a repeat subject (patterns)
    return folder


def outputs(force: Path, work: Path, show_names: bool) -> dict[str, str]:
    """Every command's stdout + stderr + written files, by a label (with or without --show-names)."""
    store, names = work / "store.sqlite", ["--show-names"] if show_names else []
    texts: dict[str, str] = {}

    def coi(label: str, *args: str, named: bool = False, files: tuple[Path, ...] = ()) -> None:
        result = RUNNER.invoke(app, [*args, *(names if named else []), "--store", str(store)], env=ENV)
        # 9 = recheck with open alerts: an answer, not a failure.
        assert result.exit_code in (0, 9, 10, 20, 30, 40), f"{label}: {result.output}"
        written = "".join(f.read_text(encoding="utf-8-sig") for f in files)
        texts[label] = result.stdout + result.stderr + written

    coi("load", "load", str(force))
    coi("load --json", "load", str(force), "--json")
    for case, person, on in (("K1", "O10", "2023-03-25"), ("K1", "O4", "2023-03-25"), ("K7", "O10", "2024-02-05")):
        for fmt in ((), ("--json",)):
            coi(
                f"check {case} {person} {fmt}",
                "check",
                "--case",
                case,
                "--investigator",
                person,
                "--on",
                on,
                *fmt,
                named=True,
            )
    coi(
        "check override",
        "check",
        "--case",
        "K1",
        "--investigator",
        "O4",
        "--on",
        "2023-03-25",
        "--override",
        "ok",
        named=True,
    )
    for case, on in (("K1", "2023-03-25"), ("K7", "2024-03-01")):
        for fmt in ((), ("--json",)):
            coi(f"candidates {case} {fmt}", "candidates", "--case", case, "--on", on, "--top", "20", *fmt, named=True)
    csv, html = work / f"audit-{show_names}.csv", work / f"audit-{show_names}.html"
    coi("audit", "audit", "--csv", str(csv), "--html", str(html), files=(csv, html))
    coi("audit --json", "audit", "--json")
    for a, b in (("O5", "O20"), ("O10", "P1"), ("O7", "O21"), ("O4", "P3")):
        for fmt in ((), ("--json",)):
            coi(f"path {a} {b} {fmt}", "path", a, b, "--on", "2024-03-01", "--max-hops", "4", *fmt, named=True)
    pcsv = work / f"patterns-{show_names}.csv"
    coi("patterns", "patterns", "--on", "2023-04-01", "--csv", str(pcsv), named=True, files=(pcsv,))
    coi("patterns --json", "patterns", "--on", "2023-04-01", "--json", named=True)
    for case, person, on in (("K1", "O10", "2023-03-25"), ("K7", "O10", "2024-03-01"), ("K1", None, "2023-03-25")):
        picture = work / f"show-{case}-{person}-{show_names}.html"
        who = ["--investigator", person] if person else []
        coi(
            f"show {case} {person}",
            "show",
            "--case",
            case,
            *who,
            "--on",
            on,
            "--out",
            str(picture),
            named=True,
            files=(picture,),
        )
    coi("recheck", "recheck", "--on", "2024-03-01", "--no-record")
    coi("recheck --json", "recheck", "--on", "2024-03-01", "--no-record", "--json")
    coi("log show", "log", "show")
    coi("log show --json", "log", "show", "--json")
    trail = store.with_name(store.name + ".trail.jsonl")
    texts["trail file"] = trail.read_text(encoding="utf-8")
    return texts


def test_no_protected_name_in_any_output(force: Path, tmp_path: Path) -> None:
    leaks = {label: [n for n in PROTECTED if n in text] for label, text in outputs(force, tmp_path, False).items()}
    assert {label: found for label, found in leaks.items() if found} == {}
    assert len(leaks) >= 30  # every command above ran


def test_with_show_names_every_protected_name_is_shown_somewhere(force: Path, tmp_path: Path) -> None:
    everything = "\n".join(outputs(force, tmp_path, True).values())
    assert [n for n in PROTECTED if n not in everything] == []
