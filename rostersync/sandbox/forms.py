"""Parse PHP-style form bodies and query strings into nested dicts and lists.

iAdvize's own PHP client builds its bodies with ``http_build_query``:
``roles[0]=operator&roles[1]=manager&call_config[type]=ANSWER_FROM_DESK``.
A PHP server reads those back as nested arrays; this module does the same so the
sandbox sees exactly what the real service would see:

>>> parse_form("roles[0]=operator&roles[1]=manager&call_config[type]=X&chat_enabled=1")
{'roles': ['operator', 'manager'], 'call_config': {'type': 'X'}, 'chat_enabled': '1'}

Rules, following PHP's ``parse_str``:
- ``a[b][c]=v`` nests; ``a[]=v`` appends; a later key replaces an earlier one.
- A key whose brackets are malformed (``a[b``) is kept as a plain name.
- A mapping whose keys are all integers becomes a list ordered by those integers
  (PHP keeps them as an "array"; the sandbox wants a list).
- Every leaf stays a string: interpreting ``1``/``0`` is the validator's job.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["parse_form", "split_key"]

# A name followed by one or more bracket groups, nothing else: "a[b][]".
_BRACKETED_KEY = re.compile(r"^(?P<head>[^\[\]]+)(?P<tail>(?:\[[^\[\]]*\])+)$")
_BRACKET_GROUP = re.compile(r"\[([^\[\]]*)\]")

def split_key(key: str) -> list[str | None]:
    """Split ``a[b][]`` into ``["a", "b", None]``; ``None`` means "append"."""
    match = _BRACKETED_KEY.match(key)
    if match is None:
        return [key]
    parts: list[str | None] = [match.group("head")]
    for inner in _BRACKET_GROUP.findall(match.group("tail")):
        parts.append(inner if inner != "" else None)
    return parts


def parse_form(text: str) -> dict[str, Any]:
    """Parse an urlencoded body or query string into nested dicts, lists and strings."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace"):
        if key == "":
            continue
        _assign(root, split_key(key), value)
    # The top level is always a mapping of field names, even "0=a&1=b".
    return {key: _listify(value) for key, value in root.items()}


def _assign(root: dict[str, Any], path: list[str | None], value: str) -> None:
    """Store ``value`` at ``path`` inside ``root``, creating containers on the way."""
    node = root
    for position, part in enumerate(path):
        name = _next_index(node) if part is None else part
        if position == len(path) - 1:
            node[name] = value
            return
        child = node.get(name)
        if not isinstance(child, dict):
            # PHP replaces a scalar by an array when a deeper key follows it.
            child = {}
            node[name] = child
        node = child


def _next_index(node: dict[str, Any]) -> str:
    """The key PHP gives to ``a[]``: one more than the largest integer key so far."""
    indexes = [int(key) for key in node if _is_index(key)]
    return str(max(indexes) + 1 if indexes else 0)


def _is_index(key: str) -> bool:
    # ASCII only: "٣".isdigit() is true in Python, not a list index to PHP.
    return key.isascii() and key.isdigit() and (key == "0" or not key.startswith("0"))


def _listify(node: Any) -> Any:
    """Turn integer-keyed dicts into lists, depth first."""
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value) for key, value in node.items()}
    if converted and all(_is_index(key) for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted
