"""`plan` and `apply`: show what would change on the account, then make it so.

SIGTERM (what CI sends to a cancelled job) is handled like Ctrl-C while apply
writes: the writes in flight finish, no new one starts, the report is printed, and
the exit status is 143 (128 + SIGTERM; 130 after Ctrl-C). The library only sees the
`stop` event that the handler sets.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TypeVar

import click

from rostersync.api import IAdvizeClient
from rostersync.cli.connection import SANDBOX_KEY, Connection, _read_key, connection_options, log, open_client
from rostersync.cli.errors import CliFailure, handle_errors
from rostersync.plan.apply import DEFAULT_PARALLELISM, apply_plan
from rostersync.plan.changes import Plan
from rostersync.plan.outcomes import ApplyReport, Outcome
from rostersync.plan.safety import DEFAULT_MAX_DELETE_RATIO, raise_if_unsafe
from rostersync.plan.saved import is_saved_plan
from rostersync.plan.workflow import load_fresh_plan, plan_roster, save_plan
from rostersync.render.json_plan import render_plan_json
from rostersync.render.markdown import render_plan_markdown
from rostersync.render.text import render_outcome, render_plan, render_report
from rostersync.roster.loader import Roster, load_roster

EXIT_CHANGES = 2  # --detailed-exitcode: the plan has changes
EXIT_INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT
EXIT_TERMINATED = 143  # SIGTERM: 128 + SIGTERM

F = TypeVar("F", bound=Callable[..., object])


def use_color(no_color: bool) -> bool:
    """Colour only on a terminal, and never with NO_COLOR or --no-color."""
    return not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()


def plan_options(command: F) -> F:
    for option in reversed([
        click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text",
                     show_default=True, help="How to print the plan."),
        click.option("--no-color", is_flag=True, help="No colour (also: NO_COLOR set, or output not a terminal)."),
        click.option("--max-delete-ratio", type=click.FloatRange(0, 1), default=DEFAULT_MAX_DELETE_RATIO,
                     show_default=True, help="Refuse to delete more than this share of the operators in scope."),
        click.option("--force", is_flag=True, help="Apply even a plan the delete guard refuses."),
    ]):
        command = option(command)
    return command


# One setting for reading and writing: the pages of the listing are read, and apply's
# writes run, this many at a time.
parallelism_option = click.option(
    "--parallelism", type=click.IntRange(1, 64), default=DEFAULT_PARALLELISM, show_default=True,
    help="How many requests run at once: the pages of the account read, then apply's writes.")


def render(plan: Plan, output_format: str, no_color: bool) -> str:
    if output_format == "json":
        return render_plan_json(plan)
    if output_format == "markdown":
        return render_plan_markdown(plan)
    return render_plan(plan, color=use_color(no_color))


def target_of(connection: Connection, base_url: str) -> str:
    """What a saved plan is tied to: the account's base URL, or the sandbox's state."""
    return "sandbox" if connection.sandbox else base_url


def signing_key(connection: Connection) -> str:
    """What saved plans are signed with: the API key (the sandbox's fixed one with --sandbox)."""
    return SANDBOX_KEY if connection.sandbox else _read_key(connection)


def make_plan(roster: Roster, connection: Connection, client: IAdvizeClient) -> Plan:
    where = "the sandbox" if connection.sandbox else client.base_url
    log(connection, f"Reading the operators in scope from {where} ...")
    return plan_roster(client, roster)


@click.command()
@click.argument("roster", type=click.Path(path_type=Path))
@connection_options
@plan_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Save the plan for `rostersync apply FILE` (it holds secrets: written with mode 0600).")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 for no changes, 2 for changes, 1 for an error.")
@parallelism_option
@handle_errors
def plan(roster: Path, connection: Connection, output_format: str, no_color: bool, max_delete_ratio: float,
         force: bool, out: Path | None, detailed_exitcode: bool, parallelism: int) -> None:
    """Show what apply would change on the account to match ROSTER.

    ROSTER is a roster file, or a directory whose *.yaml files are merged.
    Nothing is written to the account.

    \b
    Example:
        rostersync plan --sandbox examples/operators.yaml
        rostersync plan --format markdown examples/operators.yaml > plan.md
    """
    wanted = load_roster(roster)
    client = open_client(connection, page_workers=parallelism)
    the_plan = make_plan(wanted, connection, client)
    click.echo(render(the_plan, output_format, no_color), nl=False)
    raise_if_unsafe(the_plan, len(wanted.operators), max_delete_ratio=max_delete_ratio, force=force)
    if out is not None:
        save_plan(out, the_plan, wanted, target_of(connection, client.base_url), api_key=signing_key(connection))
        log(connection, f"Saved the plan to {out} (it holds secrets; mode 0600). Apply it with: rostersync apply {out}")
    if detailed_exitcode and the_plan.has_changes:
        sys.exit(EXIT_CHANGES)


@click.command()
@click.argument("target", metavar="ROSTER|PLANFILE", type=click.Path(path_type=Path))
@connection_options
@plan_options
@click.option("--yes", "-y", is_flag=True, help="Apply without asking for confirmation.")
@parallelism_option
@handle_errors
def apply(target: Path, connection: Connection, output_format: str, no_color: bool, max_delete_ratio: float,
          force: bool, yes: bool, parallelism: int) -> None:
    """Make the account match ROSTER, or apply a saved PLANFILE.

    With a roster, the plan is shown first and confirmed on a terminal (--yes
    skips the question; without a terminal, --yes is required). A saved plan is
    applied without asking, once checked that the operators it touches have not
    changed since it was made.

    \b
    Example:
        rostersync apply --sandbox examples/operators.yaml
        rostersync plan --out plan.json roster.yaml && rostersync apply plan.json
    """
    client = open_client(connection, page_workers=parallelism)
    if is_saved_plan(target):
        the_plan = load_fresh_plan(client, target, target_of(connection, client.base_url),
                                   api_key=signing_key(connection), max_delete_ratio=max_delete_ratio,
                                   force=force).plan
        click.echo(render(the_plan, output_format, no_color), nl=False)
    else:
        wanted = load_roster(target)
        the_plan = make_plan(wanted, connection, client)
        click.echo(render(the_plan, output_format, no_color), nl=False)
        if not the_plan.has_changes:
            return
        raise_if_unsafe(the_plan, len(wanted.operators), max_delete_ratio=max_delete_ratio, force=force)
        if not yes:
            confirm()
    if not the_plan.has_changes:
        return
    stop = threading.Event()
    with stop_on_sigterm(stop) as terminated:
        report = apply_plan(client, the_plan, parallelism=parallelism, on_outcome=progress(connection, the_plan),
                            stop=stop)
        click.echo(render_report(report, color=use_color(no_color)), nl=False)
    exit_for(report, terminated=terminated.is_set())


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


def confirm() -> None:
    if not sys.stdin.isatty():
        raise CliFailure("Refusing to apply: there is no terminal to confirm on. "
                         "Review the plan above and pass --yes to apply it without asking.")
    if not click.confirm("Apply these changes?", default=False, err=True):
        raise CliFailure("Nothing was applied.")


def progress(connection: Connection, the_plan: Plan) -> Callable[[Outcome], None]:
    """One stderr line per finished change, only when stderr is a terminal."""
    total = len(the_plan.changes)
    state = {"done": 0, "failed": 0}
    show = not connection.quiet and sys.stderr.isatty()

    def report(outcome: Outcome) -> None:
        state["done"] += 1
        state["failed"] += outcome.status == "failed"
        if show:
            failed = f", {state['failed']} failed" if state["failed"] else ""
            click.echo(f"[{state['done']}/{total}{failed}] {render_outcome(outcome)}", err=True)

    return report


def exit_for(report: ApplyReport, *, terminated: bool = False) -> None:
    if report.interrupted:
        sys.exit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED)
    if not report.ok:
        sys.exit(1)
