"""The files a command is asked to write, checked before it starts (one rule for all).

None may be the store, its trail or a file coi keeps beside the store; none may be a
directory, ``''`` or in a folder that does not exist; no two options may name one file. A
refusal is a usage error (exit 2) naming the option, before anything is read or written; a
folder the OS will not let coi write in (read-only, no permission) is exit 8.
"""

from __future__ import annotations

from pathlib import Path

from coi import exitcodes
from coi.graph import trail
from coi.graph.files import output_problem
from coi.graph.sqlite_store import default_store_path
from coi.output import Output

__all__ = ["check_outputs", "protected_files"]


def protected_files(store: Path | None) -> list[Path]:
    """The files an output must never replace: the embedded store (also when Neo4j is used: the
    default file may hold a force) and the audit trail."""
    return [store or default_store_path(), trail.trail_path(store)]


def check_outputs(out: Output, store: Path | None, /, **outputs: Path | None) -> None:
    """Refuse (exit 2) the first bad output of ``outputs`` (option name -> path; None: not asked)."""
    protected = protected_files(store)
    seen: dict[Path, str] = {}
    for name, path in outputs.items():
        if path is None:
            continue
        option = "--" + name.rstrip("_").replace("_", "-")
        try:
            reason = output_problem(path, protected)
        except OSError as exc:  # read-only, no permission: the OS says no (exit 8, not a usage error)
            out.fail(exitcodes.OS_ERROR, f"{option} {path}: cannot write there: {exc.strerror or exc}")
        if reason:
            out.fail(exitcodes.USAGE, f"{option} {path}: {reason}")
        key = path.resolve()
        if key in seen:
            out.fail(exitcodes.USAGE, f"{option} {path}: {seen[key]} names the same file: give each output its own")
        seen[key] = option
