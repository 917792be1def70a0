"""The client against the rostersync sandbox over loopback HTTP: nothing mocked."""

from __future__ import annotations

import logging
import math
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from iadvize_support import SECRET_KEY, FakeClock

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
from rostersync.sandbox import FaultConfig, Sandbox, start_sandbox


def operators(count: int, start: int = 0, **fields: object) -> list[dict[str, object]]:
    return [{"email": f"op{i:04d}@example.com", "name": f"Op {i}", **fields} for i in range(start, start + count)]


# --- reading --------------------------------------------------------------------------

@pytest.mark.parametrize("count", [0, 1, 100, 101, 250])
def test_list_walks_every_page_in_order(api: IAdvizeClient, sandbox: Sandbox, count: int) -> None:
    ids = sandbox.store.bulk_add(operators(count))
    records = api.list_operators()
    assert [r.id for r in records] == ids
    assert [r.fields["email"] for r in records] == [f"op{i:04d}@example.com" for i in range(count)]
    pages = max(1, math.ceil(count / 100))
    assert sandbox.request_counts() == {"GET /operator": pages}
    assert api.request_count == pages


def test_pages_in_order_under_latency(sandbox: Sandbox) -> None:
    ids = sandbox.store.bulk_add(operators(450))
    sandbox.faults = FaultConfig(latency_ms=30)
    with IAdvizeClient(sandbox.url, sandbox.api_key, ClientOptions(page_workers=4)) as client:
        assert [r.id for r in client.list_operators()] == ids


def test_list_without_full_may_hold_only_ids(api: IAdvizeClient, sandbox: Sandbox) -> None:
    ids = sandbox.store.bulk_add(operators(3))
    records = api.list_operators(full=False)
    assert [r.id for r in records] == ids
    assert all(dict(r.fields) == {} for r in records)


def test_filters(api: IAdvizeClient, sandbox: Sandbox) -> None:
    sandbox.store.bulk_add(operators(3, group_id=7, website_list=[1, 2]))
    sandbox.store.bulk_add(operators(2, start=10, group_id=8, website_list=[3]))
    assert len(api.list_operators({"group_id": 7})) == 3
    assert len(api.list_operators({"website_list": [2, 3]})) == 5
    assert [r.fields["email"] for r in api.list_operators({"email": "OP001*"})] == ["op0010@example.com",
                                                                                    "op0011@example.com"]


def test_find_operator_by_email_ignores_case(api: IAdvizeClient, sandbox: Sandbox) -> None:
    wanted = sandbox.store.add({"email": "jane.doe@example.com"})
    sandbox.store.add({"email": "jane.doe@example.com.au"})
    found = api.find_operator_by_email("Jane.Doe@Example.COM")
    assert found is not None and found.id == wanted
    assert api.find_operator_by_email("nobody@example.com") is None


def test_get_statistic_profile_and_live(api: IAdvizeClient, sandbox: Sandbox) -> None:
    online = sandbox.store.add({"email": "on@example.com", "chat_enabled": True, "chat_max_number": 4})
    offline = sandbox.store.add({"email": "off@example.com"}, logged_in=True)
    sandbox.store.set_presence(online, connected=True, available=["chat"], slot_number={"chat": 1})
    assert [live.id for live in api.list_live()] == [online]
    assert [live.id for live in api.list_live(include_offline=True)] == [online, offline]
    live = api.get_live(online)
    assert live.connected and live.chat.available and live.chat.slot_max_number == 4 and live.problems == ()
    api.set_live(online, chat=False)
    assert not api.get_live(online).chat.available
    api.set_live(online, disconnect=True)
    assert not api.get_live(online).connected
    assert api.get_statistic(online).id == online
    assert api.get_profile(online).user_id == online


# --- writing ----------------------------------------------------------------------------

def test_create_encodes_lists_nested_and_booleans(api: IAdvizeClient, sandbox: Sandbox) -> None:
    created = api.create_operator({
        "email": "New.Person@Example.com", "name": "Person", "roles": ["operator", "manager"],
        "chat_enabled": True, "call_enabled": True, "language_list": ["fr", "en"], "website_list": [3, 1],
        "call_config": {"type": "ANSWER_FROM_PHONE", "phone_number": "+33123456789"}, "group_id": None,
    })
    stored = sandbox.store.get(created.id)
    assert stored["roles"] == ["operator", "manager"]
    assert stored["chat_enabled"] is True and stored["call_enabled"] is True
    assert sorted(stored["language_list"]) == ["en", "fr"] and stored["website_list"] == [1, 3]
    assert stored["call_config"]["type"] == "ANSWER_FROM_PHONE"
    assert stored["call_config"]["phone_number"] == "+33123456789"
    assert created.fields["email"] == "new.person@example.com"  # the sandbox lower-cases
    assert created.fields["roles"] == stored["roles"]


def test_update_sends_only_given_fields_and_clears_a_list(api: IAdvizeClient, sandbox: Sandbox) -> None:
    operator_id = sandbox.store.add({"email": "a@example.com", "name": "Keep", "skill_list": [5, 6]})
    updated = api.update_operator(operator_id, {"skill_list": [], "chat_priority": 10})
    assert updated is not None and updated.fields["skill_list"] == []
    stored = sandbox.store.get(operator_id)
    assert (stored["skill_list"], stored["chat_priority"], stored["name"]) == ([], 10, "Keep")


def test_delete(api: IAdvizeClient, sandbox: Sandbox) -> None:
    operator_id = sandbox.store.add({"email": "a@example.com"})
    api.delete_operator(operator_id)
    assert operator_id not in sandbox.store


# --- each error class ------------------------------------------------------------------

def test_wrong_key_is_auth_error(sandbox: Sandbox) -> None:
    with IAdvizeClient(sandbox.url, "wrong-key-0000000000") as client, pytest.raises(AuthError) as caught:
        client.list_operators()
    assert caught.value.status == 403
    assert str(caught.value) == (
        "list operators (page 1) (GET /operator): the API refused the key (403 Forbidden): check IADVIZE_API_KEY"
    )


def test_unknown_operator_is_not_found(api: IAdvizeClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        api.get_operator(999999)
    assert caught.value.server_message == "Unknown 'operator' with 'id' 999999."
    assert str(caught.value).startswith("get operator 999999 (GET /operator/999999): not found (404 Not Found")


def test_wrong_base_path_says_check_base_url(sandbox: Sandbox) -> None:
    base = sandbox.url.replace("/api/2", "/api/2/v9")
    with IAdvizeClient(base, sandbox.api_key) as client, pytest.raises(NotFoundError, match="check that --base-url"):
        client.get_operator(1)


def test_validation_failure_carries_the_server_message(api: IAdvizeClient, sandbox: Sandbox) -> None:
    with pytest.raises(RejectedError) as caught:
        api.create_operator({"email": "not-an-email", "chat_priority": 5})
    error = caught.value
    assert error.status == 400 and error.method == "POST" and error.path == "/operator"
    assert error.server_message and "email" in error.server_message and "chat_priority" in error.server_message
    assert error.server_message in str(error) and "correct the values sent" in str(error)
    assert len(sandbox.store) == 0


def test_rate_limit_exhausted(sandbox: Sandbox, clock: FakeClock) -> None:
    sandbox.faults = FaultConfig(rate_limit=0.01)  # one request, then 429 for 100 s
    with IAdvizeClient(sandbox.url, sandbox.api_key, ClientOptions(sleep=clock.sleep, clock=clock, max_attempts=3)) as client:
        client.list_operators()
        with pytest.raises(RateLimitedError) as caught:
            client.list_operators()
    assert caught.value.status == 429 and caught.value.attempts == 3
    assert clock.sleeps == [30.0, 30.0]  # Retry-After 100 capped at 30


def test_503_exhausted(sandbox: Sandbox, clock: FakeClock) -> None:
    sandbox.faults = FaultConfig(error_rate=1.0)
    with IAdvizeClient(sandbox.url, sandbox.api_key, ClientOptions(sleep=clock.sleep, clock=clock)) as client:
        with pytest.raises(ServerError, match=r"503 Service Unavailable.*after 5 attempts.*try again later"):
            client.get_operator(1)
    assert sandbox.request_counts() == {"GET /operator/{id}": 5}


def test_connection_refused_on_a_stopped_server(clock: FakeClock) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/api/2"
    with IAdvizeClient(url, SECRET_KEY, ClientOptions(sleep=clock.sleep, clock=clock)) as client:
        with pytest.raises(TransportError, match="could not reach http://127.0.0.1:.*connection refused"):
            client.list_operators()


# --- faults -----------------------------------------------------------------------------

def test_retries_ride_out_503s(sandbox: Sandbox, api: IAdvizeClient) -> None:
    ids = sandbox.store.bulk_add(operators(300))
    sandbox.faults = FaultConfig(error_rate=0.3, seed=7)
    assert [r.id for r in api.list_operators()] == ids
    for operator_id in ids[:10]:
        api.update_operator(operator_id, {"chat_max_number": 2})
    assert sandbox.fault_counts()["errors"] > 0
    assert all(sandbox.store.get(i)["chat_max_number"] == 2 for i in ids[:10])


def test_retries_ride_out_429s_once_retry_after_has_passed(clock: FakeClock) -> None:
    """The client waits out Retry-After, then its request passes. The sandbox's bucket
    refills by the clock the client sleeps on, a fake one: a burst of 8, so the 9th is
    refused, waited for (1 s of that clock, none of the wall's), and passes with the 3
    after it. (On the wall clock, a busy machine could refill the bucket between
    requests, and none was refused; a real sleep would make the test wait a second.)"""
    with start_sandbox(api_key=SECRET_KEY, clock=clock) as sandbox:
        sandbox.store.add({"email": "a@example.com"})
        sandbox.faults = FaultConfig(rate_limit=8)
        with IAdvizeClient(sandbox.url, sandbox.api_key, ClientOptions(sleep=clock.sleep, clock=clock)) as client:
            for _ in range(12):
                assert len(client.list_operators()) == 1
        assert sandbox.fault_counts()["rate_limited"] == 1
        assert sandbox.request_counts() == {"GET /operator": 13}
        assert not sandbox.ignored_filters()
    assert clock.sleeps == [1.0]


def test_max_rps_shared_by_threads_avoids_429(sandbox: Sandbox) -> None:
    operator_id = sandbox.store.add({"email": "a@example.com"})
    sandbox.faults = FaultConfig(rate_limit=20)
    with IAdvizeClient(sandbox.url, sandbox.api_key, ClientOptions(max_rps=15)) as client:
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda _: client.get_operator(operator_id).id, range(32)))
    assert results == [operator_id] * 32
    assert sandbox.fault_counts()["rate_limited"] == 0


def test_post_with_dropped_reply_is_outcome_unknown(api: IAdvizeClient, sandbox: Sandbox) -> None:
    sandbox.faults = FaultConfig(drop_rate=1.0)
    with pytest.raises(OutcomeUnknownError) as caught:
        api.create_operator({"email": "dropped@example.com"})
    assert "may or may not have been done" in str(caught.value)
    assert sandbox.request_counts() == {"POST /operator": 1}  # not retried blindly
    sandbox.faults = FaultConfig()
    found = api.find_operator_by_email("dropped@example.com")
    assert found is not None  # the write was committed


def test_put_with_dropped_reply_is_retried(api: IAdvizeClient, sandbox: Sandbox) -> None:
    operator_id = sandbox.store.add({"email": "a@example.com"})
    sandbox.faults = FaultConfig(drop_rate=0.5, seed=3)
    for size in range(1, 6):
        api.update_operator(operator_id, {"chat_max_number": size})
    assert sandbox.store.get(operator_id)["chat_max_number"] == 5
    assert sandbox.fault_counts()["dropped"] > 0


def test_delete_after_lost_reply_counts_as_done(sandbox: Sandbox, clock: FakeClock) -> None:
    operator_id = sandbox.store.add({"email": "a@example.com"})
    sandbox.faults = FaultConfig(drop_rate=1.0)

    def heal_after_first_attempt(event: RequestEvent) -> None:
        sandbox.faults = FaultConfig()  # the retry gets a reply: 404, the first attempt deleted it

    with IAdvizeClient(sandbox.url, sandbox.api_key,
                       ClientOptions(sleep=clock.sleep, clock=clock, on_request=heal_after_first_attempt)) as client:
        client.delete_operator(operator_id)
    assert operator_id not in sandbox.store
    assert sandbox.request_counts() == {"DELETE /operator/{id}": 2}


# --- threads ------------------------------------------------------------------------

def test_one_client_from_many_threads(api: IAdvizeClient, sandbox: Sandbox) -> None:
    sandbox.store.bulk_add(operators(220, start=1000))

    def lifecycle(n: int) -> int:
        created = api.create_operator({"email": f"t{n}@example.com", "chat_max_number": 1})
        api.update_operator(created.id, {"chat_max_number": n % 5 + 1})
        assert api.get_operator(created.id).fields["chat_max_number"] == n % 5 + 1
        try:
            assert len(api.list_operators()) >= 220
        except UnexpectedResponseError as exc:
            # Others wrote between two pages: the listing is refused, never used partial.
            assert "The listing cannot be trusted" in str(exc)
        if n % 2:
            api.delete_operator(created.id)
        return created.id

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lifecycle, range(24)))
    assert len(set(ids)) == 24
    assert len(sandbox.store) == 220 + 12


# --- secrets ---------------------------------------------------------------------------

def test_key_never_in_errors_logs_or_events(
    sandbox: Sandbox, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    events: list[RequestEvent] = []
    texts: list[str] = []
    with IAdvizeClient(sandbox.url, sandbox.api_key,
                       ClientOptions(sleep=clock.sleep, clock=clock, max_attempts=2, on_request=events.append)) as client:
        texts.append(repr(client))
        sandbox.faults = FaultConfig(error_rate=1.0)
        scenarios = [lambda: client.get_operator(1)]
        for attempt in scenarios + [
            lambda: client.get_operator(424242),
            lambda: client.create_operator({"email": "bad", "sso_key": "SSO-TOKEN-SECRET-1"}),
        ]:
            with pytest.raises(ApiError) as caught:
                attempt()
            texts += [str(caught.value), repr(caught.value), str(caught.value.server_message)]
            sandbox.faults = FaultConfig()
        sandbox.faults = FaultConfig(drop_rate=1.0)
        with pytest.raises(OutcomeUnknownError) as dropped:
            client.create_operator({"email": "x@example.com", "sso_key": "SSO-TOKEN-SECRET-1"})
        texts.append(str(dropped.value))
        sandbox.faults = FaultConfig()
        texts.append(repr(client.find_operator_by_email("x@example.com")))
    with IAdvizeClient(sandbox.url, SECRET_KEY[:-1] + "X") as wrong, pytest.raises(AuthError) as refused:
        wrong.list_operators()
    texts.append(str(refused.value))
    texts += [record.getMessage() for record in caplog.records] + [repr(e) for e in events]
    everything = "\n".join(texts)
    assert SECRET_KEY not in everything and SECRET_KEY[:-1] not in everything
    assert "SSO-TOKEN-SECRET-1" not in everything
    assert len(events) >= 5


def test_real_sleep_is_not_needed_for_backoff(sandbox: Sandbox, clock: FakeClock) -> None:
    sandbox.faults = FaultConfig(error_rate=1.0)
    started = time.monotonic()
    with IAdvizeClient(sandbox.url, sandbox.api_key, ClientOptions(sleep=clock.sleep, clock=clock)) as client:
        with pytest.raises(ServerError):
            client.get_operator(1)
    assert time.monotonic() - started < 5
    assert len(clock.sleeps) == 4
