"""Commands that read the account: `export` (adopt an account) and `status` (who is on now)."""

from __future__ import annotations

from pathlib import Path

import click

from rostersync.capabilities import REFERENCE_KINDS
from rostersync.cli.connection import Connection, connection_options, log, open_backend, open_client
from rostersync.cli.errors import handle_errors
from rostersync.cli.status_watch import watch_options, watch_status
from rostersync.live.board import read_board
from rostersync.plan.references import account_names, resolve_scope
from rostersync.render.status import render_board, render_board_json
from rostersync.roster.export import export_roster_text
from rostersync.roster.loader import load_roster
from rostersync.roster.scope import Scope


@click.command()
@connection_options
@click.option("--website-id", type=int, help="Export only the operators of this website (becomes the roster's scope).")
@click.option("--group-id", type=int, help="Export only the operators of this group (becomes the roster's scope).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the roster here, not to stdout.")
@click.option("--ids", is_flag=True, help="Write skills, groups and websites as ids, not names.")
@handle_errors
def export(connection: Connection, website_id: int | None, group_id: int | None, out: Path | None,
           ids: bool) -> None:
    """Write the account's operators as a roster, sorted by email.

    Planning the exported roster gives "No changes.": this is how a team adopts
    rostersync on an existing account. sso_key values are secrets and are left out
    (so they stay unmanaged). Skills, groups and websites are written by name
    where the name is unique on the account (Parent/Child where that is), else by
    id; --ids writes ids only.

    \b
    Example:
        rostersync export --group-id 7 --out team.yaml && rostersync plan team.yaml
    """
    client = open_backend(connection)
    scope = Scope(website=website_id, group=group_id)
    records = client.list_operators(scope.as_api_filters(), full=True)
    # One listing per kind the operators or the scope use (the GraphQL backend lists none: ids).
    used = {name for record in records for name in REFERENCE_KINDS if record.fields.get(name)}
    used |= {name for name, value in (("website_list", scope.website), ("group_id", scope.group)) if value is not None}
    names = {} if ids else account_names(client, used)
    text = export_roster_text(records, scope, names)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        log(connection, f"Wrote {len(records)} operators to {out}.")


@click.command()
@click.argument("roster", required=False, type=click.Path(path_type=Path))
@connection_options
@watch_options
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text, a table; json, one document (not with --watch).")
@handle_errors
def status(roster: Path | None, connection: Connection, watch: float | None, output_format: str) -> None:
    """Show who is connected now, and on which channels they are available.

    With a ROSTER, only its operators (in its scope, matched by email or external
    id) are shown; offline operators are included.

    \b
    Example:
        rostersync status --sandbox examples/operators.yaml
        rostersync status --format json examples/operators.yaml
    """
    if watch is not None:
        if output_format != "text":
            raise click.UsageError("--watch redraws a table on a terminal; --format json prints the status once: "
                                   "use one or the other.")
        return watch_status(connection, roster, interval=watch)
    wanted = load_roster(roster) if roster is not None else None
    client = open_client(connection)
    board = read_board(client, resolve_scope(client, wanted) if wanted is not None else None)
    click.echo(render_board_json(board) if output_format == "json" else render_board(board), nl=False)
