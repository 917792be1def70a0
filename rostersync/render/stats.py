"""The output of ``rostersync stats``: a table (text), CSV or JSON.

Every value from the API is escaped (:mod:`rostersync.render.escape`: ``for_terminal``
for text and CSV, ``json_safe`` for JSON); CSV cells are also kept from being run as
spreadsheet formulas (:func:`spreadsheet_cell`). ``satisfaction`` is
the API's ``satisfaction_global_rate`` (deprecated by iAdvize, so possibly absent),
a share between 0 and 1, shown as a percentage in the table only.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from rostersync.render.columns import table_lines
from rostersync.render.escape import for_terminal, json_safe
from rostersync.stats import OperatorStats, StatsReport

__all__ = ["CSV_COLUMNS", "render_stats", "render_stats_csv", "render_stats_json", "render_stats_text",
           "spreadsheet_cell"]

PROFILE_TEXTS = ("status", "description", "facebook", "twitter", "city", "country")
CSV_COLUMNS = ("id", "email", "conversation_number", "satisfaction_global_rate", "experience",
               *PROFILE_TEXTS, "error")
_TEXT_COLUMNS = ("OPERATOR", "CONVERSATIONS", "SATISFACTION", "EXPERIENCE", "CITY", "COUNTRY")
_NUMERIC = frozenset({1, 2, 3})  # right-aligned columns of the table


_FORMULA_START = ("=", "+", "-", "@")


def spreadsheet_cell(value: str) -> str:
    """A CSV cell: terminal-escaped, and never read as a formula (a leading ``'``)."""
    text = for_terminal(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_stats(report: StatsReport, output_format: str) -> str:
    renderers = {"text": render_stats_text, "csv": render_stats_csv, "json": render_stats_json}
    return renderers[output_format](report)


def _number(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _text_row(row: OperatorStats) -> Sequence[str]:
    statistic, profile = row.statistic, row.profile
    return (
        for_terminal(row.operator.label),
        _number(statistic.conversation_number if statistic else None),
        _percent(statistic.satisfaction_global_rate if statistic else None),
        _number(statistic.experience if statistic else None),
        for_terminal(profile.city) if profile and profile.city else "-",
        for_terminal(profile.country) if profile and profile.country else "-",
    )


def render_stats_text(report: StatsReport) -> str:
    """One row per operator; the reasons a read failed below the table; a total."""
    rows = [_TEXT_COLUMNS, *(_text_row(row) for row in report.rows)]
    lines = table_lines(rows, right=_NUMERIC)
    for row in report.failed:
        lines.append(f"! {for_terminal(row.operator.label)}: {for_terminal('; '.join(row.errors))}")
    conversations = sum(row.statistic.conversation_number or 0 for row in report.rows if row.statistic)
    total = f"{len(report.rows)} operator{'s' if len(report.rows) != 1 else ''}, {conversations:,} conversations"
    if report.failed:
        total += f"; {len(report.failed)} could not be read in full"
    if report.not_read:
        total += f"; {len(report.not_read)} not read (interrupted)"
    return "\n".join(lines) + f"\n\n{total}.\n"


def _csv_values(row: OperatorStats) -> list[Any]:
    statistic, profile = row.statistic, row.profile
    values: list[Any] = [row.operator.id, spreadsheet_cell(row.operator.email)]
    for name in ("conversation_number", "satisfaction_global_rate", "experience"):
        value = getattr(statistic, name) if statistic else None
        values.append("" if value is None else value)
    for name in PROFILE_TEXTS:
        value = getattr(profile, name) if profile else None
        values.append("" if value is None else spreadsheet_cell(value))
    values.append(spreadsheet_cell("; ".join(row.errors)))
    return values


def render_stats_csv(report: StatsReport) -> str:
    """A header, then one line per operator read; an ``error`` column says what failed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        writer.writerow(_csv_values(row))
    return out.getvalue()


def _json_row(row: OperatorStats) -> dict[str, Any]:
    statistic, profile = row.statistic, row.profile
    return {
        "id": row.operator.id,
        "email": row.operator.email or None,
        "statistic": None if statistic is None else {
            "conversation_number": statistic.conversation_number,
            "satisfaction_global_rate": statistic.satisfaction_global_rate,
            "experience": statistic.experience,
        },
        "profile": None if profile is None else {name: getattr(profile, name) for name in PROFILE_TEXTS},
        "errors": list(row.errors),
    }


def render_stats_json(report: StatsReport) -> str:
    """``{"operators": [...], "not_read": [ids], "interrupted": false}``."""
    data = {
        "operators": [_json_row(row) for row in report.rows],
        "not_read": [operator.id for operator in report.not_read],
        "interrupted": report.interrupted,
    }
    return json_safe(json.dumps(data, ensure_ascii=False, indent=2)) + "\n"
