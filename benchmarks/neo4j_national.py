"""Load the national data set into Neo4j and measure it; then checks and an audit window on it.

    NEO4J_URI=bolt://localhost:7687 NEO4J_PASSWORD=... python -m benchmarks.neo4j_national \\
        [--server-pid PID] [--data-dir DIR] [--since 2025-12-01 --until 2025-12-31] [--workers 2]

Figures: load time and rows/s beside a bare ``UNWIND ... CREATE`` of the first postings on
the same server (the floor), the client's peak RSS, the server's peak RSS (``VmHWM`` of
``--server-pid``, when given) and store size (``--data-dir``, the server's data folder, when
given), check p50/p95 (fresh engine per check, allocations of the audit window), and the audit
of that window. The database is wiped first: use a server that holds nothing else.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import time
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from coi.graph.neo4j_store import Neo4jStore
from coi.loaders.load import load_folder
from coi.queries.analyses.audit import audit
from coi.queries.engine import Engine

from benchmarks.neo4j_anchors import bare_create_rows_per_s
from benchmarks.run import check_latencies, dataset, percentile, read_csv_floor

ANCHOR_ROWS = 300_000  # postings through the bare CREATE: enough for a steady rate


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    except OSError:
        return None
    return None


def folder_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    folder, _ = dataset("national", args.seed)
    read_s, rows = read_csv_floor(folder)
    store = Neo4jStore.from_env()
    store.wipe()
    start = time.perf_counter()
    load_folder(folder, store)
    load_s = time.perf_counter() - start
    figures: dict[str, Any] = {
        "rows": rows,
        "read_csv_s": round(read_s, 1),
        "load_s": round(load_s, 1),
        "load_rows_per_s": round(rows / load_s),
        "client_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    if args.server_pid:
        figures["server_peak_rss_mb"] = peak_rss_mb(args.server_pid)
    if args.data_dir:
        figures["store_mb"] = folder_mb(Path(args.data_dir))
    since, until = date.fromisoformat(args.since), date.fromisoformat(args.until)
    window = store.assignments_with_roles(["investigator"], since, until)
    samples = random.Random(args.seed).sample(window, min(args.checks, len(window)))
    latencies = check_latencies(store, samples)
    figures |= {
        "check_samples": len(samples),
        "check_p50_ms": round(statistics.median(latencies), 1),
        "check_p95_ms": round(percentile(latencies, 0.95), 1),
    }
    start = time.perf_counter()
    with audit(Engine(store), since, until, workers=args.workers) as report:
        audit_s = time.perf_counter() - start
        figures |= {
            "audit_window": f"{since}..{until}",
            "audit_workers": args.workers,
            "audit_allocations": len(report.allocations),
            "audit_s": round(audit_s, 1),
            "audit_ms_per_allocation": round(1000 * audit_s / max(1, len(report.allocations)), 2),
            "audit_verdicts": report.totals()["verdicts"],
        }
    postings = pd.read_csv(folder / "postings.csv", dtype=str, keep_default_na=False, nrows=ANCHOR_ROWS)
    bare = bare_create_rows_per_s(store, postings.to_dict("records"))  # type: ignore[arg-type]
    figures["bare_create_rows_per_s"] = round(bare)
    figures["load_vs_bare_create"] = round(figures["load_rows_per_s"] / bare, 2)
    store.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--checks", type=int, default=50)
    parser.add_argument("--since", default="2025-12-01")
    parser.add_argument("--until", default="2025-12-31")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server-pid", type=int, help="the Neo4j server's process id, for its peak RSS")
    parser.add_argument("--data-dir", help="the server's data folder, for the store size")
    print(json.dumps(measure(parser.parse_args()), indent=2))


if __name__ == "__main__":
    main()
