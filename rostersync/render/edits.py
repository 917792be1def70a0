"""What `rostersync roster add | remove | import-csv` did, one line per operator.

    added jane.doe@maison-lumiere.fr to operators.yaml
    people.csv:2: updated bob@maison-lumiere.fr in team/b.yaml: first_name (unset) -> "Bob"
    noah.robert@maison-lumiere.fr is not in operators.yaml: nothing changed

Values are shown as in a plan (`rostersync.render.values`), secrets masked; emails,
file names and CSV positions come from files a pull request may write, so they are
terminal-escaped (`for_terminal`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rostersync.edit.results import EditOutcome, EditResult, OperatorChange
from rostersync.render.escape import for_terminal
from rostersync.render.values import format_value
from rostersync.roster.fields import SENSITIVE_MASK


def describe_change(change: OperatorChange, roster: str | Path) -> str:
    """One operator's change; `roster` is the path the edit was asked of."""
    where = f"{for_terminal(change.origin)}: " if change.origin else ""
    email, file = for_terminal(change.email), for_terminal(str(change.file))
    if change.action == "added":
        return f"{where}added {email} to {file}"
    if change.action == "updated":
        fields = "; ".join(f"{for_terminal(u.label)} {_shown(u.before, u.sensitive)} -> "
                           f"{_shown(u.after, u.sensitive)}" for u in change.fields)
        return f"{where}updated {email} in {file}: {fields}"
    if change.action == "unchanged":
        return f"{where}{email} is already in {file} with these fields: nothing changed"
    if change.action == "removed":
        return f"{where}removed {email} from {file}"
    return f"{where}{email} is not in {for_terminal(str(roster))}: nothing changed"


def describe_import(result: EditResult, csv_file: str | Path) -> str:
    """The counts of a CSV import, e.g. ``people.csv: 2 added, 1 updated, 5 unchanged`` (and with
    --prune, ``, 1 removed``)."""
    kinds: tuple[EditOutcome, ...] = ("added", "updated", "unchanged")
    if result.count("removed"):
        kinds += ("removed",)
    counts = ", ".join(f"{result.count(kind)} {kind}" for kind in kinds)
    return f"{for_terminal(str(csv_file))}: {counts}"


def _shown(value: Any, sensitive: bool) -> str:
    return SENSITIVE_MASK if sensitive and value is not None else format_value(value)
