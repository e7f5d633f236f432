"""Measure the re-check of current allocations beside the audit of the same store.

    python -m benchmarks.recheck [--officers 4000] [--cases-per-officer 4] [--store embedded|neo4j] [--json]

The data is the generator's, a force of ``--officers`` with ``--cases-per-officer`` cases
over its 25 years (2.6 gives about 450 allocations current on its last day, as many as the
held-out force had), cached under ``benchmarks/.cache/``. The re-check runs twice on
fresh engines: first with no state (every not-clear allocation raises an alert), then with
the state the first run recorded (no change, the nightly case). Its anchor is the audit of
the investigator allocations of the last two years on the same store: the same rule engine with its bulk reads.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from coi.loaders.load import load_folder
from coi.loaders.synthetic import ForceSpec, generate
from coi.queries.analyses.audit import audit
from coi.queries.analyses.recheck import current_allocations, recheck
from coi.queries.engine import Engine

from benchmarks.run import CACHE, open_store, print_figures, timed


def dataset(spec: ForceSpec) -> Path:
    """Generate (once) a force of ``spec`` and return its folder."""
    folder = CACHE / f"recheck-{spec.officers}-{spec.cases_per_officer:g}-{spec.seed}"
    if not (folder / ".complete").exists():
        generate(folder, spec)
        (folder / ".complete").write_text("ok")
    return folder


def run(spec: ForceSpec, store_kind: str, on: date | None) -> dict[str, Any]:
    folder = dataset(spec)
    work = Path(tempfile.mkdtemp(prefix="coi-bench-"))
    store = open_store(store_kind, work)
    load_folder(folder, store)
    day = on or spec.end
    current = current_allocations(Engine(store), day)
    first_s, report = timed(lambda: recheck(Engine(store), day))
    state = report.state()
    again_s, _ = timed(lambda: recheck(Engine(store), day, state))
    since = date(day.year - 2, day.month, 1)
    audit_s, audited = timed(lambda: audit(Engine(store), since=since))
    verdicts: dict[str, int] = {}
    for item in report.items:
        verdicts[item.now.verdict] = verdicts.get(item.now.verdict, 0) + 1
    store.close()
    return {
        "officers": spec.officers,
        "cases_per_officer": spec.cases_per_officer,
        "store": store_kind,
        "on": day.isoformat(),
        "current_allocations": len(current),
        "verdicts_now": verdicts,
        "recheck_first_s": round(first_s, 2),
        "recheck_again_s": round(again_s, 2),
        "recheck_ms_per_allocation": round(1000 * first_s / max(1, len(current)), 1),
        "audit_since": since.isoformat(),
        "audit_s": round(audit_s, 2),
        "audit_allocations": len(audited.allocations),
        "audit_ms_per_allocation": round(1000 * audit_s / max(1, len(audited.allocations)), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=4000)
    parser.add_argument("--cases-per-officer", type=float, default=2.6)
    parser.add_argument("--store", choices=["embedded", "neo4j"], default="embedded")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--on", type=date.fromisoformat, default=None, help="default: the data's last day")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    spec = ForceSpec(officers=args.officers, cases_per_officer=args.cases_per_officer, seed=args.seed)
    print_figures(run(spec, args.store, args.on), args.json)


if __name__ == "__main__":
    main()
