"""``coi path A B``: the shortest explained links between two people."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.text import Text

from coi.options import JsonOpt, Neo4jOpt, OnOpt, ShowNamesOpt, StoreOpt, parse_day
from coi.output import Output
from coi.queries.analyses.paths import DEFAULT_HOPS, MAX_HOPS, PathReport, shortest_paths
from coi.queries.evidence import sentence, summary
from coi.queries.reader import Reader
from coi.stores import open_store

__all__ = ["path", "path_text"]


def path_text(report: PathReport, evidence: bool = True) -> Text:
    """The headline, then each path as numbered hops; each hop lists every link between its
    two people, strongest first (management, association, shared unit), with its dates."""
    text = Text()
    text.append(report.message() + "\n", style="bold" if report.paths else "")
    for i, steps in enumerate(report.paths, 1):
        people = [report.namer(steps[0].source), *(report.namer(s.target) for s in steps)]
        text.append(f"\n  Path {i}: {' -> '.join(people)}\n", style="bold")
        for j, step in enumerate(steps, 1):
            for k, item in enumerate(step.all_links):
                lead = f"    {j}. " if k == 0 else "       also: "
                text.append(f"{lead}{sentence(item, report.namer)}\n")
                if evidence:
                    text.append(f"       evidence: {summary(item)}\n", style="dim")
    text.rstrip()
    return text


def path(
    person_a: Annotated[str, typer.Argument(metavar="A", help="Person id at one end.")],
    person_b: Annotated[str, typer.Argument(metavar="B", help="Person id at the other end.")],
    on: OnOpt = None,
    max_hops: Annotated[
        int, typer.Option("--max-hops", min=1, max=MAX_HOPS, help=f"Longest path looked for (1 to {MAX_HOPS}).")
    ] = DEFAULT_HOPS,
    lookback: Annotated[
        int, typer.Option("--lookback", min=0, max=100, help="Years before --on in which links count.")
    ] = 10,
    show_names: ShowNamesOpt = False,
    store: StoreOpt = None,
    neo4j: Neo4jOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Shortest link paths between two people (management, association, shared unit), explained;
    each hop lists every link between its two people, strongest first."""
    out = Output(json_)
    if person_a == person_b:
        raise typer.BadParameter("A and B must be two different people", param_hint="B")
    day = parse_day(on) or date.today()
    with out.guard():
        graph = open_store(store, neo4j)
        report = shortest_paths(Reader(graph), person_a, person_b, day, max_hops, lookback, show_names)
        graph.close()
    if json_:
        out.json(report.to_dict())
    else:
        out.print(path_text(report))
