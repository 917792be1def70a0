"""Commands that read a roster without touching the API: validate, schema."""

from __future__ import annotations

from pathlib import Path

import click

from rostersync.cli.errors import handle_errors
from rostersync.roster.loader import load_roster

roster_argument = click.argument("roster", type=click.Path(path_type=Path))


@click.command()
@roster_argument
@handle_errors
def validate(roster: Path) -> None:
    """Check a roster file (or directory) without contacting iAdvize.

    Every problem is listed as FILE:LINE:COL: FIELD: message; the exit status
    is 1 if there is any.

    \b
    Example:
        rostersync validate examples/operators.yaml
    """
    loaded = load_roster(roster)
    files = len(loaded.files)
    operators = len(loaded.operators)
    click.echo(
        f"{roster}: valid, {operators} operator{'s' if operators != 1 else ''} "
        f"in {files} file{'s' if files != 1 else ''}"
        + (f", {len(loaded.profiles)} profile{'s' if len(loaded.profiles) != 1 else ''}" if loaded.profiles else "")
        + "."
    )


@click.command()
def schema() -> None:
    """Print the JSON Schema of the roster format, for editors.

    \b
    Example (then point yaml-language-server at the file):
        rostersync schema > roster.schema.json
    """
    from rostersync.roster.schema import roster_json_schema_text  # here: `validate` has no use for it

    click.echo(roster_json_schema_text(), nl=False)
