"""``coi candidates``: ranked people who could take a case, least conflicted first."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from coi.commands.check import RoleOpt
from coi.commands.log import ByOpt, CountingEngine, record_candidates
from coi.options import JsonOpt, Neo4jOpt, OnOpt, PolicyOpt, ShowNamesOpt, StoreOpt, parse_day
from coi.output import Output
from coi.render import candidates_table
from coi.stores import open_store
from graph.model import RANKS
from queries.candidates import candidates as rank_candidates
from queries.policy import load_policy

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
    """Rank serving officers for a case; disqualified officers are never proposed."""
    out = Output(json_)
    if rank and rank not in RANKS:
        raise typer.BadParameter(f"must be one of {', '.join(RANKS)}", param_hint="--rank")
    day = parse_day(on) or date.today()
    with out.guard():
        engine = CountingEngine(open_store(store, neo4j), load_policy(policy))
        ranked = rank_candidates(engine, case, day, role, unit, rank, top, show_names)
        inputs = {"case": case, "on": day, "role": role, "unit": unit, "rank": rank, "top": top}
        record_candidates(out, engine, ranked, where=store, by=by, inputs=inputs)
        engine.store.close()
    if json_:
        out.json(
            {
                "case_id": case,
                "on": day.isoformat(),
                "role": role,
                "candidates": [
                    {
                        "person_id": r.investigator_id,
                        "verdict": r.verdict,
                        "findings": [f.to_dict() for f in r.findings],
                    }
                    for r in ranked
                ],
            }
        )
    else:
        out.print(candidates_table(ranked) if ranked else "No candidate: every officer in the pool is disqualified.")
