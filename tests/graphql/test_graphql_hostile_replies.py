"""The GraphQL backend against a GraphQL server that lies in what it answers, not in
how: pagination that never ends, repeats itself or forgets its cursor, one user or one
email twice, errors and userErrors of any size with control characters, a retry
policy that always says "retry", a token whose ``expires_in`` cannot be believed.
Each is refused with a bounded message, or survived; a listing is used whole or not at
all. A real server on loopback answering the sandbox SDL's introspection; no mocks."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from graphql import build_schema, get_introspection_query, graphql_sync
from graphql_support import EMAIL, PASSWORD, FakeClock
from hostile_server import Answer, HostileServer, Request, hostile

from rostersync.api.errors import RejectedError, ServerError, UnexpectedResponseError
from rostersync.api.graphql import Credentials, GraphQLBackend
from rostersync.api.graphql import backend as backend_module
from rostersync.api.options import ClientOptions
from rostersync.sandbox.graphql import default_sdl

TOKEN = "hostile-graphql-token-91b2"
INTROSPECTION = graphql_sync(build_schema(default_sdl()), get_introspection_query(descriptions=False)).data
ROLES = [{"id": n, "name": name, "baseRoleName": name} for n, name in enumerate(("ADMIN", "MANAGER", "OPERATOR"), 1)]

Users = Callable[[dict[str, Any]], Answer]  # the request body (query, variables) -> the answer


def user(n: int, email: str | None = None, typename: str = "Professional") -> dict[str, Any]:
    return {"__typename": typename, "id": n, "email": email or f"user{n}@example.com", "isDeleted": False,
            "firstName": "F", "lastName": "L", "userName": "U", "externalId": None,
            "role": {"id": 3, "name": "Operator", "baseRoleName": "OPERATOR"}, "group": None,
            "projects": {"pageInfo": {"hasNextPage": False}, "edges": []}, "skills": [],
            "countryPreferences": None, "channels": None}


def page(nodes: list[dict[str, Any]], has_next: bool, cursor: str | None) -> Answer:
    return Answer(200, {"data": {"users": {"pageInfo": {"hasNextPage": has_next, "endCursor": cursor},
                                           "edges": [{"cursor": "c", "node": node} for node in nodes]}}})


def pages_of(*pages: list[dict[str, Any]]) -> Users:
    """``pages`` served in turn, by the cursor the client sends."""
    def answer(body: dict[str, Any]) -> Answer:
        index = int(body["variables"].get("after") or 0)
        last = index == len(pages) - 1
        return page(pages[index], not last, None if last else str(index + 1))
    return answer


def api(users: Users, expires_in: Any = 3600) -> Callable[[Request], Answer]:
    def answer(request: Request) -> Answer:
        if request.path == "/oauth2/token":
            return Answer(200, {"access_token": TOKEN, "expires_in": expires_in, "token_type": "Bearer"})
        body = json.loads(request.body)
        if body["operationName"] == "IntrospectionQuery":
            return Answer(200, {"data": INTROSPECTION})
        if body["operationName"] == "RostersyncBaseRoles":
            return Answer(200, {"data": {"professionalBaseRoles": ROLES}})
        return users(body)
    return answer


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with hostile() as running:
        yield running


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def backend_of(server: HostileServer, clock: FakeClock, behaviour: Callable[[Request], Answer],
               **options: Any) -> GraphQLBackend:
    server.behaviour = behaviour
    defaults: dict[str, Any] = {"sleep": clock.sleep, "clock": clock, "rng": random.Random(1), "max_attempts": 3}
    return GraphQLBackend(f"{server.origin}/graphql", f"{server.origin}/oauth2/token", Credentials(EMAIL, PASSWORD),
                          ClientOptions(**{**defaults, **options}))


def users_requests(server: HostileServer) -> int:
    return sum(1 for r in server.requests_to("/graphql") if json.loads(r.body)["operationName"] == "RostersyncUsers")


# --- pagination ---------------------------------------------------------------------

def test_other_kinds_of_user_across_pages_are_left_out(server: HostileServer, clock: FakeClock) -> None:
    backend = backend_of(server, clock, api(pages_of([user(1), user(2, typename="Developer")],
                                                     [user(3, typename="Bot"), user(4)])))
    assert [record.id for record in backend.list_operators()] == [1, 4]


def test_one_email_on_two_users_across_pages_refuses_the_listing(server: HostileServer, clock: FakeClock) -> None:
    backend = backend_of(server, clock, api(pages_of([user(1, "ada@example.com")], [user(2, "ADA@example.com")])))
    with pytest.raises(UnexpectedResponseError, match=r"#1 and #2 have the same email 'ADA@example.com'"):
        backend.list_operators()


def test_one_user_listed_twice_refuses_the_listing(server: HostileServer, clock: FakeClock) -> None:
    backend = backend_of(server, clock, api(pages_of([user(1), user(2)], [user(2), user(3)])))
    with pytest.raises(UnexpectedResponseError, match=r"page 2\): user #2 is listed twice"):
        backend.list_operators()


def test_an_empty_page_that_promises_more_is_refused_at_once(server: HostileServer, clock: FakeClock) -> None:
    counter = iter(range(1, 10**9))
    backend = backend_of(server, clock, api(lambda body: page([], True, f"fresh-{next(counter)}")))
    with pytest.raises(UnexpectedResponseError, match="an empty page says another follows"):
        backend.list_operators()
    assert users_requests(server) == 1


def test_pages_that_never_end_stop_at_the_bound(server: HostileServer, clock: FakeClock,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backend_module, "MAX_PAGES", 4)
    counter = iter(range(1, 10**9))

    def endless(body: dict[str, Any]) -> Answer:
        n = next(counter)
        return page([user(n)], True, f"fresh-{n}")

    backend = backend_of(server, clock, api(endless))
    with pytest.raises(UnexpectedResponseError, match="more than 4 pages"):
        backend.list_operators()
    assert users_requests(server) == 4


@pytest.mark.parametrize("cursor", [None, "0"], ids=["no endCursor", "the same cursor again"])
def test_a_next_page_without_a_new_cursor_is_refused(server: HostileServer, clock: FakeClock,
                                                     cursor: str | None) -> None:
    def answer(body: dict[str, Any]) -> Answer:
        after = body["variables"].get("after")
        return page([user(1 if after is None else 2)], True, cursor if after is not None else "0")

    backend = backend_of(server, clock, api(answer))
    with pytest.raises(UnexpectedResponseError, match="hasNextPage without a new endCursor"):
        backend.list_operators()


# --- errors -------------------------------------------------------------------------

def test_huge_errors_and_a_lying_retry_policy_are_bounded(server: HostileServer, clock: FakeClock) -> None:
    error = {"message": "boom\x1b[2J" * 20_000, "extensions": {"name": "N\x1b" * 20_000, "retryPolicy": "RETRY"}}
    backend = backend_of(server, clock, api(lambda body: Answer(200, {"errors": [error] * 10})), max_attempts=3)
    with pytest.raises(ServerError) as caught:
        backend.list_operators()
    assert len(str(caught.value)) < 1_500
    assert users_requests(server) == 3  # "retry" believed max_attempts times, not for ever


def test_huge_user_errors_fail_the_change_with_a_bounded_message(server: HostileServer, clock: FakeClock) -> None:
    refusal = {"__typename": "E" * 5_000, "message": "no\x1b[2J" * 5_000}
    backend = backend_of(server, clock, api(lambda body: Answer(
        200, {"data": {"userCreate": {"user": None, "userErrors": [refusal] * 12}}})))
    with pytest.raises(RejectedError, match="the API refused it") as caught:
        backend.create_operator({"email": "new@example.com", "name": "New", "pseudo": "New"})
    assert len(str(caught.value)) < 1_000 and "(and 2 more)" in str(caught.value)
    assert len(caught.value.server_message or "") < 5_000


def test_user_errors_that_are_not_a_list_fail_the_change(server: HostileServer, clock: FakeClock) -> None:
    backend = backend_of(server, clock, api(lambda body: Answer(
        200, {"data": {"userCreate": {"user": None, "userErrors": {"message": "refused"}}}})))
    with pytest.raises(UnexpectedResponseError, match="userErrors is not a list"):
        backend.create_operator({"email": "new@example.com", "name": "New", "pseudo": "New"})


# --- the token's lifetime -----------------------------------------------------------

@pytest.mark.parametrize("expires_in", [10**400, float("inf"), float("nan"), True, -5, 0, "3600", None],
                         ids=["400 digits", "Infinity", "NaN", "true", "negative", "zero", "a string", "null"])
def test_an_unbelievable_expires_in_is_the_documented_day(server: HostileServer, clock: FakeClock,
                                                          expires_in: Any) -> None:
    backend = backend_of(server, clock, api(pages_of([user(1)]), expires_in=expires_in))
    assert [record.id for record in backend.list_operators()] == [1]
    clock.advance(23 * 3600)  # within the documented 24 hours: the token is kept
    backend.list_operators()
    assert backend.login_count == 1
    clock.advance(3600)  # past it: renewed before it is refused
    backend.list_operators()
    assert backend.login_count == 2
