"""``coi candidates``: ranked people who could take a case, least conflicted first."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.text import Text

from coi import exitcodes
from coi.commands.check import RoleOpt
from coi.commands.log import ByOpt, CountingEngine, record_candidates
from coi.graph.model import RANKS
from coi.options import JsonOpt, Neo4jOpt, OnOpt, PolicyOpt, ShowNamesOpt, StoreOpt, parse_day
from coi.output import Output
from coi.queries.analyses.candidates import find_candidates
from coi.queries.policy import load_policy
from coi.render import candidates_table
from coi.stores import open_store

__all__ = ["candidates"]


def candidates(
    case: Annotated[str, typer.Option("--case", help="Case id.")],
    on: OnOpt = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="Only officers posted to this unit or one it contains.")
    ] = None,
    rank: Annotated[str | None, typer.Option("--rank", help="Only officers of this rank.")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="How many to list.")] = 10,
    role: RoleOpt = "investigator",
    policy: PolicyOpt = None,
    show_names: ShowNamesOpt = False,
    store: StoreOpt = None,
    neo4j: Neo4jOpt = None,
    json_: JsonOpt = False,
    by: ByOpt = None,
) -> None:
    """Rank serving officers for a case; disqualified officers are never proposed.

    Exit 4 for an unknown case or unit; exit 40 when the case itself cannot be allocated
    (closed before the day); otherwise 0, with the reason when no one is proposed.
    """
    out = Output(json_)
    if rank and rank not in RANKS:
        raise typer.BadParameter(f"must be one of {', '.join(RANKS)}", param_hint="--rank")
    day = parse_day(on) or date.today()
    with out.guard():
        engine = CountingEngine(open_store(store, neo4j), load_policy(policy))
        report = find_candidates(engine, case, day, role, unit, rank, top, show_names)
        inputs = {"case": case, "on": day, "role": role, "unit": unit, "rank": rank, "top": top}
        record_candidates(out, engine, report.ranked, where=store, by=by, inputs=inputs)
        engine.store.close()
    if json_:
        out.json(report.to_dict())
    else:
        for line in [*(f"note: {n}" for n in report.notes)]:
            out.print(Text(line, style="italic"))
        out.print(candidates_table(report) if report.ranked else Text(report.why_none()))
    if report.bars:
        raise typer.Exit(exitcodes.NOT_ALLOCATABLE)
