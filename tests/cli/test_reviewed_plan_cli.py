"""The reviewed plan is the applied plan: `apply --expect-digest`, and `show PLANFILE`.

Against the sandbox over loopback, as a CI job runs them: plan (the digest goes into
the pull request), the account or the roster perhaps changes, then apply with the
digest that was reviewed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_plan_apply_cli import emails, id_of, run, seeded

from rostersync.sandbox import Sandbox

SECRET = "s3cret-sso-token"  # the sso_key the roster of test_plan_apply_cli sets


def digest_of(runner: CliRunner, *args: str) -> str:
    result = run(runner, "plan", "-q", "--format", "json", *args)
    digest: str = json.loads(result.stdout)["digest"]
    return digest


def state(account: Sandbox) -> list[str]:
    return sorted(map(str, account.store.list()))


def test_the_text_plan_ends_with_the_digest_the_json_plan_has(account: Sandbox, runner: CliRunner,
                                                              tmp_path: Path) -> None:
    roster = seeded(account, tmp_path)
    text = run(runner, "plan", "-q", str(roster)).stdout
    digest = digest_of(runner, str(roster))
    assert text.endswith(f"Plan: 1 to create, 1 to update, 1 to delete.\nPlan digest: {digest}\n")
    assert digest == digest_of(runner, str(roster))  # the same account, the same roster: the same digest


def test_apply_with_the_reviewed_digest_applies_without_asking(account: Sandbox, runner: CliRunner,
                                                               tmp_path: Path) -> None:
    roster = seeded(account, tmp_path)
    digest = digest_of(runner, str(roster))
    result = run(runner, "apply", "-q", "--expect-digest", digest, str(roster))
    assert result.exit_code == 0, result.output
    assert "Apply complete: 1 created, 1 updated, 1 deleted." in result.stdout
    assert "new@example.com" in emails(account) and "gone@example.com" not in emails(account)


def test_a_changed_account_is_refused_and_nothing_is_written(account: Sandbox, runner: CliRunner,
                                                            tmp_path: Path) -> None:
    roster = seeded(account, tmp_path)
    reviewed = digest_of(runner, str(roster))
    account.store.update(id_of(account, "ada@example.com"), {"chat_max_number": 2})  # a UI edit after the review
    before = state(account)
    result = run(runner, "apply", "-q", "--expect-digest", reviewed, str(roster))
    now = digest_of(runner, str(roster))
    assert now != reviewed
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: Refusing to apply: the plan now has 3 changes, digest {now}, not the reviewed plan's digest "
        f"{reviewed}. The roster or the account changed since that plan was made. Nothing was written. Make a "
        "new plan and review it.\n")
    assert "    chat.max: 2 -> 4\n" in result.stdout  # the plan as it is now, to review
    assert result.stdout.endswith(f"Plan digest: {now}\n")
    assert state(account) == before


def test_a_changed_roster_is_refused_too(account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    roster = seeded(account, tmp_path)
    reviewed = digest_of(runner, str(roster))
    roster.write_text(roster.read_text().replace(SECRET, "another-token"))  # only a secret's value differs
    before = state(account)
    result = run(runner, "apply", "-q", "--yes", "--expect-digest", reviewed, str(roster))
    assert result.exit_code == 1 and "Refusing to apply: the plan now has 3 changes" in result.stderr
    assert state(account) == before
    assert SECRET not in result.output and "another-token" not in result.output


def test_the_refusal_is_one_json_document_with_format_json(account: Sandbox, runner: CliRunner,
                                                          tmp_path: Path) -> None:
    roster = seeded(account, tmp_path)
    reviewed = digest_of(runner, str(roster))
    account.store.add({"email": "late@example.com", "group_id": 7})
    result = run(runner, "apply", "-q", "--format", "json", "--expect-digest", reviewed, str(roster))
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["result"] == "refused" and document["outcomes"] == []
    assert document["message"].startswith("Refusing to apply: the plan now has 4 changes, digest ")
    assert document["plan"]["digest"] != reviewed
    assert {c["email"] for c in document["plan"]["changes"]} >= {"late@example.com"}
    assert "late@example.com" in emails(account) and "gone@example.com" in emails(account)


def test_a_plan_with_no_changes_matches_its_digest_and_does_nothing(account: Sandbox, runner: CliRunner,
                                                                   tmp_path: Path) -> None:
    roster = seeded(account, tmp_path)
    run(runner, "apply", "-q", "--yes", str(roster))
    digest = digest_of(runner, str(roster))
    result = run(runner, "apply", "-q", "--expect-digest", digest, str(roster))
    assert (result.exit_code, result.stdout) == (0, "No changes.\n")


@pytest.mark.parametrize("digest", ["sha256:abc", "9f86d081", ""])
def test_a_malformed_digest_is_a_usage_error(account: Sandbox, runner: CliRunner, tmp_path: Path,
                                             digest: str) -> None:
    roster = seeded(account, tmp_path)
    before = state(account)
    result = run(runner, "apply", "--expect-digest", digest, str(roster))
    assert result.exit_code == 64
    assert "Invalid value for '--expect-digest': a plan digest is 'sha256:' and 64 hexadecimal digits" in (
        result.stderr)
    assert state(account) == before


def test_a_saved_plan_is_checked_against_the_digest_too(account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    roster = seeded(account, tmp_path)
    saved = tmp_path / "plan.json"
    digest = digest_of(runner, "--out", str(saved), str(roster))
    other = "sha256:" + "0" * 64
    before = state(account)
    refused = run(runner, "apply", "-q", "--expect-digest", other, str(saved))
    assert refused.exit_code == 1 and f"not the reviewed plan's digest {other}." in refused.stderr
    assert state(account) == before
    assert run(runner, "apply", "-q", "--expect-digest", digest, str(saved)).exit_code == 0
    assert run(runner, "plan", "-q", str(roster)).stdout == "No changes.\n"


# --- show -----------------------------------------------------------------------------------

@pytest.fixture
def saved_plan(account: Sandbox, runner: CliRunner, tmp_path: Path) -> tuple[Path, str]:
    roster = seeded(account, tmp_path)
    saved = tmp_path / "plan.json"
    digest = digest_of(runner, "--out", str(saved), str(roster))
    assert SECRET in saved.read_text()  # the file holds it, to apply it
    return saved, digest


def test_show_prints_a_saved_plan_as_text_with_its_secret_masked(runner: CliRunner, saved_plan: tuple[Path, str],
                                                                 account: Sandbox) -> None:
    saved, digest = saved_plan
    result = run(runner, "show", str(saved))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "+ create new@example.com\n"
        '    first_name: "Newcomer"\n'
        "    roles: [operator]\n"
        "    group: 7\n"
        "    sso_key: (sensitive)\n"
        "\n"
        f"~ update ada@example.com (#{id_of(account, 'ada@example.com')})\n"
        "    chat.max: 3 -> 4\n"
        "\n"
        f"- delete gone@example.com (#{id_of(account, 'gone@example.com')})\n"
        "\n"
        "Plan: 1 to create, 1 to update, 1 to delete.\n"
        f"Plan digest: {digest}\n")
    assert result.stderr == f"A saved plan for {account.url}.\n"


def test_show_prints_a_saved_plan_as_json_and_markdown(runner: CliRunner, saved_plan: tuple[Path, str]) -> None:
    saved, digest = saved_plan
    data = json.loads(run(runner, "show", "-q", "--format", "json", str(saved)).stdout)
    assert data["digest"] == digest
    assert data["changes"][0]["fields"]["sso_key"] == "(sensitive)"
    markdown = run(runner, "show", "-q", "--format", "markdown", str(saved))
    assert markdown.exit_code == 0
    # The comment's layout: the saved plan's digest in the header and its marker, the
    # create a table row whose secret is masked.
    assert f"<!-- rostersync-digest: {digest} -->\n" in markdown.stdout
    assert f" · Digest: `{digest}`\n" in markdown.stdout
    assert "| new@example.com | Newcomer | `roles: [operator]` `group: 7` `sso_key: (sensitive)` |" in markdown.stdout
    # A saved plan is applied by `apply PLANFILE`, not by merging a pull request.
    assert "### rostersync saved plan\n" in markdown.stdout
    assert f"_rostersync apply {saved.name} applies this saved plan, once it has checked" in markdown.stdout
    assert "Merging this pull request" not in markdown.stdout
    for output_format in ("text", "json", "markdown"):
        assert SECRET not in run(runner, "show", "--format", output_format, str(saved)).output


def test_show_needs_the_key_the_plan_was_saved_with(runner: CliRunner, saved_plan: tuple[Path, str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    saved, _ = saved_plan
    monkeypatch.setenv("IADVIZE_API_KEY", "another-key-1234")
    result = run(runner, "show", str(saved))
    assert result.exit_code == 1
    assert "it was saved with another API key" in result.stderr
    assert SECRET not in result.output


def test_show_refuses_a_roster(runner: CliRunner, account: Sandbox, tmp_path: Path) -> None:
    roster = seeded(account, tmp_path)
    result = run(runner, "show", str(roster))
    assert result.exit_code == 1 and "not valid JSON" in result.stderr
