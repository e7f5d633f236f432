"""Does a mapping slow a load? A generated force, loaded as it is and through a full mapping.

    nice python -m benchmarks.mapping [--scale force] [--repeat 3]

The same force is written twice: as the generator wrote it (loaded with no mapping, the
identity path) and as an export that needs a mapping for everything: every header
renamed, every enumeration written as a code (``CONSTABLE``) that a value map turns back,
and every id and reference column given through an id template (``X{}``). Prints the best
of ``--repeat`` load times for each, and their ratio (target: at most 1.5).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd
from coi.graph.model import TABLE_ORDER, TABLES
from coi.graph.sqlite_store import SqliteStore
from coi.loaders.load import LoadOptions, load_folder

from benchmarks.run import dataset


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mapped_copy(folder: Path, target: Path) -> Path:
    """Write the force as an export needing a mapping; return the mapping file."""
    target.mkdir()
    lines = []
    for name in TABLE_ORDER:
        path = folder / f"{name}.csv"
        if not path.exists():
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        table = TABLES[name]
        lines += [f"[[sources.{name}]]", f'file = "{name} export.csv"']
        columns = {c: f"{c.replace('_', ' ').title()} Col" for c in frame.columns}
        lines.append("columns = { " + ", ".join(f"{c} = {_toml(h)}" for c, h in columns.items()) + " }")
        ids = [f.name for f in table.fields if f.kind in ("id", "ref") and f.name in frame.columns]
        if ids:
            lines.append("ids = { " + ", ".join(f'{c} = "X{{}}"' for c in ids) + " }")
        for f in table.fields:
            if f.kind == "enum" and f.name in frame.columns:
                frame[f.name] = frame[f.name].str.upper()
                pairs = ", ".join(f"{_toml(v.upper())} = {_toml(v)}" for v in f.choices)
                lines.append(f"values.{f.name} = {{ {pairs} }}")
        frame.rename(columns=columns).to_csv(target / f"{name} export.csv", index=False)
        lines.append("")
    mapping = target.parent / "mapping.toml"
    mapping.write_text("\n".join(lines), encoding="utf-8")
    return mapping


def best_load(folder: Path, options: LoadOptions, work: Path, repeat: int) -> tuple[float, int]:
    best, rows = float("inf"), 0
    for i in range(repeat):
        store = SqliteStore(work / f"{folder.name}-{i}.sqlite")
        start = time.perf_counter()
        summary = load_folder(folder, store, options)
        best = min(best, time.perf_counter() - start)
        rows = summary.totals().added
    return best, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="force")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder, _ = dataset(args.scale, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        mapping = mapped_copy(folder, work / "mapped")
        identity, rows = best_load(folder, LoadOptions(), work, args.repeat)
        mapped, mapped_rows = best_load(work / "mapped", LoadOptions(mapping=mapping), work, args.repeat)
    assert rows == mapped_rows, (rows, mapped_rows)
    print(f"scale {args.scale}: {rows:,} rows, best of {args.repeat}")
    print(f"identity mapping:                    {identity:.2f} s")
    print(f"value maps + id templates + renames: {mapped:.2f} s")
    print(f"ratio: {mapped / identity:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
