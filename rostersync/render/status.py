"""`rostersync status` as a table: who is connected, and available on which channel.

    OPERATOR                          GROUP       CONNECTED  CHAT         CALL         VIDEO
    camille.martin@maison-lumiere.fr  Paris desk  yes        available    available    -
    hugo.thomas@maison-lumiere.fr     Paris desk  yes        unavailable  busy 1/1     -
    sarah.lefebvre@maison-lumiere.fr  -           no         -            -            -

    2 of 3 operators connected.

GROUP is the group's name (``#7`` where no name names it alone, ``-`` for none). A
channel shows "-" when it is not enabled for the operator; CONNECTED is "never"
when the account lists the operator but the live availability does not. Plain
``status`` and every view of ``status --watch`` draw the same table, from one
:class:`~rostersync.live.board.AvailabilityBoard`. Emails come from the API and are
terminal-escaped (`for_terminal`) before columns are measured.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from rostersync.api.records import ChannelAvailability
from rostersync.live.availability import CHANNELS, channel_of
from rostersync.live.board import AvailabilityBoard
from rostersync.render.columns import table_lines
from rostersync.render.escape import for_terminal, json_safe

__all__ = ["board_to_json", "channel_cell", "group_cell", "render_board", "render_board_json"]

_LOOKS_LIKE_ID = re.compile(r"\s*#\s*-?\d+\s*")
_HEADER = ("OPERATOR", "GROUP", "CONNECTED", "CHAT", "CALL", "VIDEO")


def channel_cell(availability: ChannelAvailability | None) -> str:
    """One channel of one operator, in a word or two."""
    if availability is None or not availability.enabled:
        return "-"
    if availability.busy:
        return f"busy {availability.slot_number}/{availability.slot_max_number}"
    return "available" if availability.available else "unavailable"


def group_cell(board: AvailabilityBoard, group_id: int | None) -> str:
    """An operator's group as the table shows it: its name, else ``#id``, else ``-``."""
    if group_id is None:
        return "-"
    name = board.group_names.get(group_id)
    # A name that reads as the column's own "-" (no group) or "#id" (another group) is not shown as one.
    return name if name and name != "-" and not _LOOKS_LIKE_ID.fullmatch(name) else f"#{group_id}"


def render_board(board: AvailabilityBoard) -> str:
    """The table, in the board's order (by email), then ``N of M operators connected.``"""
    rows: list[Sequence[str]] = [_HEADER]
    for row in board.rows:
        label, group = for_terminal(row.operator.label), for_terminal(group_cell(board, row.operator.group_id))
        if row.live is None:
            rows.append((label, group, "never", "-", "-", "-"))
        else:
            rows.append((label, group, "yes" if row.live.connected else "no",
                         *(channel_cell(channel_of(row.live, channel)) for channel in CHANNELS)))
    return "\n".join(table_lines(rows)) + f"\n\n{board.connected} of {len(board.rows)} operators connected.\n"


def _channel_json(availability: ChannelAvailability) -> dict[str, Any]:
    return {"enabled": availability.enabled, "available": availability.available, "busy": availability.busy,
            "slots": availability.slot_number, "max_slots": availability.slot_max_number}


def board_to_json(board: AvailabilityBoard) -> dict[str, Any]:
    """`status --format json`: the same operators as the table, in its order (by email)::

        {"operators": [{"id": 1001, "email": "ada@x.fr", "group": {"id": 7, "name": "Paris desk"},
                        "connected": true,
                        "chat": {"enabled": true, "available": true, "busy": false, "slots": 0, "max_slots": 3},
                        "call": {...}, "video": {...}}],
         "connected": 1, "total": 1}

    An operator the live availability does not list has ``"connected": null`` and
    null channels (the table's "never").
    """
    rows: list[dict[str, Any]] = []
    for row in board.rows:
        live = row.live
        group_id = row.operator.group_id
        rows.append({"id": row.operator.id, "email": row.operator.email,
                     "group": None if group_id is None else {"id": group_id, "name": board.group_names.get(group_id)},
                     "connected": live.connected if live is not None else None,
                     **{channel: _channel_json(channel_of(live, channel)) if live is not None else None
                        for channel in CHANNELS}})
    return {"operators": rows, "connected": board.connected, "total": len(rows)}


def render_board_json(board: AvailabilityBoard) -> str:
    return json_safe(json.dumps(board_to_json(board), indent=2, ensure_ascii=False)) + "\n"
