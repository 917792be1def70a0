"""`rostersync status` as a table: who is connected, and available on which channel.

    OPERATOR                          CONNECTED  CHAT         CALL         VIDEO
    camille.martin@maison-lumiere.fr  yes        available    available    -
    hugo.thomas@maison-lumiere.fr     yes        unavailable  busy 1/1     -
    sarah.lefebvre@maison-lumiere.fr  no         -            -            -

    2 of 3 operators connected.

A channel shows "-" when it is not enabled for the operator; CONNECTED is "never"
when the account lists the operator but the live availability does not. Plain
``status`` and every view of ``status --watch`` draw the same table, from one
:class:`~rostersync.live.board.AvailabilityBoard`. Emails come from the API and are
terminal-escaped (`for_terminal`) before columns are measured.
"""

from __future__ import annotations

from collections.abc import Sequence

from rostersync.api.records import ChannelAvailability
from rostersync.live.availability import CHANNELS, channel_of
from rostersync.live.board import AvailabilityBoard
from rostersync.render.escape import for_terminal

__all__ = ["channel_cell", "render_board"]

_HEADER = ("OPERATOR", "CONNECTED", "CHAT", "CALL", "VIDEO")


def channel_cell(availability: ChannelAvailability | None) -> str:
    """One channel of one operator, in a word or two."""
    if availability is None or not availability.enabled:
        return "-"
    if availability.busy:
        return f"busy {availability.slot_number}/{availability.slot_max_number}"
    return "available" if availability.available else "unavailable"


def render_board(board: AvailabilityBoard) -> str:
    """The table, in the board's order (by email), then ``N of M operators connected.``"""
    rows: list[Sequence[str]] = [_HEADER]
    for row in board.rows:
        label = for_terminal(row.operator.label)
        if row.live is None:
            rows.append((label, "never", "-", "-", "-"))
        else:
            rows.append((label, "yes" if row.live.connected else "no",
                         *(channel_cell(channel_of(row.live, channel)) for channel in CHANNELS)))
    widths = [max(len(row[column]) for row in rows) for column in range(len(_HEADER))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines) + f"\n\n{board.connected} of {len(board.rows)} operators connected.\n"
