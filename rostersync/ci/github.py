"""GitHub: a pull request's comments, the pull request a commit was merged from, issues.

Configured as in a GitHub Actions job: ``GITHUB_API_URL`` (https://api.github.com by
default), ``GITHUB_REPOSITORY`` (``owner/name``), the token in ``GITHUB_TOKEN``, and
the pull request's number from the event (``GITHUB_EVENT_PATH``). The comments that
count are those of ``github-actions[bot]``, the identity of the job's token.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from rostersync.ci.forge import ForgeClient, ForgeError
from rostersync.ci.issues import Issue
from rostersync.ci.threads import Posted

__all__ = ["DEFAULT_BOT", "GITHUB_BODY_LIMIT", "GitHub", "PullRequestComments", "github_from_env",
           "pull_request_number"]

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_BOT = "github-actions[bot]"
GITHUB_BODY_LIMIT = 65_536  # characters, for a comment and for an issue
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_SHA = re.compile(r"^[0-9a-f]{7,64}$")


class GitHub:
    """One repository on GitHub."""

    def __init__(self, client: ForgeClient, repository: str, bot: str = DEFAULT_BOT) -> None:
        if not _REPOSITORY.match(repository):
            raise ForgeError(f"GITHUB_REPOSITORY must be owner/name, got {repository!r}")
        self.client = client
        self.repository = repository
        self.bot = bot

    def pull_request(self, number: int) -> PullRequestComments:
        return PullRequestComments(self, number)

    def merged_pull_request(self, sha: str) -> int | None:
        """The merged pull request that brought commit `sha` in: the one it is the merge
        (or squash) commit of, else the last merged that holds it; None if none."""
        if not _SHA.match(sha):
            raise ForgeError(f"not a commit SHA: {sha!r}")
        pulls = [p for p in self.client.pages(f"repos/{self.repository}/commits/{sha}/pulls") if p.get("merged_at")]
        exact = [p for p in pulls if p.get("merge_commit_sha") == sha]
        chosen = exact or sorted(pulls, key=lambda p: str(p.get("merged_at")), reverse=True)
        number = chosen[0].get("number") if chosen else None
        return number if isinstance(number, int) else None

    def issues(self) -> GitHubIssues:
        return GitHubIssues(self)


class PullRequestComments:
    """A pull request's conversation: its issue comments (a `Thread`)."""

    body_limit = GITHUB_BODY_LIMIT

    def __init__(self, github: GitHub, number: int) -> None:
        self.github = github
        self.number = number

    def comments(self) -> Iterator[Posted]:
        for item in self.github.client.pages(f"repos/{self.github.repository}/issues/{self.number}/comments"):
            yield _posted(item)

    def is_ours(self, comment: Posted) -> bool:
        return comment.author == self.github.bot

    def create(self, body: str) -> Posted:
        reply = self.github.client.post(f"repos/{self.github.repository}/issues/{self.number}/comments",
                                        {"body": body})
        return _posted(reply)

    def update(self, comment: Posted, body: str) -> Posted:
        reply = self.github.client.patch(f"repos/{self.github.repository}/issues/comments/{comment.id}",
                                         {"body": body})
        return _posted(reply)


class GitHubIssues:
    """The repository's issues that the bot opened (an `IssueTracker`)."""

    body_limit = GITHUB_BODY_LIMIT

    def __init__(self, github: GitHub) -> None:
        self.github = github

    def ours(self) -> Iterator[Issue]:
        params: dict[str, str | int] = {"state": "all", "creator": self.github.bot, "sort": "updated",
                                        "direction": "desc"}
        for item in self.github.client.pages(f"repos/{self.github.repository}/issues", params):
            if "pull_request" not in item:  # the issues listing holds pull requests too
                yield _issue(item)

    def create(self, title: str, body: str) -> Issue:
        return _issue(self.github.client.post(f"repos/{self.github.repository}/issues",
                                              {"title": title, "body": body}))

    def update(self, issue: Issue, body: str, *, is_open: bool) -> Issue:
        return _issue(self.github.client.patch(f"repos/{self.github.repository}/issues/{issue.number}",
                                               {"body": body, "state": "open" if is_open else "closed"}))


def _posted(item: Any) -> Posted:
    if not isinstance(item, dict) or not isinstance(item.get("id"), int):
        raise ForgeError("GitHub sent a comment without an id")
    user = item.get("user")
    author = user.get("login") if isinstance(user, dict) else None
    return Posted(item["id"], str(item.get("body") or ""), author if isinstance(author, str) else "",
                  str(item.get("html_url") or ""))


def _issue(item: Any) -> Issue:
    if not isinstance(item, dict) or not isinstance(item.get("number"), int):
        raise ForgeError("GitHub sent an issue without a number")
    return Issue(item["number"], str(item.get("body") or ""), item.get("state") == "open",
                 str(item.get("html_url") or ""))


def github_from_env(environ: Mapping[str, str], *, bot: str = DEFAULT_BOT) -> GitHub:
    """The repository of the running job, with its token."""
    token = environ.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise ForgeError("no token: set GITHUB_TOKEN (in a workflow: env: GITHUB_TOKEN: ${{ github.token }})")
    repository = environ.get("GITHUB_REPOSITORY", "").strip()
    if not repository:
        raise ForgeError("GITHUB_REPOSITORY is not set (owner/name)")
    api_url = environ.get("GITHUB_API_URL", "").strip() or DEFAULT_API_URL
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
               "X-GitHub-Api-Version": "2022-11-28"}
    return GitHub(ForgeClient(api_url, headers, secret=token), repository, bot)


def pull_request_number(environ: Mapping[str, str]) -> int | None:
    """The pull request of the event that started the job (``pull_request`` events)."""
    path = environ.get("GITHUB_EVENT_PATH", "").strip()
    if not path:
        return None
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ForgeError(f"cannot read the event file GITHUB_EVENT_PATH: {exc}") from None
    pull = event.get("pull_request") if isinstance(event, dict) else None
    number = pull.get("number") if isinstance(pull, dict) else None
    return number if isinstance(number, int) else None
