"""Project rules CI enforces: lint and format clean, and imports flow one way.

The CLI (coi) uses queries and loaders, which use graph; graph imports none of them;
queries and loaders do not import each other's callers. Inside queries: the check (its
top-level modules) and the rule families know nothing of the bulk analyses, the Cypher
library or presentation; analyses know nothing of presentation; rules never reach back to
the engine that runs them.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "graph": {"queries", "loaders", "coi"},
    "queries": {"loaders", "coi"},
    "loaders": {"queries", "coi"},
}


#: (files, module prefixes they must not import)
ROOMS = {
    "queries/*.py": ("coi.queries.analyses", "coi.queries.present", "coi.queries.cypher"),
    "queries/rules/*.py": ("coi.queries.engine", "coi.queries.analyses", "coi.queries.present", "coi.queries.cypher"),
    "queries/analyses/*.py": ("coi.queries.present",),
    "queries/cypher/*.py": ("coi.queries.analyses", "coi.queries.present", "coi.queries.rules"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def imported_packages(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_flow_one_way(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
        if imported_packages(path) & FORBIDDEN[package]
    }
    assert offenders == {}


@pytest.mark.parametrize("room", sorted(ROOMS))
def test_rooms_inside_queries_import_one_way(room: str) -> None:
    forbidden = ROOMS[room]
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.startswith(forbidden))
        for path in ROOT.glob(room)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def _ruff() -> list[str]:
    if shutil.which("ruff", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("ruff is not installed in this environment (pip install -e '.[test]')")
    return [sys.executable, "-m", "ruff"]


def test_ruff_check_is_clean() -> None:
    result = subprocess.run([*_ruff(), "check", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_ruff_format_is_clean() -> None:
    result = subprocess.run([*_ruff(), "format", "--check", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
