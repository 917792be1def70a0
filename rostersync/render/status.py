"""`rostersync status` as a table: who is connected, and available on which channel.

    OPERATOR                          CONNECTED  CHAT         CALL         VIDEO
    camille.martin@maison-lumiere.fr  yes        available    available    -
    hugo.thomas@maison-lumiere.fr     yes        unavailable  busy 1/1     -
    sarah.lefebvre@maison-lumiere.fr  no         -            -            -

    2 of 3 operators connected.

A channel shows "-" when it is not enabled for the operator; CONNECTED is "never"
when the account lists the operator but the live availability does not. Emails come
from the API and are terminal-escaped (`for_terminal`) before columns are measured.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from rostersync.api.records import ChannelAvailability, LiveAvailability
from rostersync.plan.protocols import LiveRecord
from rostersync.render.escape import for_terminal

_HEADER = ("OPERATOR", "CONNECTED", "CHAT", "CALL", "VIDEO")


def channel_cell(availability: ChannelAvailability | None) -> str:
    """One channel of one operator, in a word or two."""
    if availability is None or not availability.enabled:
        return "-"
    if availability.busy:
        return f"busy {availability.slot_number}/{availability.slot_max_number}"
    return "available" if availability.available else "unavailable"


def render_status(operators: Iterable[LiveRecord], live: Iterable[LiveAvailability],
                  only: Collection[str] | None = None) -> str:
    """The table, sorted by email, and a count of those connected.

    `only` keeps the operators with these (lower-case) emails, e.g. a roster's.
    """
    by_id = {item.id: item for item in live}
    emails = {op.id: str(op.fields.get("email", f"#{op.id}")) for op in operators}
    if only is not None:
        emails = {op_id: email for op_id, email in emails.items() if email.lower() in only}
    rows = [_HEADER]
    for op_id, raw_email in sorted(emails.items(), key=lambda item: item[1].lower()):
        item, email = by_id.get(op_id), for_terminal(raw_email)
        if item is None:
            rows.append((email, "never", "-", "-", "-"))
        else:
            rows.append((email, "yes" if item.connected else "no", channel_cell(item.chat), channel_cell(item.call),
                         channel_cell(item.video)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADER))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    connected = sum(1 for op_id in emails if op_id in by_id and by_id[op_id].connected)
    lines += ["", f"{connected} of {len(emails)} operators connected."]
    return "\n".join(lines) + "\n"
