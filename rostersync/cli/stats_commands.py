"""`stats`: statistics and profile of each chosen operator; results on stdout, progress on stderr."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from rostersync.cli.changes import EXIT_INTERRUPTED
from rostersync.cli.choosing import report_unchosen, selection_options
from rostersync.cli.connection import Connection, connection_options, log, open_client
from rostersync.cli.errors import handle_errors
from rostersync.plan.references import resolve_scope
from rostersync.render.stats import render_stats
from rostersync.roster.loader import load_roster
from rostersync.selection import select_operators
from rostersync.stats import DEFAULT_PARALLELISM, OperatorStats, StatsReport, fetch_stats


@click.command()
@selection_options
@click.option("--format", "output_format", type=click.Choice(["text", "csv", "json"]), default="text",
              show_default=True, help="How to print the results.")
@click.option("--parallelism", type=click.IntRange(1, 32), default=DEFAULT_PARALLELISM, show_default=True,
              help="How many operators are read at once (the client's rate limiting spans them all).")
@connection_options
@handle_errors
def stats(roster: Path | None, only: tuple[str, ...], output_format: str, parallelism: int,
          connection: Connection) -> None:
    """Show each operator's statistics (conversations, satisfaction, experience) and profile.

    The operators are chosen by a ROSTER (its operators, in its scope) and/or by
    --only email globs; without either, every operator of the account. Two reads
    per operator, several at a time within the rate limits (see --max-rps).
    Exit status 1 if any read failed (the rest are still shown).

    \b
    Example:
        rostersync stats --sandbox examples/operators.yaml
        rostersync stats --only '*@maison-lumiere.fr' --format csv > stats.csv
    """
    wanted = load_roster(roster) if roster is not None else None
    client = open_client(connection, page_workers=min(parallelism, 8))
    wanted = resolve_scope(client, wanted) if wanted is not None else None
    selection = select_operators(client, roster=wanted, only=only)
    report_unchosen(connection, selection)
    total = len(selection.operators)
    log(connection, f"Reading the statistics and profiles of {total} operator{'s' if total != 1 else ''} ...")
    progress = _Progress(connection, total)
    try:
        report = fetch_stats(client, selection.operators, parallelism=parallelism, on_row=progress)
    finally:
        progress.end()
    click.echo(render_stats(report, output_format), nl=False)
    _finish(connection, report)


class _Progress:
    """On a terminal, one stderr line counting up in place; elsewhere nothing (the start was logged)."""

    def __init__(self, connection: Connection, total: int) -> None:
        self._show = not connection.quiet and sys.stderr.isatty() and total > 0
        self._total = total
        self._read = self._failed = 0
        self._open = False  # a count is shown and its line not yet ended

    def __call__(self, row: OperatorStats) -> None:
        self._read += 1
        self._failed += not row.ok
        if self._show:
            failed = f", {self._failed} failed" if self._failed else ""
            click.echo(f"\r[{self._read}/{self._total}{failed}] read", err=True, nl=False)
            self._open = True

    def end(self) -> None:
        """End the count's line, so that what follows (the results, on the same terminal) starts a line."""
        if self._open:
            click.echo("", err=True)
            self._open = False


def _finish(connection: Connection, report: StatsReport) -> None:
    if report.interrupted:
        log(connection, f"Interrupted: {len(report.rows)} read, {len(report.not_read)} not read.")
        sys.exit(EXIT_INTERRUPTED)
    if report.failed:
        log(connection, f"{len(report.failed)} operator{'s' if len(report.failed) != 1 else ''} could not be read "
                        "in full: the output says why.")
        sys.exit(1)
