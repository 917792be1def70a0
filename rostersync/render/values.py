"""How values look in every plan format: compact, YAML-like, secrets masked, and
safe to print: a string is quoted and escaped as in YAML (``"Ada\\x1b[2J"``), keys
and anything else that is not a number are terminal-escaped (`rostersync.render.escape`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rostersync.plan.changes import Create, FieldChange
from rostersync.render.escape import for_terminal
from rostersync.roster.fields import BY_API, FIELDS, SENSITIVE_MASK, display_value

# Names the ids of a field where they are known (`Plan.named`): skills, groups and
# websites are shown by name, their ids kept for what is sent.
Named = Callable[[str, Any], Any]


def _as_is(api_field: str, value: Any) -> Any:
    return value


# Words that read the same quoted or not: codes, roles, emails, phone numbers.
_BARE = re.compile(r"^[A-Za-z][A-Za-z0-9_.@+-]*$")


def format_value(value: Any, nested: bool = False) -> str:
    """A value as people read it in a plan. Top-level strings are quoted, so that an
    empty or space-padded name is visible; codes inside lists and mappings are not."""
    if value is None:
        return "(unset)"
    if value == SENSITIVE_MASK:
        return SENSITIVE_MASK
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if nested and _BARE.fullmatch(value) else quoted(value)
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v, True) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{for_terminal(str(k))}: {format_value(v, True)}" for k, v in value.items()) + "}"
    return for_terminal(str(value))


def quoted(text: str) -> str:
    """A YAML double-quoted string: ``"`` and backslash escaped, then control and
    format characters as YAML escapes (``\\x1b``, ``\\u202e``). An ordinary string
    reads as it does in JSON."""
    return '"' + for_terminal(text.replace("\\", "\\\\").replace('"', '\\"')) + '"'


def create_lines(change: Create, named: Named = _as_is) -> list[tuple[str, Any]]:
    """A create's fields as (roster label, shown value), in the roster's field order,
    ids named by ``named``. The email is the change's heading, so it is not repeated."""
    return [(spec.label, named(spec.api, display_value(spec.api, change.fields[spec.api])))
            for spec in FIELDS if spec.api in change.fields and spec.api != "email"]


def change_line(change: FieldChange, named: Named = _as_is) -> tuple[str, str, str]:
    """A field change as (label, before, after), all three safe to print, ids named by
    ``named``; a pickup setting's key (``call_config.KEY``) comes from the API, so the
    label is escaped too."""
    before, after = change.shown()
    if change.field == change.top:
        before, after = named(change.top, before), named(change.top, after)
    return for_terminal(change.label), format_value(before), format_value(after)


def shown_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """A field set keyed by roster labels, secrets masked (for JSON output)."""
    return {BY_API[name].label: display_value(name, value) for name, value in fields.items() if name in BY_API}
