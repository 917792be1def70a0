"""Which operators of the account a supervisor's command acts on: email globs and/or a roster.

``live set``, ``live logout``, ``stats`` and ``status --watch`` choose operators the
same way, from one listing of the account (``GET /operator``, ``full=1``):

- with a roster, its operators in its scope: a live operator in the roster's scope
  whose email (compared without case) or external id is the roster's;
- with ``--only GLOB`` (repeatable), the operators whose email matches any glob
  (``fnmatch``, without case), among the roster's when a roster is given too;
- with neither, every operator of the account.

What chose nobody is reported, not an error here: the globs that matched no
operator, and the roster's operators with no live operator in its scope (not applied
yet?). The caller decides what an empty choice means.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from rostersync.roster.loader import Roster
from rostersync.roster.scope import Scope

__all__ = ["ChosenOperator", "OperatorLister", "Selection", "select_operators"]


class OperatorLister(Protocol):
    def list_operators(self, filters: Mapping[str, str | int] | None = None, *, full: bool = True) -> Sequence[Any]: ...


@dataclass(frozen=True)
class ChosenOperator:
    """An operator of the account, as commands name it."""

    id: int
    email: str  # as the API returned it; "" when it has none
    group_id: int | None = None  # the operator's group, as the API returned it

    @property
    def label(self) -> str:
        return self.email or f"#{self.id}"


@dataclass(frozen=True)
class Selection:
    operators: tuple[ChosenOperator, ...]  # sorted by email, without case
    scope: Scope = field(default_factory=Scope)  # the roster's, or none
    unmatched_globs: tuple[str, ...] = ()  # --only globs that matched no operator
    not_on_account: tuple[str, ...] = ()  # roster emails with no live operator in its scope

    @property
    def ids(self) -> frozenset[int]:
        return frozenset(operator.id for operator in self.operators)


def select_operators(client: OperatorLister, *, roster: Roster | None = None,
                     only: Sequence[str] = ()) -> Selection:
    """The operators chosen by ``roster`` and/or the ``only`` globs (see the module doc)."""
    scope = roster.scope if roster is not None else Scope()
    records = client.list_operators(scope.as_api_filters(), full=True)
    candidates = [(record, _email_of(record)) for record in records]
    not_on_account: tuple[str, ...] = ()
    if roster is not None:
        emails = {operator.key for operator in roster.operators}
        external_ids = {operator.external_id for operator in roster.operators if operator.external_id}
        candidates = [(record, email) for record, email in candidates
                      if email.lower() in emails or _external_id_of(record) in external_ids]
        found_emails = {email.lower() for _, email in candidates}
        found_external_ids = {_external_id_of(record) for record, _ in candidates} - {None}
        not_on_account = tuple(sorted(
            operator.email for operator in roster.operators
            if operator.key not in found_emails and operator.external_id not in found_external_ids))
    unmatched: tuple[str, ...] = ()
    if only:
        matched = {glob: [(record, email) for record, email in candidates if _matches(email, glob)] for glob in only}
        unmatched = tuple(glob for glob, found in matched.items() if not found)
        chosen_ids = {record.id for found in matched.values() for record, _ in found}
        candidates = [(record, email) for record, email in candidates if record.id in chosen_ids]
    operators = sorted((ChosenOperator(record.id, email, _group_of(record)) for record, email in candidates),
                       key=lambda operator: (operator.email.lower(), operator.id))
    return Selection(tuple(operators), scope, unmatched, not_on_account)


def _email_of(record: Any) -> str:
    email = record.fields.get("email")
    return email.strip() if isinstance(email, str) else ""


def _group_of(record: Any) -> int | None:
    value = record.fields.get("group_id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _external_id_of(record: Any) -> str | None:
    value = record.fields.get("external_id")
    return value if isinstance(value, str) and value else None


def _matches(email: str, glob: str) -> bool:
    return bool(email) and fnmatch.fnmatchcase(email.lower(), glob.lower())
