"""Live availability over HTTP: GET /operator/live, GET and PUT /operator/{id}/live."""

from __future__ import annotations

from typing import Any

import pytest

from rostersync.sandbox import Sandbox

CHANNEL_KEYS = {"enabled", "slot_number", "slot_max_number", "busy", "available"}


def ids_of(response: Any) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]


@pytest.fixture
def team(clean_sandbox: Sandbox) -> dict[str, int]:
    """Four operators: chat-only, chat+call, video-only, and a newcomer never logged in."""
    store = clean_sandbox.store
    chat = store.add({"email": "chat@example.com", "chat_enabled": True, "chat_max_number": 2,
                      "website_list": [123]}, logged_in=True)
    both = store.add({"email": "both@example.com", "chat_enabled": True, "call_enabled": True,
                      "website_list": [456], "group_id": 7}, logged_in=True)
    video = store.add({"email": "video@example.com", "video_enabled": True,
                       "website_list": [123]}, logged_in=True)
    newcomer = store.add({"email": "new@example.com", "chat_enabled": True})
    store.set_presence(chat, connected=True, available=["chat"], slot_number={"chat": 2})
    store.set_presence(both, connected=True, available=["call"])
    store.set_presence(video, connected=False)
    return {"chat": chat, "both": both, "video": video, "newcomer": newcomer}


def test_one_operator_has_the_documented_shape(api: Any, team: dict[str, int]) -> None:
    body = api.get(f"/operator/{team['chat']}/live").json()
    assert body["meta"] == {"status": "success"}
    data = body["data"]
    assert {key for key in data if key != "_link"} == {"id", "connected", "chat", "call", "video"}
    assert data["id"] == team["chat"] and data["connected"] is True
    for channel in ("chat", "call", "video"):
        assert set(data[channel]) == CHANNEL_KEYS
    assert data["chat"] == {"enabled": True, "slot_number": 2, "slot_max_number": 2,
                            "busy": True, "available": True}
    assert data["call"] == {"enabled": False, "slot_number": 0, "slot_max_number": 1,
                            "busy": False, "available": False}


def test_default_view_lists_only_available_operators(api: Any, team: dict[str, int]) -> None:
    response = api.get("/operator/live")
    assert ids_of(response) == [team["chat"], team["both"]]
    assert "pagination" not in response.json()  # as the documentation's example
    assert ids_of(api.get("/operator/live", params={"connected": 1})) == ids_of(response)


@pytest.mark.parametrize("params", [{"connected": 0}, {"filters[connected]": 0}])
def test_connected_0_adds_offline_operators_who_logged_in_once(
        api: Any, team: dict[str, int], params: dict[str, int]) -> None:
    assert ids_of(api.get("/operator/live", params=params)) == [
        team["chat"], team["both"], team["video"]]


def test_filters_apply(api: Any, team: dict[str, int]) -> None:
    assert ids_of(api.get("/operator/live", params={"filters[website_id]": 123})) == [team["chat"]]
    assert ids_of(api.get("/operator/live", params={"connected": 0, "filters[website_id]": 123})
                  ) == [team["chat"], team["video"]]
    assert ids_of(api.get("/operator/live", params={"filters[group_id]": 7})) == [team["both"]]


def test_bad_connected_value(api: Any, team: dict[str, int]) -> None:
    response = api.get("/operator/live", params={"connected": "maybe"})
    assert response.status_code == 400
    assert "'connected'" in response.json()["meta"]["message"]


def test_set_available_logs_in_and_shows_up(api: Any, team: dict[str, int]) -> None:
    newcomer = team["newcomer"]
    assert newcomer not in ids_of(api.get("/operator/live", params={"connected": 0}))
    response = api.put(f"/operator/{newcomer}/live", {"chat": {"available": 1}})
    assert response.status_code == 200
    assert response.json() == {"meta": {"status": "success",
                                        "message": "Operator is now available for chat channel."}}
    live = api.get(f"/operator/{newcomer}/live").json()["data"]
    assert live["connected"] is True and live["chat"]["available"] is True
    assert newcomer in ids_of(api.get("/operator/live"))


def test_set_unavailable(api: Any, team: dict[str, int]) -> None:
    response = api.put(f"/operator/{team['both']}/live",
                       {"call": {"available": 0}, "chat": {"available": 1}})
    assert response.json()["meta"]["message"] == (
        "Operator is now available for chat channel. "
        "Operator is now unavailable for call channel.")
    live = api.get(f"/operator/{team['both']}/live").json()["data"]
    assert (live["chat"]["available"], live["call"]["available"]) == (True, False)


def test_connected_0_logs_out(api: Any, team: dict[str, int]) -> None:
    response = api.put(f"/operator/{team['chat']}/live", {"connected": 0})
    assert response.json()["meta"] == {"status": "success",
                                       "message": "Operator is now disconnected."}
    live = api.get(f"/operator/{team['chat']}/live").json()["data"]
    assert live["connected"] is False
    assert not any(live[channel]["available"] for channel in ("chat", "call", "video"))
    assert team["chat"] not in ids_of(api.get("/operator/live"))
    assert team["chat"] in ids_of(api.get("/operator/live", params={"connected": 0}))


def test_logging_out_a_newcomer_counts_as_logged_in_once(api: Any, team: dict[str, int]) -> None:
    api.put(f"/operator/{team['newcomer']}/live", {"connected": 0})
    assert team["newcomer"] in ids_of(api.get("/operator/live", params={"connected": 0}))


@pytest.mark.parametrize("fields,fragment", [
    ({"call": {"available": 1}}, "'call[available]'"),
    ({"video": {"available": 1}}, "video channel is not enabled"),
    ({"chat": {"available": "perhaps"}}, "'chat[available]'"),
    ({"chat": "1"}, "'chat'"),
    ({"connected": 1}, "'connected'"),
    ({"connected": 0, "chat": {"available": 1}}, "connected=0"),
    ({}, "Nothing to set"),
])
def test_invalid_availability_is_400_and_changes_nothing(
        api: Any, team: dict[str, int], fields: dict[str, Any], fragment: str) -> None:
    before = api.get(f"/operator/{team['chat']}/live").json()["data"]
    response = api.put(f"/operator/{team['chat']}/live", fields)
    assert response.status_code == 400
    assert response.json()["meta"]["status"] == "fail"
    assert fragment in response.json()["meta"]["message"]
    assert api.get(f"/operator/{team['chat']}/live").json()["data"] == before


def test_disabling_a_channel_makes_it_unavailable(api: Any, team: dict[str, int]) -> None:
    api.put(f"/operator/{team['chat']}", {"chat_enabled": 0})
    live = api.get(f"/operator/{team['chat']}/live").json()["data"]
    assert live["chat"] == {"enabled": False, "slot_number": 2, "slot_max_number": 2,
                            "busy": True, "available": False}
    # Enabling it again does not make the operator available behind their back.
    api.put(f"/operator/{team['chat']}", {"chat_enabled": 1})
    assert api.get(f"/operator/{team['chat']}/live").json()["data"]["chat"]["available"] is False


def test_unknown_operator(api: Any) -> None:
    assert api.get("/operator/4242/live").status_code == 404
    response = api.put("/operator/4242/live", {"chat": {"available": 1}})
    assert response.json() == {
        "meta": {"status": "fail", "message": "Unknown 'operator' with 'id' 4242."}}


def test_live_list_is_not_paginated(api: Any, clean_sandbox: Sandbox) -> None:
    """As the documentation's example: every item in one reply; page and limit unused."""
    ids = clean_sandbox.store.bulk_add(
        ({"email": f"l{n}@example.com", "chat_enabled": True} for n in range(130)),
        logged_in=True)
    for operator_id in ids:
        clean_sandbox.store.set_presence(operator_id, connected=True, available=["chat"])
    for params in ({}, {"limit": 25, "page": 2}, {"page": 0, "limit": "x"}):
        body = api.get("/operator/live", params=params).json()
        assert body["meta"] == {"status": "success"}
        assert "pagination" not in body
        assert [item["id"] for item in body["data"]] == ids
