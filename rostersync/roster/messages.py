"""Turn pydantic's validation errors into messages a roster author can act on."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any

from pydantic_core import ErrorDetails, ValidationError

from rostersync.roster.compiled import FIELDS as MODEL_FIELDS
from rostersync.roster.fields import FIELDS
from rostersync.roster.limits import EXCERPT_CHARS, excerpt
from rostersync.roster.positions import KeyPath

# The models (rostersync.roster.model) of the mappings inside an operator's fields, by key.
_NESTED_MODELS: dict[str, str] = {
    "chat": "ChatSettings",
    "call": "ChannelSettings",
    "video": "ChannelSettings",
    "call_config": "CallConfig",
}


# The roster keys of the secret fields: their values are never shown, whatever is wrong.
SECRET_KEYS = frozenset(spec.roster[-1] for spec in FIELDS if spec.sensitive)


def yaml_repr(value: Any) -> str:
    """A value as it would be written in YAML, for 'got ...' in messages: a string or a
    number as a short excerpt (`limits.excerpt`), a collection by its kind only."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return excerpt(value)
    if isinstance(value, (dict, list, bytes)):
        return yaml_kind(value)
    text = str(value)  # a number or a date
    return text if len(text) <= EXCERPT_CHARS else f"{text[:EXCERPT_CHARS]}… ({len(text):,} characters)"


def yaml_kind(value: Any) -> str:
    """What kind of YAML value `value` is, without showing it: 'a string', 'a list' ..."""
    kinds = ((bool, "true or false"), (str, "a string"), (int, "an integer"), (float, "a number"),
             (dict, "a mapping"), (list, "a list"), (bytes, "binary data"))
    if value is None:
        return "null"
    return next((name for kind, name in kinds if isinstance(value, kind)), "a date")


def is_secret(path: KeyPath) -> bool:
    """Whether the value at `path` is a secret field's (or inside one)."""
    return any(isinstance(part, str) and part in SECRET_KEYS for part in path)


def model_at(path: KeyPath) -> str | None:
    """Which model (by name) describes the mapping at `path` in a roster document."""
    if not path:
        return "RosterDocument"
    head, rest = path[0], path[1:]
    if head == "scope" and not rest:
        return "ScopeFields"
    if head == "operators" and len(rest) >= 1:
        return _within_operator("OperatorEntry", rest[1:])
    if head == "defaults":
        return _within_operator("OperatorFields", rest)
    if head == "profiles" and len(rest) >= 1:
        return _within_operator("OperatorFields", rest[1:])
    return None


def _within_operator(model: str, rest: KeyPath) -> str | None:
    if not rest:
        return model
    if len(rest) == 1:
        return _NESTED_MODELS.get(str(rest[0]))
    return None


class Hints:
    """The "did you mean" suggestions of one load, bounded: each compares a name with
    every candidate (difflib, quadratic in their lengths), and a roster may misspell
    a million names against a thousand profiles. The first MAX_HINTS get one."""

    MAX_HINTS = 50
    MAX_NAME_CHARS = 64  # names and candidates longer than this get no suggestion
    MAX_CANDIDATES = 1_000

    def __init__(self) -> None:
        self.left = self.MAX_HINTS

    def did_you_mean(self, name: Hashable, candidates: Iterable[str]) -> str:
        """The hint for `name`: " (did you mean 'x'?)", or ""."""
        if not isinstance(name, str) or len(name) > self.MAX_NAME_CHARS or self.left <= 0:
            return ""
        self.left -= 1
        import difflib  # here: only a roster with a misspelt name needs it

        short = [c for c in itertools.islice(candidates, self.MAX_CANDIDATES) if len(c) <= self.MAX_NAME_CHARS]
        close = difflib.get_close_matches(name, short, n=1, cutoff=0.6)
        return f" (did you mean {excerpt(close[0])}?)" if close else ""


def did_you_mean(key: Hashable, path: KeyPath, hints: Hints) -> str:
    model = model_at(path)
    return "" if model is None else hints.did_you_mean(key, MODEL_FIELDS[model])


def _type_message(expected: str, value: Any, secret: bool, shown: str) -> str:
    hint = ""
    if expected == "a string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        hint = " (put it in quotes)"  # (only a tagged scalar, such as !!int 42, is a number there)
    elif expected == "true or false" and isinstance(value, str):
        hint = ": write true or false, without quotes"  # (yes, on, 1 ... are text in a roster)
    return f"must be {expected}, got {shown}{hint}"


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


def describe(error: ErrorDetails, hints: Hints, written: Callable[[KeyPath], str | None] = lambda _: None) -> str:
    """One pydantic error as our message (the path is shown separately). `written`
    gives the text of a number written otherwise than it reads (``010``), which the
    message quotes."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    loc = tuple(error["loc"])
    secret = is_secret(loc)
    shown = yaml_kind(value) if secret else yaml_repr(value)
    if not secret and isinstance(value, int) and not isinstance(value, bool):
        shown = written(loc) or shown
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return f"unknown field{did_you_mean(loc[-1], loc[:-1], hints)}"
    if kind == "literal_error":
        return f"must be {ctx.get('expected', 'one of the allowed values')}, got {shown}"
    if kind in _TYPE_NAMES:
        return _type_message(_TYPE_NAMES[kind], value, secret, shown)
    if kind == "greater_than":
        return f"must be a positive integer, got {shown}"
    if kind in ("too_short", "string_too_short"):  # (every minimum length of the format is 1)
        return "must not be empty"
    if secret:
        return "is not a valid value (not shown: the field is secret)"
    # Our own checks (email, language, phone) word theirs already, quoting an excerpt
    # of the value; pydantic's own messages do not quote it.
    return str(error["msg"])


def iter_errors(exc: ValidationError, hints: Hints,
                written: Callable[[KeyPath], str | None] = lambda _: None) -> Iterator[tuple[KeyPath, str]]:
    """(path, message) for each error, with the path as a key path into the YAML
    (`written`: as in `describe`)."""
    # For a missing key, pydantic's loc names the key itself: the path then says which
    # field is required, and its mark falls back to the mapping that lacks it.
    for error in exc.errors(include_url=False):
        yield tuple(error["loc"]), describe(error, hints, written)
