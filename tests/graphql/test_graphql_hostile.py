"""The GraphQL backend against a hostile server: the bounds of the REST transport hold
for the GraphQL endpoint and the token endpoint alike. A reply dripped a byte at a time
meets the deadline; a huge body or a decompression bomb stops at the size bound; a
redirect to another origin is not followed, so neither the token nor the password
leaves the endpoint's origin. Real sockets, no mocks; backoff on the fake clock,
deadlines in real time."""

from __future__ import annotations

import random
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from graphql_support import EMAIL, PASSWORD, FakeClock
from hostile_server import Answer, Behaviour, HostileServer, Request, by_path, drip, gzip_bomb, hostile, redirect

from rostersync.api.body import MAX_REPLY_BYTES
from rostersync.api.errors import OutcomeUnknownError, TransportError, UnexpectedResponseError
from rostersync.api.graphql import Credentials, GraphQLBackend
from rostersync.api.options import ClientOptions

TOKEN = "hostile-test-token-7c1f"


def token_reply(request: Request) -> Answer:
    return Answer(200, {"access_token": TOKEN, "expires_in": 3600, "token_type": "Bearer"})


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with hostile() as running:
        yield running


def backend_of(server: HostileServer, clock: FakeClock, **options: Any) -> GraphQLBackend:
    defaults: dict[str, Any] = {"sleep": clock.sleep, "clock": clock, "rng": random.Random(1), "max_attempts": 1}
    return GraphQLBackend(f"{server.origin}/graphql", f"{server.origin}/oauth2/token", Credentials(EMAIL, PASSWORD),
                          ClientOptions(**{**defaults, **options}))


def graphql(behaviour: Behaviour) -> Behaviour:
    return by_path({"/oauth2/token": token_reply, "/graphql": behaviour})


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_graphql_reply_dripped_a_byte_at_a_time_meets_the_deadline(server: HostileServer, clock: FakeClock,
                                                                     where: str) -> None:
    server.behaviour = graphql(drip(where))
    started = time.monotonic()
    with backend_of(server, clock, timeout=0.5) as backend, pytest.raises(TransportError) as caught:
        backend.list_operators()
    assert time.monotonic() - started < 5  # the drip goes on for ever; the call does not
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert "read the live schema (POST /graphql IntrospectionQuery): could not reach" in str(caught.value)
    assert "no complete reply within 0.5s, the deadline of one request" in str(caught.value)


def test_a_login_dripped_a_byte_at_a_time_meets_the_deadline(server: HostileServer, clock: FakeClock) -> None:
    server.behaviour = by_path({"/oauth2/token": drip("body")})
    started = time.monotonic()
    with backend_of(server, clock, timeout=0.5) as backend, pytest.raises(TransportError) as caught:
        backend.list_operators()
    assert time.monotonic() - started < 30  # four login attempts, each within its deadline
    assert "login: could not reach the token endpoint (no complete reply within 0.5s" in str(caught.value)
    assert PASSWORD not in str(caught.value)


def test_a_huge_graphql_body_stops_at_the_bound(server: HostileServer, clock: FakeClock) -> None:
    server.behaviour = graphql(lambda request: Answer(200, b" " * (MAX_REPLY_BYTES + 1), length=False))
    with backend_of(server, clock) as backend, pytest.raises(UnexpectedResponseError) as caught:
        backend.list_operators()
    assert "unreadable reply (200: the reply is larger than 32 MiB, the most rostersync reads of one reply" in str(
        caught.value)


def test_a_decompression_bomb_from_graphql_costs_the_bound_not_the_bomb(server: HostileServer,
                                                                        clock: FakeClock) -> None:
    server.behaviour = graphql(gzip_bomb(1024))  # 1 GiB of zeros, gzipped
    tracemalloc.start()
    try:
        with backend_of(server, clock) as backend, pytest.raises(UnexpectedResponseError, match="larger than 32 MiB"):
            backend.list_operators()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MAX_REPLY_BYTES * 2.5
    assert server.requests_to("/graphql")[0].headers["Accept-Encoding"] == "gzip, deflate"


def test_a_huge_token_reply_stops_at_the_bound(server: HostileServer, clock: FakeClock) -> None:
    server.behaviour = by_path({"/oauth2/token": lambda request: Answer(200, b" " * (MAX_REPLY_BYTES + 1))})
    with backend_of(server, clock) as backend, pytest.raises(UnexpectedResponseError) as caught:
        backend.list_operators()
    assert "login: unreadable reply from the token endpoint (200: the reply is larger than 32 MiB" in str(caught.value)


def test_a_redirect_to_another_origin_gets_neither_token_nor_password(server: HostileServer,
                                                                      clock: FakeClock) -> None:
    with hostile() as elsewhere:
        server.behaviour = graphql(lambda request: redirect(f"{elsewhere.origin}/graphql", 307))
        with backend_of(server, clock) as backend, pytest.raises(UnexpectedResponseError) as caught:
            backend.list_operators()
        assert "redirected (307) to 'http://127.0.0.1:" in str(caught.value)
        assert "check IADVIZE_GRAPHQL_URL" in str(caught.value)
        server.behaviour = by_path({"/oauth2/token": lambda request: redirect(f"{elsewhere.origin}/oauth2/token",
                                                                              308)})
        with backend_of(server, clock) as backend, pytest.raises(UnexpectedResponseError) as caught:
            backend.list_operators()
        assert "login: the server redirected (308)" in str(caught.value)
        assert "check IADVIZE_TOKEN_URL" in str(caught.value)
        assert elsewhere.seen == []  # not one request reached the other origin


def test_a_redirect_within_the_origin_keeps_the_post(server: HostileServer, clock: FakeClock) -> None:
    moved = {"/graphql": lambda request: redirect("/v2/graphql", 308),
             "/v2/graphql": lambda request: Answer(200, {"errors": [{"message": "stop here"}]})}
    server.behaviour = by_path({"/oauth2/token": token_reply, **moved})
    with backend_of(server, clock) as backend, pytest.raises(Exception, match="stop here"):
        backend.list_operators()
    followed = server.requests_to("/v2/graphql")
    assert [request.method for request in followed] == ["POST"]
    assert followed[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_303_to_a_post_is_not_turned_into_a_get(server: HostileServer, clock: FakeClock) -> None:
    server.behaviour = graphql(lambda request: redirect("/elsewhere", 303))
    with backend_of(server, clock) as backend, pytest.raises(UnexpectedResponseError, match="repeated as a GET"):
        backend.list_operators()
    assert server.requests_to("/elsewhere") == []
