"""The command line: ``python -m coi.loaders.synthetic OUT_DIR --scale force --seed 1``."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from .spec import SCALES
from .writer import generate

DESCRIPTION = "Deterministic synthetic police forces in the data-contract CSV format."


def main(argv: list[str] | None = None) -> None:
    """``python -m coi.loaders.synthetic OUT_DIR --scale force --seed 1``"""
    ap = argparse.ArgumentParser(prog="python -m coi.loaders.synthetic", description=DESCRIPTION)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--scale", choices=sorted(SCALES), default="small")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--officers", type=int, help="override officers per force")
    ap.add_argument("--forces", type=int, help="override number of forces")
    ap.add_argument("--conflict-share", type=float, help="override share of planted conflicts")
    args = ap.parse_args(argv)
    spec = replace(SCALES[args.scale], seed=args.seed)
    for name in ("officers", "forces", "conflict_share"):
        if getattr(args, name) is not None:
            spec = replace(spec, **{name: getattr(args, name)})
    for table, n in generate(args.out_dir, spec).items():
        print(f"{table}\t{n}")
