"""The ``coi`` command: typer app with one module per command."""

from __future__ import annotations

from typing import Annotated

import typer

from coi import __version__, exitcodes
from coi.commands.audit import audit
from coi.commands.candidates import candidates
from coi.commands.check import check
from coi.commands.demo import demo
from coi.commands.load import load
from coi.commands.log import log_app
from coi.commands.path import path
from coi.commands.patterns import patterns
from coi.commands.recheck import recheck
from coi.commands.show import show
from coi.commands.validate import validate

app = typer.Typer(
    name="coi",
    help="Conflict-of-interest graph analyser: who may investigate whom.\n\n" + exitcodes.TABLE,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"coi {__version__}")
        raise typer.Exit(0)


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Conflict-of-interest graph analyser: who may investigate whom."""


app.command("load")(load)
app.command("validate")(validate)
app.command("check")(check)
app.command("candidates")(candidates)
app.command("audit")(audit)
app.command("demo")(demo)
app.add_typer(log_app, name="log")
app.command("patterns")(patterns)
app.command("path")(path)
app.command("recheck")(recheck)
app.command("show")(show)


def main() -> None:
    app()
