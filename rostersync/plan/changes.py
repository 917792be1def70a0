"""The plan as a value: an ordered list of create, update and delete changes.

A plan is what the engine hands to the renderers and to `apply`; how it was
computed stays in `rostersync.plan.engine`. Values are in the API's shape (field sets,
see `rostersync.roster.fields`); renderers show the roster's names and mask secrets.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

from rostersync.roster.fields import BY_API, display_value
from rostersync.roster.scope import Scope

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


def update_payload(changes: Iterable[FieldChange]) -> dict[str, Any]:
    """What a PUT sends for these changes: each changed field's new value, nothing else.

    The one place a payload is made, when planning, when applying and when applying a
    saved plan: what is sent can only be what the plan shows. A ``call_config.KEY``
    change sends that key alone (the API merges call_config key by key).
    """
    payload: dict[str, Any] = {}
    for change in changes:
        if change.field.startswith("call_config."):
            payload.setdefault("call_config", {})[change.field.split(".", 1)[1]] = change.after
        else:
            payload[change.field] = change.after
    return payload


@dataclass(frozen=True)
class Update:
    email: str
    id: int
    changes: tuple[FieldChange, ...]
    fingerprint: str  # of the live operator as planned, to detect a stale saved plan
    source: str = ""
    action: ChangeKind = field(default="update", init=False)

    @property
    def payload(self) -> dict[str, Any]:
        """Exactly what the PUT sends: derived from `changes`, never stored beside them."""
        return update_payload(self.changes)

    @property
    def email_move(self) -> tuple[str, str] | None:
        """(the email the operator has, the one it takes), when this update changes it."""
        change = next((c for c in self.changes if c.field == "email"), None)
        if change is None or not isinstance(change.after, str):
            return None
        return str(change.before), change.after


@dataclass(frozen=True)
class Delete:
    email: str
    id: int
    fingerprint: str
    # Who is removed, as the account lists them, for the people reviewing the plan:
    # never sent, not part of what makes two deletes the same, not kept by a saved plan.
    name: str = field(default="", compare=False)
    roles: tuple[str, ...] = field(default=(), compare=False)
    action: ChangeKind = field(default="delete", init=False)


Change = Create | Update | Delete


@dataclass(frozen=True)
class PlanSelection:
    """Which operators a plan covers: the whole roster, or those `--only` and `--file` choose.

    `only` are email globs (any one matches, case-insensitively, as the roster's
    `ignore` globs do); `files` are files of the roster, as the roster names them
    (its operators, with the defaults and profiles of the whole roster). Given both,
    an operator must be chosen by each. See `rostersync.plan.selection`.
    """

    only: tuple[str, ...] = ()
    files: tuple[str, ...] = ()

    @property
    def everything(self) -> bool:
        return not self.only and not self.files

    def describe(self) -> str:
        """The selection as the options that make it, e.g. ``--only 'ada*' --file roster/fr.yaml``."""
        return " ".join([*(f"--only {shlex.quote(p)}" for p in self.only),
                         *(f"--file {shlex.quote(f)}" for f in self.files)])


@dataclass(frozen=True)
class Plan:
    """What `apply` would do, in the order it does it: creates, updates, deletes.

    `digest` names its changes (`rostersync.plan.digest`); `digest_key`, derived from
    the API key (`with_digest_key`), lets secret values count in it without showing.
    """

    changes: tuple[Change, ...]
    unchanged: int  # operators of the roster that already match the account
    live_in_scope: int  # live operators the roster owns (in scope, not ignored)
    warnings: tuple[str, ...] = ()
    # What apply needs to know of the listing the plan was made from: a create whose
    # reply is lost adopts the operator its email finds only if it is in this scope
    # and was not among these ids (then it was not there before the create).
    scope: Scope = field(default_factory=Scope)
    listed_ids: frozenset[int] = frozenset()
    # The operators the plan covers; `unchanged` and `live_in_scope` count within it.
    selection: PlanSelection = field(default_factory=PlanSelection)
    digest_key: bytes | None = field(default=None, repr=False, compare=False)
    # The names of the ids of the skills, groups and websites the roster refers to
    # (API field -> id -> name; rostersync.plan.references), for people reading the
    # plan: not sent, not in the digest, not kept by a saved plan.
    names: Mapping[str, Mapping[int, str]] = field(default_factory=dict, repr=False, compare=False)

    def named(self, api_field: str, value: Any) -> Any:
        """``value`` with the ids of ``api_field`` replaced by their names, where known."""
        names = self.names.get(api_field)
        if not names or value is None:
            return value
        if isinstance(value, list):
            return [names.get(item, item) if isinstance(item, int) else item for item in value]
        return names.get(value, value) if isinstance(value, int) and not isinstance(value, bool) else value

    def with_digest_key(self, api_key: str) -> Plan:
        """This plan, its digest computed with secrets hashed under a key derived from `api_key`."""
        from rostersync.plan.digest import digest_key

        return replace(self, digest_key=digest_key(api_key))

    @cached_property
    def digest(self) -> str:
        """``sha256:`` and 64 hex digits naming exactly these changes (`rostersync.plan.digest`)."""
        from rostersync.plan.digest import plan_digest

        return plan_digest(self.changes, self.digest_key)

    @property
    def roster_size(self) -> int:
        """The roster operators the plan covers: each is created, updated or unchanged."""
        counts = self.counts
        return self.unchanged + counts["create"] + counts["update"]

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
