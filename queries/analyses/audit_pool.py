"""Run an audit's chunks in this process or in N worker processes, results in chunk order.

Workers end with the audit however it ends (an exception, Ctrl-C, or this process killed),
and each reads the data version the parent pinned, or the audit stops with StoreChanged.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

from coi.graph.store import GraphStore
from coi.queries.analyses.audit_chunks import Checked, Checker, Group
from coi.queries.policy import Policy

__all__ = ["run_chunks"]

_TEARDOWN_SECONDS = 10  # the manager thread ends within moments of its workers


def run_chunks(
    store: GraphStore, policy: Policy, chunks: list[list[Group]], workers: int, lines: bool
) -> Iterator[Checked]:
    if workers <= 1 or len(chunks) <= 1:
        checker = Checker(store, policy, lines)
        yield from (checker(chunk) for chunk in chunks)
        return
    # forkserver: workers start clean, never a copy of a process holding driver threads (spawn where
    # the platform has no forkserver, e.g. Windows)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    # the store is open here (its assignments were read): pickled, it carries the snapshot it reads
    pool = ProcessPoolExecutor(workers, context, initializer=_start_worker, initargs=(store, policy, lines))
    try:
        yield from pool.map(_worker_chunk, chunks)
    except BaseException:  # an error, Ctrl-C, or the caller stopped early: no chunk is worth waiting for
        _stop(pool)
        raise
    pool.shutdown()


def _stop(pool: ProcessPoolExecutor) -> None:
    """End the workers now, dropping the chunks not yet checked (3.14 has ``terminate_workers``)."""
    processes = list((pool._processes or {}).values())  # the executor keeps no public list before 3.14
    # shutdown(wait=False) forgets the manager thread, so a later shutdown(wait=True) joins nothing
    manager = pool._executor_manager_thread
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(5)
    # wait for the manager thread's teardown: left running, it closes its wake-up pipe while the
    # interpreter's exit hook writes to it (3.11: "Bad file descriptor" printed after the error line)
    if manager is not None:
        manager.join(_TEARDOWN_SECONDS)


_WORKER: Checker | None = None


def _start_worker(store: GraphStore, policy: Policy, lines: bool) -> None:
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent stops us
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True, name="exit-with-parent").start()
    _WORKER = Checker(store, policy, lines)


def _exit_with(parent: multiprocessing.process.BaseProcess) -> None:
    """Wait for the parent to end (its sentinel closes), then end this worker: never an orphan."""
    parent.join()
    os._exit(1)


def _worker_chunk(groups: list[Group]) -> Checked:
    assert _WORKER is not None, "worker started without an engine"
    return _WORKER(groups)
