"""Helpers for the saved-plan tests: a team in a sandbox, a plan saved from it, and edits.

The sandbox is the `account` fixture (tests/conftest.py): a real server over loopback,
the CLI pointed at it by environment with the key `TEST_KEY`. An attacker's edit is
made on the JSON, then either left unsigned (the integrity tag refuses it) or signed
again with the key (as someone holding the key, or a buggy writer, would): the
checks behind the tag must refuse it on their own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from rostersync.cli.main import cli
from rostersync.plan.saved import sign_document
from rostersync.sandbox import Sandbox

KEY = "test-key-5f2c9e"  # the `account` fixture's key

ROSTER = """\
version: 1
scope: {group_id: 7}
ignore: ["*@iadvize.com"]
defaults: {group: 7, roles: [operator]}
operators:
  - email: ada@example.com
    first_name: Augusta
  - email: grace@example.com
    first_name: Grace
  - email: new@example.com
    first_name: Newcomer
    skills: [101]
"""

LIVE = [
    {"email": "ada@example.com", "first_name": "Ada", "group_id": 7, "roles": ["operator"]},
    {"email": "grace@example.com", "first_name": "Grace", "group_id": 7, "roles": ["operator"]},
    {"email": "gone@example.com", "first_name": "Gone", "group_id": 7, "roles": ["operator"]},
    {"email": "support@iadvize.com", "group_id": 7, "roles": ["admin"]},  # ignored
    {"email": "other@example.com", "group_id": 8, "roles": ["operator"]},  # another team's
]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def seed(account: Sandbox, directory: Path, roster: str = ROSTER, live: list[dict[str, Any]] | None = None) -> Path:
    account.store.bulk_add(LIVE if live is None else live)
    path = directory / "roster.yaml"
    path.write_text(roster)
    return path


def saved_plan(account: Sandbox, directory: Path, *extra: str) -> Path:
    """`plan --out` of the seeded roster: 1 create, 1 update (ada's first_name), 1 delete."""
    roster = seed(account, directory)
    path = directory / "plan.json"
    result = run("plan", "-q", *extra, "--out", str(path), str(roster))
    assert result.exit_code == 0, result.output
    return path


def edit(path: Path, change: Callable[[dict[str, Any]], None], *, sign: bool) -> None:
    """Edit the saved plan's JSON in place; `sign`: compute its integrity tag again."""
    document = json.loads(path.read_text())
    change(document)
    if sign:
        document = sign_document(document, KEY)
    path.write_text(json.dumps(document, indent=2))


def the(document: dict[str, Any], action: str) -> dict[str, Any]:
    """The one change of `action` in a saved plan's document."""
    [change] = [c for c in document["changes"] if c["action"] == action]
    return change


def id_of(account: Sandbox, email: str) -> int:
    return next(op["id"] for op in account.store.list() if op["email"] == email)


class Untouched:
    """Proof that nothing was written: the store is as it was and no write reached the server."""

    def __init__(self, account: Sandbox) -> None:
        self.account = account
        self.before = sorted(json.dumps(op, sort_keys=True) for op in account.store.list())
        account.reset_counts()

    def check(self) -> None:
        after = sorted(json.dumps(op, sort_keys=True) for op in self.account.store.list())
        assert after == self.before
        writes = [kind for kind in self.account.request_counts() if kind.split()[0] in ("POST", "PUT", "DELETE")]
        assert writes == []


def refused(result: Result, *messages: str) -> None:
    """Exit 1, each message on stderr, no traceback, nothing applied."""
    assert result.exit_code == 1, result.output
    for message in messages:
        assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert "Apply complete" not in result.stdout
