"""Run one call per item on a bounded thread pool, and stop cleanly on Ctrl-C.

The availability changes of ``live set``/``live logout`` and the reads of ``stats``
go out several at a time, as apply's writes do: at most ``parallelism`` calls run
at once (the client paces them all together and backs every thread off after a
429). Ctrl-C (a ``KeyboardInterrupt`` in the calling thread) or the ``stop`` event
starts no new call; those in flight finish, and their results are kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["BoundedRun", "run_bounded"]

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class BoundedRun(Generic[R]):
    results: tuple[R | None, ...]  # in the items' order; None for an item never started
    interrupted: bool


def run_bounded(items: Sequence[T], work: Callable[[T], R], *, parallelism: int,
                on_result: Callable[[R], None] | None = None,
                stop: threading.Event | None = None,
                thread_name: str = "rostersync") -> BoundedRun[R]:
    """``work(item)`` for every item, at most ``parallelism`` at once.

    ``work`` reports its own failures in its result (an exception from it is a bug
    and propagates). ``on_result`` is called in this thread as each call finishes.
    """
    stop = stop or threading.Event()
    # Each result is written by the worker that made it, not read from the futures:
    # Ctrl-C may land inside `pool.submit` once the item is queued (and, once a worker
    # takes it, done) but before its future is returned. Workers never receive
    # KeyboardInterrupt: once the pool has shut down, what they wrote is complete.
    results: list[R | None] = [None] * len(items)

    def guarded(n: int, item: T) -> R | None:
        if stop.is_set():
            return None
        result = results[n] = work(item)
        return result

    pool = ThreadPoolExecutor(max_workers=max(1, parallelism), thread_name_prefix=thread_name)
    try:
        pending: set[Future[R | None]] = set()
        for n, item in enumerate(items):  # one by one: a Ctrl-C here keeps what was queued
            pending.add(pool.submit(guarded, n, item))
        while pending:
            try:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    result = future.result()
                    if result is not None and on_result is not None:
                        on_result(result)
            except KeyboardInterrupt:
                stop.set()  # and go on waiting for the calls in flight
    except KeyboardInterrupt:
        stop.set()
    finally:
        _shut_down(pool, stop)
    return BoundedRun(tuple(results), stop.is_set())


def _shut_down(pool: ThreadPoolExecutor, stop: threading.Event) -> None:
    """Wait for the calls in flight, a Ctrl-C meanwhile included: it stops the rest."""
    while True:
        try:
            pool.shutdown(wait=True)
            return
        except KeyboardInterrupt:
            stop.set()
