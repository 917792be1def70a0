"""What the account returns is read leniently and reported, never trusted blindly:
odd values become warnings, an operator without an email is left alone, an empty
listing warns before it creates everyone, and plain http:// to a remote host is
refused before anything is sent.

The sandbox validates whatever comes in through HTTP and through ``store.add``, so
the hostile items are planted under it: in the store's own dict of fields (what
``render_operator`` sends back as is), or, for a key missing altogether, by wrapping
the store's ``page`` (what ``GET /operator`` serves) for this one sandbox.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from resilience_support import roster_text

from rostersync.cli.main import cli
from rostersync.sandbox import Sandbox

GROUP = 7


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def plant(account: Sandbox, fields: dict[str, Any], **raw: Any) -> int:
    """Add a valid operator, then overwrite some stored values with raw ones."""
    operator_id = account.store.add({"group_id": GROUP, **fields})
    stored = account.store._fields[operator_id]
    if "email" in raw:
        account.store._id_by_email.pop(stored["email"])
    stored.update(raw)
    return operator_id


def serve_edited(account: Sandbox, monkeypatch: pytest.MonkeyPatch,
                 edit: Callable[[dict[str, Any]], None]) -> None:
    """Make ``GET /operator`` serve every item through ``edit`` (e.g. to drop a key)."""
    page = account.store.page

    def edited_page(*args: Any, **kwargs: Any) -> tuple[int, list[dict[str, Any]]]:
        count, items = page(*args, **kwargs)
        for item in items:
            edit(item)
        return count, items

    monkeypatch.setattr(account.store, "page", edited_page)


def write(tmp_path: Path, operators: list[dict[str, Any]], **top: Any) -> str:
    path = tmp_path / "roster.yaml"
    path.write_text(roster_text(operators, **top))
    return str(path)


@pytest.fixture
def hostile(account: Sandbox, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    ids = {
        "odd": plant(account, {"email": "odd@example.com"}, chat_priority="high", website_list="a,b"),
        "null_email": plant(account, {"email": "null.email@example.com", "first_name": "Nul"}, email=None),
        "list_email": plant(account, {"email": "list.email@example.com"}, email=["x@example.com"]),
        "no_email": account.store.add({"email": "no.email@example.com", "group_id": GROUP, "first_name": "Nemo"}),
        "fine": account.store.add({"email": "fine@example.com", "group_id": GROUP}),
    }
    no_email = ids["no_email"]
    serve_edited(account, monkeypatch, lambda item: item.pop("email") if item["id"] == no_email else None)
    return ids


def test_odd_live_values_and_missing_emails_are_warnings(account: Sandbox, hostile: dict[str, int],
                                                         tmp_path: Path) -> None:
    roster = write(tmp_path, [{"email": "odd@example.com", "chat": {"priority": 10}, "websites": [123, 456]},
                              {"email": "fine@example.com"}], scope={"group_id": GROUP})
    result = run("plan", "-q", roster)
    assert result.exit_code == 0
    odd, no_email, null_email, list_email = (hostile[k] for k in ("odd", "no_email", "null_email", "list_email"))
    assert result.stdout == (
        f"Warning: live operator #{odd} (odd@example.com): chat_priority: expected an integer, got 'high'\n"
        f"Warning: live operator #{odd} (odd@example.com): website_list: expected an integer, got 'a,b'\n"
        f"Warning: live operator #{list_email} (no email): email: expected a string, got ['x@example.com']\n"
        f"Warning: live operator #{null_email} has no readable email; it is left untouched\n"
        f"Warning: live operator #{list_email} has no readable email; it is left untouched\n"
        f"Warning: live operator #{no_email} has no readable email; it is left untouched\n"
        "\n"
        f"~ update odd@example.com (#{odd})\n"
        "    chat.priority: (unset) -> 10\n"
        '    websites: (unset) -> ["Maison Lumiere FR", "Maison Lumiere EN"]\n'
        "\n"
        "Plan: 0 to create, 1 to update, 0 to delete.\n"
        f"Plan digest: {json.loads(run('plan', '-q', '--format', 'json', roster).stdout)['digest']}\n"
    )
    warnings = json.loads(run("plan", "-q", "--format", "json", roster).stdout)["warnings"]
    assert len(warnings) == 6 and all(f"#{i}" in " ".join(warnings) for i in (odd, no_email, null_email, list_email))


def test_apply_writes_over_odd_values_and_leaves_the_email_less_alone(account: Sandbox, hostile: dict[str, int],
                                                                      tmp_path: Path) -> None:
    roster = write(tmp_path, [{"email": "odd@example.com", "chat": {"priority": 10}, "websites": [123, 456]},
                              {"email": "fine@example.com"}], scope={"group_id": GROUP})
    result = run("apply", "--yes", "-q", roster)
    assert result.exit_code == 0, result.output
    assert "Apply complete: 0 created, 1 updated, 0 deleted." in result.stdout
    odd = account.store._fields[hostile["odd"]]
    assert (odd["chat_priority"], odd["website_list"]) == (10, [123, 456])
    assert set(hostile.values()) <= set(account.store.ids())  # nothing was deleted
    assert account.store.get(hostile["no_email"])["first_name"] == "Nemo"
    again = run("plan", "-q", roster)
    assert again.stdout.endswith("No changes.\n") and "has no readable email" in again.stdout


def test_a_roster_without_them_still_never_deletes_the_email_less(account: Sandbox, hostile: dict[str, int],
                                                                 tmp_path: Path) -> None:
    roster = write(tmp_path, [{"email": "fine@example.com"}], scope={"group_id": GROUP})
    result = run("apply", "--yes", "--force", "-q", roster)
    assert result.exit_code == 0, result.output
    assert "Apply complete: 0 created, 0 updated, 1 deleted." in result.stdout  # odd@, which has an email
    assert sorted(account.store.ids()) == sorted(hostile[k] for k in ("null_email", "list_email", "no_email", "fine"))


def test_an_item_without_an_id_is_a_clear_error(account: Sandbox, monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    account.store.add({"email": "a@example.com", "group_id": GROUP})
    serve_edited(account, monkeypatch, lambda item: item.pop("id"))
    result = run("plan", "-q", write(tmp_path, [{"email": "a@example.com"}]))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: list operators (GET /operator): unexpected reply (")
    assert "page 1, item 0: expected a positive integer 'id', got no id" in result.stderr


# --- an empty listing ------------------------------------------------------------------------

EMPTY_WARNING = ("The account returned no operators in scope, so all 3 operators of the roster would be created. "
                 "If this account is not new, check the API key, the base URL and the scope.")


@pytest.mark.parametrize("top", [{}, {"scope": {"group_id": GROUP}}], ids=["no scope", "group scope"])
def test_an_empty_listing_warns_that_everyone_would_be_created(account: Sandbox, tmp_path: Path,
                                                               top: dict[str, Any]) -> None:
    account.store.add({"email": "elsewhere@example.com", "group_id": 8})  # out of the group scope
    if not top:
        account.store.clear()
    roster = write(tmp_path, [{"email": f"op{n}@example.com"} for n in range(3)], **top)
    text = run("plan", "-q", roster)
    assert text.stdout.startswith(f"Warning: {EMPTY_WARNING}\n\n+ create op0@example.com\n")
    data = json.loads(run("plan", "-q", "--format", "json", roster).stdout)
    assert text.stdout.endswith(f"Plan: 3 to create, 0 to update, 0 to delete.\nPlan digest: {data['digest']}\n")
    assert data["warnings"] == [EMPTY_WARNING]
    assert data["summary"] == {"create": 3, "update": 0, "delete": 0, "unchanged": 0}
    markdown = run("plan", "-q", "--format", "markdown", roster).stdout
    assert EMPTY_WARNING in markdown


def test_one_operator_to_create_on_an_empty_account_is_no_alarm(account: Sandbox, tmp_path: Path) -> None:
    result = run("plan", "-q", write(tmp_path, [{"email": "first@example.com"}]))
    assert "Warning" not in result.stdout


# --- plain http:// to a remote host ----------------------------------------------------------

@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A safety net: any attempt to resolve or reach a host other than this machine
    fails the test (and sends nothing)."""
    attempts: list[str] = []
    resolve, connect = socket.getaddrinfo, socket.socket.connect

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if str(host) not in ("127.0.0.1", "localhost", "::1"):
            attempts.append(str(host))
            raise socket.gaierror(f"test: no name resolution for {host}")
        return resolve(host, *args, **kwargs)

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1"):
            attempts.append(str(address[0]))
            raise ConnectionRefusedError("test: no traffic off this machine")
        return connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    return attempts


HTTP_REFUSED = ("Error: refusing plain http:// to example.com: the API key would travel unencrypted; "
                "use https:// (or allow it explicitly with --insecure)\n")


@pytest.mark.parametrize("command", [["plan"], ["apply", "--yes"], ["export"], ["status"]],
                         ids=["plan", "apply", "export", "status"])
def test_plain_http_to_a_remote_host_is_refused(command: list[str], tmp_path: Path, offline: list[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IADVIZE_API_KEY", "never-sent-key-123")
    roster = write(tmp_path, [{"email": "a@example.com"}])
    args = [*command, "--base-url", "http://example.com/api/2"] + ([roster] if command[0] in ("plan", "apply") else [])
    result = run(*args)
    assert (result.exit_code, result.stderr) == (1, HTTP_REFUSED)
    assert "never-sent-key-123" not in result.output
    # The same from the environment.
    monkeypatch.setenv("IADVIZE_BASE_URL", "HTTP://Example.com/api/2/")
    result = run(*[a for a in args if a not in ("--base-url", "http://example.com/api/2")])
    assert (result.exit_code, result.stderr) == (1, HTTP_REFUSED)
    assert offline == []  # nothing was even looked up


def test_plain_http_to_this_machine_is_allowed(account: Sandbox, tmp_path: Path) -> None:
    assert account.url.startswith("http://127.0.0.1:")
    result = run("plan", "-q", "--base-url", account.url, write(tmp_path, [{"email": "a@example.com"}]))
    assert result.exit_code == 0 and result.stdout.startswith("+ create a@example.com")
