"""Setting values in an entry loaded by ruamel.yaml's round trip, keeping its style.

A key that is there keeps its place and its comment; a new one goes where the
roster's usual order puts it; a list keeps its flow style, a string its quotes. New
lists and mappings are written in flow style, as a roster's entries usually are,
and a string the roster's loader would read as something else is quoted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import (
    PlainScalarString,
    ScalarString,
    SingleQuotedScalarString,
)

from rostersync.edit.paths import KEY_ORDER

_STR_TAG = "tag:yaml.org,2002:str"



def set_path(node: CommentedMap, path: tuple[str, ...], value: Any, parent: tuple[str, ...] = ()) -> None:
    key, rest = path[0], path[1:]
    if not rest:
        _put(node, key, _replacement(node.get(key), value), parent)
        return
    child = node.get(key)
    if not isinstance(child, CommentedMap):
        child = _flow(CommentedMap())
        _put(node, key, child, parent)
    set_path(child, rest, value, parent + (key,))


def _put(node: CommentedMap, key: str, value: Any, parent: tuple[str, ...]) -> None:
    if key in node:
        node[key] = value  # in place: the key keeps its position and its comment
    else:
        node.insert(_position(node, key, parent), key, value)


def _position(node: CommentedMap, key: str, parent: tuple[str, ...]) -> int:
    """Where a new key goes: after the keys that come before it in the usual order."""
    order = KEY_ORDER.get(parent, [])
    rank = order.index(key) if key in order else len(order)
    position = 0
    for index, existing in enumerate(node):
        if existing in order and order.index(existing) < rank:
            position = index + 1
    return position


def _replacement(old: Any, value: Any) -> Any:
    if isinstance(old, CommentedSeq) and isinstance(value, list):
        old[:] = [_node(item) for item in value]  # keeps the list's flow style and comment
        return old
    if isinstance(old, ScalarString) and isinstance(value, str) and not (
            isinstance(old, PlainScalarString) and _misread(value)):
        return type(old)(value)  # keeps the quotes (or block style) people chose
    return _node(value)


def _node(value: Any) -> Any:
    """A plain value as ruamel.yaml should write it in an entry: lists and mappings
    in flow style, as the entries of a roster usually are."""
    if isinstance(value, list):
        return _flow(CommentedSeq(_node(item) for item in value))
    if isinstance(value, dict):
        return _flow(CommentedMap((key, _node(item)) for key, item in value.items()))
    if isinstance(value, str) and _misread(value):
        return SingleQuotedScalarString(value)
    return value


def _flow(node: Any) -> Any:
    node.fa.set_flow_style()
    return node


def _misread(text: str) -> bool:
    """Whether the roster's loader (YAML 1.1, like PyYAML) would read `text` written
    bare as something else than this string. ruamel.yaml follows YAML 1.2, where
    `yes`, `on` or `0042` are strings and so left unquoted."""
    resolve: Callable[[type[yaml.Node], str, tuple[bool, bool]], str] = yaml.resolver.Resolver().resolve  # untyped
    return resolve(yaml.ScalarNode, text, (True, False)) != _STR_TAG
