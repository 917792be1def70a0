"""GitLab: a merge request's notes, the merge request a commit was merged from, issues.

Configured as in a GitLab CI job: ``CI_API_V4_URL``, ``CI_PROJECT_ID``,
``CI_MERGE_REQUEST_IID``, and a token with the ``api`` scope in
``ROSTERSYNC_NOTE_TOKEN`` (the job token cannot write notes). The notes that count
are those of the token's own user, asked of ``GET /user``; system notes never do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from rostersync.ci.forge import ForgeClient, ForgeError
from rostersync.ci.issues import Issue
from rostersync.ci.threads import Posted

__all__ = ["GITLAB_NOTE_LIMIT", "TOKEN_ENV", "GitLab", "MergeRequestNotes", "gitlab_from_env"]

TOKEN_ENV = "ROSTERSYNC_NOTE_TOKEN"  # noqa: S105 (the name of the variable, not a token)
GITLAB_NOTE_LIMIT = 1_000_000  # characters of a note; an issue's description may hold 1 MiB
_SHA = re.compile(r"^[0-9a-f]{7,64}$")


class GitLab:
    """One project on GitLab."""

    def __init__(self, client: ForgeClient, project: str) -> None:
        if not project.strip():
            raise ForgeError("CI_PROJECT_ID is not set")
        self.client = client
        self.project = quote(project.strip(), safe="")  # an id, or a path such as group/name
        self._me: int | None = None

    def me(self) -> int:
        """The id of the token's user, the author of our notes."""
        if self._me is None:
            user = self.client.get("user")
            if not isinstance(user, dict) or not isinstance(user.get("id"), int):
                raise ForgeError("GET /user: the reply has no user id")
            self._me = user["id"]
        return self._me

    def merge_request(self, iid: int) -> MergeRequestNotes:
        return MergeRequestNotes(self, iid)

    def merged_merge_request(self, sha: str) -> int | None:
        """The merged merge request that brought commit `sha` in: the one it is the merge
        or squash commit of, else the last merged that holds it; None if none."""
        if not _SHA.match(sha):
            raise ForgeError(f"not a commit SHA: {sha!r}")
        found = self.client.pages(f"projects/{self.project}/repository/commits/{sha}/merge_requests")
        merged = [mr for mr in found if mr.get("state") == "merged"]
        exact = [mr for mr in merged if sha in (mr.get("merge_commit_sha"), mr.get("squash_commit_sha"))]
        chosen = exact or sorted(merged, key=lambda mr: str(mr.get("merged_at")), reverse=True)
        iid = chosen[0].get("iid") if chosen else None
        return iid if isinstance(iid, int) else None

    def issues(self) -> GitLabIssues:
        return GitLabIssues(self)


class MergeRequestNotes:
    """A merge request's notes (a `Thread`)."""

    body_limit = GITLAB_NOTE_LIMIT

    def __init__(self, gitlab: GitLab, iid: int) -> None:
        self.gitlab = gitlab
        self.path = f"projects/{gitlab.project}/merge_requests/{iid}/notes"

    def comments(self) -> Iterator[Posted]:
        for item in self.gitlab.client.pages(self.path, {"sort": "asc", "order_by": "created_at"}):
            if not item.get("system"):
                yield _posted(item)

    def is_ours(self, comment: Posted) -> bool:
        return comment.author == str(self.gitlab.me())

    def create(self, body: str) -> Posted:
        return _posted(self.gitlab.client.post(self.path, {"body": body}))

    def update(self, comment: Posted, body: str) -> Posted:
        return _posted(self.gitlab.client.put(f"{self.path}/{comment.id}", {"body": body}))


class GitLabIssues:
    """The project's issues that the token's user opened (an `IssueTracker`)."""

    body_limit = GITLAB_NOTE_LIMIT

    def __init__(self, gitlab: GitLab) -> None:
        self.gitlab = gitlab
        self.path = f"projects/{gitlab.project}/issues"

    def ours(self) -> Iterator[Issue]:
        params: dict[str, str | int] = {"author_id": self.gitlab.me(), "state": "all", "order_by": "updated_at",
                                        "sort": "desc"}
        for item in self.gitlab.client.pages(self.path, params):
            yield _issue(item)

    def create(self, title: str, body: str) -> Issue:
        return _issue(self.gitlab.client.post(self.path, {"title": title, "description": body}))

    def update(self, issue: Issue, body: str, *, is_open: bool) -> Issue:
        payload = {"description": body}
        if is_open != issue.is_open:
            payload["state_event"] = "reopen" if is_open else "close"
        return _issue(self.gitlab.client.put(f"{self.path}/{issue.number}", payload))


def _posted(item: Any) -> Posted:
    if not isinstance(item, dict) or not isinstance(item.get("id"), int):
        raise ForgeError("GitLab sent a note without an id")
    author = item.get("author")
    author_id = author.get("id") if isinstance(author, dict) else None
    return Posted(item["id"], str(item.get("body") or ""), str(author_id) if isinstance(author_id, int) else "")


def _issue(item: Any) -> Issue:
    if not isinstance(item, dict) or not isinstance(item.get("iid"), int):
        raise ForgeError("GitLab sent an issue without an iid")
    return Issue(item["iid"], str(item.get("description") or ""), item.get("state") == "opened",
                 str(item.get("web_url") or ""))


def gitlab_from_env(environ: Mapping[str, str]) -> GitLab:
    """The project of the running job, with the note token."""
    token = environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise ForgeError(f"no token: set the CI/CD variable {TOKEN_ENV} (a project access token, scope api)")
    api_url = environ.get("CI_API_V4_URL", "").strip()
    if not api_url:
        raise ForgeError("CI_API_V4_URL is not set")
    return GitLab(ForgeClient(api_url, {"PRIVATE-TOKEN": token}, secret=token), environ.get("CI_PROJECT_ID", ""))
