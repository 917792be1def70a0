"""The changes of a saved plan, read as strictly as a roster.

A saved plan travels between CI jobs: it is read as untrusted input even once its
integrity tag checks out. Each change must have exactly the keys rostersync writes,
of the types it writes; what a create sends and what an update sets must pass the
roster's own rules (the pydantic model of an operator entry, the call_config rule,
the scope and the ignore globs); a plan must not name one operator twice. Nothing
is sent that the plan does not show: an update carries no payload, only its field
changes, from which `rostersync.plan.changes.update_payload` derives the PUT.

`ContentError` carries a message naming the change (``changes[3] (ada@example.com)``)
and never a secret's value; `rostersync.plan.saved` turns it into a `PlanError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from rostersync.plan.changes import Change, Create, Delete, FieldChange, Update, update_payload
from rostersync.plan.engine import scope_mismatch
from rostersync.roster.fields import BY_API, CALL_CONFIG_KEYS, SENSITIVE_API_FIELDS, fields_to_roster, roster_to_fields
from rostersync.roster.loader import matches_ignore
from rostersync.roster.messages import Hints, iter_errors
from rostersync.roster.model import OperatorEntry
from rostersync.roster.scope import Scope

_SHOWN_MAX = 80  # characters of a value from the file quoted in a message
# Where a secret sits in a roster entry: its value is never quoted in a message.
_SECRET_KEYS = frozenset(BY_API[name].roster[0] for name in SENSITIVE_API_FIELDS)


class ContentError(ValueError):
    """The saved plan's content breaks a rule; the message says which and where."""


def quoted(value: Any) -> str:
    """A value from the file for a message: escaped (repr) and cut short."""
    text = repr(value)
    return text if len(text) <= _SHOWN_MAX else text[:_SHOWN_MAX] + "...'"


def expect_keys(data: Any, where: str, required: Sequence[str], optional: Sequence[str] = ()) -> dict[str, Any]:
    """`data` as an object holding every `required` key, perhaps `optional` ones, and no other."""
    if not isinstance(data, dict):
        raise ContentError(f"{where}: must be an object, got {type(data).__name__}")
    missing = [key for key in required if key not in data]
    if missing:
        raise ContentError(f"{where}: {', '.join(missing)} missing")
    unknown = sorted(str(key) for key in data if key not in required and key not in optional)
    if unknown:
        raise ContentError(f"{where}: unknown field {', '.join(quoted(key) for key in unknown)}")
    return data


def expect_int(value: Any, where: str, *, minimum: int = 0) -> int:
    # bool is an int to Python, 1.0 equals 1: neither is what rostersync writes.
    if type(value) is not int or value < minimum:
        raise ContentError(f"{where}: must be an integer >= {minimum}, got {quoted(value)}")
    return value


def expect_str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ContentError(f"{where}: must be a string, got {type(value).__name__}")
    return value


def change_to_dict(change: Change) -> dict[str, Any]:
    if isinstance(change, Create):
        return {"action": "create", "email": change.email, "fields": change.fields, "source": change.source}
    if isinstance(change, Update):
        return {"action": "update", "email": change.email, "id": change.id, "fingerprint": change.fingerprint,
                "source": change.source,
                "changes": [{"field": c.field, "before": c.before, "after": c.after} for c in change.changes]}
    return {"action": "delete", "email": change.email, "id": change.id, "fingerprint": change.fingerprint}


def change_from_dict(data: Any, where: str, scope: Scope, ignore: Sequence[str]) -> Change:
    """One change of the file, checked: `ContentError` for anything rostersync would not write."""
    action = data.get("action") if isinstance(data, dict) else None
    if isinstance(data, dict) and isinstance(data.get("email"), str):
        where = f"{where} ({quoted(data['email'])})"
    if action == "create":
        item = expect_keys(data, where, ("action", "email", "fields", "source"))
        email = expect_str(item["email"], f"{where}.email")
        fields = _valid_fields(item["fields"], where, email, scope, ignore)
        if scope_mismatch(scope, fields) is not None:
            raise ContentError(f"{where}: creates an operator outside the plan's scope "
                               f"({scope_mismatch(scope, fields)})")
        return Create(email, fields, expect_str(item["source"], f"{where}.source"))
    if action == "update":
        item = expect_keys(data, where, ("action", "email", "id", "fingerprint", "source", "changes"))
        email = expect_str(item["email"], f"{where}.email")
        changes = _field_changes(item["changes"], where)
        _valid_fields(update_payload(changes), where, email, scope, ignore, partial=True)
        return Update(email, expect_int(item["id"], f"{where}.id", minimum=1), changes,
                      expect_str(item["fingerprint"], f"{where}.fingerprint"),
                      expect_str(item["source"], f"{where}.source"))
    if action == "delete":
        item = expect_keys(data, where, ("action", "email", "id", "fingerprint"))
        return Delete(expect_str(item["email"], f"{where}.email"), expect_int(item["id"], f"{where}.id", minimum=1),
                      expect_str(item["fingerprint"], f"{where}.fingerprint"))
    raise ContentError(f"{where}: action must be create, update or delete, got {quoted(action)}")


def _field_changes(data: Any, where: str) -> tuple[FieldChange, ...]:
    if not isinstance(data, list) or not data:
        raise ContentError(f"{where}.changes: must be a non-empty list")
    changes: list[FieldChange] = []
    for n, raw in enumerate(data):
        item = expect_keys(raw, f"{where}.changes[{n}]", ("field", "before", "after"))
        name = expect_str(item["field"], f"{where}.changes[{n}].field")
        top, _, key = name.partition(".")
        if top not in BY_API or (top == "call_config") != bool(key) or (key and key not in CALL_CONFIG_KEYS):
            raise ContentError(f"{where}.changes[{n}]: {quoted(name)} is no field rostersync manages")
        if any(c.field == name for c in changes):
            raise ContentError(f"{where}.changes[{n}]: {name} is changed twice")
        changes.append(FieldChange(name, item["before"], item["after"]))
    return tuple(changes)


def _valid_fields(data: Any, where: str, email: str, scope: Scope, ignore: Sequence[str], *,
                  partial: bool = False) -> dict[str, Any]:
    """API fields that a roster entry could have produced, in the form the planner makes.

    The values are turned back into a roster entry and validated by the roster's
    model, as if a person had written them; the rules across an entry's fields (the
    call_config rule, the scope, ignore) follow. `partial`: an update's new values,
    so only the fields it sets are checked, and the email is the operator's.
    """
    if not isinstance(data, dict):
        raise ContentError(f"{where}.fields: must be an object, got {type(data).__name__}")
    unknown = [key for key in data if key not in BY_API]
    if unknown:
        raise ContentError(f"{where}: {', '.join(quoted(k) for k in unknown)}: no field rostersync manages")
    nulls = [key for key, value in data.items() if value is None
             or (key == "call_config" and isinstance(value, dict) and None in value.values())]
    if nulls:
        raise ContentError(f"{where}: {', '.join(nulls)} has no value; a roster cannot ask for that")
    if not partial and (not isinstance(data.get("email"), str) or data["email"] != email):
        raise ContentError(f"{where}: the email it creates differs from the email it shows")
    entry = fields_to_roster({"email": email, **data})
    try:
        OperatorEntry.model_validate(entry)
    except ValidationError as exc:
        problems = []
        for path, message in iter_errors(exc, Hints()):
            label = ".".join(str(part) for part in path)
            secret = bool(path) and str(path[0]) in _SECRET_KEYS
            problems.append(f"{label}: {'is not a valid secret' if secret else message}")
        raise ContentError(f"{where}: breaks the roster's rules: {'; '.join(problems)[:400]}") from None
    _check_entry_rules(data, where, email, scope, ignore, partial=partial)
    return roster_to_fields(entry)


def _check_entry_rules(fields: Mapping[str, Any], where: str, email: str, scope: Scope, ignore: Sequence[str], *,
                       partial: bool) -> None:
    """The roster loader's rules across an operator's fields, on API names."""
    call_config = fields.get("call_config")
    if not partial and isinstance(call_config, dict) and call_config.get("type") == "ANSWER_FROM_PHONE" and not (
            call_config.get("phone_number") or call_config.get("ask_phone_number_at_every_connection") is True):
        raise ContentError(f"{where}: call_config type ANSWER_FROM_PHONE needs a phone_number or "
                           "ask_phone_number_at_every_connection: true")
    websites = fields.get("website_list")
    if scope.website is not None and isinstance(websites, list) and scope.website not in websites:
        raise ContentError(f"{where}: websites must include the scope's website {scope.website}, or the "
                           "operator would leave the plan's scope")
    group = fields.get("group_id")
    if scope.group is not None and group is not None and group != scope.group:
        raise ContentError(f"{where}: group must be the scope's group {scope.group}, got {quoted(group)}; the "
                           "operator would leave the plan's scope")
    for address in (email, fields.get("email")):
        pattern = matches_ignore(address, ignore) if isinstance(address, str) else None
        if pattern is not None:
            raise ContentError(f"{where}: {quoted(address)} matches the ignore pattern {quoted(pattern)}: an ignored "
                               "operator cannot be managed")
