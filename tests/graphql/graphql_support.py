"""Helpers of the GraphQL tests: the shared fake clock, credentials, operators made to order."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from rostersync.api.graphql import GraphQLBackend
from rostersync.sandbox.graphql import GraphQLSandbox

SandboxFactory = Callable[..., GraphQLSandbox]  # the `start` fixture
BackendFactory = Callable[..., GraphQLBackend]  # the `connect` fixture

PASSWORD = "Gr4phQL-Secret-Passw0rd!"
EMAIL = "api.user@maison-lumiere.fr"


class FakeClock:
    """Shared by the sandbox and the client; thread-safe."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


def operator(n: int, **fields: Any) -> dict[str, Any]:
    """Fields (REST names) of an operator the GraphQL API can create."""
    return {"email": f"op{n:03}@example.com", "name": f"Name{n}", "first_name": f"First{n}",
            "pseudo": f"Op{n}", **fields}


def professional(n: int, **fields: Any) -> dict[str, Any]:
    """A stored professional (GraphQL shape) for seeding the sandbox directly."""
    return {"email": f"live{n:03}@example.com", "firstName": f"Live{n}", "lastName": f"Person{n}",
            "userName": f"Live{n}", "roleId": 3, "projectIds": [123], **fields}
