"""A team on the test's account (a sandbox), and a roster of part of it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from terminal_support import Terminal

from rostersync.sandbox import Sandbox

# (email, fields, presence): presence is None for someone who never logged in,
# else (connected, channels available).
TEAM: list[tuple[str, dict[str, object], tuple[bool, list[str]] | None]] = [
    ("ada@example.com", {"chat_enabled": True, "call_enabled": True}, (True, ["chat", "call"])),
    ("bob@example.com", {"chat_enabled": True}, (True, ["chat"])),
    ("cleo@example.com", {"chat_enabled": True, "call_enabled": True}, (True, [])),
    ("dan@example.com", {"chat_enabled": True}, (False, [])),
    ("eve@example.com", {"call_enabled": True}, (True, ["call"])),  # no chat channel
    ("new@example.com", {"chat_enabled": True}, None),
]
OUT_OF_SCOPE = ("out@example.com", {"chat_enabled": True, "group_id": 8}, (True, ["chat"]))

ROSTER = """\
version: 1
scope: {group_id: 7}
defaults: {group: 7}
operators:
  - email: ada@example.com
  - email: Bob@Example.com
  - email: cleo@example.com
  - email: dan@example.com
  - email: eve@example.com
  - email: later@example.com
  - email: out@example.com
    group: 7
"""


@pytest.fixture
def team(account: Sandbox) -> dict[str, int]:
    """The team in group 7, and one operator of group 8; ids by email."""
    ids: dict[str, int] = {}
    for email, fields, presence in [*TEAM, OUT_OF_SCOPE]:
        operator_id = account.store.add({"email": email, "group_id": 7, **fields})
        if presence is not None:
            account.store.set_presence(operator_id, connected=presence[0], available=presence[1])
        ids[email] = operator_id
    account.reset_counts()
    return ids


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    path = tmp_path / "team.yaml"
    path.write_text(ROSTER)
    return path


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    """Terminals opened by a test, killed if the test left one running."""
    opened: list[Terminal] = []
    yield opened
    for terminal in opened:
        terminal.kill()
