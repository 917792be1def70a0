"""Tokens: one login per run, renewal near expiry and on 401 mid-run, the login limits,
ready tokens. Time moves only on the shared fake clock."""

from __future__ import annotations

import pytest
import requests
from graphql_support import EMAIL, PASSWORD, BackendFactory, FakeClock, SandboxFactory, operator

from rostersync.api.errors import AuthError
from rostersync.api.graphql import Credentials
from rostersync.sandbox.graphql import GraphQLSandbox


def statuses(sandbox: GraphQLSandbox, path: str = "/graphql") -> dict[int, int]:
    counts: dict[int, int] = {}
    for key, count in sandbox.request_counts().items():
        method_path, _, status = key.rpartition(" ")
        if method_path == f"POST {path}":
            counts[int(status)] = counts.get(int(status), 0) + count
    return counts


def test_logs_in_once_for_a_whole_run(sandbox: GraphQLSandbox, connect: BackendFactory) -> None:
    backend = connect(sandbox)
    record = backend.create_operator(operator(1))
    backend.list_operators()
    backend.update_operator(record.id, {"first_name": "Again"})
    backend.delete_operator(record.id)
    assert backend.login_count == 1 and sandbox.tokens.logins == 1
    assert statuses(sandbox, "/oauth2/token") == {200: 1}


def test_a_token_expired_mid_run_is_renewed_on_401(start: SandboxFactory, connect: BackendFactory,
                                                   clock: FakeClock) -> None:
    sandbox = start(token_lifetime_s=3_600)
    backend = connect(sandbox)
    record = backend.create_operator(operator(1))
    sandbox.tokens.expire_all()  # the server forgets the token: the client still thinks it valid
    backend.update_operator(record.id, {"first_name": "Renewed"})
    assert backend.get_operator(record.id).fields["first_name"] == "Renewed"
    assert statuses(sandbox)[401] == 1
    assert backend.login_count == 2


def test_a_token_near_expiry_is_renewed_before_it_is_refused(start: SandboxFactory, connect: BackendFactory,
                                                             clock: FakeClock) -> None:
    sandbox = start(token_lifetime_s=1_000)
    backend = connect(sandbox)
    backend.list_operators()
    clock.advance(950)  # less than a tenth of the lifetime left
    backend.list_operators()
    assert backend.login_count == 2
    assert 401 not in statuses(sandbox)
    clock.advance(10)
    backend.list_operators()
    assert backend.login_count == 2  # the new token is still young


def test_the_client_keeps_under_ten_logins_a_minute(start: SandboxFactory, connect: BackendFactory,
                                                    clock: FakeClock) -> None:
    sandbox = start(token_lifetime_s=2)
    backend = connect(sandbox)
    for _ in range(12):
        backend.list_operators()
        clock.advance(2.5)  # every token has expired at the next call
    assert backend.login_count == 12
    assert sandbox.tokens.refused == 0  # it waited rather than be refused
    assert any(wait > 20 for wait in clock.slept)


def test_a_429_from_the_token_endpoint_is_waited_out(sandbox: GraphQLSandbox, connect: BackendFactory,
                                                     clock: FakeClock) -> None:
    for _ in range(10):  # another process used up the minute's logins
        requests.post(sandbox.token_url, data={"username": EMAIL, "password": PASSWORD, "grant_type": "password"},
                      timeout=5)
    backend = connect(sandbox)
    assert backend.list_operators() == []
    assert sandbox.tokens.refused >= 1 and backend.login_count == 1
    assert statuses(sandbox, "/oauth2/token")[429] >= 1


def test_a_wrong_password_is_an_auth_error_without_retries(sandbox: GraphQLSandbox,
                                                           connect: BackendFactory) -> None:
    backend = connect(sandbox, Credentials(EMAIL, "not-the-password-123"))
    with pytest.raises(AuthError, match=r"login as api.user@maison-lumiere.fr refused \(400: Invalid username"):
        backend.list_operators()
    assert statuses(sandbox, "/oauth2/token") == {400: 1}
    assert statuses(sandbox) == {}


def test_a_ready_token_is_used_without_logging_in(sandbox: GraphQLSandbox, connect: BackendFactory) -> None:
    backend = connect(sandbox, Credentials(access_token=sandbox.tokens.issue()))
    assert backend.list_operators() == []
    assert backend.login_count == 0 and sandbox.tokens.logins == 0


def test_an_expired_ready_token_without_credentials_says_what_to_do(sandbox: GraphQLSandbox,
                                                                     connect: BackendFactory) -> None:
    backend = connect(sandbox, Credentials(access_token=sandbox.tokens.issue()))
    backend.list_operators()
    sandbox.tokens.expire_all()
    with pytest.raises(AuthError, match="refused the access token .*401.*set a new IADVIZE_ACCESS_TOKEN"):
        backend.list_operators()


def test_an_expired_ready_token_is_renewed_with_credentials(sandbox: GraphQLSandbox,
                                                            connect: BackendFactory) -> None:
    backend = connect(sandbox, Credentials(EMAIL, PASSWORD, access_token=sandbox.tokens.issue()))
    backend.list_operators()
    sandbox.tokens.expire_all()
    backend.list_operators()
    assert backend.login_count == 1
