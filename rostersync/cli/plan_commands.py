"""`plan` and `apply`: show what would change on the account, then make it so.

SIGTERM (what CI sends to a cancelled job) is handled like Ctrl-C while apply
writes: the writes in flight finish, no new one starts, the report is printed, and
the exit status is 143 (128 + SIGTERM; 130 after Ctrl-C). The library only sees the
`stop` event that the handler sets.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from rostersync.cli.changes import confirm_on_terminal, exit_for, stop_on_sigterm
from rostersync.cli.connection import (
    Backend,
    Connection,
    account_name,
    capabilities_of,
    connection_options,
    digest_secret,
    log,
    open_backend,
    plan_target,
    signing_secret,
)
from rostersync.cli.errors import LIBRARY_ERRORS, CliFailure, describe_failure, handle_errors
from rostersync.cli.exit_codes import EXIT_CHANGES, EXIT_INTERRUPTED, EXIT_TERMINATED
from rostersync.cli.terminal import ColorChoice, Progress, color_choice, color_options, use_color
from rostersync.plan.apply import DEFAULT_PARALLELISM, apply_plan
from rostersync.plan.changes import Plan
from rostersync.plan.digest import check_digest, parse_digest
from rostersync.plan.errors import DigestMismatchError, StalePlanError, TamperedPlanError, UnsafePlanError
from rostersync.plan.outcomes import ApplyReport, Outcome
from rostersync.plan.safety import DEFAULT_MAX_DELETE_RATIO, raise_if_unsafe
from rostersync.plan.saved import is_saved_plan
from rostersync.plan.workflow import load_fresh_plan, plan_roster, save_plan
from rostersync.render.json_plan import render_plan_json
from rostersync.render.json_report import Result, render_apply_json
from rostersync.render.markdown import CommentContext, render_plan_markdown
from rostersync.render.text import render_plan, render_report
from rostersync.roster.loader import Roster, load_roster

__all__ = ["EXIT_CHANGES", "EXIT_INTERRUPTED", "EXIT_TERMINATED", "apply", "echo_plan", "plan", "render",
           "signing_key", "target_of"]

F = TypeVar("F", bound=Callable[..., object])
# What refuses a plan on purpose, nothing written; any other failure is an error.
REFUSALS = (DigestMismatchError, UnsafePlanError, StalePlanError, TamperedPlanError, CliFailure)
_FAILURES: tuple[type[BaseException], ...] = (*LIBRARY_ERRORS, CliFailure)


def plan_options(command: F) -> F:
    """`plan`'s options: those it shares with `apply` (`_shared_options`), its --format
    also taking markdown."""
    return _shared_options(command, ("text", "json", "markdown"), "How to print the plan.")


def apply_options(command: F) -> F:
    """`apply`'s options: those it shares with `plan`, its --format text or json only.

    (A Markdown plan is a pull request's, which `plan --format markdown` and `ci plan`
    write: one printed by apply, followed by its text report, would say "merging this
    pull request applies the plan" of a plan being applied.)"""
    return _shared_options(command, ("text", "json"), "How to print the plan and the report.")


def _shared_options(command: F, formats: tuple[str, ...], format_help: str) -> F:
    """--format (of `formats`), colour, the delete guard, --only and --file."""
    for option in reversed([
        click.option("--format", "output_format", type=click.Choice(formats), default="text",
                     show_default=True, help=format_help),
        color_options,
        click.option("--max-delete-ratio", type=click.FloatRange(0, 1), default=DEFAULT_MAX_DELETE_RATIO,
                     show_default=True, help="Refuse to delete more than this share of the operators in scope."),
        click.option("--force", is_flag=True, help="Apply even a plan the delete guard refuses."),
        click.option("--only", "only", multiple=True, metavar="PATTERN",
                     help="Only the operators whose email matches PATTERN (a glob, without case; repeatable)."),
        click.option("--file", "files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
                     help="Only the operators this file of the roster defines (repeatable); defaults and "
                          "profiles come from the whole roster. Never deletes."),
    ]):
        command = option(command)
    return command


# One setting for reading and writing: the pages of the listing are read, and apply's
# writes run, this many at a time.
parallelism_option = click.option(
    "--parallelism", type=click.IntRange(1, 64), default=DEFAULT_PARALLELISM, show_default=True,
    help="How many requests run at once: the pages of the account read, then apply's writes.")


def _digest(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return parse_digest(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def render(plan: Plan, output_format: str, color: bool = False, context: CommentContext | None = None) -> str:
    if output_format == "json":
        return render_plan_json(plan)
    if output_format == "markdown":
        return render_plan_markdown(plan, context)
    return render_plan(plan, color=color)


def echo_plan(plan: Plan, output_format: str, color: ColorChoice, context: CommentContext | None = None) -> None:
    """The plan on stdout, coloured by the rules of `rostersync.cli.terminal` (text only);
    `context` says what a Markdown plan's comment says around it (by default, that
    merging the pull request applies it)."""
    colored = output_format == "text" and use_color(color)
    click.echo(render(plan, output_format, colored, context), nl=False, color=colored)


def target_of(connection: Connection, base_url: str) -> str:
    """What a saved plan is tied to: the backend and the account (see `plan_target`)."""
    return plan_target(connection, base_url)


def signing_key(connection: Connection) -> str:
    """What saved plans are signed and digests keyed with: the API key, or the GraphQL password
    (see `signing_secret`; the sandbox's fixed one with --sandbox)."""
    return signing_secret(connection)


def make_plan(roster: Roster, connection: Connection, client: Backend, only: tuple[str, ...] = (),
              files: tuple[Path, ...] = ()) -> Plan:
    log(connection, f"Reading the operators in scope from {account_name(connection, client)} ...")
    return plan_roster(client, roster, only=only, files=files, api_key=digest_secret(connection))


@click.command()
@click.argument("roster", type=click.Path(path_type=Path))
@connection_options
@plan_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Save the plan for `rostersync apply FILE` (it holds secrets: written with mode 0600).")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 for no changes, 2 for changes, 1 for an error.")
@parallelism_option
@handle_errors
def plan(roster: Path, connection: Connection, output_format: str, color: str, no_color: bool,
         max_delete_ratio: float, force: bool, only: tuple[str, ...], files: tuple[Path, ...], out: Path | None,
         detailed_exitcode: bool, parallelism: int) -> None:
    """Show what apply would change on the account to match ROSTER.

    ROSTER is a roster file, or a directory whose *.yaml files are merged.
    Nothing is written to the account. A plan with changes ends with its
    digest, for `apply --expect-digest`.

    \b
    Example:
        rostersync plan --sandbox examples/operators.yaml
        rostersync plan --format markdown examples/operators.yaml > plan.md
        rostersync plan roster/ --file roster/team-fr.yaml
    """
    wanted = load_roster(roster, capabilities=capabilities_of(connection))
    client = open_backend(connection, page_workers=parallelism)
    the_plan = make_plan(wanted, connection, client, only, files)
    echo_plan(the_plan, output_format, color_choice(color, no_color))
    raise_if_unsafe(the_plan, the_plan.roster_size, max_delete_ratio=max_delete_ratio, force=force)
    if out is not None:
        save_plan(out, the_plan, wanted, target_of(connection, client.base_url), api_key=signing_key(connection))
        log(connection, f"Saved the plan to {out} (it holds secrets; mode 0600). Apply it with: rostersync apply {out}")
    if detailed_exitcode and the_plan.has_changes:
        sys.exit(EXIT_CHANGES)


@click.command()
@click.argument("target", metavar="ROSTER|PLANFILE", type=click.Path(path_type=Path))
@connection_options
@apply_options
@click.option("--yes", "-y", is_flag=True, help="Apply without asking for confirmation.")
@click.option("--expect-digest", metavar="DIGEST", callback=_digest,
              help="Apply only if the plan has this digest (the reviewed plan's); otherwise write nothing "
                   "and exit 1. The digest stands for the confirmation.")
@parallelism_option
@handle_errors
def apply(target: Path, connection: Connection, output_format: str, color: str, no_color: bool,
          max_delete_ratio: float, force: bool, only: tuple[str, ...], files: tuple[Path, ...], yes: bool,
          expect_digest: str | None, parallelism: int) -> None:
    """Make the account match ROSTER, or apply a saved PLANFILE.

    With a roster, the plan is shown first and confirmed on a terminal (--yes
    skips the question; without a terminal, --yes is required). A saved plan is
    applied without asking, once checked that the operators it touches have not
    changed since it was made. With --expect-digest, the plan is applied only if
    it is the one reviewed (same digest), and without asking.

    --format json prints one JSON document on stdout, the plan and every
    outcome (progress and messages go to stderr).

    \b
    Example:
        rostersync apply --sandbox examples/operators.yaml
        rostersync plan --out plan.json roster.yaml && rostersync apply plan.json
        rostersync apply --expect-digest sha256:9f86d08... roster/
    """
    run = _ApplyRun(connection, output_format, color_choice(color, no_color))
    try:
        client = open_backend(connection, page_workers=parallelism)
        if is_saved_plan(target):
            if only or files:
                raise click.UsageError("--only and --file choose operators when planning a roster; a saved plan "
                                       "keeps the selection it was made with.")
            run.show(load_fresh_plan(client, target, target_of(connection, client.base_url),
                                     api_key=signing_key(connection), max_delete_ratio=max_delete_ratio,
                                     force=force).plan.with_digest_key(digest_secret(connection)))
            if expect_digest is not None:
                check_digest(run.plan, expect_digest)
        else:
            wanted = load_roster(target, capabilities=capabilities_of(connection))
            the_plan = run.show(make_plan(wanted, connection, client, only, files))
            if expect_digest is not None:
                check_digest(the_plan, expect_digest)
            if the_plan.has_changes:
                raise_if_unsafe(the_plan, the_plan.roster_size, max_delete_ratio=max_delete_ratio, force=force)
                if not yes and expect_digest is None:
                    run.confirm()
    except _FAILURES as exc:
        run.refused(exc)
        raise
    if not run.plan.has_changes:
        run.finish(None)
        return
    stop = threading.Event()
    with stop_on_sigterm(stop) as terminated:
        report = apply_plan(client, run.plan, parallelism=parallelism, on_outcome=run.progress(), stop=stop)
        run.finish(report)
    exit_for(interrupted=report.interrupted, ok=report.ok, terminated=terminated.is_set())


class _ApplyRun:
    """What apply prints, and where: the plan as soon as it is known (text) or once at
    the end with every outcome (JSON); progress on stderr; refusals."""

    def __init__(self, connection: Connection, output_format: str, color: ColorChoice) -> None:
        self.connection = connection
        self.output_format = output_format
        self.color = color
        self._plan: Plan | None = None
        self._progress: Progress | None = None

    @property
    def plan(self) -> Plan:
        assert self._plan is not None, "no plan yet"
        return self._plan

    def show(self, plan: Plan) -> Plan:
        self._plan = plan
        if self.output_format != "json":
            echo_plan(plan, self.output_format, self.color)
        return plan

    def confirm(self) -> None:
        if self.output_format == "json" and sys.stdin.isatty():
            # The document comes at the end: show the plan to the person now.
            colored = use_color(self.color, sys.stderr)
            click.echo(render_plan(self.plan, color=colored), nl=False, err=True, color=colored)
        confirm_on_terminal("Apply these changes?",
                            refusal="Refusing to apply: there is no terminal to confirm on. "
                                    "Review the plan above and pass --yes to apply it without asking.",
                            declined="Nothing was applied.")

    def progress(self) -> Callable[[Outcome], None]:
        """The progress line, on a terminal only: each outcome is printed once, in the report.
        With --verbose the request log is the progress (a line drawn in place would be cut by it)."""
        shown = not self.connection.quiet and not self.connection.verbose and sys.stderr.isatty()
        progress = self._progress = Progress(len(self.plan.changes), enabled=shown)

        def step(outcome: Outcome) -> None:
            progress.step(failed=outcome.status == "failed")

        return step

    def finish(self, report: ApplyReport | None) -> None:
        if self._progress is not None:
            self._progress.clear()
        if self.output_format == "json":
            click.echo(render_apply_json(self.plan, report), nl=False)
        elif report is not None:
            colored = use_color(self.color)
            click.echo(render_report(report, color=colored), nl=False, color=colored)

    def refused(self, exc: BaseException) -> None:
        """With --format json, the one document says why nothing was applied (stderr says it too)."""
        if self.output_format != "json":
            return
        if isinstance(exc, click.ClickException):
            message = exc.format_message()
        else:
            message = describe_failure(exc).removeprefix("Error: ")
        result: Result = "refused" if isinstance(exc, REFUSALS) else "error"
        click.echo(render_apply_json(self._plan, None, message, result), nl=False)
