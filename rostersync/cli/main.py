"""The `rostersync` command group. Each command lives in a module of its own."""

from __future__ import annotations

import click

from rostersync import __version__
from rostersync.cli.roster_commands import schema, validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rostersync")
def cli() -> None:
    """Keep an iAdvize account's operators in step with a YAML roster.

    \b
    Example:
        rostersync plan --sandbox examples/operators.yaml
    """


cli.add_command(validate)
cli.add_command(schema)
