"""The roster's names for the iAdvize API fields, and moving operators between the two shapes.

Which API fields exist, how they travel and which are secret is the table in
:mod:`rostersync.api_fields`; this module adds only what the roster says about them:
where each sits in a roster operator (``chat_max_number`` is ``chat.max``) and what
kind of value the roster holds. Everything that moves an operator between the
roster's shape and the API's shape (the loader, the plan engine, `export`, the
renderers) reads `FIELDS`, derived here from that table.

A *field set* is a plain dict keyed by API field name (``chat_priority``,
``language_list``, ...) holding normalized values: sets as sorted, de-duplicated
lists, ``call_config`` as a dict. Both the wanted operators (from the roster) and
the live ones (from the API) are turned into field sets, and the plan compares them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from rostersync.api_fields import API_FIELDS, CALL_CONFIG_KEYS, SECRET_FIELDS, ApiField

__all__ = [
    "BY_API",
    "CALL_CONFIG_DEFAULTS",
    "CALL_CONFIG_KEYS",
    "FIELDS",
    "ROSTER_NAMES",
    "SENSITIVE_API_FIELDS",
    "SENSITIVE_MASK",
    "FieldSpec",
    "Kind",
    "display_value",
    "fields_to_roster",
    "normalize",
    "roster_to_fields",
]

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


#: Where an API field sits in a roster operator, when that is not under its API name.
ROSTER_NAMES: dict[str, tuple[str, ...]] = {
    "chat_enabled": ("chat", "enabled"),
    "chat_max_number": ("chat", "max"),
    "chat_priority": ("chat", "priority"),
    "call_enabled": ("call", "enabled"),
    "call_priority": ("call", "priority"),
    "video_enabled": ("video", "enabled"),
    "video_priority": ("video", "priority"),
    "language_list": ("languages",),
    "group_id": ("group",),
    "website_list": ("websites",),
    "skill_list": ("skills",),
}


def _kind(field: ApiField) -> Kind:
    """The kind of value the roster holds for an API field."""
    if field.shape == "nested":
        return "call_config"
    if field.shape == "list":
        return "int_set" if field.value == "int" else "str_set"
    if field.value in ("bool", "int", "email"):
        return field.value
    return "str"


#: Every field a roster manages, in the order people read them: the API's fields
#: but the deprecated ones (``role``: the roster has ``roles``).
FIELDS: tuple[FieldSpec, ...] = tuple(
    FieldSpec(field.name, ROSTER_NAMES.get(field.name, (field.name,)), _kind(field), field.secret)
    for field in API_FIELDS
    if not field.deprecated
)

BY_API: dict[str, FieldSpec] = {spec.api: spec for spec in FIELDS}
# The secrets are the API table's; the name stays for the roster's readers.
SENSITIVE_API_FIELDS: frozenset[str] = SECRET_FIELDS
SENSITIVE_MASK = "(sensitive)"

# call_config's keys (CALL_CONFIG_KEYS, from the API table) and what the API assumes
# for those not set.
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
        # An int_set of the roster may mix ids and names (resolved when planning):
        # ids first, then names, so that ids alone sort as they always have.
        return sorted(set(value), key=_id_then_name) if spec.kind == "int_set" else sorted(set(value))
    if spec.kind == "call_config":
        return {key: value[key] for key in CALL_CONFIG_KEYS if key in value}
    return value


def _id_then_name(item: Any) -> tuple[bool, Any]:
    return isinstance(item, str), item


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
