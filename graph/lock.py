"""An exclusive lock on a lock file, so two loads of one embedded store run one after the other.

The operating system releases the lock when its process ends, however it ends, so a
killed load never leaves the store locked. The file holds the holder's pid (for the
waiting message) and is never deleted (deleting a lock file races with the next locker).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["exclusive_lock"]


def _holder(fd: int) -> str:
    text = os.pread(fd, 100, 0).decode("ascii", "replace").strip()
    return f"pid {text}" if text.isdigit() else "another process"


@contextmanager
def exclusive_lock(path: Path, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold ``path`` locked; if another process holds it, call ``waiting(message)`` once and wait."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting:
                waiting(f"{path.name}: another load ({_holder(fd)}) is writing this store; waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
