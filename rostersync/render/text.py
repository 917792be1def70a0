"""The plan and the apply report as terminal text, with optional colour.

Every email, warning and outcome detail goes through `for_terminal`, values through
`format_value`: nothing from a roster or from the API reaches the terminal raw."""

from __future__ import annotations

from collections.abc import Callable

import click

from rostersync.plan.changes import Change, Create, Plan, Update
from rostersync.plan.outcomes import ApplyReport, Outcome
from rostersync.render.escape import for_terminal
from rostersync.render.values import Named, change_line, create_lines, format_value

_SYMBOL = {"create": ("+", "green"), "update": ("~", "yellow"), "delete": ("-", "red")}


def _as_is(api_field: str, value: object) -> object:
    return value


def _styler(color: bool) -> Callable[..., str]:
    def style(text: str, **kwargs: object) -> str:
        return click.style(text, **kwargs) if color else text  # type: ignore[arg-type]
    return style


def render_change(change: Change, color: bool = False, named: Named | None = None) -> list[str]:
    style = _styler(color)
    symbol, colour = _SYMBOL[change.action]
    ident = f" (#{change.id})" if change.id is not None else ""
    lines = [style(f"{symbol} {change.action} {for_terminal(change.email)}{ident}", fg=colour, bold=True)]
    named = named if named is not None else _as_is
    if isinstance(change, Create):
        lines += [f"    {label}: {format_value(value)}" for label, value in create_lines(change, named)]
    elif isinstance(change, Update):
        for field_change in change.changes:
            label, before, after = change_line(field_change, named)
            lines.append(f"    {label}: {before} {style('->', fg=colour)} {after}")
    return lines


def render_plan(plan: Plan, color: bool = False) -> str:
    """The changes, then the summary; a plan with changes ends with ``Plan digest: sha256:...``
    (what `apply --expect-digest` takes). A plan of part of the roster says so first."""
    style = _styler(color)
    lines: list[str] = []
    if not plan.selection.everything:
        lines += [f"Selection: {for_terminal(plan.selection.describe())} (nothing else is created, changed or "
                  "deleted)", ""]
    for warning in plan.warnings:
        lines.append(style(f"Warning: {for_terminal(warning)}", fg="yellow"))
    if plan.warnings:
        lines.append("")
    for change in plan.changes:
        lines += render_change(change, color, plan.named)
        lines.append("")
    lines.append(style(plan.summary_line(), bold=True))
    if plan.has_changes:
        lines.append(f"Plan digest: {plan.digest}")
    return "\n".join(lines) + "\n"


def render_outcome(outcome: Outcome, color: bool = False) -> str:
    style = _styler(color)
    symbol, _ = _SYMBOL[outcome.change.action]
    mark = {"done": style("ok", fg="green"), "failed": style("FAILED", fg="red", bold=True),
            "not started": style("not started", fg="yellow")}[outcome.status]
    return f"{symbol} {for_terminal(outcome.change.email)}: {mark}: {for_terminal(outcome.detail)}"


def render_report(report: ApplyReport, color: bool = False) -> str:
    style = _styler(color)
    lines = [render_outcome(outcome, color) for outcome in report.outcomes]
    summary = report.summary_line()
    lines.append(style(summary, bold=True, fg=None if report.ok else "red"))
    if not report.ok:
        lines.append("Run apply again to finish: it plans from the account as it is now.")
    return "\n".join(lines) + "\n"
