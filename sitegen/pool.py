"""Mapping a pure function over many items, across cores when there are enough of them.

The one place that knows about worker processes. Workers are forked, so they inherit
`shared` (the site, the templates, the memo's folder) instead of receiving it; only the
items and the results cross between processes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

PARALLEL_FROM = 48  # fewer items than this are quicker in one process than forking workers

Item = TypeVar("Item")
Progress = Callable[[str, int, int], None]  # (what, done, of how many)

_task: tuple[Callable[[Any, Any], Any], Any] | None = None  # set before the workers fork


def map_shared(
    function: Callable[[Any, Item], Any],
    shared: Any,
    items: Sequence[Item],
    workers: int,
    what: str = "",
    progress: Progress | None = None,
) -> list[Any]:
    """[function(shared, item) for item in items], in parallel when worth it; in order."""
    if workers < 2 or len(items) < PARALLEL_FROM or not _can_fork():
        return [function(shared, item) for item in items]
    global _task
    _task = (function, shared)
    report = progress or (lambda what, done, total: None)
    try:
        return _in_pool(list(items), workers, lambda done, total: report(what, done, total))
    finally:
        _task = None


def _in_pool(items: list, workers: int, report: Callable[[int, int], None]) -> list:
    size = max(8, min(64, len(items) // (workers * 8) or 1))
    batches = [items[i : i + size] for i in range(0, len(items), size)]
    gc.freeze()  # what the workers inherit stays shared: the collector does not touch it
    finished: list = []
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, context, initializer=_die_with_parent) as pool:
            for batch in pool.map(_run_batch, batches):
                finished += batch
                report(len(finished), len(items))
    finally:
        gc.unfreeze()
    return finished


def _run_batch(batch: list) -> list:
    assert _task is not None
    function, shared = _task
    return [function(shared, item) for item in batch]


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _die_with_parent() -> None:
    """A worker ends when the build is killed, rather than working on for nobody."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: workers end with the pool as usual
        pass


def worker_count() -> int:
    """Cores this process may use (a CI container may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
