"""REST operator fields <-> GraphQL users, following the shared file's §6 table.

The engine speaks REST field names (``chat_priority``, ``website_list``...), so this
backend reads each ``Professional`` into the same :class:`OperatorRecord` the REST
client returns, and turns a field set into ``UserCreateInput``/``UserUpdateInput``.
The routes (which field goes where) and the conversions are in
:data:`~rostersync.api.graphql.documents.FIELD_ROUTES`; this module only applies them.

Reading is lenient, as for REST: a value that cannot be read is left out of the
record and described in ``problems``. Writing is strict: a field or value the
GraphQL API cannot express (:data:`CAPABILITIES`, a :class:`~rostersync.capabilities.Capabilities`)
is refused before any request.
"""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from typing import Any

from rostersync.api.errors import RejectedError
from rostersync.api.graphql.documents import (
    FIELD_ROUTES,
    KEPT_AS_READ,
    PRIORITY_ON,
    RESPOND_FROM,
    ROLE_NAMES,
    FieldRoute,
)
from rostersync.api.records import OperatorRecord
from rostersync.api.values import to_bool, to_int, to_int_list, to_lower_str, to_str, to_str_list
from rostersync.capabilities import Capabilities

__all__ = ["CAPABILITIES", "Capabilities", "kept_as_read", "record_from_user", "to_create_input", "to_update_input"]

_RESPOND_FROM_BACK = {graphql: rest for rest, graphql in RESPOND_FROM.items()}
_BASE_ROLE_BACK = {base: rest for rest, base in ROLE_NAMES.items()}


CAPABILITIES = Capabilities(
    backend="GraphQL",
    fields=frozenset(route.rest for route in FIELD_ROUTES),  # no sso_key: no counterpart (§6)
    value_sets={"roles": frozenset(ROLE_NAMES)},  # no expert: not a base role (§4.1)
    max_items={"roles": 1},  # one roleId (§2.3)
    required_on_create=frozenset({"email", "name", "pseudo"}),  # lastName!, userName! (§2.3)
    # No documented listing of skills or groups (§4.3, §4.4); projects are listed but
    # carry no url, and that a project id is a website id is not stated (§4.2): names
    # are refused, and ids go unchecked.
    named_references=frozenset(),
)


# --- reading ---------------------------------------------------------------------

def _at(node: Any, path: Sequence[str]) -> Any:
    for part in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def _read(route: FieldRoute, raw: Any) -> Any:
    if route.kind == "str":
        return to_lower_str(raw) if route.rest == "language_admin" else to_str(raw)
    if route.kind == "bool":
        return to_bool(raw)
    if route.kind in ("int", "id"):
        return to_int(raw)
    if route.kind == "priority":
        return PRIORITY_ON if to_bool(raw) else 0
    if route.kind == "respond_from":
        if to_str(raw) not in _RESPOND_FROM_BACK:
            raise ValueError(f"unknown respondFrom {raw!r}")
        return _RESPOND_FROM_BACK[to_str(raw)]
    if route.kind == "str_list":
        return to_str_list(raw)
    if route.kind == "ids":
        return to_int_list([_at(item, ("id",)) for item in raw])
    if route.kind == "connection_ids":
        if _at(raw, ("pageInfo", "hasNextPage")):
            raise ValueError("more than 100 projects: not all were read")
        return to_int_list([_at(edge, ("node", "id")) for edge in raw.get("edges") or ()])
    raise ValueError(f"no reader for {route.kind}")  # "role" is read by _read_role


def record_from_user(node: Mapping[str, Any]) -> OperatorRecord:
    """A ``Professional`` (as selected by the documents) as the REST client's record."""
    operator_id = to_int(node.get("id"))
    fields: dict[str, Any] = {}
    problems: list[str] = []
    call_config: dict[str, Any] = {}
    for route in FIELD_ROUTES:
        raw = _at(node, route.read)
        try:
            if route.kind == "role":
                _read_role(raw, fields, problems)
                continue
            value = _read(route, raw) if raw is not None else ([] if route.kind.endswith("ids") else None)
        except (ValueError, TypeError) as exc:
            problems.append(f"{route.rest}{'.' + route.rest_key if route.rest_key else ''}: {exc}")
            continue
        if raw is None and route.group and _at(node, route.group) is None:
            continue  # the whole group is missing: the field is unknown, not empty
        if route.rest_key is not None:
            call_config[route.rest_key] = value
        else:
            fields[route.rest] = value
    if call_config:
        fields["call_config"] = call_config
    return OperatorRecord(operator_id, types.MappingProxyType(fields), tuple(problems))


def _read_role(raw: Any, fields: dict[str, Any], problems: list[str]) -> None:
    if raw is None:
        return
    base = _at(raw, ("baseRoleName",))
    if base not in _BASE_ROLE_BACK:
        problems.append(f"roles: role {_at(raw, ('name',))!r} has no base role rostersync knows")
        return
    fields["roles"] = [_BASE_ROLE_BACK[base]]
    name = str(_at(raw, ("name",)) or "")
    if name.upper() != base:
        problems.append(f"roles: custom role {name!r} (based on {base}) is read as {_BASE_ROLE_BACK[base]}; "
                        "a change of roles would set the base role instead")


# --- writing ---------------------------------------------------------------------

def _write(route: FieldRoute, value: Any, role_ids: Mapping[str, int]) -> Any:
    if value is None:
        return None
    if route.kind == "priority":
        return value == PRIORITY_ON
    if route.kind == "respond_from":
        return RESPOND_FROM[value]
    if route.kind == "role":
        return role_ids[ROLE_NAMES[value[0]]]
    if route.kind in ("ids", "connection_ids", "str_list"):
        return sorted(set(value))
    return value


def _value(route: FieldRoute, fields: Mapping[str, Any]) -> tuple[bool, Any]:
    """``(present, value)`` of the route's REST field (or call_config key) in ``fields``."""
    if route.rest not in fields:
        return False, None
    value = fields[route.rest]
    if route.rest_key is None:
        return True, value
    config = value or {}
    return (route.rest_key in config), config.get(route.rest_key)


def _build(fields: Mapping[str, Any], base: Mapping[str, Any], role_ids: Mapping[str, int],
           *, fill_defaults: bool) -> dict[str, Any]:
    """The input for ``fields``: each group touched is sent whole, from ``fields``, then
    ``base`` (the live record), then (on create) the defaults."""
    refused = CAPABILITIES.problems(fields)
    if refused:
        raise RejectedError("the GraphQL API cannot express: "
                            + "; ".join(f"{name}: {reason}" for name, reason in refused))
    touched = {route.group for route in FIELD_ROUTES if route.group and _value(route, fields)[0]}
    data: dict[str, Any] = {}
    for route in FIELD_ROUTES:
        present, value = _value(route, fields)
        if not present and route.group in touched:
            present, value = _value(route, base)
            if not present:
                present, value = fill_defaults or route.default is not None, route.default
        if present:
            node = data
            for part in route.write[:-1]:
                node = node.setdefault(part, {})
            node[route.write[-1]] = _write(route, value, role_ids)
    return data


def to_create_input(fields: Mapping[str, Any], role_ids: Mapping[str, int]) -> dict[str, Any]:
    """``UserCreateInput`` for a new operator; ``role_ids`` maps ``ADMIN``... to role ids."""
    missing = CAPABILITIES.problems({k: v for k, v in fields.items() if k in CAPABILITIES.fields}, creating=True)
    if missing:
        raise RejectedError("cannot create it with the GraphQL API: "
                            + "; ".join(f"{name}: {reason}" for name, reason in missing))
    with_defaults = {"roles": ["operator"], "website_list": [], **fields}  # REST's defaults on create
    return _build(with_defaults, {}, role_ids, fill_defaults=True)


def to_update_input(user_id: int, fields: Mapping[str, Any], live: Mapping[str, Any],
                    role_ids: Mapping[str, int], kept: Mapping[tuple[str, ...], Any] | None = None) -> dict[str, Any]:
    """``UserUpdateInput`` changing ``fields``; ``live`` fills the rest of each group sent,
    and ``kept`` (:func:`kept_as_read` of the live user) its fields rostersync does not manage.

    [A14]: fields left out stay as they are, and a list sent replaces the list.
    """
    data = _build(fields, live, role_ids, fill_defaults=True)
    for path, value in (kept or {}).items():
        group = _at(data, path[:-1])
        if isinstance(group, dict):  # only inside a group that is sent
            group[path[-1]] = value
    return {"userId": user_id, **data}


def kept_as_read(node: Mapping[str, Any]) -> dict[tuple[str, ...], Any]:
    """The values of :data:`KEPT_AS_READ` in a user as read, those the reply has."""
    kept: dict[tuple[str, ...], Any] = {}
    for path in KEPT_AS_READ:
        group = _at(node, path[:-1])
        if isinstance(group, Mapping) and path[-1] in group:
            kept[path] = group[path[-1]]
    return kept


def groups_touched(fields: Mapping[str, Any]) -> bool:
    """Whether an update of ``fields`` sends a group, and so needs the live record."""
    return any(route.group and _value(route, fields)[0] for route in FIELD_ROUTES)
