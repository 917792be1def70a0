"""The `rostersync` command group. Each command lives in a module of its own."""

from __future__ import annotations

import click

from rostersync import __version__
from rostersync.cli.account_commands import export, status
from rostersync.cli.ci_commands import ci
from rostersync.cli.exit_codes import ExitCodeGroup
from rostersync.cli.live_commands import live
from rostersync.cli.plan_commands import apply, plan
from rostersync.cli.roster_commands import schema, validate
from rostersync.cli.roster_edit_commands import roster
from rostersync.cli.show_command import show
from rostersync.cli.stats_commands import stats
from rostersync.sandbox.command import sandbox_command


@click.group(cls=ExitCodeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rostersync")
def cli() -> None:
    """Keep an iAdvize account's operators in step with a YAML roster.

    \b
    Try it against the built-in sandbox:
        rostersync plan --sandbox examples/operators.yaml
        rostersync apply --sandbox examples/operators.yaml
    """


for command in (validate, plan, apply, show, export, status, schema, roster, sandbox_command, live, stats, ci):
    cli.add_command(command)
