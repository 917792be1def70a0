"""SIGTERM (what CI sends to a cancelled job) during `rostersync live set` behaves like
Ctrl-C, as during apply: the change in flight finishes, no other starts, the report is
printed, and the exit status is 143. (Without a handler, the process died at once:
no report, and a change the account had made was never said.)

A real `python -m rostersync live set --parallelism 1` process against the sandbox.
The second change is held in the sandbox; the signal is sent then, and the held
change finishes only once the process says its SIGTERM handler has run
(tests/taken_stop.py). No sleeps.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from taken_stop import HeldCall, StopNotes

from rostersync.sandbox import Sandbox, start_sandbox

KEY = "live-sigterm-key-7d21b0"
DEADLINE_S = 60.0  # a guard against a hang, never a wait for timing
OPERATORS = 6


@pytest.fixture
def account() -> Iterator[Sandbox]:
    sandbox = start_sandbox(api_key=KEY)
    for n in range(OPERATORS):
        operator_id = sandbox.store.add({"email": f"op{n}@example.com", "chat_enabled": True})
        sandbox.store.set_presence(operator_id, connected=True, available=["chat"])
    yield sandbox
    sandbox.stop()


def test_sigterm_lets_the_change_in_flight_finish_and_reports(account: Sandbox, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    second_change = HeldCall(monkeypatch, account.store, "set_live", 2)
    notes = StopNotes()
    env = notes.env({**os.environ, "IADVIZE_BASE_URL": account.url, "IADVIZE_API_KEY": KEY, "NO_COLOR": "1"})
    process = subprocess.Popen(
        notes.command("live", "set", "--only", "*", "--chat", "off", "--yes", "--parallelism", "1"),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path,
        pass_fds=notes.pass_fds)
    notes.started()
    try:
        second_change.wait_reached()  # the first change is made, the second in flight
        process.send_signal(signal.SIGTERM)
        notes.wait()  # the process has taken it: its stop is set
        second_change.release()
        stdout, stderr = process.communicate(timeout=DEADLINE_S)
    finally:
        second_change.release()
        notes.close()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=DEADLINE_S)
    report, log = stdout.decode(), stderr.decode()
    assert process.returncode == 143, report + log
    assert f"Interrupted: 2 changed, {OPERATORS - 2} not started" in report, report
    assert "Traceback" not in report + log
    unavailable = [n for n in range(OPERATORS)
                   if not account.store.live(account.store.list()[n]["id"])["chat"]["available"]]
    assert len(unavailable) == 2  # exactly the two changes the report says were made
