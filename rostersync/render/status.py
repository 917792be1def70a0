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

import json
from collections.abc import Collection, Iterable
from typing import Any

from rostersync.api.records import ChannelAvailability, LiveAvailability
from rostersync.plan.protocols import LiveRecord
from rostersync.render.escape import for_terminal, json_safe

_HEADER = ("OPERATOR", "CONNECTED", "CHAT", "CALL", "VIDEO")


def channel_cell(availability: ChannelAvailability | None) -> str:
    """One channel of one operator, in a word or two."""
    if availability is None or not availability.enabled:
        return "-"
    if availability.busy:
        return f"busy {availability.slot_number}/{availability.slot_max_number}"
    return "available" if availability.available else "unavailable"


def _chosen(operators: Iterable[LiveRecord], only: Collection[str] | None) -> dict[int, str]:
    """Each operator's email by id (``#ID`` when it has none), those `only` keeps."""
    emails = {op.id: str(op.fields.get("email", f"#{op.id}")) for op in operators}
    if only is not None:
        emails = {op_id: email for op_id, email in emails.items() if email.lower() in only}
    return emails


def render_status(operators: Iterable[LiveRecord], live: Iterable[LiveAvailability],
                  only: Collection[str] | None = None) -> str:
    """The table, sorted by email, and a count of those connected.

    `only` keeps the operators with these (lower-case) emails, e.g. a roster's.
    """
    by_id = {item.id: item for item in live}
    emails = _chosen(operators, only)
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


def _channel_json(availability: ChannelAvailability) -> dict[str, Any]:
    return {"enabled": availability.enabled, "available": availability.available, "busy": availability.busy,
            "slots": availability.slot_number, "max_slots": availability.slot_max_number}


def status_to_json(operators: Iterable[LiveRecord], live: Iterable[LiveAvailability],
                   only: Collection[str] | None = None) -> dict[str, Any]:
    """`status --format json`: the same operators as the table, sorted by email::

        {"operators": [{"id": 1001, "email": "ada@x.fr", "connected": true,
                        "chat": {"enabled": true, "available": true, "busy": false, "slots": 0, "max_slots": 3},
                        "call": {...}, "video": {...}}],
         "connected": 1, "total": 1}

    An operator the live availability does not list has ``"connected": null`` and
    null channels (the table's "never").
    """
    by_id = {item.id: item for item in live}
    rows: list[dict[str, Any]] = []
    for op_id, email in sorted(_chosen(operators, only).items(), key=lambda item: item[1].lower()):
        item = by_id.get(op_id)
        rows.append({"id": op_id, "email": email, "connected": item.connected if item is not None else None,
                     **{name: _channel_json(getattr(item, name)) if item is not None else None
                        for name in ("chat", "call", "video")}})
    return {"operators": rows, "connected": sum(row["connected"] is True for row in rows), "total": len(rows)}


def render_status_json(operators: Iterable[LiveRecord], live: Iterable[LiveAvailability],
                       only: Collection[str] | None = None) -> str:
    return json_safe(json.dumps(status_to_json(operators, live, only), indent=2, ensure_ascii=False)) + "\n"
