"""Fixtures for the GraphQL backend and sandbox: one clock for both, a sandbox per test.

The sandbox's token expiry, login limits and rate limit and the client's backoff,
pacing and token renewal all read the same :class:`FakeClock`, whose ``sleep``
moves it on at once: waiting costs no real time, and a test moves time on with
``advance`` to make tokens expire.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from graphql_support import EMAIL, PASSWORD, BackendFactory, FakeClock, SandboxFactory

from rostersync.api.graphql import Credentials, GraphQLBackend
from rostersync.api.options import ClientOptions, RequestEvent
from rostersync.sandbox.graphql import GraphQLSandbox, start_graphql_sandbox


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def start(clock: FakeClock) -> Iterator[SandboxFactory]:
    """Start a sandbox on the shared clock, with the test login; all are stopped after the test."""
    started: list[GraphQLSandbox] = []

    def factory(**options: Any) -> GraphQLSandbox:
        sandbox = start_graphql_sandbox(email=EMAIL, password=PASSWORD, clock=clock, **options)
        started.append(sandbox)
        return sandbox

    yield factory
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sandbox(start: SandboxFactory) -> GraphQLSandbox:
    """An account with reference data (roles, projects, skills, groups) and no users."""
    return start()


@pytest.fixture
def events() -> list[RequestEvent]:
    return []


@pytest.fixture
def connect(clock: FakeClock, events: list[RequestEvent]) -> Iterator[BackendFactory]:
    """A backend of a sandbox, logging in with the test credentials unless told otherwise."""
    made: list[GraphQLBackend] = []

    def factory(sandbox: GraphQLSandbox, credentials: Credentials | None = None, **options: Any) -> GraphQLBackend:
        base = ClientOptions(sleep=clock.sleep, clock=clock, on_request=events.append)
        backend = GraphQLBackend(sandbox.url, sandbox.token_url, credentials or Credentials(EMAIL, PASSWORD),
                                 dataclasses.replace(base, **options))
        made.append(backend)
        return backend

    yield factory
    for backend in made:
        backend.close()


@pytest.fixture
def backend(sandbox: GraphQLSandbox, connect: BackendFactory) -> GraphQLBackend:
    return connect(sandbox)
