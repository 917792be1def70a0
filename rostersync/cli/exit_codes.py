"""The exit statuses of every command, and the group that keeps them apart.

    0    success; with --detailed-exitcode, no changes
    1    an error, a refused or failed change
    2    changes pending (plan --detailed-exitcode), and nothing else
    64   a usage error: an unknown option, a bad value (EX_USAGE, from sysexits.h)
    130  interrupted by Ctrl-C (128 + SIGINT)
    143  apply, live set or live logout stopped by SIGTERM (128 + SIGTERM)

click exits 2 on a usage error, which a CI job reading --detailed-exitcode would
take for "changes pending"; `ExitCodeGroup` gives usage errors 64 instead, for the
group's own options and for every command and subgroup under it, and turns a
Ctrl-C that no command handled into 130 rather than click's 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_USAGE = 64
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


@contextmanager
def usage_errors_exit(code: int = EXIT_USAGE) -> Iterator[None]:
    """Inside, a click usage error carries exit status `code`; Ctrl-C ends with 130."""
    try:
        yield
    except click.UsageError as exc:
        setattr(exc, "exit_code", code)  # noqa: B010 (click declares it a class variable)
        raise
    except KeyboardInterrupt:
        click.echo(err=True)  # end the line the terminal echoed ^C on
        raise click.exceptions.Exit(EXIT_INTERRUPTED) from None


class ExitCodeGroup(click.Group):
    """A click group whose usage errors exit `EXIT_USAGE` (64), not 2."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        with usage_errors_exit():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with usage_errors_exit():
            return super().invoke(ctx)
