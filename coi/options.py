"""Option types shared by every command (declared once, used with Annotated)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["JsonOpt", "Neo4jOpt", "OnOpt", "PolicyOpt", "ShowNamesOpt", "StoreOpt", "parse_day"]


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
