"""Map a pure function over many inputs in forked worker processes, results in order.

A large import parses and renders hundreds of files: pure work (no database) that can run on
the other cores while the importer writes. :func:`ordered_map` hands the inputs to a pool of
forked workers and yields the results in the order of the inputs, never more than ``ahead``
results waiting (the parent's memory stays flat with the number of files).

As in :mod:`.bounded`, the workers are forked: they share the loaded code, never touch the
database (the function is pure), and leave without closing the parent's connections
(multiprocessing ends a forked worker with ``os._exit``). A worker's exception is raised in
the parent, and so is a worker's death (``BrokenProcessPool``). Where ``fork`` is
unavailable, or with ``processes=0``, the map runs in-process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def available_cores() -> int:
    """The cores this process may run on (its affinity, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover


def ordered_map(
    function: Callable[..., T], arguments: Iterable[tuple], *, processes: int, ahead: int = 4
) -> Iterator[T]:
    """``function(*args)`` for each tuple of ``arguments``, in order; in ``processes`` forked
    workers (0: in-process), at most ``ahead`` results computed before they are asked for.

    Close the iterator (``contextlib.closing``) when leaving it early: that ends the workers.
    """
    if processes < 1 or "fork" not in multiprocessing.get_all_start_methods():
        for args in arguments:
            yield function(*args)
        return
    # concurrent.futures, not multiprocessing.Pool: a worker that dies (killed for memory)
    # raises BrokenProcessPool here instead of leaving the importer waiting forever.
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=processes, mp_context=context)
    try:
        pending: deque = deque()
        todo = iter(arguments)
        for args in todo:
            pending.append(pool.submit(function, *args))
            if len(pending) >= max(ahead, processes):
                break
        while pending:
            result = pending.popleft().result()
            for args in todo:  # one more in, as one comes out
                pending.append(pool.submit(function, *args))
                break
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
