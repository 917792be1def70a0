"""ROSTER and --only, the choice of operators of `live set`, `live logout` and `stats`
(:mod:`rostersync.selection`), and the notes on stderr about what chose nobody."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from rostersync.cli.connection import Connection, log
from rostersync.render.escape import for_terminal
from rostersync.selection import Selection

__all__ = ["report_unchosen", "selection_options"]

F = TypeVar("F", bound=Callable[..., Any])

_SHOWN_MISSING = 5  # roster operators not on the account, named before "and N more"


def selection_options(command: F) -> F:
    """ROSTER and --only: which operators a command acts on."""
    for option in reversed([
        click.argument("roster", required=False, type=click.Path(path_type=Path)),
        click.option("--only", "only", multiple=True, metavar="GLOB",
                     help="Only operators whose email matches GLOB (repeatable; '*' for everyone)."),
    ]):
        command = option(command)
    return command


def report_unchosen(connection: Connection, selection: Selection) -> None:
    """What chose nobody, on stderr: unmatched globs, roster operators not on the account."""
    for glob in selection.unmatched_globs:
        log(connection, f"No operator matches --only {for_terminal(glob)!r}.")
    missing = selection.not_on_account
    if missing:
        shown = ", ".join(missing[:_SHOWN_MISSING])
        more = f" and {len(missing) - _SHOWN_MISSING} more" if len(missing) > _SHOWN_MISSING else ""
        log(connection, f"Not on the account in the roster's scope (not applied yet?), so left out: "
                        f"{for_terminal(shown)}{more}.")
