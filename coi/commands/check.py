"""``coi check``: may this person take this role on this case?"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from coi import exitcodes
from coi.commands.log import ByOpt, ConfirmDisqualifiedOpt, OverrideOpt, record_check
from coi.options import JsonOpt, Neo4jOpt, OnOpt, PolicyOpt, ShowNamesOpt, StoreOpt, parse_day
from coi.output import Output
from coi.queries.engine import ALLOCATABLE_ROLES, Engine
from coi.queries.policy import load_policy
from coi.render import check_text
from coi.stores import open_store

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
    confirm_disqualified: ConfirmDisqualifiedOpt = False,
) -> None:
    """Check one allocation against every conflict rule; the exit code is the verdict.

    When the allocation is not possible at all (not an officer, not serving on the day, case
    closed) the reasons lead the output and the exit code is 40 whatever the verdict.
    """
    out = Output(json_)
    if role not in ALLOCATABLE_ROLES:
        raise typer.BadParameter(f"must be one of {', '.join(ALLOCATABLE_ROLES)}", param_hint="--role")
    if confirm_disqualified and override is None:
        raise typer.BadParameter("only goes with --override REASON", param_hint="--confirm-disqualified")
    day = parse_day(on) or date.today()
    with out.guard():
        engine = Engine(open_store(store, neo4j), load_policy(policy))
        result = engine.check(case, investigator, day, role, show_names)
        decision, refused = record_check(
            out, engine.store, result, where=store, by=by, override=override, confirm_disqualified=confirm_disqualified
        )
        engine.store.close()
    if json_:
        out.json({**result.to_dict(), "data_version": decision["data_version"], "decision": decision})
    else:
        out.print(check_text(result))
    if refused:
        out.fail(*refused)
    raise typer.Exit(exitcodes.of_check(result.verdict, result.allocatable))
