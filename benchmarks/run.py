"""Measure coi at force or national scale; print figures beside anchors from the same run.

    python -m benchmarks.run --scale force|national|dense [--store embedded|neo4j] [--workers N] [--json]

Data comes from the project's generator and is cached under benchmarks/.cache/. Every
figure that has an anchor is printed as a ratio to it (load vs pandas.read_csv of the same
files; embedded check vs Neo4j check when both run). ``machine_loop_ms``, a fixed pure-Python
loop timed first, anchors the host itself: divide a figure by it to compare two machines.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from coi.graph.store import GraphStore
from coi.loaders.load import load_folder
from coi.loaders.synthetic import SCALES, generate
from coi.queries.analyses.audit import audit
from coi.queries.analyses.candidates import candidates
from coi.queries.engine import Engine

CACHE = Path(__file__).parent / ".cache"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def machine_ms() -> float:
    """A fixed pure-Python loop, ms per million turns, printed beside the figures: the same code
    runs at quite different speeds on different hosts (and a shared host's speed moves from
    second to second, hence the best of many short runs), so figures compare through it."""

    def loop() -> int:
        total = 0
        for i in range(200_000):
            total += i % 7
        return total

    return min(timed(loop)[0] for _ in range(25)) * 5 * 1000


def dataset(scale: str, seed: int) -> tuple[Path, float]:
    """Generate (once) and return the folder; second value: generation seconds (0 if cached)."""
    folder = CACHE / f"{scale}-{seed}"
    if (folder / ".complete").exists():
        return folder, 0.0
    spec = SCALES[scale].__class__(**{**vars(SCALES[scale]), "seed": seed})
    seconds, _ = timed(lambda: generate(folder, spec))
    (folder / ".complete").write_text("ok")
    return folder, seconds


def read_csv_floor(folder: Path) -> tuple[float, int]:
    """The parsing floor: pandas.read_csv of every table, as text."""
    start, rows = time.perf_counter(), 0
    for path in folder.glob("*.csv"):
        if path.stem != "planted":
            rows += len(pd.read_csv(path, dtype=str, keep_default_na=False))
    return time.perf_counter() - start, rows


def open_store(kind: str, where: Path) -> GraphStore:
    if kind == "neo4j":
        from coi.graph.neo4j_store import Neo4jStore

        store = Neo4jStore.from_env()
        store.wipe()
        return store
    from coi.graph.sqlite_store import SqliteStore

    return SqliteStore(where / "bench.sqlite")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def check_latencies(store: GraphStore, samples: list, warm: Engine | None = None) -> list[float]:
    """Each check on a fresh Engine (cold cache) unless ``warm`` is given."""
    out = []
    for a in samples:
        engine = warm or Engine(store)
        seconds, _ = timed(lambda a=a, e=engine: e.check(a.case_id, a.person_id, a.start_date))
        out.append(seconds * 1000)
    return out


def cli_latency(store_path: Path, samples: list) -> list[float]:
    coi = Path(sys.executable).with_name("coi")
    out = []
    for a in samples:
        args = [str(coi), "check", "--case", a.case_id, "--investigator", a.person_id, "--on", a.start_date.isoformat()]
        seconds, _ = timed(
            lambda args=args: subprocess.run([*args, "--store", str(store_path), "--json"], capture_output=True)
        )
        out.append(seconds)
    return out


def run(scale: str, store_kind: str, seed: int, checks: int, workers: int = 1) -> dict[str, Any]:
    folder, gen_s = dataset(scale, seed)
    read_s, rows = read_csv_floor(folder)
    work = Path(tempfile.mkdtemp(prefix="coi-bench-"))
    store = open_store(store_kind, work)
    load_s, _ = timed(lambda: load_folder(folder, store))
    info = store.info()
    allocations = store.assignments_with_roles(["investigator"])
    rng = random.Random(seed)
    samples = rng.sample(allocations, min(checks, len(allocations)))
    latencies = check_latencies(store, samples)
    figures: dict[str, Any] = {
        "scale": scale,
        "store": store_kind,
        "machine_loop_ms": round(machine_ms(), 1),
        "officers": info.counts["officers"],
        "postings": info.counts["postings"],
        "cases": info.counts["cases"],
        "assignments": info.counts["assignments"],
        "rows": rows,
        "generate_s": round(gen_s, 1),
        "read_csv_s": round(read_s, 2),
        "load_s": round(load_s, 2),
        "load_rows_per_s": round(rows / load_s),
        "load_vs_read_csv": round(load_s / read_s, 1),
        "store_mb": round((work / "bench.sqlite").stat().st_size / 1e6, 1) if store_kind == "embedded" else None,
        "check_samples": len(samples),
        "check_p50_ms": round(statistics.median(latencies), 1),
        "check_p95_ms": round(percentile(latencies, 0.95), 1),
    }
    if store_kind == "embedded":
        cli = cli_latency(work / "bench.sqlite", samples[:10])
        figures["check_cli_p50_s"] = round(statistics.median(cli), 3)
    else:
        figures.update(_neo4j_anchors(store, folder, samples, figures, work))
    case = samples[0]
    force_root = _force_of(store, case.person_id, case.start_date)
    cand_s, ranked = timed(lambda: candidates(Engine(store), case.case_id, case.start_date, unit=force_root))
    figures["candidates_s"] = round(cand_s, 2)
    figures["candidates_ranked"] = len(ranked)
    if scale != "national" or os.environ.get("COI_BENCH_FULL_AUDIT") == "1":
        audit_s, report = timed(lambda: audit(Engine(store), workers=workers))
        figures["audit_workers"] = workers
        figures["audit_s"] = round(audit_s, 1)
        figures["audit_ms_per_allocation"] = round(1000 * audit_s / max(1, len(report.allocations)), 2)
        figures["audit_allocations"] = len(report.allocations)
        figures["audit_verdicts"] = report.totals()["verdicts"]
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    figures.update(_picture(store, case))
    store.close()
    return figures


def _neo4j_anchors(store: GraphStore, folder: Path, samples: list, figures: dict, work: Path) -> dict[str, Any]:
    """Neo4j figures beside their anchors: bare CREATE, minimal Cypher, the embedded store."""
    from coi.graph.sqlite_store import SqliteStore

    from benchmarks.neo4j_anchors import bare_create_rows_per_s, minimal_check_ms

    postings = pd.read_csv(folder / "postings.csv", dtype=str, keep_default_na=False).to_dict("records")
    bare = bare_create_rows_per_s(store, postings)  # type: ignore[arg-type]
    subjects: dict[str, list[str]] = {}
    for a in store.assignments_for_cases({s.case_id for s in samples}):
        if a.role == "subject":
            subjects.setdefault(a.case_id, []).append(a.person_id)
    minimal = minimal_check_ms(store, samples, subjects)  # type: ignore[arg-type]
    embedded = SqliteStore(work / "anchor.sqlite")
    load_folder(folder, embedded)
    embedded_p50 = statistics.median(check_latencies(embedded, samples))
    return {
        "bare_create_rows_per_s": round(bare),
        "load_vs_bare_create": round(figures["load_rows_per_s"] / bare, 2),
        "minimal_cypher_check_p50_ms": round(minimal, 1),
        "check_vs_minimal_cypher": round(figures["check_p50_ms"] / minimal, 1),
        "embedded_check_p50_ms": round(embedded_p50, 1),
        "neo4j_vs_embedded_check": round(figures["check_p50_ms"] / embedded_p50, 1),
    }


def _force_of(store: GraphStore, person: str, on) -> str | None:
    from coi.queries.reader import Reader

    reader = Reader(store)
    postings = [p for p in reader.postings([person])[person] if p.start_date <= on]
    return reader.root(postings[-1].unit_id) if postings else None


def _picture(store: GraphStore, case) -> dict[str, Any]:
    try:
        from coi.queries.present.picture import write_case_picture
    except ImportError:
        return {}
    path = Path(tempfile.mkdtemp()) / "case.html"
    seconds, counts = timed(
        lambda: write_case_picture(Engine(store), case.case_id, path, investigator=case.person_id, on=case.start_date)
    )
    return {
        "show_s": round(seconds, 2),
        "show_kb": round(path.stat().st_size / 1024),
        "show_nodes": (counts or {}).get("nodes"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="force")
    parser.add_argument("--store", choices=["embedded", "neo4j"], default="embedded")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1, help="processes for the audit")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    print_figures(run(args.scale, args.store, args.seed, args.checks, args.workers), args.json)


def print_figures(figures: dict[str, Any], as_json: bool) -> None:
    """One JSON object, or one aligned ``name  value`` line per figure."""
    if as_json:
        print(json.dumps(figures))
    else:
        width = max(map(len, figures))
        for key, value in figures.items():
            print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
