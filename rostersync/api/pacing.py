"""When the next request may leave: shared by every thread of one client.

Two limits combine: a "not before" time set after a 429 (the API limits the account,
so every thread must back off, not only the one that was refused) and, with
``max_rps``, even pacing of all requests (no burst: a steady rate is what keeps a
server's token bucket from running dry).  Clock and sleep are injected so tests need
no real waiting.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from rostersync.api.errors import ConfigError

__all__ = ["RateGate"]


class RateGate:
    """Hands out request slots; thread-safe.

    ``hold_until`` (after a 429) makes every thread wait; ``max_rps`` spaces requests
    ``1/max_rps`` seconds apart across all threads.
    """

    def __init__(self, max_rps: float | None, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        if max_rps is not None and max_rps <= 0:
            raise ConfigError(f"max_rps must be positive, got {max_rps}")
        self._interval = 1.0 / max_rps if max_rps else 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._not_before = float("-inf")
        self._next_slot = float("-inf")

    def hold_until(self, when: float) -> None:
        with self._lock:
            self._not_before = max(self._not_before, when)

    def wait_turn(self) -> None:
        with self._lock:
            slot = max(self._clock(), self._next_slot, self._not_before)
            if self._interval:
                self._next_slot = slot + self._interval
        while True:
            # Re-read the hold each time: another thread may meet a 429 while we sleep.
            with self._lock:
                target = max(slot, self._not_before)
            delay = target - self._clock()
            if delay <= 0:
                return
            self._sleep(delay)
