"""How a client talks to the API: timeouts, retries, pacing, the request hook, clocks.

One frozen :class:`ClientOptions` is given to :class:`~rostersync.api.IAdvizeClient`,
which hands it to its transport: the two read the same object, so an option is
declared once.  Derive a variant with :func:`dataclasses.replace`::

    >>> from dataclasses import replace
    >>> fast = replace(ClientOptions(), retry_budget_s=0)  # fail at the first error
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ClientOptions", "RequestEvent"]


@dataclass(frozen=True)
class RequestEvent:
    """One HTTP attempt, for ``-v`` output.  Holds no key and no body."""

    method: str
    path: str  # path and query as sent, relative to the base URL
    status: int | None  # None when no reply came (transport error)
    elapsed_s: float
    attempt: int
    error: str | None = None  # short description of a transport error


@dataclass(frozen=True)
class ClientOptions:
    """Everything about a client but where it goes (base URL) and who it is (API key)."""

    #: The deadline of one HTTP request, in seconds of real time: connecting, sending,
    #: and reading the whole reply (headers and body), however slowly the server sends.
    #: A single number also bounds connecting alone (at most 10 s); a
    #: ``(connect, deadline)`` pair sets both.
    timeout: float | tuple[float, float] = 60.0
    #: HTTP attempts per call, the first included.
    max_attempts: int = 5
    #: Seconds a call may spend retrying, counted from its first attempt.
    retry_budget_s: float = 60.0
    #: Never send more than this many requests a second (all threads together).
    max_rps: float | None = None
    #: Allow a plain ``http://`` base URL to a remote host.
    insecure: bool = False
    #: Called after every HTTP attempt (verbose output); a failing hook is logged, not raised.
    on_request: Callable[[RequestEvent], None] | None = None
    #: Pages of a listing fetched in parallel; the connection pool is sized from it.
    page_workers: int = 4
    #: How to wait and tell the time: tests pass a fake clock so backoff costs nothing.
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    #: The source of backoff jitter; a seeded one makes retries reproducible.
    rng: random.Random | None = None
