"""The node graph that PyYAML composes, for `yaml_source`: tagging its plain scalars,
bounding it while it is composed (`rostersync.roster.limits`), walking it, and finding
the control characters of its keys and values. The loader composes a graph only to
place control characters (`find_controls`); it builds data from the parser's events.

The bounds are kept while PyYAML composes wherever it lets us in: every node passes
through `descend_resolver` (counted) and every untagged scalar through `resolve` (its
length checked), in libyaml's composer as in PyYAML's own; PyYAML's own composer, which
recurses, also stops at the depth bound, with the node's mark. The depth of what
libyaml composes (it stops at 1,000 levels by itself), the length of tagged scalars and
what aliases expand to are checked by the walk that builds the data
(`_yaml_build.Builder`), before anything deeper is built.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

from yaml.constructor import SafeConstructor
from yaml.events import MappingStartEvent, ScalarEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from rostersync.roster.limits import (
    CONTROL_IN_VALUE,
    MAX_DEPTH,
    MAX_ENTRIES,
    MAX_VALUE_CHARS,
    TOO_DEEP,
    TOO_MANY_ENTRIES,
    VALUE_TOO_LONG,
)
from rostersync.roster.positions import KeyPath, Mark

MERGE_TAG: Final = "tag:yaml.org,2002:merge"
STR_TAG: Final = "tag:yaml.org,2002:str"
# The tag the composers give a plain scalar that has none: it is read by the place it
# is at (rostersync.roster.places), not by YAML 1.1's implicit resolvers.
PLAIN_TAG: Final = "tag:rostersync,2026:plain"
_SEQUENCE_TAG: Final = "tag:yaml.org,2002:seq"
_MAPPING_TAG: Final = "tag:yaml.org,2002:map"
MAX_CONTROLS_REPORTED: Final = 10  # per file: past these, that there are more


class _NoKey(Enum):
    NO_KEY = "no key"


NO_KEY: Final = _NoKey.NO_KEY


class KeyValues:
    """Python values of scalar key nodes as the loader builds them (an untagged one is
    its text), each once (by the node's id: the nodes of one document, alive while it
    is loaded)."""

    def __init__(self) -> None:
        self._constructor = SafeConstructor()
        self._built: dict[int, Hashable | _NoKey] = {}

    def of(self, node: Node) -> Hashable | _NoKey:
        """The key's value; NO_KEY for non-scalar keys (their mapping fails
        construction anyway: they are unhashable) and for unbuildable ones."""
        built = self._built.get(id(node), _UNBUILT)
        if built is _UNBUILT:
            built = self._built[id(node)] = self._build(node)
        return built

    def _build(self, node: Node) -> Hashable | _NoKey:
        if not isinstance(node, ScalarNode):
            return NO_KEY
        key: Hashable  # scalars are built into str, int, float, bool, None, dates ...
        if node.tag in (PLAIN_TAG, STR_TAG):
            key = node.value
            return key
        try:
            key = self._constructor.construct_object(node)
            return key
        except Exception:  # noqa: BLE001 - the real construction reports it, with its mark
            return NO_KEY
        finally:
            self._constructor.constructed_objects.clear()


_UNBUILT: Final = object()


def walk(root: Node, keys: KeyValues) -> Iterator[tuple[Node, KeyPath]]:
    """Collections in document order, each once (an alias is not entered again,
    which also keeps alias bombs and recursive documents linear)."""
    seen: set[int] = set()
    todo: list[tuple[Node, KeyPath]] = [(root, ())]
    while todo:
        node, path = todo.pop()
        if id(node) in seen or isinstance(node, ScalarNode):
            continue
        seen.add(id(node))
        yield node, path
        todo.extend(reversed(list(children(node, path, keys))))


def children(node: Node, path: KeyPath, keys: KeyValues) -> Iterator[tuple[Node, KeyPath]]:
    """The value nodes inside a collection, with their paths (merged entries belong
    to the mapping that merges them; a key that has no value of its own is skipped)."""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                yield value_node, path
                continue
            key = keys.of(key_node)
            if key is not NO_KEY:
                yield value_node, path + (key,)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            yield item, path + (index,)


class OutOfBounds(Exception):
    """A bound of `rostersync.roster.limits` reached while composing. `mark` is
    PyYAML's 0-based (line, column), None where libyaml gives none; `written` is how
    a value starts."""

    def __init__(self, message: str, mark: Any = None, path: KeyPath = (), written: str = "") -> None:
        super().__init__(message)
        self.message, self.path, self.written = message, path, written
        self.mark: tuple[int, int] | None = None if mark is None else (mark.line, mark.column)


class BoundedComposer:
    """Mixed in before the loader classes of both PyYAML composers."""

    max_nodes = 2 * MAX_ENTRIES + 1  # a mapping entry is two nodes
    _nodes = 0

    def descend_resolver(self, current_node: Node | None, current_index: Any) -> None:
        self._nodes += 1
        if self._nodes > self.max_nodes:
            raise OutOfBounds(TOO_MANY_ENTRIES)
        if self.yaml_path_resolvers:  # type: ignore[attr-defined]  # (never, with SafeLoader: a call saved a node)
            super().descend_resolver(current_node, current_index)  # type: ignore[misc]

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        """The tag of a node written without one: a plain scalar's is PLAIN_TAG (but
        for the merge key, <<), a quoted one's str."""
        if kind is ScalarNode:
            if len(value) > MAX_VALUE_CHARS:
                raise OutOfBounds(VALUE_TOO_LONG, written=value[:32])
            if implicit[0]:
                return MERGE_TAG if value == "<<" else PLAIN_TAG
            return STR_TAG
        return _SEQUENCE_TAG if kind is SequenceNode else _MAPPING_TAG


class BoundedPythonComposer(BoundedComposer):
    """PyYAML's own composer recurses for each level: stop it at the bound, with a mark."""

    _path: list[Hashable] | None = None

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, ScalarEvent) and len(event.value) > MAX_VALUE_CHARS:
            raise OutOfBounds(VALUE_TOO_LONG, event.start_mark)
        if not isinstance(event, (SequenceStartEvent, MappingStartEvent)):
            node: Node = super().compose_node(parent, index)  # type: ignore[misc]
            return node
        if self._path is None:
            self._path, self._keys = [], KeyValues()
        part = self._keys.of(index) if isinstance(index, Node) else index  # None: a collection as a key
        path = (*self._path[1:], part) if self._path else ()
        if len(path) >= MAX_DEPTH:
            raise OutOfBounds(TOO_DEEP, event.start_mark, path)
        self._path.append(part)
        try:
            node = super().compose_node(parent, index)  # type: ignore[misc]
            return node
        finally:
            self._path.pop()


@dataclass(frozen=True)
class ControlCharacter:
    """A control character (`limits.CONTROL_IN_VALUE`) in a document as written."""

    mark: Mark  # where it is written; for one written as an escape, where its scalar starts
    path: KeyPath | None  # the key or value holding it (a key: the key's own path); None: neither
    character: str
    in_key: bool = False


def find_controls(root: Node | None, keys: KeyValues, text: str, raw: list[int], file: str, *,
                  in_values: bool = True) -> tuple[list[ControlCharacter], bool]:
    """The first control characters of the document, in the order written, and
    whether there are more: those in its keys and values (written as themselves or
    as escapes) and, of those written at the offsets `raw` (in order), the ones in
    neither (in a comment, say). `text` is the document as written; `root` was
    composed from it with the characters at `raw` replaced. `in_values` False says
    that no key or value holds one (its `survey`), which saves looking."""
    if not raw and not in_values:
        return [], False
    found: list[tuple[int, KeyPath | None, str, bool, ScalarNode | None]] = []
    inside: set[int] = set()  # the offsets of `raw` in a key or value
    for scalar, path, in_key in _scalars(root, keys):
        start, end = scalar.start_mark.index, scalar.end_mark.index
        first, past = bisect.bisect_left(raw, start), bisect.bisect_left(raw, end)
        inside.update(raw[first:past])
        offsets = raw[first : min(first + 1, past)]
        in_value = CONTROL_IN_VALUE.search(scalar.value)
        if in_value is not None and (written := text.find(in_value.group(), start, end)) >= 0:
            offsets.append(written)  # written as itself (a tab, a line break) rather than as an escape
        if offsets:
            found.append((min(offsets), path, text[min(offsets)], in_key, None))
        elif in_value is not None:
            found.append((start, path, in_value.group(), in_key, scalar))
    found += [(offset, None, text[offset], False, None) for offset in raw if offset not in inside]
    found.sort(key=lambda item: item[0])
    controls = [
        ControlCharacter(_offset_mark(text, offset, file) if scalar is None else _node_mark(scalar, file),
                         path, character, in_key)
        for offset, path, character, in_key, scalar in found[:MAX_CONTROLS_REPORTED]  # (each mark costs a count)
    ]
    return controls, len(found) > MAX_CONTROLS_REPORTED


def _scalars(root: Node | None, keys: KeyValues) -> Iterator[tuple[ScalarNode, KeyPath, bool]]:
    """Every scalar once, with its path (a key's own path) and whether it is a key."""
    if root is None:
        return
    if isinstance(root, ScalarNode):
        yield root, (), False
        return
    seen: set[int] = set()
    for node, path in walk(root, keys):
        if isinstance(node, MappingNode):
            for key_node, _ in node.value:
                if isinstance(key_node, ScalarNode) and id(key_node) not in seen:
                    seen.add(id(key_node))
                    key = keys.of(key_node)
                    yield key_node, path + (key_node.value if key is NO_KEY else key,), True
        for child, child_path in children(node, path, keys):
            if isinstance(child, ScalarNode) and id(child) not in seen:
                seen.add(id(child))
                yield child, child_path, False


def _node_mark(node: Node, file: str) -> Mark:
    return Mark(file, node.start_mark.line + 1, node.start_mark.column + 1)


def _offset_mark(text: str, offset: int, file: str) -> Mark:
    line_start = text.rfind("\n", 0, offset) + 1
    return Mark(file, text.count("\n", 0, offset) + 1, offset - line_start + 1)
