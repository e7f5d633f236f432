"""Case pictures in a real headless chromium, offline: drawn, complete, inert, quick.

Needs Debian's ``chromium`` at /usr/bin/chromium (apt-get install chromium) and the
``playwright`` Python package; never downloads a browser. Writes a screenshot and the
timings to ``test-artifacts/``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import networkx as nx
import pytest
from browser import CHROMIUM, Visit, intersecting_labels, open_picture
from coi.queries.engine import Engine
from coi.queries.present.picture import build_case_picture, write_case_picture
from coi.queries.present.pyvis_page import Page, write_html
from load_helpers import EXAMPLE
from pictures import DAY, dense_force, loaded, rename, rewrite
from typer.testing import CliRunner

from coi.app import app

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: apt-get install chromium"),
]
pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=1</script>"


def assert_clean(visit: Visit, nodes: int, legend: bool = True) -> None:
    """Drawn on a real canvas, every node in vis-network's DataSet, nothing failed, nothing left the file."""
    state = visit.state
    assert state["canvas"] and min(state["canvas"]) > 0, state
    assert state["dataset_nodes"] == state["network_nodes"] == nodes
    assert visit.console_errors == [] and visit.page_errors == []
    assert visit.requests == [], "the page tried to reach the network"
    assert state["pwned"] is False
    assert state["legend"] is legend


def record(name: str, figures: dict) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "picture-timings.json"
    known = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    known[name] = figures
    path.write_text(json.dumps(known, indent=2), encoding="utf-8")


def test_example_k1_o2_draws_offline(tmp_path: Path) -> None:
    engine = Engine(loaded(EXAMPLE, tmp_path))
    graph = build_case_picture(engine, "K1", "O2", DAY).graph
    path = tmp_path / "picture-K1-O2.html"
    counts = write_case_picture(engine, "K1", path, investigator="O2", on=DAY)
    visit = open_picture(path, screenshot=ARTIFACTS / "picture-K1-O2.png")
    assert_clean(visit, graph.number_of_nodes())
    assert visit.state["network_edges"] == graph.number_of_edges()
    assert "Verdict\nconflict" in visit.state["header"] and "Complainant 1" not in visit.state["header"]
    record(
        "K1-O2",
        {
            "nodes": counts["nodes"],
            "bytes": counts["bytes"],
            "seconds": round(visit.seconds, 3),
            "drawn_ms": visit.state["drawn_ms"],
        },
    )


def test_planted_markup_does_not_run(example_dir: Path, tmp_path: Path) -> None:
    rename(example_dir, "O3", IMG)
    rename(example_dir, "O2", SCRIPT)
    path = tmp_path / "planted.html"
    counts = write_case_picture(Engine(loaded(example_dir, tmp_path)), "K1", path, investigator="O2", on=DAY)
    visit = open_picture(path, hover_node="person:O3")
    assert_clean(visit, counts["nodes"])
    assert visit.hover.startswith(f"{IMG} (O3)"), "the tooltip shows the name as text"
    assert f"{SCRIPT} (O2)" in visit.state["header"]


def test_dense_case_of_about_300_nodes(tmp_path: Path) -> None:
    store, case_id, person, on = dense_force(tmp_path)
    path = tmp_path / "dense.html"
    counts = write_case_picture(Engine(store), case_id, path, investigator=person, on=on)
    assert 280 <= counts["nodes"] <= 400 and counts["dropped"] == 0
    visit = open_picture(path, screenshot=ARTIFACTS / "picture-dense.png")
    assert_clean(visit, counts["nodes"])
    assert intersecting_labels(visit) == [], "no two labels on one spot"
    assert visit.seconds < 10, f"took {visit.seconds:.1f}s to draw"
    record(
        "dense",
        {
            **{k: counts[k] for k in ("nodes", "edges", "bytes")},
            "seconds": round(visit.seconds, 3),
            "drawn_ms": visit.state["drawn_ms"],
        },
    )


def test_a_plain_graph_of_1000_nodes_through_the_wrapper(tmp_path: Path) -> None:
    graph = nx.relabel_nodes(nx.barabasi_albert_graph(1000, 2, seed=3), lambda n: f"n{n}")
    path = tmp_path / "plain.html"
    size = write_html(path, graph, Page("1000 nodes"))
    visit = open_picture(path)
    assert_clean(visit, 1000, legend=False)
    record(
        "plain-1000",
        {
            "nodes": 1000,
            "edges": graph.number_of_edges(),
            "bytes": size,
            "seconds": round(visit.seconds, 3),
            "drawn_ms": visit.state["drawn_ms"],
        },
    )


def test_the_helper_does_see_requests_and_errors(tmp_path: Path) -> None:
    """A control: the blocking and error capture used above do catch a page that misbehaves."""
    path = tmp_path / "leaky.html"
    path.write_text(
        '<html><body><img src="https://example.org/x.png"><script>console.error("boom");'
        "document.body.setAttribute('data-picture-drawn', '1')</script></body></html>",
        encoding="utf-8",
    )
    visit = open_picture(path)
    assert visit.requests == ["https://example.org/x.png"] and visit.console_errors


@pytest.mark.parametrize("day", [date(2023, 4, 1)])
def test_candidates_picture_draws(tmp_path: Path, day: date) -> None:
    path = tmp_path / "candidates.html"
    counts = write_case_picture(Engine(loaded(EXAMPLE, tmp_path)), "K1", path, on=day)
    assert_clean(open_picture(path, hover_node="person:P1"), counts["nodes"])


MARKUP_NAME = "Rhys <Evans> & Co <b>bold</b> </i> <code>x &amp; &lt;"
UNIT_NAME = "Public Protection & Safeguarding"


def test_labels_are_drawn_as_given_never_as_markup(example_dir: Path, tmp_path: Path) -> None:
    """What vis-network splits the labels into for drawing is the names, character for character."""
    rename(example_dir, "O2", MARKUP_NAME)
    rewrite(example_dir / "units.csv", lambda row: row.update(name=UNIT_NAME) if row["unit_id"] == "NRA" else None)
    path = tmp_path / "labels.html"
    counts = write_case_picture(Engine(loaded(example_dir, tmp_path)), "K1", path, investigator="O2", on=DAY)
    visit = open_picture(path, screenshot=ARTIFACTS / "picture-labels.png", hover_node="person:O2")
    assert_clean(visit, counts["nodes"])
    labels = visit.state["labels"]
    assert labels["person:O2"]["text"] == f"{MARKUP_NAME} (O2)"
    assert labels["unit:NRA"]["text"] == UNIT_NAME
    assert labels["person:P1"]["text"] == "Complainant 1"
    assert visit.hover.startswith(f"{MARKUP_NAME} (O2)"), "the tooltip shows the name as text too"
    assert intersecting_labels(visit) == []
    edges = set(visit.state["edge_labels"].values())
    assert {"subject", "complainant", "investigator"} <= edges, "edges to the case name the role"


def test_the_demo_picture_has_no_two_labels_on_one_spot(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", str(tmp_path / "demo")], env={"NEO4J_URI": None})
    assert result.exit_code == 0, result.output
    [path] = (tmp_path / "demo").glob("case-*.html")
    visit = open_picture(path, screenshot=ARTIFACTS / "picture-demo.png")
    assert_clean(visit, len(visit.state["labels"]))
    assert len(visit.state["labels"]) >= 5
    assert intersecting_labels(visit) == []


def test_example_pictures_have_no_two_labels_on_one_spot(tmp_path: Path) -> None:
    engine = Engine(loaded(EXAMPLE, tmp_path))
    for case_id, person, on in (("K1", "O2", DAY), ("K1", "O10", DAY), ("K4", None, date(2023, 4, 1))):
        path = tmp_path / f"{case_id}-{person}.html"
        write_case_picture(engine, case_id, path, investigator=person, on=on)
        assert intersecting_labels(open_picture(path)) == [], (case_id, person)
