"""Ctrl-C while `rostersync plan` lists the skills, groups and websites its roster
refers to: the process exits 130 at once, without waiting for the listings.

The listings run at once, on threads of their own. A real process against the
sandbox, with the groups' listing held in the sandbox until the end of the test:
the process must have exited, after SIGINT, while it is still held (a thread the
process waited for would keep it alive until the listing's release). No sleeps.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from taken_stop import DEADLINE_S as HELD_FOR_S
from taken_stop import HeldCall

from rostersync.sandbox import Sandbox, start_sandbox

KEY = "listings-key-4b9e01"
DEADLINE_S = 60.0  # a guard against a hang, never a wait for timing
ROSTER = """\
version: 1
operators:
  - {email: ada@example.com, group: Paris desk, skills: [Returns], websites: [Maison Lumiere FR]}
"""


@pytest.fixture
def account() -> Iterator[Sandbox]:
    sandbox = start_sandbox(api_key=KEY)
    yield sandbox
    sandbox.stop()


def test_ctrl_c_during_the_listings_exits_without_waiting_for_them(account: Sandbox, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    roster = tmp_path / "team.yaml"
    roster.write_text(ROSTER)
    groups = HeldCall(monkeypatch, account.store.catalog, "list_groups", 1)
    env = {**os.environ, "IADVIZE_BASE_URL": account.url, "IADVIZE_API_KEY": KEY, "NO_COLOR": "1"}
    process = subprocess.Popen([sys.executable, "-m", "rostersync", "plan", str(roster)], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    try:
        groups.wait_reached()  # the groups' listing is in flight, and stays so
        process.send_signal(signal.SIGINT)
        # (Within half the time the sandbox holds the listing: a process that waited for
        # it would still be running.)
        stdout, stderr = process.communicate(timeout=HELD_FOR_S / 2)
    finally:
        groups.release()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=DEADLINE_S)
    assert process.returncode == 130, stdout + stderr
    assert b"Traceback" not in stdout + stderr
