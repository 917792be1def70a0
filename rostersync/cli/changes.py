"""What `apply`, `live set` and `live logout` do around the library call that changes the
account: ask on a terminal first, count the outcomes on stderr, exit with how it ended.

- :func:`confirm_on_terminal`: without a terminal on stdin, refuse (``--yes`` is
  needed); on one, ask, "no" by default.
- :func:`outcome_progress`: one stderr line per finished change, only when stderr is
  a terminal (the report follows on stdout anyway).
- :func:`stop_on_sigterm`: SIGTERM (what CI sends a cancelled job) stops the changes
  as Ctrl-C does: those in flight finish, no other starts, the report is printed.
- :func:`exit_for`: 130 after Ctrl-C (143 after a SIGTERM turned into a stop), 1 if
  any change failed, else 0.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TypeVar

import click

from rostersync.cli.connection import Connection
from rostersync.cli.errors import CliFailure
from rostersync.cli.exit_codes import EXIT_INTERRUPTED, EXIT_TERMINATED

__all__ = ["EXIT_INTERRUPTED", "EXIT_TERMINATED", "confirm_on_terminal", "exit_for", "outcome_progress",
           "stop_on_sigterm"]


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


@contextmanager
def stop_on_sigterm(stop: threading.Event) -> Iterator[threading.Event]:
    """While inside, SIGTERM sets `stop` (as Ctrl-C does) instead of killing the process.

    Yields an event that tells whether a SIGTERM came. Outside the main thread (where
    no handler can be installed) it does nothing.
    """
    terminated = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield terminated
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        terminated.set()
        stop.set()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield terminated
    finally:
        signal.signal(signal.SIGTERM, previous)
