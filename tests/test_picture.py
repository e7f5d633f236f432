"""Case pictures without a browser: self-contained, escaped, pseudonymised, the right neighbourhood."""

from __future__ import annotations

import copy
import csv
import html
import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from coi.graph.store import GraphStore
from coi.queries import evidence
from coi.queries.engine import Engine
from coi.queries.present.picture import CONTEXT_COLOUR, SEVERITY_COLOURS, build_case_picture, write_case_picture
from coi.queries.present.pyvis_page import Page, render_html
from load_helpers import EXAMPLE
from pictures import DAY, data_sets, dense_force, loaded, rename, rewrite
from typer.testing import CliRunner

from coi import exitcodes
from coi.app import app

PLANTED = '<script>alert(1)</script> "Beth" O\'Carter & <b>co</b>'
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "script", "body", "header", "div", "h1", "h2", "dl", "dt", "dd",
    "span", "ul", "ol", "li", "aside", "svg", "line", "circle", "rect", "polygon",
}  # fmt: skip


class Tags(HTMLParser):
    """Every start tag of a page with its attributes (script bodies are not parsed as markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(text: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(text)
    return parser.tags


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return Engine(loaded(EXAMPLE, tmp_path))


# --- the page is self-contained --------------------------------------------------------------


def test_page_makes_no_external_references_and_embeds_vis_network(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "k1.html"
    counts = write_case_picture(engine, "K1", path, investigator="O2", on=DAY)
    text = path.read_text(encoding="utf-8")
    assert counts["bytes"] == len(text.encode("utf-8")) > 300_000
    assert not re.search(r"""<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.I)
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", text, re.I), "every script is inline"
    assert not re.search(r"<link\b", text, re.I), "every style is inline (no Bootstrap, no CDN)"
    assert "cdn.jsdelivr" not in text and "cdnjs.cloudflare" not in text
    assert "new vis.Network(" in text and "vis-network" in text, "vis-network is embedded"
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    assert '"physics": {"enabled": false}' in text
    tags = tags_of(text)
    assert {t for t, _ in tags} <= ALLOWED_TAGS
    assert [t for t, a in tags if t == "script" and "src" in a] == []


# --- escaping and pseudonyms ----------------------------------------------------------------


def test_planted_name_appears_only_escaped(example_dir: Path, tmp_path: Path) -> None:
    rename(example_dir, "O2", PLANTED)
    path = tmp_path / "planted.html"
    write_case_picture(Engine(loaded(example_dir, tmp_path)), "K1", path, investigator="O2", on=DAY)
    text = path.read_text(encoding="utf-8")
    assert "<script>alert" not in text and "alert(1)</script>" not in text and "<b>co</b>" not in text
    assert html.escape(PLANTED) in text, "the header shows the name, escaped"
    tags = tags_of(text)
    assert {t for t, _ in tags} <= ALLOWED_TAGS and "b" not in {t for t, _ in tags}
    assert not any(k.startswith("on") for _, attrs in tags for k in attrs)
    nodes, _ = data_sets(text)
    me = next(n for n in nodes if n["id"] == "person:O2")
    assert "<script>" not in me["title"] and html.unescape(me["title"]).startswith(f"{PLANTED} (O2)")
    assert me["label"] == f"{PLANTED} (O2)", "a label is canvas text: the name as it is, never markup"
    assert "</script>" not in text.split("nodes = new vis.DataSet")[1].split(";\n")[0], "JSON keeps it inert"


def test_href_in_a_title_does_not_switch_pyvis_to_html_popups() -> None:
    g = nx.Graph()
    g.add_node("a", label="a", title='<a href="https://example.org">x</a>')
    g.add_edge("a", "b", title="href")
    text = render_html(g, Page("t"))
    assert "popup.innerHTML" not in text and "example.org" not in text.split("nodes = new vis.DataSet")[0]
    nodes, _ = data_sets(text)
    assert html.unescape(nodes[0]["title"]) == '<a href="https://example.org">x</a>'


def test_complainant_is_pseudonymised_unless_names_are_asked_for(engine: Engine, tmp_path: Path) -> None:
    with open(EXAMPLE / "people.csv", encoding="utf-8") as handle:
        names = [row["name"] for row in csv.DictReader(handle)]
    hidden, shown = tmp_path / "hidden.html", tmp_path / "shown.html"
    write_case_picture(engine, "K1", hidden, investigator="O10", on=DAY)
    write_case_picture(engine, "K1", shown, investigator="O10", on=DAY, show_names=True)
    text = hidden.read_text(encoding="utf-8")
    for name in names:
        assert name not in text and html.escape(name) not in text and name.split()[0] not in text
    p1 = next(n for n in data_sets(text)[0] if n["id"] == "person:P1")
    assert p1["label"] == "Complainant 1" and p1["title"].startswith("Complainant 1\n")
    p1 = next(n for n in data_sets(shown.read_text(encoding="utf-8"))[0] if n["id"] == "person:P1")
    assert html.unescape(p1["title"]).startswith("Samantha (pseudonym) (P1)")
    assert "Samantha (pseudonym)" in html.unescape(shown.read_text(encoding="utf-8"))


# --- the neighbourhood --------------------------------------------------------------------


def _rows(name: str) -> list[dict[str, str]]:
    with open(EXAMPLE / f"{name}.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def on_paths(items: list[Any]) -> set[str]:
    """People an evidence item links (a posting's line manager only inside a line-management chain)."""
    found: set[str] = set()
    for item in items:
        if isinstance(item, list):
            found |= on_paths(item)
        elif isinstance(item, dict):
            found |= {v for k, v in item.items() if k in evidence.PERSON_KEYS and k != "line_manager_id" and v}
            if item.get("how") == "line":
                found |= {p["line_manager_id"] for p in item["postings"]}
            found |= on_paths([v for v in item.values() if isinstance(v, dict | list)])
    return found


def expected_nodes(engine: Engine, case_id: str, person: str, on: date) -> set[str]:
    """From the CSVs: the dispute's cases and parties, the person, their units on the day, and the evidence."""
    day = on.isoformat()
    cases = {r["case_id"]: r for r in _rows("cases")}
    linked = {c for c, r in cases.items() if r["counter_allegation_of"] == case_id}
    linked |= {cases[case_id]["counter_allegation_of"]} - {""}
    dispute = {case_id} | {c for c in linked if cases[c]["opened_on"] <= day}
    parties = {
        r["person_id"]
        for r in _rows("assignments")
        if r["case_id"] in dispute and (r["start_date"] or cases[r["case_id"]]["opened_on"]) <= day
    }
    officers = {r["officer_id"] for r in _rows("officers")}
    units = {
        r["unit_id"]
        for r in _rows("postings")
        if r["officer_id"] in (parties | {person}) & officers
        and r["start_date"] <= day
        and (not r["end_date"] or r["end_date"] >= day)
    }
    found = engine.check(case_id, person, on).findings
    items = [item for f in found for item in f.evidence]
    people = parties | {person} | on_paths(items)
    units |= set(re.findall(r'"unit_id": "([^"]+)"', json.dumps(items)))
    dispute |= set(re.findall(r'"case_id": "([^"]+)"', json.dumps(items)))
    return {f"case:{c}" for c in dispute} | {f"person:{p}" for p in people} | {f"unit:{u}" for u in units}


def test_k1_o2_shows_the_expected_neighbourhood(example_store: GraphStore) -> None:
    engine = Engine(example_store)
    picture = build_case_picture(engine, "K1", "O2", DAY)
    expected = expected_nodes(engine, "K1", "O2", DAY)
    assert {"person:O2", "person:O3", "person:P1", "unit:NRA", "case:K1"} <= expected
    assert "case:K4" not in expected, "K4 was opened on 2023-03-20, after the reference date"
    assert set(picture.graph.nodes) == expected
    assert picture.verdict == "conflict" and not picture.dropped


def test_management_edge_is_coloured_as_a_finding(engine: Engine, tmp_path: Path) -> None:
    picture = build_case_picture(engine, "K1", "O2", DAY)
    edge = picture.graph.edges["person:O2", "person:O3"]
    assert edge["color"] == SEVERITY_COLOURS["high"] and edge["arrow"] and edge["width"] > 2
    assert "MANAGES_SUBJECT" in edge["title"]
    assert picture.graph.edges["person:O3", "case:K1"]["color"] == CONTEXT_COLOUR
    path = tmp_path / "k1.html"
    write_case_picture(engine, "K1", path, investigator="O2", on=DAY)
    _, edges = data_sets(path.read_text(encoding="utf-8"))
    drawn = next(e for e in edges if (e["from"], e["to"]) == ("person:O2", "person:O3"))
    assert drawn["color"] == SEVERITY_COLOURS["high"] and drawn["arrows"] == "to"


def test_disqualifying_association_with_the_complainant(engine: Engine) -> None:
    picture = build_case_picture(engine, "K1", "O10", DAY)
    edge = picture.graph.edges["person:O10", "person:P1"]
    assert edge["color"] == SEVERITY_COLOURS["disqualifying"]
    assert picture.graph.nodes["person:O4"]["label"] == "Dana O'Neil (O4)", "the INDIRECT_LINK intermediary"
    assert picture.graph.edges["person:O10", "unit:PSI"]["color"] == SEVERITY_COLOURS["info"]


def test_without_an_investigator_the_best_candidates_are_shown(engine: Engine) -> None:
    picture = build_case_picture(engine, "K1", None, date(2023, 4, 1))
    assert "case:K4" in picture.graph, "the counter-allegation is part of the dispute by then"
    assert picture.graph.edges["case:K4", "case:K1"]["arrow"]
    assert any(f.label == "Investigator" and f.value == "none given" for f in picture.page.facts)
    assert len(picture.page.items) == 3 and picture.verdict is None


def test_a_large_case_is_capped_and_says_what_was_left_out(tmp_path: Path) -> None:
    store, case_id, person, on = dense_force(tmp_path, teams=12, per_team=6)
    engine = Engine(store)
    full = build_case_picture(engine, case_id, person, on)
    assert full.graph.number_of_nodes() == 12 * (6 + 2) + 4 and not full.dropped
    capped = build_case_picture(engine, case_id, person, on, max_nodes=50)
    assert capped.graph.number_of_nodes() == 50
    assert sum(capped.dropped.values()) == full.graph.number_of_nodes() - 50
    assert {"case:BIG", "person:CMD"} <= set(capped.graph), "the case and the person checked always stay"
    assert capped.graph.edges["person:CMD", "person:O0101"]["color"] == SEVERITY_COLOURS["high"]
    total = full.graph.number_of_nodes()
    assert any(n.startswith(f"Left out {total - 50} of {total} nodes") for n in capped.page.notes)


# --- the wrapper and the command --------------------------------------------------------------


def test_the_wrapper_does_not_mutate_its_input() -> None:
    g = nx.DiGraph()
    g.add_node("a", label="A", title="a", shape="dot", color={"background": "#fff", "border": "#000"})
    g.add_node("b", label="B")
    g.add_edge("a", "b", title="ab", color="#f00", width=4, arrow=True)
    g.add_edge("b", "c")
    before = (copy.deepcopy(dict(g.nodes(data=True))), copy.deepcopy(list(g.edges(data=True))), g.graph.copy())
    render_html(g, Page("unchanged"))
    assert (dict(g.nodes(data=True)), list(g.edges(data=True)), g.graph) == before


def test_the_wrapper_refuses_a_page_that_would_reach_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    from pyvis.network import Network

    real = Network.generate_html

    def leaky(self: Network, *args: Any, **kwargs: Any) -> str:
        return real(self, *args, **kwargs).replace("<body>", '<body><img src="https://example.org/x">')

    monkeypatch.setattr(Network, "generate_html", leaky)
    with pytest.raises(RuntimeError, match="remote references"):
        render_html(nx.path_graph(["a", "b"]), Page("leaky"))


def test_cli_show_writes_the_file(tmp_path: Path) -> None:
    loaded(EXAMPLE, tmp_path).close()
    store, out = tmp_path / "picture.sqlite", tmp_path / "out" / "k1.html"
    out.parent.mkdir()
    args = ["show", "--store", str(store), "--case", "K1", "--investigator", "O2", "--on", "2023-03-15"]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert str(out) in result.output and "verdict conflict" in result.output and "7 nodes" in result.output
    assert out.stat().st_size > 300_000 and "Conflict picture: case K1" in out.read_text(encoding="utf-8")
    missing = CliRunner().invoke(app, ["show", "--store", str(store), "--case", "NOPE", "--out", str(out)])
    assert missing.exit_code == exitcodes.NOT_FOUND and "unknown case" in missing.output


def test_labels_are_text_and_label_markup_is_off(example_dir: Path, tmp_path: Path) -> None:
    rename(example_dir, "O2", "Rhys <Evans> & Co </i>")
    rewrite(
        example_dir / "units.csv",
        lambda r: r.update(name="Public Protection & Safeguarding") if r["unit_id"] == "NRA" else None,
    )
    path = tmp_path / "labels.html"
    write_case_picture(Engine(loaded(example_dir, tmp_path)), "K1", path, investigator="O2", on=DAY)
    text = path.read_text(encoding="utf-8")
    nodes, _ = data_sets(text)
    labels = {n["id"]: n["label"] for n in nodes}
    assert labels["person:O2"] == "Rhys <Evans> & Co </i> (O2)"
    assert labels["unit:NRA"] == "Public Protection & Safeguarding"
    assert '"multi": false' in text and '"multi": "html"' not in text


def test_edges_from_the_case_to_people_name_the_role(engine: Engine, tmp_path: Path) -> None:
    picture = build_case_picture(engine, "K1", "O10", DAY)
    assert picture.graph.edges["person:O3", "case:K1"]["label"] == "subject"
    assert picture.graph.edges["person:P1", "case:K1"]["label"] == "complainant"
    assert picture.graph.edges["person:O4", "case:K1"]["label"] == "investigator"
    path = tmp_path / "roles.html"
    write_case_picture(engine, "K1", path, investigator="O10", on=DAY)
    _, edges = data_sets(path.read_text(encoding="utf-8"))
    drawn = {frozenset((e["from"], e["to"])): e.get("label") for e in edges}
    assert drawn[frozenset(("person:P1", "case:K1"))] == "complainant"
    assert drawn[frozenset(("person:O10", "person:P1"))] is None, "only case edges carry a role"


def test_max_nodes_never_leaves_out_a_party_behind_a_disqualifying_finding(engine: Engine) -> None:
    full = build_case_picture(engine, "K1", "O10", DAY)
    assert full.graph.edges["person:O10", "person:P1"]["color"] == SEVERITY_COLOURS["disqualifying"]
    tiny = build_case_picture(engine, "K1", "O10", DAY, max_nodes=1)
    assert set(tiny.graph) == {"case:K1", "person:O10", "person:P1"}
    assert tiny.graph.edges["person:O10", "person:P1"]["color"] == SEVERITY_COLOURS["disqualifying"]
    [note] = [n for n in tiny.page.notes if n.startswith("Left out")]
    assert "everyone behind a disqualifying finding (3) are always shown" in note


def cli_show(store: Path, out: Path, *args: str) -> Any:
    base = ["show", "--store", str(store), "--case", "K1", "--on", "2023-03-15", "--out", str(out)]
    return CliRunner().invoke(app, [*base, *args], env={"NEO4J_URI": None, "COLUMNS": "250"})


def test_cli_max_nodes_keeps_the_disqualifying_party(tmp_path: Path) -> None:
    loaded(EXAMPLE, tmp_path).close()
    store, out = tmp_path / "picture.sqlite", tmp_path / "tiny.html"
    human = cli_show(store, out, "--investigator", "O10", "--max-nodes", "2")
    assert human.exit_code == 0, human.output
    assert "verdict disqualified; 3 nodes" in human.stdout
    doc = json.loads(cli_show(store, out, "--investigator", "O10", "--max-nodes", "2", "--json").stdout)
    assert (doc["nodes"], doc["verdict"], doc["case_id"]) == (3, "disqualified", "K1") and doc["dropped"] > 0
    nodes, edges = data_sets(out.read_text(encoding="utf-8"))
    assert {n["id"] for n in nodes} == {"case:K1", "person:O10", "person:P1"}
    assert any({e["from"], e["to"]} == {"person:O10", "person:P1"} for e in edges)


@pytest.mark.parametrize("name", ["k1.png", "k1.svg", "k1", "k1.html.pdf"])
def test_cli_refuses_an_out_file_that_is_not_html(tmp_path: Path, name: str) -> None:
    loaded(EXAMPLE, tmp_path).close()
    store, out = tmp_path / "picture.sqlite", tmp_path / name
    for extra in ((), ("--json",)):
        result = cli_show(store, out, "--investigator", "O2", *extra)
        assert result.exit_code == exitcodes.USAGE, result.output
        assert "does not end in .html" in result.stderr and result.stdout == ""
    assert not out.exists()
    assert cli_show(store, tmp_path / "K1.HTM", "--investigator", "O2").exit_code == 0


def test_layout_keeps_every_label_box_apart() -> None:
    """Nodes that a spring layout puts on one spot (same neighbours) end up apart, with their labels."""
    from coi.queries.present.layout import box_for, overlapping
    from coi.queries.present.pyvis_page import FONT_PX, positions

    g = nx.Graph()
    for i in range(12):  # twelve officers with the same two neighbours, long names
        g.add_node(f"o{i}", label=f"Detective Constable Number {i} of the Same Team (O{i})", size=12)
        g.add_edge(f"o{i}", "case")
        g.add_edge(f"o{i}", "unit")
    g.add_node("case", label="Case K1", size=20, bold=True)
    g.add_node("unit", label="Public Protection & Safeguarding", size=12)
    where = positions(g)
    boxes = {n: box_for(d["label"], d["size"], FONT_PX + 2 * bool(d.get("bold"))) for n, d in g.nodes(data=True)}
    assert overlapping(where, boxes) == []
    stacked = {n: (0.0, 0.0) for n in g}  # all on one point: still pulled apart
    from coi.queries.present.layout import separate

    assert overlapping(separate(stacked, boxes), boxes) == []
