"""Commands that read a roster without touching the API: validate, schema."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from rostersync.cli.api_choice import api_option, capabilities_for
from rostersync.cli.errors import handle_errors
from rostersync.roster.loader import load_roster
from rostersync.roster.problems import RosterError

roster_argument = click.argument("roster", type=click.Path(path_type=Path))


@click.command()
@roster_argument
@api_option
@click.option("--format", "output_format", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True,
              help="text for people; json, one document; github, an annotation per problem for GitHub Actions.")
@handle_errors
def validate(roster: Path, api: str, output_format: str) -> None:
    """Check a roster file (or directory) without contacting iAdvize.

    Every problem is listed as FILE:LINE:COL: FIELD: message; the exit status
    is 1 if there is any. With --api graphql, so is every field the GraphQL API
    cannot express (sso_key, the expert role, more than one role). --format json
    prints one JSON document whatever the outcome; --format github prints each
    problem as a GitHub Actions error annotation (::error file=F,line=L,col=C::message)
    on stdout.

    \b
    Example:
        rostersync validate examples/operators.yaml
        rostersync validate --api graphql examples/operators-graphql.yaml
        rostersync validate --format github roster/
    """
    capabilities = capabilities_for(api)
    if output_format != "text":  # only then: validate as a pre-commit hook runs it needs neither these nor json
        from rostersync.render.problems import render_problems_github, render_validation_json
    if output_format == "text":
        loaded = load_roster(roster, capabilities=capabilities)
    else:
        try:
            loaded = load_roster(roster, capabilities=capabilities)
        except RosterError as exc:
            if output_format == "json":
                click.echo(render_validation_json(str(roster), None, exc.problems, exc.summary), nl=False)
            else:
                click.echo(render_problems_github(exc.problems), nl=False)
                click.echo(exc.summary, err=True)
            sys.exit(1)
    files = len(loaded.files)
    operators = len(loaded.operators)
    backend = " for the GraphQL API" if api.lower() == "graphql" else ""
    summary = (
        f"{roster}: valid{backend}, {operators} operator{'s' if operators != 1 else ''} "
        f"in {files} file{'s' if files != 1 else ''}"
        + (f", {len(loaded.profiles)} profile{'s' if len(loaded.profiles) != 1 else ''}" if loaded.profiles else "")
        + "."
    )
    if output_format == "json":
        click.echo(render_validation_json(str(roster), loaded, [], summary), nl=False)
    else:
        click.echo(summary)


@click.command()
def schema() -> None:
    """Print the JSON Schema of the roster format, for editors.

    \b
    Example (then point yaml-language-server at the file):
        rostersync schema > roster.schema.json
    """
    from rostersync.roster.schema import roster_json_schema_text  # here: `validate` has no use for it

    click.echo(roster_json_schema_text(), nl=False)
