"""The state on disk: every answered write survives a kill, a clean stop leaves one
snapshot, the journal is folded in as it grows, and a damaged state is a clear error."""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import requests

from rostersync.sandbox import DEMO_OPERATORS, OperatorStore, SandboxStateError, start_sandbox
from rostersync.sandbox.statefile import COMPACT_MIN_ENTRIES, STATE_FORMAT

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
BANNER = re.compile(r"^Sandbox serving (http://127\.0\.0\.1:\d+/api/2) ")
WAIT_S = 60


def journal_of(state: Path) -> Path:
    return state.with_name(state.name + ".journal")


def saved_state(state: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(state.read_text(encoding="utf-8"))
    return document


def put_line(operator_id: int, email: str) -> str:
    return json.dumps({"op": "put", "id": operator_id, "fields": {"email": email}, "live": {}}) + "\n"


# ---------------------------------------------------------------- guarantees

def test_every_answered_write_survives_a_kill_and_leaves_no_stale_lock(tmp_path: Path,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    state = tmp_path / "state.json"
    server = subprocess.Popen(
        [sys.executable, "-m", "rostersync", "sandbox", "--port", "0", "--state", str(state),
         "--api-key", "kill-key"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"})
    try:
        lines: queue.Queue[str] = queue.Queue()
        assert server.stderr is not None
        stderr = server.stderr
        threading.Thread(target=lambda: lines.put(stderr.readline()), daemon=True).start()
        match = BANNER.match(lines.get(timeout=WAIT_S))
        assert match, "no banner"
        url = match.group(1)
        with requests.Session() as http:
            http.headers["X-API-Key"] = "kill-key"
            ids = [http.post(f"{url}/operator", headers=FORM, data=f"email=k{n}%40example.com",
                             timeout=10).json()["data"]["id"] for n in range(3)]
            assert http.put(f"{url}/operator/{ids[0]}", headers=FORM, data="first_name=Kept",
                            timeout=10).status_code == 200
            assert http.delete(f"{url}/operator/{ids[1]}", timeout=10).status_code == 200
            assert http.put(f"{url}/operator/{ids[2]}/live", headers=FORM, data="connected=0",
                            timeout=10).status_code == 200
            answered = [http.get(f"{url}/operator/{i}", timeout=10).json()["data"] for i in (ids[0], ids[2])]
            live = http.get(f"{url}/operator/{ids[2]}/live", timeout=10).json()["data"]
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=WAIT_S)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=WAIT_S)
        if server.stderr is not None:
            server.stderr.close()
    assert not state.exists(), "nothing was snapshotted: the writes are in the journal only"
    assert journal_of(state).exists()

    with caplog.at_level(logging.WARNING), OperatorStore(state, lock_timeout=0) as store:
        assert [store.get(i) for i in (ids[0], ids[2])] == answered
        assert store.live(ids[2]) == live
        assert ids[1] not in store
        assert store.add({"email": "next@example.com"}) == ids[2] + 1
    assert f"Recovered 6 writes from the journal of the sandbox state {state}" in caplog.text
    assert not journal_of(state).exists(), "a clean close folds the journal into the snapshot"
    assert len(saved_state(state)["operators"]) == 3


def test_a_clean_stop_leaves_one_snapshot_and_no_journal(tmp_path: Path) -> None:
    state = tmp_path / "deep" / "state.json"
    with start_sandbox(state_path=state, demo=True) as sandbox, requests.Session() as http:
        http.headers["X-API-Key"] = sandbox.api_key
        created = http.post(f"{sandbox.url}/operator", headers=FORM, data="email=new%40example.com",
                            timeout=10).json()["data"]
        assert journal_of(state).exists(), "while running, writes go to the journal"
    assert not journal_of(state).exists()
    assert sorted(p.name for p in state.parent.iterdir()) == ["state.json", "state.json.lock"]
    saved = saved_state(state)
    assert saved["format"] == STATE_FORMAT
    assert saved["next_id"] == created["id"] + 1
    assert [record["id"] for record in saved["operators"]][-1] == created["id"]
    assert len(saved["operators"]) == len(DEMO_OPERATORS) + 1
    assert oct(state.stat().st_mode & 0o777) == "0o600", "the state holds sso keys"


def test_the_journal_is_folded_in_once_it_outgrows_the_operators(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with OperatorStore(state) as store:
        operator_id = store.add({"email": "busy@example.com"})
        for n in range(COMPACT_MIN_ENTRIES + 10):
            store.update(operator_id, {"chat_max_number": n % 7 + 1, "first_name": f"N{n}"})
        # Folded in once, while running: the snapshot is recent, the journal short.
        assert saved_state(state)["operators"][0]["fields"]["first_name"].startswith("N")
        assert 0 < len(journal_of(state).read_text(encoding="utf-8").splitlines()) < 20
    with OperatorStore(state) as again:
        assert again.get(operator_id)["first_name"] == f"N{COMPACT_MIN_ENTRIES + 9}"


def test_a_journal_that_cannot_be_written_fails_the_write_and_changes_nothing(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with start_sandbox(state_path=state) as sandbox:
        journal_of(state).mkdir()  # the journal cannot be opened for writing
        response = requests.post(f"{sandbox.url}/operator", headers={**FORM, "X-API-Key": sandbox.api_key},
                                 data="email=lost%40example.com", timeout=10)
        assert response.status_code == 500
        assert len(sandbox.store) == 0, "a write that was not recorded is not made either"


def test_a_cut_short_last_journal_line_is_ignored(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    state = tmp_path / "state.json"
    with OperatorStore(state) as store:
        store.add({"email": "snapshotted@example.com"})
    journal_of(state).write_text(put_line(1002, "journaled@example.com") + put_line(1003, "torn@ex")[:25],
                                 encoding="utf-8")
    with caplog.at_level(logging.WARNING), OperatorStore(state) as store:
        assert [operator["email"] for operator in store.list()] == ["snapshotted@example.com",
                                                                     "journaled@example.com"]
    assert "Recovered 1 writes" in caplog.text and "incomplete last write" in caplog.text
    assert not journal_of(state).exists()
    assert len(saved_state(state)["operators"]) == 2


def test_replaying_a_journal_already_in_the_snapshot_changes_nothing(tmp_path: Path) -> None:
    # A crash between writing a snapshot and emptying the journal leaves both.
    state = tmp_path / "state.json"
    with OperatorStore(state) as store:
        first = store.add({"email": "a@example.com"})
        second = store.add({"email": "b@example.com"})
        store.update(second, {"email": "c@example.com"})
        store.delete(first)
    journal_of(state).write_text(
        put_line(first, "a@example.com") + put_line(second, "b@example.com")
        + put_line(second, "c@example.com") + json.dumps({"op": "delete", "id": first}) + "\n", encoding="utf-8")
    with OperatorStore(state) as store:
        assert [(operator["id"], operator["email"]) for operator in store.list()] == [(second, "c@example.com")]


# ---------------------------------------------------------------- damaged states

def valid_state_text(tmp_path: Path) -> str:
    source = tmp_path / "source.json"
    with start_sandbox(state_path=source, demo=True):
        pass
    return source.read_text(encoding="utf-8")


def record(**changes: Any) -> str:
    operator: dict[str, Any] = {"id": 1001, "fields": {"email": "a@example.com"}, "live": {}}
    operator.update(changes)
    return json.dumps({"format": STATE_FORMAT, "version": 1, "operators": [operator]})


@pytest.mark.parametrize(("text", "expected"), [
    ("", "the file is empty"),
    ("{not json", "Expecting property name"),
    ("[" * 100_000, "maximum recursion depth"),
    (json.dumps({"format": STATE_FORMAT, "version": 1, "operators": {}}), "operators must be a list"),
    (json.dumps({"format": STATE_FORMAT, "version": 1, "next_id": "x"}), "next_id must be a positive integer"),
    (json.dumps({"format": STATE_FORMAT, "version": 1, "operators": [7]}), "operators[0] must be an object"),
    (record(id="1001"), "operators[0].id must be a positive integer, got '1001'"),
    (record(id=True), "operators[0].id must be a positive integer"),
    (record(fields=["a@example.com"]), "operators[0].fields must be an object"),
    (record(live=[]), "operators[0].live must be an object"),
    (record(fields={"email": "not an email"}), "operator 1001: Invalid value for 'email'"),
    (record(fields={}), "operator 1001: Missing value for 'email'"),
    (record(live={"available": 3}), "operator 1001:"),
    (record(fields={"email": "a@example.com", "chat_priority": 5}), "operator 1001: "),
], ids=["empty", "not-json", "deep", "operators-object", "next-id", "record-not-object", "id-string",
        "id-bool", "fields-list", "live-list", "bad-email", "no-email", "live-garbage", "bad-priority"])
def test_a_damaged_state_file_is_a_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    state = tmp_path / "state.json"
    state.write_text(text, encoding="utf-8")
    with pytest.raises(SandboxStateError) as error:
        OperatorStore(state)
    message = str(error.value)
    assert message.startswith(f"Cannot read sandbox state {state}: ")
    assert expected in message
    assert len(message) < 400
    state.unlink()
    with OperatorStore(state, lock_timeout=0):  # the failed open released the lock
        pass


def test_two_operators_with_one_email_are_refused(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    operators = [{"id": i, "fields": {"email": "same@example.com"}} for i in (1001, 1002)]
    state.write_text(json.dumps({"format": STATE_FORMAT, "version": 1, "operators": operators}), encoding="utf-8")
    with pytest.raises(SandboxStateError, match="operators 1001 and 1002 have the same email"):
        OperatorStore(state)
    operators[1]["id"] = 1001
    state.write_text(json.dumps({"format": STATE_FORMAT, "version": 1, "operators": operators}), encoding="utf-8")
    with pytest.raises(SandboxStateError, match="operator 1001 appears twice"):
        OperatorStore(state)


def test_a_state_cut_in_half_is_a_clear_error(tmp_path: Path) -> None:
    text = valid_state_text(tmp_path)
    state = tmp_path / "state.json"
    state.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(SandboxStateError, match="a cut-short or hand-edited file"):
        OperatorStore(state)
    state.write_bytes(b'{"format": "\xff"}')
    with pytest.raises(SandboxStateError, match="not UTF-8 at byte 12"):
        OperatorStore(state)


@pytest.mark.parametrize(("journal", "expected"), [
    ("garbage\n" + put_line(1002, "b@example.com"), "line 1 is not a journal entry"),
    ("[1]\n", "line 1 is not a journal entry"),
    (json.dumps({"op": "put", "id": 0, "fields": {}}) + "\n", "line 1: id must be a positive integer"),
    (json.dumps({"op": "rename", "id": 1001}) + "\n", "line 1: unknown op 'rename'"),
    (json.dumps({"op": "put", "id": 1002, "fields": "x"}) + "\n", "line 1.fields must be an object"),
    (put_line(1002, "not an email"), "operator 1002: Invalid value for 'email'"),
])
def test_a_damaged_journal_is_a_clear_error(tmp_path: Path, journal: str, expected: str) -> None:
    state = tmp_path / "state.json"
    with OperatorStore(state) as store:
        store.add({"email": "a@example.com"})
    journal_of(state).write_text(journal, encoding="utf-8")
    with pytest.raises(SandboxStateError) as error:
        OperatorStore(state)
    assert expected in str(error.value)
    assert journal_of(state).exists(), "a journal that cannot be read is left for the user to look at"


def test_the_cli_reports_a_damaged_state_without_a_traceback(tmp_path: Path) -> None:
    text = valid_state_text(tmp_path)
    (tmp_path / ".rostersync").mkdir()
    (tmp_path / ".rostersync" / "sandbox.json").write_text(text[: len(text) // 3], encoding="utf-8")
    (tmp_path / "team.yaml").write_text("version: 1\noperators: []\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "rostersync", "plan", "--sandbox", "team.yaml"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=WAIT_S, check=False,
                            env={**os.environ, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"})
    assert result.returncode == 1
    assert result.stderr.startswith("Error: Cannot read sandbox state .rostersync/sandbox.json: ")
    assert "delete it to start over" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
