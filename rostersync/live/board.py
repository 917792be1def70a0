"""The availability board: who is connected now, and available on which channel.

What ``status`` shows, as a value that ``status --watch`` reads again at every
refresh: the operators, chosen as :mod:`rostersync.selection` says, and their live
availability, offline operators included (two listings, never one GET per
operator), with the names of their groups (one listing of the groups, where the
backend has one and an operator has a group).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from rostersync.api.records import LiveAvailability
from rostersync.live.availability import LiveReader
from rostersync.plan.references import account_names
from rostersync.roster.loader import Roster
from rostersync.selection import ChosenOperator, OperatorLister, select_operators

__all__ = ["AvailabilityBoard", "BoardRow", "read_board"]


class BoardReader(OperatorLister, LiveReader, Protocol):
    """Both listings the board needs."""


@dataclass(frozen=True)
class BoardRow:
    operator: ChosenOperator
    live: LiveAvailability | None  # None: never logged in (not in the live listing)


@dataclass(frozen=True)
class AvailabilityBoard:
    rows: tuple[BoardRow, ...]  # by email
    group_names: Mapping[int, str] = field(default_factory=dict)  # group id -> the text that names it alone

    @property
    def connected(self) -> int:
        return sum(1 for row in self.rows if row.live is not None and row.live.connected)


def read_board(client: BoardReader, roster: Roster | None = None) -> AvailabilityBoard:
    """Every operator of the account, or the roster's in its scope, with its availability."""
    selection = select_operators(client, roster=roster)
    live = {item.id: item for item in client.list_live(selection.scope.as_api_filters(), include_offline=True)}
    grouped = any(operator.group_id is not None for operator in selection.operators)
    names = account_names(client, ["group_id"]).get("group_id", {}) if grouped else {}
    return AvailabilityBoard(tuple(BoardRow(operator, live.get(operator.id)) for operator in selection.operators),
                             names)
