"""Live availability: who is connected, and available on which channel.

The documented item is ``{"id", "connected", "chat": {...}, "call": {...}, "video": {...}}``
where each channel holds ``enabled``, ``slot_number``, ``slot_max_number``, ``busy`` and
``available``. The sandbox keeps, per operator, a ``LiveState`` and derives the rest
from the operator's fields:

- ``enabled`` is the operator's ``chat_enabled`` / ``call_enabled`` / ``video_enabled``;
- ``slot_max_number`` is ``chat_max_number`` for chat and 1 for call and video;
- ``busy`` means every slot is taken; ``available`` needs the operator connected,
  the channel enabled and the availability switched on.

``has_logged_in`` tells whether the operator ever logged in: ``GET /operator/live?connected=0``
lists only those (documented), new operators start without it and any ``PUT .../live``
sets it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rostersync.sandbox.validation import InvalidFields, parse_bool

__all__ = ["CHANNELS", "LiveState", "apply_live_update", "render_live"]

CHANNELS: tuple[str, ...] = ("chat", "call", "video")


def _per_channel(value: Any) -> dict[str, Any]:
    return dict.fromkeys(CHANNELS, value)


@dataclass
class LiveState:
    has_logged_in: bool = False
    connected: bool = False
    available: dict[str, bool] = field(default_factory=lambda: _per_channel(False))
    slot_number: dict[str, int] = field(default_factory=lambda: _per_channel(0))

    def to_json(self) -> dict[str, Any]:
        return {"has_logged_in": self.has_logged_in, "connected": self.connected,
                "available": dict(self.available), "slot_number": dict(self.slot_number)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LiveState:
        return cls(
            has_logged_in=bool(data.get("has_logged_in", False)),
            connected=bool(data.get("connected", False)),
            available={c: bool(data.get("available", {}).get(c, False)) for c in CHANNELS},
            slot_number={c: int(data.get("slot_number", {}).get(c, 0)) for c in CHANNELS},
        )

    def forget_disabled_channels(self, operator: Mapping[str, Any]) -> None:
        """A channel switched off loses its availability, so re-enabling it is not a surprise."""
        for channel in CHANNELS:
            if not operator.get(f"{channel}_enabled"):
                self.available[channel] = False


def slot_max_number(operator: Mapping[str, Any], channel: str) -> int:
    return int(operator.get("chat_max_number") or 1) if channel == "chat" else 1


def render_live(operator_id: int, operator: Mapping[str, Any], state: LiveState) -> dict[str, Any]:
    """The documented live availability item of one operator."""
    item: dict[str, Any] = {"id": operator_id, "connected": state.connected}
    for channel in CHANNELS:
        enabled = bool(operator.get(f"{channel}_enabled"))
        slots = slot_max_number(operator, channel)
        used = min(state.slot_number[channel], slots)
        item[channel] = {
            "enabled": enabled,
            "slot_number": used,
            "slot_max_number": slots,
            "busy": used >= slots,
            "available": state.connected and enabled and state.available[channel],
        }
    item["_link"] = f"/operator/{operator_id}/live"
    return item


def is_available(item: Mapping[str, Any]) -> bool:
    """Shown in the default ``GET /operator/live`` view: connected and available somewhere."""
    return bool(item["connected"]) and any(item[channel]["available"] for channel in CHANNELS)


def apply_live_update(operator: Mapping[str, Any], state: LiveState,
                      sent: Mapping[str, Any]) -> str:
    """Apply a ``PUT /operator/{id}/live`` body to ``state``; return the reply's message.

    Raises ``InvalidFields`` (nothing changed) for a malformed body, ``connected``
    other than 0, ``connected=0`` together with an availability switched on, or
    availability on a channel the operator has not enabled.
    """
    wanted, problems = _read_availability(operator, sent)
    logout = "connected" in sent
    if logout and not _is_zero(sent["connected"]):
        problems.append("Invalid value for 'connected': must be 0 (the only value: log out).")
    if logout and any(wanted.values()):
        problems.append("Invalid request: 'connected=0' logs the operator out and cannot "
                        "be sent with an availability set to 1.")
    if not wanted and not logout and not problems:
        problems.append("Nothing to set: send chat[available], call[available], "
                        "video[available] (1 or 0) or connected=0.")
    if problems:
        raise InvalidFields(problems)
    state.has_logged_in = True
    if logout:
        state.connected = False
        state.available = _per_channel(False)
        return "Operator is now disconnected."
    messages = []
    for channel, available in wanted.items():
        state.available[channel] = available
        state.connected = state.connected or available
        word = "available" if available else "unavailable"
        messages.append(f"Operator is now {word} for {channel} channel.")
    return " ".join(messages)


def _read_availability(operator: Mapping[str, Any],
                       sent: Mapping[str, Any]) -> tuple[dict[str, bool], list[str]]:
    wanted: dict[str, bool] = {}
    problems: list[str] = []
    for channel in CHANNELS:
        if channel not in sent:
            continue
        block = sent[channel]
        if not isinstance(block, Mapping) or "available" not in block:
            problems.append(f"Invalid value for {channel!r}: send {channel}[available]=1 or 0.")
            continue
        try:
            available = parse_bool(block["available"])
        except ValueError:
            problems.append(f"Invalid value for '{channel}[available]': must be 1 or 0.")
            continue
        if available and not operator.get(f"{channel}_enabled"):
            problems.append(f"Invalid value for '{channel}[available]': the {channel} "
                            f"channel is not enabled for this operator ({channel}_enabled=0).")
            continue
        wanted[channel] = available
    return wanted, problems


def _is_zero(value: Any) -> bool:
    try:
        return parse_bool(value) is False
    except ValueError:
        return False
