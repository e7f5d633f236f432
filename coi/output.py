"""The one output object: rich tables for people, or ONE JSON document on stdout.

Logs, progress and errors go to stderr. Known errors become one line plus a hint and a
documented exit code; nothing prints a traceback unless ``COI_DEBUG=1``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from coi import exitcodes
from coi.graph.store import StoreError
from coi.loaders.problems import InputError
from coi.queries.dispute import NotFound
from coi.queries.policy import PolicyError
from coi.visible import attach, visible_json

__all__ = ["Output"]

MAX_PROBLEMS_SHOWN = 50


_HOLE = "\x00streamed\x00"  # stands in for the streamed list while the rest is dumped


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


class Output:
    def __init__(self, json_mode: bool = False) -> None:
        self.json_mode = json_mode
        # markup off: data (names, unit ids, paths) must never be read as rich markup
        self.console = Console(highlight=False, soft_wrap=True, markup=False)
        self.err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
        attach((self.console, self.err))  # no value printed can steer the terminal

    @property
    def interactive(self) -> bool:
        return not self.json_mode and self.err.is_terminal

    @contextmanager
    def progress(self) -> Iterator[Callable[[str, int, int], None]]:
        """A callback ``(what, done, total)`` drawing one bar per ``what`` on stderr, with the time
        taken and an estimate of the time left; silent when stderr is not a terminal or in JSON mode."""
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self.err,
            disable=not self.interactive,
            transient=True,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def update(what: str, done: int, total: int) -> None:
                if what not in tasks:
                    tasks[what] = bar.add_task(what, total=max(total, 1))
                bar.update(tasks[what], completed=done)

            yield update

    def json(self, document: Any) -> None:
        sys.stdout.write(visible_json(_dumps(document)) + "\n")

    def json_streamed(self, document: dict[str, Any], key: str, items: Iterable[Any]) -> None:
        """The same bytes as ``json({**document, key: list(items)})`` with ``key`` last, written item
        by item: a national audit's allocations are never all in one string (or one list of dicts)."""
        head, tail = _dumps({**document, key: _HOLE}).rsplit(_dumps(_HOLE), 1)
        write = sys.stdout.write
        write(visible_json(head))
        first = True
        for item in items:
            # json's only line breaks are its own "\n" (in strings they are escaped; U+0085 and
            # U+2028 are not, so str.splitlines-based indenting would break inside a string)
            write(("[\n" if first else ",\n") + visible_json("    " + _dumps(item).replace("\n", "\n    ")))
            first = False
        write(("[]" if first else "\n  ]") + visible_json(tail) + "\n")

    def print(self, *items: Any) -> None:
        if not self.json_mode:
            self.console.print(*items)

    def note(self, message: str) -> None:
        self.err.print(message, markup=False)

    def fail(self, code: int, message: str, hint: str = "") -> NoReturn:
        self.err.print(f"error: {message}" + (f"\n  hint: {hint}" if hint else ""), markup=False)
        raise typer.Exit(code)

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Map known exceptions to one-line messages and exit codes."""
        try:
            yield
        except typer.Exit:
            raise
        except InputError as exc:
            for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
                self.err.print(f"error: {problem}", markup=False)
            more = len(exc.problems) - MAX_PROBLEMS_SHOWN
            if more > 0:
                self.err.print(f"error: ... and {more} more problems", markup=False)
            self.fail(exitcodes.BAD_DATA, f"{len(exc.problems)} problem(s) found; nothing was written")
        except PolicyError as exc:
            if len(exc.problems) == 1:
                self.fail(exitcodes.BAD_DATA, exc.problems[0])
            for problem in exc.problems:
                self.err.print(f"error: {problem}", markup=False)
            self.fail(exitcodes.BAD_DATA, f"{len(exc.problems)} problems in the policy file; nothing was checked")
        except NotFound as exc:
            self.fail(exitcodes.NOT_FOUND, str(exc))
        except StoreError as exc:
            self.fail(exitcodes.STORE, str(exc))
        except OSError as exc:
            text = exc.strerror or str(exc)
            if exc.filename and str(exc.filename) not in text:
                text = f"{exc.filename}: {text}"
            self.fail(exitcodes.OS_ERROR, text)
        except KeyboardInterrupt:
            self.fail(exitcodes.INTERNAL, "interrupted")
        except Exception as exc:
            if os.environ.get("COI_DEBUG") == "1":
                raise
            first = str(exc).splitlines()[0] if str(exc) else ""
            self.fail(
                exitcodes.INTERNAL,
                f"internal error: {type(exc).__name__}: {first}",
                "set COI_DEBUG=1 for the traceback",
            )
