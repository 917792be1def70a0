"""Helpers for the plan-engine table: a roster from YAML text, an account from API items,
and the plan reduced to what a person reads in it.

No HTTP: the live operators are the JSON items `GET /operator?full=1` returns, read by
the client's own record parser, and listed the way the API filters them by scope.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rostersync import (
    Create,
    Delete,
    LiveAccount,
    OperatorRecord,
    Plan,
    Roster,
    Update,
    build_plan,
    load_texts,
    read_live,
)
from rostersync.api.records import parse_operator

ROSTER_FILE = "team.yaml"


def roster(text: str) -> Roster:
    """A roster from one file's YAML text (indented freely: it is dedented)."""
    return load_texts([(ROSTER_FILE, textwrap.dedent(text))])


@dataclass(frozen=True)
class Listing:
    """The account as the API lists it: only the operators matching the scope's filters."""

    records: Sequence[OperatorRecord]

    def list_operators(self, filters: Mapping[str, str | int] | None = None, *, full: bool = True) -> list[OperatorRecord]:
        filters = dict(filters or {})
        assert set(filters) <= {"group_id", "website_id"}, filters  # all a Scope asks for
        return [
            record for record in self.records
            if ("group_id" not in filters or record.fields.get("group_id") == filters["group_id"])
            and ("website_id" not in filters or filters["website_id"] in record.fields.get("website_list", []))
        ]


def live(wanted: Roster, items: Sequence[Mapping[str, Any]]) -> LiveAccount:
    """What the engine reads of an account holding `items`, for this roster's scope and ignore."""
    return read_live(Listing([parse_operator(item) for item in items]), wanted.scope, wanted.ignore)


def plan_for(text: str, items: Sequence[Mapping[str, Any]]) -> Plan:
    wanted = roster(text)
    return build_plan(wanted, live(wanted, items))


# The plan as a list of rows, in plan order, to compare with a case's expectation.

def create(email: str, /, **fields: Any) -> tuple[Any, ...]:
    """A create, with every field its POST sends (API names) besides the email."""
    return ("create", email, {"email": email, **fields})


def update(email: str, operator_id: int, changes: Mapping[str, tuple[Any, Any]], payload: Mapping[str, Any]) -> tuple[Any, ...]:
    """An update: each changed field as (before, after), and exactly what the PUT sends."""
    return ("update", email, operator_id, dict(changes), dict(payload))


def delete(email: str, operator_id: int) -> tuple[Any, ...]:
    return ("delete", email, operator_id)


def rows(plan: Plan) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for change in plan.changes:
        if isinstance(change, Create):
            out.append(("create", change.email, dict(change.fields)))
        elif isinstance(change, Update):
            out.append(update(change.email, change.id, {c.field: (c.before, c.after) for c in change.changes},
                              change.payload))
        else:
            assert isinstance(change, Delete)
            out.append(delete(change.email, change.id))
    return out
