"""The plan as JSON: a documented, stable shape for scripts.

    {
      "format_version": 1,
      "digest": "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      "selection": {"only": [], "files": []},
      "summary": {"create": 1, "update": 1, "delete": 0, "unchanged": 7},
      "warnings": [],
      "changes": [
        {"action": "create", "email": "a@x.fr", "id": null, "fields": {"first_name": "Ada", "chat.max": 4}},
        {"action": "update", "email": "b@x.fr", "id": 12,
         "changes": [{"field": "chat.priority", "before": 0, "after": 10}]},
        {"action": "delete", "email": "c@x.fr", "id": 13}
      ]
    }

`digest` names the changes (`rostersync.plan.digest`; what `apply --expect-digest`
takes); `selection` is what `--only` and `--file` chose (both empty: the whole
roster), and `summary` counts within it. Field names are the roster's; secrets show
as "(sensitive)". Skills, groups and websites stay ids; when the roster refers to
them, their names are added beside: a create's ``"names": {"skills": ["Returns"]}``,
an update change's ``"before_names"`` and ``"after_names"`` (null for an id the
account does not name). Values are exactly
those of the roster and the account once parsed, but the text holds no raw control,
bidi or separator character: `json_safe` writes each as a ``\\u`` escape. New keys may be
added in a format version; none is removed or changes meaning without a new version.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rostersync.plan.changes import Change, Create, Plan, Update
from rostersync.render.escape import json_safe
from rostersync.render.values import shown_fields
from rostersync.roster.fields import BY_API

JSON_FORMAT_VERSION = 1


def change_to_json(change: Change, names: Mapping[str, Mapping[int, str]] | None = None) -> dict[str, Any]:
    """One change; where the plan knows the names of skills, groups or websites
    (`Plan.names`), the ids stay and their names are added beside them: a create's
    ``"names"`` (roster label -> names), an update change's ``"before_names"`` and
    ``"after_names"``."""
    names = names or {}
    data: dict[str, Any] = {"action": change.action, "email": change.email, "id": change.id}
    if isinstance(change, Create):
        data["fields"] = shown_fields(change.fields)
        named = {BY_API[name].label: _named(names[name], value) for name, value in change.fields.items()
                 if name in names and name in BY_API}
        if named:
            data["names"] = named
    elif isinstance(change, Update):
        data["changes"] = []
        for c in change.changes:
            item = {"field": c.label, "before": c.shown()[0], "after": c.shown()[1]}
            if c.field in names:
                item["before_names"] = _named(names[c.field], c.before)
                item["after_names"] = _named(names[c.field], c.after)
            data["changes"].append(item)
    return data


def _named(names: Mapping[int, str], value: Any) -> Any:
    """Each id's name, or None for an id without one (gone from the account, say)."""
    if isinstance(value, list):
        return [names.get(item) if isinstance(item, int) else item for item in value]
    return names.get(value) if isinstance(value, int) else value


def plan_to_json(plan: Plan) -> dict[str, Any]:
    return {
        "format_version": JSON_FORMAT_VERSION,
        "digest": plan.digest,
        "selection": {"only": list(plan.selection.only), "files": list(plan.selection.files)},
        "summary": {**plan.counts, "unchanged": plan.unchanged},
        "warnings": list(plan.warnings),
        "changes": [change_to_json(c, plan.names) for c in plan.changes],
    }


def render_plan_json(plan: Plan) -> str:
    # ensure_ascii=False keeps accented names readable; json_safe escapes what it leaves raw.
    return json_safe(json.dumps(plan_to_json(plan), indent=2, ensure_ascii=False)) + "\n"
