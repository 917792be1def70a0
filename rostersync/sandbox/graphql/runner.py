"""Run the GraphQL sandbox in a background thread: ``start_graphql_sandbox``."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from rostersync.sandbox.faults import FaultConfig, FaultInjector
from rostersync.sandbox.graphql.demo import seed_demo_users, seed_reference
from rostersync.sandbox.graphql.resolvers import ErrorScript, Root, load_schema
from rostersync.sandbox.graphql.server import GRAPHQL_PATH, TOKEN_PATH, GraphQLApp, GraphQLHTTPServer
from rostersync.sandbox.graphql.state import UserState
from rostersync.sandbox.graphql.tokens import TokenIssuer

__all__ = ["DEFAULT_EMAIL", "DEFAULT_PASSWORD", "GraphQLSandbox", "start_graphql_sandbox"]

logger = logging.getLogger(__name__)

DEFAULT_EMAIL = "api@sandbox.invalid"
DEFAULT_PASSWORD = "sandbox-Password-1!"  # noqa: S105 - the sandbox's documented demo login


class GraphQLSandbox:
    """A running GraphQL sandbox. ``url`` is the GraphQL endpoint, ``token_url`` the login.

    ``state`` gives direct access to the data, ``tokens`` to the access tokens,
    ``errors`` scripts field errors; ``faults`` may be changed while it runs.
    """

    def __init__(self, server: GraphQLHTTPServer, thread: threading.Thread, stopping: threading.Event,
                 base: str, state: UserState, errors: ErrorScript, email: str) -> None:
        self._server = server
        self._thread = thread
        self._stopping = stopping
        self.url = base + GRAPHQL_PATH
        self.token_url = base + TOKEN_PATH
        self.state = state
        self.errors = errors
        self.email = email
        self.host, self.port = server.bound_address()

    @property
    def tokens(self) -> TokenIssuer:
        return self._server.app.tokens

    @property
    def faults(self) -> FaultConfig:
        return self._server.app.faults.config

    @faults.setter
    def faults(self, config: FaultConfig) -> None:
        self._server.app.faults.config = config

    def request_counts(self) -> dict[str, int]:
        """Requests by method, path (with its query string, if any) and status, e.g.
        ``{"POST /graphql 200": 3}``; refused and faulted requests included."""
        return self._server.app.log.snapshot()

    def operation_counts(self) -> dict[str, int]:
        """Executed operations by name and status, e.g. ``{"RostersyncUserCreate 200": 1}``."""
        return self._server.app.operations.snapshot()

    def fault_counts(self) -> dict[str, int]:
        return self._server.app.faults.counts()

    def reset_counts(self) -> None:
        self._server.app.log.reset()
        self._server.app.operations.reset()
        self._server.app.faults.reset_counts()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        """Stop serving and close every connection. Idempotent."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join()
        logger.info("GraphQL sandbox at %s stopped", self.url)

    def __enter__(self) -> GraphQLSandbox:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<GraphQLSandbox {self.url} users={len(self.state)} running={self.running}>"


def start_graphql_sandbox(*, host: str = "127.0.0.1", port: int = 0, email: str = DEFAULT_EMAIL,
                          password: str = DEFAULT_PASSWORD, token_lifetime_s: float = 86_400.0,
                          sdl: str | None = None, demo: bool = False, faults: FaultConfig | None = None,
                          state_path: Path | None = None,
                          clock: Callable[[], float] = time.monotonic) -> GraphQLSandbox:
    """Bind ``host:port`` (0: a free port), serve in a daemon thread, return at once.

    ``email``/``password`` is the one login the token endpoint accepts; tokens live
    ``token_lifetime_s``. ``sdl`` replaces the shipped schema (to test a client
    against a schema that differs from what it assumes). ``clock`` drives token
    expiry, the login limits and the fault module's rate limit, so a test can move
    time on. With ``state_path`` the users are loaded from it and saved to it after
    every write; ``demo`` seeds the demo users only into an empty state.
    """
    if not email or not password:
        raise ValueError("email and password must not be empty")
    schema = load_schema(sdl)
    state = UserState(state_path)
    seed_reference(state)
    if demo and not state.users:
        seed_demo_users(state)
    errors = ErrorScript()
    stopping = threading.Event()
    tokens = TokenIssuer({email: password}, lifetime_s=token_lifetime_s, clock=clock)
    app = GraphQLApp(schema, Root(state, errors), tokens, FaultInjector(faults, clock=clock), stopping)
    server = GraphQLHTTPServer((host, port), app)
    bound_host, bound_port = server.bound_address()
    url_host = "127.0.0.1" if bound_host in ("0.0.0.0", "") else bound_host  # noqa: S104 - not a bind
    base = f"http://{url_host}:{bound_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name=f"rostersync-graphql-sandbox-{bound_port}", daemon=True)
    thread.start()
    logger.info("GraphQL sandbox serving %s%s", base, GRAPHQL_PATH)
    return GraphQLSandbox(server, thread, stopping, base, state, errors, email)
