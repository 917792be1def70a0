"""The node graph that PyYAML composes, for the fallback of `yaml_source`: walking it,
bounding it (`rostersync.roster.limits`), and finding the control characters of its
keys and values.

The bounds are kept while PyYAML works wherever it lets us in: every node passes
through `descend_resolver` (counted) and every untagged scalar through `resolve`
(its length checked before the resolvers' regexes run on it), in libyaml's composer
as in PyYAML's own; PyYAML's own composer, which recurses, also stops at the depth
bound, with the node's mark. What libyaml composes (it stops at 1,000 levels by
itself) is checked after composing and before anything is constructed: depth,
length of tagged scalars, and what aliases expand to. An alias makes a node appear
in many places, so the depth and the number of entries are those of the document as
if every alias were written out (a cycle has no end, so it is too deep), computed
without writing them out.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
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
_VALUE_TAG: Final = "tag:yaml.org,2002:value"
MAX_CONTROLS_REPORTED: Final = 10  # per file: past these, that there are more


class _NoKey(Enum):
    NO_KEY = "no key"


NO_KEY: Final = _NoKey.NO_KEY


class KeyValues:
    """Python values of scalar key nodes, built like SafeConstructor builds them, each
    once (by the node's id: the nodes of one document, alive while it is loaded)."""

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
        if node.tag == _VALUE_TAG:  # '=' keys, which SafeConstructor turns into str
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
        if kind is ScalarNode and len(value) > MAX_VALUE_CHARS:
            raise OutOfBounds(VALUE_TOO_LONG, written=value[:32])
        tag: str = super().resolve(kind, value, implicit)  # type: ignore[misc]
        return tag


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
class Bounded:
    """A bound that a composed document is beyond, and the node where."""

    message: str
    node: Node
    path: KeyPath


def check_bounds(root: Node, keys: KeyValues, max_marks: int, found: Survey) -> Bounded | None:
    """The first bound the composed document `root` is beyond, if any: where it is
    first too deep (aliases written out), else its first scalar too long (a tagged
    one: the others were checked while composing), else too many entries (aliases
    written out; the root counts as one, as it has a mark). `found` is its `survey`."""
    sizes = found.sizes
    height, entries = sizes.get(id(root), (0, 0))
    if height > MAX_DEPTH:
        # The first node in document order too deep is down the first child deep enough.
        node, level = root, 1
        path: KeyPath = ()
        while level <= MAX_DEPTH:
            node, path = next((child, child_path) for child, child_path in children(node, path, keys)
                              if level + sizes.get(id(child), (0, 0))[0] > MAX_DEPTH)
            level += 1
        return Bounded(TOO_DEEP, node, path)
    if found.too_long is not None:
        return Bounded(VALUE_TOO_LONG, found.too_long, ())
    if entries + 1 > max_marks:
        return Bounded(TOO_MANY_ENTRIES, root, ())
    return None


def _child_nodes(node: Node) -> Iterator[Node]:
    """The nodes `children` gives, without their paths (or key values)."""
    if isinstance(node, MappingNode):
        return (value for _, value in node.value)
    return iter(node.value) if isinstance(node, SequenceNode) else iter(())


@dataclass
class Survey:
    """What one pass over a composed document finds (`survey`)."""

    # (height, entries) of every collection by id: how deep it goes and how many keys
    # and items it holds, aliases written out (math.inf through a cycle).
    sizes: dict[int, tuple[float, float]] = field(default_factory=dict)
    too_long: ScalarNode | None = None  # the first scalar (key or value) longer than MAX_VALUE_CHARS
    controls: bool = False  # whether a scalar holds a control character

    def scalar(self, node: ScalarNode) -> None:
        if self.too_long is None and len(node.value) > MAX_VALUE_CHARS:
            self.too_long = node
        if not self.controls and CONTROL_IN_VALUE.search(node.value):
            self.controls = True


def survey(root: Node | None) -> Survey:
    """Measure every collection of the document `root` and look at every scalar, in
    one pass with no paths; each node once, so that this is linear in the size of the
    graph, whatever its aliases."""
    found = Survey()
    if root is None or isinstance(root, ScalarNode):
        if root is not None:
            found.scalar(root)
        return found
    sizes = found.sizes
    on_path = {id(root)}
    best: dict[int, list[float]] = {id(root): [0, 0]}  # [deepest child, entries] so far
    stack: list[tuple[Node, Iterator[Node]]] = [(root, _enter(root, found))]
    while stack:
        node, todo = stack[-1]
        totals = best[id(node)]
        for child in todo:
            totals[1] += 1
            if isinstance(child, ScalarNode):
                found.scalar(child)
                continue
            measured = sizes.get(id(child))
            if measured is None and id(child) in on_path:
                measured = (math.inf, math.inf)  # an alias to a collection that contains it
            if measured is not None:
                totals[0], totals[1] = max(totals[0], measured[0]), totals[1] + measured[1]
                continue
            on_path.add(id(child))
            best[id(child)] = [0, 0]
            stack.append((child, _enter(child, found)))
            break
        else:
            stack.pop()
            on_path.discard(id(node))
            deepest, entries = best.pop(id(node))
            sizes[id(node)] = (1 + deepest, entries)
            if stack:
                parent = best[id(stack[-1][0])]
                parent[0], parent[1] = max(parent[0], 1 + deepest), parent[1] + entries
    return found


def _enter(node: Node, found: Survey) -> Iterator[Node]:
    """The children of a collection entered for the first time, its keys looked at."""
    if isinstance(node, MappingNode):
        for key, _ in node.value:
            if isinstance(key, ScalarNode):
                found.scalar(key)
    return _child_nodes(node)


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
