"""The GraphQL backend against the GraphQL sandbox over loopback: the operator methods
the engine uses, with the REST client's field names and records."""

from __future__ import annotations

import pytest
from graphql_support import BackendFactory, SandboxFactory, operator, professional

from rostersync.api.errors import NotFoundError, RejectedError
from rostersync.api.graphql import GraphQLBackend, UserErrorsError
from rostersync.api.records import OperatorRecord
from rostersync.sandbox.graphql import CUSTOM_ROLE_ID, NON_PROFESSIONALS, GraphQLSandbox


def mutations(sandbox: GraphQLSandbox) -> dict[str, int]:
    return {key: count for key, count in sandbox.operation_counts().items() if "UserCreate" in key
            or "UserUpdate" in key or "UserDelete" in key}


def test_round_trip_create_list_update_list_delete(sandbox: GraphQLSandbox, backend: GraphQLBackend) -> None:
    created = backend.create_operator(operator(1, roles=["manager"], chat_enabled=True, chat_max_number=4,
                                               chat_priority=10, language_list=["fr", "en"], language_admin="fr",
                                               website_list=[456, 123], skill_list=[101], group_id=7,
                                               external_id="HR-1"))
    assert isinstance(created, OperatorRecord)
    listed = backend.list_operators()
    assert [record.id for record in listed] == [created.id]
    fields = listed[0].fields
    assert fields["email"] == "op001@example.com" and fields["name"] == "Name1" and fields["pseudo"] == "Op1"
    assert fields["roles"] == ["manager"] and fields["external_id"] == "HR-1" and fields["group_id"] == 7
    assert (fields["chat_enabled"], fields["chat_max_number"], fields["chat_priority"]) == (True, 4, 10)
    assert fields["language_list"] == ["en", "fr"] and fields["language_admin"] == "fr"
    assert fields["website_list"] == [123, 456] and fields["skill_list"] == [101]
    assert listed[0].problems == ()

    updated = backend.update_operator(created.id, {"chat_max_number": 2, "roles": ["admin"], "skill_list": []})
    assert updated is not None and updated.fields["chat_max_number"] == 2
    after = backend.list_operators()[0].fields
    assert after["chat_max_number"] == 2 and after["roles"] == ["admin"] and after["skill_list"] == []
    # The rest of the chat configuration, sent whole, kept its live values.
    assert (after["chat_enabled"], after["chat_priority"]) == (True, 10)

    backend.delete_operator(created.id)
    assert backend.list_operators() == []
    assert (sandbox.state.get(created.id) or {})["isDeleted"] is True  # soft deletion
    with pytest.raises(NotFoundError):
        backend.get_operator(created.id)


def test_call_config_round_trips_through_call_configuration(backend: GraphQLBackend) -> None:
    config = {"type": "ANSWER_FROM_PHONE", "phone_number": "+33612345678",
              "ask_phone_number_at_every_connection": True}
    record = backend.create_operator(operator(2, call_enabled=True, call_priority=10, call_config=config))
    assert record.fields["call_config"] == config and record.fields["call_priority"] == 10
    backend.update_operator(record.id, {"call_config": {"type": "ANSWER_FROM_DESK",
                                                        "ask_phone_number_at_every_connection": False}})
    assert backend.get_operator(record.id).fields["call_config"] == {
        "type": "ANSWER_FROM_DESK", "phone_number": "+33612345678", "ask_phone_number_at_every_connection": False}


def test_non_professional_users_are_never_operators(sandbox: GraphQLSandbox, backend: GraphQLBackend) -> None:
    ids = {typename: sandbox.state.add_user(typename, fields) for typename, fields in NON_PROFESSIONALS}
    live = sandbox.state.add_user("Professional", professional(1))
    assert [record.id for record in backend.list_operators()] == [live]
    assert [record.id for record in backend.list_operators({"website_id": 123})] == [live]
    for (typename, fields), user_id in zip(NON_PROFESSIONALS, ids.values(), strict=True):
        with pytest.raises(NotFoundError):
            backend.get_operator(user_id)
        assert backend.find_operator_by_email(fields["email"]) is None, typename


def test_demo_account_lists_its_professionals_only(start: SandboxFactory, connect: BackendFactory) -> None:
    sandbox = start(demo=True)
    emails = [record.fields["email"] for record in connect(sandbox).list_operators()]
    assert len(emails) == 10 and "camille.martin@maison-lumiere.fr" in emails
    assert not {fields["email"] for _, fields in NON_PROFESSIONALS} & set(emails)


def test_pages_of_100_each_requested_once(sandbox: GraphQLSandbox, backend: GraphQLBackend) -> None:
    for n in range(230):
        sandbox.state.add_user("Professional", professional(n))
    sandbox.reset_counts()
    records = backend.list_operators()
    assert len(records) == 230 and len({record.id for record in records}) == 230
    assert sandbox.operation_counts()["RostersyncUsers 200"] == 3  # ceil(230 / 100), once each


def test_scope_filters_go_to_the_query_and_are_checked_here(sandbox: GraphQLSandbox,
                                                            backend: GraphQLBackend) -> None:
    in_scope = sandbox.state.add_user("Professional", professional(1, groupId=7, projectIds=[123]))
    sandbox.state.add_user("Professional", professional(2, groupId=9, projectIds=[123]))
    sandbox.state.add_user("Professional", professional(3, groupId=7, projectIds=[456]))
    assert [r.id for r in backend.list_operators({"group_id": 7, "website_id": 123})] == [in_scope]
    assert backend.check_schema().user_filters == {"email", "group_id", "website_id"}
    found = backend.find_operator_by_email("LIVE001@Example.com")
    assert found is not None and found.id == in_scope


def test_user_errors_fail_the_change_with_the_api_message(sandbox: GraphQLSandbox,
                                                          backend: GraphQLBackend) -> None:
    sandbox.state.add_user("Professional", professional(1, email="taken@example.com"))
    with pytest.raises(UserErrorsError) as caught:
        backend.create_operator(operator(1, email="Taken@example.com"))
    assert "EmailAlreadyUsedError: The email provided is already used" in str(caught.value)
    assert caught.value.user_errors == (("EmailAlreadyUsedError", "The email provided is already used"),)
    assert isinstance(caught.value, RejectedError)  # apply reports it as that change's failure
    assert len(sandbox.state) == 1

    record = backend.create_operator(operator(2))
    with pytest.raises(UserErrorsError, match="ChatAndCallWithDisabledCallError"):
        backend.update_operator(record.id, {"chat_and_call": True, "call_enabled": False})
    with pytest.raises(UserErrorsError, match="UnknownProjectError"):
        backend.update_operator(record.id, {"website_list": [999]})
    assert backend.get_operator(record.id).fields["website_list"] == []


def test_a_missing_user_is_not_found(backend: GraphQLBackend) -> None:
    with pytest.raises(NotFoundError, match="UserNotFoundError"):
        backend.update_operator(4242, {"first_name": "Ghost"})
    with pytest.raises(NotFoundError, match="UserNotFoundError"):
        backend.delete_operator(4242)


@pytest.mark.parametrize(("fields", "named"), [
    ({"sso_key": "s3cr3t-sso"}, "sso_key: the GraphQL API has no counterpart"),
    ({"roles": ["expert"]}, "cannot express 'expert'"),
    ({"roles": ["manager", "operator"]}, "at most 1 value(s), got 2"),
])
def test_what_graphql_cannot_express_is_refused_before_sending(sandbox: GraphQLSandbox, backend: GraphQLBackend,
                                                               fields: dict[str, object], named: str) -> None:
    record = backend.create_operator(operator(1))
    sandbox.reset_counts()
    with pytest.raises(RejectedError, match=named.replace("(", r"\(").replace(")", r"\)")):
        backend.create_operator(operator(2, **fields))
    with pytest.raises(RejectedError, match=named.replace("(", r"\(").replace(")", r"\)")):
        backend.update_operator(record.id, fields)
    assert mutations(sandbox) == {}
    assert "s3cr3t-sso" not in repr(GraphQLBackend.capabilities.problems(fields))


def test_create_needs_what_the_api_requires(sandbox: GraphQLSandbox, backend: GraphQLBackend) -> None:
    with pytest.raises(RejectedError, match="pseudo: the GraphQL API requires it"):
        backend.create_operator({"email": "x@example.com", "name": "X"})
    assert GraphQLBackend.capabilities.problems({"email": "x@example.com"}, creating=True) == [
        ("name", "the GraphQL API requires it to create an operator"),
        ("pseudo", "the GraphQL API requires it to create an operator"),
    ]
    assert mutations(sandbox) == {}


def test_a_custom_role_reads_as_its_base_role_with_a_warning(sandbox: GraphQLSandbox,
                                                             backend: GraphQLBackend) -> None:
    sandbox.state.add_user("Professional", professional(1, roleId=CUSTOM_ROLE_ID))
    (record,) = backend.list_operators()
    assert record.fields["roles"] == ["operator"]
    assert "custom role 'Senior operator' (based on OPERATOR)" in record.problems[0]


def test_repr_of_records_and_backend(backend: GraphQLBackend) -> None:
    assert repr(backend) == f"GraphQLBackend(endpoint={backend.endpoint!r}, credentials=<redacted>)"
    assert GraphQLBackend.capabilities.fields >= {"email", "roles", "website_list", "call_config"}
    assert "sso_key" not in GraphQLBackend.capabilities.fields
