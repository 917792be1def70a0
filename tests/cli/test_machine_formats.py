"""Results machines read: `apply --format json`, `validate --format json|github`,
`status --format json`. Each parsed as a CI job would parse it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_plan_apply_cli import emails, id_of, run, seeded

from rostersync.render.problems import github_data, github_property
from rostersync.sandbox import Sandbox

# --- apply --format json ---------------------------------------------------------------------


def test_apply_json_is_one_document_with_every_outcome(account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    roster = seeded(account, tmp_path)
    ada, gone = id_of(account, "ada@example.com"), id_of(account, "gone@example.com")
    digest = json.loads(run(runner, "plan", "-q", "--format", "json", str(roster)).stdout)["digest"]
    result = run(runner, "apply", "--yes", "--format", "json", str(roster))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)  # the whole of stdout: nothing else is printed there
    created = id_of(account, "new@example.com")
    assert document["result"] == "applied" and document["message"] is None and document["interrupted"] is False
    assert document["plan"]["digest"] == digest
    assert document["plan"]["summary"] == {"create": 1, "update": 1, "delete": 1, "unchanged": 1}
    assert document["outcomes"] == [
        {"action": "create", "email": "new@example.com", "id": created, "status": "done",
         "detail": f"created #{created}"},
        {"action": "update", "email": "ada@example.com", "id": ada, "status": "done",
         "detail": f"updated #{ada}: chat.max"},
        {"action": "delete", "email": "gone@example.com", "id": gone, "status": "done", "detail": f"deleted #{gone}"},
    ]
    assert document["summary"] == {"created": 1, "updated": 1, "deleted": 1, "failed": 0, "not_started": 0}
    assert "Reading the operators in scope" in result.stderr  # progress and notes: stderr
    assert "s3cret-sso-token" not in result.output


def test_apply_json_with_no_changes_and_with_a_refusal(account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    for n in range(4):
        account.store.add({"email": f"op{n}@example.com", "group_id": 7})
    roster = tmp_path / "r.yaml"
    roster.write_text("version: 1\nscope: {group_id: 7}\noperators:\n  - email: op0@example.com\n")
    refused = run(runner, "apply", "--yes", "-q", "--format", "json", str(roster))
    assert refused.exit_code == 1
    document = json.loads(refused.stdout)
    assert (document["result"], document["outcomes"]) == ("refused", [])
    assert document["message"].startswith("This plan deletes 3 of the 4 operators in scope (75%)")
    assert "This plan deletes 3 of the 4" in refused.stderr
    assert len(account.store.list()) == 4
    roster.write_text("version: 1\nscope: {group_id: 7}\noperators:\n" +
                      "".join(f"  - email: op{n}@example.com\n" for n in range(4)))
    quiet = run(runner, "apply", "--yes", "-q", "--format", "json", str(roster))
    assert quiet.exit_code == 0
    assert json.loads(quiet.stdout)["result"] == "no changes"


def test_apply_json_reports_an_error_before_any_plan(account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    roster = tmp_path / "r.yaml"
    roster.write_text("version: 1\noperators:\n  - email: not-an-email\n")
    result = run(runner, "apply", "--yes", "-q", "--format", "json", str(roster))
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert (document["result"], document["plan"]) == ("error", None)
    assert "operators[0].email" in document["message"]
    assert emails(account) == []


# --- validate --format json | github ------------------------------------------------------------

BROKEN = "version: 1\noperators:\n  - email: ada@example.com\n    chat: {priority: 5}\n    rols: [operator]\n"


def test_validate_json_lists_every_problem(tmp_path: Path, runner: CliRunner) -> None:
    roster = tmp_path / "team-fr.yaml"
    roster.write_text(BROKEN)
    result = run(runner, "validate", "--format", "json", str(roster))
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "format_version": 1, "valid": False, "roster": str(roster),
        "problems": [
            {"file": str(roster), "line": 4, "column": 12, "path": "operators[0].chat.priority",
             "message": "must be 0 or 10, got 5"},
            {"file": str(roster), "line": 5, "column": 5, "path": "operators[0].rols",
             "message": "unknown field (did you mean 'roles'?)"},
        ],
        "summary": "2 problems found; nothing was sent to the API.",
    }


def test_validate_json_of_a_valid_roster(runner: CliRunner) -> None:
    result = run(runner, "validate", "--format", "json", "examples/operators.yaml")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert (document["valid"], document["operators"], document["files"]) == (True, 9, ["examples/operators.yaml"])
    assert document["problems"] == []
    assert document["summary"] == "examples/operators.yaml: valid, 9 operators in 1 file, 3 profiles."


def test_validate_github_prints_one_annotation_per_problem(tmp_path: Path, runner: CliRunner) -> None:
    roster = tmp_path / "team-fr.yaml"
    roster.write_text(BROKEN)
    result = run(runner, "validate", "--format", "github", str(roster))
    assert result.exit_code == 1
    file = str(roster).replace(":", "%3A").replace(",", "%2C")
    assert result.stdout == (
        f"::error file={file},line=4,col=12::operators[0].chat.priority: must be 0 or 10, got 5\n"
        f"::error file={file},line=5,col=5::operators[0].rols: unknown field (did you mean 'roles'?)\n")
    assert result.stderr == "2 problems found; nothing was sent to the API.\n"


def test_github_annotations_escape_what_would_end_or_forge_a_command(tmp_path: Path, runner: CliRunner) -> None:
    directory = tmp_path / "roster"
    directory.mkdir()
    (directory / "team,fr:1.yaml").write_text(
        'version: 1\noperators:\n  - email: ada@example.com\n    "100%\\r\\n::warning::x": 1\n')
    result = run(runner, "validate", "--format", "github", str(directory))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    # Two problems of the one key (its control characters; no such field), one
    # annotation each: no line that the key's "\r\n" would have started.
    assert len(lines) == 2, result.stdout
    file = github_property(str(directory / "team,fr:1.yaml"))
    assert "%2C" in file and "%3A" in file and "," not in file.split("%2C")[-1]
    prefix = f"::error file={file},line=4,col=5::operators[0].100%25\\r\\n::warning::x: "
    # The key's control characters are escaped where the path is shown (limits.printable),
    # so GitHub reads each back as one message holding a visible "\r\n".
    assert lines == [prefix + "this key contains a control character, \\r (carriage return): "
                              "no key or value may hold one",
                     prefix + "unknown field"]


@pytest.mark.parametrize(("text", "data", "prop"), [
    ("50% done", "50%25 done", "50%25 done"),
    ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
    ("dir,a:b.yaml", "dir,a:b.yaml", "dir%2Ca%3Ab.yaml"),
    ("esc\x1b[2J", "esc\\x1b[2J", "esc\\x1b[2J"),
])
def test_github_escaping(text: str, data: str, prop: str) -> None:
    assert (github_data(text), github_property(text)) == (data, prop)


# --- status --format json ---------------------------------------------------------------------


def test_status_json(account: Sandbox, runner: CliRunner) -> None:
    ada = account.store.add({"email": "ada@example.com", "chat_enabled": True, "chat_max_number": 3})
    bob = account.store.add({"email": "bob@example.com"})
    account.store.set_presence(ada, connected=True, available=["chat"], slot_number={"chat": 1})
    result = run(runner, "status", "-q", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["connected"], document["total"]) == (1, 2)
    first, second = document["operators"]
    assert (first["id"], first["email"], first["connected"]) == (ada, "ada@example.com", True)
    assert first["chat"] == {"enabled": True, "available": True, "busy": False, "slots": 1, "max_slots": 3}
    assert first["call"]["enabled"] is False
    # Never logged in: the live availability does not list bob (the table's "never").
    assert (second["id"], second["connected"], second["chat"]) == (bob, None, None)


def test_status_json_does_not_go_with_watch(account: Sandbox, runner: CliRunner) -> None:
    result = run(runner, "status", "--watch", "--format", "json")
    assert result.exit_code == 64
    assert "use one or the other" in result.stderr
