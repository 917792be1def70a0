"""A fast, line-based parser for the subset of YAML that rosters are written in.

It produces exactly what ``yaml.load(text, Loader=yaml.SafeLoader)`` produces, plus
the marks of every mapping key and sequence item. It never guesses: whenever the
text uses anything outside the subset described below, it raises `Unsupported`
and the caller falls back to PyYAML, which also reports any syntax error.

The subset:
  * block mappings and block sequences (including compact ``- key: value`` items,
    ``- - x`` items and sequences indented like their parent key);
  * full-line and trailing (`` #``) comments, blank lines, CRLF line ends;
  * one-line plain, single-quoted and double-quoted scalars;
  * one-line flow sequences and mappings, nested or not, e.g. ``{a: [1, 2]}``.

Everything else (anchors, aliases, tags, block scalars, multi-line scalars or
flow collections, complex keys, document markers, directives, tabs, merge keys,
BOMs, control characters ...) is left to PyYAML.

The bounds of `rostersync.roster.limits` (the length of a value, the depth, the
number of entries) are checked as the text is parsed, and a document beyond one
raises `LimitExceeded` there and then, not `Unsupported`: PyYAML would spend the
time and memory the bounds are there to save.

The scanning of scalars and entries is in `_yaml_scan`, flow collections in
`_yaml_flow`; this module follows the block structure.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Final, Literal, NamedTuple, overload

from rostersync.roster._yaml_flow import DuplicateKey, FlowParser, FlowTemplate
from rostersync.roster._yaml_scan import (
    INDICATORS,
    MAX_SIMPLE_KEY,
    MISSING,
    LimitExceeded,
    Node,
    Scalar,
    Unsupported,
    check_line_end,
    check_text,
    is_marker,
    is_seq_entry,
    plain_start_ok,
    scan_quoted,
    split_entry,
)
from rostersync.roster.gc_pause import gc_paused
from rostersync.roster.limits import MAX_DEPTH, MAX_ENTRIES, TOO_DEEP, TOO_MANY_ENTRIES
from rostersync.roster.positions import KeyPath, Mark

__all__ = ["FastResult", "LimitExceeded", "Unsupported", "parse"]

# A block collection under construction.
_Container = dict[Scalar, Node] | list[Node]
# Where in a _Container a slot is: a Scalar key of a mapping, an int index of a
# list. (Any, because mypy cannot tie the key's type to the container's.)
_SlotKey = Any
# (container, key or index, path, indentation of the owner, owner is a mapping):
# a slot whose value is still None and may yet receive a nested block node.
_Pending = tuple[_Container, _SlotKey, KeyPath, int, bool]
# (indentation, container, path, is a mapping): an open block collection.
_MapFrame = tuple[int, dict[Scalar, Node], KeyPath, Literal[True]]
_SeqFrame = tuple[int, list[Node], KeyPath, Literal[False]]
_Frame = _MapFrame | _SeqFrame

# Values the inline `key: value` path leaves to the general code (flow
# collections, which it handles, excepted).
_SLOW_VALUE_START = (INDICATORS - {"[", "{"}) | {" "}


class FastResult(NamedTuple):
    data: Node
    marks: dict[KeyPath, Mark]
    duplicates: list[DuplicateKey]


class _Blank(Enum):  # an enum, so that `is _BLANK` narrows types
    BLANK = "a blank or comment-only line"


_BLANK: Final = _Blank.BLANK

# A `key: value` or `- key: value` line: (indentation of the key, key, key text,
# the plain value, or None and the flow collection of plain values, indentation of
# the '-' or -1).
_SimpleLine = tuple[int, Scalar, str, Scalar, FlowTemplate | None, int]


class FastParser(FlowParser):
    """Parses one document; see the module docstring for the subset."""

    def __init__(self, file: str, max_entries: int = MAX_ENTRIES) -> None:
        super().__init__(file, max_entries)
        # The bottom frame is a sentinel no line can match (indent -1).
        self._stack: list[_Frame] = [(-1, [], (), False)]

    def parse(self, text: str) -> FastResult:
        root: list[Node] = [None]
        # The root is a pending slot that any line (indent > -1) fills.
        pending: _Pending | None = (root, 0, (), -1, False)
        stack = self._stack
        # Hot loop: locals instead of global and attribute look-ups.
        file, new_mark, marks = self._file, Mark, self.marks
        missing: Final = MISSING
        blank: Final = _BLANK
        # Roster lines repeat a lot (`    enabled: true`, `    languages: [fr, en]`):
        # each distinct `key: value` line is scanned once, which is what makes
        # this parser fast. Other lines take the general path each time.
        line_cache: dict[str, _SimpleLine | _Blank | None] = {}
        max_entries = self._max_entries
        lineno, line = 0, ""
        try:
            for lineno, line in enumerate(check_text(text).split("\n"), 1):
                if not lineno & 255 and len(marks) > max_entries:  # (a line adds at most ~500)
                    raise LimitExceeded(TOO_MANY_ENTRIES, line=1, column=1)
                parsed = line_cache.get(line, missing)
                if parsed is missing:
                    parsed = line_cache[line] = self._simple_line(line)
                if parsed is blank:
                    continue
                if parsed is None:
                    pending = self._general_line(line, lineno, pending)
                    continue
                indent, key, key_text, value, template, item_indent = parsed
                line_indent = indent if item_indent < 0 else item_indent
                if pending is not None:
                    self._fill_pending(pending, line_indent, item_indent >= 0, lineno)
                    pending = None
                frame = stack[-1]
                if frame[0] != line_indent:
                    while stack[-1][0] > line_indent:
                        stack.pop()
                    frame = stack[-1]
                    if frame[0] != line_indent:
                        raise Unsupported(f"line {lineno}: unexpected indentation")
                if item_indent >= 0:
                    frame = self._open_item_mapping(frame, indent, lineno)
                elif not frame[3]:
                    frame = self._end_indentless_sequence(lineno)
                mapping = frame[1]
                path = frame[2] + (key,)
                if key in mapping:
                    self._duplicate(key_text, path, lineno, indent)
                else:
                    marks[path] = new_mark(file, lineno, indent + 1)
                mapping[key] = value if template is None else self._build_flow(template, lineno, path)
        except LimitExceeded as exc:
            if not exc.line:  # raised where the line was not known: a scalar too long
                exc.line, exc.column = lineno, line.find(exc.written) + 1 or 1
            raise
        if len(marks) > max_entries:
            raise LimitExceeded(TOO_MANY_ENTRIES, line=1, column=1)
        if () not in marks:  # empty document
            marks[()] = new_mark(file, 1, 1)
        return FastResult(root[0], marks, self.duplicates)

    def _simple_line(self, line: str) -> _SimpleLine | _Blank | None:
        """_BLANK, the parse of a `key: value` or `- key: value` line with a plain
        key and a plain or simple flow value, or None for the other lines."""
        stripped = line.lstrip(" ")
        if not stripped or stripped[0] == "#":
            return _BLANK
        indent = len(line) - len(stripped)
        item_indent = -1
        if stripped[0] == "-" and stripped[1:2] == " ":
            content = stripped[2:].lstrip(" ")
            if not content:
                return None
            item_indent, indent = indent, indent + len(stripped) - len(content)
            stripped = content
        if stripped[0] in INDICATORS or stripped[0] == ".":  # '.': maybe '...'
            return None
        colon = stripped.find(": ")
        if not 0 < colon <= MAX_SIMPLE_KEY:
            return None
        key_text, value = stripped[:colon], stripped[colon + 2 :]
        if not value or value[0] in _SLOW_VALUE_START or key_text[-1] == " " or " #" in key_text:
            return None
        key = self._scalar(key_text)
        if value[0] == "[" or value[0] == "{":
            template = self._flow_template(value, indent + colon + 2)
            return None if template is None else (indent, key, key_text, None, template, item_indent)
        # As _plain, inlined (most distinct lines are plain emails, names, ids),
        # and the first character is known to be allowed.
        comment = value.find(" #")
        if comment >= 0:
            value = value[:comment]
        if value[-1] == " ":
            value = value.rstrip(" ")
        if value[-1] == ":" or ": " in value:
            raise Unsupported(f"column {indent + colon + 3}: unsupported plain scalar {value!r}")
        scalar = self._scalars.cache.get(value, MISSING)
        if scalar is MISSING:
            scalar = self._scalars.build(value)
        return (indent, key, key_text, scalar, None, item_indent)

    def _fill_pending(self, pending: _Pending, indent: int, is_item: bool, lineno: int) -> None:
        """Before a simple line: open the collection that the line starts as the
        value of the pending slot, if it does."""
        container, key, path, owner_indent, owner_is_map = pending
        if indent > owner_indent or (is_item and owner_is_map and indent == owner_indent):
            self._open(container, key, path, indent, lineno, not is_item)

    @overload
    def _open(
        self, container: _Container, key: _SlotKey, path: KeyPath, col: int, lineno: int, is_map: Literal[True]
    ) -> _MapFrame: ...
    @overload
    def _open(
        self, container: _Container, key: _SlotKey, path: KeyPath, col: int, lineno: int, is_map: Literal[False]
    ) -> _SeqFrame: ...
    @overload
    def _open(
        self, container: _Container, key: _SlotKey, path: KeyPath, col: int, lineno: int, is_map: bool
    ) -> _Frame: ...

    def _open(self, container: _Container, key: _SlotKey, path: KeyPath, col: int, lineno: int, is_map: bool) -> _Frame:
        """Open a block collection at column `col` as container[key]; return its frame."""
        if len(path) >= MAX_DEPTH:
            raise LimitExceeded(TOO_DEEP, path=path, line=lineno, column=col + 1)
        frame: _Frame = (col, {}, path, True) if is_map else (col, [], path, False)
        container[key] = frame[1]
        if type(container) is list:  # sequence items (and the root) are marked by their value
            self.marks[path] = Mark(self._file, lineno, col + 1)
        self._stack.append(frame)
        return frame

    def _open_item_mapping(self, frame: _Frame, col: int, lineno: int) -> _MapFrame:
        """For `- key: value`: a new item of the sequence of `frame`, a mapping."""
        if frame[3]:
            raise Unsupported(f"line {lineno}: sequence entry in a mapping")
        seq = frame[1]
        seq.append(None)
        return self._open(seq, len(seq) - 1, frame[2] + (len(seq) - 1,), col, lineno, True)

    def _general_line(self, line: str, lineno: int, pending: _Pending | None) -> _Pending | None:
        """Process any line that is not blank; return the new pending slot."""
        stack = self._stack
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if indent == 0 and stripped[0] in "-.%" and is_marker(stripped):
            raise Unsupported(f"line {lineno}: document marker or directive")
        if pending is not None:
            container, key, path, owner_indent, owner_is_map = pending
            if indent > owner_indent or (indent == owner_indent and owner_is_map and is_seq_entry(stripped)):
                return self._place(stripped, indent, lineno, container, key, path)
        while stack[-1][0] > indent:
            stack.pop()
        frame = stack[-1]
        if frame[0] != indent:
            raise Unsupported(f"line {lineno}: unexpected indentation")
        if is_seq_entry(stripped):
            if frame[3]:
                raise Unsupported(f"line {lineno}: sequence entry in a mapping")
            return self._add_item(frame, stripped, lineno)
        if not frame[3]:
            frame = self._end_indentless_sequence(lineno)
        entry = split_entry(stripped)
        if entry is None:
            raise Unsupported(f"line {lineno}: expected a mapping entry")
        return self._add_entry(frame[1], frame[2], entry, indent, lineno)

    def _end_indentless_sequence(self, lineno: int) -> _MapFrame:
        """A mapping entry right after a sequence at the same indentation ends the
        sequence only if it was the value of a key of that mapping."""
        stack = self._stack
        below = stack[-2]
        if not below[3] or below[0] != stack[-1][0]:
            raise Unsupported(f"line {lineno}: mapping entry in a sequence")
        stack.pop()
        return below

    def _place(
        self, text: str, col: int, lineno: int, container: _Container, key: _SlotKey, path: KeyPath
    ) -> _Pending | None:
        """Put the node that starts at column `col` of the line into container[key].

        Loops (instead of recursing) over compact nested sequences ``- - - x``.
        """
        while True:
            if is_seq_entry(text):
                seq = self._open(container, key, path, col, lineno, False)[1]
                container, key, path = seq, 0, path + (0,)
                seq.append(None)
                content = text[1:].lstrip(" ")
                if not content or content[0] == "#":
                    self.marks[path] = Mark(self._file, lineno, col + 2)
                    return (seq, 0, path, col, False)
                col += len(text) - len(content)
                text = content
                continue
            entry = split_entry(text)
            if entry is not None:
                mapping = self._open(container, key, path, col, lineno, True)[1]
                return self._add_entry(mapping, path, entry, col, lineno)
            if type(container) is not list:  # `key:` followed by a scalar on the next line
                raise Unsupported(f"line {lineno}: scalar value on its own line")
            self.marks[path] = Mark(self._file, lineno, col + 1)
            container[key] = self._value(text, col, lineno, path)
            return None

    def _add_item(self, frame: _SeqFrame, text: str, lineno: int) -> _Pending | None:
        seq = frame[1]
        index = len(seq)
        seq.append(None)
        path = frame[2] + (index,)
        content = text[1:].lstrip(" ")
        if not content or content[0] == "#":
            # PyYAML marks an empty item just after its '-'.
            self.marks[path] = Mark(self._file, lineno, frame[0] + 2)
            return (seq, index, path, frame[0], False)
        return self._place(content, frame[0] + len(text) - len(content), lineno, seq, index, path)

    def _add_entry(
        self, mapping: dict[Scalar, Node], owner: KeyPath, entry: tuple[str, bool, str, int], col: int, lineno: int
    ) -> _Pending | None:
        key_text, plain, value_text, offset = entry
        key = self._scalar(key_text) if plain else key_text
        path = owner + (key,)
        if key in mapping:
            self._duplicate(key_text, path, lineno, col)
        else:
            self.marks[path] = Mark(self._file, lineno, col + 1)
        value = value_text.lstrip(" ")
        if not value or value[0] == "#":
            mapping[key] = None
            return (mapping, key, path, col, True)
        offset += len(value_text) - len(value)
        mapping[key] = self._value(value, col + offset, lineno, path)
        return None

    def _value(self, text: str, col: int, lineno: int, path: KeyPath) -> Node:
        """Build the one-line value `text` (stripped at the left; may end in a
        comment) that starts at column `col`."""
        first = text[0]
        if first == "[" or first == "{":
            template = self._flow_template(text, col)
            if template is not None:
                return self._build_flow(template, lineno, path)
            value, end = self._flow(text, 0, col, lineno, path)
            check_line_end(text, end)
            return value
        if first == "'" or first == '"':
            value, end = scan_quoted(text, 0)
            check_line_end(text, end)
            return value
        return self._plain(text, col)

    def _plain(self, text: str, col: int) -> Scalar:
        """Build the plain scalar `text` (stripped at the left; may end in a
        comment) that starts at 0-based column `col`."""
        comment = text.find(" #")
        if comment >= 0:
            text = text[:comment]
        text = text.rstrip(" ")
        if not plain_start_ok(text) or ": " in text or text[-1] == ":":
            raise Unsupported(f"column {col + 1}: unsupported plain scalar {text!r}")
        return self._scalar(text)


def parse(text: str, file: str, max_entries: int = MAX_ENTRIES) -> FastResult:
    """Parse `text` (one YAML document) or raise Unsupported, or LimitExceeded when
    the document is beyond a bound of `rostersync.roster.limits` (with at most
    `max_entries` keys and list items)."""
    # The parse allocates hundreds of thousands of containers and no cycles:
    # without this, the cyclic GC runs over and over and it takes twice as long.
    with gc_paused():
        return FastParser(file, max_entries).parse(text)

