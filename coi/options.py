"""Option types shared by every command (declared once, used with Annotated)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from coi.graph.model import OVERSIGHT_ROLES as ALLOCATABLE_ROLES  # the engine's, without importing it
from coi.visible import control_character

__all__ = [
    "ByOpt",
    "ConfirmDisqualifiedOpt",
    "JsonOpt",
    "Neo4jOpt",
    "OnOpt",
    "OverrideOpt",
    "PolicyOpt",
    "ReasonOpt",
    "RoleOpt",
    "ShowNamesOpt",
    "StoreOpt",
    "TrailOpt",
    "parse_day",
]


def parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        envvar="COI_STORE",
        readable=False,  # an unreadable store is the store's error (exit 5), or replaced by `coi load`
        help="Embedded store file (default: ~/.local/share/coi/store.sqlite).",
        show_default=False,
    ),
]
Neo4jOpt = Annotated[
    str | None,
    typer.Option(
        "--neo4j",
        help="Use Neo4j at this URI (bolt://, neo4j://, +s). Default: NEO4J_URI, unless --store/COI_STORE "
        "names a file. Credentials come from NEO4J_USERNAME / NEO4J_PASSWORD.",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout and nothing else.")]
OnOpt = Annotated[
    str | None, typer.Option("--on", help="Reference date YYYY-MM-DD (default: today).", show_default=False)
]
PolicyOpt = Annotated[
    Path | None,
    typer.Option(
        "--policy", help="Policy file (TOML or YAML): severities per case type, lookback.", show_default=False
    ),
]
ShowNamesOpt = Annotated[
    bool, typer.Option("--show-names", help="Show complainants' and civilians' names instead of pseudonyms.")
]
RoleOpt = Annotated[str, typer.Option("--role", help=f"Role being allocated: {', '.join(ALLOCATABLE_ROLES)}.")]


def _written(value: str | None) -> str | None:
    """Refuse a blank --by or --override (the trail needs a name and a reason), and one holding a
    control character or line break (it would steer a terminal or fake lines when shown)."""
    if value is not None and not value.strip():
        raise typer.BadParameter("must not be blank")
    if value is not None and (char := control_character(value)):
        raise typer.BadParameter(f"must be one line of plain text (it holds {char})")
    return value.strip() if value is not None else None


ByOpt = Annotated[
    str | None,
    typer.Option(
        "--by",
        callback=_written,
        help="Who is deciding, for the audit trail (default: the OS user).",
        show_default=False,
    ),
]
OverrideOpt = Annotated[
    str | None,
    typer.Option(
        "--override",
        callback=_written,
        help="The allocation goes ahead despite the verdict, for this written reason (recorded in the audit trail).",
        show_default=False,
    ),
]
ConfirmDisqualifiedOpt = Annotated[
    bool,
    typer.Option(
        "--confirm-disqualified",
        help="With --override: confirm that the allocation goes ahead although the verdict is DISQUALIFIED "
        "(a reg. 15(3) bar); recorded in the audit trail. Without it such an override is refused.",
    ),
]
ReasonOpt = Annotated[
    str | None,
    typer.Option(
        "--reason", callback=_written, help="Why the alerts are acknowledged (audit trail).", show_default=False
    ),
]
TrailOpt = Annotated[
    Path | None,
    typer.Option(
        "--trail", help="Audit trail file (default: $COI_TRAIL, else <store>.trail.jsonl).", show_default=False
    ),
]
