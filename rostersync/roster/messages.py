"""Turn pydantic's validation errors into messages a roster author can act on."""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Iterator
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from rostersync.roster.model import (
    CallConfig,
    ChannelSettings,
    ChatSettings,
    OperatorEntry,
    OperatorFields,
    RosterDocument,
    Scope,
)
from rostersync.roster.positions import KeyPath

# The models of the mappings inside an operator's fields, by key.
_NESTED_MODELS: dict[str, type[BaseModel]] = {
    "chat": ChatSettings,
    "call": ChannelSettings,
    "video": ChannelSettings,
    "call_config": CallConfig,
}


def yaml_repr(value: Any) -> str:
    """A value as it would be written in YAML, for 'got ...' in messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)


def model_at(path: KeyPath) -> type[BaseModel] | None:
    """Which model describes the mapping at `path` in a roster document."""
    if not path:
        return RosterDocument
    head, rest = path[0], path[1:]
    if head == "scope" and not rest:
        return Scope
    if head == "operators" and len(rest) >= 1:
        return _within_operator(OperatorEntry, rest[1:])
    if head == "defaults":
        return _within_operator(OperatorFields, rest)
    if head == "profiles" and len(rest) >= 1:
        return _within_operator(OperatorFields, rest[1:])
    return None


def _within_operator(model: type[BaseModel], rest: KeyPath) -> type[BaseModel] | None:
    if not rest:
        return model
    if len(rest) == 1:
        return _NESTED_MODELS.get(str(rest[0]))
    return None


def did_you_mean(key: Hashable, path: KeyPath) -> str:
    model = model_at(path)
    if model is None or not isinstance(key, str):
        return ""
    close = difflib.get_close_matches(key, list(model.model_fields), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _type_message(expected: str, value: Any) -> str:
    hint = ""
    if expected == "a string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        hint = " (put it in quotes)"
    return f"must be {expected}, got {yaml_repr(value)}{hint}"


_TYPE_NAMES = {
    "int_type": "an integer",
    "int_from_float": "an integer",
    "int_parsing": "an integer",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a string",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def describe(error: ErrorDetails) -> str:
    """One pydantic error as our message (the path is shown separately)."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    loc = tuple(error["loc"])
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return f"unknown field{did_you_mean(loc[-1], loc[:-1])}"
    if kind == "literal_error":
        return f"must be {ctx.get('expected', 'one of the allowed values')}, got {yaml_repr(value)}"
    if kind in _TYPE_NAMES:
        return _type_message(_TYPE_NAMES[kind], value)
    if kind == "greater_than":
        return f"must be a positive integer, got {yaml_repr(value)}"
    if kind == "too_short":
        return "must not be empty"
    return str(error["msg"])  # our own checks (email, language, phone) word theirs already


def iter_errors(exc: ValidationError) -> Iterator[tuple[KeyPath, str]]:
    """(path, message) for each error, with the path as a key path into the YAML."""
    # For a missing key, pydantic's loc names the key itself: the path then says which
    # field is required, and its mark falls back to the mapping that lacks it.
    for error in exc.errors(include_url=False):
        yield tuple(error["loc"]), describe(error)
