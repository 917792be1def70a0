"""Fault injection and request accounting, on the running session sandbox.

Each test turns faults on at run time; the ``clean_sandbox`` fixture turns them off
again. Assertions rest on the sandbox's own counters, not on wall-clock time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from rostersync.sandbox import FaultConfig, Sandbox, start_sandbox
from rostersync.sandbox.faults import FaultInjector


def test_error_rate_1_answers_503_and_does_nothing(api: Any) -> None:
    api.sandbox.faults = FaultConfig(error_rate=1.0)
    response = api.post("/operator", {"email": "lost@example.com"})
    assert response.status_code == 503
    assert response.json() == {"meta": {"status": "error",
                                        "message": "Service temporarily unavailable."}}
    assert api.sandbox.store.ids() == []
    assert api.sandbox.fault_counts()["errors"] == 1


def statuses(api: Any, count: int) -> list[int]:
    return [api.get("/operator").status_code for _ in range(count)]


def test_error_rate_is_deterministic_for_a_seed(api: Any) -> None:
    api.sandbox.faults = FaultConfig(error_rate=0.5, seed=42)
    first = statuses(api, 40)
    api.sandbox.faults = FaultConfig(error_rate=0.5, seed=42)
    assert statuses(api, 40) == first
    assert set(first) == {200, 503}
    api.sandbox.faults = FaultConfig(error_rate=0.5, seed=43)
    assert statuses(api, 40) != first


def test_faults_switch_at_run_time(api: Any) -> None:
    assert api.get("/operator").status_code == 200
    api.sandbox.faults.error_rate = 1.0  # mutate the live config in place
    assert api.get("/operator").status_code == 503
    api.sandbox.faults.error_rate = 0.0
    assert api.get("/operator").status_code == 200


@pytest.fixture
def still_api(api: Any) -> Iterator[Any]:
    """A sandbox of its own whose rate limit runs on a clock that does not move: its bucket
    never refills, so what passes does not depend on how fast the requests go (on the
    session's sandbox, the bucket refilled while a busy machine was slow, and the burst
    test saw no 429)."""
    with start_sandbox(clock=lambda: 0.0) as sandbox:
        yield type(api)(sandbox, api.session)


def test_rate_limit_answers_429_with_retry_after(still_api: Any) -> None:
    # One request per 100 s: the first passes, the next must wait 100 s.
    api = still_api
    api.sandbox.faults = FaultConfig(rate_limit=0.01)
    assert api.get("/operator").status_code == 200
    response = api.get("/operator")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "100"
    assert response.json()["meta"]["status"] == "error"
    assert api.sandbox.fault_counts()["rate_limited"] == 1
    api.sandbox.faults = FaultConfig()
    assert api.get("/operator").status_code == 200


def test_rate_limit_allows_a_burst_of_its_rate(still_api: Any) -> None:
    still_api.sandbox.faults = FaultConfig(rate_limit=3)
    assert statuses(still_api, 6) == [200, 200, 200, 429, 429, 429]


def test_rate_limited_write_does_nothing(still_api: Any) -> None:
    api = still_api
    api.sandbox.faults = FaultConfig(rate_limit=0.01)
    api.get("/operator")
    assert api.post("/operator", {"email": "x@example.com"}).status_code == 429
    assert api.sandbox.store.ids() == []


def test_token_bucket_refills_with_time() -> None:
    now = [0.0]
    injector = FaultInjector(FaultConfig(rate_limit=2), clock=lambda: now[0])
    assert [injector.decide(is_write=False).reject_status for _ in range(3)] == [None, None, 429]
    decision = injector.decide(is_write=False)
    assert decision.retry_after_s == 1  # half a second, rounded up to a whole second
    now[0] += 0.5
    assert injector.decide(is_write=False).reject_status is None


def test_dropped_create_is_committed_but_unanswered(api: Any) -> None:
    api.sandbox.faults = FaultConfig(drop_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        api.post("/operator", {"email": "ghost@example.com"})
    api.sandbox.faults = FaultConfig()
    found = api.get("/operator", params={"filters[email]": "ghost@example.com"}).json()
    assert found["pagination"]["count"] == 1
    assert api.sandbox.fault_counts()["dropped"] == 1


def test_dropped_update_and_delete_are_committed(api: Any) -> None:
    operator_id = api.create(email="d@example.com")["id"]
    api.sandbox.faults = FaultConfig(drop_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        api.put(f"/operator/{operator_id}", {"name": "Changed"})
    assert api.sandbox.store.get(operator_id)["name"] == "Changed"
    with pytest.raises(requests.ConnectionError):
        api.delete(f"/operator/{operator_id}")
    assert operator_id not in api.sandbox.store


def test_reads_are_never_dropped(api: Any) -> None:
    api.sandbox.faults = FaultConfig(drop_rate=1.0)
    assert statuses(api, 5) == [200] * 5
    assert api.sandbox.fault_counts()["dropped"] == 0


def test_drop_rate_is_deterministic_for_a_seed(api: Any) -> None:
    def outcomes(prefix: str) -> list[bool]:
        api.sandbox.faults = FaultConfig(drop_rate=0.5, seed=7)
        results = []
        for n in range(20):
            try:
                api.post("/operator", {"email": f"{prefix}{n}@example.com"})
                results.append(True)
            except requests.ConnectionError:
                results.append(False)
        return results

    first = outcomes("a")
    assert outcomes("b") == first
    assert set(first) == {True, False}
    assert len(api.sandbox.store) == 40  # every write was committed, answered or not


def test_latency_is_applied_to_every_request(api: Any) -> None:
    api.sandbox.faults = FaultConfig(latency_ms=20)
    assert statuses(api, 3) == [200] * 3
    counts = api.sandbox.fault_counts()
    assert (counts["latency"], counts["latency_ms_total"]) == (3, 60)


def test_request_counts_by_method_and_path_kind(api: Any) -> None:
    operator_id = api.create(email="c@example.com")["id"]
    api.get("/operator")
    api.get("/operator")
    api.put(f"/operator/{operator_id}", {"name": "x"})
    api.get(f"/operator/{operator_id}/live")
    api.put(f"/operator/{operator_id}/live", {"connected": 0})
    api.get("/operator/live")
    api.get(f"/operator/{operator_id}/statistic")
    api.get(f"/operator/{operator_id}/profile")
    api.get("/nowhere")
    api.delete(f"/operator/{operator_id}")
    assert api.sandbox.request_counts() == {
        "POST /operator": 1, "GET /operator": 2, "PUT /operator/{id}": 1,
        "GET /operator/{id}/live": 1, "PUT /operator/{id}/live": 1, "GET /operator/live": 1,
        "GET /operator/{id}/statistic": 1, "GET /operator/{id}/profile": 1,
        "GET (unknown)": 1, "DELETE /operator/{id}": 1,
    }
    api.sandbox.reset_counts()
    assert api.sandbox.request_counts() == {}
    assert set(api.sandbox.fault_counts().values()) == {0}


def test_refused_and_faulted_requests_are_counted(api: Any, clean_sandbox: Sandbox) -> None:
    requests.get(f"{clean_sandbox.url}/operator", timeout=10).close()  # no key: 403
    clean_sandbox.faults = FaultConfig(error_rate=1.0)
    api.get("/operator")
    assert clean_sandbox.request_counts() == {"GET /operator": 2}


@pytest.mark.parametrize("kwargs", [
    {"latency_ms": -1}, {"error_rate": 1.5}, {"drop_rate": -0.1}, {"rate_limit": 0},
])
def test_fault_config_rejects_nonsense(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        FaultConfig(**kwargs)


def test_refused_writes_are_answered_even_when_dropping(api: Any) -> None:
    api.sandbox.faults = FaultConfig(drop_rate=1.0)
    response = api.post("/operator", {"email": "not-an-email"})
    assert response.status_code == 400  # nothing was written, so nothing to lose
    assert api.sandbox.fault_counts()["dropped"] == 0


def test_request_log_never_shows_the_api_key(api: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="rostersync.sandbox.server")
    api.session.get(f"{api.url}/operator", params={"key": api.sandbox.api_key, "page": 1},
                    timeout=10)
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "/operator?key=***&page=1" in logged
    assert api.sandbox.api_key not in logged
