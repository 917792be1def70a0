"""Nothing from the account or a roster reaches a terminal or a pull-request comment raw.

The live data is hostile: a first name that clears the screen, reverses the text after
it, holds a NUL, a script tag, backticks, ``@channel`` and ``#12``; an email carrying
an OSC 8 hyperlink and a bidi override. The sandbox validates what comes in, so both
are planted in its store (what ``GET /operator`` serves as is), and appear in the plan
as an update and a delete. Every format is checked as a user would see it.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from rostersync.cli.main import cli
from rostersync.sandbox import Sandbox

NAME = "Eve\x1b[2J\u202enimda\x00<script>alert(1)</script> `x`` @channel #12"
NAME_SHOWN = '"Eve\\x1b[2J\\u202enimda\\x00<script>alert(1)</script> `x`` @channel #12"'
EMAIL = "mal\x1b]8;;http://evil.example/\x07lory\u202e@example.com"
EMAIL_SHOWN = "mal\\x1b]8;;http://evil.example/\\x07lory\\u202e@example.com"

ROSTER = """\
version: 1
scope: {group_id: 7}
defaults: {group: 7}
operators:
  - email: eve@example.com
    first_name: Eve
  - email: ada@example.com
  - email: bob@example.com
  - email: cy@example.com
"""


def run(runner: CliRunner, *args: str) -> Result:
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def raw_controls(text: str) -> list[str]:
    """Characters a terminal acts on or a reader cannot see (line breaks aside)."""
    return [c for c in text.replace("\n", "") if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs")]


@pytest.fixture
def hostile(account: Sandbox, tmp_path: Path) -> tuple[Path, int, int]:
    """The roster, the id of the operator whose name is hostile, and that of the one
    whose email is."""
    for name in ("ada", "bob", "cy"):
        account.store.add({"email": f"{name}@example.com", "group_id": 7})
    eve = account.store.add({"email": "eve@example.com", "group_id": 7, "first_name": "Eve"})
    account.store._fields[eve]["first_name"] = NAME
    mallory = account.store.add({"email": "mallory@example.com", "group_id": 7})
    stored = account.store._fields[mallory]
    account.store._id_by_email.pop(stored["email"])
    stored["email"] = EMAIL
    roster = tmp_path / "roster.yaml"
    roster.write_text(ROSTER)
    return roster, eve, mallory


def test_the_text_plan_shows_escapes(runner: CliRunner, hostile: tuple[Path, int, int]) -> None:
    roster, eve, mallory = hostile
    result = run(runner, "plan", "-q", str(roster))
    assert result.exit_code == 0
    digest = json.loads(run(runner, "plan", "-q", "--format", "json", str(roster)).stdout)["digest"]
    assert result.stdout == (
        f"~ update eve@example.com (#{eve})\n"
        f'    first_name: {NAME_SHOWN} -> "Eve"\n'
        "\n"
        f"- delete {EMAIL_SHOWN} (#{mallory})\n"
        "\n"
        "Plan: 0 to create, 1 to update, 1 to delete.\n"
        f"Plan digest: {digest}\n"
    )


def test_the_json_plan_has_the_values_and_no_raw_control_character(runner: CliRunner,
                                                                   hostile: tuple[Path, int, int]) -> None:
    roster, _, mallory = hostile
    result = run(runner, "plan", "-q", "--format", "json", str(roster))
    assert result.exit_code == 0
    assert raw_controls(result.stdout) == []
    assert ('"before": "Eve\\u001b[2J\\u202enimda\\u0000<script>alert(1)</script> `x`` @channel #12"'
            in result.stdout)
    assert '"email": "mal\\u001b]8;;http://evil.example/\\u0007lory\\u202e@example.com"' in result.stdout
    changes = json.loads(result.stdout)["changes"]  # a script still gets the values themselves
    assert changes[0]["changes"] == [{"field": "first_name", "before": NAME, "after": "Eve"}]
    assert changes[1] == {"action": "delete", "email": EMAIL, "id": mallory}


def test_the_markdown_plan_is_inert_text_in_code_spans(runner: CliRunner, hostile: tuple[Path, int, int]) -> None:
    roster, eve, mallory = hostile
    result = run(runner, "plan", "-q", "--format", "markdown", str(roster))
    assert result.exit_code == 0
    # The digest `apply --expect-digest` takes, the same as the JSON plan's (its value: tests/plan/test_digest.py).
    digest = json.loads(run(runner, "plan", "-q", "--format", "json", str(roster)).stdout)["digest"]
    assert result.stdout == (
        "<!-- rostersync-plan -->\n"
        f"<!-- rostersync-digest: {digest} -->\n"
        "### rostersync plan\n"
        "\n"
        f"Scope: group 7 · Digest: `{digest}`\n"
        "\n"
        "**0 to create, 1 to update, 1 to delete** (3 unchanged).\n"
        "\n"
        "#### ✏️ Update (1)\n"
        "\n"
        f"- **eve@example.com** (id {eve})\n"
        # A fence of three backticks: the name holds a run of two.
        f"  - `first_name`: ```{NAME_SHOWN}``` → `\"Eve\"`\n"
        "\n"
        "#### ➖ Delete (1)\n"
        "\n"
        "| operator | name | roles | id |\n"
        "|---|---|---|---|\n"
        # Backslashes escaped, the bracket too, and the URL broken so that nothing links.
        f"| mal\\\\x1b\\]8;;http:&#8203;//evil.example/\\\\x07lory\\\\u202e@example.com | — | `operator` | {mallory} |\n"
        "\n"
        "---\n"
        "_Merging this pull request applies the plan. Secrets are shown as `(sensitive)`._\n"
    )


def test_a_warning_in_markdown_links_no_issue(account: Sandbox, runner: CliRunner,
                                              hostile: tuple[Path, int, int]) -> None:
    roster, eve, _ = hostile
    account.store._fields[eve]["chat_priority"] = "\x1b[31mhigh"
    result = run(runner, "plan", "-q", "--format", "markdown", str(roster))
    warnings = [line for line in result.stdout.splitlines() if line.startswith("> ⚠️ ")]
    assert warnings and all(raw_controls(line) == [] for line in warnings)
    assert f"#&#8203;{eve}" in warnings[0] and f"#{eve}" not in result.stdout


def test_status_shows_escapes(runner: CliRunner, hostile: tuple[Path, int, int]) -> None:
    result = run(runner, "status")
    assert result.exit_code == 0
    assert result.stdout == (
        "OPERATOR                                                   GROUP       CONNECTED  CHAT  CALL  VIDEO\n"
        "ada@example.com                                            Paris desk  never      -     -     -\n"
        "bob@example.com                                            Paris desk  never      -     -     -\n"
        "cy@example.com                                             Paris desk  never      -     -     -\n"
        "eve@example.com                                            Paris desk  never      -     -     -\n"
        f"{EMAIL_SHOWN}  Paris desk  never      -     -     -\n"
        "\n"
        "0 of 5 operators connected.\n"
    )


def test_apply_reports_with_escapes(runner: CliRunner, hostile: tuple[Path, int, int]) -> None:
    roster, _, mallory = hostile
    result = run(runner, "apply", "--yes", "-q", str(roster))
    assert result.exit_code == 0, result.output
    assert raw_controls(result.output) == []
    assert f"- delete {EMAIL_SHOWN} (#{mallory})\n" in result.stdout
    assert f"\n- {EMAIL_SHOWN}: ok: " in result.stdout


# --- failures ----------------------------------------------------------------------------------

def test_a_roster_problem_quoting_a_hostile_key_is_escaped(runner: CliRunner, tmp_path: Path) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text('version: 1\noperators:\n  - email: a@example.com\n    "x\\e[2J\\u202e\\nforged: line": 1\n')
    result = run(runner, "validate", str(roster))
    assert result.exit_code == 1
    assert raw_controls(result.stderr) == []
    lines = result.stderr.splitlines()
    # Two problems of the one key, each on one line: its control characters (refused
    # anywhere in a roster) and that it is no field. Nothing forged a line of its own.
    assert len(lines) == 3 and lines[-1] == "2 problems found; nothing was sent to the API."
    key = "operators[0].x\\x1b[2J\\u202e\\nforged: line"  # the key, as a person can read it
    assert lines[0] == f"{roster}:4:5: {key}: this key contains a control character, \\x1b (ESC): no key or value may hold one"
    assert lines[1] == f"{roster}:4:5: {key}: unknown field"


class _HostileReply(BaseHTTPRequestHandler):
    """Refuses every request with a message made to rewrite the terminal."""

    def do_GET(self) -> None:
        message = "no \x1b[2J\u202e\x9b31m way\nError: forged line"
        body = json.dumps({"meta": {"status": "error", "message": message}}, ensure_ascii=False).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hostile_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HostileReply)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("IADVIZE_BASE_URL", f"http://127.0.0.1:{server.server_port}/api/2")
    monkeypatch.setenv("IADVIZE_API_KEY", "test-key-0a1b2c")
    try:
        yield server.server_address[0]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize("command", [["plan", "-q"], ["status"]], ids=["plan", "status"])
def test_an_api_error_quoting_a_hostile_reply_is_one_escaped_line(runner: CliRunner, tmp_path: Path,
                                                                  hostile_server: str, command: list[str]) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text("version: 1\noperators: []\n")
    result = run(runner, *command, *([str(roster)] if command[0] == "plan" else []))
    assert result.exit_code == 1
    assert raw_controls(result.stderr) == []
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "no \\x1b[2J\\u202e\\x9b31m way\\nError: forged line" in result.stderr
