"""Stopping a parallel audit's pool: it returns only once the executor's own thread has ended.

Left running, that thread closes its wake-up pipe while the interpreter's exit hook writes to
it, and Python 3.11 prints a "Bad file descriptor" traceback after the audit's one error line.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

import pytest
from coi.queries.analyses.audit_pool import _stop


@pytest.mark.parametrize("attempt", range(3))  # the old race showed in about 2 of 3 stops
def test_stopping_the_pool_waits_for_its_manager_thread(attempt: int) -> None:
    pool = ProcessPoolExecutor(2, multiprocessing.get_context("forkserver"))
    futures = [pool.submit(time.sleep, 30) for _ in range(4)]
    deadline = time.monotonic() + 60
    while not futures[0].running() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert futures[0].running(), "the workers never started"
    manager = pool._executor_manager_thread
    assert manager is not None and manager.is_alive()
    started = time.monotonic()
    _stop(pool)
    assert not manager.is_alive(), "_stop returned while the executor's thread was still tearing down"
    assert time.monotonic() - started < 10, "the workers were waited for, not stopped"
    assert all(f.done() for f in futures)
