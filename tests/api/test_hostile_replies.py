"""The client against a hostile server: bad Retry-After values, redirects within and
across origins, error bodies echoing the key in every encoding, environment proxies.
Backoff runs on a FakeClock."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from hostile_server import Answer, HostileServer, by_path, hostile, redirect, success, then
from iadvize_support import SECRET_KEY, FakeClock

from rostersync.api import ApiError, IAdvizeClient, RateLimitedError, RejectedError, UnexpectedResponseError
from rostersync.api.exchange import MAX_REDIRECTS
from rostersync.api.options import ClientOptions
from rostersync.api.replies import RETRY_AFTER_CAP_S

OPERATOR = {"id": 5, "email": "a@x.com"}


def client_of(server: HostileServer, clock: FakeClock, key: str = SECRET_KEY, **options: Any) -> IAdvizeClient:
    defaults: dict[str, Any] = {"sleep": clock.sleep, "clock": clock, "rng": random.Random(1)}
    return IAdvizeClient(server.url, key, ClientOptions(**{**defaults, **options}))


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with hostile() as running:
        yield running


def rate_limited(value: str) -> Answer:
    return Answer(429, {"meta": {"status": "error", "message": "Too many requests"}}, {"Retry-After": value})


# --- Retry-After ------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "note"), [
    ("-5", "ignored Retry-After '-5': not a delay of 0 seconds or more"),
    ("nan", "ignored Retry-After 'nan': not a delay of 0 seconds or more"),
    ("-inf", "ignored Retry-After '-inf': not a delay of 0 seconds or more"),
    ("soon", "ignored Retry-After 'soon': neither seconds nor a date"),
    ("Mon, 99 Foo 99999 99:99:99 GMT", "ignored Retry-After 'Mon, 99 Foo 99999 99:99:99 GMT': neither seconds nor "
                                       "a date"),
])
def test_a_retry_after_that_is_no_delay_gets_the_default_backoff(server: HostileServer, clock: FakeClock,
                                                                caplog: pytest.LogCaptureFixture, value: str,
                                                                note: str) -> None:
    server.behaviour = then([rate_limited(value)], lambda request: success(OPERATOR))
    with client_of(server, clock) as api:
        assert api.get_operator(5).id == 5
    waited = clock() - 1000.0
    assert 0 <= waited <= 0.5  # the first backoff step, full jitter
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        f"get operator 5 (GET /operator/5): {note}"]


@pytest.mark.parametrize("value", ["99999", "1e308", "inf"])
def test_a_huge_retry_after_is_capped(server: HostileServer, clock: FakeClock, caplog: pytest.LogCaptureFixture,
                                      value: str) -> None:
    server.behaviour = then([rate_limited(value)], lambda request: success(OPERATOR))
    with client_of(server, clock) as api:
        assert api.get_operator(5).id == 5
    assert clock() - 1000.0 == pytest.approx(RETRY_AFTER_CAP_S)
    assert f"Retry-After asked for {value!r} seconds; waiting 30s at most (RETRY_AFTER_CAP_S)" in caplog.text


def test_the_note_is_in_the_error_when_the_retries_run_out(server: HostileServer, clock: FakeClock) -> None:
    server.behaviour = lambda request: rate_limited("nan")
    with client_of(server, clock, max_attempts=3) as api, pytest.raises(RateLimitedError) as caught:
        api.get_operator(5)
    assert str(caught.value).startswith(
        "get operator 5 (GET /operator/5): rate-limited by the API (429 Too Many Requests); "
        "ignored Retry-After 'nan': not a delay of 0 seconds or more (after 3 attempts")
    assert len(server.seen) == 3


# --- redirects ----------------------------------------------------------------------------------

def test_a_redirect_within_the_origin_is_followed_with_the_key(server: HostileServer, clock: FakeClock) -> None:
    server.behaviour = by_path({
        "/api/2/operator/5": lambda request: redirect("/api/2/v2/operator/5?x=1", 301),
        "/api/2/v2/operator/5": lambda request: redirect(f"{server.origin}/new/operator/5", 307),
        "/new/operator/5": lambda request: success(OPERATOR),
    })
    with client_of(server, clock) as api:
        assert api.get_operator(5).id == 5
    assert [r.target for r in server.seen] == ["/api/2/operator/5", "/api/2/v2/operator/5?x=1", "/new/operator/5"]
    assert {r.headers["X-API-Key"] for r in server.seen} == {SECRET_KEY}


def test_a_redirect_to_another_origin_is_refused_and_the_key_stays_home(server: HostileServer,
                                                                        clock: FakeClock) -> None:
    with hostile(lambda request: success(OPERATOR)) as elsewhere:
        server.behaviour = lambda request: redirect(f"{elsewhere.url}/operator/5?key=x")
        with client_of(server, clock) as api, pytest.raises(UnexpectedResponseError) as caught:
            api.get_operator(5)
        assert elsewhere.seen == []
    assert str(caught.value) == (
        f"get operator 5 (GET /operator/5): the server redirected (302) to '{elsewhere.origin}', another origin "
        f"than {server.origin}; not followed, so the API key is sent only to {server.origin}: check --base-url "
        "(use the address the API answers at, e.g. https://sd.iadvize.com/api/2)")


@pytest.mark.parametrize("location", [
    "https://127.0.0.1:{port}/api/2/operator/5",  # another scheme
    "http://localhost:{port}/api/2/operator/5",  # another host name, even for the same machine
    "http://user:pw@127.0.0.1:{port}/api/2/operator/5",  # credentials in the URL
    "//evil.example/api/2/operator/5",  # scheme-relative
])
def test_every_other_origin_is_refused(server: HostileServer, clock: FakeClock, location: str) -> None:
    server.behaviour = lambda request: redirect(location.format(port=server.port))
    with client_of(server, clock) as api, pytest.raises(UnexpectedResponseError, match="another origin"):
        api.get_operator(5)
    assert len(server.seen) == 1


def test_redirects_are_followed_a_few_times_only(server: HostileServer, clock: FakeClock) -> None:
    server.behaviour = lambda request: redirect("/api/2/operator/5")
    with client_of(server, clock) as api, pytest.raises(UnexpectedResponseError) as caught:
        api.get_operator(5)
    assert f"the server redirected more than {MAX_REDIRECTS} times in a row (MAX_REDIRECTS)" in str(caught.value)
    assert len(server.seen) == MAX_REDIRECTS + 1


def test_a_write_follows_only_a_redirect_that_keeps_it_a_write(server: HostileServer, clock: FakeClock) -> None:
    server.behaviour = by_path({"/api/2/operator/5": lambda request: redirect("/api/2/moved/5", 302),
                                "/api/2/moved/5": lambda request: success(OPERATOR)})
    with client_of(server, clock) as api, pytest.raises(UnexpectedResponseError) as caught:
        api.update_operator(5, {"first_name": "Ada"})
    assert "the server answered the PUT with a 302 redirect, after which it would be repeated as a GET" in str(
        caught.value)
    assert [r.method for r in server.seen] == ["PUT"]
    server.behaviour = by_path({"/api/2/operator/5": lambda request: redirect("/api/2/moved/5", 308),
                                "/api/2/moved/5": lambda request: success(OPERATOR)})
    with client_of(server, clock) as api:
        assert api.update_operator(5, {"first_name": "Ada"}) is not None
    assert [(r.method, r.path) for r in server.seen[1:]] == [("PUT", "/api/2/operator/5"), ("PUT", "/api/2/moved/5")]


# --- redaction ---------------------------------------------------------------------------------

KEY = 'sk/TEST+key="0123456789abcdef'  # characters that percent- and JSON-encoding change
FORMS = {
    "raw": KEY,
    "percent-encoded": quote(KEY, safe=""),
    "percent-encoded, lower case": quote(KEY, safe="").replace("%2F", "%2f").replace("%2B", "%2b"),
    "form-encoded": quote(KEY, safe="").replace("%2B", "+"),
    "JSON-escaped": json.dumps(KEY)[1:-1],
    "JSON-escaped the PHP way": json.dumps(KEY)[1:-1].replace("/", "\\/"),
    "\\u-escaped": "".join(f"\\u{ord(c):04x}" for c in KEY),
}


def leaks(text: str) -> bool:
    """Whether any 6 characters of the key, in any form, appear in ``text``."""
    return any(form[i:i + 6] in text for form in FORMS.values() for i in range(len(form) - 5))


@pytest.mark.parametrize("form", FORMS)
def test_an_error_body_echoing_the_key_is_redacted_before_it_is_cut(server: HostileServer, clock: FakeClock,
                                                                    form: str) -> None:
    echoed = FORMS[form]
    # Not JSON: a snippet of the body is quoted, cut at 120 characters, right inside the key.
    server.behaviour = lambda request: Answer(200, ("x" * 100 + echoed + "y" * 500).encode())
    with client_of(server, clock, key=KEY) as api, pytest.raises(UnexpectedResponseError) as caught:
        api.get_operator(5)
    assert "<redacted>" in str(caught.value) and not leaks(str(caught.value))
    # JSON: the server's message is quoted, cut at 300 characters.
    message = "bad key " + "z" * 280 + echoed + " more"
    server.behaviour = lambda request: Answer(400, {"meta": {"status": "error", "message": message}})
    with client_of(server, clock, key=KEY) as api, pytest.raises(RejectedError) as caught_json:
        api.get_operator(5)
    texts = [str(caught_json.value), str(caught_json.value.server_message)]
    assert not any(leaks(text) for text in texts), texts


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("padding", [" ", "\n", "\u00a0"])
def test_a_key_cut_where_the_body_is_sliced_stays_out_of_the_snippet(server: HostileServer, clock: FakeClock,
                                                                      form: str, padding: str) -> None:
    # Whitespace is collapsed in the quoted snippet: a key behind a kilobyte of blanks,
    # cut where the body is sliced, would come up to the start of the quote.
    echoed = FORMS[form]
    for pad in range(1504 - len(echoed) + 1, 1504 + 12 * len(KEY) + 1, 7):
        body = (padding * pad).encode()[:pad] + echoed.encode() + b" tail"
        server.behaviour = then([Answer(200, body)], lambda request: success(OPERATOR))
        with client_of(server, clock, key=KEY) as api, pytest.raises(UnexpectedResponseError) as caught:
            api.get_operator(5)
        assert not leaks(str(caught.value)), (pad, str(caught.value))


def test_an_sso_key_sent_is_redacted_in_every_form(server: HostileServer, clock: FakeClock) -> None:
    sso = "SSO/secret+value=42"
    server.behaviour = lambda request: Answer(400, {"meta": {"status": "error", "message":
                                                             f"bad {quote(sso, safe='')} and {sso}"}})
    with client_of(server, clock) as api, pytest.raises(ApiError) as caught:
        api.create_operator({"email": "a@x.com", "sso_key": sso})
    assert "bad <redacted> and <redacted>" in str(caught.value)


def test_a_key_echoed_in_a_live_value_is_redacted_in_the_problem(server: HostileServer, clock: FakeClock) -> None:
    server.behaviour = lambda request: success([{"id": 1, "email": "a@x.com", "chat_priority": "x" * 30 + KEY}],
                                               pagination={"page": 1, "pages": 1, "count": 1})
    with client_of(server, clock, key=KEY) as api:
        [record] = api.list_operators()
    assert record.problems == ("chat_priority: expected an integer, got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx<redacted>'",)


# --- environment proxies never see the key in clear --------------------------------------------

def test_plain_http_bypasses_environment_proxies(server: HostileServer, clock: FakeClock,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    with hostile(lambda request: Answer(502, b"proxy")) as proxy:
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(name, proxy.origin)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        server.behaviour = lambda request: success(OPERATOR)
        with client_of(server, clock) as api:
            assert api.get_operator(5).id == 5
        assert proxy.seen == []
    assert len(server.seen) == 1
