"""``coi validate DIR``: everything ``coi load`` checks, nothing written.

Every problem (no cap), grouped by file and kind with counts and the first rows of each;
the data-quality warnings; and, when a store exists, what a load would add, change and
remove. Exit 3 when there are problems, 0 otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from coi import exitcodes
from coi.graph.sqlite_store import default_store_path
from coi.graph.store import StoreError
from coi.load_report import write_problems
from coi.options import JsonOpt, Neo4jOpt, StoreOpt
from coi.output import Output
from coi.stores import neo4j_uri, open_store
from coi.validate_report import Group, group

__all__ = ["validate"]


def _changes(dataset, store: Path | None, neo4j: str | None) -> tuple[dict[str, Any] | None, str, str]:
    """(per-table changes or None, where the store is, why there is no comparison)."""
    from coi.loaders.compare import compare

    uri = neo4j_uri(store, neo4j)
    where = uri or str(store or default_store_path())
    if not uri and not Path(where).exists():
        return None, where, "no store yet: a load would add every row"
    try:
        target = open_store(store, neo4j)
        try:
            changes = compare(dataset, target)
        finally:
            target.close()
    except (StoreError, OSError) as exc:
        return None, where, f"could not compare with the store: {str(exc).splitlines()[0]}"
    return {name: vars(change) for name, change in changes.items()}, where, ""


def _show(out: Output, groups: list[Group], shown: int) -> None:
    """Per file, per kind: the count, then the first ``shown`` items (0 = all), on stderr."""
    files: dict[str, list[Group]] = {}
    for g in groups:
        files.setdefault(g.file, []).append(g)
    for file, in_file in files.items():
        total = sum(len(g.items) for g in in_file)
        noun = "problem(s)" if in_file[0].severity == "error" else "warning(s)"
        out.note(f"{file}: {total} {noun}")
        for g in in_file:
            column = f" [{g.column}]" if g.column else ""
            out.note(f"  {len(g.items)} x {g.kind}{column}")
            items = g.items if shown == 0 else g.items[:shown]
            for item in items:
                out.note(f"    {g.severity}: {item}")
            if len(g.items) > len(items):
                out.note(f"    ... and {len(g.items) - len(items)} more (--show 0, --json or --problems FILE: all)")


def _print_changes(out: Output, changes: dict[str, Any] | None, where: str, note: str) -> None:
    if changes is None:
        out.print(f"Against {where}: {note}.")
        return
    out.print(f"A load into {where} would change:")
    for name, c in changes.items():
        out.print(
            f"  {name}: {c['added']} added, {c['changed']} changed, {c['unchanged']} unchanged, {c['removed']} removed"
        )


def validate(
    folder: Annotated[Path, typer.Argument(help="Folder of tables (CSV, XLSX, Parquet) or one workbook.")],
    mapping: Annotated[Path | None, typer.Option("--mapping", help="Mapping file (TOML or YAML).")] = None,
    dayfirst: Annotated[bool, typer.Option("--dayfirst", help="Dates are DD/MM/YYYY.")] = False,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", help="A file (or BOOK.xlsx[sheet]) that looks like a table but is not one."),
    ] = None,
    show: Annotated[int, typer.Option("--show", min=0, help="Rows shown per kind of problem; 0 = all.")] = 5,
    problems: Annotated[
        Path | None, typer.Option("--problems", help="Write every problem and warning to this CSV file.")
    ] = None,
    store: StoreOpt = None,
    neo4j: Neo4jOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Check an export as `coi load` would, write nothing; exit 3 when a load would be refused."""
    from coi.loaders.load import LoadOptions, check_folder, rejects_path_problem
    from coi.loaders.problems import InputError

    out = Output(json_)
    with out.guard():
        reason = problems is not None and rejects_path_problem(problems)
        if reason:
            out.fail(exitcodes.USAGE, f"--problems {problems}: {reason}")
        dataset, rows = None, {}
        try:
            result = check_folder(folder, LoadOptions(dayfirst, mapping, ignore=frozenset(ignore or ())))
            found, warnings = result.problems, result.warnings
            if not found:
                dataset = result.dataset
                rows = {name: len(table) for name, table in dataset.tables.items()}
        except InputError as exc:
            found, warnings = exc.problems, exc.warnings
        write_problems(problems, found, warnings)
        groups = group("error", found) + group("warning", warnings)
        changes, where, note = (None, "", "not compared: the export has problems")
        if dataset is not None:
            changes, where, note = _changes(dataset, store, neo4j)
        if out.json_mode:
            out.json(
                {
                    "valid": not found,
                    "problem_count": len(found),
                    "warning_count": len(warnings),
                    "groups": [g.to_dict(show) for g in groups],
                    "problems": [p.to_dict() for p in found],
                    "warnings": [w.to_dict() for w in warnings],
                    "tables": rows,
                    "store": where or None,
                    "changes": changes,
                    "changes_note": note or None,
                }
            )
        else:
            _show(out, groups, show)
            if dataset is not None:
                _print_changes(out, changes, where, note)
        if found:
            out.note(f"error: {len(found)} problem(s) found; a load would be refused (nothing was written)")
            raise typer.Exit(exitcodes.BAD_DATA)
        out.note(f"valid: {sum(rows.values())} row(s) would load, {len(warnings)} warning(s)")
