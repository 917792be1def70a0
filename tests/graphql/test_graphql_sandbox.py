"""The GraphQL sandbox behaves as the documentation says, seen with plain requests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests
from graphql import build_client_schema, get_introspection_query
from graphql_support import EMAIL, PASSWORD, FakeClock, SandboxFactory, professional

from rostersync.sandbox.faults import FaultConfig
from rostersync.sandbox.graphql import MAX_PAGE_SIZE, GraphQLSandbox, default_sdl


def login(sandbox: GraphQLSandbox, **form: str) -> requests.Response:
    data = {"username": EMAIL, "password": PASSWORD, "grant_type": "password", **form}
    return requests.post(sandbox.token_url, data=data, timeout=5)


def post(sandbox: GraphQLSandbox, query: str, variables: dict[str, Any] | None = None, *,
         token: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token or sandbox.tokens.issue()}"}
    return requests.post(sandbox.url, json={"query": query, "variables": variables or {}}, headers=headers, timeout=5)


def test_login_answers_a_bearer_token_as_documented(sandbox: GraphQLSandbox) -> None:
    reply = login(sandbox)
    assert reply.status_code == 200
    body = reply.json()
    assert set(body) == {"access_token", "expires_in", "token_type", "refresh_token"}
    assert body["expires_in"] == 86_400 and body["token_type"] == "Bearer" and body["refresh_token"] == "none"
    assert post(sandbox, "{ professionalBaseRoles { id } }", token=body["access_token"]).status_code == 200


@pytest.mark.parametrize(("form", "error"), [
    ({"password": "wrong-password"}, "invalid_grant"),
    ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
    ({"username": ""}, "invalid_request"),
])
def test_bad_logins(sandbox: GraphQLSandbox, form: dict[str, str], error: str) -> None:
    reply = login(sandbox, **form)
    assert reply.status_code == 400 and reply.json()["error"] == error


def test_ten_logins_a_minute_per_user(sandbox: GraphQLSandbox, clock: FakeClock) -> None:
    assert [login(sandbox).status_code for _ in range(10)] == [200] * 10
    refused = login(sandbox)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    clock.advance(60)
    assert login(sandbox).status_code == 200


def test_tokens_expire(start: SandboxFactory, clock: FakeClock) -> None:
    sandbox = start(token_lifetime_s=5)
    token = login(sandbox).json()["access_token"]
    assert post(sandbox, "{ professionalBaseRoles { id } }", token=token).status_code == 200
    clock.advance(5)
    expired = post(sandbox, "{ professionalBaseRoles { id } }", token=token)
    assert expired.status_code == 401
    assert expired.json()["errors"][0]["extensions"] == {"name": "UNAUTHENTICATED", "retryPolicy": "NO_RETRY"}
    check = requests.get(sandbox.url.replace("/graphql", "/_authenticated"),
                         headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert check.status_code == 401 and check.json()["error"] == "invalid_token"


def test_401_without_a_token_and_415_without_json(sandbox: GraphQLSandbox) -> None:
    assert requests.post(sandbox.url, json={"query": "{ __typename }"}, timeout=5).status_code == 401
    wrong_type = requests.post(sandbox.url, data='{"query": "{ __typename }"}', timeout=5,
                               headers={"Authorization": f"Bearer {sandbox.tokens.issue()}",
                                        "Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
    assert wrong_type.json()["errors"][0]["extensions"]["name"] == "UNSUPPORTED_MEDIA_TYPE"


def test_syntax_and_schema_errors_are_400(sandbox: GraphQLSandbox) -> None:
    assert post(sandbox, "{ users { edges ").status_code == 400
    unknown = post(sandbox, "{ users { edges { node { nope } } } }")
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["message"] == "Cannot query field 'nope' on type 'User'."


def test_introspection_is_enabled(sandbox: GraphQLSandbox) -> None:
    reply = post(sandbox, get_introspection_query())
    schema = build_client_schema(reply.json()["data"])
    assert {"userCreate", "userUpdate", "userDelete"} <= set(schema.mutation_type.fields)  # type: ignore[union-attr]


def test_pages_hold_at_most_100_and_follow_the_cursor(sandbox: GraphQLSandbox) -> None:
    for n in range(130):
        sandbox.state.add_user("Professional", professional(n))
    query = "query($after: String) { users(first: 500, after: $after) { " \
            "pageInfo { hasNextPage endCursor } edges { node { id } } } }"
    first = post(sandbox, query).json()["data"]["users"]
    assert len(first["edges"]) == MAX_PAGE_SIZE and first["pageInfo"]["hasNextPage"] is True
    second = post(sandbox, query, {"after": first["pageInfo"]["endCursor"]}).json()["data"]["users"]
    assert len(second["edges"]) == 30 and second["pageInfo"]["hasNextPage"] is False
    bad = post(sandbox, query, {"after": "not-a-cursor"}).json()
    assert bad["errors"][0]["extensions"] == {"name": "BAD_USER_INPUT", "retryPolicy": "NO_RETRY"}


CREATE = """mutation($input: UserCreateInput!) { userCreate(input: $input) {
  user { id email } userErrors { __typename message } } }"""


def test_invalid_input_gives_user_errors_all_at_once(sandbox: GraphQLSandbox) -> None:
    sandbox.state.add_user("Professional", professional(1))
    data = {"email": "LIVE001@example.com", "lastName": "X", "userName": "X", "roleId": 99, "projectIds": [777],
            "externalId": "", "channels": {"chatConfiguration": {
                "isEnabled": True, "numberOfSlots": 2, "hasPriorityOnChat": False, "isAllowChatToVideo": True}}}
    payload = post(sandbox, CREATE, {"input": data}).json()["data"]["userCreate"]
    assert payload["user"] is None
    assert [error["__typename"] for error in payload["userErrors"]] == [
        "EmailAlreadyUsedError", "ExternalIdIsEmptyError", "UnknownRoleError", "UnknownProjectError",
        "ChatToVideoWithDisabledVideoError"]
    assert len(sandbox.state) == 1


def test_deletion_is_soft(sandbox: GraphQLSandbox) -> None:
    user_id = sandbox.state.add_user("Professional", professional(1))
    deleted = post(sandbox, f"mutation {{ userDelete(input: {{userId: {user_id}}}) {{ userId userErrors {{ message }} }} }}")
    assert deleted.json()["data"]["userDelete"] == {"userId": user_id, "userErrors": []}
    listed = post(sandbox, "{ users { edges { node { id } } } }").json()["data"]["users"]["edges"]
    one = post(sandbox, f"{{ user(userId: {user_id}) {{ isDeleted deletedAt }} }}").json()["data"]["user"]
    assert listed == [] and one["isDeleted"] is True and one["deletedAt"]
    again = post(sandbox, CREATE, {"input": {**professional(1), "lastName": "Again"}}).json()
    assert again["data"]["userCreate"]["userErrors"] == []  # a deleted user's email is free again


def test_faults_502_and_429_with_retry_after(sandbox: GraphQLSandbox) -> None:
    sandbox.faults = FaultConfig(error_rate=1.0)
    unavailable = post(sandbox, "{ __typename }")
    assert unavailable.status_code == 502
    assert unavailable.json()["errors"][0]["extensions"]["retryPolicy"] == "RETRY"
    sandbox.faults = FaultConfig(rate_limit=0.5)
    assert post(sandbox, "{ __typename }").status_code == 200
    limited = post(sandbox, "{ __typename }")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "2"


def test_the_state_file_keeps_users_across_restarts(start: SandboxFactory, tmp_path: Path) -> None:
    path = tmp_path / "graphql-state.json"
    first = start(state_path=path, demo=True)
    user_id = first.state.add_user("Professional", professional(1))
    first.stop()
    second = start(state_path=path, demo=True)  # demo seeds only an empty state
    assert second.state.get(user_id) is not None and len(second.state) == len(first.state)


def test_every_assumption_in_the_sdl_cites_the_shared_file() -> None:
    markers = re.findall(r"^\s*# ASSUMPTION:(.*)", default_sdl(), flags=re.MULTILINE)
    assert len(markers) >= 20
    assert all(re.match(r" §\d", marker) for marker in markers), markers
