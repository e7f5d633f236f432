"""``coi show``: write an interactive, offline HTML picture of a case's network."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from coi.commands.check import RoleOpt
from coi.options import Neo4jOpt, OnOpt, PolicyOpt, ShowNamesOpt, StoreOpt, parse_day
from coi.output import Output
from coi.stores import open_store
from queries.engine import ALLOCATABLE_ROLES, Engine
from queries.policy import load_policy

__all__ = ["show"]


def show(
    case: Annotated[str, typer.Option("--case", help="Case id.")],
    out_file: Annotated[Path, typer.Option("--out", help="HTML file to write (opens offline in any browser).")],
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
    ] = 400,  # queries.picture.MAX_NODES (not imported here: pyvis loads only when drawing)
    store: StoreOpt = None,
    neo4j: Neo4jOpt = None,
) -> None:
    """Draw the case, its parties, the person checked and every link behind the findings."""
    out = Output()
    if role not in ALLOCATABLE_ROLES:
        raise typer.BadParameter(f"must be one of {', '.join(ALLOCATABLE_ROLES)}", param_hint="--role")
    day = parse_day(on) or date.today()
    with out.guard():
        engine = Engine(open_store(store, neo4j), load_policy(policy))
        try:
            from queries.picture import write_case_picture  # pyvis: imported only when drawing

            counts = write_case_picture(
                engine, case, out_file, investigator, day, role, show_names=show_names, max_nodes=max_nodes
            )
        finally:
            engine.store.close()
    verdict = f"verdict {counts['verdict']}" if counts["verdict"] else "no investigator given"
    if counts.get("allocatable") is False:
        verdict = f"NOT ALLOCATABLE (see the picture's header), {verdict}"
    dropped = f", {counts['dropped']} left out" if counts["dropped"] else ""
    out.print(str(out_file))
    out.print(
        f"case {case} on {day}: {verdict}; {counts['nodes']} nodes, {counts['edges']} links{dropped}; "
        f"{counts['bytes'] // 1024} KB, works offline"
    )
