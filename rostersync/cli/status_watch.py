"""`status --watch`: the availability board, refreshed in place on a terminal until Ctrl-C.

Each refresh reads the account again (two listings); ``--interval`` (1 s to an
hour) bounds how often, so a watch left open costs the rate limit little. Ctrl-C ends
it with exit status 0, the last view left on the screen. A refresh that fails
(the network, a 5xx after the client's retries) keeps the last view and says so
under it, then tries again; a refused key or a bad configuration ends the watch.
A view taller than the terminal is cut to fit it, saying how many operators it
leaves out (drawn in full, it would scroll, and the next view would not land on it).

Without a terminal there is nothing to refresh in place: the board is printed once,
as plain ``status`` would, with a note on stderr, and the exit status is 0. That is
what ``status --watch > file`` or a pipe into ``grep`` wants; an endless stream of
frames into a log would help nobody.
"""

from __future__ import annotations

import functools
import math
import os
import shutil
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from rostersync.api.errors import ApiError, AuthError, ConfigError
from rostersync.cli.connection import Connection, log, open_client
from rostersync.live.board import AvailabilityBoard, BoardReader, read_board
from rostersync.plan.references import resolve_scope
from rostersync.render.columns import terminal_width
from rostersync.render.escape import for_terminal
from rostersync.render.status import render_board
from rostersync.roster.loader import Roster, load_roster

__all__ = ["DEFAULT_INTERVAL_S", "watch_options", "watch_status"]

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_INTERVAL_S = 2.0
MIN_INTERVAL_S = 1.0
MAX_INTERVAL_S = 3600.0  # time.sleep refuses nan, inf and values past time_t
# Cursor home, then each line cleared to its end, then the rest of the screen:
# the view is redrawn over itself without the flicker of clearing everything first.
_HOME, _CLEAR_LINE, _CLEAR_BELOW, _CLEAR_SCREEN = "\x1b[H", "\x1b[K", "\x1b[J", "\x1b[2J"


def watch_options(command: F) -> F:
    """Add --watch and --interval; the command receives ``watch``: the interval, or None."""

    @functools.wraps(command)
    def wrapper(*args: Any, watch: bool, interval: float | None, **kwargs: Any) -> Any:
        if interval is not None and not watch:
            raise click.UsageError("--interval goes with --watch.")
        return command(*args, watch=(interval or DEFAULT_INTERVAL_S) if watch else None, **kwargs)

    wrapper = click.option("--interval", type=click.FloatRange(min=MIN_INTERVAL_S, max=MAX_INTERVAL_S),
                           callback=_a_number, metavar="SECONDS",
                           help=f"With --watch: seconds between refreshes [default: {DEFAULT_INTERVAL_S:g}].")(wrapper)
    wrapper = click.option("--watch", is_flag=True, help="Refresh the view in place on a terminal until Ctrl-C "
                                                         "(without one: print once).")(wrapper)
    return wrapper  # type: ignore[return-value]


def _a_number(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """FloatRange lets ``nan`` through (it compares false with both bounds)."""
    if value is not None and math.isnan(value):
        raise click.BadParameter("nan is not a number of seconds.", ctx, param)
    return value


def watch_status(connection: Connection, roster_path: Path | None, *, interval: float) -> None:
    roster = load_roster(roster_path) if roster_path is not None else None
    client = open_client(connection)
    roster = resolve_scope(client, roster) if roster is not None else None  # names in its scope, once
    if not sys.stdout.isatty():
        click.echo(render_board(read_board(client, roster)), nl=False)
        log(connection, "Not a terminal: printed once (--watch refreshes the view only on a terminal).")
        return
    board: AvailabilityBoard | None = None
    cleared = False
    try:
        while True:
            board, problem = _refresh(client, roster, board)
            if not cleared:  # only once there is a view: a refused key leaves the screen as it was
                click.echo(_CLEAR_SCREEN, nl=False)
                cleared = True
            click.echo(_frame(board, problem, interval, shutil.get_terminal_size()), nl=False)
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("")  # the shell's prompt goes below the last view


def _refresh(client: BoardReader, roster: Roster | None,
             last: AvailabilityBoard | None) -> tuple[AvailabilityBoard | None, str | None]:
    """The board read again, or the last one and why it could not be."""
    try:
        return read_board(client, roster), None
    except (AuthError, ConfigError):
        raise
    except ApiError as exc:
        return last, str(exc)


def _frame(board: AvailabilityBoard | None, problem: str | None, interval: float,
           size: os.terminal_size | None = None) -> str:
    """The view, drawn from the top left over the last one; within ``size`` when given.

    A view taller than the terminal would scroll it, and the next one, drawn from the
    top, would land on the scrolled lines: a screen of overlapping views. So the
    table's last operator rows give way to a count of those not shown.
    """
    now = datetime.now().strftime("%H:%M:%S")  # the user's wall clock
    head = [f"rostersync status, every {interval:g} s (Ctrl-C to quit)    {now}", ""]
    table = render_board(board).rstrip("\n").split("\n") if board is not None else []
    tail = [] if problem is None else [
        "", f"Could not refresh at {now}: {for_terminal(problem)}", f"Trying again in {interval:g} s."]
    if size is not None and table:
        # The last line stays free: the cursor waits there after the final newline.
        table = _fit(table, size.lines - 1 - _rows(head + tail, size.columns), size.columns)
    lines = head + table + tail
    return _HOME + "".join(line + _CLEAR_LINE + "\n" for line in lines) + _CLEAR_BELOW


def _rows(lines: list[str], columns: int) -> int:
    """Terminal rows that ``lines`` take, a long one wrapping (by the columns its
    characters take: a wide one two, as the table pads them)."""
    return sum(max(1, math.ceil(terminal_width(line) / max(1, columns))) for line in lines)


def _fit(table: list[str], room: int, columns: int) -> list[str]:
    """The board's table (column titles, one row per operator, a blank, the count) in ``room`` rows."""
    if _rows(table, columns) <= room:
        return table
    titles, rows, summary = table[:1], table[1:-2], table[-2:]
    budget = room - _rows(titles + summary, columns) - 1  # and one for the line saying what is left out
    kept: list[str] = []
    for row in rows:
        budget -= _rows([row], columns)
        if budget < 0:
            break
        kept.append(row)
    hidden = len(rows) - len(kept)
    return [*titles, *kept, f"... and {hidden} more not shown: a taller terminal, or a ROSTER, shows them.", *summary]
