"""The CI programs (`rostersync ci ...`) against a local stand-in of GitHub's and
GitLab's comment APIs: listing with pagination, create, update, error replies; the
plan comment replaced by the failure; the reviewed digest found or refused; one
drift issue. No HTTP is mocked: every request goes over loopback to the stand-in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from forge_standin import BOT, GITHUB_TOKEN, GITLAB_BOT_ID, GITLAB_TOKEN, ForgeStandIn, ForgeState

from rostersync.cli.main import cli
from rostersync.render.markdown import COMMENT_MARKER
from rostersync.sandbox import Sandbox

SHA = "0123456789abcdef0123456789abcdef01234567"
DIGEST = "sha256:" + "ab" * 32
PLAN_BODY = f"{COMMENT_MARKER}\n<!-- rostersync-digest: {DIGEST} -->\n### rostersync plan\n\n**1 to create**\n"
ROSTER = """\
version: 1
scope: {group_id: 7}
defaults: {group: 7}
operators:
  - email: ada@example.com
    first_name: Ada
  - email: new@example.com
    first_name: Newcomer
"""
CI_ENV = ("GITHUB_API_URL", "GITHUB_REPOSITORY", "GITHUB_TOKEN", "GITHUB_EVENT_PATH", "GITHUB_SHA",
          "GITHUB_SERVER_URL", "GITHUB_RUN_ID", "GITHUB_STEP_SUMMARY", "CI_API_V4_URL", "CI_PROJECT_ID",
          "CI_MERGE_REQUEST_IID", "CI_COMMIT_SHA", "CI_JOB_URL", "ROSTERSYNC_NOTE_TOKEN")


@pytest.fixture(scope="module")
def server() -> Iterator[ForgeStandIn]:
    forge = ForgeStandIn()
    try:
        yield forge
    finally:
        forge.stop()


@pytest.fixture
def forge(server: ForgeStandIn) -> ForgeState:
    return server.reset()


@pytest.fixture
def github_env(server: ForgeStandIn, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A pull_request job's environment: the event file names pull request 7."""
    for name in CI_ENV:
        monkeypatch.delenv(name, raising=False)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}))
    monkeypatch.setenv("GITHUB_API_URL", server.url)
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN)
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_SHA", SHA)
    return tmp_path


@pytest.fixture
def gitlab_env(server: ForgeStandIn, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in CI_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CI_API_V4_URL", f"{server.url}/api/v4")
    monkeypatch.setenv("CI_PROJECT_ID", "42")
    monkeypatch.setenv("CI_MERGE_REQUEST_IID", "5")
    monkeypatch.setenv("CI_COMMIT_SHA", SHA)
    monkeypatch.setenv("ROSTERSYNC_NOTE_TOKEN", GITLAB_TOKEN)
    return tmp_path


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    assert GITHUB_TOKEN not in result.output and GITLAB_TOKEN not in result.output
    return result


def body_file(where: Path, body: str, name: str = "comment.md") -> Path:
    path = where / name
    path.write_text(body, encoding="utf-8")
    return path


def ours(forge: ForgeState, number: int = 7) -> list[dict[str, object]]:
    return [c for c in forge.comments.get(number, []) if COMMENT_MARKER in str(c["body"]).splitlines()]


# --- GitHub: the comment -----------------------------------------------------------------------

def test_github_creates_the_comment_after_reading_every_page(forge: ForgeState, github_env: Path) -> None:
    for n in range(5):
        forge.github_comment(7, f"looks good {n}", login="reviewer")
    result = run("ci", "github", "comment", str(body_file(github_env, PLAN_BODY)))
    assert result.exit_code == 0, result.output
    assert "Created the rostersync comment" in result.stderr
    pages = [path for method, path in forge.requests if method == "GET" and "/comments" in path]
    assert len(pages) == 3  # 5 comments, 2 a page
    assert [c["body"] for c in ours(forge)] == [PLAN_BODY]


def test_github_replaces_ours_found_on_a_later_page_and_creates_nothing(forge: ForgeState, github_env: Path) -> None:
    for n in range(4):
        forge.github_comment(7, f"comment {n}", login="reviewer")
    old = forge.github_comment(7, f"{COMMENT_MARKER}\nthe old plan")
    forge.github_comment(7, "a later remark", login="reviewer")
    result = run("ci", "github", "comment", str(body_file(github_env, PLAN_BODY)))
    assert result.exit_code == 0, result.output
    assert "Updated the rostersync comment" in result.stderr
    assert len(forge.comments[7]) == 6
    assert [c["id"] for c in ours(forge)] == [old["id"]] and old["body"] == PLAN_BODY
    assert ("PATCH", f"/repos/o/r/issues/comments/{old['id']}") in forge.requests


def test_github_ignores_a_marker_pasted_by_someone_else(forge: ForgeState, github_env: Path) -> None:
    forged = forge.github_comment(7, f"{COMMENT_MARKER}\n<!-- rostersync-digest: {DIGEST} -->", login="mallory")
    result = run("ci", "github", "comment", str(body_file(github_env, PLAN_BODY)))
    assert result.exit_code == 0, result.output
    assert forged["body"] != PLAN_BODY  # not touched
    assert [c["user"] for c in ours(forge) if c["body"] == PLAN_BODY] == [{"login": BOT}]


@pytest.mark.parametrize(("method", "prefix", "status", "message"), [
    ("GET", "/repos/o/r/issues/7/comments", 500, "Server Error"),
    ("POST", "/repos/o/r/issues/7/comments", 403, "Resource not accessible by integration"),
    ("POST", "/repos/o/r/issues/7/comments", 422, f"Body is too long; token {GITHUB_TOKEN}"),
])
def test_github_error_replies_are_errors(forge: ForgeState, github_env: Path, method: str, prefix: str,
                                         status: int, message: str) -> None:
    forge.fail[(method, prefix)] = (status, message)
    result = run("ci", "github", "comment", str(body_file(github_env, PLAN_BODY)))
    assert result.exit_code == 1
    assert f"Error: {method} {prefix}: HTTP {status}: {message.replace(GITHUB_TOKEN, '***')}" in result.stderr


def test_github_a_refused_token_is_an_error(forge: ForgeState, github_env: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_wrong")
    result = run("ci", "github", "comment", str(body_file(github_env, PLAN_BODY)))
    assert result.exit_code == 1
    assert "HTTP 401: Bad credentials" in result.stderr and "ghs_wrong" not in result.output


def test_github_a_next_page_on_another_host_is_refused(forge: ForgeState, github_env: Path) -> None:
    forge.next_link_host = "evil.example"
    for n in range(3):
        forge.github_comment(7, f"comment {n}", login="reviewer")
    result = run("ci", "github", "comment", str(body_file(github_env, PLAN_BODY)))
    assert result.exit_code == 1
    assert "the next page is on another host (http://evil.example); refusing to send the token there" in result.stderr
    assert not any(method == "POST" for method, _ in forge.requests)


def test_a_body_without_the_marker_is_not_posted(forge: ForgeState, github_env: Path) -> None:
    result = run("ci", "github", "comment", str(body_file(github_env, "just text\n")))
    assert result.exit_code == 1 and "is not a rostersync comment" in result.stderr
    assert forge.requests == []


# --- the failure replaces the plan -------------------------------------------------------------

def test_a_failed_plan_replaces_the_plan_comment(account: Sandbox, forge: ForgeState, github_env: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(github_env)
    account.store.add({"email": "ada@example.com", "first_name": "Ada", "group_id": 7})
    roster = body_file(github_env, ROSTER, "roster.yaml")
    planned = run("ci", "plan", "-q", "--comment", "comment.md", str(roster))
    assert planned.exit_code == 0, planned.output
    assert "+ create new@example.com" in planned.stdout  # the text plan, for the job log
    assert run("ci", "github", "comment", "comment.md").exit_code == 0
    assert "Newcomer" in str(ours(forge)[0]["body"])

    roster.write_text(ROSTER.replace("email: new@example.com", "email: not-an-email"))
    failed = run("ci", "plan", "-q", "--comment", "comment.md", "--summary", "summary.md", str(roster))
    assert failed.exit_code == 1
    assert (github_env / "summary.md").read_text() == (github_env / "comment.md").read_text()
    assert "must be a valid email address" in failed.stderr
    assert run("ci", "github", "comment", "comment.md").exit_code == 0
    [comment] = ours(forge)
    body = str(comment["body"])
    assert "### ❌ The roster is not valid" in body
    assert "There is no plan to review" in body and "must be a valid email address" in body
    assert "Newcomer" not in body and "rostersync-digest" not in body


def test_an_api_error_and_the_delete_guard_replace_the_plan_too(account: Sandbox, github_env: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(github_env)
    roster = body_file(github_env, ROSTER, "roster.yaml")
    monkeypatch.setenv("IADVIZE_API_KEY", "a-wrong-key")
    monkeypatch.setenv("ROSTERSYNC_RETRY_BUDGET_S", "0")
    failed = run("ci", "plan", "-q", "--comment", "comment.md", str(roster))
    assert failed.exit_code == 1
    body = (github_env / "comment.md").read_text()
    assert "### ❌ The account could not be read" in body and "rostersync-digest" not in body
    assert "a-wrong-key" not in body

    monkeypatch.setenv("IADVIZE_API_KEY", "test-key-5f2c9e")
    for n in range(4):
        account.store.add({"email": f"old{n}@example.com", "group_id": 7})
    refused = run("ci", "plan", "-q", "--comment", "comment.md", str(roster))
    assert refused.exit_code == 1 and "--max-delete-ratio" in refused.stderr
    body = (github_env / "comment.md").read_text()
    assert "> 🛑 **Refused:** This plan deletes 4 of the 4 operators in scope" in body
    assert "old0@example.com" in body and "rostersync-digest" not in body


def test_the_plan_comment_carries_the_digest(account: Sandbox, github_env: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(github_env)
    roster = body_file(github_env, ROSTER, "roster.yaml")
    assert run("ci", "plan", "-q", "--comment", "comment.md", str(roster)).exit_code == 0
    body = (github_env / "comment.md").read_text()
    assert "<!-- rostersync-digest: sha256:" in body and "Digest: `sha256:" in body


def test_the_summary_gets_the_whole_plan_and_the_comment_points_at_it(account: Sandbox, github_env: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(github_env)
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_RUN_ID", "99")
    roster = github_env / "roster.yaml"
    roster.write_text("version: 1\nscope: {group_id: 7}\ndefaults: {group: 7}\noperators:\n" + "".join(
        f"  - email: op{n:04d}@example.com\n    first_name: Operator{n}\n    external_id: HR-{n:04d}\n"
        for n in range(2000)))
    summary = github_env / "summary.md"
    summary.write_text("earlier step\n")
    result = run("ci", "plan", "-q", "--comment", "comment.md", "--summary", str(summary), "roster.yaml")
    assert result.exit_code == 0, result.output
    comment = (github_env / "comment.md").read_text()
    assert len(comment) <= 60_000
    assert "**This comment leaves out" in comment
    assert "The whole plan is in [the job summary](https://github.com/o/r/actions/runs/99)." in comment
    whole = summary.read_text()
    assert whole.startswith("earlier step\n") and "op1999@example.com" in whole and "leaves out" not in whole
    assert f"Commit: `{SHA[:12]}`" in comment


# --- GitHub: the reviewed plan -----------------------------------------------------------------

def merged(forge: ForgeState, number: int = 7) -> None:
    forge.pulls_of_commit[SHA] = [{"number": 3, "merged_at": None},
                                  {"number": number, "merged_at": "2026-05-01T10:00:00Z", "merge_commit_sha": SHA}]


def test_reviewed_plan_prints_the_pull_request_and_its_digest(forge: ForgeState, github_env: Path) -> None:
    merged(forge)
    forge.github_comment(7, f"{COMMENT_MARKER}\n<!-- rostersync-digest: sha256:{'00' * 32} -->", login="mallory")
    forge.github_comment(7, PLAN_BODY)
    result = run("ci", "github", "reviewed-plan")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"pr=7\ndigest={DIGEST}\n"


def test_reviewed_plan_refuses_after_a_failed_plan_and_says_so(forge: ForgeState, github_env: Path) -> None:
    merged(forge)
    failure = f"{COMMENT_MARKER}\n### ❌ The roster is not valid\n\nteam.yaml:3:5: bad email\n"
    forge.github_comment(7, failure)
    result = run("ci", "github", "reviewed-plan", "--commit", SHA)
    assert result.exit_code == 1 and result.stdout == ""
    assert "there is no reviewed plan to apply" in result.stderr and "Nothing was applied" in result.stderr
    [comment] = ours(forge)
    body = str(comment["body"])
    assert body.startswith(COMMENT_MARKER) and "### ❌ Not applied" in body
    assert "Nothing was written to the account." in body
    assert "<details><summary>What this comment said before</summary>" in body and "bad email" in body


def test_reviewed_plan_refuses_a_pull_request_without_a_plan(forge: ForgeState, github_env: Path) -> None:
    merged(forge)
    result = run("ci", "github", "reviewed-plan")
    assert result.exit_code == 1
    assert "has no rostersync plan comment" in result.stderr
    assert "### ❌ Not applied" in str(ours(forge)[0]["body"])


def test_reviewed_plan_refuses_a_commit_no_pull_request_brought(forge: ForgeState, github_env: Path) -> None:
    result = run("ci", "github", "reviewed-plan")
    assert result.exit_code == 1
    assert f"no merged pull request brought commit {SHA} in" in result.stderr


def test_outcome_replaces_the_plan_and_a_second_run_applies_nothing(forge: ForgeState, github_env: Path) -> None:
    merged(forge)
    forge.github_comment(7, PLAN_BODY)
    log = body_file(github_env, "+ create new@example.com\nApply complete: 1 created, 0 updated, 0 deleted.\n",
                    "apply.log")
    result = run("ci", "outcome", "--exit-code", "0", "--log", str(log), "--digest", DIGEST,
                 "--comment", str(github_env / "outcome.md"))
    assert result.exit_code == 0
    assert run("ci", "github", "comment", "--pr", "7", str(github_env / "outcome.md")).exit_code == 0
    [comment] = ours(forge)
    assert "### ✅ Applied" in str(comment["body"]) and "Apply complete: 1 created" in str(comment["body"])
    again = run("ci", "github", "reviewed-plan")
    assert again.exit_code == 0 and again.stdout == f"pr=7\ndigest=\napplied={DIGEST}\n"


def test_a_refused_apply_replaces_the_plan(forge: ForgeState, github_env: Path) -> None:
    forge.github_comment(7, PLAN_BODY)
    log = body_file(github_env, "Error: the plan now has digest sha256:ff..., not the reviewed one.\n", "apply.log")
    run("ci", "outcome", "--exit-code", "1", "--log", str(log), "--digest", DIGEST,
        "--comment", str(github_env / "outcome.md"))
    assert run("ci", "github", "comment", str(github_env / "outcome.md")).exit_code == 0
    body = str(ours(forge)[0]["body"])
    assert "### ❌ Not applied, or not all of it" in body and "not the reviewed one" in body
    assert "rostersync-digest" not in body and "rostersync-applied" not in body and "1 to create" not in body


# --- GitHub: the drift issue -------------------------------------------------------------------

DRIFT = "<!-- rostersync-drift -->\n### rostersync drift check\n\n**0 to create, 1 to update, 0 to delete**\n"


def test_drift_is_one_issue_opened_updated_closed_and_reopened(forge: ForgeState, github_env: Path) -> None:
    forge.issues.append({"number": 1, "title": "unrelated", "body": "<!-- rostersync-drift -->", "state": "open",
                         "user": {"login": "someone"}})
    drift = body_file(github_env, DRIFT, "drift.md")
    steps = [("2", "Opened"), ("2", "Updated"), ("0", "Closed"), ("0", "No drift, and no open drift issue"),
             ("1", "Reopened")]
    for code, said in steps:
        result = run("ci", "github", "drift-issue", str(drift), "--plan-exit-code", code)
        assert result.exit_code == 0, result.output
        assert result.stderr.startswith(said)
    mine = [i for i in forge.issues if i["user"]["login"] == BOT]
    assert len(mine) == 1 and mine[0]["state"] == "open"
    assert forge.issues[0]["body"] == "<!-- rostersync-drift -->"  # someone else's, untouched


# --- GitLab ------------------------------------------------------------------------------------

def notes_ours(forge: ForgeState, iid: int = 5) -> list[dict[str, object]]:
    return [n for n in forge.notes.get(iid, []) if COMMENT_MARKER in str(n["body"]).splitlines()]


@pytest.mark.parametrize("link_header", [True, False], ids=["Link", "X-Next-Page only"])
def test_gitlab_follows_every_page_and_updates_its_note(forge: ForgeState, gitlab_env: Path,
                                                       link_header: bool) -> None:
    forge.gitlab_link_header = link_header
    forge.gitlab_note(5, "pipeline started", system=True)
    forge.gitlab_note(5, f"{COMMENT_MARKER}\npasted by a reviewer", author=3)
    for n in range(3):
        forge.gitlab_note(5, f"review {n}", author=3)
    mine = forge.gitlab_note(5, f"{COMMENT_MARKER}\nthe old plan")
    result = run("ci", "gitlab", "note", str(body_file(gitlab_env, PLAN_BODY)))
    assert result.exit_code == 0, result.output
    assert "Updated the rostersync note" in result.stderr
    assert mine["body"] == PLAN_BODY and len(forge.notes[5]) == 6  # no duplicate note
    assert sum(1 for m, p in forge.requests if m == "GET" and "/notes" in p) == 3


def test_gitlab_creates_the_note_when_there_is_none(forge: ForgeState, gitlab_env: Path) -> None:
    result = run("ci", "gitlab", "note", str(body_file(gitlab_env, PLAN_BODY)))
    assert result.exit_code == 0 and "Created the rostersync note" in result.stderr
    assert [n["author"] for n in notes_ours(forge)] == [{"id": GITLAB_BOT_ID}]


@pytest.mark.parametrize(("method", "prefix", "status"), [
    ("GET", "/api/v4/projects/42/merge_requests/5/notes", 500),
    ("POST", "/api/v4/projects/42/merge_requests/5/notes", 400),
    ("GET", "/api/v4/user", 401),
])
def test_gitlab_http_errors_are_errors(forge: ForgeState, gitlab_env: Path, method: str, prefix: str,
                                      status: int) -> None:
    forge.fail[(method, prefix)] = (status, "it went wrong")
    forge.gitlab_note(5, "a review", author=3)  # so that whose notes are ours must be asked
    result = run("ci", "gitlab", "note", str(body_file(gitlab_env, PLAN_BODY)))
    assert result.exit_code == 1
    assert f"HTTP {status}: it went wrong" in result.stderr
    assert notes_ours(forge) == []


def test_gitlab_reviewed_plan_and_drift(forge: ForgeState, gitlab_env: Path) -> None:
    forge.mrs_of_commit[SHA] = [{"iid": 5, "state": "merged", "merge_commit_sha": SHA}]
    forge.gitlab_note(5, PLAN_BODY)
    result = run("ci", "gitlab", "reviewed-plan")
    assert result.exit_code == 0 and result.stdout == f"mr=5\ndigest={DIGEST}\n"
    drift = body_file(gitlab_env, DRIFT, "drift.md")
    for code in ("2", "2", "0"):
        assert run("ci", "gitlab", "drift-issue", str(drift), "--plan-exit-code", code).exit_code == 0
    assert [i["state"] for i in forge.gitlab_issues] == ["closed"]
