"""Helpers for the `coi load` trust tests: the CLI as a real process, as another user, on either store."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from coi.app import app

__all__ = [
    "EXAMPLE",
    "cli",
    "cli_store",
    "coi_process",
    "copy_example",
    "nobody",
    "run_unprivileged",
    "world_readable_dir",
]

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
NOBODY = 65534


def cli(*args: str | Path) -> Any:
    """``coi ARGS`` in this process (typer's runner): exit_code, stdout, stderr."""
    return CliRunner().invoke(app, [str(a) for a in args])


def coi_process(*args: str | Path, **popen: Any) -> subprocess.Popen:
    """``coi ARGS`` as its own process, output captured as text."""
    command = [sys.executable, "-m", "coi", *map(str, args)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def cli_store(kind: str, tmp_path: Path) -> list[str]:
    """CLI arguments naming an empty store: an embedded file, or the (wiped) Neo4j of NEO4J_URI."""
    if kind == "embedded":
        return ["--store", str(tmp_path / "store" / "store.sqlite")]
    if not os.environ.get("NEO4J_URI"):
        import pytest

        pytest.skip("NEO4J_URI is not set: the Neo4j half of the suite needs a real server")
    from coi.graph.neo4j_store import Neo4jStore

    wiping = Neo4jStore.from_env()
    wiping.wipe()
    wiping.close()
    return ["--neo4j", os.environ["NEO4J_URI"]]


def nobody() -> bool:
    """True when tests run as root, so unprivileged runs switch to the ``nobody`` user."""
    return os.geteuid() == 0


def run_unprivileged(fn: Callable[[], tuple[int, str, str]]) -> tuple[int, str, str]:
    """Run ``fn`` in a forked child that has no root powers (as root: setuid nobody).

    Everything it needs must already be imported (the child may not read this
    interpreter's files). Returns what ``fn`` returned: (exit code, stdout, stderr).
    """
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 0
        try:
            os.close(read)
            if nobody():
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            result = fn()
        except BaseException as exc:
            result, code = (99, "", f"child failed: {exc!r}"), 1
        with os.fdopen(write, "w") as handle:
            handle.write(json.dumps(result))
        os._exit(code)
    os.close(write)
    with os.fdopen(read) as handle:
        data = handle.read()
    os.waitpid(pid, 0)
    code, out, err = json.loads(data)
    return code, out, err


@contextmanager
def world_readable_dir() -> Iterator[Path]:
    """A scratch folder any user can enter (pytest's own are private to their owner)."""
    folder = Path(tempfile.mkdtemp(prefix="coi-load-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder)


def copy_example(target: Path) -> Path:
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("*.md"))
    return target
