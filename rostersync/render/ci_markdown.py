"""The other comments of the pull-request flow: a failure, an apply's outcome, a
refusal, the drift issue's all-clear; and reading back the hidden markers.

Each one starts with the plan comment's marker (or the drift issue's), so it
replaces the plan comment in place: after a failed plan or a refused apply the pull
request never still shows the old plan as if it stood. What a command printed
(roster problems, an API error, apply's report) is shown in a fenced block, where
nothing is markup, cut from the front to fit: the end of a log says the most.

The hidden markers carry state between jobs without an artifact:

    <!-- rostersync-digest: sha256:... -->   the plan above was reviewed; apply it if it still is
    <!-- rostersync-applied: sha256:... -->  that plan was applied: running the job again does nothing
"""

from __future__ import annotations

import re
from dataclasses import replace

from rostersync.render.escape import markdown_text
from rostersync.render.markdown import COMMENT_LIMIT, CommentContext, fenced, header_lines

__all__ = [
    "DRIFT_MARKER",
    "applied_digest",
    "applied_marker",
    "render_failure_markdown",
    "render_outcome_markdown",
    "reviewed_digest",
]

DRIFT_MARKER = "<!-- rostersync-drift -->"
_DIGEST_LINE = re.compile(r"<!-- rostersync-digest: (sha256:[0-9a-f]{64}) -->")
_APPLIED_LINE = re.compile(r"<!-- rostersync-applied: (sha256:[0-9a-f]{64}) -->")
_FOLD_LOG_OVER = 15  # lines


def applied_marker(digest: str) -> str:
    return f"<!-- rostersync-applied: {digest} -->"


def _marked(body: str, pattern: re.Pattern[str]) -> str | None:
    for line in body.splitlines():
        match = pattern.fullmatch(line.strip())
        if match:
            return match.group(1)
    return None


def reviewed_digest(body: str) -> str | None:
    """The digest of the reviewed plan a comment shows, or None (a failure, an outcome)."""
    return _marked(body, _DIGEST_LINE)


def applied_digest(body: str) -> str | None:
    """The digest of the plan an outcome comment says was applied, or None."""
    return _marked(body, _APPLIED_LINE)


def _tail(text: str, chars: int) -> str:
    """The end of `text` in at most `chars` characters, whole lines, saying what was cut."""
    if len(text) <= chars:
        return text
    kept = text[len(text) - chars + 80:]
    kept = kept[kept.find("\n") + 1:] if "\n" in kept else kept
    cut = text[: len(text) - len(kept)].count("\n")
    return f"… ({cut:,} earlier lines are in the job log)\n{kept}"


def _log_block(title: str, log: str, room: int) -> list[str]:
    block = fenced(_tail(log.rstrip("\n"), max(room, 200)))
    if len(block) - 2 <= _FOLD_LOG_OVER:
        return ["", *block]
    return ["", f"<details><summary>{title}</summary>", "", *block, "", "</details>"]


def _assemble(head: list[str], lead: list[str], log_title: str, log: str, limit: int) -> str:
    fixed = head + [""] + lead
    room = limit - sum(len(line) + 1 for line in fixed) - 200
    lines = fixed + (_log_block(log_title, log, room) if log.strip() else [])
    return "\n".join(lines) + "\n"


def render_failure_markdown(title: str, consequence: str, details: str, context: CommentContext, *,
                            scope: str | None = None, limit: int = COMMENT_LIMIT) -> str:
    """A step that failed or refused: what it means (`consequence`), then what it said."""
    head = header_lines(context, f"❌ {title}", scope=scope, digest=None)
    return _assemble(head, [f"**{markdown_text(consequence)}**"], "What rostersync said", details, limit)


def render_outcome_markdown(exit_code: int, log: str, context: CommentContext, *, digest: str | None,
                            limit: int = COMMENT_LIMIT) -> str:
    """What `rostersync apply` did, from its exit status and its output."""
    markers = [*context.markers]
    if exit_code == 0 and digest is not None:
        markers.append(applied_marker(digest))
    context = replace(context, markers=tuple(markers))
    if exit_code == 0:
        title, lead = "✅ Applied", "The reviewed plan was applied to the account."
    elif exit_code == 1:
        title = "❌ Not applied, or not all of it"
        lead = ("rostersync refused the plan, or some of its changes failed: the log says which. A refused plan "
                "(the plan now is not the one reviewed, or the delete guard) writes nothing. Fix the cause and "
                "plan again in a new pull request; the daily drift check shows what main would change now.")
    elif exit_code in (130, 143):
        title = "⚠️ The apply was interrupted"
        lead = ("The writes in flight finished and no new one started; the log lists what was done. "
                "The daily drift check shows what is left to do.")
    else:
        title, lead = f"❌ The apply job failed (exit status {exit_code})", "The log says why."
    # The digest is shown, but its marker is not written: an outcome is no plan to apply.
    head = header_lines(context, title, scope=None, digest=digest, reviewable=False)
    return _assemble(head, [markdown_text(lead)], "The apply log", log, limit)
