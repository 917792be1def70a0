"""Scanning the one-line pieces of the fast YAML parser's subset (see `_yaml_fast`):
the characters it accepts, quoted and plain scalars, block mapping entries.

Plain scalars are resolved with PyYAML's own implicit resolvers and built with
its own SafeConstructor, so ``yes``, ``012``, ``1:30`` or ``2024-01-02`` come
out exactly as PyYAML makes them; a per-document cache makes this cheap, since
roster values repeat a lot (``true``, ``fr``, ``operator`` ...).
"""

from __future__ import annotations

import datetime
import re
from enum import Enum
from typing import Any, Final, NoReturn

from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from rostersync.roster.limits import CONTROL_IN_VALUE, MAX_VALUE_CHARS, VALUE_TOO_LONG
from rostersync.roster.positions import KeyPath

# What a plain scalar is built into (SafeConstructor's str, int, float, bool, null
# and timestamp; a datetime is a date). Also the type of every mapping key.
Scalar = str | int | float | bool | datetime.date | None
# A node as SafeConstructor builds it: a Scalar, or a list or dict of nodes.
Node = Any


class Unsupported(Exception):
    """The document uses YAML outside the fast parser's subset."""


class LimitExceeded(Exception):
    """The document goes beyond a bound of `rostersync.roster.limits`: a problem to
    report, not a reason to try PyYAML. `line` 0 means "the line being parsed", and
    then `written` (how the value starts in it) places the column."""

    def __init__(self, message: str, *, path: KeyPath = (), line: int = 0, column: int = 0, written: str = "") -> None:
        super().__init__(message)
        self.message, self.path, self.line, self.column, self.written = message, path, line, column, written


# Everything the fast path lets through: LF, printable ASCII without tab, and the
# printable non-ASCII range minus the characters PyYAML treats specially (NEL,
# LS, PS, BOM), the ones it rejects (surrogates, U+FFFE/U+FFFF) and the bidi
# controls (U+202A-U+202E, U+2066-U+2069), which the fallback reports. With the
# control characters that escapes make also left to the fallback (`scan_quoted`), no
# key or value the fast path returns holds a control character.
_OUTSIDE_SUBSET = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202f-\u2065\u206a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_OUTSIDE_SUBSET_ASCII = re.compile("[^\n\x20-\x7e]")
# Characters that cannot start a plain scalar (PyYAML's `check_plain`).
INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# Unrolled ("normal* (special normal*)*"), so that the regex engine keeps no state for
# each character, only for each '' or escape.
_SINGLE_QUOTED = re.compile(r"'([^']*(?:''[^']*)*)'")
_DOUBLE_QUOTED = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"')
# A quoted scalar is looked for this far only: the longest that a value within
# MAX_VALUE_CHARS can be written (\UXXXXXXXX is 10 characters for one).
_QUOTED_WINDOW = 10 * (MAX_VALUE_CHARS + 1) + 2
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_ESCAPES = {
    "0": "\0", "a": "\x07", "b": "\x08", "t": "\t", "n": "\n", "v": "\x0b",
    "f": "\x0c", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "\\": "\\",
    "/": "/", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
MAX_SIMPLE_KEY = 1000  # PyYAML refuses implicit keys longer than 1024 characters


class _Missing(Enum):  # an enum, so that `is MISSING` narrows types
    MISSING = "not in a cache"


MISSING: Final = _Missing.MISSING


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
        except (ValueError, OverflowError):  # beyond U+10FFFF (or a C int): PyYAML fails on it too
            raise Unsupported("invalid escape code") from None
    if code not in _ESCAPES:
        raise Unsupported(f"unknown escape \\{code}")
    return _ESCAPES[code]


def scan_quoted(text: str, start: int) -> tuple[str, int]:
    """Scan the one-line quoted scalar at `start`; return its value and end offset."""
    end = start + _QUOTED_WINDOW
    if text[start] == "'":
        found = _SINGLE_QUOTED.match(text, start, end)
        if not found:
            _not_closed(text, start, end)
        value = found.group(1).replace("''", "'")
    else:
        found = _DOUBLE_QUOTED.match(text, start, end)
        if not found:
            _not_closed(text, start, end)
        value = found.group(1)
        if "\\" in value:
            value = _ESCAPE.sub(_unescape, value)
            if CONTROL_IN_VALUE.search(value):
                raise Unsupported("a control character written as an escape")
    if len(value) > MAX_VALUE_CHARS:
        raise LimitExceeded(VALUE_TOO_LONG, written=text[start : start + 32])
    return value, found.end()


def _not_closed(text: str, start: int, end: int) -> NoReturn:
    if len(text) > end:  # not closed within the window: too long, on this line alone
        raise LimitExceeded(VALUE_TOO_LONG, written=text[start : start + 32])
    raise Unsupported("quoted scalar not closed on its line")


def is_seq_entry(text: str) -> bool:
    """Whether a stripped line starts with a block sequence entry indicator."""
    return text[0] == "-" and (len(text) == 1 or text[1] == " ")


def plain_start_ok(text: str) -> bool:
    """PyYAML's check_plain in block context, minus the '?x' and ':x' oddities."""
    first = text[0]
    return first not in INDICATORS or (first == "-" and len(text) > 1 and text[1] != " ")


def check_line_end(text: str, end: int) -> None:
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
        if len(text) > MAX_VALUE_CHARS:  # before the resolvers' regexes see it
            raise LimitExceeded(VALUE_TOO_LONG, written=text[:32])
        value: Scalar = text  # most values: construct_yaml_str would return the text as is
        for tag, regexp in self._resolvers.get(text[0], self._default):
            if regexp.match(text):
                value = self._construct(tag, text)
                break
        self.cache[text] = value
        return value

    def _construct(self, tag: str, text: str) -> Scalar:
        # Merge keys (<<) and value keys (=) need PyYAML's mapping logic.
        constructor = SafeConstructor.yaml_constructors.get(tag)
        if constructor is None:
            raise Unsupported(f"plain scalar {text!r} resolves to {tag}")
        try:
            value: Scalar = constructor(self._constructor, ScalarNode(tag, text))
        except Exception as exc:  # noqa: BLE001 - e.g. 2024-13-45: let the fallback report it
            raise Unsupported(f"cannot build {text!r}: {exc}") from None
        return value


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
        if offset > MAX_SIMPLE_KEY:
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
    if not key_text or not plain_start_ok(key_text) or colon > MAX_SIMPLE_KEY:
        raise Unsupported(f"unsupported mapping key {key_text!r}")
    return key_text, True, text[colon + 1 :], colon + 1


def is_marker(stripped: str) -> bool:
    """'---', '...' or '%' at column 0 (document markers, directives): even when
    they are harmless plain scalars, let PyYAML decide."""
    return stripped[0] == "%" or stripped.startswith(("---", "..."))

