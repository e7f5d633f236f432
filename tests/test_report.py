"""The HTML audit report: numbers from the report object, self-contained, escaped, UTF-8."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from coi.graph.sqlite_store import SqliteStore
from coi.loaders.load import load_folder
from coi.queries.analyses.audit import AuditReport, audit
from coi.queries.engine import Engine
from coi.queries.evidence import summary
from coi.queries.present.report import render_audit_html, write_audit_html
from coi.queries.verdicts import VERDICT_ORDER
from forces import edit_csv
from typer.testing import CliRunner

from coi.app import app

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
PLANTED = '<script>alert("x")</script> Tom & "Jerry"'


class Tables(HTMLParser):
    """Every table of a page: caption -> rows of cell texts (header row included)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self._caption, self._rows = "", []
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self.tables[self._caption or ""] = self._rows

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self._caption = (self._caption or "") + data
        elif self._cell is not None:
            self._cell.append(data)


def _tables(page: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(page)
    return parser.tables


def _audit_page(folder: Path, tmp_path: Path) -> tuple[AuditReport, Engine, Path]:
    store = SqliteStore(tmp_path / "s.sqlite")
    load_folder(folder, store)
    engine = Engine(store)
    report = audit(engine)
    out = tmp_path / "out" / "audit.html"
    write_audit_html(report, out, engine.reader)
    return report, engine, out


@pytest.fixture
def example(tmp_path: Path) -> Iterator[tuple[AuditReport, Engine, str]]:
    report, engine, out = _audit_page(EXAMPLE, tmp_path)
    yield report, engine, out.read_bytes().decode("utf-8")
    engine.store.close()


def test_totals_come_from_the_report(example: tuple[AuditReport, Engine, str]) -> None:
    report, _, page = example
    totals, tables = report.totals(), _tables(page)
    verdicts = {row[0]: int(row[1]) for row in tables["Allocations per verdict"][1:] if row[0] in VERDICT_ORDER}
    assert verdicts == totals["verdicts"]
    assert ["total", str(totals["allocations"]), "100%"] == tables["Allocations per verdict"][-1]
    rules = {row[0]: int(row[3]) for row in tables["Findings per rule, all allocations"][1:]}
    assert rules == totals["rules"]
    years = {row[0]: [int(c) for c in row[1:5]] for row in tables["Allocations per year and verdict"][1:]}
    assert years == {y: [c[v] for v in VERDICT_ORDER] for y, c in totals["per_year"].items()}
    units = {row[0]: [int(c) for c in row[2:6]] for row in tables["Allocations per unit and verdict"][1:]}
    assert units == {u: [c[v] for v in VERDICT_ORDER] for u, c in totals["per_unit"].items()}
    for uid in totals["per_unit"]:  # unit names from the reader beside the ids
        assert escape(example[1].reader.units[uid].name) in page


def test_every_conflicted_allocation_with_its_evidence(example: tuple[AuditReport, Engine, str]) -> None:
    report, _, page = example
    conflicted = report.conflicted()
    assert conflicted, "the example has conflicted allocations"
    index = _tables(page)["Index"][1:]
    assert [(row[0], row[2], row[3]) for row in index] == [(r.case_id, r.on.isoformat(), r.verdict) for r in conflicted]
    for r in conflicted:
        assert f"Case {escape(r.case_id)}: " in page
        for f in r.findings:
            assert escape(f.explanation) in page
            for item in f.evidence:
                assert escape(summary(item)) in page
    listed = {r.case_id for r in conflicted}
    for r in report.allocations:  # clear and declare allocations are not listed in full
        if r.case_id not in listed:
            assert f"Case {r.case_id}: " not in page


def test_metadata_policy_and_legal_basis(example: tuple[AuditReport, Engine, str]) -> None:
    report, engine, page = example
    assert engine.store.info().data_version in page
    assert {r.policy for r in report.allocations} == {"default"} and "<dd>default</dd>" in page
    assert "Police (Conduct) Regulations 2020" in page and "15(3)" in page
    assert "Example Constabulary" in unescape(re.search(r"<title>(.*?)</title>", page).group(1))


def test_self_contained(example: tuple[AuditReport, Engine, str]) -> None:
    page = example[2]
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"<script|<link|<iframe|<img|@import|url\(", page, re.I)
    for ref in re.findall(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]*)""", page, re.I):
        assert ref.startswith("#"), ref
    assert page.count("<svg") == 3
    assert "Content-Security-Policy" in page


def test_utf8_and_atomic(example: tuple[AuditReport, Engine, str], tmp_path: Path) -> None:
    page = example[2]
    assert '<meta charset="utf-8">' in page
    assert "Jo Müller (O10)" in page  # a non-ASCII name of a conflicted investigator, raw UTF-8
    assert not list((tmp_path / "out").glob(".*.tmp"))


def _plant(path: Path, key: str, ids: set[str]) -> None:
    """Set the name of the rows of ``path`` whose ``key`` is in ``ids`` to PLANTED."""
    edit_csv(path, lambda rows: [{**r, "name": PLANTED} if r[key] in ids else r for r in rows])


def test_planted_markup_is_escaped(example_dir: Path, tmp_path: Path) -> None:
    _plant(example_dir / "officers.csv", "officer_id", {"O4", "O14"})  # K6's investigator, K7's subject
    _plant(example_dir / "units.csv", "unit_id", {"PSI"})  # in the unit tables, the chart and the findings
    _, engine, out = _audit_page(example_dir, tmp_path)
    engine.store.close()
    page = out.read_text(encoding="utf-8")
    assert escape(PLANTED) in page
    assert PLANTED not in page and "<script" not in page.lower()
    assert 'Tom & "Jerry"' not in page
    for name in ("Samantha", "Lizzie"):  # civilians' names are never shown
        assert name not in page


def test_empty_report_and_store_without_info(tmp_path: Path) -> None:
    class NoInfo:
        def info(self) -> None:
            raise RuntimeError("no meta")

    class Reader:
        def __init__(self) -> None:
            self.store, self.units = NoInfo(), {}

        def cases(self, ids: object) -> dict:
            return {}

    page = render_audit_html(AuditReport.of([]), Reader(), datetime(2024, 1, 2, 3, 4, tzinfo=UTC))
    assert "2024-01-02 03:04 UTC" in page
    assert "<dd>not available</dd>" in page
    assert "no allocation was conflicted or disqualified" in page


def test_cli_writes_the_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEO4J_URI", raising=False)
    store = tmp_path / "s.sqlite"
    load_folder(EXAMPLE, SqliteStore(store))
    out = tmp_path / "reports" / "audit.html"
    missing = CliRunner().invoke(app, ["audit", "--html", str(out), "--store", str(store)])
    assert missing.exit_code == 2 and "does not exist" in missing.stderr  # a missing folder is not guessed
    out.parent.mkdir()
    result = CliRunner().invoke(app, ["audit", "--html", str(out), "--store", str(store)])
    assert result.exit_code == 0, result.output
    page = out.read_bytes().decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    engine = Engine(SqliteStore(store))
    conflicted = audit(engine).conflicted()
    engine.store.close()
    assert conflicted and all(f"Case {r.case_id}: " in page for r in conflicted)
