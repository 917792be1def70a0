"""Base URL resolution, the http:// rule, and API key checks."""

from __future__ import annotations

import pytest

from rostersync.api import (
    HA_BASE_URL,
    STANDARD_BASE_URL,
    ConfigError,
    IAdvizeClient,
    resolve_base_url,
    validate_base_url,
)
from rostersync.api.config import check_api_key


@pytest.mark.parametrize(
    ("base_url", "platform", "env", "expected"),
    [
        (None, None, {}, STANDARD_BASE_URL),
        (None, "ha", {}, HA_BASE_URL),
        (None, "HA", {"IADVIZE_BASE_URL": "https://x.example/api/2"}, HA_BASE_URL),
        (None, "standard", {}, STANDARD_BASE_URL),
        (None, None, {"IADVIZE_BASE_URL": "https://x.example/api/2/"}, "https://x.example/api/2"),
        ("https://y.example/api/2/", "ha", {"IADVIZE_BASE_URL": "https://x.example"}, "https://y.example/api/2"),
        (None, None, {"IADVIZE_BASE_URL": "  "}, STANDARD_BASE_URL),
    ],
)
def test_resolve_base_url(base_url: str | None, platform: str | None, env: dict[str, str], expected: str) -> None:
    assert resolve_base_url(base_url, platform, env) == expected


def test_unknown_platform() -> None:
    with pytest.raises(ConfigError, match="unknown platform 'eu': use one of"):
        resolve_base_url(None, "eu", {})


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/api/2", "http://127.3.4.5/api/2", "http://localhost/api/2", "http://[::1]:9/api/2"]
)
def test_http_allowed_on_loopback(url: str) -> None:
    assert validate_base_url(url) == url


def test_http_refused_to_a_remote_host() -> None:
    with pytest.raises(ConfigError, match=r"refusing plain http:// to sd\.iadvize\.com.*use https://"):
        validate_base_url("http://sd.iadvize.com/api/2")
    assert validate_base_url("http://sd.iadvize.com/api/2", insecure=True) == "http://sd.iadvize.com/api/2"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sd.iadvize.com/api/2", "not an http"),
        ("ftp://sd.iadvize.com", "not an http"),
        ("https://user:pw@sd.iadvize.com/api/2", "user name or password"),
        ("https://sd.iadvize.com/api/2?key=abc", "query string"),
    ],
)
def test_malformed_base_urls(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        validate_base_url(url)
    assert "pw" not in str(caught.value) and "key=abc" not in str(caught.value)


def test_client_refuses_http_remote_and_missing_key() -> None:
    with pytest.raises(ConfigError, match="refusing plain http://"):
        IAdvizeClient("http://example.com/api/2", "key-123456789")
    with pytest.raises(ConfigError, match="no API key given: set IADVIZE_API_KEY"):
        IAdvizeClient(STANDARD_BASE_URL, "")


def test_key_is_stripped_and_bad_characters_refused_without_echo() -> None:
    assert check_api_key("  abc123\n") == "abc123"
    with pytest.raises(ConfigError) as caught:
        check_api_key("abc 123SECRET")
    assert "SECRET" not in str(caught.value)
