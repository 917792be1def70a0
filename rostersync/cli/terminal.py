"""What a person at a terminal sees: whether to colour, and one progress line.

Colour (`use_color`), first rule that applies:

1. ``--color always`` or ``--color never`` (``--no-color`` is ``--color never``);
2. ``FORCE_COLOR`` set and not empty: colour, unless it is ``0`` or ``false``
   (the convention of Node.js and force-color.org, for CI logs that show colour);
3. ``NO_COLOR`` set and not empty: no colour (no-color.org; an empty NO_COLOR counts
   as unset);
4. colour when the output is a terminal.

Progress (`Progress`): while apply writes, stderr shows one line, rewritten in place,
``[120/300, 2 failed] 14s elapsed, about 21s left``, and cleared at the end, so
each outcome is printed once, in the report. Off a terminal nothing is drawn.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import IO, Any, Literal, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
ColorChoice = Literal["auto", "always", "never"]


def color_options(command: F) -> F:
    """``--color auto|always|never`` and ``--no-color``; the command receives `color`."""
    command = click.option("--no-color", "no_color", is_flag=True, help="No colour: the same as --color never.")(
        command)
    return click.option("--color", "color", type=click.Choice(["auto", "always", "never"]), default="auto",
                        show_default=True,
                        help="Colour the output: auto is on a terminal, unless NO_COLOR is set (not empty); "
                             "FORCE_COLOR (not empty) forces it.")(command)


def color_choice(color: str, no_color: bool) -> ColorChoice:
    if no_color or color == "never":
        return "never"
    return "always" if color == "always" else "auto"


def use_color(choice: ColorChoice, stream: IO[Any] | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour what goes to `stream` (stdout by default), by the rules above."""
    if choice != "auto":
        return choice == "always"
    env = os.environ if environ is None else environ
    force = env.get("FORCE_COLOR", "")
    if force:
        return force.strip().lower() not in ("0", "false")
    if env.get("NO_COLOR", ""):
        return False
    out = sys.stdout if stream is None else stream
    return bool(getattr(out, "isatty", lambda: False)())


def duration(seconds: float) -> str:
    """``4s``, ``1m05s``, ``2h03m``: short enough for a progress line."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def progress_text(done: int, total: int, failed: int, elapsed: float) -> str:
    """``[12/300, 1 failed] 5s elapsed, about 2m00s left``: the estimate assumes the
    changes left take as long, on average, as those done."""
    counts = f"[{done}/{total}{f', {failed} failed' if failed else ''}]"
    if done == 0:
        return f"{counts} {duration(elapsed)} elapsed"
    left = elapsed / done * (total - done)
    return f"{counts} {duration(elapsed)} elapsed, about {duration(left)} left"


class Progress:
    """One progress line on stderr, drawn only when `enabled` (stderr a terminal, not --quiet)."""

    def __init__(self, total: int, *, enabled: bool, clock: Callable[[], float] = time.monotonic) -> None:
        self.total = total
        self.enabled = enabled
        self.done = 0
        self.failed = 0
        self._clock = clock
        self._start = clock()
        self._shown = 0  # characters of the line on screen

    def step(self, *, failed: bool = False) -> None:
        self.done += 1
        self.failed += failed
        self._draw(progress_text(self.done, self.total, self.failed, self._clock() - self._start))

    def _draw(self, text: str) -> None:
        if not self.enabled:
            return
        click.echo("\r" + text.ljust(self._shown), err=True, nl=False)
        self._shown = len(text)

    def clear(self) -> None:
        """Blank the line and go back to its start, so that what follows writes over it."""
        if self.enabled and self._shown:
            click.echo("\r" + " " * self._shown + "\r", err=True, nl=False)
            self._shown = 0
