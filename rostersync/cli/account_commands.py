"""Commands that read the account: `export` (adopt an account) and `status` (who is on now)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from rostersync.cli.connection import Connection, connection_options, log, open_client
from rostersync.cli.errors import handle_errors
from rostersync.cli.status_watch import watch_options, watch_status
from rostersync.plan.export import export_roster_text
from rostersync.roster.loader import load_roster
from rostersync.roster.model import Scope


@click.command()
@connection_options
@click.option("--website-id", type=int, help="Export only the operators of this website (becomes the roster's scope).")
@click.option("--group-id", type=int, help="Export only the operators of this group (becomes the roster's scope).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the roster here, not to stdout.")
@handle_errors
def export(connection: Connection, website_id: int | None, group_id: int | None, out: Path | None) -> None:
    """Write the account's operators as a roster, sorted by email.

    Planning the exported roster gives "No changes.": this is how a team adopts
    rostersync on an existing account. sso_key values are secrets and are left out
    (so they stay unmanaged).

    \b
    Example:
        rostersync export --group-id 7 --out team.yaml && rostersync plan team.yaml
    """
    client = open_client(connection)
    scope = Scope(website_id=website_id, group_id=group_id)
    records = client.list_operators(scope.as_api_filters(), full=True)
    text = export_roster_text(records, scope)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        log(connection, f"Wrote {len(records)} operators to {out}.")


def _channel(availability: Any) -> str:
    if availability is None or not availability.enabled:
        return "-"
    if availability.busy:
        return f"busy {availability.slot_number}/{availability.slot_max_number}"
    return "available" if availability.available else "unavailable"


@click.command()
@click.argument("roster", required=False, type=click.Path(path_type=Path))
@connection_options
@watch_options
@handle_errors
def status(roster: Path | None, connection: Connection, watch: float | None) -> None:
    """Show who is connected now, and on which channels they are available.

    With a ROSTER, only its operators (in its scope) are shown; offline
    operators are included.

    \b
    Example:
        rostersync status --sandbox examples/operators.yaml
    """
    if watch is not None:
        return watch_status(connection, roster, interval=watch)
    wanted = load_roster(roster) if roster is not None else None
    scope = wanted.scope if wanted is not None else Scope()
    client = open_client(connection)
    operators = client.list_operators(scope.as_api_filters(), full=True)
    live = {item.id: item for item in client.list_live(scope.as_api_filters(), include_offline=True)}
    emails = {op.id: str(op.fields.get("email", f"#{op.id}")) for op in operators}
    if wanted is not None:
        keep = {op.key for op in wanted.operators}
        emails = {op_id: email for op_id, email in emails.items() if email.lower() in keep}
    rows = [("OPERATOR", "CONNECTED", "CHAT", "CALL", "VIDEO")]
    for op_id, email in sorted(emails.items(), key=lambda item: item[1].lower()):
        item = live.get(op_id)
        if item is None:
            rows.append((email, "never", "-", "-", "-"))
        else:
            rows.append((email, "yes" if item.connected else "no", _channel(item.chat), _channel(item.call),
                         _channel(item.video)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    connected = sum(1 for op_id in emails if op_id in live and live[op_id].connected)
    click.echo(f"\n{connected} of {len(emails)} operators connected.")
