"""One rostersync comment per pull request, found again by its marker and replaced.

A *thread* is where comments are listed and written: a GitHub pull request's issue
comments, a GitLab merge request's notes. Only comments written by the CI's own
identity count (anyone can paste a marker into a comment of their own, and the apply
job trusts the digest it finds), and of those the first holding the marker is the
one: it is updated in place, or created when there is none.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, Protocol

__all__ = ["Posted", "Thread", "UpsertResult", "find_ours", "fit_body", "upsert"]


@dataclass(frozen=True)
class Posted:
    """A comment (or note, or issue) as listed: its id, its author, its body."""

    id: int
    body: str
    author: str = ""
    url: str = ""


@dataclass(frozen=True)
class UpsertResult:
    comment: Posted
    action: Literal["created", "updated"]


class Thread(Protocol):
    """Where a pull request's comments live, on one forge."""

    body_limit: int

    def comments(self) -> Iterator[Posted]: ...
    def is_ours(self, comment: Posted) -> bool: ...
    def create(self, body: str) -> Posted: ...
    def update(self, comment: Posted, body: str) -> Posted: ...


def find_ours(comments: Iterable[Posted], thread: Thread, marker: str) -> Posted | None:
    """The first comment of ours whose body holds `marker` on a line of its own."""
    for comment in comments:
        if thread.is_ours(comment) and marker in comment.body.splitlines():
            return comment
    return None


def upsert(thread: Thread, marker: str, body: str) -> UpsertResult:
    """Replace our comment holding `marker` with `body`, or create it."""
    if marker not in body.splitlines():
        raise ValueError(f"the body does not hold the marker {marker!r} on a line of its own")
    body = fit_body(body, thread.body_limit)
    previous = find_ours(thread.comments(), thread, marker)
    if previous is None:
        return UpsertResult(thread.create(body), "created")
    return UpsertResult(thread.update(previous, body), "updated")


def fit_body(body: str, limit: int) -> str:
    """`body` cut at a line break to at most `limit` characters, saying so, if it is
    longer: a body the forge refuses would leave the old comment in place."""
    if len(body) <= limit:
        return body
    note = f"\n\n_… cut here: the comment is limited to {limit:,} characters. The whole text is in the job log._\n"
    cut = body[: max(0, limit - len(note))]
    if "\n" in cut:
        cut = cut[: cut.rindex("\n")]
    return cut + note
