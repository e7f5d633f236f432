"""``coi load DIR``: validate a folder of tables and import it into the store."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from coi.commands.recheck import recheck_and_record, recheck_text
from coi.options import JsonOpt, Neo4jOpt, StoreOpt
from coi.output import Output
from coi.stores import open_store
from graph.store import LoadSummary

__all__ = ["load", "print_summary"]


def print_summary(out: Output, summary: LoadSummary, where: str, extra: dict | None = None) -> None:
    if out.json_mode:
        out.json(
            {
                "store": where,
                "data_version": summary.data_version,
                "rejected": summary.rejected,
                "tables": {name: vars(change) for name, change in summary.tables.items()},
                **(extra or {}),
            }
        )
        return
    t = summary.totals()
    out.print(
        f"Loaded into {where}: {t.added} added, {t.changed} changed, {t.unchanged} unchanged, "
        f"{t.removed} removed, {summary.rejected} rejected (data version {summary.data_version})."
    )


def load(
    folder: Annotated[Path, typer.Argument(help="Folder of tables (CSV, XLSX, Parquet) or one workbook.")],
    dayfirst: Annotated[bool, typer.Option("--dayfirst", help="Dates are DD/MM/YYYY.")] = False,
    mapping: Annotated[Path | None, typer.Option("--mapping", help="Column mapping file (TOML or YAML).")] = None,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Load the valid rows; needs --rejects.")] = False,
    rejects: Annotated[Path | None, typer.Option("--rejects", help="Where rejected rows and reasons go (CSV).")] = None,
    recheck: Annotated[
        bool, typer.Option("--recheck/--no-recheck", help="Re-check open cases' current allocations as of today.")
    ] = True,
    store: StoreOpt = None,
    neo4j: Neo4jOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Validate and import a force's tables; all-or-nothing unless --skip-invalid.

    Afterwards every open case's current allocations are re-checked as of today, and new or
    changed verdicts are reported like an alert (as `coi recheck` does).
    """
    from loaders.load import LoadOptions, load_folder  # pandas: imported only when loading

    out = Output(json_)
    with out.guard():
        target = open_store(store, neo4j)
        options = LoadOptions(dayfirst, mapping, skip_invalid, rejects)
        with out.progress() as bar:
            summary = load_folder(
                folder, target, options, lambda table, done, total: bar(f"writing {table}", done, total)
            )
        where = getattr(target, "path", None) or getattr(target, "uri", "neo4j")
        target.close()
        if rejects and skip_invalid:
            out.note(f"{summary.rejected} rejected row(s) written to {rejects}")
        report = recheck_and_record(out, store, neo4j, date.today())[0] if recheck else None
        print_summary(out, summary, str(where), {"recheck": report.to_dict()} if report else None)
        if report and not out.json_mode:
            for item in recheck_text(report):
                out.print(item)
