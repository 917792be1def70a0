"""`rostersync ci`: the commands the CI recipes run around `plan` and `apply`.

    ci plan ROSTER --comment FILE        plan, and write the pull-request comment (or the failure)
    ci outcome --exit-code N --log FILE  write the comment saying what `apply` did
    ci github comment FILE               put the comment on the pull request, replacing ours
    ci github reviewed-plan              the merged pull request of a commit and its reviewed digest
    ci github drift-issue FILE           open, update or close the one drift issue
    ci gitlab note | reviewed-plan | drift-issue     the same on GitLab

Comments go to stdout or files, messages to stderr; a forge's error reply exits 1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click

from rostersync.api import resolve_base_url
from rostersync.api.errors import ApiError
from rostersync.ci.context import account_of, commit_from_env, job_page
from rostersync.ci.forge import ForgeError
from rostersync.ci.github import DEFAULT_BOT, GitHub, github_from_env, pull_request_number
from rostersync.ci.gitlab import GitLab, gitlab_from_env
from rostersync.ci.issues import IssueTracker, report_drift
from rostersync.ci.threads import Thread, find_ours, fit_body, upsert
from rostersync.cli.connection import Connection, connection_options, digest_secret, open_client
from rostersync.cli.errors import LIBRARY_ERRORS, CliFailure, describe_failure
from rostersync.plan.errors import UnsafePlanError
from rostersync.plan.safety import DEFAULT_MAX_DELETE_RATIO, raise_if_unsafe
from rostersync.plan.workflow import plan_roster
from rostersync.render.ci_markdown import (
    DRIFT_MARKER,
    applied_digest,
    render_failure_markdown,
    render_outcome_markdown,
    reviewed_digest,
)
from rostersync.render.markdown import COMMENT_MARKER, CommentContext, render_plan_markdown
from rostersync.render.text import render_plan
from rostersync.roster.loader import load_roster
from rostersync.roster.problems import RosterError

F = TypeVar("F", bound=Callable[..., Any])

#: A job summary holds 1 MiB; this many characters stay under it even in 3-byte characters.
SUMMARY_LIMIT = 300_000
MAX_LOG_BYTES = 4 * 1024 * 1024
EXIT_CHANGES = 2
DRIFT_TITLE = "rostersync: the account differs from main"
_HINTS = {
    "review": "Merging this pull request applies exactly this plan (its digest is checked first).",
    "drift": "Nothing is applied on its own. To apply exactly this plan, run the apply by hand with this digest.",
}
_TITLES = {"review": "rostersync plan", "drift": "rostersync drift check: main against the account"}


@click.group("ci")
def ci() -> None:
    """The pull-request flow in CI: plan comments, the reviewed digest, outcomes, drift.

    \b
    See examples/ci/ for the GitHub Actions and GitLab CI recipes that run these.
    """


@contextmanager
def forge_errors() -> Iterator[None]:
    try:
        yield
    except ForgeError as exc:
        raise CliFailure(f"Error: {exc}") from None


def _write(path: Path, text: str, *, append: bool = False) -> None:
    try:
        with path.open("a" if append else "w", encoding="utf-8") as file:
            file.write(text)
    except OSError as exc:
        raise CliFailure(f"Error: cannot write {path}: {exc.strerror or exc}") from None


def _context(purpose: str, commit: str | None, account: str | None, apply_hint: str | None,
             full_plan: str) -> CommentContext:
    return CommentContext(account=account, commit=commit or commit_from_env(os.environ), title=_TITLES[purpose],
                          apply_hint=apply_hint or _HINTS[purpose], full_plan=full_plan,
                          full_plan_url=job_page(os.environ),
                          markers=(DRIFT_MARKER if purpose == "drift" else COMMENT_MARKER,))


def _account(connection: Connection) -> str | None:
    if connection.sandbox:
        return account_of(None, sandbox=True)
    try:
        return account_of(resolve_base_url(connection.base_url, connection.platform, os.environ))
    except ApiError:
        return None


def _failure_title(exc: BaseException) -> str:
    if isinstance(exc, RosterError):
        return "The roster is not valid"
    if isinstance(exc, ApiError):
        return "The account could not be read"
    return "No plan could be made"


@ci.command("plan")
@click.argument("roster", type=click.Path(path_type=Path))
@connection_options
@click.option("--comment", "comment_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Write the comment here: the plan, or what went wrong.")
@click.option("--summary", "summary_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Append the whole plan (up to 300,000 characters) to this file, e.g. $GITHUB_STEP_SUMMARY.")
@click.option("--commit", help="The commit planned [default: env GITHUB_SHA or CI_COMMIT_SHA].")
@click.option("--purpose", type=click.Choice(["review", "drift"]), default="review", show_default=True,
              help="A pull request's plan, or the daily drift check of main.")
@click.option("--apply-hint", help="The comment's last line: what applies the plan.")
@click.option("--max-delete-ratio", type=click.FloatRange(0, 1), default=DEFAULT_MAX_DELETE_RATIO,
              show_default=True, help="The delete guard, as apply will check it.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when the plan has changes (0 none, 1 error).")
def ci_plan(roster: Path, connection: Connection, comment_path: Path, summary_path: Path | None,
            commit: str | None, purpose: str, apply_hint: str | None, max_delete_ratio: float,
            detailed_exitcode: bool) -> None:
    """Plan ROSTER and write the comment for the pull request (or the drift issue).

    The comment holds the plan's digest, which the merge job applies with
    `apply --expect-digest`. When the plan cannot be made (the roster is invalid,
    the API fails) or the delete guard refuses it, the comment says so instead and
    holds no digest, and the exit status is 1. The text plan goes to stdout (the
    job log); it is what the comment points to when it has to leave changes out.

    \b
    Example:
        rostersync ci plan roster/ --comment comment.md --summary "$GITHUB_STEP_SUMMARY"
    """
    full_plan = "the job summary" if summary_path is not None else "the job log"
    context = _context(purpose, commit, _account(connection), apply_hint, full_plan)
    consequence = ("There is no plan to review, and merging this pull request applies nothing until a plan succeeds."
                   if purpose == "review" else "main could not be planned against the account.")
    try:
        wanted = load_roster(roster)
        client = open_client(connection)
        context = replace(context, account=account_of(client.base_url, sandbox=connection.sandbox))
        the_plan = plan_roster(client, wanted, api_key=digest_secret(connection))
    except LIBRARY_ERRORS as exc:
        failure = render_failure_markdown(_failure_title(exc), consequence, describe_failure(exc), context)
        _write(comment_path, failure)
        if summary_path is not None:
            _write(summary_path, failure, append=True)
        raise CliFailure(describe_failure(exc)) from None
    click.echo(render_plan(the_plan, color=False), nl=False)
    refused: str | None = None
    try:
        raise_if_unsafe(the_plan, len(wanted.operators), max_delete_ratio=max_delete_ratio)
    except UnsafePlanError as exc:
        refused = str(exc)
    if summary_path is not None:
        summary_context = replace(context, full_plan="the job log")
        _write(summary_path, render_plan_markdown(the_plan, summary_context, limit=SUMMARY_LIMIT, refused=refused),
               append=True)
    _write(comment_path, render_plan_markdown(the_plan, context, refused=refused))
    if refused is not None:
        raise CliFailure(f"Error: {refused}")
    if detailed_exitcode and the_plan.has_changes:
        sys.exit(EXIT_CHANGES)


@ci.command("outcome")
@click.option("--exit-code", "exit_code", required=True, type=int, help="The exit status of `rostersync apply`.")
@click.option("--log", "log_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="What `rostersync apply` printed (stdout and stderr).")
@click.option("--digest", help="The digest the apply was asked to expect.")
@click.option("--commit", help="The commit applied [default: env GITHUB_SHA or CI_COMMIT_SHA].")
@click.option("--comment", "comment_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Write the comment here.")
def ci_outcome(exit_code: int, log_path: Path, digest: str | None, commit: str | None, comment_path: Path) -> None:
    """Write the comment that says what `rostersync apply` did: applied, refused or
    failed, interrupted; with the end of its output.

    \b
    Example:
        rostersync ci outcome --exit-code "$code" --log apply.log --digest "$DIGEST" --comment outcome.md
    """
    context = _context("review", commit, None, None, "the job log")
    _write(comment_path, render_outcome_markdown(exit_code, _read_log(log_path), context, digest=digest or None))


def _read_log(path: Path) -> str:
    """The end of a log (a missing one is empty: the apply never ran)."""
    try:
        with path.open("rb") as file:
            file.seek(0, os.SEEK_END)
            size = file.tell()
            file.seek(max(0, size - MAX_LOG_BYTES))
            return file.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""
    except OSError as exc:
        raise CliFailure(f"Error: cannot read {path}: {exc.strerror or exc}") from None


def _read_body(path: Path, marker: str) -> str:
    try:
        body = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliFailure(f"Error: cannot read {path}: {exc}") from None
    if marker not in body.splitlines():
        raise CliFailure(f"Error: {path} is not a rostersync comment (no {marker} line); "
                         "write it with `rostersync ci plan` or `rostersync ci outcome`")
    return body


def _post(thread: Thread, body: str, what: str) -> None:
    with forge_errors():
        result = upsert(thread, COMMENT_MARKER, body)
    where = f" ({result.comment.url})" if result.comment.url else ""
    click.echo(f"{result.action.capitalize()} the rostersync {what}{where}.", err=True)


def _refuse(thread: Thread, previous_body: str | None, reason: str, commit: str | None) -> None:
    """Replace our comment with why nothing is applied, keeping what it said folded."""
    context = _context("review", commit, None, None, "the job log")
    body = render_failure_markdown("Not applied", f"{reason} Nothing was written to the account.", "", context)
    if previous_body:
        kept = [line for line in previous_body.splitlines() if not line.startswith("<!-- rostersync-")]
        body += "\n".join(["", "<details><summary>What this comment said before</summary>", "", *kept, "",
                           "</details>", ""])
    _post(thread, fit_body(body, thread.body_limit), "comment")
    raise CliFailure(f"Error: {reason} Nothing was applied.")


def _reviewed(thread: Thread, name: str, number: int, commit: str | None) -> None:
    """Print ``NAME=number`` and ``digest=...`` for the apply step, or refuse."""
    with forge_errors():
        ours = find_ours(thread.comments(), thread, COMMENT_MARKER)
    if ours is None:
        _refuse(thread, None, "This merge request has no rostersync plan comment, so no plan was reviewed."
                if name == "mr" else "This pull request has no rostersync plan comment, so no plan was reviewed.",
                commit)
        return
    digest = reviewed_digest(ours.body)
    if digest is not None:
        click.echo(f"{name}={number}\ndigest={digest}")
        return
    done = applied_digest(ours.body)
    if done is not None:
        click.echo(f"{name}={number}\ndigest=\napplied={done}")
        click.echo(f"The reviewed plan ({done}) was applied already; nothing to do.", err=True)
        return
    _refuse(thread, ours.body, "The last plan of this change did not succeed, so there is no reviewed plan to apply.",
            commit)


def _drift(tracker: IssueTracker, body_path: Path, plan_exit_code: int, title: str) -> None:
    body = _read_body(body_path, DRIFT_MARKER)
    with forge_errors():
        outcome, issue = report_drift(tracker, DRIFT_MARKER, title, body, drifted=plan_exit_code != 0)
    where = f" {issue.url or '#' + str(issue.number)}" if issue is not None else ""
    said = {"opened": "Opened the drift issue", "updated": "Updated the drift issue",
            "reopened": "Reopened the drift issue", "closed": "Closed the drift issue",
            "none": "No drift, and no open drift issue"}[outcome]
    click.echo(f"{said}{where}.", err=True)


_plan_exit_code = click.option("--plan-exit-code", required=True, type=click.IntRange(0, 255),
                               help="The exit status of `ci plan --detailed-exitcode`: 0 no drift, 2 drift, "
                                    "1 the plan failed (reported as drift too).")
_title = click.option("--title", default=DRIFT_TITLE, show_default=True, help="The issue's title when opened.")
_commit = click.option("--commit", help="The commit [default: env GITHUB_SHA or CI_COMMIT_SHA].")


@ci.group("github")
def github_group() -> None:
    """On GitHub (env GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_TOKEN)."""


def _github(bot: str) -> GitHub:
    with forge_errors():
        return github_from_env(os.environ, bot=bot)


_bot = click.option("--bot", default=DEFAULT_BOT, show_default=True,
                    help="The login of the job token's user: only its comments are read and replaced.")


@github_group.command("comment")
@click.argument("body_path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--pr", "number", type=click.IntRange(min=1), help="The pull request [default: the event's].")
@_bot
def github_comment(body_path: Path, number: int | None, bot: str) -> None:
    """Put FILE on the pull request as the rostersync comment, replacing the previous one.

    \b
    Example:
        rostersync ci github comment comment.md
    """
    body = _read_body(body_path, COMMENT_MARKER)
    with forge_errors():
        number = number or pull_request_number(os.environ)
    if number is None:
        raise CliFailure("Error: no pull request: pass --pr N (the event is not a pull request's)")
    github = _github(bot)
    with github.client:
        _post(github.pull_request(number), body, "comment")


@github_group.command("reviewed-plan")
@_commit
@_bot
def github_reviewed_plan(commit: str | None, bot: str) -> None:
    """Find the merged pull request of the commit and the digest of its reviewed plan.

    Prints ``pr=N`` and ``digest=sha256:...`` (the lines $GITHUB_OUTPUT takes);
    ``digest=`` is empty when that plan was applied already. With no reviewed plan
    (no comment, or the last plan failed), says so on the pull request and exits 1;
    with no merged pull request (a push straight to main), exits 1.

    \b
    Example:
        rostersync ci github reviewed-plan >> "$GITHUB_OUTPUT"
    """
    sha = commit or commit_from_env(os.environ)
    if not sha:
        raise CliFailure("Error: no commit: pass --commit SHA (or set GITHUB_SHA)")
    github = _github(bot)
    with github.client:
        with forge_errors():
            number = github.merged_pull_request(sha)
        if number is None:
            raise CliFailure(f"Error: no merged pull request brought commit {sha} in, so no plan was reviewed: "
                             "nothing is applied. Changes reach the account through pull requests.")
        _reviewed(github.pull_request(number), "pr", number, sha)


@github_group.command("drift-issue")
@click.argument("body_path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@_plan_exit_code
@_title
@_bot
def github_drift_issue(body_path: Path, plan_exit_code: int, title: str, bot: str) -> None:
    """Report the drift check written to FILE: one issue, opened or updated while main
    and the account differ, closed once they match, reopened when they differ again.

    \b
    Example:
        rostersync ci github drift-issue drift.md --plan-exit-code "$code"
    """
    github = _github(bot)
    with github.client:
        _drift(github.issues(), body_path, plan_exit_code, title)


@ci.group("gitlab")
def gitlab_group() -> None:
    """On GitLab (env CI_API_V4_URL, CI_PROJECT_ID, ROSTERSYNC_NOTE_TOKEN)."""


def _gitlab() -> GitLab:
    with forge_errors():
        return gitlab_from_env(os.environ)


@gitlab_group.command("note")
@click.argument("body_path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--mr", "iid", type=click.IntRange(min=1), help="The merge request [default: env CI_MERGE_REQUEST_IID].")
def gitlab_note(body_path: Path, iid: int | None) -> None:
    """Put FILE on the merge request as the rostersync note, replacing the previous one.

    \b
    Example:
        rostersync ci gitlab note comment.md
    """
    body = _read_body(body_path, COMMENT_MARKER)
    env_iid = os.environ.get("CI_MERGE_REQUEST_IID", "").strip()
    iid = iid or (int(env_iid) if env_iid.isdigit() else None)
    if iid is None:
        raise CliFailure("Error: no merge request: pass --mr IID (CI_MERGE_REQUEST_IID is not set)")
    gitlab = _gitlab()
    with gitlab.client:
        _post(gitlab.merge_request(iid), body, "note")


@gitlab_group.command("reviewed-plan")
@_commit
def gitlab_reviewed_plan(commit: str | None) -> None:
    """Find the merged merge request of the commit and the digest of its reviewed plan.

    Prints ``mr=IID`` and ``digest=sha256:...`` (shell assignments); ``digest=`` is
    empty when that plan was applied already. With no reviewed plan, says so on the
    merge request and exits 1; with no merged merge request, exits 1.

    \b
    Example:
        rostersync ci gitlab reviewed-plan > reviewed.env && . ./reviewed.env
    """
    sha = commit or commit_from_env(os.environ)
    if not sha:
        raise CliFailure("Error: no commit: pass --commit SHA (or set CI_COMMIT_SHA)")
    gitlab = _gitlab()
    with gitlab.client:
        with forge_errors():
            iid = gitlab.merged_merge_request(sha)
        if iid is None:
            raise CliFailure(f"Error: no merged merge request brought commit {sha} in, so no plan was reviewed: "
                             "nothing is applied. Changes reach the account through merge requests.")
        _reviewed(gitlab.merge_request(iid), "mr", iid, sha)


@gitlab_group.command("drift-issue")
@click.argument("body_path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@_plan_exit_code
@_title
def gitlab_drift_issue(body_path: Path, plan_exit_code: int, title: str) -> None:
    """Report the drift check written to FILE as one issue (see `ci github drift-issue`).

    \b
    Example:
        rostersync ci gitlab drift-issue drift.md --plan-exit-code "$code"
    """
    gitlab = _gitlab()
    with gitlab.client:
        _drift(gitlab.issues(), body_path, plan_exit_code, title)
