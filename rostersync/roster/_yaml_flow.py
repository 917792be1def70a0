"""Flow collections (``[a, b]``, ``{k: v}``) on one line, for the fast YAML parser."""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

from rostersync.roster._yaml_scan import (
    MAX_SIMPLE_KEY,
    MISSING,
    LimitExceeded,
    Node,
    PlainScalars,
    Scalar,
    Unsupported,
    scan_quoted,
)
from rostersync.roster.limits import MAX_DEPTH, MAX_VALUE_CHARS, TOO_DEEP, TOO_MANY_ENTRIES, VALUE_TOO_LONG
from rostersync.roster.positions import KeyPath, Mark

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
# How far _flow_template looks for the closing bracket (its entries are at most
# MAX_SIMPLE_KEY long): the regexes above run on a bounded text only.
_TEMPLATE_SPAN = MAX_SIMPLE_KEY + 64

# A flow collection of plain scalars, parsed once per distinct line and built
# afresh (with its marks) at each use: (is a sequence, 1-based column of its
# bracket, entries) with entries (1-based column, value) for sequences, (1-based
# column, key, key text, value) for mappings.
FlowTemplate = (
    tuple[Literal[True], int, tuple[tuple[int, Scalar], ...]]
    | tuple[Literal[False], int, tuple[tuple[int, Scalar, str, Scalar], ...]]
)


class DuplicateKey(NamedTuple):
    path: KeyPath  # path of the mapping + the key
    key_text: str  # the key as written (unquoted)
    mark: Mark  # where the duplicate is
    first_line: int  # line of the first definition


class FlowParser:
    """Parses the flow collections and scalars of one document, recording the marks
    of their entries and the duplicate keys; `FastParser` adds the block structure."""

    def __init__(self, file: str, max_entries: int) -> None:
        self._file = file
        self._max_entries = max_entries  # how many marks (keys and items) this document may have
        self._scalars = PlainScalars()
        self.marks: dict[KeyPath, Mark] = {}
        self.duplicates: list[DuplicateKey] = []

    def _duplicate(self, key_text: str, path: KeyPath, lineno: int, col: int) -> None:
        first_line = self.marks[path].line
        mark = Mark(self._file, lineno, col + 1)
        self.duplicates.append(DuplicateKey(path, key_text, mark, first_line))

    def _scalar(self, text: str) -> Scalar:
        value = self._scalars.cache.get(text, MISSING)
        return self._scalars.build(text) if value is MISSING else value

    def _build_flow(self, template: FlowTemplate, lineno: int, path: KeyPath) -> list[Node] | dict[Scalar, Node]:
        """A fresh collection (and its marks) from a template of _flow_template."""
        if len(path) >= MAX_DEPTH:
            raise LimitExceeded(TOO_DEEP, path=path, line=lineno, column=template[1])
        file, new_mark, marks = self._file, Mark, self.marks
        if template[0]:
            seq: list[Node] = []
            for column, value in template[2]:
                marks[path + (len(seq),)] = new_mark(file, lineno, column)
                seq.append(value)
            return seq
        mapping: dict[Scalar, Node] = {}
        for column, key, key_text, value in template[2]:
            item_path = path + (key,)
            if key in mapping:
                self._duplicate(key_text, item_path, lineno, column - 1)
            else:
                marks[item_path] = new_mark(file, lineno, column)
            mapping[key] = value
        return mapping

    def _flow_template(self, text: str, col: int) -> FlowTemplate | None:
        """Parse a flow collection of plain scalars matching _SIMPLE_FLOW_* (then
        splitting on ',' and ':' is safe), else return None. `col` is the 0-based
        column of text[0]."""
        is_sequence = text[0] == "["
        if text.find("]" if is_sequence else "}", 0, _TEMPLATE_SPAN) < 0:  # (entries cannot hold one)
            return None
        found = (_SIMPLE_FLOW_SEQUENCE if is_sequence else _SIMPLE_FLOW_MAPPING).match(text)
        if not found:
            return None
        inner = found.group(1)
        if len(inner) > MAX_SIMPLE_KEY:  # (so that no key is too long)
            return None
        bracket = col + 1
        column = col + found.start(1) + 1  # 1-based column of inner[0]
        raws = inner.split(",") if inner else []
        if is_sequence:
            items: list[tuple[int, Scalar]] = []
            for raw in raws:
                item = raw.lstrip(" ")
                items.append((column + len(raw) - len(item), self._scalar(item.rstrip(" "))))
                column += len(raw) + 1
            return True, bracket, tuple(items)
        entries: list[tuple[int, Scalar, str, Scalar]] = []
        for raw in raws:
            raw_key, raw_value = raw.split(":")
            key_text = raw_key.lstrip(" ")
            key_column = column + len(raw_key) - len(key_text)
            key_text = key_text.rstrip(" ")
            entries.append((key_column, self._scalar(key_text), key_text, self._scalar(raw_value.strip(" "))))
            column += len(raw) + 1
        return False, bracket, tuple(entries)

    def _flow(self, text: str, pos: int, base: int, lineno: int, path: KeyPath) -> tuple[Node, int]:
        """Parse the flow node at text[pos]; `base` is the column of text[0]."""
        if pos >= len(text):  # the collection goes on on the next line
            raise Unsupported(f"line {lineno}: multi-line flow collection")
        first = text[pos]
        if first == "[" or first == "{":
            if len(path) >= MAX_DEPTH:  # (this also bounds the recursion)
                raise LimitExceeded(TOO_DEEP, path=path, line=lineno, column=base + pos + 1)
            if first == "[":
                return self._flow_sequence(text, pos, base, lineno, path)
            return self._flow_mapping(text, pos, base, lineno, path)
        if first == "'" or first == '"':
            return scan_quoted(text, pos)
        plain, end = self._flow_plain(text, pos, base, lineno)
        return self._scalar(plain), end

    def _flow_plain(self, text: str, pos: int, base: int, lineno: int) -> tuple[str, int]:
        """The flow plain scalar at text[pos] (its text, not built) and its end."""
        # (Matched within a window: the regex keeps state for each character it takes.)
        found = _FLOW_PLAIN.match(text, pos, pos + MAX_VALUE_CHARS + 1)
        if not found:
            raise Unsupported(f"line {lineno}: unsupported flow scalar")
        if found.end() - pos > MAX_VALUE_CHARS:
            raise LimitExceeded(VALUE_TOO_LONG, line=lineno, column=base + pos + 1)
        return found.group(), found.end()

    def _count_entry(self) -> None:
        if len(self.marks) > self._max_entries:
            raise LimitExceeded(TOO_MANY_ENTRIES, line=1, column=1)

    def _flow_sequence(self, text: str, pos: int, base: int, lineno: int, path: KeyPath) -> tuple[list[Node], int]:
        seq: list[Node] = []
        pos = _skip_spaces(text, pos + 1)
        if text.startswith("]", pos):
            return seq, pos + 1
        while True:
            item_path = path + (len(seq),)
            self.marks[item_path] = Mark(self._file, lineno, base + pos + 1)
            self._count_entry()
            value, pos = self._flow(text, pos, base, lineno, item_path)
            seq.append(value)
            pos = _next_flow_entry(text, pos, "]", lineno)
            if pos < 0:
                return seq, -pos

    def _flow_mapping(
        self, text: str, pos: int, base: int, lineno: int, path: KeyPath
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
                key_text, pos = self._flow_plain(text, pos, base, lineno)  # Unsupported: complex keys, empty keys ...
                key: Scalar = self._scalar(key_text)
            else:
                key_text, pos = scan_quoted(text, pos)
                key = key_text
            pos = _skip_spaces(text, pos)
            # `{a, b}` (keys without values) and, after a plain key, `{a :b}` (where
            # PyYAML reads the key 'a :b') are left to PyYAML.
            if not text.startswith(":", pos) or (plain and text[pos + 1 : pos + 2] not in ("", " ", ",", "}")):
                raise Unsupported(f"line {lineno}: unsupported flow mapping entry")
            if pos - (key_col - base) > MAX_SIMPLE_KEY:
                raise Unsupported(f"line {lineno}: flow mapping key too long")
            pos = _skip_spaces(text, pos + 1)
            item_path = path + (key,)
            if key in mapping:
                self._duplicate(key_text, item_path, lineno, key_col)
            else:
                self.marks[item_path] = Mark(self._file, lineno, key_col + 1)
                self._count_entry()
            if pos < len(text) and text[pos] in ",}":
                mapping[key] = None
            elif pos < len(text):
                mapping[key], pos = self._flow(text, pos, base, lineno, item_path)
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

