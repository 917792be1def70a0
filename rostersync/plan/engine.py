"""The plan engine: read the account, match it to the roster, diff only what is managed.

rostersync keeps no state file: the account is the state, the roster is the wish,
and the plan is the difference. The live operators are read in one listing
(``full=1``, ``limit=100``, the scope as API filters): never one GET per operator.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rostersync.plan.changes import Change, Create, Delete, FieldChange, Plan, Update
from rostersync.plan.errors import PlanError
from rostersync.plan.protocols import LiveRecord, OperatorLister
from rostersync.roster.fields import CALL_CONFIG_DEFAULTS, SENSITIVE_API_FIELDS
from rostersync.roster.gc_pause import gc_paused
from rostersync.roster.limits import printable
from rostersync.roster.loader import Roster, WantedOperator, matches_ignore
from rostersync.roster.scope import Scope


@dataclass(frozen=True)
class LiveAccount:
    """The live operators a roster owns: in its scope and not ignored."""

    operators: tuple[LiveRecord, ...]
    ignored: int = 0
    warnings: tuple[str, ...] = ()
    listed_ids: frozenset[int] = frozenset()  # every id of the listing, ignored ones too


def read_live(client: OperatorLister, scope: Scope, ignore: Sequence[str]) -> LiveAccount:
    """One listing of the operators in scope, with ignored ones taken out."""
    with gc_paused():  # thousands of records, no cycles
        records = client.list_operators(scope.as_api_filters(), full=True)
    owned: list[LiveRecord] = []
    ignored = 0
    warnings: list[str] = []
    for record in records:
        email = record.fields.get("email")
        for problem in record.problems:
            warnings.append(f"live operator #{record.id} ({email or 'no email'}): {problem}")
        if isinstance(email, str) and matches_ignore(email, ignore):
            ignored += 1
            continue
        owned.append(record)
    refuse_ambiguous(owned)
    return LiveAccount(tuple(owned), ignored, tuple(warnings), frozenset(record.id for record in records))


def refuse_ambiguous(records: Sequence[LiveRecord]) -> None:
    """Matching is by id and by email: a listing holding one of them twice cannot be
    planned from (which of the two would the roster mean, and which be deleted?)."""
    ids: set[int] = set()
    emails: dict[str, int] = {}
    for record in records:
        if record.id in ids:
            raise PlanError(f"live operator #{record.id} is listed twice: the listing cannot be trusted; plan again")
        ids.add(record.id)
        email = record.fields.get("email")
        if isinstance(email, str) and email.strip():
            other = emails.setdefault(email.strip().lower(), record.id)
            if other != record.id:
                raise PlanError(
                    f"live operators #{other} and #{record.id} have the same email {email!r} (compared "
                    "case-insensitively), so nothing tells which one the roster means: change or delete one "
                    "of them on the account, then plan again"
                )


def fingerprint(fields: Mapping[str, Any]) -> str:
    """A digest of a live operator's fields: a saved plan is stale when it changes."""
    text = json.dumps(fields, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def comparable(api_field: str, value: Any) -> Any:
    """The form in which a value is compared: emails ignore case, sets ignore order."""
    if value is None:
        return None
    if api_field == "email" and isinstance(value, str):
        return value.lower()
    if isinstance(value, list):
        return sorted(set(value), key=repr)
    return value


def _compared(name: str, want: Any, live: Mapping[str, Any]) -> tuple[Any, Any]:
    """One managed field as (wanted, live), in the form in which the two are compared.

    A secret the API does not return at all cannot be compared; it is treated as
    matching (write-only) rather than rewritten on every apply. call_config compares
    only the keys the roster manages, a key the API leaves out taking its default.
    """
    if name in SENSITIVE_API_FIELDS and name not in live:
        return want, want
    have = live.get(name)
    if name == "call_config":
        have_all = {**CALL_CONFIG_DEFAULTS, **(have or {})}
        return want, {key: have_all.get(key) for key in want}
    if name == "email" or isinstance(want, list) or isinstance(have, list):
        return comparable(name, want), comparable(name, have)
    return want, have  # comparable() leaves other values as they are


def diff_fields(wanted: Mapping[str, Any], live: Mapping[str, Any]) -> list[FieldChange]:
    """Every managed field whose live value differs from the wanted one.

    One pass of the comparison rules (`_compared`) over the managed fields: the cost is
    that of comparing them, whether the operator changed or not. call_config is
    compared key by key, and each key the roster manages that differs is a change of
    its own (``call_config.KEY``), since the API merges call_config key by key.
    """
    changes: list[FieldChange] = []
    for name, value in wanted.items():
        want, have = _compared(name, value, live)
        if want is have or want == have:
            continue
        if name == "call_config":
            changes.extend(FieldChange(f"call_config.{key}", have.get(key), wanted_value)
                           for key, wanted_value in want.items() if wanted_value != have.get(key))
        else:
            changes.append(FieldChange(name, live.get(name), value))
    return sorted(changes, key=lambda c: c.field)


@dataclass
class _Matcher:
    """Pairs wanted operators with live ones: external_id first, then email."""

    live: Sequence[LiveRecord]
    by_external: dict[str, LiveRecord] = field(default_factory=dict)
    by_email: dict[str, LiveRecord] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for record in self.live:
            external = record.fields.get("external_id")
            if isinstance(external, str) and external:
                self.by_external.setdefault(external, record)
            email = record.fields.get("email")
            if isinstance(email, str):
                self.by_email.setdefault(email.lower(), record)

    def find(self, wanted: WantedOperator) -> LiveRecord | None:
        if wanted.external_id and wanted.external_id in self.by_external:
            return self.by_external[wanted.external_id]
        return self.by_email.get(wanted.key)


def scope_fields(scope: Scope, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A create must land inside the scope, or the next plan would create it again."""
    extra: dict[str, Any] = {}
    if scope.website is not None and "website_list" not in fields:
        extra["website_list"] = [scope.website]
    if scope.group is not None and "group_id" not in fields:
        extra["group_id"] = scope.group
    return {**fields, **extra}


def scope_mismatch(scope: Scope, fields: Mapping[str, Any]) -> str | None:
    """Why an operator with these fields is outside `scope`, or None when it is inside."""
    if scope.group is not None and fields.get("group_id") != scope.group:
        return f"its group is {fields.get('group_id')}, not the scope's {scope.group}"
    websites = fields.get("website_list")
    if scope.website is not None and not (isinstance(websites, list) and scope.website in websites):
        return f"its websites {websites} do not include the scope's {scope.website}"
    return None


def build_plan(roster: Roster, live: LiveAccount) -> Plan:
    """The changes that make the live account match the roster."""
    matcher = _Matcher(live.operators)
    creates: list[Change] = []
    updates: list[Change] = []
    claimed: dict[int, WantedOperator] = {}
    unchanged = 0
    for wanted in roster.operators:
        record = matcher.find(wanted)
        source = f"{wanted.mark.file}:{wanted.mark.line}"
        if record is None:
            creates.append(Create(wanted.email, scope_fields(roster.scope, wanted.fields), source))
            continue
        if record.id in claimed:
            other = claimed[record.id]
            raise PlanError(
                f"{wanted.email} ({source}) and {other.email} ({other.mark.file}:{other.mark.line}) "
                f"both match live operator #{record.id}: one by external_id, the other by email. "
                "Give each operator its own external_id, or fix the emails."
            )
        claimed[record.id] = wanted
        changes = diff_fields(wanted.fields, record.fields)
        if changes:
            updates.append(Update(wanted.email, record.id, tuple(changes), fingerprint(record.fields), source))
        else:
            unchanged += 1
    deletes: list[Change] = []
    warnings = list(live.warnings)
    for record in live.operators:
        if record.id in claimed:
            continue
        email = record.fields.get("email")
        if not isinstance(email, str):
            warnings.append(f"live operator #{record.id} has no readable email; it is left untouched")
            continue
        deletes.append(Delete(email, record.id, fingerprint(record.fields), *who(record.fields)))
    warnings.extend(email_ring_warnings(updates, live.operators))
    if not live.operators and len(roster.operators) > 1:
        warnings.append(
            f"The account returned no operators in scope, so all {len(roster.operators)} operators of the roster "
            "would be created. If this account is not new, check the API key, the base URL and the scope."
        )
    ordered = sorted(creates, key=_by_email) + sorted(updates, key=_by_email) + sorted(deletes, key=_by_email)
    return Plan(tuple(ordered), unchanged, len(live.operators), tuple(warnings), roster.scope, live.listed_ids)


_RING_SHOWN = 5  # operators of a ring of emails a warning names


def email_ring_warnings(updates: Sequence[Change], live: Sequence[LiveRecord]) -> list[str]:
    """A warning for each ring of operators that take each other's emails (`email_rings`)."""
    return [warning for _, warning in email_rings(updates, live)]


def email_rings(updates: Sequence[Change], live: Sequence[LiveRecord]) -> list[tuple[frozenset[int], str]]:
    """Each ring of operators that take each other's emails (a and b swapping theirs,
    say): its members' live ids, and a warning naming them. iAdvize refuses an email
    another operator has: each update of the ring waits for the next, so none can be
    made, and applying again would not help. (A chain that ends at a free email needs
    no warning: apply orders its updates, the one freeing an email first;
    `rostersync.plan.apply._phases`.)"""
    holder = {email.lower(): record.id for record in live
              if isinstance(email := record.fields.get("email"), str)}
    moves = {change.id: move for change in updates  # live id -> (email now, email wanted)
             if isinstance(change, Update) and (move := change.email_move) is not None}
    # Each moving operator waits for at most one other: the one holding its new email.
    waits_for = {op: holder[new.lower()] for op, (_, new) in moves.items()
                 if holder.get(new.lower(), op) != op and holder[new.lower()] in moves}
    warnings: list[tuple[frozenset[int], str]] = []
    done: set[int] = set()
    for start in sorted(waits_for):
        # operator -> its place on the path: a dict, as `in` on a list made a ring's walk quadratic
        path: dict[int, int] = {}
        op: int | None = start
        while op is not None and op not in done and op not in path:
            path[op] = len(path)
            op = waits_for.get(op)
        done.update(path)
        if op is not None and op in path:
            ring = list(path)[path[op]:]
            links = ", ".join(f"#{member} {printable(moves[member][0])} -> {printable(moves[member][1])}"
                              for member in ring[:_RING_SHOWN])
            links += f" and {len(ring) - _RING_SHOWN:,} more" if len(ring) > _RING_SHOWN else ""
            warnings.append((frozenset(ring),
                f"{len(ring)} operators take each other's emails ({links}): iAdvize refuses an email another "
                "operator has, so none of these updates can be made, and applying again will not help. Give one "
                "of them a temporary email first, apply, then its final one."))
    return warnings


def who(fields: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    """A live operator's full name and roles, as a reviewer of a delete wants to see them."""
    names = (fields.get("first_name"), fields.get("name"))
    name = " ".join(part.strip() for part in names if isinstance(part, str) and part.strip())
    roles = fields.get("roles")
    if not isinstance(roles, list):
        roles = [fields["role"]] if isinstance(fields.get("role"), str) else []
    return name, tuple(str(role) for role in roles)


def _by_email(change: Change) -> str:
    return change.email.lower()
