"""The password and the tokens never show: not in logs, request events, exceptions,
reprs, nor in any URL the sandbox received."""

from __future__ import annotations

import logging

import pytest
from graphql_support import EMAIL, PASSWORD, BackendFactory, SandboxFactory, operator

from rostersync.api.errors import ApiError
from rostersync.api.graphql import Credentials, resolve_credentials
from rostersync.api.options import RequestEvent
from rostersync.sandbox.faults import FaultConfig


def test_no_secret_in_logs_events_errors_or_reprs(start: SandboxFactory, connect: BackendFactory,
                                                  events: list[RequestEvent], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sandbox = start(token_lifetime_s=3_600)
    backend = connect(sandbox)
    texts: list[str] = [repr(backend), repr(backend._auth), repr(backend._transport)]
    record = backend.create_operator(operator(1))
    sandbox.tokens.expire_all()  # a 401 and a renewal
    backend.update_operator(record.id, {"first_name": "Renewed"})
    sandbox.faults = FaultConfig(error_rate=1.0)
    failures: list[ApiError] = []
    for call in (backend.list_operators, lambda: backend.create_operator(operator(2))):
        with pytest.raises(ApiError) as caught:
            call()
        failures.append(caught.value)
    sandbox.faults = FaultConfig()
    with pytest.raises(ApiError) as caught:
        backend.create_operator(operator(1))  # userErrors: the email is taken
    failures.append(caught.value)
    sandbox.errors.add("users", f"echoing {PASSWORD}", name="BAD_USER_INPUT")  # a server that repeats it
    with pytest.raises(ApiError) as caught:
        backend.list_operators()
    failures.append(caught.value)
    wrong = connect(sandbox, Credentials(EMAIL, "Wr0ng-Passw0rd-never-shown"))
    with pytest.raises(ApiError) as caught:
        wrong.list_operators()
    failures.append(caught.value)

    texts += [caplog.text, repr(events)]
    texts += [text for error in failures for text in (str(error), repr(error), str(error.server_message))]
    secrets = [PASSWORD, "Wr0ng-Passw0rd-never-shown", *sandbox.tokens.issued]
    assert len(sandbox.tokens.issued) == 2
    for text in texts:
        for secret in secrets:
            assert secret not in text
    assert "echoing <redacted>" in str(failures[3])
    # Nothing ever travelled in a URL: every path the sandbox saw is a bare path.
    assert all("?" not in key for key in sandbox.request_counts())
    assert {event.path for event in events} >= {"/oauth2/token", "/graphql RostersyncUsers"}


def test_credentials_hide_their_secrets() -> None:
    credentials = resolve_credentials({"IADVIZE_EMAIL": EMAIL, "IADVIZE_PASSWORD": PASSWORD,
                                       "IADVIZE_ACCESS_TOKEN": "tok-abcdefghijklmnop"})
    assert PASSWORD not in repr(credentials) and "tok-abcdefghijklmnop" not in repr(credentials)
    assert credentials.can_log_in and credentials.access_token == "tok-abcdefghijklmnop"
