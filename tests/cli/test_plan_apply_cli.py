"""plan and apply through the CLI, against the sandbox, as a user runs them."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from rostersync.cli.main import cli
from rostersync.render.escape import markdown_text
from rostersync.sandbox import Sandbox

ROSTER = """\
version: 1
scope: {group_id: 7}
ignore: ["*@iadvize.com"]
defaults: {group: 7, roles: [operator]}
operators:
  - email: ada@example.com
    first_name: Ada
    chat: {enabled: true, max: 4, priority: 10}
    languages: [fr, en]
  - email: grace@example.com
    first_name: Grace
    chat: {max: 2}
  - email: new@example.com
    first_name: Newcomer
    sso_key: s3cret-sso-token
"""

LIVE = [
    # Matches but for chat.max and the case of its email: one update.
    {"email": "Ada@Example.com", "first_name": "Ada", "group_id": 7, "roles": ["operator"], "chat_enabled": True,
     "chat_max_number": 3, "chat_priority": 10, "language_list": ["en", "fr"]},
    # Already as wanted.
    {"email": "grace@example.com", "first_name": "Grace", "group_id": 7, "roles": ["operator"], "chat_max_number": 2},
    # In scope, not in the roster: deleted.
    {"email": "gone@example.com", "first_name": "Gone", "group_id": 7, "roles": ["operator"]},
    # Ignored, and out of scope: both untouched.
    {"email": "support@iadvize.com", "group_id": 7, "roles": ["admin"]},
    {"email": "other@example.com", "group_id": 8, "roles": ["operator"]},
]


def run(runner: CliRunner, *args: str, **kwargs: Any) -> Result:
    return runner.invoke(cli, list(args), catch_exceptions=False, **kwargs)


def seeded(account: Sandbox, roster_dir: Path) -> Path:
    for fields in LIVE:
        account.store.add(fields)
    path = roster_dir / "roster.yaml"
    path.write_text(ROSTER)
    return path


def id_of(account: Sandbox, email: str) -> int:
    return next(op["id"] for op in account.store.list() if op["email"].lower() == email.lower())


def emails(account: Sandbox) -> list[str]:
    return sorted(op["email"].lower() for op in account.store.list())


def test_plan_shows_exactly_the_creates_updates_and_deletes(account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    roster = seeded(account, tmp_path)
    result = run(runner, "plan", "-q", str(roster))
    assert result.exit_code == 0
    gone_id, ada_id = id_of(account, "gone@example.com"), id_of(account, "ada@example.com")
    digest = json.loads(run(runner, "plan", "-q", "--format", "json", str(roster)).stdout)["digest"]
    assert result.stdout == (
        "+ create new@example.com\n"
        '    first_name: "Newcomer"\n'
        "    roles: [operator]\n"
        "    group: \"Paris desk\"\n"
        "    sso_key: (sensitive)\n"
        "\n"
        f"~ update ada@example.com (#{ada_id})\n"
        "    chat.max: 3 -> 4\n"
        "\n"
        f"- delete gone@example.com (#{gone_id})\n"
        "\n"
        "Plan: 1 to create, 1 to update, 1 to delete.\n"
        f"Plan digest: {digest}\n"
    )


def test_apply_then_plan_says_no_changes(account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    roster = seeded(account, tmp_path)
    result = run(runner, "apply", "--yes", "-q", str(roster))
    assert result.exit_code == 0, result.output
    assert "Apply complete: 1 created, 1 updated, 1 deleted." in result.stdout
    assert emails(account) == ["ada@example.com", "grace@example.com", "new@example.com",
                               "other@example.com", "support@iadvize.com"]
    again = run(runner, "plan", "-q", "--detailed-exitcode", str(roster))
    assert (again.exit_code, again.stdout) == (0, "No changes.\n")
    assert "s3cret-sso-token" not in result.output + again.output


def test_detailed_exitcode_is_2_when_there_are_changes(account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    roster = seeded(account, tmp_path)
    assert run(runner, "plan", "-q", "--detailed-exitcode", str(roster)).exit_code == 2


def test_apply_without_a_terminal_or_yes_refuses_and_writes_nothing(account: Sandbox, runner: CliRunner,
                                                                   tmp_path: Path) -> None:
    roster = seeded(account, tmp_path)
    before = emails(account)
    result = run(runner, "apply", "-q", str(roster))
    assert result.exit_code == 1
    assert "Refusing to apply: there is no terminal to confirm on." in result.stderr
    assert emails(account) == before


def test_the_delete_guard_refuses_then_force_overrides(account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    for n in range(4):
        account.store.add({"email": f"op{n}@example.com", "group_id": 7})
    roster = tmp_path / "r.yaml"
    roster.write_text("version: 1\nscope: {group_id: 7}\noperators:\n  - email: op0@example.com\n")
    refused = run(runner, "apply", "--yes", "-q", str(roster))
    assert refused.exit_code == 1
    assert ("This plan deletes 3 of the 4 operators in scope (75%), more than --max-delete-ratio 0.25 allows."
            in refused.stderr)
    assert len(account.store.list()) == 4
    forced = run(runner, "apply", "--yes", "--force", "-q", str(roster))
    assert forced.exit_code == 0
    assert emails(account) == ["op0@example.com"]


def test_an_empty_roster_never_empties_the_scope_without_force(account: Sandbox, runner: CliRunner,
                                                               tmp_path: Path) -> None:
    account.store.add({"email": "only@example.com", "group_id": 7})
    roster = tmp_path / "r.yaml"
    roster.write_text("version: 1\noperators: []\n")
    result = run(runner, "apply", "--yes", "-q", "--max-delete-ratio", "1", str(roster))
    assert result.exit_code == 1
    assert "The roster has no operators, so this plan would delete all 1 operators in scope." in result.stderr
    assert emails(account) == ["only@example.com"]


def test_a_saved_plan_applies_without_asking(account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    roster = seeded(account, tmp_path)
    saved = tmp_path / "plan.json"
    assert run(runner, "plan", "-q", "--out", str(saved), str(roster)).exit_code == 0
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert json.loads(saved.read_text())["notice"].startswith("This file holds secrets")
    result = run(runner, "apply", "-q", str(saved))
    assert result.exit_code == 0, result.output
    assert run(runner, "plan", "-q", str(roster)).stdout == "No changes.\n"


def test_a_stale_saved_plan_is_refused_and_nothing_is_written(account: Sandbox, runner: CliRunner,
                                                              tmp_path: Path) -> None:
    roster = seeded(account, tmp_path)
    saved = tmp_path / "plan.json"
    run(runner, "plan", "-q", "--out", str(saved), str(roster))
    ada_id = id_of(account, "ada@example.com")
    account.store.update(ada_id, {"first_name": "Augusta"})  # someone edits the account meanwhile
    before = sorted(map(str, account.store.list()))
    result = run(runner, "apply", "-q", str(saved))
    assert result.exit_code == 1
    assert "The saved plan is stale: the account changed since it was made." in result.stderr
    assert f"ada@example.com (#{ada_id}) changed" in result.stderr
    assert "Nothing was written." in result.stderr
    assert sorted(map(str, account.store.list())) == before


def test_json_format_is_stable(account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    roster = seeded(account, tmp_path)
    result = run(runner, "plan", "-q", "--format", "json", str(roster))
    data = json.loads(result.stdout)
    ids = {op["email"].lower(): op["id"] for op in account.store.list()}
    assert data == {
        "format_version": 1,
        "digest": data["digest"],  # its value: tests/plan/test_digest.py
        "selection": {"only": [], "files": []},
        "summary": {"create": 1, "update": 1, "delete": 1, "unchanged": 1},
        "warnings": [],
        "changes": [
            {"action": "create", "email": "new@example.com", "id": None,
             "fields": {"email": "new@example.com", "first_name": "Newcomer", "roles": ["operator"], "group": 7,
                        "sso_key": "(sensitive)"},
             "names": {"group": "Paris desk"}},
            {"action": "update", "email": "ada@example.com", "id": ids["ada@example.com"],
             "changes": [{"field": "chat.max", "before": 3, "after": 4}]},
            {"action": "delete", "email": "gone@example.com", "id": ids["gone@example.com"]},
        ],
    }


def test_markdown_format_is_a_pull_request_comment(account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    roster = seeded(account, tmp_path)
    result = run(runner, "plan", "-q", "--format", "markdown", str(roster))
    ids = {op["email"].lower(): op["id"] for op in account.store.list()}
    line = ROSTER.splitlines().index("  - email: new@example.com") + 1  # where the create comes from
    # The digest `apply --expect-digest` takes, the same as the JSON plan's (its value: tests/plan/test_digest.py).
    digest = json.loads(run(runner, "plan", "-q", "--format", "json", str(roster)).stdout)["digest"]
    assert result.stdout == (
        "<!-- rostersync-plan -->\n"
        f"<!-- rostersync-digest: {digest} -->\n"
        "### rostersync plan\n"
        "\n"
        f"Scope: group 7 · Digest: `{digest}`\n"
        "\n"
        "**1 to create, 1 to update, 1 to delete** (1 unchanged).\n"
        "\n"
        "#### ➕ Create (1)\n"
        "\n"
        "| operator | name | fields | roster |\n"
        "|---|---|---|---|\n"
        f"| new@example.com | Newcomer | `roles: [operator]` `group: \"Paris desk\"` `sso_key: (sensitive)` | {markdown_text(str(roster))}:{line} |\n"
        "\n"
        "#### ✏️ Update (1)\n"
        "\n"
        f"- **ada@example.com** (id {ids['ada@example.com']})\n"
        "  - `chat.max`: `3` → `4`\n"
        "\n"
        "#### ➖ Delete (1)\n"
        "\n"
        "| operator | name | roles | id |\n"
        "|---|---|---|---|\n"
        f"| gone@example.com | Gone | `operator` | {ids['gone@example.com']} |\n"
        "\n"
        "---\n"
        "_Merging this pull request applies the plan. Secrets are shown as `(sensitive)`._\n"
    )


def test_export_then_plan_gives_no_changes(account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    seeded(account, tmp_path)
    account.store.add({"email": "phone@example.com", "group_id": 7, "call_enabled": True,
                       "call_config": {"type": "ANSWER_FROM_PHONE", "phone_number": "+33612345678"},
                       "sso_key": "never-exported"})
    out = tmp_path / "exported.yaml"
    result = run(runner, "export", "-q", "--group-id", "7", "--out", str(out))
    assert result.exit_code == 0
    text = out.read_text()
    assert "never-exported" not in text
    assert run(runner, "validate", str(out)).exit_code == 0
    assert run(runner, "plan", "-q", str(out)).stdout == "No changes.\n"


def test_an_unreachable_api_is_a_message_not_a_traceback(runner: CliRunner, tmp_path: Path,
                                                         monkeypatch: Any) -> None:
    monkeypatch.setenv("IADVIZE_BASE_URL", "http://127.0.0.1:9/api/2")
    monkeypatch.setenv("IADVIZE_API_KEY", "whatever-key")
    monkeypatch.setenv("ROSTERSYNC_RETRY_BUDGET_S", "0")  # fail at the first refusal: no backoff to sleep through
    roster = tmp_path / "r.yaml"
    roster.write_text("version: 1\noperators: []\n")
    result = run(runner, "plan", "-q", str(roster))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.output
    assert "whatever-key" not in result.output


def test_a_refused_key_says_what_to_do(account: Sandbox, runner: CliRunner, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("IADVIZE_API_KEY", "wrong-key-123")
    roster = tmp_path / "r.yaml"
    roster.write_text("version: 1\noperators: []\n")
    result = run(runner, "plan", "-q", str(roster))
    assert result.exit_code == 1
    assert "IADVIZE_API_KEY" in result.stderr
    assert "wrong-key-123" not in result.output


def test_apply_prints_text_or_json_only(account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    # A Markdown plan is a pull request's (plan --format markdown, ci plan): its footer says
    # that merging applies it, which would be wrong above apply's own report.
    path = seeded(account, tmp_path)
    before = account.store.list()
    result = runner.invoke(cli, ["apply", "--yes", "--format", "markdown", str(path)])
    assert result.exit_code == 64
    assert "'markdown' is not one of 'text', 'json'" in result.output
    assert account.store.list() == before
