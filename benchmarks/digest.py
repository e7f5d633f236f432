"""Fingerprints of the tool's answers, for refactors that must not change behaviour.

    python -m benchmarks.digest [--scales example,small,force] [--out FILE]

Loads the example force and generated benchmark forces into fresh embedded stores and
prints a SHA-256 of each answer (audit JSON, audit CSV, a sample of checks in JSON and as
text, candidates, patterns, paths). Run it before and after a change: every line must
match. The forces are cached like ``benchmarks.run``'s.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.run import dataset

EXAMPLE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "example"


def coi(*args: str | Path, env: dict[str, str]) -> bytes:
    """``coi ARGS`` as a process: its stdout (exit codes are part of the answer, so kept too)."""
    done = subprocess.run([sys.executable, "-m", "coi", *map(str, args)], capture_output=True, env=env, check=False)
    return done.stdout + f"\nexit {done.returncode}\n".encode()


def sample(store: Path, env: dict[str, str]) -> list[tuple[str, str, str]]:
    """(case, person, day) of the first 25 investigator allocations the audit lists."""
    doc = json.loads(coi("audit", "--json", "--store", store, env=env).rsplit(b"\nexit", 1)[0])
    return [(a["case_id"], a["investigator_id"], a["on"]) for a in doc["allocations"][:25]]


def digests(force: Path, work: Path) -> dict[str, str]:
    store = work / "store.sqlite"
    env = {**os.environ, "COI_TRAIL": str(work / "trail.jsonl"), "COLUMNS": "200", "NO_COLOR": "1"}
    out: dict[str, bytes] = {"load": coi("load", force, "--store", store, "--json", env=env)}
    out["audit --json"] = coi("audit", "--json", "--store", store, env=env)
    csv = work / "audit.csv"
    coi("audit", "--csv", csv, "--store", store, env=env)
    out["audit --csv"] = csv.read_bytes()
    out["audit"] = coi("audit", "--store", store, env=env)
    picks = sample(store, env)
    for fmt in ((), ("--json",)):
        out[f"check x{len(picks)} {' '.join(fmt)}"] = b"".join(
            coi("check", "--case", c, "--investigator", p, "--on", d, *fmt, "--store", store, env=env)
            for c, p, d in picks
        )
    cases = sorted({c for c, _, _ in picks})[:5]
    out["candidates --json"] = b"".join(
        coi("candidates", "--case", c, "--json", "--top", "10", "--store", store, env=env) for c in cases
    )
    out["patterns --json"] = coi("patterns", "--json", "--store", store, env=env)
    out["path --json"] = b"".join(
        coi("path", p, q, "--json", "--store", store, env=env) for (_, p, _), (_, q, _) in itertools.pairwise(picks)
    )
    return {label: hashlib.sha256(_stable(data, work)).hexdigest()[:16] for label, data in out.items()}


def _stable(data: bytes, work: Path) -> bytes:
    """The answer without what changes from run to run but is not behaviour: the temporary
    folder's name (the store's path) and clock times (when an alert was raised)."""
    data = data.replace(str(work).encode(), b"<work>")
    return re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[^\"]*", b"<time>", data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="example,small,force")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    lines = []
    for scale in args.scales.split(","):
        force = EXAMPLE if scale == "example" else dataset(scale, 1)[0]
        with tempfile.TemporaryDirectory() as tmp:
            for label, digest in digests(force, Path(tmp)).items():
                lines.append(f"{scale:8} {label:28} {digest}")
                print(lines[-1], flush=True)
    if args.out:
        args.out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
