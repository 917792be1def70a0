"""Availability changes (``live set``, ``live logout``): planned from the account, then made.

Like ``rostersync plan``, the plan is read from the account: one listing of the
live availability of the operators in scope (``GET /operator/live?connected=0``),
compared with what was asked. An operator already so is left out, so running the
same command again sends nothing. Each change is one ``PUT /operator/{id}/live``:
``chat[available]=1|0`` (and call, video) for the channels that differ, or
``connected=0`` to log out.

Carrying it out: the changes run on a bounded pool; a failed one does not stop the
others; each gets an outcome; Ctrl-C lets those in flight finish and starts no
other. The API is the judge of what can be done (an operator whose chat channel is
not enabled cannot be made available for chat): its refusal is the outcome.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from rostersync.api.errors import ApiError, NotFoundError, ServerError, TransportError
from rostersync.api.records import ChannelAvailability, LiveAvailability
from rostersync.bounded_pool import run_bounded
from rostersync.selection import ChosenOperator, Selection

__all__ = [
    "CHANNELS",
    "DEFAULT_PARALLELISM",
    "AvailabilityChange",
    "AvailabilityOutcome",
    "AvailabilityPlan",
    "AvailabilityReport",
    "AvailabilityRequest",
    "Channel",
    "ChannelSwitch",
    "apply_availability",
    "build_availability_plan",
    "read_availability_plan",
]

Channel = Literal["chat", "call", "video"]
CHANNELS: tuple[Channel, ...] = ("chat", "call", "video")
Status = Literal["done", "failed", "not started"]
DEFAULT_PARALLELISM = 8
NOT_STARTED = "interrupted before this change started"
# Failures after which the change may still have been made (a reply lost, a 5xx).
_MAYBE_DONE = (TransportError, ServerError)


class LiveReader(Protocol):
    def list_live(self, filters: Mapping[str, str | int] | None = None, *,
                  include_offline: bool = False) -> Sequence[LiveAvailability]: ...


class LiveWriter(Protocol):
    def set_live(self, operator_id: int, *, chat: bool | None = None, call: bool | None = None,
                 video: bool | None = None, disconnect: bool = False) -> None: ...

    def get_live(self, operator_id: int) -> LiveAvailability: ...


@dataclass(frozen=True)
class AvailabilityRequest:
    """What was asked: channels made available (True) or not (False), or a logout."""

    chat: bool | None = None
    call: bool | None = None
    video: bool | None = None
    logout: bool = False

    def __post_init__(self) -> None:
        if self.logout == bool(self.wanted()):
            raise ValueError("ask for a logout, or for at least one channel on or off, not both")

    def wanted(self) -> dict[Channel, bool]:
        values: dict[Channel, bool | None] = {"chat": self.chat, "call": self.call, "video": self.video}
        return {channel: value for channel, value in values.items() if value is not None}


@dataclass(frozen=True)
class ChannelSwitch:
    channel: Channel
    available: bool  # the value asked for; the operator has the other one now


@dataclass(frozen=True)
class AvailabilityChange:
    operator: ChosenOperator
    before: LiveAvailability | None  # None: not in the live listing (never logged in)
    switches: tuple[ChannelSwitch, ...] = ()
    logout: bool = False

    def holds_in(self, live: LiveAvailability) -> bool:
        """Whether ``live`` already shows this change made."""
        if self.logout:
            return not live.connected
        return all(channel_of(live, switch.channel).available == switch.available for switch in self.switches)


@dataclass(frozen=True)
class AvailabilityPlan:
    request: AvailabilityRequest
    changes: tuple[AvailabilityChange, ...]  # in the selection's order (by email)
    unchanged: tuple[ChosenOperator, ...]  # already as asked

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)


def channel_of(live: LiveAvailability | None, channel: Channel) -> ChannelAvailability:
    if live is None:
        return ChannelAvailability()
    return {"chat": live.chat, "call": live.call, "video": live.video}[channel]


def build_availability_plan(selection: Selection, live: Iterable[LiveAvailability],
                            request: AvailabilityRequest) -> AvailabilityPlan:
    """Compare what was asked with each chosen operator's availability now."""
    by_id = {item.id: item for item in live}
    changes: list[AvailabilityChange] = []
    unchanged: list[ChosenOperator] = []
    for operator in selection.operators:
        before = by_id.get(operator.id)
        if request.logout:
            if before is not None and before.connected:
                changes.append(AvailabilityChange(operator, before, logout=True))
            else:
                unchanged.append(operator)
            continue
        switches = tuple(ChannelSwitch(channel, wanted) for channel, wanted in request.wanted().items()
                         if channel_of(before, channel).available != wanted)
        if switches:
            changes.append(AvailabilityChange(operator, before, switches))
        else:
            unchanged.append(operator)
    return AvailabilityPlan(request, tuple(changes), tuple(unchanged))


def read_availability_plan(client: LiveReader, selection: Selection,
                           request: AvailabilityRequest) -> AvailabilityPlan:
    """One listing of live availability in the selection's scope, offline operators included."""
    live = client.list_live(selection.scope.as_api_filters(), include_offline=True)
    return build_availability_plan(selection, live, request)


# ---------------------------------------------------------------- carrying it out

@dataclass(frozen=True)
class AvailabilityOutcome:
    change: AvailabilityChange
    status: Status
    detail: str  # what happened, for a person: "logged out", or why it failed

    @property
    def ok(self) -> bool:
        return self.status == "done"


@dataclass(frozen=True)
class AvailabilityReport:
    outcomes: tuple[AvailabilityOutcome, ...]  # in plan order
    interrupted: bool = False

    def with_status(self, status: Status) -> list[AvailabilityOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == status]

    @property
    def ok(self) -> bool:
        return not self.interrupted and all(outcome.ok for outcome in self.outcomes)


def apply_availability(client: LiveWriter, plan: AvailabilityPlan, *, parallelism: int = DEFAULT_PARALLELISM,
                       on_outcome: Callable[[AvailabilityOutcome], None] | None = None,
                       stop: threading.Event | None = None) -> AvailabilityReport:
    """Make every change of ``plan``; never raises for a failed one."""
    run = run_bounded(plan.changes, lambda change: _make(client, change), parallelism=parallelism,
                      on_result=on_outcome, stop=stop, thread_name="live")
    outcomes = tuple(outcome if outcome is not None else AvailabilityOutcome(change, "not started", NOT_STARTED)
                     for change, outcome in zip(plan.changes, run.results, strict=True))
    return AvailabilityReport(outcomes, run.interrupted)


def _make(client: LiveWriter, change: AvailabilityChange) -> AvailabilityOutcome:
    operator_id = change.operator.id
    try:
        if change.logout:
            client.set_live(operator_id, disconnect=True)
        else:
            client.set_live(operator_id, **{switch.channel: switch.available for switch in change.switches})
    except NotFoundError:
        return AvailabilityOutcome(change, "failed", f"operator #{operator_id} no longer exists "
                                                     "(deleted since the plan was read?)")
    except _MAYBE_DONE as exc:
        # The PUT may have been done with its reply lost: look before calling it failed.
        if _holds(client, change):
            detail = f"{_done_text(change)} (the reply was lost; checked by reading it)"
            return AvailabilityOutcome(change, "done", detail)
        return AvailabilityOutcome(change, "failed", str(exc))
    except ApiError as exc:
        return AvailabilityOutcome(change, "failed", str(exc))
    return AvailabilityOutcome(change, "done", _done_text(change))


def _holds(client: LiveWriter, change: AvailabilityChange) -> bool:
    try:
        return change.holds_in(client.get_live(change.operator.id))
    except ApiError:
        return False


def _done_text(change: AvailabilityChange) -> str:
    if change.logout:
        return "logged out"
    return ", ".join(f"{'available' if switch.available else 'unavailable'} for {switch.channel}"
                     for switch in change.switches)
