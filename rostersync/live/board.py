"""The availability board: who is connected now, and available on which channel.

What ``status`` shows, as a value that ``status --watch`` reads again at every
refresh: two listings (the operators, chosen as :mod:`rostersync.selection` says,
and their live availability, offline operators included), never one GET per operator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from rostersync.api.records import LiveAvailability
from rostersync.live.availability import LiveReader
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

    @property
    def connected(self) -> int:
        return sum(1 for row in self.rows if row.live is not None and row.live.connected)


def read_board(client: BoardReader, roster: Roster | None = None) -> AvailabilityBoard:
    """Every operator of the account, or the roster's in its scope, with its availability."""
    selection = select_operators(client, roster=roster)
    live = {item.id: item for item in client.list_live(selection.scope.as_api_filters(), include_offline=True)}
    return AvailabilityBoard(tuple(BoardRow(operator, live.get(operator.id)) for operator in selection.operators))
