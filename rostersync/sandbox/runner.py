"""Run the sandbox in a background thread: ``start_sandbox`` and the ``Sandbox`` handle."""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType

from rostersync.sandbox.demo import seed_demo
from rostersync.sandbox.faults import FaultConfig, FaultInjector
from rostersync.sandbox.server import API_PREFIX, RequestLog, SandboxApp, SandboxHTTPServer
from rostersync.sandbox.statefile import DEFAULT_LOCK_TIMEOUT, SandboxStateError
from rostersync.sandbox.store import OperatorStore

__all__ = ["LOCK_TIMEOUT_ENV", "Sandbox", "lock_timeout_from_env", "start_sandbox"]

LOCK_TIMEOUT_ENV = "ROSTERSYNC_SANDBOX_LOCK_TIMEOUT"

logger = logging.getLogger(__name__)


class Sandbox:
    """A running sandbox server in a background thread.

    ``url`` is the API base (``http://127.0.0.1:PORT/api/2``); ``store`` gives direct
    access to the data; ``faults`` may be changed, or replaced, while it runs.
    """

    def __init__(self, server: SandboxHTTPServer, thread: threading.Thread,
                 stopping: threading.Event, url: str) -> None:
        self._server = server
        self._thread = thread
        self._stopping = stopping
        self.url = url
        self.host, self.port = server.bound_address()

    @property
    def api_key(self) -> str:
        return self._server.app.api_key

    @property
    def store(self) -> OperatorStore:
        return self._server.app.store

    @property
    def faults(self) -> FaultConfig:
        return self._server.app.faults.config

    @faults.setter
    def faults(self, config: FaultConfig) -> None:
        self._server.app.faults.config = config

    def request_counts(self) -> dict[str, int]:
        """Requests received since the last reset, e.g. ``{"GET /operator": 3}``;
        faulted and refused requests included."""
        return self._server.app.log.snapshot()

    def fault_counts(self) -> dict[str, int]:
        """Faults applied since the last reset: see ``FaultInjector.counts``."""
        return self._server.app.faults.counts()

    def ignored_filters(self) -> dict[str, int]:
        """Filter names ignored as unknown since the last reset, e.g. ``{"groupid": 2}``.

        The service is loose (it ignores them), so a client that misspells a filter
        receives every operator instead of an error: a test of a client should check
        that this stays empty. rostersync's own suite does, for every test.
        """
        return self._server.app.log.ignored_filters()

    def reset_counts(self) -> None:
        """Zero the request counts, the ignored filters and the fault counts."""
        self._server.app.log.reset()
        self._server.app.faults.reset_counts()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        """Stop serving, close every connection and the listening socket, then close the
        store: its state is on disk and its lock released when this returns. Idempotent."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        try:
            self._server.shutdown()
            self._server.close_connections()
            self._server.server_close()  # joins the handler threads
            self._thread.join()
        finally:
            self.store.close()
        logger.info("Sandbox at %s stopped", self.url)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<Sandbox {self.url} operators={len(self.store)} running={self.running}>"


def lock_timeout_from_env(environ: Mapping[str, str] | None = None) -> float:
    """Seconds to wait for another sandbox on the same state: ``ROSTERSYNC_SANDBOX_LOCK_TIMEOUT``,
    or 60. Raises ``SandboxStateError`` for a value that is not a number >= 0."""
    text = (os.environ if environ is None else environ).get(LOCK_TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise SandboxStateError(f"{LOCK_TIMEOUT_ENV} must be a number of seconds >= 0, got {text[:40]!r}.")
    return seconds


def start_sandbox(*, host: str = "127.0.0.1", port: int = 0, api_key: str = "sandbox-key",
                  state_path: Path | None = None, demo: bool = False,
                  faults: FaultConfig | None = None, lock_timeout: float | None = None,
                  on_wait: Callable[[str], None] | None = None,
                  clock: Callable[[], float] = time.monotonic) -> Sandbox:
    """Bind ``host:port`` (0: a free port), serve in a daemon thread, return at once.

    With ``state_path``, the state is locked for this sandbox until ``stop`` (another
    sandbox on it is waited for, ``lock_timeout`` seconds, by default
    ``lock_timeout_from_env()``; ``on_wait`` receives the message saying so, else it
    is logged as a warning), loaded when it exists, and every write is on disk before
    it is answered (see ``rostersync.sandbox``). ``demo`` seeds the demo team only into
    an empty store, so a saved state is never overwritten. Raises ``OSError`` when the
    address is taken, ``SandboxStateError`` (a ``ValueError``) for a state that is
    unreadable or still in use when the wait is over. ``clock`` is what the rate
    limit's bucket refills by: a test gives the fake clock its client waits on.
    """
    if not api_key:
        raise ValueError("api_key must not be empty")
    if lock_timeout is None:
        lock_timeout = lock_timeout_from_env() if state_path is not None else DEFAULT_LOCK_TIMEOUT
    store = OperatorStore(state_path, lock_timeout=lock_timeout, on_wait=on_wait)
    try:
        if demo and len(store) == 0:
            seed_demo(store)
        stopping = threading.Event()
        app = SandboxApp(store, api_key, FaultInjector(faults, clock=clock), RequestLog(), stopping)
        server = SandboxHTTPServer((host, port), app)
    except BaseException:
        store.close()
        raise
    bound_host, bound_port = server.bound_address()
    # 0.0.0.0 listens everywhere but is no address to connect to.
    url_host = "127.0.0.1" if bound_host in ("0.0.0.0", "") else bound_host  # noqa: S104 (a comparison)
    url = f"http://{url_host}:{bound_port}{API_PREFIX}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name=f"rostersync-sandbox-{bound_port}", daemon=True)
    thread.start()
    logger.info("Sandbox serving %s", url)
    return Sandbox(server, thread, stopping, url)
