"""Faults from the sandbox (the REST sandbox's fault module): 429 with Retry-After,
502, lost replies, and GraphQL errors with extensions. Backoff costs no real time."""

from __future__ import annotations

import pytest
from graphql_support import BackendFactory, FakeClock, operator, professional

from rostersync.api.errors import AuthError, OutcomeUnknownError, RateLimitedError, RejectedError, ServerError
from rostersync.api.graphql import GraphQLBackend
from rostersync.sandbox.faults import FaultConfig
from rostersync.sandbox.graphql import GraphQLSandbox


def test_429_is_retried_after_retry_after_and_slows_every_call(sandbox: GraphQLSandbox, backend: GraphQLBackend,
                                                              clock: FakeClock) -> None:
    record = backend.create_operator(operator(1))
    sandbox.faults = FaultConfig(rate_limit=0.5)  # a burst of 1, then one request every 2 s
    sandbox.reset_counts()
    for n in range(3):
        backend.update_operator(record.id, {"first_name": f"Paced{n}"})
    assert backend.get_operator(record.id).fields["first_name"] == "Paced2"
    assert sandbox.fault_counts()["rate_limited"] >= 2
    assert 2.0 in clock.slept  # Retry-After: 2, honoured


def test_429_still_after_every_attempt_is_a_rate_limited_error(sandbox: GraphQLSandbox,
                                                               connect: BackendFactory) -> None:
    backend = connect(sandbox, max_attempts=3)
    backend.check_schema()
    sandbox.faults = FaultConfig(rate_limit=0.001)
    backend.list_operators()  # the bucket's one token
    with pytest.raises(RateLimitedError, match="rate-limited by the API"):
        backend.list_operators()


def test_502_is_retried_for_reads_and_updates(sandbox: GraphQLSandbox, backend: GraphQLBackend) -> None:
    record = backend.create_operator(operator(1))
    for n in range(20):
        sandbox.state.add_user("Professional", professional(n))
    sandbox.faults = FaultConfig(error_rate=0.3, seed=7)
    assert len(backend.list_operators()) == 21
    for n in range(5):
        backend.update_operator(record.id, {"first_name": f"Retried{n}"})
    sandbox.faults = FaultConfig()
    assert backend.get_operator(record.id).fields["first_name"] == "Retried4"
    assert sandbox.fault_counts()["errors"] >= 3
    assert any(key.endswith(" 502") for key in sandbox.request_counts())


def test_502_on_a_create_is_an_unknown_outcome_not_a_retry(sandbox: GraphQLSandbox,
                                                           backend: GraphQLBackend) -> None:
    backend.create_operator(operator(0))  # the schema and the base roles are read
    sandbox.reset_counts()
    sandbox.faults = FaultConfig(error_rate=1.0)
    with pytest.raises(OutcomeUnknownError, match="look it up"):
        backend.create_operator(operator(1))
    assert sandbox.request_counts()["POST /graphql 502"] == 1  # sent once, never repeated blindly


def test_a_lost_create_reply_is_found_by_email_afterwards(sandbox: GraphQLSandbox, backend: GraphQLBackend) -> None:
    backend.create_operator(operator(0))
    sandbox.faults = FaultConfig(drop_rate=1.0)
    with pytest.raises(OutcomeUnknownError):
        backend.create_operator(operator(1))
    sandbox.faults = FaultConfig()
    found = backend.find_operator_by_email("OP001@example.com")
    assert found is not None and found.fields["pseudo"] == "Op1"  # apply adopts it


def test_a_lost_delete_reply_then_not_found_counts_as_done(sandbox: GraphQLSandbox, backend: GraphQLBackend) -> None:
    record = backend.create_operator(operator(1))
    sandbox.faults = FaultConfig(drop_rate=1.0)  # the delete is done, its reply lost; the retry finds nothing
    backend.delete_operator(record.id)
    sandbox.faults = FaultConfig()
    assert (sandbox.state.get(record.id) or {})["isDeleted"] is True


def test_a_read_error_that_allows_retrying_is_retried(sandbox: GraphQLSandbox, backend: GraphQLBackend) -> None:
    backend.check_schema()
    sandbox.errors.add("users", "Temporary failure", name="INTERNAL_SERVER_ERROR", retry_policy="RETRY", times=2)
    assert backend.list_operators() == []
    assert sandbox.operation_counts()["RostersyncUsers 200"] == 3


def test_a_no_retry_error_is_not_retried(sandbox: GraphQLSandbox, backend: GraphQLBackend) -> None:
    backend.check_schema()
    sandbox.errors.add("users", "Bad filter", name="BAD_USER_INPUT", retry_policy="NO_RETRY")
    with pytest.raises(RejectedError, match=r"the API answered an error: Bad filter \(BAD_USER_INPUT\)"):
        backend.list_operators()
    assert sandbox.operation_counts()["RostersyncUsers 200"] == 1


def test_permission_denied_fails_the_write_as_an_auth_error(sandbox: GraphQLSandbox, backend: GraphQLBackend) -> None:
    record = backend.create_operator(operator(1))
    sandbox.errors.add("userUpdate", "Insufficient permissions to perform the operation", name="PERMISSION_DENIED")
    with pytest.raises(AuthError, match="Insufficient permissions.*PERMISSION_DENIED"):
        backend.update_operator(record.id, {"first_name": "Denied"})
    assert backend.get_operator(record.id).fields["first_name"] == "First1"


def test_a_write_error_is_never_retried(sandbox: GraphQLSandbox, backend: GraphQLBackend) -> None:
    record = backend.create_operator(operator(1))
    sandbox.errors.add("userUpdate", "Temporary failure", name="INTERNAL_SERVER_ERROR", retry_policy="RETRY")
    with pytest.raises(RejectedError):
        backend.update_operator(record.id, {"first_name": "Once"})
    assert sandbox.operation_counts()["RostersyncUserUpdate 200"] == 1


def test_server_errors_still_after_every_attempt(sandbox: GraphQLSandbox, connect: BackendFactory) -> None:
    backend = connect(sandbox, max_attempts=2)
    backend.check_schema()
    sandbox.faults = FaultConfig(error_rate=1.0)
    with pytest.raises(ServerError, match="502"):
        backend.list_operators()
