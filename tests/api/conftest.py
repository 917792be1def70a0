"""Fixtures for the API client tests: a fake clock, a scripted loopback server, and
one rostersync sandbox for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from iadvize_support import SECRET_KEY, FakeClock, ScriptedServer

from rostersync.api import IAdvizeClient
from rostersync.api.options import ClientOptions
from rostersync.sandbox import FaultConfig, Sandbox, start_sandbox


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    yield server
    server.stop()


# --- the rostersync sandbox ------------------------------------------------------------

@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[Sandbox]:
    """One sandbox for the whole session; tests get it clean through ``sandbox``."""
    server = start_sandbox(api_key=SECRET_KEY, demo=False)
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server: Sandbox) -> Iterator[Sandbox]:
    """The session's sandbox with no operators, no faults and zeroed counters; a test
    fails if the client sent it a filter name it does not know (a misspelling)."""
    sandbox_server.faults = FaultConfig()
    sandbox_server.store.clear()
    sandbox_server.reset_counts()
    yield sandbox_server
    assert not sandbox_server.ignored_filters(), \
        f"the client sent unknown filters: {sandbox_server.ignored_filters()}"


@pytest.fixture
def api(sandbox: Sandbox, clock: FakeClock) -> Iterator[IAdvizeClient]:
    """A client of the clean sandbox whose backoff sleeps cost no real time."""
    with IAdvizeClient(sandbox.url, sandbox.api_key, ClientOptions(sleep=clock.sleep, clock=clock)) as client:
        yield client
