"""The plan as a value: an ordered list of create, update and delete changes.

A plan is what the engine hands to the renderers and to `apply`; nothing outside
`rostersync.plan.engine` sees deepdiff. Values are in the API's shape (field sets,
see `rostersync.roster.fields`); renderers show the roster's names and mask secrets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from rostersync.roster.fields import BY_API, display_value

ChangeKind = Literal["create", "update", "delete"]


@dataclass(frozen=True)
class FieldChange:
    """One field's move: `field` is an API name, or ``call_config.KEY`` for a pickup setting."""

    field: str
    before: Any
    after: Any

    @property
    def top(self) -> str:
        return self.field.split(".", 1)[0]

    @property
    def label(self) -> str:
        """The roster's name for the field, e.g. ``chat.priority``."""
        spec = BY_API[self.top]
        rest = self.field[len(self.top):]
        return spec.label + rest

    def shown(self) -> tuple[Any, Any]:
        """Before and after as they may be shown to a person."""
        return display_value(self.top, self.before), display_value(self.top, self.after)


@dataclass(frozen=True)
class Create:
    email: str
    fields: dict[str, Any]  # everything sent in the POST
    source: str = ""  # where in the roster, e.g. "team-fr.yaml:14"
    action: ChangeKind = field(default="create", init=False)
    id: int | None = field(default=None, init=False)


@dataclass(frozen=True)
class Update:
    email: str
    id: int
    changes: tuple[FieldChange, ...]
    payload: dict[str, Any]  # exactly what the PUT sends
    fingerprint: str  # of the live operator as planned, to detect a stale saved plan
    source: str = ""
    action: ChangeKind = field(default="update", init=False)


@dataclass(frozen=True)
class Delete:
    email: str
    id: int
    fingerprint: str
    action: ChangeKind = field(default="delete", init=False)


Change = Create | Update | Delete


@dataclass(frozen=True)
class Plan:
    """What `apply` would do, in the order it does it: creates, updates, deletes."""

    changes: tuple[Change, ...]
    unchanged: int  # operators of the roster that already match the account
    live_in_scope: int  # live operators the roster owns (in scope, not ignored)
    warnings: tuple[str, ...] = ()

    def of(self, action: ChangeKind) -> list[Change]:
        return [c for c in self.changes if c.action == action]

    @property
    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "delete": 0}
        for change in self.changes:
            counts[change.action] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def summary_line(self) -> str:
        if not self.changes:
            return "No changes."
        c = self.counts
        return f"Plan: {c['create']} to create, {c['update']} to update, {c['delete']} to delete."
