"""``coi show``: write an interactive, offline HTML picture of a case's network."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from coi.commands.check import RoleOpt
from coi.options import JsonOpt, Neo4jOpt, OnOpt, PolicyOpt, ShowNamesOpt, StoreOpt, parse_day
from coi.output import Output
from coi.queries.engine import ALLOCATABLE_ROLES, Engine
from coi.queries.policy import load_policy
from coi.stores import open_store

__all__ = ["show"]

HTML_SUFFIXES = (".html", ".htm")


def _html_path(value: Path) -> Path:
    """Refuse an --out that does not end in .html: the picture is an interactive page, not an image."""
    if value.suffix.lower() not in HTML_SUFFIXES:
        raise typer.BadParameter(
            f"{str(value)!r} does not end in .html: coi writes the picture as an interactive HTML page "
            "(no PNG or other image); give a .html name, open it in a browser and print or screenshot it from there"
        )
    return value


def show(
    case: Annotated[str, typer.Option("--case", help="Case id.")],
    out_file: Annotated[
        Path,
        typer.Option("--out", callback=_html_path, help="HTML file to write, *.html (opens offline in any browser)."),
    ],
    investigator: Annotated[
        str | None,
        typer.Option("--investigator", help="Person id to check; without it the best few candidates are shown."),
    ] = None,
    role: RoleOpt = "investigator",
    on: OnOpt = None,
    policy: PolicyOpt = None,
    show_names: ShowNamesOpt = False,
    max_nodes: Annotated[
        int, typer.Option("--max-nodes", min=1, help="Most nodes drawn; the least relevant are left out beyond it.")
    ] = 400,  # queries.present.picture.MAX_NODES (not imported here: pyvis loads only when drawing)
    store: StoreOpt = None,
    neo4j: Neo4jOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Draw the case, its parties, the person checked and every link behind the findings."""
    out = Output(json_)
    if role not in ALLOCATABLE_ROLES:
        raise typer.BadParameter(f"must be one of {', '.join(ALLOCATABLE_ROLES)}", param_hint="--role")
    day = parse_day(on) or date.today()
    with out.guard():
        engine = Engine(open_store(store, neo4j), load_policy(policy))
        try:
            from coi.queries.present.picture import write_case_picture  # pyvis: imported only when drawing

            counts = write_case_picture(
                engine, case, out_file, investigator, day, role, show_names=show_names, max_nodes=max_nodes
            )
        finally:
            engine.store.close()
    if json_:
        out.json({"case_id": case, "on": day.isoformat(), **counts})
        return
    verdict = f"verdict {counts['verdict']}" if counts["verdict"] else "no investigator given"
    if counts.get("allocatable") is False:
        verdict = f"NOT ALLOCATABLE (see the picture's header), {verdict}"
    dropped = f", {counts['dropped']} left out" if counts["dropped"] else ""
    out.print(str(out_file))
    out.print(
        f"case {case} on {day}: {verdict}; {counts['nodes']} nodes, {counts['edges']} links{dropped}; "
        f"{counts['bytes'] // 1024} KB, works offline"
    )
