"""What `apply`, `live set` and `live logout` do around the library call that changes the
account: ask on a terminal first, count the outcomes on stderr, exit with how it ended.

- :func:`confirm_on_terminal`: without a terminal on stdin, refuse (``--yes`` is
  needed); on one, ask, "no" by default.
- :func:`outcome_progress`: one stderr line per finished change, only when stderr is
  a terminal (the report follows on stdout anyway).
- :func:`exit_for`: 130 after Ctrl-C (143 after a SIGTERM that apply turned into a
  stop), 1 if any change failed, else 0.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

import click

from rostersync.cli.connection import Connection
from rostersync.cli.errors import CliFailure
from rostersync.cli.exit_codes import EXIT_INTERRUPTED, EXIT_TERMINATED

__all__ = ["EXIT_INTERRUPTED", "EXIT_TERMINATED", "confirm_on_terminal", "exit_for", "outcome_progress"]


Outcome = TypeVar("Outcome")


def confirm_on_terminal(question: str, *, refusal: str, declined: str) -> None:
    """Return when the person at the terminal says yes; else a ``CliFailure`` (exit 1)."""
    if not sys.stdin.isatty():
        raise CliFailure(refusal)
    if not click.confirm(question, default=False, err=True):
        raise CliFailure(declined)


def outcome_progress(connection: Connection, total: int, render: Callable[[Outcome], str],
                     failed: Callable[[Outcome], bool]) -> Callable[[Outcome], None]:
    """``[3/10, 1 failed] <the outcome>`` on stderr as each change finishes."""
    counts = {"done": 0, "failed": 0}
    show = not connection.quiet and sys.stderr.isatty()

    def report(outcome: Outcome) -> None:
        counts["done"] += 1
        counts["failed"] += failed(outcome)
        if show:
            failures = f", {counts['failed']} failed" if counts["failed"] else ""
            click.echo(f"[{counts['done']}/{total}{failures}] {render(outcome)}", err=True)

    return report


def exit_for(*, interrupted: bool, ok: bool, terminated: bool = False) -> None:
    if interrupted:
        sys.exit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED)
    if not ok:
        sys.exit(1)
