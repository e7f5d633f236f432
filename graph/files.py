"""Writing output files safely: never over the store or its trail, atomically, in UTF-8,
and inert in spreadsheets.

Every file the tool writes for a user (reports, CSVs, pictures, rejects, problems) goes
through :func:`output_problem` first and then one of the writers here:

- a regular file (or a symlink to one: the link is kept, its target replaced) is written
  to a temporary file beside it and swapped in, so a reader sees the old or the whole new
  file;
- a FIFO or a character device (``/dev/stdout``, ``/dev/null``, a pipe) is written
  through, never replaced by a regular file;
- the store, anything coi keeps beside it (``STORE.*``: trail, lock, recheck state), the
  trail, a directory, a block device or socket, ``''``, and a path whose folder does not
  exist are refused before anything is written.
"""

from __future__ import annotations

import csv
import io
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["fsync_dir", "output_problem", "spreadsheet_safe", "write_csv_atomic", "write_text_atomic"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> str:
    """Text a spreadsheet will not run as a formula (a leading ' neutralises = + - @)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def fsync_dir(folder: Path, strict: bool = True) -> None:
    """Make a rename or a new file in ``folder`` durable (``strict=False``: best effort, errors ignored)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        if strict:
            raise
        return
    try:
        os.fsync(fd)
    except OSError:
        if strict:
            raise
    finally:
        os.close(fd)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def output_problem(path: Path, protected: Iterable[Path] = ()) -> str | None:
    """Why ``path`` must not be written as an output, or None; nothing is created.

    ``protected`` are the store and the trail: they, their hard links and symlinks, and any
    file named ``<store>.<something>`` beside the store (coi's sidecars) are refused. A folder
    the OS will not let us write in raises ``OSError`` naming ``path``.
    """
    if str(path) in ("", "."):
        return "no file name given"
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:  # permission denied on the way: an OS error, not a usage error
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    if mode is not None and stat.S_ISDIR(mode):
        return "is a directory: name a file"
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
        return "is not a regular file, a pipe or a character device"
    target = path.resolve()
    for keep in protected:
        kept = keep.resolve()
        if target == kept or _same_file(path, keep):
            return f"is {keep}, which coi keeps: name another file"
        if target.parent == kept.parent and target.name.startswith(kept.name + "."):
            return f"is a file coi keeps beside {keep}: name another file"
    if mode is None or stat.S_ISREG(mode):
        parent = target.parent
        if not parent.is_dir():
            return f"its folder {path.parent} does not exist"
        try:
            with tempfile.TemporaryFile(dir=parent):
                pass
        except OSError as exc:  # read-only, no permission, full: the OS says no (exit 8, not a usage error)
            raise OSError(exc.errno, exc.strerror, str(path)) from None
    return None


def _write(path: Path, write: Any, encoding: str) -> None:
    with opened_atomic(path, encoding) as handle:
        write(handle)


@contextmanager
def opened_atomic(path: Path, encoding: str = "utf-8") -> Iterator[io.TextIOBase]:
    """A text handle whose content replaces ``path`` only when the block ends without an error
    (then flushed and synced); a pipe or device is written through, and a symlink's target is
    replaced, the link kept. An error leaves the old file (or none) and nothing beside it."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
        try:
            with open(path, "w", encoding=encoding, newline="") as handle:
                yield handle
        except OSError as exc:  # a full device, a closed pipe: name the path
            if exc.filename is not None:
                raise
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        return
    target = path.resolve() if path.is_symlink() else path
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, stat.S_IMODE(mode))  # a replaced file keeps its permissions
        os.replace(tmp, target)
        fsync_dir(target.parent, strict=False)
    except OSError as exc:  # disk full, file-size limit: name the file, leave nothing behind
        Path(tmp).unlink(missing_ok=True)
        if exc.filename is not None:  # the block's own error, naming its own file
            raise
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str | Iterable[str]) -> None:
    """Write ``text`` (or its pieces, in order) to ``path`` in UTF-8 so a reader sees the old or
    the whole new file."""
    _write(path, lambda handle: handle.write(text) if isinstance(text, str) else handle.writelines(text), "utf-8")


def write_csv_atomic(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], bom: bool = False) -> None:
    """Write a spreadsheet-safe CSV atomically (``bom``: UTF-8 with a byte-order mark, so Excel
    on Windows reads it as UTF-8 rather than the local code page)."""

    def write(handle: io.TextIOBase) -> None:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([spreadsheet_safe(v) for v in row] for row in rows)

    _write(path, write, "utf-8-sig" if bom else "utf-8")
