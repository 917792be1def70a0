"""SIGTERM (what CI sends to a cancelled job) during `rostersync apply` behaves like
Ctrl-C: the write in flight finishes, no other starts, the report is printed, the exit
status is 143, and running apply again converges.

A real `python -m rostersync apply --parallelism 1` process against the sandbox. Its
stderr is a pseudo-terminal, so it shows a progress line, rewritten in place as changes
finish. Once it counts the first create, the second is held in the sandbox; the signal
is sent then, and the held create finishes only once the process says its SIGTERM
handler has run (tests/taken_stop.py). So exactly that write was in flight, and no
other may start, whatever the machine's speed (a latency of 300 ms once stood for
"in flight": on a busy machine, the updates could start before the signal was handled).
No sleeps: the test waits on the process's own output.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from resilience_support import duplicated_emails, roster_text
from taken_stop import HeldCall, StopNotes

from rostersync.api import IAdvizeClient
from rostersync.plan.apply import apply_plan
from rostersync.plan.workflow import plan_roster
from rostersync.roster.loader import load_texts
from rostersync.sandbox import Sandbox, start_sandbox

KEY = "sigterm-key-0c3a55e1"
LIVE = [{"email": f"keep{n}@example.com", "first_name": "Old"} for n in range(3)] + \
       [{"email": f"drop{n}@example.com"} for n in range(3)]
ROSTER = roster_text([{"email": f"new{n}@example.com", "first_name": f"New{n}"} for n in range(6)]
                     + [{"email": f"keep{n}@example.com", "first_name": "Kept"} for n in range(3)])
DEADLINE_S = 60.0  # a guard against a hang, never a wait for timing


@pytest.fixture
def account() -> Iterator[Sandbox]:
    sandbox = start_sandbox(api_key=KEY)
    sandbox.store.bulk_add(LIVE)
    yield sandbox
    sandbox.stop()


def read_line(fd: int, pending: bytearray, deadline: float) -> str | None:
    """The next line the process writes to the terminal; None once it closed it."""
    while b"\n" not in pending:
        if not select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
            pytest.fail("no progress line from apply before the deadline")
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the process exited and the terminal closed
            return None
        if not chunk:
            return None
        pending.extend(chunk)
    line, _, rest = bytes(pending).partition(b"\n")
    pending[:] = rest
    return line.decode("utf-8", errors="replace").rstrip("\r")


def wait_for(fd: int, pending: bytearray, marker: bytes, deadline: float) -> None:
    """Read the terminal until `marker` has been shown (the progress line has no line end)."""
    while marker not in pending:
        if not select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
            pytest.fail(f"{marker!r} not shown by apply before the deadline: {bytes(pending)!r}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the process exited and the terminal closed
            chunk = b""
        if not chunk:
            pytest.fail(f"apply ended before any change finished: {bytes(pending)!r}")
        pending.extend(chunk)


def test_sigterm_lets_the_write_in_flight_finish_and_reports(account: Sandbox, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text(ROSTER)
    second_create = HeldCall(monkeypatch, account.store, "create", 2)
    notes = StopNotes()
    env = notes.env({**os.environ, "IADVIZE_BASE_URL": account.url, "IADVIZE_API_KEY": KEY, "NO_COLOR": "1"})
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        notes.command("apply", "--yes", "--force", "--parallelism", "1", str(roster)),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=terminal, env=env, cwd=tmp_path,
        pass_fds=notes.pass_fds)
    os.close(terminal)
    notes.started()
    deadline = time.monotonic() + DEADLINE_S
    pending = bytearray()
    progress: list[str] = []
    try:
        wait_for(controller, pending, b"[1/12] ", deadline)
        second_create.wait_reached()  # the second write is in flight, held in the sandbox
        process.send_signal(signal.SIGTERM)
        notes.wait()  # the process has taken it: its stop is set
        second_create.release()
        stdout, _ = process.communicate(timeout=DEADLINE_S)
        while (line := read_line(controller, pending, deadline)) is not None:
            progress.append(line)
    finally:
        second_create.release()
        os.close(controller)
        notes.close()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=DEADLINE_S)
    report = stdout.decode()
    assert process.returncode == 143, report
    assert "Apply interrupted: 2 created, 0 updated, 0 deleted, 10 not started." in report
    assert "Run apply again to finish" in report
    lines = [line for line in report.splitlines() if ": ok: " in line or ": not started: " in line]
    # The first create, and the second, in flight when the signal came; nothing after it.
    assert len(lines) == 12 and sum(": ok: " in line for line in lines) == 2, report
    assert "Traceback" not in report + "\n".join(progress)
    # Only those two creates ran: nothing else written while stopping.
    assert len(account.store) == len(LIVE) + 2

    wanted = load_texts([("roster.yaml", ROSTER)])
    with IAdvizeClient(account.url, KEY) as client:
        again = apply_plan(client, plan_roster(client, wanted))
        assert again.ok, again.summary_line()
        assert not plan_roster(client, wanted).has_changes
    assert duplicated_emails(account) == []
