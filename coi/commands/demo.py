"""``coi demo [DIR]``: a synthetic force, loaded, checked and pictured, end to end."""

from __future__ import annotations

import csv
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from coi.commands.load import print_summary
from coi.graph.sqlite_store import SqliteStore
from coi.options import StoreOpt
from coi.output import Output
from coi.queries.analyses.audit import audit
from coi.queries.engine import Engine
from coi.render import check_text

__all__ = ["demo"]


def _planted(folder: Path) -> list[dict[str, str]]:
    with open(folder / "planted.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def demo(
    folder: Annotated[
        Path | None, typer.Argument(help="Where to write the demo force (default: a new temp folder).")
    ] = None,
    store: StoreOpt = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic force.")] = 7,
) -> None:
    """Generate a small synthetic force, load it, run checks and write a picture."""
    from coi.loaders.load import load_folder  # pandas: imported only by the commands that read tables
    from coi.loaders.synthetic import SCALES, generate

    out = Output()
    with out.guard():
        folder = folder or Path(tempfile.mkdtemp(prefix="coi-demo-"))
        data = folder / "force"
        counts = generate(data, SCALES["small"].__class__(**{**vars(SCALES["small"]), "seed": seed}))
        out.print(f"1. Generated a synthetic force in {data}: " + ", ".join(f"{n} {t}" for t, n in counts.items()))
        target = SqliteStore(store or folder / "store.sqlite")
        summary = load_folder(data, target)
        print_summary(out, summary, str(target.path))
        engine = Engine(target)
        report = audit(engine)
        planted = {(p["case_id"], p["investigator_id"]) for p in _planted(data)}
        conflicted = next((r for r in report.conflicted() if (r.case_id, r.investigator_id) in planted), None)
        conflicted = conflicted or next(iter(report.conflicted()), None)
        clears = [r for r in report.allocations if r.verdict == "clear"]
        clear = next((r for r in clears if not r.findings), clears[0] if clears else None)
        out.print("2. A conflicted allocation from the force's history (planted by the generator):")
        out.print(check_text(conflicted) if conflicted else "   (none found)")
        out.print("3. A clear allocation:")
        out.print(check_text(clear, evidence=False) if clear else "   (none found)")
        totals = report.totals()["verdicts"]
        out.print(
            f"4. Audit of all {len(report.allocations)} allocations: "
            + ", ".join(f"{v} {n}" for v, n in totals.items())
        )
        if conflicted:
            _picture(out, engine, conflicted.case_id, conflicted.investigator_id, conflicted.on, folder)
        out.print(
            f"Try: coi check --store {target.path} --case {conflicted.case_id if conflicted else 'CASE'} "
            f"--investigator {conflicted.investigator_id if conflicted else 'PERSON'} --on {conflicted.on if conflicted else date.today()}"
        )
        target.close()


def _picture(out: Output, engine: Engine, case_id: str, person: str, on: date, folder: Path) -> None:
    try:
        from coi.queries.present.picture import write_case_picture
    except ImportError:
        return
    path = folder / f"case-{case_id}-{person}.html"
    write_case_picture(engine, case_id, path, investigator=person, on=on)
    out.print(
        f"5. Wrote an interactive picture of case {case_id} with {person}: {path} (open it in a browser; works offline)"
    )
