"""The schema check: the backend introspects the live schema once and refuses, naming
the field, before anything is written when its documents or variables do not fit.
Each test serves the sandbox with the shipped SDL changed the way the real API might be."""

from __future__ import annotations

import re

import pytest
from graphql_support import BackendFactory, SandboxFactory, operator, professional

from rostersync.api.graphql import SchemaMismatchError
from rostersync.sandbox.graphql import default_sdl


def changed_sdl(old: str, new: str, *, count: int = 0) -> str:
    sdl = default_sdl()
    assert re.search(old, sdl), old
    return re.sub(old, new, sdl, count=count)


def refused(start: SandboxFactory, connect: BackendFactory, sdl: str) -> SchemaMismatchError:
    sandbox = start(sdl=sdl)
    live = sandbox.state.add_user("Professional", professional(1))
    backend = connect(sandbox)
    with pytest.raises(SchemaMismatchError) as caught:
        backend.create_operator(operator(1))
    with pytest.raises(SchemaMismatchError):
        backend.update_operator(live, {"first_name": "Changed"})
    with pytest.raises(SchemaMismatchError):
        backend.delete_operator(live)
    # Introspection was the only operation executed: nothing was written, nothing even listed.
    assert set(sandbox.operation_counts()) == {"IntrospectionQuery 200"}
    assert sandbox.operation_counts()["IntrospectionQuery 200"] >= 1
    assert len(sandbox.state) == 1 and (sandbox.state.get(live) or {})["firstName"] == "Live1"
    return caught.value


def test_a_renamed_field_is_named_and_nothing_is_written(start: SandboxFactory, connect: BackendFactory) -> None:
    error = refused(start, connect, changed_sdl(r"\bhasPriorityOnChat\b", "hasChatPriority"))
    assert "Cannot query field 'hasPriorityOnChat' on type 'ChatConfiguration'" in str(error)
    assert "not to include unknown field 'hasPriorityOnChat'" in str(error)  # the input, via the variables
    assert "nothing was written" in str(error)
    assert any("RostersyncUserCreate (every field): $input.channels.chatConfiguration" in p for p in error.problems)


def test_a_renamed_input_field_shows_in_the_variables(start: SandboxFactory, connect: BackendFactory) -> None:
    sdl = changed_sdl(r"(input UserCreateInput \{[^}]*?)userName: String!", r"\1displayName: String!")
    error = refused(start, connect, sdl)
    assert "RostersyncUserCreate (the fewest fields): $input: " in str(error)
    assert "unknown field 'userName'" in str(error) and "required field 'displayName'" in str(error)


def test_a_renamed_argument_is_named(start: SandboxFactory, connect: BackendFactory) -> None:
    error = refused(start, connect, changed_sdl(r"user\(userId: LegacyId!\)", "user(id: LegacyId!)"))
    assert "Unknown argument 'userId' on field 'Query.user'" in str(error)


def test_a_new_required_input_field_is_named(start: SandboxFactory, connect: BackendFactory) -> None:
    error = refused(start, connect, changed_sdl(r"input UserUpdateInput \{", "input UserUpdateInput {\n  reason: String!"))
    assert "required field 'reason'" in str(error)


def test_a_missing_enum_value_is_named(start: SandboxFactory, connect: BackendFactory) -> None:
    error = refused(start, connect, changed_sdl(r"CLICK_TO_CALL_NUMBER\n", "PHONE\n"))
    assert "'CLICK_TO_CALL_NUMBER'" in str(error) and "CallRespondFrom" in str(error)


def test_a_payload_without_user_errors_is_named(start: SandboxFactory, connect: BackendFactory) -> None:
    sdl = changed_sdl(r"(type UserDeletePayload \{\n  userId: LegacyId\n)  userErrors: \[UserError!\]!", r"\1  errors: [UserError!]!")
    error = refused(start, connect, sdl)
    assert "Cannot query field 'userErrors' on type 'UserDeletePayload'" in str(error)


def test_the_users_filters_are_optional(start: SandboxFactory, connect: BackendFactory) -> None:
    sandbox = start(sdl=changed_sdl(r"\n    # ASSUMPTION: §8\.1: filter by[^\n]*\n    \w+: \w+", ""))
    in_scope = sandbox.state.add_user("Professional", professional(1, groupId=7))
    sandbox.state.add_user("Professional", professional(2, groupId=9))
    backend = connect(sandbox)
    assert backend.check_schema().user_filters == frozenset()
    assert [record.id for record in backend.list_operators({"group_id": 7})] == [in_scope]  # filtered here
    assert backend.find_operator_by_email("live002@example.com") is not None


def test_the_input_type_of_user_delete_is_read_not_assumed(start: SandboxFactory, connect: BackendFactory) -> None:
    sandbox = start(sdl=changed_sdl(r"\bUserDeleteInput\b", "DeleteUserMutationInput"))
    backend = connect(sandbox)
    record = backend.create_operator(operator(1))
    backend.delete_operator(record.id)
    assert backend.list_operators() == []


def test_the_schema_is_introspected_once(start: SandboxFactory, connect: BackendFactory) -> None:
    sandbox = start()
    backend = connect(sandbox)
    record = backend.create_operator(operator(1))
    backend.list_operators()
    backend.update_operator(record.id, {"chat_max_number": 5})
    backend.delete_operator(record.id)
    assert sandbox.operation_counts()["IntrospectionQuery 200"] == 1
