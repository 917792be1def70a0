"""Availability as text: the plan of ``live set``/``live logout``, and its outcomes (the
board of ``status`` is in :mod:`rostersync.render.status`). Every value from the API
is escaped (:func:`~rostersync.render.escape.for_terminal`).

::

    ~ ada@example.com (#1001): connected
        chat: available -> unavailable
    - log out grace@example.com (#1002): connected, available for chat

    Plan: 2 to change, 1 already so.
"""

from __future__ import annotations

from rostersync.api.records import LiveAvailability
from rostersync.live.availability import (
    CHANNELS,
    AvailabilityChange,
    AvailabilityOutcome,
    AvailabilityPlan,
    AvailabilityReport,
    channel_of,
)
from rostersync.render.escape import for_terminal
from rostersync.selection import ChosenOperator

__all__ = [
    "render_availability_outcome",
    "render_availability_plan",
    "render_availability_report",
    "render_operator",
]


def render_operator(operator: ChosenOperator) -> str:
    """``ada@example.com (#1001)``; ``#1001`` for an operator without an email."""
    if not operator.email:
        return f"#{operator.id}"
    return f"{for_terminal(operator.email)} (#{operator.id})"


def _presence(live: LiveAvailability | None) -> str:
    if live is None:
        return "never logged in"
    if not live.connected:
        return "offline"
    available = [channel for channel in CHANNELS if channel_of(live, channel).available]
    if not available:
        return "connected, unavailable"
    return "connected, available for " + " and ".join([", ".join(available[:-1]), available[-1]] if
                                                      len(available) > 1 else available)


def _word(available: bool) -> str:
    return "available" if available else "unavailable"


def _change_lines(change: AvailabilityChange) -> list[str]:
    if change.logout:
        return [f"- log out {render_operator(change.operator)}: {_presence(change.before)}"]
    lines = [f"~ {render_operator(change.operator)}: {_presence(change.before)}"]
    for switch in change.switches:
        line = f"    {switch.channel}: {_word(not switch.available)} -> {_word(switch.available)}"
        if switch.available and change.before is not None and not channel_of(change.before, switch.channel).enabled:
            # Sent all the same: the API decides, and its answer is the outcome.
            line += f" (the {switch.channel} channel is not enabled for this operator)"
        elif switch.available and (change.before is None or not change.before.connected):
            # Made available, an operator is connected: conversations go to whoever is
            # not at their desk. The supervisor must see it before saying yes.
            line += " (offline now: this connects the operator)"
        lines.append(line)
    return lines


def render_availability_plan(plan: AvailabilityPlan) -> str:
    """Each change, then one summary line; ends with a newline."""
    logout = plan.request.logout
    already = "already offline" if logout else "already so"
    if not plan.has_changes:
        return f"No changes: every chosen operator ({len(plan.unchanged)}) is {already}.\n"
    blocks = ["\n".join(_change_lines(change)) for change in plan.changes]
    verb = "to log out" if logout else "to change"
    summary = f"Plan: {len(plan.changes)} {verb}"
    if plan.unchanged:
        summary += f", {len(plan.unchanged)} {already}"
    return "\n".join(blocks) + f"\n\n{summary}.\n"


def render_availability_outcome(outcome: AvailabilityOutcome) -> str:
    """``~ ada@example.com (#1001): ok: unavailable for chat``, or why it failed."""
    sign = "-" if outcome.change.logout else "~"
    status = "ok" if outcome.ok else outcome.status
    return f"{sign} {render_operator(outcome.change.operator)}: {status}: {for_terminal(outcome.detail)}"


def render_availability_report(report: AvailabilityReport, *, logout: bool) -> str:
    """Every outcome, then one summary line; ends with a newline."""
    lines = [render_availability_outcome(outcome) for outcome in report.outcomes]
    done = len(report.with_status("done"))
    summary = f"{'Interrupted' if report.interrupted else 'Done'}: {done} {'logged out' if logout else 'changed'}"
    failed, skipped = len(report.with_status("failed")), len(report.with_status("not started"))
    if failed:
        summary += f", {failed} failed"
    if skipped:
        summary += f", {skipped} not started"
    return "\n".join([*lines, summary + "."]) + "\n"
