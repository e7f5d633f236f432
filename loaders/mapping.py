"""Column mappings: a small TOML or YAML file for exports that use other headers.

Example (TOML)::

    [files]
    officers = "staff_export.csv"      # which file holds a table

    [columns.officers]
    officer_id = "Warrant No"          # contract column = the export's header
    name = "Full Name"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from graph.model import TABLES
from loaders.problems import InputError, Problem

__all__ = ["ColumnMapping", "load_mapping"]


@dataclass(frozen=True)
class ColumnMapping:
    files: dict[str, str] = field(default_factory=dict)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)

    def renames(self, table: str) -> dict[str, str]:
        """Normalised export header -> contract column, for one table."""
        return {export.strip().lower(): contract for contract, export in self.columns.get(table, {}).items()}


def load_mapping(path: Path | None) -> ColumnMapping:
    """Read and check a mapping file; ``None`` means no mapping."""
    if path is None:
        return ColumnMapping()
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = yaml.safe_load(text) if path.suffix.lower() in (".yaml", ".yml") else tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError([Problem(name, f"cannot read mapping: {reason}")]) from exc
    if not isinstance(data, dict):
        raise InputError([Problem(name, "a mapping file holds [files] and [columns.TABLE] sections")])
    problems: list[Problem] = []
    files = data.get("files", {}) or {}
    columns = data.get("columns", {}) or {}
    for section in set(data) - {"files", "columns"}:
        problems.append(Problem(name, f"unknown section {section!r} (expected files, columns)"))
    for table, file_name in files.items():
        if table not in TABLES or not isinstance(file_name, str):
            problems.append(Problem(name, f"files: {table!r} is not a table name with a file name"))
    for table, cols in columns.items():
        if table not in TABLES or not isinstance(cols, dict):
            problems.append(Problem(name, f"columns: {table!r} is not a table name"))
            continue
        for contract, export in cols.items():
            if contract not in TABLES[table].columns or not isinstance(export, str):
                problems.append(Problem(name, f"columns.{table}: {contract!r} is not a column of {table}"))
    if problems:
        raise InputError(problems)
    return ColumnMapping(dict(files), {t: dict(c) for t, c in columns.items()})
