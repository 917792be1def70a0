"""The `rostersync` command group. Each command lives in a module of its own, imported
only when the command runs (`LazyGroup`): `rostersync validate` and `--version` load
neither HTTP nor the engine nor the sandbox."""

from __future__ import annotations

from typing import Any

import click

from rostersync._version import __version__
from rostersync.cli.exit_codes import ExitCodeGroup
from rostersync.cli.lazy_group import LazyCommand, LazyGroup

# The commands: where each is, and its short help for `rostersync --help` (the first
# sentence of its docstring; tests/cli/test_lazy_commands.py holds the two equal).
COMMANDS: dict[str, LazyCommand] = {
    "apply": LazyCommand("rostersync.cli.plan_commands:apply",
                         "Make the account match ROSTER, or apply a saved PLANFILE."),
    "ci": LazyCommand("rostersync.cli.ci_commands:ci",
                      "The pull-request flow in CI: plan comments, the reviewed digest, outcomes, drift."),
    "export": LazyCommand("rostersync.cli.account_commands:export",
                          "Write the account's operators as a roster, sorted by email."),
    "live": LazyCommand("rostersync.cli.live_commands:live",
                        "Change operators' availability now: take a team off chat, log people out."),
    "plan": LazyCommand("rostersync.cli.plan_commands:plan",
                        "Show what apply would change on the account to match ROSTER."),
    "roster": LazyCommand("rostersync.cli.roster_edit_commands:roster",
                          "Edit a roster in place: add, remove or import operators."),
    "sandbox": LazyCommand("rostersync.sandbox.command:sandbox_command",
                           "Serve a local stand-in for the iAdvize REST API until Ctrl-C."),
    "schema": LazyCommand("rostersync.cli.roster_commands:schema",
                          "Print the JSON Schema of the roster format, for editors."),
    "show": LazyCommand("rostersync.cli.show_command:show",
                        "Print a saved plan (from `plan --out`), as text, JSON or Markdown."),
    "stats": LazyCommand("rostersync.cli.stats_commands:stats",
                         "Show each operator's statistics (conversations, satisfaction, experience) and profile."),
    "status": LazyCommand("rostersync.cli.account_commands:status",
                          "Show who is connected now, and on which channels they are available."),
    "validate": LazyCommand("rostersync.cli.roster_commands:validate",
                            "Check a roster file (or directory) without contacting iAdvize."),
}


class RostersyncGroup(LazyGroup, ExitCodeGroup):
    """Commands imported on first use; usage errors exit 64, not 2 (see `exit_codes`)."""


@click.group(cls=RostersyncGroup, lazy_commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rostersync")
def cli() -> None:
    """Keep an iAdvize account's operators in step with a YAML roster.

    \b
    Try it against the built-in sandbox:
        rostersync plan --sandbox examples/operators.yaml
        rostersync apply --sandbox examples/operators.yaml
    """


def main(prog_name: str | None = None) -> Any:
    """`rostersync`, the program: its console script and `python -m rostersync`, which
    run one command and end (others, such as a test's `CliRunner`, invoke `cli`)."""
    cli.freeze_imports = True  # see LazyGroup
    return cli(prog_name=prog_name)
