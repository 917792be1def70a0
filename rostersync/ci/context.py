"""What a CI job's environment tells a comment: the account shown, the commit
planned, and the page where the whole plan can be read."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

__all__ = ["account_of", "commit_from_env", "job_page"]

_PLATFORMS = {"sd.iadvize.com": "sd.iadvize.com (standard platform)",
              "ha.iadvize.com": "ha.iadvize.com (high availability)"}


def account_of(base_url: str | None, *, sandbox: bool = False) -> str | None:
    """The platform or API host a base URL points at, as a comment shows it."""
    if sandbox:
        return "the built-in sandbox"
    if not base_url:
        return None
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if not host:
        return None
    if host in _PLATFORMS:
        return _PLATFORMS[host]
    return f"{host}:{parts.port}" if parts.port else host


def commit_from_env(environ: Mapping[str, str]) -> str | None:
    """The commit the job runs on: GitHub's GITHUB_SHA, GitLab's CI_COMMIT_SHA."""
    for name in ("GITHUB_SHA", "CI_COMMIT_SHA"):
        value = environ.get(name, "").strip()
        if value:
            return value
    return None


def job_page(environ: Mapping[str, str]) -> str | None:
    """The page of the running job: the workflow run on GitHub (its summary), the job on GitLab."""
    server, repository, run = (environ.get(n, "").strip() for n in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY",
                                                                       "GITHUB_RUN_ID"))
    if server and repository and run.isdigit():
        return f"{server.rstrip('/')}/{repository}/actions/runs/{run}"
    return environ.get("CI_JOB_URL", "").strip() or None
