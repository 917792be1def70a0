"""Which roster fields an edit may set, how their values are typed, and their order.

Everything is derived from the field registry (`rostersync.roster.fields`), so a
field added there can be set by `roster add --set` and by a CSV column without
touching this module. `call_config` is one field for the API but people set its
keys one by one (``call_config.type=ANSWER_FROM_DESK``), so it is split here.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import yaml

from rostersync.roster.fields import CALL_CONFIG_KEYS, FIELDS, FieldSpec

ValueKind = Literal["str", "int", "bool", "str_list", "int_list", "profile"]

_KIND_OF: dict[str, ValueKind] = {
    "str": "str", "email": "str", "int": "int", "bool": "bool", "str_set": "str_list", "int_set": "int_list",
}
# call_config's keys that are not strings.
_CALL_CONFIG_KINDS: dict[str, ValueKind] = {"ask_phone_number_at_every_connection": "bool"}
# In an entry, `profile` comes right after the identity fields (see examples/operators.yaml).
_PROFILE_AFTER = "pseudo"
# Cells and flow-free list values are split on these.
LIST_SEPARATORS = (";", "|")
_TRUE = ("true", "yes", "1")
_EXAMPLES: dict[ValueKind, str] = {
    "str": "Camille", "int": "4", "bool": "true", "str_list": "[fr,en]", "int_list": "[123,456]", "profile": "sales-fr",
}
_FALSE = ("false", "no", "0")
# Characters no name, id or email holds, and that a terminal, an editor or the
# iAdvize desk would act on rather than show: control (ESC, NUL, line breaks),
# format (bidi overrides, zero-width), separator and surrogate characters, the
# categories rostersync.render.escape escapes on output. An edit refuses them, but
# for the zero-width (non-)joiners that Persian and Indic names are spelt with.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_JOINERS = frozenset("\u200c\u200d")
# A spreadsheet opening an export of the account runs a cell that starts with one
# of these as a formula (CSV injection, `=cmd|' /C calc'!A0`); no name starts so.
_FORMULA_STARTS = ("=", "+", "-", "@")
_NAMES = (("first_name",), ("name",), ("pseudo",))


@dataclass(frozen=True)
class EditablePath:
    """A roster path that an edit may set, e.g. ``("chat", "max")``."""

    path: tuple[str, ...]
    kind: ValueKind
    sensitive: bool = False

    @property
    def label(self) -> str:
        return ".".join(self.path)

    @property
    def unordered(self) -> bool:
        """Whether the value is a set for the API, so that [fr, en] equals [en, fr]."""
        return self.kind in ("str_list", "int_list")


def _expand(spec: FieldSpec) -> list[EditablePath]:
    if spec.kind == "call_config":
        return [EditablePath(("call_config", key), _CALL_CONFIG_KINDS.get(key, "str")) for key in CALL_CONFIG_KEYS]
    return [EditablePath(spec.roster, _KIND_OF[spec.kind], spec.sensitive)]


def _editable_paths() -> tuple[EditablePath, ...]:
    paths: list[EditablePath] = []
    for spec in FIELDS:
        paths.extend(_expand(spec))
        if spec.roster == (_PROFILE_AFTER,):
            paths.append(EditablePath(("profile",), "profile"))
    return tuple(paths)


# Every settable path, in the order fields are written in an entry.
EDITABLE: tuple[EditablePath, ...] = _editable_paths()
BY_LABEL: dict[str, EditablePath] = {p.label: p for p in EDITABLE}
EMAIL = BY_LABEL["email"]


def _key_order() -> dict[tuple[str, ...], list[str]]:
    order: dict[tuple[str, ...], list[str]] = {}
    for editable in EDITABLE:
        for depth in range(len(editable.path)):
            keys = order.setdefault(editable.path[:depth], [])
            if editable.path[depth] not in keys:
                keys.append(editable.path[depth])
    return order


# The keys of the mapping at a path (() for the entry itself), in writing order.
KEY_ORDER: dict[tuple[str, ...], list[str]] = _key_order()


class UnknownField(ValueError):
    """A name that is not a settable roster path; the message suggests the closest."""

    def __init__(self, name: str, what: str = "field") -> None:
        self.name = name
        close = difflib.get_close_matches(name, list(BY_LABEL), n=1, cutoff=0.6)
        self.suggestion = close[0] if close else None
        hint = f" (did you mean '{self.suggestion}'?)" if self.suggestion else ""
        super().__init__(f"unknown {what} '{name}'{hint}")


def find_path(label: str, what: str = "field") -> EditablePath:
    """The settable path named `label` (``chat.max``), or `UnknownField`."""
    try:
        return BY_LABEL[label]
    except KeyError:
        raise UnknownField(label, what) from None


def parse_yaml_value(editable: EditablePath, text: str) -> Any:
    """The value of ``--set PATH=TEXT``. Strings are taken as typed, so that a name
    such as ``no`` or an id such as ``0042`` stays a string; anything else is read
    as YAML the way the roster's loader reads it (``4``, ``true``, ``[fr, en]``).
    Whether the value fits the field is left to the roster's validation, which
    says so with a file position."""
    if editable.kind == "str":
        return text
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        reason = getattr(exc, "problem", None) or exc
        raise ValueError(f"{editable.label}: '{text}' is not a YAML value: {reason}") from None
    if value is None:
        # An edit sets fields; leaving one unmanaged means deleting its key by hand.
        raise ValueError(f"{editable.label}: give a value, such as {editable.label}={_EXAMPLES[editable.kind]}")
    return value


def parse_assignment(text: str) -> tuple[EditablePath, Any]:
    """``chat.max=4`` -> (the chat.max path, 4); ValueError naming what is wrong."""
    label, equals, value = text.partition("=")
    if not equals:
        raise ValueError(f"'{text}' is not PATH=VALUE, such as chat.max=4")
    editable = find_path(label.strip())
    return editable, parse_yaml_value(editable, value.strip())


def text_problem(editable: EditablePath, text: str) -> str | None:
    """Why `text` cannot be set as (part of) `editable`, or None. The message never
    quotes the text, which may be a secret."""
    if not text.isprintable():  # decided in C; True for nearly every cell
        for position, char in enumerate(text, start=1):
            if unicodedata.category(char) in _UNSAFE_CATEGORIES and char not in _JOINERS:
                return (f"must be plain text, but holds U+{ord(char):04X} ({_character_kind(char)}) "
                        f"at character {position}")
    if editable.path in _NAMES and text.startswith(_FORMULA_STARTS):
        return (f"starts with '{text[0]}', which a spreadsheet runs as a formula (CSV injection): "
                f"a name cannot start with {' '.join(_FORMULA_STARTS)}")
    return None


def strings_of(value: Any) -> Iterator[str]:
    """The strings a value holds: itself, or the items of a list."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings_of(item)


def _character_kind(char: str) -> str:
    if char in "\n\r":
        return "a line break"
    if unicodedata.category(char) == "Cc":
        return "a control character"
    return "an invisible or bidi character"


def parse_cell(editable: EditablePath, text: str) -> Any:
    """The value of a non-empty CSV cell, typed per the registry, or ValueError."""
    text = text.strip()
    problem = text_problem(editable, text)
    if problem is not None:
        raise ValueError(problem)
    if editable.kind == "int":
        return _int(text)
    if editable.kind == "bool":
        return _bool(text)
    if editable.kind in ("str_list", "profile"):
        return split_list(text)
    if editable.kind == "int_list":
        return [_int(item) for item in split_list(text)]
    return text


def split_list(text: str) -> list[str]:
    """``fr; en|es`` -> ``["fr", "en", "es"]``: items stripped, empty ones dropped."""
    for separator in LIST_SEPARATORS[1:]:
        text = text.replace(separator, LIST_SEPARATORS[0])
    items = (item.strip() for item in text.split(LIST_SEPARATORS[0]))
    return list(dict.fromkeys(item for item in items if item))


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"must be a whole number, got {text!r}") from None


def _bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"must be one of true/false/yes/no/1/0, got {text!r}")


def same_value(editable: EditablePath, old: Any, new: Any) -> bool:
    """Whether setting `new` over `old` would change nothing the roster means."""
    if editable.kind == "profile":
        return bool(_as_list(old) == _as_list(new))
    if editable.unordered and isinstance(old, list) and isinstance(new, list):
        try:
            return _typed_set(old) == _typed_set(new)
        except TypeError:  # an unhashable item: the roster is wrong anyway, compare as written
            pass
    return bool(typed(old) == typed(new))


def _as_list(value: Any) -> Any:
    # `profile: sales-fr` is shorthand for `profile: [sales-fr]`.
    return [value] if isinstance(value, str) else value


def typed(value: Any) -> Any:
    """`value` as compared: True == 1 in Python, but `max: true` and `max: 1` are different rosters."""
    if isinstance(value, list):
        return [typed(item) for item in value]
    return (type(value), value)


def _typed_set(values: list[Any]) -> set[Any]:
    return {(type(item), item) for item in values}
