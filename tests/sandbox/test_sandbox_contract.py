"""The sandbox against the documentation, over real HTTP: auth, envelope, pagination,
filters, create, validation, update, delete, statistic and profile.

Live availability, faults, persistence and the CLI have files of their own.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from rostersync.sandbox import Sandbox

DOCUMENTED_FIELDS = {
    "id", "name", "first_name", "pseudo", "email", "external_id", "role", "roles",
    "chat_enabled", "call_enabled", "video_enabled", "chat_max_number", "chat_and_call",
    "chat_to_video", "chat_priority", "call_priority", "video_priority", "language_list",
    "language_admin", "group_id", "website_list", "skill_list", "sso_key", "call_config",
}

FORBIDDEN = {"meta": {"status": "error", "message": "Forbidden"}}


def assert_fail(response: requests.Response, status: int, *fragments: str) -> str:
    """The documented failure envelope, with every fragment in its message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"meta"}
    assert body["meta"]["status"] == "fail"
    message: str = body["meta"]["message"]
    for fragment in fragments:
        assert fragment in message
    return message


# ---------------------------------------------------------------- auth

class TestAuth:
    def test_header(self, clean_sandbox: Sandbox) -> None:
        response = requests.get(f"{clean_sandbox.url}/operator", timeout=10,
                                headers={"X-API-Key": clean_sandbox.api_key})
        assert response.status_code == 200

    def test_query_parameter(self, clean_sandbox: Sandbox) -> None:
        response = requests.get(f"{clean_sandbox.url}/operator", timeout=10,
                                params={"key": clean_sandbox.api_key})
        assert response.status_code == 200

    def test_basic_username_with_any_password(self, clean_sandbox: Sandbox) -> None:
        response = requests.get(f"{clean_sandbox.url}/operator", timeout=10,
                                auth=(clean_sandbox.api_key, "whatever"))
        assert response.status_code == 200

    @pytest.mark.parametrize("how", ["none", "header", "query", "basic", "basic-password"])
    def test_missing_or_wrong_key_is_403(self, clean_sandbox: Sandbox, how: str) -> None:
        choices: dict[str, dict[str, Any]] = {
            "none": {},
            "header": {"headers": {"X-API-Key": "wrong"}},
            "query": {"params": {"key": "wrong"}},
            "basic": {"auth": ("wrong", "")},
            # The key in the password is not the documented place.
            "basic-password": {"auth": ("someone", clean_sandbox.api_key)},
        }
        response = requests.get(f"{clean_sandbox.url}/operator", timeout=10, **choices[how])
        assert response.status_code == 403
        assert response.json() == FORBIDDEN

    @pytest.mark.parametrize("method,path", [
        ("POST", "/operator"), ("PUT", "/operator/1001"), ("DELETE", "/operator/1001"),
        ("GET", "/operator/live"), ("GET", "/no/such/route"),
    ])
    def test_every_endpoint_needs_the_key(self, clean_sandbox: Sandbox, method: str,
                                          path: str) -> None:
        response = requests.request(method, clean_sandbox.url + path, timeout=10)
        assert (response.status_code, response.json()) == (403, FORBIDDEN)


# ---------------------------------------------------------------- envelope

class TestEnvelope:
    def test_one_object(self, api: Any) -> None:
        created = api.create(email="ana@example.com")
        response = api.get(f"/operator/{created['id']}")
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/json")
        body = response.json()
        assert body["meta"] == {"status": "success"}
        assert set(body) == {"meta", "data"}
        assert set(body["data"]) == DOCUMENTED_FIELDS | {"_link"}
        assert body["data"]["_link"] == f"/operator/{created['id']}"

    def test_list(self, api: Any) -> None:
        ids = [api.create(email=f"op{n}@example.com")["id"] for n in range(3)]
        body = api.get("/operator").json()
        assert body["meta"] == {"status": "success"}
        assert body["pagination"] == {"page": 1, "pages": 1, "limit": 20, "count": 3}
        assert body["data"] == [{"id": i, "_link": f"/operator/{i}"} for i in ids]

    def test_create_is_201_and_returns_the_operator(self, api: Any) -> None:
        response = api.post("/operator", {"email": "new@example.com"})
        assert response.status_code == 201
        body = response.json()
        assert body["meta"] == {"status": "success"}
        assert body["data"]["email"] == "new@example.com"
        assert isinstance(body["data"]["id"], int)

    def test_unknown_operator(self, api: Any) -> None:
        response = api.get("/operator/456")
        assert response.status_code == 404
        assert response.json() == {
            "meta": {"status": "fail", "message": "Unknown 'operator' with 'id' 456."}}

    @pytest.mark.parametrize("path", ["/operators", "/operator/abc", "/operator/12/nothing", ""])
    def test_unknown_route(self, api: Any, path: str) -> None:
        response = api.get(path)
        assert response.status_code == 404
        assert response.json()["meta"]["status"] == "error"
        assert "Unknown route" in response.json()["meta"]["message"]

    def test_outside_the_api_prefix(self, clean_sandbox: Sandbox) -> None:
        root = clean_sandbox.url.removesuffix("/api/2")
        response = requests.get(f"{root}/operator", timeout=10)
        assert response.status_code == 404
        assert response.json()["meta"]["status"] == "error"

    def test_wrong_method_on_a_known_path(self, api: Any) -> None:
        response = api.session.patch(f"{api.url}/operator", timeout=10)
        assert response.status_code == 405
        assert response.headers["Allow"] == "GET, POST"
        assert response.json()["meta"]["status"] == "error"

    def test_trailing_slash_is_the_same_resource(self, api: Any) -> None:
        assert api.get("/operator/").status_code == 200


# ---------------------------------------------------------------- pagination

class TestPagination:
    @pytest.fixture
    def ids(self, clean_sandbox: Sandbox) -> list[int]:
        return clean_sandbox.store.bulk_add(
            {"email": f"p{n:03}@example.com"} for n in range(250))

    def test_walking_every_page_sees_each_operator_once_in_id_order(
            self, api: Any, ids: list[int]) -> None:
        seen: list[int] = []
        page = 1
        while True:
            body = api.get("/operator", params={"page": page, "limit": 30}).json()
            assert body["pagination"] == {"page": page, "pages": 9, "limit": 30, "count": 250}
            seen += [item["id"] for item in body["data"]]
            if body["pagination"]["page"] == body["pagination"]["pages"]:
                break
            page += 1
        assert seen == ids == sorted(ids)

    def test_default_limit_is_20(self, api: Any, ids: list[int]) -> None:
        body = api.get("/operator").json()
        assert body["pagination"] == {"page": 1, "pages": 13, "limit": 20, "count": 250}
        assert len(body["data"]) == 20

    def test_limit_above_100_is_clamped_silently(self, api: Any, ids: list[int]) -> None:
        body = api.get("/operator", params={"limit": 1000, "page": 3}).json()
        assert body["pagination"] == {"page": 3, "pages": 3, "limit": 100, "count": 250}
        assert [item["id"] for item in body["data"]] == ids[200:]

    def test_page_past_the_end_is_empty(self, api: Any, ids: list[int]) -> None:
        body = api.get("/operator", params={"limit": 100, "page": 4}).json()
        assert body["data"] == []
        assert body["pagination"]["pages"] == 3

    def test_empty_list_has_one_page(self, api: Any) -> None:
        body = api.get("/operator").json()
        assert body["data"] == []
        assert body["pagination"] == {"page": 1, "pages": 1, "limit": 20, "count": 0}

    @pytest.mark.parametrize("params,field", [
        ({"page": 0}, "page"), ({"page": "two"}, "page"), ({"limit": 0}, "limit"),
        ({"limit": -5}, "limit"),
    ])
    def test_bad_page_or_limit(self, api: Any, params: dict[str, Any], field: str) -> None:
        assert_fail(api.get("/operator", params=params), 400, f"'{field}'")


# ---------------------------------------------------------------- full=1

def test_items_hold_only_id_and_link_unless_full(api: Any) -> None:
    created = api.create(email="full@example.com", name="Full", chat_enabled=True)
    short = api.get("/operator").json()["data"]
    assert short == [{"id": created["id"], "_link": created["_link"]}]
    full = api.get("/operator", params={"full": 1}).json()["data"]
    assert full == [api.get(f"/operator/{created['id']}").json()["data"]]
    assert set(full[0]) == DOCUMENTED_FIELDS | {"_link"}


# ---------------------------------------------------------------- filters

FILTER_TEAM: list[dict[str, Any]] = [
    {"email": "Julie.Martin@Example.com", "name": "Martin", "external_id": "EMP-1",
     "group_id": 7, "website_list": [123, 456], "skill_list": [101, 102]},
    {"email": "juliette.roux@example.com", "name": "Roux", "external_id": "emp-2",
     "group_id": 7, "website_list": [123], "skill_list": [103]},
    {"email": "paul.julien@example.fr", "name": "Julien", "external_id": "EMP-3",
     "group_id": 8, "website_list": [456], "skill_list": [101]},
    {"email": "oliver@example.co.uk", "name": "Smith", "external_id": "X-9",
     "website_list": [789]},
]


class TestFilters:
    @pytest.fixture
    def team(self, clean_sandbox: Sandbox) -> dict[str, int]:
        ids = clean_sandbox.store.bulk_add(FILTER_TEAM)
        pairs = zip(FILTER_TEAM, ids, strict=True)
        return {operator["name"]: operator_id for operator, operator_id in pairs}

    def names(self, api: Any, team: dict[str, int], filters: dict[str, Any]) -> list[str]:
        params = {f"filters[{name}]": value for name, value in filters.items()}
        response = api.get("/operator", params=params)
        assert response.status_code == 200, response.text
        by_id = {operator_id: name for name, operator_id in team.items()}
        return [by_id[item["id"]] for item in response.json()["data"]]

    @pytest.mark.parametrize("filters,expected", [
        ({"group_id": 7}, ["Martin", "Roux"]),
        ({"website_id": 456}, ["Martin", "Julien"]),
        ({"website_list": "456,789"}, ["Martin", "Julien", "Smith"]),
        ({"website_list": "999, 123"}, ["Martin", "Roux"]),
        ({"skill_id": 101}, ["Martin", "Julien"]),
        ({"name": "martin"}, ["Martin"]),
        ({"name": "*uli*"}, ["Julien"]),
        ({"name": "J*"}, ["Julien"]),
        ({"name": "*"}, ["Martin", "Roux", "Julien", "Smith"]),
        ({"email": "JULIE.MARTIN@example.COM"}, ["Martin"]),
        ({"email": "*uli*"}, ["Martin", "Roux", "Julien"]),
        ({"email": "*@example.com"}, ["Martin", "Roux"]),
        ({"external_id": "EMP-1"}, ["Martin"]),
        ({"external_id": "emp-1"}, []),
        ({"external_id": "EMP-*"}, ["Martin", "Julien"]),
        ({"name": "Mart"}, []),
        ({"group_id": 7, "skill_id": 103}, ["Roux"]),
        ({"email": "a.b+c@example.com"}, []),
    ])
    def test_filter(self, api: Any, team: dict[str, int], filters: dict[str, Any],
                    expected: list[str]) -> None:
        assert self.names(api, team, filters) == expected

    def test_id(self, api: Any, team: dict[str, int]) -> None:
        assert self.names(api, team, {"id": team["Roux"]}) == ["Roux"]

    def test_count_is_the_number_of_matches(self, api: Any, team: dict[str, int]) -> None:
        body = api.get("/operator", params={"filters[group_id]": 7, "limit": 1}).json()
        assert body["pagination"] == {"page": 1, "pages": 2, "limit": 1, "count": 2}

    @pytest.mark.parametrize("params,fragment", [
        ({"filters[id]": "abc"}, "filter 'id'"),
        ({"filters[website_list]": "1,,2"}, "filter 'website_list'"),
        ({"filters": "name"}, "'filters'"),
    ])
    def test_bad_filter_is_400(self, api: Any, team: dict[str, int], params: dict[str, str],
                               fragment: str) -> None:
        assert_fail(api.get("/operator", params=params), 400, fragment)


# ---------------------------------------------------------------- create

class TestCreate:
    def test_nested_and_list_fields_from_a_php_form(self, api: Any, build_query: Any) -> None:
        sent = {
            "name": "Martin", "first_name": "Julie", "pseudo": "Ju",
            "email": "julie@example.com", "external_id": "EMP-1",
            "roles": ["operator", "manager"], "chat_enabled": True, "call_enabled": True,
            "video_enabled": False, "chat_max_number": 4, "chat_and_call": True,
            "chat_to_video": False, "chat_priority": 10, "call_priority": 0,
            "video_priority": 10, "language_list": ["fr", "en"], "language_admin": "fr",
            "group_id": 7, "website_list": [456, 123], "skill_list": [101, 103],
            "sso_key": "s3cr3t-sso",
            "call_config": {"type": "ANSWER_FROM_PHONE",
                            "ask_phone_number_at_every_connection": False,
                            "phone_number": "+33123456789"},
        }
        body = build_query(sent)
        assert "roles%5B1%5D=manager" in body and "call_config%5Btype%5D" in body
        response = api.post("/operator", body)
        assert response.status_code == 201, response.text
        data = response.json()["data"]
        expected = dict(sent, website_list=[123, 456], role="manager",
                        _link=f"/operator/{data['id']}", id=data["id"])
        assert data == expected
        assert api.get(f"/operator/{data['id']}").json()["data"] == expected

    def test_defaults(self, api: Any) -> None:
        data = api.create(email="only@example.com")
        assert {key: value for key, value in data.items() if key not in ("id", "_link")} == {
            "name": None, "first_name": None, "pseudo": None, "email": "only@example.com",
            "external_id": None, "role": "operator", "roles": ["operator"],
            "chat_enabled": False, "call_enabled": False, "video_enabled": False,
            "chat_max_number": 3, "chat_and_call": False, "chat_to_video": False,
            "chat_priority": 0, "call_priority": 0, "video_priority": 0, "language_list": [],
            "language_admin": "en", "group_id": None, "website_list": [], "skill_list": [],
            "sso_key": None,
            "call_config": {"type": "ANSWER_FROM_DESK",
                            "ask_phone_number_at_every_connection": False,
                            "phone_number": None},
        }

    @pytest.mark.parametrize("raw,expected", [("1", True), ("0", False), ("true", True),
                                              ("false", False), ("TRUE", True)])
    def test_booleans(self, api: Any, raw: str, expected: bool) -> None:
        data = api.create(email="b@example.com", chat_enabled=raw)
        assert data["chat_enabled"] is expected

    def test_append_style_lists(self, api: Any) -> None:
        response = api.post("/operator", "email=a%40example.com&roles[]=expert&roles[]=admin")
        assert response.json()["data"]["roles"] == ["expert", "admin"]

    @pytest.mark.parametrize("role", ["operator", "manager", "admin"])
    def test_deprecated_role_sets_roles(self, api: Any, role: str) -> None:
        data = api.create(email="r@example.com", role=role)
        assert (data["roles"], data["role"]) == ([role], role)

    def test_roles_win_over_the_deprecated_role(self, api: Any) -> None:
        data = api.create(email="r@example.com", role="admin", roles=["operator"])
        assert (data["roles"], data["role"]) == (["operator"], "operator")

    @pytest.mark.parametrize("roles,role", [
        (["operator", "admin"], "admin"), (["manager", "expert"], "manager"),
        (["expert"], "expert"), (["expert", "operator"], "operator"),
    ])
    def test_read_role_is_the_most_privileged(self, api: Any, roles: list[str], role: str) -> None:
        assert api.create(email="r@example.com", roles=roles)["role"] == role

    def test_email_is_stored_lower_case(self, api: Any) -> None:
        assert api.create(email="Julie.Martin@Example.COM")["email"] == "julie.martin@example.com"

    def test_unknown_fields_and_id_are_ignored(self, api: Any) -> None:
        data = api.create(email="u@example.com", id=5, favourite_colour="blue")
        assert data["id"] != 5
        assert "favourite_colour" not in data

    def test_json_body_is_ignored(self, api: Any) -> None:
        response = api.session.post(f"{api.url}/operator", json={"email": "j@example.com"},
                                    timeout=10)
        assert_fail(response, 400, "'email'")
        assert api.sandbox.store.ids() == []

    def test_ids_are_not_reused(self, api: Any) -> None:
        first = api.create(email="a@example.com")["id"]
        assert api.delete(f"/operator/{first}").status_code == 200
        assert api.create(email="a@example.com")["id"] > first


# ---------------------------------------------------------------- validation

INVALID_CREATES: list[tuple[dict[str, Any] | str, str, str]] = [
    ({}, "'email'", "email address"),
    ({"email": "not-an-email"}, "'email'", "valid email"),
    ({"email": "a@b"}, "'email'", "valid email"),
    ({"email": "a b@example.com"}, "'email'", "valid email"),
    ("email=a%40example.com&roles=", "'roles'", "at least one role"),
    ({"roles": ["operator", "boss"]}, "'roles'", "'boss'"),
    ({"role": "expert"}, "'role'", "operator, manager, admin"),
    ({"chat_priority": 5}, "Invalid value for 'chat_priority': must be 0 or 10.", ""),
    ({"call_priority": "high"}, "'call_priority'", "0 or 10"),
    ({"video_priority": 1}, "'video_priority'", "0 or 10"),
    ({"chat_max_number": 0}, "'chat_max_number'", "positive integer"),
    ({"chat_max_number": "three"}, "'chat_max_number'", "integer"),
    ({"chat_enabled": "yes"}, "'chat_enabled'", "1 or 0"),
    ({"language_admin": "it"}, "'language_admin'", "de, en, es, fr"),
    ({"language_list": ["EN"]}, "'language_list'", "ISO 639-1"),
    ({"language_list": ["fr", "xx"]}, "'language_list'", "'xx'"),
    ({"language_list": ["eng"]}, "'language_list'", "ISO 639-1"),
    ({"group_id": "seven"}, "'group_id'", "integer"),
    ({"website_list": ["abc"]}, "'website_list'", "list of positive integers"),
    ("email=a%40example.com&website_list=123", "'website_list'", "must be a list"),
    ({"skill_list": [0]}, "'skill_list'", "list of positive integers"),
    ({"call_config": {"type": "ANSWER_FROM_MARS"}}, "'call_config[type]'", "ANSWER_FROM_PHONE"),
    ({"call_config": {"type": "ANSWER_FROM_PHONE"}}, "'call_config'", "phone_number"),
    ({"call_config": {"type": "ANSWER_FROM_PHONE", "phone_number": "0612345678"}},
     "'call_config[phone_number]'", "+33123456789"),
    ({"call_config": {"ask_phone_number_at_every_connection": "maybe"}},
     "'call_config[ask_phone_number_at_every_connection]'", "1 or 0"),
    ("email=a%40example.com&call_config=desk", "'call_config'", "object"),
]


class TestValidation:
    @pytest.mark.parametrize("fields,field_fragment,reason_fragment", INVALID_CREATES)
    def test_invalid_create_is_400_and_stores_nothing(
            self, api: Any, fields: dict[str, Any] | str, field_fragment: str,
            reason_fragment: str) -> None:
        if isinstance(fields, dict) and fields and "email" not in fields:
            fields = {"email": "v@example.com", **fields}
        assert_fail(api.post("/operator", fields), 400, field_fragment, reason_fragment)
        assert api.sandbox.store.ids() == []

    def test_answer_from_phone_with_ask_at_every_connection_is_valid(self, api: Any) -> None:
        data = api.create(email="p@example.com", call_config={
            "type": "ANSWER_FROM_PHONE", "ask_phone_number_at_every_connection": 1})
        assert data["call_config"]["phone_number"] is None

    def test_every_problem_is_reported_at_once(self, api: Any) -> None:
        message = assert_fail(api.post("/operator", {"email": "x", "chat_priority": 3,
                                                      "language_admin": "xx"}), 400)
        assert message.index("'email'") < message.index("'chat_priority'") < message.index(
            "'language_admin'")

    def test_email_is_unique_without_case(self, api: Any) -> None:
        first = api.create(email="julie@example.com")
        message = assert_fail(api.post("/operator", {"email": "JULIE@example.com"}), 400)
        assert message == f"Email 'julie@example.com' is already used by operator {first['id']}."
        assert api.sandbox.store.ids() == [first["id"]]

    def test_update_to_a_taken_email_is_400(self, api: Any) -> None:
        first = api.create(email="one@example.com")
        second = api.create(email="two@example.com")
        assert_fail(api.put(f"/operator/{second['id']}", {"email": "One@example.com"}), 400,
                    f"already used by operator {first['id']}")
        assert api.get(f"/operator/{second['id']}").json()["data"]["email"] == "two@example.com"


# ---------------------------------------------------------------- update

class TestUpdate:
    @pytest.fixture
    def operator(self, api: Any) -> dict[str, Any]:
        created: dict[str, Any] = api.create(
            email="julie@example.com", name="Martin", chat_enabled=True,
            website_list=[123, 456], language_list=["fr"],
            call_config={"type": "ANSWER_FROM_PHONE", "phone_number": "+33123456789"})
        return created

    def test_only_the_fields_sent_change(self, api: Any, operator: dict[str, Any]) -> None:
        response = api.put(f"/operator/{operator['id']}", {"name": "Dupont", "chat_priority": 10})
        assert response.status_code == 200
        assert response.json()["meta"] == {"status": "success"}
        assert response.json()["data"] == dict(operator, name="Dupont", chat_priority=10)
        assert api.get(f"/operator/{operator['id']}").json()["data"] == response.json()["data"]

    def test_call_config_keys_merge(self, api: Any, operator: dict[str, Any]) -> None:
        data = api.put(f"/operator/{operator['id']}",
                       {"call_config": {"ask_phone_number_at_every_connection": 1}}).json()["data"]
        assert data["call_config"] == {"type": "ANSWER_FROM_PHONE",
                                       "ask_phone_number_at_every_connection": True,
                                       "phone_number": "+33123456789"}

    def test_validation_applies_to_the_merged_call_config(
            self, api: Any, operator: dict[str, Any]) -> None:
        response = api.put(f"/operator/{operator['id']}", "call_config[phone_number]=")
        assert_fail(response, 400, "ANSWER_FROM_PHONE needs a phone_number")
        assert api.get(f"/operator/{operator['id']}").json()["data"] == operator

    def test_switching_to_desk_keeps_the_phone_number(self, api: Any,
                                                      operator: dict[str, Any]) -> None:
        data = api.put(f"/operator/{operator['id']}",
                       {"call_config": {"type": "ANSWER_FROM_DESK"}}).json()["data"]
        assert data["call_config"]["type"] == "ANSWER_FROM_DESK"
        assert data["call_config"]["phone_number"] == "+33123456789"

    def test_blank_clears_a_list(self, api: Any, operator: dict[str, Any]) -> None:
        data = api.put(f"/operator/{operator['id']}", "website_list=&language_list=").json()["data"]
        assert (data["website_list"], data["language_list"]) == ([], [])
        assert data["name"] == "Martin"

    def test_blank_clears_group_id(self, api: Any, operator: dict[str, Any]) -> None:
        api.put(f"/operator/{operator['id']}", {"group_id": 7})
        data = api.put(f"/operator/{operator['id']}", "group_id=").json()["data"]
        assert data["group_id"] is None

    def test_invalid_update_changes_nothing(self, api: Any, operator: dict[str, Any]) -> None:
        response = api.put(f"/operator/{operator['id']}", {"name": "Dupont", "video_priority": 7})
        assert_fail(response, 400, "'video_priority'")
        assert api.get(f"/operator/{operator['id']}").json()["data"] == operator

    def test_own_email_in_another_case_is_fine(self, api: Any, operator: dict[str, Any]) -> None:
        response = api.put(f"/operator/{operator['id']}", {"email": "JULIE@example.com"})
        assert response.status_code == 200

    def test_deprecated_role_on_update(self, api: Any, operator: dict[str, Any]) -> None:
        data = api.put(f"/operator/{operator['id']}", {"role": "admin"}).json()["data"]
        assert (data["roles"], data["role"]) == (["admin"], "admin")

    def test_empty_update_changes_nothing(self, api: Any, operator: dict[str, Any]) -> None:
        response = api.put(f"/operator/{operator['id']}", "")
        assert response.status_code == 200
        assert response.json()["data"] == operator

    def test_unknown_operator(self, api: Any) -> None:
        assert_fail(api.put("/operator/9999", {"name": "x"}), 404,
                    "Unknown 'operator' with 'id' 9999.")


# ---------------------------------------------------------------- delete

def test_delete_then_404_everywhere(api: Any) -> None:
    operator_id = api.create(email="gone@example.com")["id"]
    response = api.delete(f"/operator/{operator_id}")
    assert response.status_code == 200
    assert response.json()["meta"]["status"] == "success"
    message = f"Unknown 'operator' with 'id' {operator_id}."
    for path in ("", "/live", "/statistic", "/profile"):
        assert_fail(api.get(f"/operator/{operator_id}{path}"), 404, message)
    assert_fail(api.delete(f"/operator/{operator_id}"), 404, message)
    assert api.get("/operator").json()["pagination"]["count"] == 0
    # The email is free again.
    assert api.post("/operator", {"email": "gone@example.com"}).status_code == 201


# ---------------------------------------------------------------- statistic, profile

def test_statistic(api: Any) -> None:
    operator_id = api.create(email="s@example.com")["id"]
    response = api.get(f"/operator/{operator_id}/statistic")
    assert response.status_code == 200
    body = response.json()
    assert body["meta"] == {"status": "success"}
    data = body["data"]
    assert data["id"] == operator_id
    assert isinstance(data["conversation_number"], int) and data["conversation_number"] >= 0
    assert isinstance(data["satisfaction_global_rate"], float)
    assert 0.0 <= data["satisfaction_global_rate"] <= 1.0
    assert isinstance(data["experience"], int)
    assert api.get(f"/operator/{operator_id}/statistic").json() == body  # deterministic


def test_profile(api: Any) -> None:
    operator_id = api.create(email="p@example.com", first_name="Léa", name="Fournier",
                             language_admin="fr")["id"]
    body = api.get(f"/operator/{operator_id}/profile").json()
    data = body["data"]
    assert body["meta"] == {"status": "success"}
    assert {"user_id", "status", "description", "facebook", "city", "country"} <= set(data)
    assert data["user_id"] == operator_id
    assert data["facebook"] == "lea.fournier"
    assert all(isinstance(data[key], str) and data[key]
               for key in ("status", "description", "city", "country"))
    assert api.get(f"/operator/{operator_id}/profile").json() == body  # deterministic
