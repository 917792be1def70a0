"""Turn library errors into short messages and exit status 1: never a traceback.

Messages quote values from rosters and from the API (a field's value, a server's
reply), so this is where they are made safe to print: every line of a failure is
terminal-escaped (`for_terminal`) on its way out, and each roster problem is escaped
whole, so that a line break inside a value cannot pass for a line of its own."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import IO, Any, TypeVar

import click

from rostersync.api.errors import ApiError
from rostersync.plan.errors import PlanError
from rostersync.render.escape import for_terminal
from rostersync.roster.problems import RosterError

F = TypeVar("F", bound=Callable[..., Any])


class CliFailure(click.ClickException):
    """A failure whose message is already written for a person; printed as is, but for
    control characters, which are escaped in every line."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(escape_lines(self.format_message()), err=True)


def escape_lines(message: str) -> str:
    """`message` with its line breaks kept and everything else `for_terminal` escapes."""
    return "\n".join(for_terminal(line) for line in message.split("\n"))


# Every failure the library expects and words for a person, but the sandbox's (below).
LIBRARY_ERRORS: tuple[type[BaseException], ...] = (RosterError, ApiError, PlanError)
SANDBOX_STATEFILE = "rostersync.sandbox.statefile"


def is_library_error(exc: BaseException) -> bool:
    """Whether `exc` is a failure the library words for a person.

    The sandbox's `SandboxStateError` too, but without importing the sandbox, which
    most commands never start (`validate` runs in every pre-commit hook): only code
    that imported its state file can have raised one.
    """
    if isinstance(exc, LIBRARY_ERRORS):
        return True
    statefile = sys.modules.get(SANDBOX_STATEFILE)
    return statefile is not None and isinstance(exc, statefile.SandboxStateError)


def describe_problems(exc: RosterError, summary: str) -> str:
    """One escaped line per problem, then `summary`: a line break inside a value (a
    key, a file name) shows as ``\\n`` and cannot pass for a problem of its own."""
    return "\n".join([*(for_terminal(str(p)) for p in exc.problems), summary])


def describe_failure(exc: BaseException) -> str:
    if isinstance(exc, RosterError):
        return describe_problems(exc, exc.summary)
    return f"Error: {exc}"


def handle_errors(command: F) -> F:
    """Run a command, turning every expected failure into a message and exit 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except Exception as exc:
            if not is_library_error(exc):
                raise
            raise CliFailure(describe_failure(exc)) from None

    return wrapper  # type: ignore[return-value]
