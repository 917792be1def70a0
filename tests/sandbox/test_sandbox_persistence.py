"""The state file across restarts, the demo team, and starting and stopping cleanly."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
import requests

from rostersync.sandbox import DEMO_OPERATORS, FaultConfig, OperatorStore, start_sandbox
from rostersync.sandbox.faults import FaultDecision
from rostersync.sandbox.store import STATE_VERSION

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_state_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state" / "sandbox.json"
    with start_sandbox(state_path=state) as first, requests.Session() as http:
        http.headers["X-API-Key"] = first.api_key
        created = http.post(f"{first.url}/operator", headers=FORM, timeout=10,
                            data="email=keep%40example.com&chat_enabled=1&roles[0]=manager"
                                 "&call_config[type]=ANSWER_FROM_PHONE"
                                 "&call_config[phone_number]=%2B33123456789").json()["data"]
        gone = http.post(f"{first.url}/operator", headers=FORM, timeout=10,
                         data="email=gone%40example.com").json()["data"]
        http.delete(f"{first.url}/operator/{gone['id']}", timeout=10)
        http.put(f"{first.url}/operator/{created['id']}/live", headers=FORM, timeout=10,
                 data="chat[available]=1")
        live = http.get(f"{first.url}/operator/{created['id']}/live", timeout=10).json()["data"]

    assert not list(state.parent.glob("*.tmp")), "no temporary file is left behind"
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert saved["version"] == STATE_VERSION

    with start_sandbox(state_path=state, api_key="other-key") as second, \
            requests.Session() as http:
        http.headers["X-API-Key"] = "other-key"
        assert http.get(f"{second.url}/operator/{created['id']}", timeout=10).json()[
            "data"] == created
        assert http.get(f"{second.url}/operator/{created['id']}/live",
                        timeout=10).json()["data"] == live
        assert second.store.ids() == [created["id"]]
        again = http.post(f"{second.url}/operator", headers=FORM, timeout=10,
                          data="email=next%40example.com").json()["data"]
        assert again["id"] > gone["id"], "ids are not reused after a restart"


def test_demo_seeds_an_empty_store_only(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    with start_sandbox(state_path=state, demo=True) as first:
        assert len(first.store) == len(DEMO_OPERATORS)
        first.store.delete(first.store.ids()[0])
    with start_sandbox(state_path=state, demo=True) as second:
        assert len(second.store) == len(DEMO_OPERATORS) - 1


def test_demo_team_is_believable() -> None:
    with start_sandbox(demo=True) as sandbox:
        operators = sandbox.store.list()
        websites = {w for operator in operators for w in operator["website_list"]}
        skills = {s for operator in operators for s in operator["skill_list"]}
        assert websites == {123, 456}
        assert skills == {101, 102, 103}
        assert {operator["group_id"] for operator in operators} >= {7}
        assert sum(o["call_config"]["type"] == "ANSWER_FROM_PHONE" for o in operators) >= 2
        assert {"fr", "en"} <= {lang for o in operators for lang in o["language_list"]}
        assert {role for o in operators for role in o["roles"]} >= {"operator", "manager",
                                                                     "admin"}
        online = sandbox.store.list_live()
        offline = sandbox.store.list_live(include_offline=True)
        assert 0 < len(online) < len(offline) == len(operators)


def test_unreadable_state_file_is_a_clear_error(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    state.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="Cannot read sandbox state"):
        start_sandbox(state_path=state)
    state.write_text(json.dumps({"format": "rostersync-sandbox-state", "version": 99,
                                 "operators": []}), encoding="utf-8")
    with pytest.raises(ValueError, match="version 99"):
        OperatorStore(state)
    state.write_text("[]", encoding="utf-8")
    with pytest.raises(ValueError, match="not a rostersync sandbox state"):
        OperatorStore(state)


def test_stop_closes_idle_keep_alive_connections_and_is_idempotent() -> None:
    sandbox = start_sandbox()
    with requests.Session() as http:
        # The session keeps its connection open: stop() must not wait for it.
        assert http.get(f"{sandbox.url}/operator", params={"key": sandbox.api_key},
                        timeout=10).status_code == 200
        sandbox.stop()
        assert not sandbox.running
        sandbox.stop()
        with pytest.raises(requests.ConnectionError):
            http.get(f"{sandbox.url}/operator", params={"key": sandbox.api_key}, timeout=10)


def test_stop_cuts_a_pending_latency_short(monkeypatch: pytest.MonkeyPatch) -> None:
    # A minute of latency would hold stop() for a minute if it were a plain sleep.
    sandbox = start_sandbox(faults=FaultConfig(latency_ms=60_000))
    outcome: list[object] = []
    # Told when the request is inside the server (it is counted just before its latency
    # is decided): no polling of the counts with sleeps.
    arrived = threading.Event()
    faults = sandbox._server.app.faults
    decide = faults.decide

    def deciding(**kwargs: bool) -> FaultDecision:
        arrived.set()
        return decide(**kwargs)

    monkeypatch.setattr(faults, "decide", deciding)

    def call() -> None:
        try:
            outcome.append(requests.get(f"{sandbox.url}/operator", timeout=30,
                                        params={"key": sandbox.api_key}).status_code)
        except requests.RequestException as exc:
            outcome.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    assert arrived.wait(timeout=30), "the request never reached the server"
    assert sandbox.request_counts() == {"GET /operator": 1}
    started = time.monotonic()
    sandbox.stop()
    caller.join(timeout=30)
    assert time.monotonic() - started < 20
    assert len(outcome) == 1


def test_start_with_faults_and_custom_key() -> None:
    with start_sandbox(api_key="k-123", faults=FaultConfig(error_rate=1.0)) as sandbox:
        response = requests.get(f"{sandbox.url}/operator", headers={"X-API-Key": "k-123"},
                                timeout=10)
        assert response.status_code == 503
        assert sandbox.api_key == "k-123"
        assert sandbox.url.startswith("http://127.0.0.1:") and sandbox.url.endswith("/api/2")


def test_two_sandboxes_cannot_share_a_port() -> None:
    with start_sandbox() as sandbox, pytest.raises(OSError):
        start_sandbox(port=sandbox.port)
