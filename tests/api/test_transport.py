"""Transport behaviour against a scripted loopback server: retries, what a POST may not
repeat, error translation and wording, hooks, redaction.  Time is a FakeClock."""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from iadvize_support import SECRET_KEY, FakeClock, Scripted, ScriptedServer, ok

from rostersync.api import (
    ApiError,
    AuthError,
    IAdvizeClient,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitedError,
    RejectedError,
    RequestEvent,
    ServerError,
    TransportError,
    UnexpectedResponseError,
)
from rostersync.api.options import ClientOptions
from rostersync.api.pacing import RateGate
from rostersync.api.replies import RETRY_AFTER_CAP_S

OPERATOR = {"id": 5, "email": "a@b.c", "roles": ["operator"]}


def make_client(server: ScriptedServer, clock: FakeClock, **options: Any) -> IAdvizeClient:
    defaults: dict[str, Any] = {"sleep": clock.sleep, "clock": clock, "rng": random.Random(1)}
    return IAdvizeClient(server.url, SECRET_KEY, ClientOptions(**{**defaults, **options}))


@pytest.fixture
def client(scripted: ScriptedServer, clock: FakeClock) -> Iterator[IAdvizeClient]:
    with make_client(scripted, clock) as api:
        yield api


# --- what goes on the wire -----------------------------------------------------------

def test_key_only_in_header(client: IAdvizeClient, scripted: ScriptedServer) -> None:
    scripted.queue(ok(OPERATOR))
    client.get_operator(5)
    seen = scripted.seen[0]
    assert seen.headers["X-API-Key"] == SECRET_KEY
    assert SECRET_KEY not in seen.path
    assert seen.path == "/api/2/operator/5"


def test_update_sends_only_given_fields_as_php_form(client: IAdvizeClient, scripted: ScriptedServer) -> None:
    scripted.queue(ok(OPERATOR), ok())
    record = client.update_operator(5, {"roles": ["operator", "manager"], "skill_list": [], "chat_enabled": True})
    assert record is not None and record.id == 5
    seen = scripted.seen[0]
    assert (seen.method, seen.path) == ("PUT", "/api/2/operator/5")
    assert seen.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert seen.body == "roles%5B0%5D=operator&roles%5B1%5D=manager&skill_list=&chat_enabled=1"
    assert client.update_operator(5, {"name": "x"}) is None  # reply without data
    assert client.update_operator(5, {}) is None
    assert len(scripted.seen) == 2  # an empty update sends nothing


# --- replies that are failures --------------------------------------------------------

def test_200_with_meta_fail_is_a_failure(client: IAdvizeClient, scripted: ScriptedServer) -> None:
    scripted.queue(Scripted(200, {"meta": {"status": "fail", "message": "Unknown 'operator' with 'id' 9."}}))
    with pytest.raises(NotFoundError, match="Unknown 'operator' with 'id' 9"):
        client.get_operator(9)
    scripted.queue(Scripted(200, {"meta": {"status": "error", "message": {"email": ["is invalid"]}}}))
    with pytest.raises(RejectedError, match="email: is invalid") as caught:
        client.create_operator({"email": "bad"})
    assert caught.value.server_message == "email: is invalid"


@pytest.mark.parametrize(
    ("reply", "fragment"),
    [
        (Scripted(200, "<html>maintenance</html>"), "not JSON"),
        (Scripted(200, [1, 2]), "not an object"),
        (Scripted(200, {"data": {"id": 1}}), "no 'meta'"),
        # 300 is no redirect a client follows (the followed ones are in test_hostile_server.py).
        (Scripted(300, "", {"Location": "https://elsewhere.example/"}), "300 Multiple Choices to https://elsewhere.example/"),
    ],
)
def test_unexpected_replies(client: IAdvizeClient, scripted: ScriptedServer, reply: Scripted, fragment: str) -> None:
    scripted.queue(reply)
    with pytest.raises(UnexpectedResponseError, match="check that --base-url points") as caught:
        client.get_operator(1)
    assert fragment in str(caught.value)
    assert len(scripted.seen) == 1


def test_list_item_without_id_names_page_and_item(client: IAdvizeClient, scripted: ScriptedServer) -> None:
    scripted.queue(ok([{"id": 1}, {"id": 2}, {"name": "no id"}], pagination={"page": 1, "pages": 1}))
    with pytest.raises(UnexpectedResponseError, match=r"page 1, item 2: expected a positive integer 'id', got no id"):
        client.list_operators()


def test_error_carries_context_and_reads_well(client: IAdvizeClient, scripted: ScriptedServer) -> None:
    scripted.queue(Scripted(403, {"meta": {"status": "error", "message": "Forbidden"}}))
    with pytest.raises(AuthError) as caught:
        client.get_operator(42)
    error = caught.value
    assert str(error) == (
        "get operator 42 (GET /operator/42): the API refused the key (403 Forbidden): check IADVIZE_API_KEY"
    )
    assert (error.method, error.path, error.status, error.server_message) == ("GET", "/operator/42", 403, "Forbidden")


# --- retries ----------------------------------------------------------------------------

def test_get_retries_503_then_succeeds(client: IAdvizeClient, scripted: ScriptedServer, clock: FakeClock) -> None:
    scripted.queue(Scripted(503), Scripted(502), ok(OPERATOR))
    assert client.get_operator(5).id == 5
    assert client.request_count == 3
    assert len(clock.sleeps) == 2 and all(0 <= s <= 1.0 for s in clock.sleeps)  # full jitter, base 0.5


def test_503_exhausted(scripted: ScriptedServer, clock: FakeClock) -> None:
    scripted.queue(*[Scripted(503, {"meta": {"status": "error", "message": "down"}})] * 3)
    with make_client(scripted, clock, max_attempts=3) as api, pytest.raises(ServerError) as caught:
        api.get_operator(5)
    assert "503 Service Unavailable, server said 'down'" in str(caught.value)
    assert "after 3 attempts" in str(caught.value) and caught.value.attempts == 3


def test_429_honours_retry_after_capped(client: IAdvizeClient, scripted: ScriptedServer, clock: FakeClock) -> None:
    scripted.queue(Scripted(429, headers={"Retry-After": "7"}), Scripted(429, headers={"Retry-After": "999"}),
                   ok(OPERATOR))
    start = clock()
    client.get_operator(5)
    assert clock() - start == pytest.approx(7 + RETRY_AFTER_CAP_S)


def test_429_exhausted_budget(scripted: ScriptedServer, clock: FakeClock) -> None:
    scripted.queue(*[Scripted(429, headers={"Retry-After": "20"})] * 5)
    with make_client(scripted, clock, retry_budget_s=50) as api, pytest.raises(RateLimitedError) as caught:
        api.get_operator(5)
    # 20 s + 20 s fit the 50 s budget; a third wait would not.
    assert caught.value.attempts == 3
    assert "lower --max-rps or try again later" in str(caught.value)


def test_post_refused_with_429_is_retried(client: IAdvizeClient, scripted: ScriptedServer) -> None:
    scripted.queue(Scripted(429, headers={"Retry-After": "1"}), ok(OPERATOR))
    assert client.create_operator({"email": "a@b.c"}).id == 5
    assert [r.method for r in scripted.seen] == ["POST", "POST"]


@pytest.mark.parametrize("status", [502, 503, 504])
def test_post_with_gateway_error_is_outcome_unknown(
    client: IAdvizeClient, scripted: ScriptedServer, status: int
) -> None:
    scripted.queue(Scripted(status))
    with pytest.raises(OutcomeUnknownError, match="may or may not have been done"):
        client.create_operator({"email": "a@b.c"})
    assert len(scripted.seen) == 1  # never sent twice


def test_post_with_dropped_connection_is_outcome_unknown(client: IAdvizeClient, scripted: ScriptedServer) -> None:
    scripted.queue(Scripted(drop=True))
    with pytest.raises(OutcomeUnknownError) as caught:
        client.create_operator({"email": "a@b.c"})
    assert "the request was sent but no reply came back" in str(caught.value)
    assert len(scripted.seen) == 1


def test_get_with_dropped_connection_is_retried(client: IAdvizeClient, scripted: ScriptedServer) -> None:
    scripted.queue(Scripted(drop=True), ok(OPERATOR))
    assert client.get_operator(5).id == 5


def test_delete_after_lost_reply_then_404_is_success(client: IAdvizeClient, scripted: ScriptedServer) -> None:
    scripted.queue(Scripted(drop=True), Scripted(404, {"meta": {"status": "fail", "message": "Unknown 'operator'"}}))
    client.delete_operator(5)
    assert [r.method for r in scripted.seen] == ["DELETE", "DELETE"]


def test_delete_of_missing_operator_is_not_found(client: IAdvizeClient, scripted: ScriptedServer) -> None:
    scripted.queue(Scripted(404, {"meta": {"status": "fail", "message": "Unknown 'operator' with 'id' 5."}}))
    with pytest.raises(NotFoundError, match="check the id"):
        client.delete_operator(5)


def test_connection_refused_is_retried_then_transport_error(clock: FakeClock) -> None:
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    api = IAdvizeClient(f"http://127.0.0.1:{port}/api/2", SECRET_KEY,
                        ClientOptions(sleep=clock.sleep, clock=clock, max_attempts=3))
    with api, pytest.raises(TransportError) as caught:
        api.create_operator({"email": "a@b.c"})  # even a POST: refused means never sent
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert str(caught.value).startswith(
        f"create operator a@b.c (POST /operator): could not reach http://127.0.0.1:{port}: connection refused")
    assert api.request_count == 3


# --- hooks, logs, secrets ----------------------------------------------------------

def test_request_hook_sees_every_attempt(scripted: ScriptedServer, clock: FakeClock) -> None:
    events: list[RequestEvent] = []
    scripted.queue(Scripted(drop=True), Scripted(503), ok([], pagination={"pages": 1}))
    with make_client(scripted, clock, on_request=events.append) as api:
        api.list_operators({"email": "x@y.z"})
    assert [(e.method, e.status, e.attempt) for e in events] == [("GET", None, 1), ("GET", 503, 2), ("GET", 200, 3)]
    assert events[0].error in ("the connection was closed before a complete reply", "the connection was reset")
    assert events[2].path == "/operator?filters%5Bemail%5D=x%40y.z&full=1&limit=100&page=1"


def test_key_never_in_messages_logs_or_reprs(
    scripted: ScriptedServer, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    events: list[RequestEvent] = []
    # A server echoing the key back, in each kind of failure.
    echo = {"meta": {"status": "error", "message": f"bad key {SECRET_KEY}"}}
    scripted.queue(Scripted(403, echo), Scripted(400, echo), Scripted(503, echo), Scripted(503, echo),
                   Scripted(200, f"<p>{SECRET_KEY}</p>"), Scripted(drop=True))
    texts: list[str] = []
    with make_client(scripted, clock, max_attempts=2, on_request=events.append) as api:
        texts.append(repr(api))
        for call in (lambda: api.get_operator(1), lambda: api.create_operator({"sso_key": "SSO-SECRET-VALUE"}),
                     lambda: api.get_operator(1), lambda: api.get_operator(1),
                     lambda: api.create_operator({"email": "a@b.c"})):
            with pytest.raises(ApiError) as caught:
                call()
            texts += [str(caught.value), repr(caught.value), str(caught.value.server_message)]
    texts += [record.getMessage() for record in caplog.records] + [repr(e) for e in events]
    everything = "\n".join(texts)
    assert "bad key <redacted>" in everything
    assert SECRET_KEY not in everything
    assert "SSO-SECRET-VALUE" not in everything


# --- shared rate gate -------------------------------------------------------------------

def test_a_429_holds_every_thread(clock: FakeClock) -> None:
    gate = RateGate(None, clock, clock.sleep)
    gate.hold_until(clock() + 5)
    other = threading.Thread(target=gate.wait_turn)
    other.start()
    other.join(5)
    assert clock.sleeps == [5]


def test_max_rps_paces_all_threads(clock: FakeClock) -> None:
    gate = RateGate(4.0, clock, clock.sleep)
    start = clock()
    threads = [threading.Thread(target=gate.wait_turn) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert clock() - start == pytest.approx(7 / 4)  # 8 requests, the first at once


# --- timeouts and lenient replies ----------------------------------------------------

def test_read_timeout_retried_on_get_but_not_on_post(scripted: ScriptedServer, clock: FakeClock) -> None:
    scripted.queue(Scripted(hold=True), ok(OPERATOR))
    with make_client(scripted, clock, timeout=(2.0, 0.5)) as api:
        assert api.get_operator(5).id == 5
        scripted.queue(Scripted(hold=True))
        with pytest.raises(OutcomeUnknownError, match=r"no complete reply within 0.5s, the deadline of one request"):
            api.create_operator({"email": "a@b.c"})
    assert [r.method for r in scripted.seen] == ["GET", "GET", "POST"]


def test_retry_after_as_http_date(client: IAdvizeClient, scripted: ScriptedServer, clock: FakeClock) -> None:
    when = email.utils.formatdate(time.time() + 10, usegmt=True)
    scripted.queue(Scripted(429, headers={"Retry-After": when}), ok(OPERATOR))
    client.get_operator(5)
    assert len(clock.sleeps) == 1 and 7 <= clock.sleeps[0] <= 10


def test_create_without_data_finds_the_operator_by_email(client: IAdvizeClient, scripted: ScriptedServer) -> None:
    scripted.queue(Scripted(201, {"meta": {"status": "success"}}),
                   ok([{"id": 9, "email": "A@B.C"}, {"id": 10, "email": "a@b.cd"}], pagination={"pages": "1"}))
    assert client.create_operator({"email": "a@b.c"}).id == 9
    scripted.queue(Scripted(201, {"meta": {"status": "success"}}), ok([], pagination={"pages": 1}))
    with pytest.raises(UnexpectedResponseError, match="probably created but the reply does not say its id"):
        client.create_operator({"email": "a@b.c"})


def test_lenient_pagination(client: IAdvizeClient, scripted: ScriptedServer) -> None:
    # No pagination at all: one page.
    scripted.queue(ok([{"id": 1}]))
    assert [r.id for r in client.list_operators()] == [1]
    # Pages and count as strings, a PHP object for data, roles from the deprecated role.
    scripted.queue(ok({"0": {"id": 1}, "1": {"id": 2}}, pagination={"page": "1", "pages": "2", "count": "3"}),
                   ok([{"id": 3, "role": "admin"}], pagination={"page": 2, "pages": 2, "count": 3}))
    records = client.list_operators()
    assert [r.id for r in records] == [1, 2, 3]
    assert records[2].fields["roles"] == ["admin"]


def test_an_item_repeated_across_pages_is_refused(client: IAdvizeClient, scripted: ScriptedServer) -> None:
    # It used to be dropped with a warning; a listing that moved while read is not used.
    scripted.queue(ok([{"id": 1}, {"id": 2}], pagination={"page": 1, "pages": 2}),
                   ok([{"id": 2}, {"id": 3}], pagination={"page": 2, "pages": 2}))
    with pytest.raises(UnexpectedResponseError, match="id 2 is listed on page 1 and page 2. The listing cannot"):
        client.list_operators()


def test_a_failing_hook_does_not_break_the_call(scripted: ScriptedServer, clock: FakeClock) -> None:
    def broken(event: RequestEvent) -> None:
        raise RuntimeError("hook bug")

    scripted.queue(ok(OPERATOR))
    with make_client(scripted, clock, on_request=broken) as api:
        assert api.get_operator(5).id == 5
