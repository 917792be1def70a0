"""Turn library errors into short messages and exit status 1: never a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import IO, Any, TypeVar

import click

from rostersync.api.errors import ApiError
from rostersync.plan.errors import PlanError
from rostersync.roster.problems import RosterError
from rostersync.sandbox.statefile import SandboxStateError

F = TypeVar("F", bound=Callable[..., Any])


class CliFailure(click.ClickException):
    """A failure whose message is already written for a person; printed as is."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.format_message(), err=True)


# Every failure the library expects and words for a person.
LIBRARY_ERRORS: tuple[type[BaseException], ...] = (RosterError, ApiError, PlanError, SandboxStateError)


def describe_failure(exc: BaseException) -> str:
    if isinstance(exc, RosterError):
        return "\n".join([*(str(p) for p in exc.problems), exc.summary])
    return f"Error: {exc}"


def handle_errors(command: F) -> F:
    """Run a command, turning every expected failure into a message and exit 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except LIBRARY_ERRORS as exc:
            raise CliFailure(describe_failure(exc)) from None

    return wrapper  # type: ignore[return-value]
