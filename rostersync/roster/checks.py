"""The checks of a roster's values that the format's types cannot say: emails, language
codes, phone numbers, references, and the document-level rules.

The pydantic models (`rostersync.roster.model`) name these functions as their
validators, and the compiled schema (`rostersync.roster.compiled`) calls the same
functions without the models: so this module needs no pydantic, only pydantic-core.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from rostersync.roster.iso639 import ISO_639_1
from rostersync.roster.limits import CONTROL_CHARACTERS, MAX_EMAIL_CHARS, excerpt

__all__ = [
    "EMAIL_SCHEMA_PATTERN",
    "OLDER_SCOPE_SPELLINGS",
    "PHONE",
    "check_email",
    "check_language",
    "check_phone",
    "check_reference",
    "no_patterns",
    "no_profiles",
    "one_spelling_per_scope_key",
    "operators_may_be_empty",
    "profile_names",
]

# Deliberately simple: one @, no spaces or control characters, a dot inside the
# domain. The API's own validation is the final word; this catches typos before any
# request. Checked with string methods and a character class only, so that its cost
# is linear in the length (a regex with two unbounded runs around the dot was not).
# Invisible characters (zero-width space and joiners, word joiner, BOM, soft hyphen)
# would make two emails look the same to a reviewer: no email may hold one.
_INVISIBLE = "\u00ad\u200b-\u200f\u2060-\u2064\ufeff"
_EMAIL_FORBIDDEN = re.compile(rf"[@\s{CONTROL_CHARACTERS}{_INVISIBLE}]")
# The same rule for editors, as a JSON Schema (ECMA-262) pattern: editors run it on
# one value at a time, where backtracking costs nothing that matters.
_NOT_IN_EMAIL = r"[^@\s\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]"
EMAIL_SCHEMA_PATTERN: Final = rf"^{_NOT_IN_EMAIL}+@{_NOT_IN_EMAIL}+\.{_NOT_IN_EMAIL}+$"
# E.164: a +, a country code that does not start with 0, up to 15 digits in all.
PHONE: Final = re.compile(r"^\+[1-9][0-9]{6,14}$")

# A scope key's older spelling -> the key it stands for.
OLDER_SCOPE_SPELLINGS: Final = {"website_id": "website", "group_id": "group"}


def _invalid(kind: str, expected: str, value: str) -> PydanticCustomError:
    return PydanticCustomError(kind, f"must be {expected}, got {{got}}", {"got": excerpt(value)})


def check_email(value: str) -> str:
    if len(value) > MAX_EMAIL_CHARS:
        raise _invalid("email", f"an email address of at most {MAX_EMAIL_CHARS} characters", value)
    local, at, domain = value.partition("@")
    if not (local and at and "." in domain[1:-1]) or _EMAIL_FORBIDDEN.search(local) or _EMAIL_FORBIDDEN.search(domain):
        raise _invalid("email", "a valid email address", value)
    return value


def check_language(value: str) -> str:
    if value not in ISO_639_1:
        raise _invalid("language", "an ISO 639-1 language code such as 'en' or 'fr'", value)
    return value


# fullmatch, not match: Python's `$` also matches before a final line break, so
# match accepts "+33123456789\n"; JSON Schema's `$` (and the schema) does not.
def check_phone(value: str) -> str:
    if not PHONE.fullmatch(value):
        raise _invalid("phone", "a phone number with its international prefix, such as '+33123456789'", value)
    return value


def profile_names(value: Any) -> Any:
    # `profile: sales-fr` is shorthand for `profile: [sales-fr]`.
    return [value] if isinstance(value, str) else value


def check_reference(value: Any) -> int | str:
    """A skill, group or website: an id (an integer) or a name (a string)."""
    # One message for the two kinds a reference may be (a union would give one per kind).
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, str):
        got = "a blank name"
    elif isinstance(value, bool) or value is None:
        got = {True: "true", False: "false", None: "null"}[value]
    else:
        got = "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else str(value)
    raise PydanticCustomError("reference", "must be an id (an integer) or a name, got {got}", {"got": got})


# Default factories written in Python: pydantic inspects a factory's signature, and
# `inspect.signature(list)` parses a text signature with `tokenize`, whose regexes it
# then compiles (about 2 ms of every model build).
def no_patterns() -> list[str]:
    return []


def no_profiles() -> dict[str, Any]:
    return {}


def operators_may_be_empty(data: Any) -> Any:
    """`operators:` with nothing under it is YAML null: read it as an empty list, which
    the plan's safety check then guards."""
    if isinstance(data, dict) and "operators" in data and data["operators"] is None:
        return {**data, "operators": []}
    return data


def one_spelling_per_scope_key(data: Any, handler: Callable[[Any], Any]) -> Any:
    """A scope that gives both spellings of a key (``group`` and ``group_id``): the
    aliases would take one and call the other an unknown field, so say what is wrong
    instead, at the older key, beside the scope's other errors."""
    both = [old for old, key in OLDER_SCOPE_SPELLINGS.items() if isinstance(data, dict) and old in data
            and key in data]
    if not both:
        return handler(data)
    errors = [InitErrorDetails(type=PydanticCustomError(
        "both_spellings", "{old} is the older spelling of {key}, which this scope also gives: keep one of them",
        {"old": old, "key": OLDER_SCOPE_SPELLINGS[old]}), loc=(old,), input=data[old]) for old in both]
    try:
        handler({k: v for k, v in data.items() if k not in both})
    except ValidationError as exc:
        errors.extend(InitErrorDetails(type=PydanticCustomError(e["type"], e["msg"], e.get("ctx")),
                                       loc=tuple(e["loc"]), input=e["input"]) for e in exc.errors())
    raise ValidationError.from_exception_data("Scope", errors)
