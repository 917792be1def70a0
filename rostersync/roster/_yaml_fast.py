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
BOMs, ...) is left to PyYAML.

Plain scalars are resolved with PyYAML's own implicit resolvers and built with
its own SafeConstructor, so ``yes``, ``012``, ``1:30`` or ``2024-01-02`` come
out exactly as PyYAML makes them; a per-document cache makes this cheap, since
roster values repeat a lot (``true``, ``fr``, ``operator`` ...).
"""

from __future__ import annotations

import datetime
import re
from enum import Enum
from typing import Any, Final, Literal, NamedTuple, overload

from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from rostersync.roster.gc_pause import gc_paused
from rostersync.roster.positions import KeyPath, Mark

# What a plain scalar is built into (SafeConstructor's str, int, float, bool, null
# and timestamp; a datetime is a date). Also the type of every mapping key.
Scalar = str | int | float | bool | datetime.date | None
# A node as SafeConstructor builds it: a Scalar, or a list or dict of nodes.
Node = Any
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


class Unsupported(Exception):
    """The document uses YAML outside the fast parser's subset."""


class DuplicateKey(NamedTuple):
    path: KeyPath  # path of the mapping + the key
    key_text: str  # the key as written (unquoted)
    mark: Mark  # where the duplicate is
    first_line: int  # line of the first definition


class FastResult(NamedTuple):
    data: Node
    marks: dict[KeyPath, Mark]
    duplicates: list[DuplicateKey]


# Everything the fast path lets through: LF, printable ASCII without tab, and the
# printable non-ASCII range minus the characters PyYAML treats specially (NEL,
# LS, PS, BOM) and the ones it rejects (surrogates, U+FFFE/U+FFFF).
_OUTSIDE_SUBSET = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_OUTSIDE_SUBSET_ASCII = re.compile("[^\n\x20-\x7e]")
# Characters that cannot start a plain scalar (PyYAML's `check_plain`).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# Values the inline `key: value` path leaves to the general code (flow
# collections, which it handles, excepted).
_SLOW_VALUE_START = (_INDICATORS - {"[", "{"}) | {" "}
# A plain scalar inside a flow collection: starts like `check_plain` says (in flow
# context only '-' + non-space may start with an indicator), stops at a flow
# indicator, at ': ', before ' #', and at '?' (which PyYAML treats as a key
# indicator there). Anything it stops on that the flow parser does not expect
# makes the line unsupported.
_FLOW_PLAIN = re.compile(
    r"""(?: [^ \-?:,\[\]{}\#&*!|>'"%@`] | -(?=[^ ]) )
        (?: [^ :,\[\]{}?] | :(?=[^ ,\[\]{}]) | [ ]+(?=[^ ,\[\]{}\#:?]) )*""",
    re.X,
)
# One-line flow collections of plain scalars without quotes, '#', '?', ':' or
# nesting, followed by nothing or a comment: the common case. Once one of these
# matches, splitting on ',' (and ':') gives the entries; no further checks.
_SIMPLE_ITEM = r"(?:[^-?:,\[\]{}#&*!|>'\"%@` ]|-[^ ,\[\]{}#'\"?:])[^,\[\]{}#'\"?:]*"
_SIMPLE_ENTRY = _SIMPLE_ITEM + ": +" + _SIMPLE_ITEM
_SIMPLE_FLOW_SEQUENCE = re.compile(rf"\[ *((?:{_SIMPLE_ITEM}(?:, *{_SIMPLE_ITEM})*)?)\](?: *| +#.*)$")
_SIMPLE_FLOW_MAPPING = re.compile(rf"\{{ *((?:{_SIMPLE_ENTRY}(?:, *{_SIMPLE_ENTRY})*)?)\}}(?: *| +#.*)$")
_SINGLE_QUOTED = re.compile(r"'((?:[^']|'')*)'")
_DOUBLE_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_ESCAPES = {
    "0": "\0", "a": "\x07", "b": "\x08", "t": "\t", "n": "\n", "v": "\x0b",
    "f": "\x0c", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "\\": "\\",
    "/": "/", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_MAX_FLOW_DEPTH = 64
_MAX_SIMPLE_KEY = 1000  # PyYAML refuses implicit keys longer than 1024 characters


# Sentinels, one enum each so that `is` checks narrow their types.
class _Missing(Enum):
    MISSING = "not in a cache"


class _Blank(Enum):
    BLANK = "a blank or comment-only line"


_MISSING: Final = _Missing.MISSING
_BLANK: Final = _Blank.BLANK


def check_text(text: str) -> str:
    """Return `text` with CRLF line ends as LF, or raise if it has characters
    (tabs, other line breaks, control characters, BOM ...) outside the subset."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    pattern = _OUTSIDE_SUBSET_ASCII if text.isascii() else _OUTSIDE_SUBSET
    found = pattern.search(text)
    if found:
        raise Unsupported(f"character {found.group()!r} at offset {found.start()}")
    return text


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if len(code) > 1:
        try:
            return chr(int(code[1:], 16))
        except ValueError:  # beyond U+10FFFF: PyYAML fails on it too
            raise Unsupported("invalid escape code") from None
    if code not in _ESCAPES:
        raise Unsupported(f"unknown escape \\{code}")
    return _ESCAPES[code]


def scan_quoted(text: str, start: int) -> tuple[str, int]:
    """Scan the one-line quoted scalar at `start`; return its value and end offset."""
    if text[start] == "'":
        found = _SINGLE_QUOTED.match(text, start)
        if not found:
            raise Unsupported("single-quoted scalar not closed on its line")
        return found.group(1).replace("''", "'"), found.end()
    found = _DOUBLE_QUOTED.match(text, start)
    if not found:
        raise Unsupported("double-quoted scalar not closed on its line")
    raw = found.group(1)
    return (_ESCAPE.sub(_unescape, raw) if "\\" in raw else raw), found.end()


def is_seq_entry(text: str) -> bool:
    """Whether a stripped line starts with a block sequence entry indicator."""
    return text[0] == "-" and (len(text) == 1 or text[1] == " ")


def _plain_start_ok(text: str) -> bool:
    """PyYAML's check_plain in block context, minus the '?x' and ':x' oddities."""
    first = text[0]
    return first not in _INDICATORS or (first == "-" and len(text) > 1 and text[1] != " ")


def _check_line_end(text: str, end: int) -> None:
    """After a quoted scalar or flow collection only a comment may follow."""
    rest = text[end:]
    if rest:
        stripped = rest.lstrip(" ")
        if stripped and (stripped[0] != "#" or len(stripped) == len(rest)):
            raise Unsupported("unexpected text after a quoted scalar or flow collection")


class PlainScalars:
    """Builds plain scalars the way PyYAML's SafeLoader does, with a cache."""

    def __init__(self) -> None:
        resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = Resolver.yaml_implicit_resolvers
        wildcard = resolvers.get(None, [])
        # By first character, as Resolver.resolve looks them up.
        self._resolvers = {first: [*found, *wildcard] for first, found in resolvers.items() if first is not None}
        self._default = wildcard
        self._constructor = SafeConstructor()
        self.cache: dict[str, Scalar] = {}

    def build(self, text: str) -> Scalar:
        """Build the plain scalar `text` (non-empty, already stripped)."""
        tag = self._implicit_tag(text)
        if tag is None:  # most values: construct_yaml_str would return the text as is
            self.cache[text] = text
            return text
        # Merge keys (<<) and value keys (=) need PyYAML's mapping logic.
        constructor = SafeConstructor.yaml_constructors.get(tag)
        if constructor is None:
            raise Unsupported(f"plain scalar {text!r} resolves to {tag}")
        try:
            value: Scalar = constructor(self._constructor, ScalarNode(tag, text))
        except Exception as exc:  # noqa: BLE001 - e.g. 2024-13-45: let the fallback report it
            raise Unsupported(f"cannot build {text!r}: {exc}") from None
        self.cache[text] = value
        return value

    def _implicit_tag(self, text: str) -> str | None:
        """The tag of the first implicit resolver that matches `text`, None for a string."""
        for tag, regexp in self._resolvers.get(text[0], self._default):
            if regexp.match(text):
                return tag
        return None


def split_entry(text: str) -> tuple[str, bool, str, int] | None:
    """Split a stripped line (or item content) that is a block mapping entry.

    Returns (key text, key is plain, value text, offset of the value text), or
    None when `text` is not a mapping entry (then it must be a lone scalar).
    """
    if text[0] in "'\"":
        key_text, end = scan_quoted(text, 0)
        rest = text[end:].lstrip(" ")
        if not rest or rest[0] != ":" or (len(rest) > 1 and rest[1] != " "):
            return None
        offset = len(text) - len(rest) + 1
        if offset > _MAX_SIMPLE_KEY:
            raise Unsupported("mapping key too long")
        return key_text, False, text[offset:], offset
    colon = text.find(": ")
    if colon < 0:
        if text[-1] != ":":
            return None
        colon = len(text) - 1
    head = text[:colon]
    if " #" in head:  # the ':' is inside a comment
        return None
    key_text = head.rstrip(" ")
    if not key_text or not _plain_start_ok(key_text) or colon > _MAX_SIMPLE_KEY:
        raise Unsupported(f"unsupported mapping key {key_text!r}")
    return key_text, True, text[colon + 1 :], colon + 1


# A flow collection of plain scalars, parsed once per distinct line and built
# afresh (with its marks) at each use: (is a sequence, entries) with entries
# (1-based column, value) for sequences, (1-based column, key, key text, value)
# for mappings.
_FlowTemplate = (
    tuple[Literal[True], tuple[tuple[int, Scalar], ...]]
    | tuple[Literal[False], tuple[tuple[int, Scalar, str, Scalar], ...]]
)
# A `key: value` or `- key: value` line: (indentation of the key, key, key text,
# the plain value, or None and the flow collection of plain values, indentation of
# the '-' or -1).
_SimpleLine = tuple[int, Scalar, str, Scalar, _FlowTemplate | None, int]


class FastParser:
    """Parses one document; see the module docstring for the subset."""

    def __init__(self, file: str) -> None:
        self._file = file
        self._scalars = PlainScalars()
        self.marks: dict[KeyPath, Mark] = {}
        self.duplicates: list[DuplicateKey] = []
        # The bottom frame is a sentinel no line can match (indent -1).
        self._stack: list[_Frame] = [(-1, [], (), False)]

    def parse(self, text: str) -> FastResult:
        root: list[Node] = [None]
        # The root is a pending slot that any line (indent > -1) fills.
        pending: _Pending | None = (root, 0, (), -1, False)
        stack = self._stack
        # Hot loop: locals instead of global and attribute look-ups.
        file, new_mark, marks = self._file, Mark, self.marks
        missing: Final = _MISSING
        blank: Final = _BLANK
        # Roster lines repeat a lot (`    enabled: true`, `    languages: [fr, en]`):
        # each distinct `key: value` line is scanned once, which is what makes
        # this parser fast. Other lines take the general path each time.
        line_cache: dict[str, _SimpleLine | _Blank | None] = {}
        for lineno, line in enumerate(check_text(text).split("\n"), 1):
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
        if stripped[0] in _INDICATORS or stripped[0] == ".":  # '.': maybe '...'
            return None
        colon = stripped.find(": ")
        if not 0 < colon <= _MAX_SIMPLE_KEY:
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
        scalar = self._scalars.cache.get(value, _MISSING)
        if scalar is _MISSING:
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
        if indent == 0 and stripped[0] in "-.%" and _is_marker(stripped):
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

    def _duplicate(self, key_text: str, path: KeyPath, lineno: int, col: int) -> None:
        first_line = self.marks[path].line
        mark = Mark(self._file, lineno, col + 1)
        self.duplicates.append(DuplicateKey(path, key_text, mark, first_line))

    def _scalar(self, text: str) -> Scalar:
        value = self._scalars.cache.get(text, _MISSING)
        return self._scalars.build(text) if value is _MISSING else value

    def _value(self, text: str, col: int, lineno: int, path: KeyPath) -> Node:
        """Build the one-line value `text` (stripped at the left; may end in a
        comment) that starts at column `col`."""
        first = text[0]
        if first == "[" or first == "{":
            template = self._flow_template(text, col)
            if template is not None:
                return self._build_flow(template, lineno, path)
            value, end = self._flow(text, 0, col, lineno, path, 0)
            _check_line_end(text, end)
            return value
        if first == "'" or first == '"':
            value, end = scan_quoted(text, 0)
            _check_line_end(text, end)
            return value
        return self._plain(text, col)

    def _plain(self, text: str, col: int) -> Scalar:
        """Build the plain scalar `text` (stripped at the left; may end in a
        comment) that starts at 0-based column `col`."""
        comment = text.find(" #")
        if comment >= 0:
            text = text[:comment]
        text = text.rstrip(" ")
        if not _plain_start_ok(text) or ": " in text or text[-1] == ":":
            raise Unsupported(f"column {col + 1}: unsupported plain scalar {text!r}")
        return self._scalar(text)

    def _build_flow(self, template: _FlowTemplate, lineno: int, path: KeyPath) -> list[Node] | dict[Scalar, Node]:
        """A fresh collection (and its marks) from a template of _flow_template."""
        file, new_mark, marks = self._file, Mark, self.marks
        if template[0]:
            seq: list[Node] = []
            for column, value in template[1]:
                marks[path + (len(seq),)] = new_mark(file, lineno, column)
                seq.append(value)
            return seq
        mapping: dict[Scalar, Node] = {}
        for column, key, key_text, value in template[1]:
            item_path = path + (key,)
            if key in mapping:
                self._duplicate(key_text, item_path, lineno, column - 1)
            else:
                marks[item_path] = new_mark(file, lineno, column)
            mapping[key] = value
        return mapping

    def _flow_template(self, text: str, col: int) -> _FlowTemplate | None:
        """Parse a flow collection of plain scalars matching _SIMPLE_FLOW_* (then
        splitting on ',' and ':' is safe), else return None. `col` is the 0-based
        column of text[0]."""
        is_sequence = text[0] == "["
        found = (_SIMPLE_FLOW_SEQUENCE if is_sequence else _SIMPLE_FLOW_MAPPING).match(text)
        if not found:
            return None
        inner = found.group(1)
        if len(inner) > _MAX_SIMPLE_KEY:  # (so that no key is too long)
            return None
        column = col + found.start(1) + 1  # 1-based column of inner[0]
        raws = inner.split(",") if inner else []
        if is_sequence:
            items: list[tuple[int, Scalar]] = []
            for raw in raws:
                item = raw.lstrip(" ")
                items.append((column + len(raw) - len(item), self._scalar(item.rstrip(" "))))
                column += len(raw) + 1
            return True, tuple(items)
        entries: list[tuple[int, Scalar, str, Scalar]] = []
        for raw in raws:
            raw_key, raw_value = raw.split(":")
            key_text = raw_key.lstrip(" ")
            key_column = column + len(raw_key) - len(key_text)
            key_text = key_text.rstrip(" ")
            entries.append((key_column, self._scalar(key_text), key_text, self._scalar(raw_value.strip(" "))))
            column += len(raw) + 1
        return False, tuple(entries)

    def _flow(self, text: str, pos: int, base: int, lineno: int, path: KeyPath, depth: int) -> tuple[Node, int]:
        """Parse the flow node at text[pos]; `base` is the column of text[0]."""
        if pos >= len(text):  # the collection goes on on the next line
            raise Unsupported(f"line {lineno}: multi-line flow collection")
        first = text[pos]
        if first == "[" or first == "{":
            if depth >= _MAX_FLOW_DEPTH:
                raise Unsupported(f"line {lineno}: flow collections nested too deeply")
            if first == "[":
                return self._flow_sequence(text, pos, base, lineno, path, depth + 1)
            return self._flow_mapping(text, pos, base, lineno, path, depth + 1)
        if first == "'" or first == '"':
            return scan_quoted(text, pos)
        found = _FLOW_PLAIN.match(text, pos)
        if not found:
            raise Unsupported(f"line {lineno}: unsupported flow scalar")
        return self._scalar(found.group()), found.end()

    def _flow_sequence(
        self, text: str, pos: int, base: int, lineno: int, path: KeyPath, depth: int
    ) -> tuple[list[Node], int]:
        seq: list[Node] = []
        pos = _skip_spaces(text, pos + 1)
        if text.startswith("]", pos):
            return seq, pos + 1
        while True:
            item_path = path + (len(seq),)
            self.marks[item_path] = Mark(self._file, lineno, base + pos + 1)
            value, pos = self._flow(text, pos, base, lineno, item_path, depth)
            seq.append(value)
            pos = _next_flow_entry(text, pos, "]", lineno)
            if pos < 0:
                return seq, -pos

    def _flow_mapping(
        self, text: str, pos: int, base: int, lineno: int, path: KeyPath, depth: int
    ) -> tuple[dict[Scalar, Node], int]:
        mapping: dict[Scalar, Node] = {}
        pos = _skip_spaces(text, pos + 1)
        if text.startswith("}", pos):
            return mapping, pos + 1
        while True:
            key_col = base + pos
            if pos >= len(text):
                raise Unsupported(f"line {lineno}: multi-line flow collection")
            plain = text[pos] not in "'\""
            if plain:
                found = _FLOW_PLAIN.match(text, pos)
                if not found:  # complex keys, empty keys ...
                    raise Unsupported(f"line {lineno}: unsupported flow mapping key")
                key_text, pos = found.group(), found.end()
                key: Scalar = self._scalar(key_text)
            else:
                key_text, pos = scan_quoted(text, pos)
                key = key_text
            pos = _skip_spaces(text, pos)
            # `{a, b}` (keys without values) and, after a plain key, `{a :b}` (where
            # PyYAML reads the key 'a :b') are left to PyYAML.
            if not text.startswith(":", pos) or (plain and text[pos + 1 : pos + 2] not in ("", " ", ",", "}")):
                raise Unsupported(f"line {lineno}: unsupported flow mapping entry")
            if pos - (key_col - base) > _MAX_SIMPLE_KEY:
                raise Unsupported(f"line {lineno}: flow mapping key too long")
            pos = _skip_spaces(text, pos + 1)
            item_path = path + (key,)
            if key in mapping:
                self._duplicate(key_text, item_path, lineno, key_col)
            else:
                self.marks[item_path] = Mark(self._file, lineno, key_col + 1)
            if pos < len(text) and text[pos] in ",}":
                mapping[key] = None
            elif pos < len(text):
                mapping[key], pos = self._flow(text, pos, base, lineno, item_path, depth)
            pos = _next_flow_entry(text, pos, "}", lineno)
            if pos < 0:
                return mapping, -pos


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] == " ":
        pos += 1
    return pos


def _next_flow_entry(text: str, pos: int, closing: str, lineno: int) -> int:
    """After a flow entry: return the start of the next entry, or -(end offset)
    when the collection closes. Trailing commas, comments, line ends and
    single-pair mappings in sequences are left to PyYAML."""
    pos = _skip_spaces(text, pos)
    if text.startswith(closing, pos):
        return -(pos + 1)
    if text.startswith(",", pos):
        pos = _skip_spaces(text, pos + 1)
        if pos < len(text) and text[pos] not in ",]}#":
            return pos
    raise Unsupported(f"line {lineno}: unsupported flow collection syntax")


def _is_marker(stripped: str) -> bool:
    """'---', '...' or '%' at column 0 (document markers, directives): even when
    they are harmless plain scalars, let PyYAML decide."""
    return stripped[0] == "%" or stripped.startswith(("---", "..."))


def parse(text: str, file: str) -> FastResult:
    """Parse `text` (one YAML document) or raise Unsupported."""
    # The parse allocates hundreds of thousands of containers and no cycles:
    # without this, the cyclic GC runs over and over and it takes twice as long.
    with gc_paused():
        return FastParser(file).parse(text)
