"""Fault injection: make the sandbox slow, flaky, rate-limited or forgetful on purpose.

A client must survive what a real network and a real service do. ``FaultConfig``
says how often, ``FaultInjector`` decides for each request, in this order:

1. ``latency_ms``: wait before answering (every request);
2. ``rate_limit``: a token bucket of ``rate_limit`` requests per second (burst of
   ``max(1, rate_limit)``); over it, 429 with ``Retry-After`` in whole seconds (>= 1);
3. ``error_rate``: that fraction of requests get a 503, and nothing is done;
4. ``drop_rate``: that fraction of *write* requests are carried out, then the
   connection is closed without a reply: the client cannot tell whether the write
   happened, as when a reply is lost on the way. Only writes that succeeded are
   dropped (a refused write changed nothing, so losing its reply would simulate
   nothing), but the random draw is made for every write, so a seed gives the same
   sequence whatever the outcomes.
5. ``ignore_fields``: API field names (e.g. ``skill_list``) that a POST or PUT
   accepts and does not take: they are taken out of the body before it is
   handled, so the write succeeds (200) and the reply shows the operator without
   them, as a service that silently drops a field would. Not random; empty by
   default, so the sandbox is faithful unless asked.

Random draws come from ``random.Random(seed)``, so a given seed and request order
give the same faults on every run. The config is read at each request: tests and
the CLI may change it on a running sandbox; giving a new ``FaultConfig`` or a new
seed restarts the random sequence and refills the bucket.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["FaultConfig", "FaultDecision", "FaultInjector"]


@dataclass
class FaultConfig:
    latency_ms: float = 0.0
    error_rate: float = 0.0
    rate_limit: float | None = None  # requests per second; None: unlimited
    drop_rate: float = 0.0
    seed: int | None = None
    ignore_fields: tuple[str, ...] = ()  # API names a POST or PUT accepts but does not take

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """Raise ``ValueError`` for a value that makes no sense."""
        if self.latency_ms < 0:
            raise ValueError("latency_ms must be >= 0")
        for name in ("error_rate", "drop_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.rate_limit is not None and self.rate_limit <= 0:
            raise ValueError("rate_limit must be > 0 requests per second, or None")
        names: object = self.ignore_fields  # a str is iterable too: say so rather than ignore "s", "k", ...
        if not isinstance(names, tuple) or not all(isinstance(name, str) and name for name in names):
            raise ValueError("ignore_fields must be a tuple of API field names")


@dataclass(frozen=True)
class FaultDecision:
    """What to do with one request."""

    latency_s: float = 0.0
    reject_status: int | None = None  # 429 or 503: answer that, do nothing
    reject_message: str = ""
    retry_after_s: int | None = None  # for 429
    drop: bool = False  # if the write succeeds, close the connection without a reply


class _TokenBucket:
    def __init__(self, rate: float, now: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.updated = now

    def take(self, now: float) -> float | None:
        """Take a token; ``None`` when allowed, else the seconds until one is back."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return None
        return (1.0 - self.tokens) / self.rate


class FaultInjector:
    """Thread-safe: decides the faults of each request and counts them."""

    def __init__(self, config: FaultConfig | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._config = config if config is not None else FaultConfig()
        self._counts: Counter[str] = Counter()
        self._restart()

    @property
    def config(self) -> FaultConfig:
        return self._config

    @config.setter
    def config(self, config: FaultConfig) -> None:
        config.check()
        with self._lock:
            self._config = config
            self._restart()

    def _restart(self) -> None:
        self._seen_seed = self._config.seed
        self._rng = random.Random(self._config.seed)
        self._bucket: _TokenBucket | None = None

    def decide(self, *, is_write: bool) -> FaultDecision:
        with self._lock:
            config = self._config
            if config.seed != self._seen_seed:
                self._restart()
            latency_s = max(0.0, config.latency_ms) / 1000.0
            if latency_s:
                self._counts["latency"] += 1
                self._counts["latency_ms_total"] += round(config.latency_ms)
            wait_s = self._take_token(config.rate_limit)
            if wait_s is not None:
                self._counts["rate_limited"] += 1
                retry_after = max(1, math.ceil(wait_s))
                return FaultDecision(latency_s, 429,
                                     f"Too many requests: retry after {retry_after} s.",
                                     retry_after_s=retry_after)
            if config.error_rate > 0 and self._rng.random() < config.error_rate:
                self._counts["errors"] += 1
                return FaultDecision(latency_s, 503, "Service temporarily unavailable.")
            drop = is_write and config.drop_rate > 0 and self._rng.random() < config.drop_rate
            return FaultDecision(latency_s, drop=drop)

    def without_ignored(self, method: str, form: dict[str, Any]) -> dict[str, Any]:
        """The body of a write as the sandbox takes it: without the ``ignore_fields``."""
        ignored = self._config.ignore_fields
        if method not in ("POST", "PUT") or not ignored or not any(name in form for name in ignored):
            return form
        with self._lock:
            self._counts["ignored_fields"] += 1
        return {name: value for name, value in form.items() if name not in ignored}

    def note_dropped(self) -> None:
        """Count a reply actually dropped (the caller decides, after the write succeeded)."""
        with self._lock:
            self._counts["dropped"] += 1

    def _take_token(self, rate: float | None) -> float | None:
        if rate is None:
            self._bucket = None
            return None
        now = self._clock()
        if self._bucket is None or self._bucket.rate != rate:
            self._bucket = _TokenBucket(rate, now)
        return self._bucket.take(now)

    def counts(self) -> dict[str, int]:
        """``latency`` (requests delayed), ``latency_ms_total``, ``rate_limited``,
        ``errors`` (503s), ``dropped`` and ``ignored_fields`` (writes a field of which
        was not taken); zero when none happened."""
        with self._lock:
            names = ("latency", "latency_ms_total", "rate_limited", "errors", "dropped", "ignored_fields")
            return {name: self._counts[name] for name in names}

    def reset_counts(self) -> None:
        with self._lock:
            self._counts.clear()
