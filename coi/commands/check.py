"""``coi check``: may this person take this role on this case?"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from coi import exitcodes
from coi.commands.log import ByOpt, OverrideOpt, record_check
from coi.options import JsonOpt, Neo4jOpt, OnOpt, PolicyOpt, ShowNamesOpt, StoreOpt, parse_day
from coi.output import Output
from coi.render import check_text
from coi.stores import open_store
from queries.engine import ALLOCATABLE_ROLES, Engine
from queries.policy import load_policy

__all__ = ["RoleOpt", "check"]

RoleOpt = Annotated[str, typer.Option("--role", help=f"Role being allocated: {', '.join(ALLOCATABLE_ROLES)}.")]


def check(
    case: Annotated[str, typer.Option("--case", help="Case id.")],
    investigator: Annotated[str, typer.Option("--investigator", help="Person id of the proposed investigator.")],
    role: RoleOpt = "investigator",
    on: OnOpt = None,
    policy: PolicyOpt = None,
    show_names: ShowNamesOpt = False,
    store: StoreOpt = None,
    neo4j: Neo4jOpt = None,
    json_: JsonOpt = False,
    by: ByOpt = None,
    override: OverrideOpt = None,
) -> None:
    """Check one allocation against every conflict rule; the exit code is the verdict."""
    out = Output(json_)
    if role not in ALLOCATABLE_ROLES:
        raise typer.BadParameter(f"must be one of {', '.join(ALLOCATABLE_ROLES)}", param_hint="--role")
    day = parse_day(on) or date.today()
    with out.guard():
        engine = Engine(open_store(store, neo4j), load_policy(policy))
        result = engine.check(case, investigator, day, role, show_names)
        record_check(out, engine.store, result, where=store, by=by, override=override)
        engine.store.close()
    if json_:
        out.json(result.to_dict())
    else:
        out.print(check_text(result))
    raise typer.Exit(exitcodes.BY_VERDICT[result.verdict])
