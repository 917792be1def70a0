"""Statistics and profile of chosen operators (``rostersync stats``), read in parallel.

Two GETs per operator (``/operator/{id}/statistic`` and ``/operator/{id}/profile``),
several operators at a time on a bounded pool. The rate limits are the client's:
its pacing (``max_rps``) spans every thread, and a 429 makes every thread wait
(``Retry-After`` honoured). A read that fails is reported in its operator's row,
and the others go on; Ctrl-C starts no new read and keeps those done.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from rostersync.api.errors import ApiError
from rostersync.api.records import OperatorProfile, OperatorStatistic
from rostersync.bounded_pool import run_bounded
from rostersync.selection import ChosenOperator

__all__ = ["DEFAULT_PARALLELISM", "OperatorStats", "StatsReader", "StatsReport", "fetch_stats"]

# Reads cost the account's rate limit as writes do; four at a time keeps a large
# account's run short without bursting.
DEFAULT_PARALLELISM = 4


class StatsReader(Protocol):
    def get_statistic(self, operator_id: int) -> OperatorStatistic: ...
    def get_profile(self, operator_id: int) -> OperatorProfile: ...


@dataclass(frozen=True)
class OperatorStats:
    operator: ChosenOperator
    statistic: OperatorStatistic | None  # None when it could not be read
    profile: OperatorProfile | None
    errors: tuple[str, ...] = ()  # why a part could not be read

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class StatsReport:
    rows: tuple[OperatorStats, ...]  # the operators read, in the order given
    not_read: tuple[ChosenOperator, ...] = ()  # never started (interrupted)
    interrupted: bool = False

    @property
    def failed(self) -> list[OperatorStats]:
        return [row for row in self.rows if not row.ok]


def fetch_stats(client: StatsReader, operators: Sequence[ChosenOperator], *,
                parallelism: int = DEFAULT_PARALLELISM,
                on_row: Callable[[OperatorStats], None] | None = None,
                stop: threading.Event | None = None) -> StatsReport:
    """Statistic and profile of each operator; never raises for a failed read."""
    run = run_bounded(operators, lambda operator: _read(client, operator), parallelism=parallelism,
                      on_result=on_row, stop=stop, thread_name="stats")
    rows = tuple(row for row in run.results if row is not None)
    not_read = tuple(operator for operator, row in zip(operators, run.results, strict=True) if row is None)
    return StatsReport(rows, not_read, run.interrupted)


def _read(client: StatsReader, operator: ChosenOperator) -> OperatorStats:
    errors: list[str] = []
    statistic: OperatorStatistic | None = None
    profile: OperatorProfile | None = None
    try:
        statistic = client.get_statistic(operator.id)
    except ApiError as exc:
        errors.append(f"statistic: {exc}")
    try:
        profile = client.get_profile(operator.id)
    except ApiError as exc:
        errors.append(f"profile: {exc}")
    return OperatorStats(operator, statistic, profile, tuple(errors))
