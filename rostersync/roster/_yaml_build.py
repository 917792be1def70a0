"""The one walk of `yaml_source`: PyYAML's parser events in, the document's data, its
positions and its duplicate-key problems out, within the bounds of
`rostersync.roster.limits`.

No node graph is composed: a large roster's graph costs several times the memory of
its data (a 10,000-operator one, 130 MB). The walk does what PyYAML's composer and
SafeConstructor would, for what a roster can hold: anchors and aliases (an alias is
the same object again, as SafeConstructor gives it, and counts for the bounds as if
written out: an alias bomb costs its size, not its expansion, and an alias inside
what it names is too deep), merge keys (``<<``, as PyYAML merges), a single document.
Plain scalars are read by their place (`rostersync.roster.places`); a scalar with an
explicit tag is built by SafeConstructor; a mapping or list with a tag other than
``!!map`` or ``!!seq`` (``!!set``, ``!!omap``...) is refused, as no roster field holds one.
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Final, Protocol

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import ScalarNode

from rostersync.roster._yaml_nodes import OutOfBounds
from rostersync.roster.limits import (
    CONTROL_IN_VALUE,
    MAX_DEPTH,
    MAX_VALUE_CHARS,
    TOO_DEEP,
    TOO_MANY_ENTRIES,
    VALUE_TOO_LONG,
    excerpt,
)
from rostersync.roster.places import ANYWHERE, NULLS, Place, Reading, read_plain
from rostersync.roster.positions import KeyPath
from rostersync.roster.yaml_positions import COLUMN_BITS, NO_POSITIONS, pack

_STR_TAG: Final = "tag:yaml.org,2002:str"
_TIMESTAMP_TAG: Final = "tag:yaml.org,2002:timestamp"
_YAML_TAG_PREFIX: Final = "tag:yaml.org,2002:"
_NONE_YET: Final = (NO_POSITIONS,)
_COLLECTION_TAGS: Final = frozenset((None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"))


def _short_tag(tag: str) -> str:
    """``!!int`` for ``tag:yaml.org,2002:int``, as it is written (an explicit tag whose
    scalar fails to build is one of YAML's: others have no constructor)."""
    return "!!" + tag.removeprefix(_YAML_TAG_PREFIX) if tag.startswith(_YAML_TAG_PREFIX) else excerpt(tag)


class EventSource(Protocol):
    """A PyYAML loader, on libyaml or not: what the walk reads."""

    def get_event(self) -> Event: ...


@dataclass(frozen=True)
class Duplicate:
    """A key written twice in one mapping."""

    path: KeyPath
    key_text: str
    line: int  # 0-based, as PyYAML's marks
    column: int
    first_line: int  # 1-based


class _Expect:
    pass


_KEY: Final = _Expect()  # a mapping frame waiting for a key
_MERGE: Final = _Expect()  # the key read was <<: the value is merged
_ITEM: Final = _Expect()  # a list frame: what comes is an item


class _Frame:
    """A mapping or list being built."""

    __slots__ = ("anchor", "child", "data", "entries_before", "flow", "height", "index", "is_map", "key", "key_mark",
                 "kids", "mark", "marks", "merge_items", "merge_line", "merges", "merging", "place")

    def __init__(self, is_map: bool, place: Place, anchor: str | None, mark: Any, entries_before: int,
                 flow: bool = False) -> None:
        self.is_map = is_map
        self.flow = flow  # written in flow style ([...], {...})
        self.data: Any = {} if is_map else []
        self.marks = array("Q")  # where each key or item is written
        self.kids: array[int] | None = None  # where the positions of each value start (none yet: NO_POSITIONS)
        self.place = place
        self.child = place.item() if not is_map else ANYWHERE  # the place of the next value
        self.key: Any = _KEY if is_map else _ITEM  # the key whose value comes next, or what the frame waits for
        self.key_mark: Any = None
        self.height = 1
        self.anchor, self.mark, self.entries_before = anchor, mark, entries_before
        self.merges: list[tuple[Hashable, Any, int]] | None = None  # pairs merged in, in PyYAML's order
        self.merge_line: int | None = None  # where its << is written (1-based): a second one is a duplicate key
        # A list that is merged (<<: [*a, *b]), or may be (an anchored one: <<: *list):
        # its items, each with where it is first written.
        self.merge_items: list[tuple[Any, int]] | None = None
        # Where each key is in `marks`, made at the first duplicate key (finding it by a
        # scan for each duplicate would take a time quadratic in the mapping's size).
        self.index: dict[Hashable, int] | None = None
        # Inside what a << merges in: its keys are not yet the data's (a key of the
        # mapping, or an earlier mapping of the list, may win), so its nulls wait.
        self.merging = False


@dataclass(frozen=True)
class _Anchored:
    """What an anchor names: a scalar's event (read again by each alias's place), or a
    built mapping or list with its positions, depth and entries (and a list's items
    with where each is first written, should it be merged)."""

    event: Any  # the scalar's ScalarEvent; None for a mapping or list
    value: Any = None
    positions: int = NO_POSITIONS
    height: int = 0
    entries: int = 0
    items: list[tuple[Any, int]] | None = None
    secret: bool = False  # a scalar written as a secret's value


class ParsersDiffer(Exception):
    """The document holds what libyaml reads otherwise than PyYAML's own parser, whose
    reading is the reference. Inside a flow collection: a plain scalar with a ``?``
    (``[a?]``: libyaml reads 'a?', PyYAML ends the scalar at the ``?`` and fails); a
    tag (``[!!str, x]``: libyaml ends it at the comma, PyYAML takes the comma in); an
    empty plain scalar (``{? : x}``: the parsers place it apart). (Outside, libyaml
    fails on such tags, and PyYAML's parser reads the document anyway.)"""


class Builder:
    """Build one document from `source`'s events. `entries` counts keys and items
    (aliases written out); `controls` says whether a scalar holds a control character.
    With `libyaml` (the events are libyaml's), raise ParsersDiffer where PyYAML's own
    parser would read the document otherwise."""

    def __init__(self, max_entries: int, *, libyaml: bool = False) -> None:
        self.max_entries = max_entries
        self.libyaml = libyaml
        self.entries = 0
        self.controls = False
        self.duplicates: list[Duplicate] = []
        self.root_packed = 0
        self._stack: list[_Frame] = []
        self._anchors: dict[str, _Anchored | _Frame] = {}
        self._anchor_marks: dict[str, Any] = {}
        self._constructor: SafeConstructor | None = None
        # The positions of every mapping and list, each one's side by side (see
        # yaml_positions.Positions).
        self.marks = array("Q")
        self.kids = array("q")
        # The text of each number written otherwise than it reads (010, +10), by the
        # position of its key or item: messages quote what was written.
        self.written: dict[int, str] = {}
        self.nulls: list[KeyPath] = []  # the keys given no value
        self._null_walked: set[int] = set()  # the merged-in containers searched for nulls

    def build(self, source: EventSource, place: Place) -> tuple[Any, int]:
        """(data, where its positions start in `marks` and `kids`) of the single document
        of `source`; (None, NO_POSITIONS) for none."""
        get = source.get_event
        event: Any = get()
        while isinstance(event, StreamStartEvent | DocumentStartEvent):
            event = get()
        if isinstance(event, StreamEndEvent):
            return None, NO_POSITIONS
        if isinstance(event, ScalarEvent) and event.value == "" and event.tag is None and event.implicit[0]:
            self.root_packed = 0  # an empty document, such as `---`: 1:1 (parsers place its empty scalar apart)
        else:
            self.root_packed = pack(event.start_mark.line, event.start_mark.column)
        result = self._document(get, event, place)
        end: Any = get()
        if not isinstance(end, DocumentEndEvent):  # (the parser gives nothing else here)
            raise yaml.composer.ComposerError(None, None, "expected the end of the document", end.start_mark)
        following: Any = get()
        if not isinstance(following, StreamEndEvent):
            raise yaml.composer.ComposerError("expected a single document in the stream", None,
                                              "but found another document", following.start_mark)
        return result

    # The loop below is the whole cost of loading a large roster: the common case (an
    # untagged key, a plain scalar without a control character) is written out in it
    # rather than in calls.

    def _document(self, get: Any, event: Any, place: Place) -> tuple[Any, int]:
        stack = self._stack
        libyaml = self.libyaml
        while True:
            cls = event.__class__
            frame = stack[-1] if stack else None
            if cls is ScalarEvent:
                text: str = event.value
                if len(text) > MAX_VALUE_CHARS:
                    raise OutOfBounds(VALUE_TOO_LONG, event.start_mark, self._path())
                if not text.isprintable() and CONTROL_IN_VALUE.search(text):  # (isprintable: a fast first look)
                    self.controls = True
                if libyaml and frame is not None and frame.flow and (
                        event.tag is not None or (not event.style and ("?" in text or not text))):
                    raise ParsersDiffer
                if event.anchor is not None:
                    at_secret = frame is not None and frame.key is not _KEY and frame.child.secret
                    self._anchor(event.anchor, _Anchored(event, secret=at_secret), event)
                if frame is None:
                    return self._scalar(event, place), NO_POSITIONS
                if frame.key is _KEY:
                    self._take_key(frame, event, event.start_mark)
                else:
                    if event.tag is None and event.implicit[0]:
                        reading = frame.child.reading
                        value = (None if text in NULLS else text) if reading is Reading.TEXT \
                            else read_plain(text, reading)
                    else:
                        value = self._scalar(event, frame.child)
                    self._add(frame, value, NO_POSITIONS, event.start_mark, NO_POSITIONS, None,
                              _retyped(text) if value.__class__ is int else None)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                self._start(event, frame, place, cls is MappingStartEvent)
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                done = stack.pop()
                value, tree = self._finish(done)
                if done.anchor is not None:
                    self._anchors[done.anchor] = _Anchored(None, value, tree, done.height,
                                                           self.entries - done.entries_before, done.merge_items)
                if not stack:
                    return value, tree
                parent = stack[-1]
                if done.height + 1 > parent.height:
                    parent.height = done.height + 1
                self._add(parent, value, tree, done.mark, tree, done.merge_items)
            elif cls is AliasEvent and frame is not None:
                self._alias(event, frame)
            else:  # (the parser gives nothing else inside a document; an alias at the root names nothing yet)
                raise yaml.composer.ComposerError(None, None, f"found undefined alias {excerpt(str(event.anchor))}"
                                                  if cls is AliasEvent else f"unexpected {cls.__name__}",
                                                  event.start_mark)
            event = get()

    def _start(self, event: Any, frame: _Frame | None, place: Place, is_map: bool) -> None:
        if frame is not None and frame.key is _KEY:
            raise ConstructorError("while constructing a mapping", frame.mark, "found unhashable key",
                                   event.start_mark)
        if len(self._stack) >= MAX_DEPTH:
            raise OutOfBounds(TOO_DEEP, event.start_mark, self._path())
        if self.libyaml and frame is not None and frame.flow and event.tag is not None:
            raise ParsersDiffer
        if event.tag not in _COLLECTION_TAGS:
            raise ConstructorError(None, None, f"a roster has no use for the tag {excerpt(str(event.tag))}",
                                   event.start_mark)
        new = _Frame(is_map, frame.child if frame is not None else place, event.anchor, event.start_mark,
                     self.entries, bool(event.flow_style))
        if frame is not None and (frame.merging or frame.key is _MERGE):
            new.merging = True
        if frame is not None and frame.key is _MERGE and not is_map:  # a list of mappings to merge
            new.merge_items = []
            new.child = frame.place
        elif event.anchor is not None and not is_map:  # one an alias may merge
            new.merge_items = []
        if event.anchor is not None:
            self._anchor(event.anchor, new, event)
        self._stack.append(new)

    # Keys

    def _take_key(self, frame: _Frame, event: Any, mark: Any) -> None:
        """The key `event` (written at `mark`) in the mapping `frame`."""
        tag, text = event.tag, event.value
        if tag is None:
            if event.implicit[0] and text == "<<":
                frame.key = _MERGE
                frame.key_mark = mark
                frame.child = frame.place  # what is merged is read as the mapping itself
                return
            key: Hashable = text
        elif tag == "!" or tag == _STR_TAG:
            key = text
        else:
            built = self._tagged(event)
            if not isinstance(built, Hashable):  # (SafeConstructor builds no unhashable scalar)
                raise ConstructorError("while constructing a mapping", frame.mark, "found unhashable key", mark)
            key = built
        frame.key = key
        frame.key_mark = mark
        frame.child = frame.place.key(key)

    # Values

    def _scalar(self, event: Any, place: Place) -> Any:
        if event.tag is None:
            return read_plain(event.value, place.reading) if event.implicit[0] else event.value
        if event.tag == "!" or event.tag == _STR_TAG:
            return event.value
        return self._tagged(event)

    def _tagged(self, event: Any) -> Any:
        """A scalar with an explicit tag (``!!int 42``...), as SafeConstructor builds it."""
        if self._constructor is None:
            self._constructor = SafeConstructor()
        node = ScalarNode(event.tag, event.value, event.start_mark, event.end_mark, style=event.style)
        try:
            return self._constructor.construct_object(node)
        except ConstructorError as exc:
            if exc.problem is not None and exc.problem.startswith("could not determine a constructor"):
                raise  # (it quotes the tag only)
            failure: Exception = exc  # base64 that does not decode
        except Exception as exc:  # noqa: BLE001 - int("..."), float("..."), an impossible date...
            failure = exc
        # What failed is never quoted: int() and float() quote the value (as PyYAML
        # rewrote it), and it may be a secret's. The one exception is datetime's own
        # ValueError for an impossible date (2024-13-45), which quotes nothing.
        reason = f"not a valid {_short_tag(event.tag)}"
        if event.tag == _TIMESTAMP_TAG and type(failure) is ValueError and "'" not in str(failure):
            reason = str(failure)
        raise ConstructorError(None, None, f"cannot build value: {reason}", event.start_mark) from failure

    def _add(self, frame: _Frame, value: Any, tree: int, mark: Any, origin: int,
             merge_items: list[tuple[Any, int]] | None = None, written: str | None = None) -> None:
        """`value`, written at `mark`, into `frame`: `tree` where its positions start
        (NO_POSITIONS for a scalar, or an alias), `origin` where those of what it is
        start (for merging it), `merge_items` the mappings of a list to merge with
        theirs, and `written` the text of a number written otherwise than it reads."""
        self.entries += 1
        if self.entries >= self.max_entries:
            raise OutOfBounds(TOO_MANY_ENTRIES, None)
        marks = frame.marks
        if not frame.is_map:
            if frame.merge_items is not None:
                frame.merge_items.append((value, origin))
            marks.append(mark.line << COLUMN_BITS | mark.column)
            if written is not None:
                self.written[marks[-1]] = written
            frame.data.append(value)
            if tree != NO_POSITIONS and frame.kids is None:
                frame.kids = array("q", _NONE_YET) * (len(marks) - 1)
            if frame.kids is not None:
                frame.kids.append(tree)
            return
        key = frame.key
        frame.key = _KEY
        key_mark = frame.key_mark
        if key is _MERGE:
            self._merge(frame, value, origin, merge_items, key_mark)
            return
        data = frame.data
        if key in data:
            if frame.index is None:
                frame.index = {existing: i for i, existing in enumerate(data)}
            position = frame.index[key]
            first = (marks[position] >> COLUMN_BITS) + 1
            self.duplicates.append(Duplicate((*self._path(), key), str(key), key_mark.line, key_mark.column, first))
        else:
            position = len(marks)
            marks.append(key_mark.line << COLUMN_BITS | key_mark.column)
            if frame.index is not None:
                frame.index[key] = position
        data[key] = value
        if value is None and not frame.merging:
            self.nulls.append((*self._path(), key))
        if written is not None:
            self.written[key_mark.line << COLUMN_BITS | key_mark.column] = written
        if tree != NO_POSITIONS and frame.kids is None:
            frame.kids = array("q", _NONE_YET) * len(marks)
        if frame.kids is not None:
            if len(frame.kids) < len(marks):
                frame.kids.append(tree)
            else:
                frame.kids[position] = tree

    def _alias(self, event: Any, frame: _Frame) -> None:
        name = event.anchor
        anchored = self._anchors.get(name) if name is not None else None
        if anchored is None:
            raise yaml.composer.ComposerError(None, None, f"found undefined alias {excerpt(str(name))}",
                                              event.start_mark)
        if isinstance(anchored, _Frame):  # inside what it names: endless
            raise OutOfBounds(TOO_DEEP, event.start_mark, self._path())
        if anchored.event is not None:  # a scalar, read by this place
            if anchored.secret and (frame.key is _KEY or not frame.child.secret):
                raise ConstructorError(None, None, "this alias repeats a secret's value outside a secret field, "
                                       "where messages would show it: write the value there instead",
                                       event.start_mark)
            if frame.key is _KEY:
                self._take_key(frame, anchored.event, event.start_mark)
            else:
                value = self._scalar(anchored.event, frame.child)
                self._add(frame, value, NO_POSITIONS, event.start_mark,
                          NO_POSITIONS, None,
                          _retyped(anchored.event.value) if value.__class__ is int else None)
            return
        if frame.key is _KEY:
            raise ConstructorError("while constructing a mapping", frame.mark, "found unhashable key",
                                   event.start_mark)
        if len(self._stack) + anchored.height > MAX_DEPTH:
            raise OutOfBounds(TOO_DEEP, event.start_mark, self._path())
        self.entries += anchored.entries
        if anchored.height + 1 > frame.height:
            frame.height = anchored.height + 1
        self._add(frame, anchored.value, NO_POSITIONS, event.start_mark, anchored.positions, anchored.items)

    def _anchor(self, name: str, what: _Anchored | _Frame, event: Any) -> None:
        first = self._anchor_marks.get(name)
        if first is not None:
            raise yaml.composer.ComposerError(None, None, f"found the anchor {excerpt(name)} a second time "
                                              f"(first at line {first.line + 1})", event.start_mark)
        self._anchor_marks[name] = event.start_mark
        self._anchors[name] = what

    # Merge keys

    def _merge(self, frame: _Frame, value: Any, origin: int, items: list[tuple[Any, int]] | None,
               mark: Any) -> None:
        """The value of a << key: a mapping, or a list of mappings, merged as PyYAML does
        (the mappings of a list in reverse order, so that the first one wins)."""
        if frame.merge_line is not None:  # (PyYAML merges both: a key written twice all the same)
            self.duplicates.append(Duplicate((*self._path(), "<<"), "<<", mark.line, mark.column, frame.merge_line))
        else:
            frame.merge_line = mark.line + 1
        if frame.merges is None:
            frame.merges = []
        if isinstance(value, dict):
            frame.merges.extend(self._pairs(value, origin))
        elif isinstance(value, list) and items is not None and all(isinstance(item, dict) for item, _ in items):
            for item, item_origin in reversed(items):
                frame.merges.extend(self._pairs(item, item_origin))
        else:
            raise ConstructorError("while constructing a mapping", frame.mark,
                                   "expected a mapping or list of mappings for merging", mark)

    def _finish(self, frame: _Frame) -> tuple[Any, int]:
        """The value of a mapping or list frame, and where its positions start (they are
        stored when it ends, so that each one's are side by side)."""
        start = len(self.marks)
        if frame.merges is None:
            self.marks.extend(frame.marks)
            self.kids.extend(frame.kids if frame.kids is not None else array("q", _NONE_YET) * len(frame.marks))
            return frame.data, start
        # The merged pairs first, then the mapping's own; the last of a key wins.
        data: dict[Hashable, Any] = {}
        where: dict[Hashable, int] = {}  # each key's index in data, marks and kids
        marks = array("Q")
        kids = array("q")
        own_kids = frame.kids
        pairs: list[tuple[Hashable, Any, int, int]] = [
            (key, value, packed, NO_POSITIONS) for key, value, packed in frame.merges]
        pairs += [(key, value, frame.marks[index], own_kids[index] if own_kids is not None else NO_POSITIONS)
                  for index, (key, value) in enumerate(frame.data.items())]
        merged = len(frame.merges)
        won: list[bool] = []  # whether each key's value is one merged in (not the mapping's own)
        for number, (key, value, packed, kid) in enumerate(pairs):
            position = where.get(key)
            if position is not None:
                marks[position], kids[position] = packed, kid
                won[position] = number < merged
            else:
                where[key] = len(marks)
                marks.append(packed)
                kids.append(kid)
                won.append(number < merged)
            data[key] = value
        self.marks.extend(marks)
        self.kids.extend(kids)
        if not frame.merging and any(won):
            path = self._path()  # (the frame is off the stack: its parent's key or index names it)
            self._merged_nulls([((*path, key), data[key]) for key, position in where.items() if won[position]])
        return data, start

    def _merged_nulls(self, todo: list[tuple[KeyPath, Any]]) -> None:
        """The nulls of values merged in, at the paths they are merged to (those inside
        an inline merge were not listed where written). Each container is searched
        once in the whole document, so that merges of merges cost their size."""
        walked = self._null_walked
        while todo:
            path, value = todo.pop()
            if value is None:
                self.nulls.append(path)
            elif isinstance(value, dict | list) and id(value) not in walked:
                walked.add(id(value))
                if isinstance(value, dict):
                    todo.extend(((*path, key), item) for key, item in value.items())
                else:  # (an item given no value is no key given none)
                    todo.extend(((*path, index), item) for index, item in enumerate(value) if item is not None)

    def _pairs(self, value: dict[Hashable, Any], origin: int) -> list[tuple[Hashable, Any, int]]:
        """The pairs of a mapping to merge, each with where its key is written."""
        marks = self.marks
        return [(key, item, marks[origin + index] if origin != NO_POSITIONS else 0)
                for index, (key, item) in enumerate(value.items())]

    def _path(self) -> KeyPath:
        """The keys and indexes down to where the walk is."""
        parts: list[Hashable] = []
        for frame in self._stack:
            if frame.is_map:
                if isinstance(frame.key, _Expect):
                    break
                parts.append(frame.key)
            else:
                parts.append(len(frame.data))
        return tuple(parts)


def _retyped(text: str) -> str | None:
    """`text`, a plain scalar read as an integer, if the integer is written otherwise
    (``010``, ``+10``, ``-0``: a message then quotes the text)."""
    if text[:1] == "+" or (text[:1] == "0" and len(text) > 1) or text[:2] == "-0":
        return text
    return None
