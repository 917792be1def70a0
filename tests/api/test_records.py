"""Lenient parsing of what the server returns into typed records."""

from __future__ import annotations

import pytest

from rostersync.api.records import (
    ChannelAvailability,
    RecordError,
    parse_live,
    parse_operator,
    parse_profile,
    parse_statistic,
)


def test_full_operator_with_every_field() -> None:
    item = {
        "id": 12, "_link": "/operator/12", "name": "Doe", "first_name": "Jane", "pseudo": "JD",
        "email": "Jane@Example.com", "external_id": "E-1", "roles": ["operator", "manager"],
        "chat_enabled": True, "call_enabled": False, "video_enabled": 0, "chat_max_number": 3,
        "chat_and_call": "1", "chat_to_video": "0", "chat_priority": 10, "call_priority": "0",
        "video_priority": 0, "language_list": ["en", "fr"], "language_admin": "fr", "group_id": 4,
        "website_list": [1, 2], "skill_list": [], "sso_key": "sso-secret",
        "call_config": {"type": "ANSWER_FROM_PHONE", "phone_number": "+33123456789",
                        "ask_phone_number_at_every_connection": "false", "extra": 1},
        "unknown_new_field": "ignored",
    }
    record = parse_operator(item)
    assert record.id == 12
    assert record.problems == ()
    assert dict(record.fields) == {
        "name": "Doe", "first_name": "Jane", "pseudo": "JD", "email": "Jane@Example.com",
        "external_id": "E-1", "roles": ["operator", "manager"], "chat_enabled": True,
        "call_enabled": False, "video_enabled": False, "chat_max_number": 3, "chat_and_call": True,
        "chat_to_video": False, "chat_priority": 10, "call_priority": 0, "video_priority": 0,
        "language_list": ["en", "fr"], "language_admin": "fr", "group_id": 4, "website_list": [1, 2],
        "skill_list": [], "sso_key": "sso-secret",
        "call_config": {"type": "ANSWER_FROM_PHONE", "phone_number": "+33123456789",
                        "ask_phone_number_at_every_connection": False},
    }


def test_only_fields_returned_are_present() -> None:
    record = parse_operator({"id": "7", "_link": "/operator/7"})
    assert record.id == 7
    assert dict(record.fields) == {}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"role": "manager"}, {"role": "manager", "roles": ["manager"]}),
        ({"role": "admin", "roles": ["admin", "expert"]}, {"role": "admin", "roles": ["admin", "expert"]}),
        ({"roles": "operator, manager"}, {"roles": ["operator", "manager"]}),
        ({"roles": {"0": "Operator", "2": "expert"}}, {"roles": ["operator", "expert"]}),
        ({"website_list": "1,2,3"}, {"website_list": [1, 2, 3]}),
        ({"website_list": ["4", 5]}, {"website_list": [4, 5]}),
        ({"skill_list": ""}, {"skill_list": []}),
        ({"skill_list": None}, {"skill_list": []}),
        ({"group_id": ""}, {"group_id": None}),
        ({"group_id": None}, {"group_id": None}),
        ({"chat_max_number": "4"}, {"chat_max_number": 4}),
        ({"chat_enabled": "true"}, {"chat_enabled": True}),
        ({"external_id": 123}, {"external_id": "123"}),
        ({"call_config": []}, {"call_config": {}}),
        ({"language_list": "EN,fr"}, {"language_list": ["en", "fr"]}),
    ],
)
def test_lenient_values(raw: dict[str, object], expected: dict[str, object]) -> None:
    record = parse_operator({"id": 1, **raw})
    assert record.problems == ()
    assert dict(record.fields) == expected


def test_bad_value_is_dropped_and_described() -> None:
    record = parse_operator({"id": 1, "chat_priority": "high", "name": "Ok", "website_list": [1, "x"]})
    assert dict(record.fields) == {"name": "Ok"}
    assert "chat_priority: expected an integer, got 'high'" in record.problems
    assert any(p.startswith("website_list: expected an integer") for p in record.problems)


def test_bad_call_config_subfield_names_it() -> None:
    record = parse_operator({"id": 1, "call_config": {"ask_phone_number_at_every_connection": "maybe"}})
    assert "call_config" not in record.fields
    assert record.problems[0].startswith("call_config: ask_phone_number_at_every_connection: expected a boolean")


def test_sso_key_never_shown() -> None:
    record = parse_operator({"id": 1, "sso_key": "top-secret-sso"})
    assert record.fields["sso_key"] == "top-secret-sso"
    assert "top-secret-sso" not in repr(record)
    bad = parse_operator({"id": 1, "sso_key": {"nested": "top-secret-sso"}})
    assert "top-secret-sso" not in " ".join(bad.problems)


@pytest.mark.parametrize("item", [{}, {"id": None}, {"id": "abc"}, {"id": True}, "just text"])
def test_no_integer_id_is_an_error(item: object) -> None:
    with pytest.raises(RecordError):
        parse_operator(item)


def test_expected_id_stands_in_and_mismatch_is_noted() -> None:
    assert parse_operator({"name": "x"}, expected_id=5).id == 5
    record = parse_operator({"id": 6}, expected_id=5)
    assert record.id == 6 and "asked for 5" in record.problems[0]


def test_fields_are_read_only() -> None:
    record = parse_operator({"id": 1, "name": "a"})
    with pytest.raises(TypeError):
        record.fields["name"] = "b"  # type: ignore[index]


def test_live_availability() -> None:
    live = parse_live({
        "id": 456, "connected": True,
        "chat": {"enabled": True, "slot_number": 2, "slot_max_number": 4, "busy": False, "available": True},
        "call": {"enabled": "0", "slot_number": "0", "slot_max_number": "1", "busy": 0, "available": 0},
        "video": {"enabled": False, "slot_number": 0, "slot_max_number": 1, "busy": False, "available": False},
    })
    assert live.id == 456 and live.connected is True
    assert live.chat == ChannelAvailability(True, 2, 4, False, True)
    assert live.call == ChannelAvailability(False, 0, 1, False, False)
    assert live.problems == ()


def test_live_missing_channel_is_unavailable_with_a_problem() -> None:
    live = parse_live({"id": 1, "connected": "1", "chat": {"enabled": True}})
    assert live.connected is True
    assert live.video == ChannelAvailability()
    assert any(p.startswith("video:") for p in live.problems)
    assert "chat.slot_number: missing; read as 0" in live.problems


def test_statistic_and_profile() -> None:
    stat = parse_statistic({"id": 123, "conversation_number": "589", "satisfaction_global_rate": 0.86,
                            "experience": 5630}, expected_id=123)
    assert (stat.id, stat.conversation_number, stat.satisfaction_global_rate, stat.experience) == (
        123, 589, 0.86, 5630)
    partial = parse_statistic({"id": 123}, expected_id=123)
    assert partial.satisfaction_global_rate is None and partial.problems == ()
    profile = parse_profile({"user_id": 123, "status": "Hi", "city": "Nantes", "country": "France"},
                            expected_id=123)
    assert profile.user_id == 123 and profile.city == "Nantes" and profile.facebook is None
