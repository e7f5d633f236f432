"""``coi load DIR``: validate a folder of tables and import it into the store.

Everything that can refuse the load runs before the store's swap (exit 3, nothing
written). What runs after it (the re-check of open cases, its state file) can no longer
undo the load: if it fails, the load is reported as done and the failure after it with
exit 7 (LOAD_INCOMPLETE), never as a failed load.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from coi import exitcodes
from coi.commands.recheck import recheck_and_record, recheck_text
from coi.graph.store import LoadSummary
from coi.load_report import print_summary, refuse, show_lines, write_problems
from coi.options import JsonOpt, Neo4jOpt, StoreOpt
from coi.output import Output
from coi.stores import open_store

__all__ = ["load", "print_summary"]

MaxErrorsOpt = Annotated[
    int,
    typer.Option("--max-errors", min=0, help="Problems (and warnings) listed on stderr; 0 = all. --json lists all."),
]


def _step(name: str, run) -> tuple[Any, str]:
    """Run one step after the commit: (its result, "" or why it failed)."""
    try:
        return run(), ""
    except typer.Exit:  # already explained on stderr
        return None, f"{name} failed (see the error above)"
    except KeyboardInterrupt:
        return None, f"{name} was interrupted"
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return None, f"{name} failed: {first}"


def _after_commit(out: Output, summary: LoadSummary, where: str, steps: dict) -> None:
    """The steps after a committed load; a failure is exit 7, with the load reported as done."""
    problems_file, recheck, store, neo4j = steps["problems"], steps["recheck"], steps["store"], steps["neo4j"]
    _, failure = _step("writing the problems file", lambda: write_problems(problems_file, [], summary.warnings))
    report = None
    if recheck and not failure:
        found, failure = _step(
            "the re-check after the load", lambda: recheck_and_record(out, store, neo4j, date.today())
        )
        report = found[0] if found else None
    extra: dict[str, Any] = {"recheck": report.to_dict() if report else None} if recheck else {}
    if failure:
        extra["after_load_error"] = failure
    if out.json_mode:
        print_summary(out, summary, where, extra)
    elif report:
        for item in recheck_text(report, tty=out.console.is_terminal):
            out.print(item)
    if report and report.open_alerts:
        out.note(
            f"{len(report.open_alerts)} alert(s) are open: `coi recheck` lists them and exits 9 until they are acknowledged"
        )
    if failure:
        out.note(
            f"error: the load itself succeeded (data version {summary.data_version} is in {where}), but {failure}; "
            "run `coi recheck` once the cause is fixed"
        )
        raise typer.Exit(exitcodes.LOAD_INCOMPLETE)


def _announce(out: Output, summary: LoadSummary, where: str, limit: int, rejects: Path | None) -> None:
    """What people should know about a committed load, before its summary line."""
    show_lines(out, "warning", summary.warnings, limit)
    if summary.previous_unreadable:
        out.note(
            f"warning: could not compare with the store this load replaced ({summary.previous_unreadable}); "
            "it was replaced, and every row counts as added"
        )
    if summary.postings_ended_on_left_on:
        out.note(
            f"{summary.postings_ended_on_left_on} ongoing posting(s) of officers who have left end on their left_on date"
        )
    if rejects:
        out.note(f"{summary.rejected} rejected row(s) written to {rejects}")
    if not out.json_mode:
        print_summary(out, summary, where)


def load(
    folder: Annotated[Path, typer.Argument(help="Folder of tables (CSV, XLSX, Parquet) or one workbook.")],
    dayfirst: Annotated[bool, typer.Option("--dayfirst", help="Dates are DD/MM/YYYY.")] = False,
    mapping: Annotated[Path | None, typer.Option("--mapping", help="Column mapping file (TOML or YAML).")] = None,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Load the valid rows; needs --rejects.")] = False,
    rejects: Annotated[Path | None, typer.Option("--rejects", help="Where rejected rows and reasons go (CSV).")] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore", help="A file (or BOOK.xlsx[sheet]) that looks like a table but is not one; repeatable."
        ),
    ] = None,
    allow_empty: Annotated[
        list[str] | None,
        typer.Option("--allow-empty", help="A table the store has that this export may empty; repeatable."),
    ] = None,
    max_errors: MaxErrorsOpt = 50,
    problems: Annotated[
        Path | None, typer.Option("--problems", help="Write every problem and warning to this CSV file.")
    ] = None,
    recheck: Annotated[
        bool, typer.Option("--recheck/--no-recheck", help="Re-check open cases' current allocations as of today.")
    ] = True,
    store: StoreOpt = None,
    neo4j: Neo4jOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Validate and import a force's tables; all-or-nothing unless --skip-invalid.

    Afterwards every open case's current allocations are re-checked as of today, raising and
    updating alerts as `coi recheck` does (the same state). A committed load exits 0 even when
    alerts are open (they stay open; `coi recheck` exits 9 while any is).
    """
    from coi.loaders.load import LoadOptions, load_folder, rejects_path_problem  # pandas: only when loading
    from coi.loaders.problems import InputError

    out = Output(json_)
    with out.guard():
        target = open_store(store, neo4j)
        store_file = getattr(target, "path", None)
        for option, path in (("--rejects", rejects), ("--problems", problems)):
            reason = path is not None and rejects_path_problem(path, store_file)
            if reason:
                out.fail(exitcodes.USAGE, f"{option} {path}: {reason}")
        if hasattr(target, "notify"):
            target.notify = out.note
        options = LoadOptions(
            dayfirst, mapping, skip_invalid, rejects, frozenset(ignore or ()), frozenset(allow_empty or ())
        )
        try:
            with out.progress() as bar:
                summary = load_folder(
                    folder, target, options, lambda table, done, total: bar(f"writing {table}", done, total)
                )
        except InputError as exc:
            refuse(out, exc.problems, exc.warnings, max_errors, problems)
        where = str(store_file or getattr(target, "uri", "neo4j"))
        target.close()
        _announce(out, summary, where, max_errors, rejects if skip_invalid else None)
        _after_commit(out, summary, where, {"problems": problems, "recheck": recheck, "store": store, "neo4j": neo4j})
