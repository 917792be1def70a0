"""`live set` and `live logout`: change who is available now, shown first like a plan."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from rostersync.cli.changes import confirm_on_terminal, exit_for, outcome_progress, stop_on_sigterm
from rostersync.cli.choosing import report_unchosen, selection_options
from rostersync.cli.connection import Connection, connection_options, log, open_client
from rostersync.cli.errors import CliFailure, handle_errors
from rostersync.live.availability import (
    DEFAULT_PARALLELISM,
    AvailabilityRequest,
    apply_availability,
    read_availability_plan,
)
from rostersync.plan.references import resolve_scope
from rostersync.render.availability import (
    render_availability_outcome,
    render_availability_plan,
    render_availability_report,
)
from rostersync.roster.loader import load_roster
from rostersync.selection import select_operators

F = TypeVar("F", bound=Callable[..., Any])

ON_OFF = click.Choice(["on", "off"], case_sensitive=False)


def change_options(command: F) -> F:
    for option in reversed([
        click.option("--yes", "-y", is_flag=True, help="Make the changes without asking for confirmation."),
        click.option("--parallelism", type=click.IntRange(1, 64), default=DEFAULT_PARALLELISM, show_default=True,
                     help="How many changes run at once."),
    ]):
        command = option(command)
    return command


@click.group()
def live() -> None:
    """Change operators' availability now: take a team off chat, log people out.

    The operators are chosen by a ROSTER (its operators, in its scope) and/or by
    --only email globs. What would change is shown first, like a plan, and confirmed
    on a terminal (--yes skips the question; without a terminal, --yes is required).
    Exit status 1 if any change failed. Ctrl-C or SIGTERM lets the changes in flight
    finish, starts no other, and prints the report (exit 130 or 143).
    """


@live.command("set")
@selection_options
@click.option("--chat", type=ON_OFF, help="Make the operators available (on) or unavailable (off) for chat.")
@click.option("--call", type=ON_OFF, help="The same for calls.")
@click.option("--video", type=ON_OFF, help="The same for video.")
@change_options
@connection_options
@handle_errors
def live_set(roster: Path | None, only: tuple[str, ...], chat: str | None, call: str | None, video: str | None,
             yes: bool, parallelism: int, connection: Connection) -> None:
    """Make operators available or unavailable, channel by channel.

    Operators already so are left alone: running it again sends nothing.

    \b
    Example:
        rostersync live set roster/team-fr.yaml --chat off
        rostersync live set --only '*@maison-lumiere.fr' --chat on --call off --yes
    """
    if chat is None and call is None and video is None:
        raise click.UsageError("Say what to set: --chat, --call and/or --video, each on or off.")
    request = AvailabilityRequest(chat=_on(chat), call=_on(call), video=_on(video))
    _change(connection, roster, only, request, yes=yes, parallelism=parallelism,
            question="Change the availability of {count} operator{s}?")


@live.command("logout")
@selection_options
@change_options
@connection_options
@handle_errors
def live_logout(roster: Path | None, only: tuple[str, ...], yes: bool, parallelism: int,
                connection: Connection) -> None:
    """Log operators out (the API's connected=0); those offline are left alone.

    \b
    Example:
        rostersync live logout --only '*@old-site.example.com'
    """
    _change(connection, roster, only, AvailabilityRequest(logout=True), yes=yes, parallelism=parallelism,
            question="Log out {count} operator{s}?")


def _on(value: str | None) -> bool | None:
    return None if value is None else value.lower() == "on"


def _change(connection: Connection, roster_path: Path | None, only: tuple[str, ...], request: AvailabilityRequest,
            *, yes: bool, parallelism: int, question: str) -> None:
    if roster_path is None and not only:
        raise click.UsageError("Choose the operators: give a ROSTER, --only GLOB, or both (--only '*' for everyone).")
    roster = load_roster(roster_path) if roster_path is not None else None
    client = open_client(connection, page_workers=min(parallelism, 8))
    log(connection, f"Reading the operators and their availability from "
                    f"{'the sandbox' if connection.sandbox else client.base_url} ...")
    roster = resolve_scope(client, roster) if roster is not None else None
    selection = select_operators(client, roster=roster, only=only)
    report_unchosen(connection, selection)
    if not selection.operators:
        raise CliFailure("No operator is chosen; nothing was sent.")
    plan = read_availability_plan(client, selection, request)
    click.echo(render_availability_plan(plan), nl=False)
    if not plan.has_changes:
        return
    if not yes:
        count = len(plan.changes)
        confirm_on_terminal(question.format(count=count, s="s" if count != 1 else ""),
                            refusal="Refusing to change availability: there is no terminal to confirm on. "
                                    "Review the plan above and pass --yes to make the changes without asking.",
                            declined="Nothing was changed.")
    progress = outcome_progress(connection, len(plan.changes), render_availability_outcome,
                                failed=lambda outcome: outcome.status == "failed")
    stop = threading.Event()
    # The report is printed inside too: a second SIGTERM then only sets the stop again.
    with stop_on_sigterm(stop) as terminated:
        report = apply_availability(client, plan, parallelism=parallelism, on_outcome=progress, stop=stop)
        click.echo(render_availability_report(report, logout=request.logout), nl=False)
    exit_for(interrupted=report.interrupted, ok=report.ok, terminated=terminated.is_set())
