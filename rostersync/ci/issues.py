"""The drift issue: one issue, opened when the account and main differ, updated while
they do, closed when they match again, and reopened (not duplicated) next time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, Protocol

from rostersync.ci.threads import fit_body

__all__ = ["DriftOutcome", "Issue", "IssueTracker", "report_drift"]


@dataclass(frozen=True)
class Issue:
    number: int
    body: str
    is_open: bool
    url: str = ""


DriftOutcome = Literal["opened", "updated", "reopened", "closed", "none"]


class IssueTracker(Protocol):
    """A project's issues, as far as the drift report needs them."""

    body_limit: int

    def ours(self) -> Iterator[Issue]:
        """The issues the CI's identity opened, most recently updated first."""
        ...

    def create(self, title: str, body: str) -> Issue: ...
    def update(self, issue: Issue, body: str, *, is_open: bool) -> Issue: ...


def report_drift(tracker: IssueTracker, marker: str, title: str, body: str, *,
                 drifted: bool) -> tuple[DriftOutcome, Issue | None]:
    """Open, update, reopen or close the one issue holding `marker`."""
    body = fit_body(body, tracker.body_limit)
    issue = next((i for i in tracker.ours() if marker in i.body.splitlines()), None)
    if drifted:
        if issue is None:
            return "opened", tracker.create(title, body)
        return ("updated" if issue.is_open else "reopened"), tracker.update(issue, body, is_open=True)
    if issue is None or not issue.is_open:
        return "none", issue
    return "closed", tracker.update(issue, body, is_open=False)
