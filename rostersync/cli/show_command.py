"""`show PLANFILE`: a saved plan, printed as `plan` prints one, secrets masked.

Reading a saved plan checks its integrity tag, which is keyed by the API key (as
`apply PLANFILE` does): the key comes from the same place, `IADVIZE_API_KEY` or
`--api-key-file`, or the sandbox's with `--sandbox`. Nothing is sent to the API.
"""

from __future__ import annotations

from pathlib import Path

import click

from rostersync.cli.connection import Connection, digest_secret, log
from rostersync.cli.errors import handle_errors
from rostersync.cli.plan_commands import echo_plan, signing_key
from rostersync.cli.terminal import color_choice, color_options
from rostersync.plan.saved import read_saved_plan
from rostersync.render.escape import for_terminal
from rostersync.render.markdown import CommentContext


@click.command()
@click.argument("planfile", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="How to print the plan.")
@color_options
@click.option("--api-key-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the API key (which checks the plan's integrity) from this file [default: env "
                   "IADVIZE_API_KEY].")
@click.option("--sandbox", is_flag=True, help="A plan saved against the built-in sandbox.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the plan.")
@handle_errors
def show(planfile: Path, output_format: str, color: str, no_color: bool, api_key_file: Path | None, sandbox: bool,
         quiet: bool) -> None:
    """Print a saved plan (from `plan --out`), as text, JSON or Markdown.

    Secrets show as (sensitive). The plan's integrity is checked with the API
    key it was saved with; nothing is sent to the API.

    \b
    Example:
        rostersync plan --out plan.json roster/ && rostersync show --format markdown plan.json
    """
    connection = Connection(None, None, api_key_file, sandbox, insecure=False, verbose=False, quiet=quiet,
                            max_rps=None)
    saved = read_saved_plan(planfile, api_key=signing_key(connection))
    log(connection, f"A saved plan for {for_terminal(saved.base_url)}.")
    # (Not a pull request's plan: merging applies nothing here, `apply PLANFILE` does.)
    context = CommentContext(title="rostersync saved plan", apply_hint=(
        f"rostersync apply {planfile.name} applies this saved plan, once it has checked that the operators it "
        "touches have not changed since it was made."))
    echo_plan(saved.plan.with_digest_key(digest_secret(connection)), output_format, color_choice(color, no_color),
              context)
