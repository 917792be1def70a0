"""The one table that maps roster fields to iAdvize API fields.

Everything that moves an operator between the roster's shape and the API's shape
(the loader, the plan engine, `export`, the renderers) reads this table, so a field
is added in exactly one place.

A *field set* is a plain dict keyed by API field name (``chat_priority``,
``language_list``, ...) holding normalized values: sets as sorted, de-duplicated
lists, ``call_config`` as a dict. Both the wanted operators (from the roster) and
the live ones (from the API) are turned into field sets, and the plan compares them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["str", "email", "bool", "int", "str_set", "int_set", "call_config"]


@dataclass(frozen=True)
class FieldSpec:
    api: str  # the API's field name
    roster: tuple[str, ...]  # where it sits in a roster operator, e.g. ("chat", "max")
    kind: Kind
    sensitive: bool = False  # never shown: plans and logs print "(sensitive)"

    @property
    def label(self) -> str:
        """The roster's dotted name, which is what people see in a plan."""
        return ".".join(self.roster)


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("email", ("email",), "email"),
    FieldSpec("external_id", ("external_id",), "str"),
    FieldSpec("first_name", ("first_name",), "str"),
    FieldSpec("name", ("name",), "str"),
    FieldSpec("pseudo", ("pseudo",), "str"),
    FieldSpec("roles", ("roles",), "str_set"),
    FieldSpec("chat_enabled", ("chat", "enabled"), "bool"),
    FieldSpec("chat_max_number", ("chat", "max"), "int"),
    FieldSpec("chat_priority", ("chat", "priority"), "int"),
    FieldSpec("call_enabled", ("call", "enabled"), "bool"),
    FieldSpec("call_priority", ("call", "priority"), "int"),
    FieldSpec("video_enabled", ("video", "enabled"), "bool"),
    FieldSpec("video_priority", ("video", "priority"), "int"),
    FieldSpec("chat_and_call", ("chat_and_call",), "bool"),
    FieldSpec("chat_to_video", ("chat_to_video",), "bool"),
    FieldSpec("language_list", ("languages",), "str_set"),
    FieldSpec("language_admin", ("language_admin",), "str"),
    FieldSpec("group_id", ("group",), "int"),
    FieldSpec("website_list", ("websites",), "int_set"),
    FieldSpec("skill_list", ("skills",), "int_set"),
    FieldSpec("sso_key", ("sso_key",), "str", sensitive=True),
    FieldSpec("call_config", ("call_config",), "call_config"),
)

BY_API: dict[str, FieldSpec] = {spec.api: spec for spec in FIELDS}
SENSITIVE_API_FIELDS: frozenset[str] = frozenset(s.api for s in FIELDS if s.sensitive)
SENSITIVE_MASK = "(sensitive)"

# call_config's keys, in the order people write them.
CALL_CONFIG_KEYS = ("type", "phone_number", "ask_phone_number_at_every_connection")
CALL_CONFIG_DEFAULTS: dict[str, Any] = {
    "type": "ANSWER_FROM_DESK",
    "phone_number": None,
    "ask_phone_number_at_every_connection": False,
}


def normalize(spec: FieldSpec, value: Any) -> Any:
    """The comparable form of a value: sets sorted and de-duplicated."""
    if value is None:
        return None
    if spec.kind in ("str_set", "int_set"):
        return sorted(set(value))
    if spec.kind == "call_config":
        return {key: value[key] for key in CALL_CONFIG_KEYS if key in value}
    return value


def roster_to_fields(operator: Mapping[str, Any]) -> dict[str, Any]:
    """Flatten a merged roster operator (roster names, nested channels) into a field set.

    Only the fields present in ``operator`` appear in the result: an absent field
    is not managed.
    """
    fields: dict[str, Any] = {}
    for spec in FIELDS:
        node: Any = operator
        for part in spec.roster:
            if not isinstance(node, Mapping) or part not in node:
                break
            node = node[part]
        else:
            fields[spec.api] = normalize(spec, node)
    return fields


def fields_to_roster(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of `roster_to_fields`: a field set back into the roster's shape."""
    operator: dict[str, Any] = {}
    for spec in FIELDS:
        if spec.api not in fields or fields[spec.api] is None:
            continue
        node = operator
        for part in spec.roster[:-1]:
            node = node.setdefault(part, {})
        node[spec.roster[-1]] = fields[spec.api]
    return operator


def display_value(api_field: str, value: Any) -> Any:
    """The value as it may be shown to a person: secrets masked."""
    if api_field in SENSITIVE_API_FIELDS and value is not None:
        return SENSITIVE_MASK
    return value
