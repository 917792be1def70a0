"""Reading one value leniently, as the API sends it; and a reader for every field of the table.

Booleans may be ``true``/``1``/``"1"``/``"true"``, integers may be strings, lists may
be comma-separated strings or PHP objects (``{"0": "en"}``).  A reader returns the
normalised value or raises :class:`InvalidValue` saying what was expected.  Which
reader a field gets follows from its shape and value in :mod:`rostersync.api_fields`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from typing import Any

from rostersync.api_fields import API_FIELDS, ApiField, ValueType

__all__ = [
    "FIELD_READERS",
    "LIST_FIELDS",
    "InvalidValue",
    "Reader",
    "reader_of",
    "to_bool",
    "to_constant",
    "to_float",
    "to_int",
    "to_int_list",
    "to_lower_str",
    "to_str",
    "to_str_list",
]


class InvalidValue(ValueError):
    """One value could not be read; the message says what was expected."""


# --- scalar readers ---------------------------------------------------------------

_INT_TEXT = re.compile(r"[+-]?\d+")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise InvalidValue("expected a boolean")


def to_int(value: Any) -> int:
    if isinstance(value, bool):  # bool is an int subclass, but True is no count
        raise InvalidValue("expected an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if _INT_TEXT.fullmatch(text):
            return int(text)
        try:
            number = float(text)
        except ValueError:
            pass
        else:
            if number.is_integer():
                return int(number)
    raise InvalidValue("expected an integer")


def to_float(value: Any) -> float:
    if isinstance(value, bool):
        raise InvalidValue("expected a number")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    raise InvalidValue("expected a number")


def to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # e.g. an external_id the server stored as a number
    raise InvalidValue("expected a string")


def to_lower_str(value: Any) -> str:
    return _shared(to_str(value).strip().lower())


_SHARED_CHARS = 24  # codes (languages, roles, call types) are shorter: one string each, not one per operator


def _shared(text: str) -> str:
    """`text`, the same string object for every short code read: 50,000 operators repeat
    a few languages and roles some 300,000 times, 15 MB as copies."""
    return sys.intern(text) if len(text) <= _SHARED_CHARS else text


def _items(value: Any) -> list[Any]:
    """The items of a list sent as a JSON list, a PHP object or a comma-separated string."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, Mapping):
        # PHP json_encode turns an array with holes into {"0": .., "2": ..}.
        return [value[key] for key in sorted(value, key=_index_order)]
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]  # a one-item list flattened by the server
    raise InvalidValue("expected a list")


def _index_order(key: Any) -> tuple[int, int | str]:
    text = str(key)
    return (0, int(text)) if _INT_TEXT.fullmatch(text) else (1, text)


def to_str_list(value: Any) -> list[str]:
    return [to_lower_str(item) for item in _items(value)]


def to_int_list(value: Any) -> list[int]:
    return [to_int(item) for item in _items(value)]


# --- the field table's values ------------------------------------------------------

def _optional_int(value: Any) -> int | None:
    # PHP often renders an unset number as "": that is "no value", not a bad one.
    if isinstance(value, str) and not value.strip():
        return None
    return to_int(value)


def to_constant(value: Any) -> str:
    return _shared(to_str(value).strip().upper())


Reader = Callable[[Any], Any]

# How each kind of value in the field table (rostersync.api_fields) is read.
_SINGLE_READERS: dict[ValueType, Reader] = {
    "text": to_str,
    "email": to_str,
    "code": to_lower_str,
    "constant": to_constant,
    "bool": to_bool,
    "int": _optional_int,
}
_LIST_READERS: dict[ValueType, Reader] = {
    "code": to_str_list,
    "int": to_int_list,
}


def _object_reader(keys: tuple[ApiField, ...]) -> Reader:
    """A reader of a nested field: each known key read by its own reader, others ignored."""
    readers = {key.name: reader_of(key) for key in keys}

    def read(value: Any) -> dict[str, Any]:
        if isinstance(value, list) and not value:
            return {}  # PHP json_encode renders an empty array as []
        if not isinstance(value, Mapping):
            raise InvalidValue("expected an object")
        read_keys: dict[str, Any] = {}
        for key, reader in readers.items():
            if key in value and value[key] is not None:
                try:
                    read_keys[key] = reader(value[key])
                except InvalidValue as exc:
                    raise InvalidValue(f"{key}: {exc}") from None
        return read_keys

    return read


def reader_of(field: ApiField) -> Reader:
    """How a field of the table is read; a shape and value with no reader is a KeyError."""
    if field.shape == "nested":
        return _object_reader(field.keys)
    if field.shape == "list":
        return _LIST_READERS[field.value]
    return _SINGLE_READERS[field.value]


#: How each operator field of the table is read, by API name.
FIELD_READERS: dict[str, Reader] = {field.name: reader_of(field) for field in API_FIELDS}
#: The list fields, which read a ``null`` as ``[]``.
LIST_FIELDS: frozenset[str] = frozenset(field.name for field in API_FIELDS if field.shape == "list")
