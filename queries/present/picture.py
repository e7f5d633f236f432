"""The picture of a case: its neighbourhood as a graph, conflict paths coloured by severity.

Nodes: the case and its counter-allegations, every party and overseer of the dispute, the
investigator checked (or, with none given, the best few candidates), the units they are
posted to on the reference date, and every person, unit and case named in the findings'
evidence (management chains, shared units, intermediaries, associations, earlier cases).
Edges that come from a finding take its severity's colour and are thicker; the rest are
grey context. Complainants and civilians appear by role and pseudonym unless
``show_names``. Above ``max_nodes`` the least relevant nodes (context first, then links
of the lowest severity) are left out and the header says so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
from coi.queries import evidence
from coi.queries.analyses.candidates import candidates
from coi.queries.dispute import Dispute, dispute_of
from coi.queries.engine import CheckResult, Engine
from coi.queries.names import Namer
from coi.queries.present.picture_graph import (
    CANDIDATE_POOL_LIMIT,
    CHECKED_FILL,
    CONTEXT_COLOUR,
    FILLS,
    MAX_NODES,
    PARTY_FILL,
    SEVERITY_COLOURS,
    SEVERITY_WIDTHS,
    SHAPES,
    TOP_CANDIDATES,
    VERDICT_COLOURS,
    Builder,
    add_structure,
    choose_kept,
    to_graph,
)
from coi.queries.present.pyvis_page import Fact, LegendItem, Page, write_html
from coi.queries.reader import Reader
from coi.queries.rules import RULES
from coi.queries.verdicts import SEVERITIES

NOT_ALLOCATABLE_COLOUR = "#8b1a8b"

__all__ = ["CONTEXT_COLOUR", "MAX_NODES", "SEVERITY_COLOURS", "CasePicture", "build_case_picture", "write_case_picture"]


@dataclass
class CasePicture:
    """The graph handed to :mod:`coi.queries.present.pyvis_page`, the page around it, and what was left out."""

    graph: nx.DiGraph
    page: Page
    dropped: Counter = field(default_factory=Counter)
    verdict: str | None = None
    allocatable: bool | None = None  # of the person checked (None: no one was checked)


def _results(
    engine: Engine, case_id: str, investigator: str | None, on: date, role: str, show_names: bool
) -> tuple[list[CheckResult], list[str]]:
    if investigator:
        return [engine.check(case_id, investigator, on, role, show_names)], []
    pool = len(engine.store.serving_officers(on))
    if pool > CANDIDATE_POOL_LIMIT:
        return [], [
            f"No investigator given; the {pool} serving officers are too many to rank here: run `coi candidates`."
        ]
    ranked = candidates(engine, case_id, on, role, top=TOP_CANDIDATES, show_names=show_names)
    return ranked, [f"No investigator given: showing the {len(ranked)} least conflicted candidate(s) and their links."]


def _namer(reader: Reader, dispute: Dispute, results: list[CheckResult], show_names: bool) -> Namer:
    ids = {a.person_id for a in dispute.assignments} | {r.investigator_id for r in results}
    for r in results:
        for f in r.findings:
            ids |= evidence.person_ids(f.evidence)
    return Namer(reader.people(ids), dispute.assignments, show_names)


def _legend(checked: str) -> list[LegendItem]:
    lines = [
        LegendItem("line", f"{s} finding", SEVERITY_COLOURS[s], width=SEVERITY_WIDTHS[s]) for s in reversed(SEVERITIES)
    ]
    lines += [
        LegendItem("line", "context (no finding)", CONTEXT_COLOUR, width=2),
        LegendItem("line", "unit inside unit", CONTEXT_COLOUR, width=2, dashes=True),
    ]
    nodes = [
        LegendItem("node", "officer", FILLS["officer"], SHAPES["officer"]),
        LegendItem("node", "civilian, or shown by pseudonym", FILLS["civilian"], SHAPES["civilian"]),
        LegendItem("node", "unit", FILLS["unit"], SHAPES["unit"]),
        LegendItem("node", "case", FILLS["case"], SHAPES["case"]),
        LegendItem("node", checked, CHECKED_FILL),
        LegendItem("node", "subject, complainant or witness", PARTY_FILL),
    ]
    return lines + nodes


def _page(
    dispute: Dispute,
    results: list[CheckResult],
    checked: bool,
    notes: list[str],
    on: date,
    namer: Namer,
    g: nx.DiGraph,
    left_out: str | None,
) -> Page:
    case, notes = dispute.case, list(notes)
    about = f"{case.case_id}: {case.case_type.replace('_', ' ')}, opened {case.opened_on}"
    about += "".join(f"; linked {c.case_id} (counter-allegation)" for c in dispute.linked)
    facts = [Fact("Case", about), Fact("Reference date", on.isoformat())]
    items: list[str] = []
    if checked:
        r = results[0]
        facts.append(Fact("Investigator", f"{namer(r.investigator_id)} as {r.role.replace('_', ' ')}"))
        if not r.allocatable:  # before the verdict, as in `coi check`
            reasons = "; ".join(b.message for b in r.bars)
            facts.append(Fact("Allocatable", f"NO: {reasons}", NOT_ALLOCATABLE_COLOUR))
        facts += [
            Fact("Verdict", r.verdict, VERDICT_COLOURS[r.verdict]),
            Fact("Policy", f"{r.policy}, lookback {r.lookback_years} years"),
        ]
        items = [f"[{f.severity}] {RULES[f.rule].title} ({f.rule}, {f.other_id}): {f.explanation}" for f in r.findings]
        notes = [*notes, *r.notes] + ([] if r.findings else ["No findings: nothing links this person to the parties."])
    else:
        facts.append(Fact("Investigator", "none given"))
        items = [
            f"#{i} {namer(r.investigator_id)}: {r.verdict}; " + (", ".join(r.rules()) or "no findings")
            for i, r in enumerate(results, 1)
        ]
    facts.append(Fact("Shown", f"{g.number_of_nodes()} people, units and cases; {g.number_of_edges()} links"))
    notes += [left_out] if left_out else []
    notes.append(
        "Complainants and civilians are shown by role and pseudonym."
        if not namer.show_names
        else "Names of complainants and civilians are shown because they were asked for (--show-names)."
    )
    who = "person being checked" if checked else "candidate investigator"
    return Page(f"Conflict picture: case {case.case_id}", facts, notes, items, _legend(who))


def build_case_picture(
    engine: Engine,
    case_id: str,
    investigator: str | None = None,
    on: date | None = None,
    role: str = "investigator",
    show_names: bool = False,
    max_nodes: int = MAX_NODES,
) -> CasePicture:
    """The neighbourhood graph of ``case_id`` (and ``investigator``) on ``on``, and its page."""
    on = on or date.today()
    reader = engine.reader
    dispute = dispute_of(reader, case_id, on)
    results, notes = _results(engine, case_id, investigator, on, role, show_names)
    namer = _namer(reader, dispute, results, show_names)
    builder = Builder(reader, namer)
    checked = bool(investigator)
    add_structure(builder, dispute, results, on, checked)
    keep, dropped, left_out = choose_kept(builder, max(max_nodes, 1))
    graph = to_graph(builder, keep, on, case_id)
    page = _page(dispute, results, checked, notes, on, namer, graph, left_out)
    first = results[0] if checked else None
    return CasePicture(graph, page, dropped, first and first.verdict, first and first.allocatable)


def write_case_picture(
    engine: Engine,
    case_id: str,
    path: Path,
    investigator: str | None = None,
    on: date | None = None,
    role: str = "investigator",
    show_names: bool = False,
    max_nodes: int = MAX_NODES,
) -> dict[str, Any]:
    """Write the picture of ``case_id`` to ``path``; counts of nodes, edges, bytes, dropped."""
    picture = build_case_picture(engine, case_id, investigator, on, role, show_names, max_nodes)
    size = write_html(Path(path), picture.graph, picture.page)
    return {
        "path": str(path),
        "nodes": picture.graph.number_of_nodes(),
        "edges": picture.graph.number_of_edges(),
        "bytes": size,
        "dropped": sum(picture.dropped.values()),
        "verdict": picture.verdict,
        "allocatable": picture.allocatable,
    }
