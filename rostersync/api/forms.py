"""Form and query encoding the way PHP's ``http_build_query`` does it.

The iAdvize API is PHP: it reads ``roles[0]=operator&roles[1]=manager`` as a list and
``call_config[type]=ANSWER_FROM_PHONE`` as an object.  Rules, as ``http_build_query``
applies them (RFC 1738 flavour: spaces become ``+``, brackets are percent-encoded):

- a list (or tuple) becomes indexed keys ``name[0]``, ``name[1]``, ...;
- a mapping becomes ``name[key]``, nested as deep as needed;
- ``True``/``False`` become ``1``/``0``;
- ``None`` is left out;
- an EMPTY list or mapping, which ``http_build_query`` would drop silently, is sent as
  ``name=`` (blank): that is how rostersync clears a list on the server.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Set
from typing import Any
from urllib.parse import urlencode

__all__ = ["encode_form", "form_pairs"]


def form_pairs(fields: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Flatten ``fields`` into ordered ``(key, value)`` pairs with PHP bracket keys."""
    pairs: list[tuple[str, str]] = []
    for name, value in fields.items():
        pairs.extend(_flatten(str(name), value))
    return pairs


def encode_form(fields: Mapping[str, Any]) -> str:
    """Encode ``fields`` as an ``application/x-www-form-urlencoded`` body (or query)."""
    return urlencode(form_pairs(fields))


def _flatten(key: str, value: Any) -> Iterator[tuple[str, str]]:
    if value is None:
        return
    if isinstance(value, Mapping):
        yield from _flatten_items(key, list(value.items()))
    elif isinstance(value, (list, tuple)):
        yield from _flatten_items(key, list(enumerate(value)))
    elif isinstance(value, Set):
        # A set has no order of its own: sort it so that the same set always makes
        # the same body (and the same request log).
        yield from _flatten_items(key, list(enumerate(sorted(value, key=str))))
    else:
        yield key, _scalar(value)


def _flatten_items(key: str, items: list[tuple[Any, Any]]) -> Iterator[tuple[str, str]]:
    if not items:
        # http_build_query would omit the field and the server would keep its old
        # value; a blank value is how the API is told to clear it.
        yield key, ""
        return
    for sub_key, sub_value in items:
        yield from _flatten(f"{key}[{sub_key}]", sub_value)


def _scalar(value: Any) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # PHP prints 10.0 as "10"
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)
