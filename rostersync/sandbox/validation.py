"""The operator fields: defaults, validation and normalisation, as the docs describe them.

Input comes either from a parsed form (every leaf a string: ``"1"``, ``"10"``,
``["101", "102"]``) or from Python code seeding the store (``True``, ``10``,
``[101, 102]``); both are accepted and normalised to the same stored value.

Choices where the documentation is silent (see also the package docstring):
- Unknown fields are ignored, like a lenient PHP server; ``id`` is server-assigned.
- Every invalid field is reported in one message, fields in documentation order.
- The deprecated ``role`` sets ``roles=[role]`` unless ``roles`` is sent too.
- Emails are stored lower-cased and id lists sorted, de-duplicated: the API doc says
  a client must expect another case and its own order back.
- A blank value clears: lists become ``[]``, ``group_id`` and ``call_config[phone_number]``
  become ``null``, a blank ``call_config`` resets it; strings are stored as sent.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "CALL_TYPES",
    "FIELD_ORDER",
    "ISO_639_1",
    "LANGUAGE_ADMIN",
    "ROLES",
    "InvalidFields",
    "default_fields",
    "display_role",
    "merge_fields",
]

ROLES: tuple[str, ...] = ("expert", "operator", "manager", "admin")
LEGACY_ROLES: tuple[str, ...] = ("operator", "manager", "admin")
LANGUAGE_ADMIN: tuple[str, ...] = ("de", "en", "es", "fr")
CALL_TYPES: tuple[str, ...] = ("ANSWER_FROM_PHONE", "ANSWER_FROM_DESK")
PRIORITIES: tuple[int, ...] = (0, 10)
DEFAULT_CHAT_MAX_NUMBER = 3

# The 183 two-letter codes of ISO 639-1.
ISO_639_1: frozenset[str] = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs
    cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha
    he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn
    ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb
    nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd
    se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw
    ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split()  # noqa: SIM905 - reads best
)

# The order fields are validated, reported and returned in: the documentation's.
FIELD_ORDER: tuple[str, ...] = (
    "id", "name", "first_name", "pseudo", "email", "external_id", "role", "roles",
    "chat_enabled", "call_enabled", "video_enabled", "chat_max_number", "chat_and_call",
    "chat_to_video", "chat_priority", "call_priority", "video_priority", "language_list",
    "language_admin", "group_id", "website_list", "skill_list", "sso_key", "call_config",
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
_PHONE = re.compile(r"^\+[0-9]{6,15}$")
_INTEGER = re.compile(r"^-?[0-9]+$")


class InvalidFields(ValueError):
    """One or more fields were rejected; ``str()`` is the message for the client."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


class _Reject(ValueError):
    """Raised by a field parser; carries the reason, the caller adds the field name."""


def default_call_config() -> dict[str, Any]:
    return {"type": "ANSWER_FROM_DESK", "ask_phone_number_at_every_connection": False,
            "phone_number": None}


def default_fields() -> dict[str, Any]:
    """The stored fields of an operator created with nothing but an email."""
    return {
        "name": None, "first_name": None, "pseudo": None, "email": None,
        "external_id": None, "roles": ["operator"], "chat_enabled": False,
        "call_enabled": False, "video_enabled": False,
        "chat_max_number": DEFAULT_CHAT_MAX_NUMBER, "chat_and_call": False,
        "chat_to_video": False, "chat_priority": 0, "call_priority": 0, "video_priority": 0,
        "language_list": [], "language_admin": "en", "group_id": None, "website_list": [],
        "skill_list": [], "sso_key": None, "call_config": default_call_config(),
    }


# ---------------------------------------------------------------- scalar parsers

def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("1", "true"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("0", "false"):
        return False
    raise _Reject("must be 1 or 0")


def parse_int(value: Any) -> int:
    if isinstance(value, bool):  # True is an int to Python, not to a form
        raise _Reject("must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INTEGER.match(value.strip()):
        return int(value.strip())
    raise _Reject("must be an integer")


def _positive_int(value: Any) -> int:
    number = parse_int(value)
    if number < 1:
        raise _Reject("must be a positive integer")
    return number


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise _Reject("must be a string")
    return value


def _optional_string(value: Any) -> str | None:
    return None if value is None else _string(value)


def _email(value: Any) -> str:
    text = _string(value)
    if len(text) > 254 or not _EMAIL.match(text):
        raise _Reject("must be a valid email address")
    return text.lower()


def _priority(value: Any) -> int:
    try:
        number = parse_int(value)
    except _Reject:
        raise _Reject("must be 0 or 10") from None
    if number not in PRIORITIES:
        raise _Reject("must be 0 or 10")
    return number


def _language_admin(value: Any) -> str:
    if value not in LANGUAGE_ADMIN:
        raise _Reject("must be one of de, en, es, fr")
    return str(value)


def _legacy_role(value: Any) -> str:
    if value not in LEGACY_ROLES:
        raise _Reject("must be one of operator, manager, admin")
    return str(value)


def _group_id(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return _positive_int(value)


# ---------------------------------------------------------------- list parsers

def _as_list(value: Any) -> list[Any]:
    """Lists arrive as lists; a blank value (``field=``) means the empty list."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    raise _Reject("must be a list (field[0]=...&field[1]=...), or blank to clear it")


def _id_list(value: Any) -> list[int]:
    items = _as_list(value)
    try:
        return sorted({_positive_int(item) for item in items})
    except _Reject:
        raise _Reject("must be a list of positive integers") from None


def _roles(value: Any) -> list[str]:
    items = _as_list(value)
    if not items:
        raise _Reject("must hold at least one role")
    unknown = [item for item in items if item not in ROLES]
    if unknown:
        raise _Reject(f"unknown role {unknown[0]!r}: each must be one of {', '.join(ROLES)}")
    return [role for role in ROLES if role in items]


def _languages(value: Any) -> list[str]:
    result: list[str] = []
    for item in _as_list(value):
        if not isinstance(item, str) or item not in ISO_639_1:
            raise _Reject(f"{item!r} is not a lower-case ISO 639-1 code such as en or fr")
        if item not in result:
            result.append(item)
    return result


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "name": _optional_string, "first_name": _optional_string, "pseudo": _optional_string,
    "email": _email, "external_id": _optional_string, "role": _legacy_role, "roles": _roles,
    "chat_enabled": parse_bool, "call_enabled": parse_bool, "video_enabled": parse_bool,
    "chat_max_number": _positive_int, "chat_and_call": parse_bool, "chat_to_video": parse_bool,
    "chat_priority": _priority, "call_priority": _priority, "video_priority": _priority,
    "language_list": _languages, "language_admin": _language_admin, "group_id": _group_id,
    "website_list": _id_list, "skill_list": _id_list, "sso_key": _optional_string,
}


# ---------------------------------------------------------------- call_config

def _merge_call_config(current: Mapping[str, Any], sent: Any,
                       problems: list[str]) -> dict[str, Any]:
    """Merge the sent ``call_config[...]`` keys into the current one, then check it."""
    if sent is None or sent == "":
        return default_call_config()
    if not isinstance(sent, Mapping):
        problems.append("Invalid value for 'call_config': must be an object "
                        "(call_config[type]=...), or blank to reset it.")
        return dict(current)
    merged = dict(current)
    sub_parsers: dict[str, Callable[[Any], Any]] = {
        "type": _call_type, "ask_phone_number_at_every_connection": parse_bool,
        "phone_number": _phone_number,
    }
    for key, parser in sub_parsers.items():
        if key in sent:
            try:
                merged[key] = parser(sent[key])
            except _Reject as exc:
                problems.append(f"Invalid value for 'call_config[{key}]': {exc}.")
    if (merged["type"] == "ANSWER_FROM_PHONE" and not merged["phone_number"]
            and not merged["ask_phone_number_at_every_connection"]):
        problems.append("Invalid value for 'call_config': ANSWER_FROM_PHONE needs a "
                        "phone_number or ask_phone_number_at_every_connection=1.")
    return merged


def _call_type(value: Any) -> str:
    if value not in CALL_TYPES:
        raise _Reject("must be ANSWER_FROM_PHONE or ANSWER_FROM_DESK")
    return str(value)


def _phone_number(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _PHONE.match(value):
        raise _Reject("must be an international number: '+' then 6 to 15 digits, "
                      "e.g. +33123456789")
    return value


# ---------------------------------------------------------------- entry point

def merge_fields(current: Mapping[str, Any], sent: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``current`` updated with the ``sent`` fields, or raise ``InvalidFields``.

    ``current`` is a complete stored operator (``default_fields()`` for a creation).
    Only fields present in ``sent`` change; ``call_config`` keys merge. Unknown
    fields are ignored. Nothing is checked against other operators here (email
    uniqueness is the store's job).
    """
    merged = copy.deepcopy(dict(current))
    problems: list[str] = []
    for field in FIELD_ORDER:
        if field not in sent or field == "id":
            continue
        if field == "call_config":
            merged["call_config"] = _merge_call_config(merged["call_config"], sent[field], problems)
            continue
        try:
            merged[field] = _PARSERS[field](sent[field])
        except _Reject as exc:
            problems.append(f"Invalid value for {field!r}: {exc}.")
    legacy_role = merged.pop("role", None)
    if legacy_role is not None and "roles" not in sent:
        merged["roles"] = [legacy_role]
    if not merged.get("email") and "email" not in sent:
        problems.append("Missing value for 'email': an operator needs a valid email address.")
    if problems:
        raise InvalidFields(problems)
    return merged


def display_role(roles: list[str]) -> str:
    """The deprecated ``role`` shown on read: the most privileged of ``roles``.

    ``expert`` is shown only for an expert-only operator: the docs list no such
    ``role`` value, but calling an expert an ``operator`` would misreport them.
    """
    for role in ("admin", "manager", "operator", "expert"):
        if role in roles:
            return role
    return "operator"
