"""The public names of rostersync.api, pinned: changing them is a decision."""

from __future__ import annotations

import rostersync.api as api
from rostersync.api import ApiError, errors


def test_all_is_pinned() -> None:
    assert sorted(api.__all__) == sorted([
        "BASE_URL_ENV", "HA_BASE_URL", "OPERATOR_FIELDS", "PAGE_LIMIT", "PLATFORMS", "SECRET_FIELDS",
        "STANDARD_BASE_URL", "ApiError", "AuthError", "ChannelAvailability", "ConfigError",
        "IAdvizeClient", "LiveAvailability", "NotFoundError", "OperatorProfile", "OperatorRecord",
        "OperatorStatistic", "OutcomeUnknownError", "RateLimitedError", "RejectedError",
        "RequestEvent", "ServerError", "TransportError", "UnexpectedResponseError", "encode_form",
        "form_pairs", "resolve_base_url", "validate_base_url",
    ])
    for name in api.__all__:
        assert hasattr(api, name)


def test_exception_tree_matches_its_drawing() -> None:
    assert issubclass(api.OutcomeUnknownError, api.TransportError)
    for name in ("ConfigError", "TransportError", "AuthError", "NotFoundError", "RejectedError",
                 "RateLimitedError", "ServerError", "UnexpectedResponseError"):
        cls = getattr(api, name)
        assert cls.__bases__ == (ApiError,), name
        assert name in (errors.__doc__ or "")


def test_operator_fields_are_the_documented_ones() -> None:
    assert {
        "id", "name", "first_name", "pseudo", "email", "external_id", "role", "roles", "chat_enabled",
        "call_enabled", "video_enabled", "chat_max_number", "chat_and_call", "chat_to_video",
        "chat_priority", "call_priority", "video_priority", "language_list", "language_admin",
        "group_id", "website_list", "skill_list", "sso_key", "call_config",
    } == api.OPERATOR_FIELDS
