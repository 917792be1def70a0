"""The sandbox is as loose as the real service where real clients need it (issue 16),
and keeps the strictness that catches client bugs. Over real HTTP.

iAdvize's own PHP client adds ``page=1&limit=20`` to every request and copies the
fields of a write into the query string as ``fields[...]``; it writes lists in array
form (``filters[id][0]=1``). Each loosened rule has a test here; the rules it kept
have one beside it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from rostersync.sandbox import Sandbox

TEAM: list[dict[str, Any]] = [
    {"email": "julie.martin@example.com", "first_name": "Julie", "name": "Martin", "group_id": 7,
     "website_list": [123, 456], "skill_list": [101], "chat_enabled": True},
    {"email": "juliette.roux@example.com", "first_name": "Juliette", "name": "Roux", "group_id": 7,
     "website_list": [123], "skill_list": [103], "chat_enabled": True},
    {"email": "paul.julien@example.fr", "first_name": "Paul", "name": "Julien", "group_id": 8,
     "website_list": [456], "skill_list": [101], "chat_enabled": True},
    {"email": "oliver@example.co.uk", "name": "Smith", "website_list": [789], "chat_enabled": True},
]

PHP_PAGING = "page=1&limit=20"


@pytest.fixture
def team(clean_sandbox: Sandbox) -> dict[str, int]:
    ids = clean_sandbox.store.bulk_add(TEAM, logged_in=True)
    for operator_id in ids:
        clean_sandbox.store.set_presence(operator_id, connected=True, available=["chat"])
    return {operator["name"]: operator_id for operator, operator_id in zip(TEAM, ids, strict=True)}


def names(api: Any, team: dict[str, int], query: str, path: str = "/operator") -> list[str]:
    """Names of the operators listed by ``GET path?query`` (the query as sent, raw)."""
    response = api.get(f"{path}?{query}")
    assert response.status_code == 200, response.text
    by_id = {operator_id: name for name, operator_id in team.items()}
    return [by_id[item["id"]] for item in response.json()["data"]]


def fail_message(response: requests.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.json()["meta"]["status"] in ("fail", "error")
    message: str = response.json()["meta"]["message"]
    return message


def php_query(fields: dict[str, Any]) -> str:
    """What the PHP client adds to a write's URL: its paging and a copy of the fields."""
    copies = {f"fields[{name}]": value for name, value in fields.items()}
    return f"{PHP_PAGING}&{urlencode(copies)}"


# ---------------------------------------------------------------- unused query parameters

class TestUnusedQueryParameters:
    def test_every_request_of_the_php_client_is_answered(self, api: Any, team: dict[str, int]) -> None:
        martin = team["Martin"]
        created = api.post(f"/operator?{php_query({'email': 'new@example.com'})}",
                           {"email": "new@example.com"})
        assert created.status_code == 201, created.text
        for method, path, body in [
            ("GET", f"/operator/{martin}", None),
            ("PUT", f"/operator/{martin}", {"pseudo": "Ju"}),
            ("GET", f"/operator/{martin}/live", None),
            ("PUT", f"/operator/{martin}/live", {"chat": {"available": 0}}),
            ("GET", f"/operator/{martin}/statistic", None),
            ("GET", f"/operator/{martin}/profile", None),
            ("GET", "/operator/live", None),
            ("DELETE", f"/operator/{created.json()['data']['id']}", None),
        ]:
            query = php_query(body) if body else PHP_PAGING
            call = {"GET": api.get, "DELETE": api.delete}.get(method)
            response = call(f"{path}?{query}") if call else api.put(f"{path}?{query}", body)
            assert response.status_code == 200, (method, path, response.text)
            assert response.json()["meta"]["status"] == "success"

    def test_field_copies_in_the_query_are_not_taken_as_the_body(self, api: Any, team: dict[str, int]) -> None:
        martin = team["Martin"]
        query = php_query({"first_name": "FromQuery", "chat_max_number": 9})
        data = api.put(f"/operator/{martin}?{query}", {"first_name": "FromBody"}).json()["data"]
        assert (data["first_name"], data["chat_max_number"]) == ("FromBody", 3)

    def test_paging_of_a_single_object_is_ignored_whatever_its_value(self, api: Any, team: dict[str, int]) -> None:
        response = api.get(f"/operator/{team['Martin']}?page=0&limit=x&sort=name&fields[x]=1")
        assert response.status_code == 200, response.text

    def test_paging_of_the_live_list_is_ignored_it_is_not_paginated(self, api: Any, team: dict[str, int]) -> None:
        assert names(api, team, "page=3&limit=1", "/operator/live") == ["Martin", "Roux", "Julien", "Smith"]

    def test_kept_paging_of_the_operator_list_is_used_and_checked(self, api: Any, team: dict[str, int]) -> None:
        assert names(api, team, "page=2&limit=3") == ["Smith"]
        assert "'page'" in fail_message(api.get("/operator?page=0"), 400)
        assert "'limit'" in fail_message(api.get("/operator?limit=many"), 400)

    def test_kept_field_validation_with_the_php_query(self, api: Any, team: dict[str, int]) -> None:
        sent = {"chat_priority": 5, "language_list": ["xx"]}
        message = fail_message(api.put(f"/operator/{team['Martin']}?{php_query(sent)}", sent), 400)
        assert "'chat_priority'" in message and "'language_list'" in message

    @pytest.mark.parametrize("path", ["/operator", "/operator/live", "/operator/1001/profile"])
    def test_kept_the_key_is_needed_whatever_the_query(self, clean_sandbox: Sandbox, path: str) -> None:
        response = requests.get(f"{clean_sandbox.url}{path}?{PHP_PAGING}&fields[key]=sandbox-key", timeout=10)
        assert response.status_code == 403
        assert response.json() == {"meta": {"status": "error", "message": "Forbidden"}}


# ---------------------------------------------------------------- filters

class TestLooseFilters:
    @pytest.mark.parametrize("path", ["/operator", "/operator/live"])
    def test_unknown_filter_names_are_ignored(self, api: Any, team: dict[str, int], path: str) -> None:
        everyone = ["Martin", "Roux", "Julien", "Smith"]
        assert names(api, team, "filters[nickname]=x", path) == everyone
        assert names(api, team, "filters[nickname]=x&filters[group_id]=8", path) == ["Julien"]
        assert names(api, team, "filters[connected_since][0]=2020&filters[email]=*.fr", path) == ["Julien"]

    def test_kept_an_ignored_filter_name_is_counted_so_tests_catch_a_misspelling(
            self, api: Any, team: dict[str, int], clean_sandbox: Sandbox) -> None:
        """A client's typo now widens its listing to every operator: tests look here."""
        assert names(api, team, "filters[groupid]=8") == ["Martin", "Roux", "Julien", "Smith"]
        names(api, team, "filters[groupid]=8&filters[group_id]=8&filters[connected]=0", "/operator/live")
        names(api, team, "filters[connected]=0")  # read by the live listing only
        assert clean_sandbox.ignored_filters() == {"groupid": 2, "connected": 1}
        clean_sandbox.reset_counts()
        assert clean_sandbox.ignored_filters() == {}

    @pytest.mark.parametrize("query,expected", [
        ("filters[id][0]={Roux}&filters[id][1]={Smith}", ["Roux", "Smith"]),
        ("filters[group_id][0]=7", ["Martin", "Roux"]),
        ("filters[group_id][0]=8&filters[group_id][1]=9", ["Julien"]),
        ("filters[website_id][]=789&filters[website_id][]=123", ["Martin", "Roux", "Smith"]),
        ("filters[website_list][0]=789&filters[website_list][1]=456", ["Martin", "Julien", "Smith"]),
        ("filters[website_list][0]=789,123", ["Martin", "Roux", "Smith"]),
        ("filters[skill_id][0]=103", ["Roux"]),
        ("filters[email][0]=*.fr&filters[email][1]=*.uk", ["Julien", "Smith"]),
        ("filters[name][0]=martin&filters[name][1]=R*", ["Martin", "Roux"]),
        # Array values still combine with the other filters by AND.
        ("filters[id][0]={Martin}&filters[id][1]={Julien}&filters[group_id]=8", ["Julien"]),
    ])
    @pytest.mark.parametrize("path", ["/operator", "/operator/live"])
    def test_array_form_values_match_any_of_them(self, api: Any, team: dict[str, int], query: str,
                                                 expected: list[str], path: str) -> None:
        assert names(api, team, query.format(**team), path) == expected

    @pytest.mark.parametrize("query,fragment", [
        ("filters[id][0]=abc", "filter 'id'"),
        ("filters[group_id][0]=7&filters[group_id][1]=", "filter 'group_id'"),
        ("filters[id][a][b]=1", "filter 'id'"),
        ("filters[website_list][0]=1,,2", "filter 'website_list'"),
        ("filters[id]=abc", "filter 'id'"),
    ])
    def test_kept_a_malformed_value_of_a_known_filter_is_400(self, api: Any, team: dict[str, int], query: str,
                                                             fragment: str) -> None:
        assert fragment in fail_message(api.get(f"/operator?{query}"), 400)


# ---------------------------------------------------------------- profile

def test_the_profile_has_twitter(api: Any, team: dict[str, int]) -> None:
    data = api.get(f"/operator/{team['Martin']}/profile").json()["data"]
    assert {"user_id", "status", "description", "facebook", "twitter", "city", "country"} <= set(data)
    assert data["twitter"] == "julie_martin"
    smith = api.get(f"/operator/{team['Smith']}/profile").json()["data"]
    assert smith["twitter"] == "smith"
    assert re.fullmatch(r"[A-Za-z0-9_]{1,15}", smith["twitter"])
