"""What a roster may cost to load, and how messages may quote what it holds.

A roster may come from anyone who can open a pull request, and rostersync reads it in
CI with the account's API key at hand. So loading one has bounds, each checked before
the work it bounds (a file's size before it is read, a value's length and a document's
depth while it is parsed), and a message never shows more of a value than a short
excerpt with its control characters escaped, nor anything of a secret.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

MAX_FILE_BYTES: Final = 16 * 2**20  # one roster file (a 10,000-operator roster is about 4 MiB)
MAX_TOTAL_BYTES: Final = 32 * 2**20  # all the files of a roster directory together
MAX_FILES: Final = 1_000  # *.yaml / *.yml files in a roster directory
MAX_VALUE_CHARS: Final = 4_096  # any one key or value, as parsed
MAX_DEPTH: Final = 32  # mappings and lists inside each other (a roster needs 4)
# Keys and list items of a whole roster (a 10,000-operator roster has about 215,000,
# so this allows about 100,000 operators): what bounds its memory, which is about 150
# bytes an entry once parsed (its value, and its position packed in an array).
MAX_ENTRIES: Final = 2_500_000
# The same of the operators once their defaults and profiles are merged in (each
# operator's keys and list items, a list it inherits counted for each operator, as an
# alias is): what bounds the time and memory of making them, which a short profile
# shared by many operators would otherwise multiply (a 1.4 MB roster, 100,000 skills in
# a profile of 20,000 operators, took minutes and gigabytes). A roster needs about 30
# an operator.
MAX_MERGED_ENTRIES: Final = 2 * MAX_ENTRIES
MAX_EMAIL_CHARS: Final = 254  # RFC 5321: a path is at most 256 octets, with its <>
EXCERPT_CHARS: Final = 40  # how much of a value a message may quote

TOO_MANY_MERGED: Final = (f"more than {MAX_MERGED_ENTRIES:,} keys and list items in the operators once their defaults "
                          "and profiles are merged in (in all the roster's files together), the most a roster allows")

# The problems of a document beyond these bounds, as both YAML parsers word them.
VALUE_TOO_LONG: Final = f"a key or value longer than {MAX_VALUE_CHARS:,} characters, the most a roster allows"
TOO_DEEP: Final = f"nested too deeply: more than {MAX_DEPTH} levels of mappings and lists, the most a roster allows"
TOO_MANY_ENTRIES: Final = (f"more than {MAX_ENTRIES:,} keys and list items, the most a roster allows "
                           "(in all its files together)")

# Control characters, which no key or value may hold: C0 (tab and line breaks
# included: no field of a roster is multi-line or tabulated), DEL, C1, the line and
# paragraph separators, and the bidirectional embeddings, overrides and isolates that
# make text read differently from what it is ("Trojan Source").
_BIDI = "\u202a-\u202e\u2066-\u2069"
CONTROL_CHARACTERS: Final = f"\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}"  # as a regex character class's body
CONTROL_IN_VALUE: Final = re.compile(f"[{CONTROL_CHARACTERS}]")
# Control characters that may not be written anywhere in a roster file, comments
# included: the same minus tab and line ends, which YAML itself is written with.
CONTROL_IN_TEXT: Final = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")

_CONTROL_NAMES = {
    "\x00": "NUL", "\x07": "BEL", "\x08": "backspace", "\t": "tab", "\n": "line feed", "\x0b": "vertical tab",
    "\x0c": "form feed", "\r": "carriage return", "\x1b": "ESC", "\x7f": "DEL", "\x85": "next line",
}  # fmt: skip


def escape_character(char: str) -> str:
    """One character as Python would write it in a string literal: ``\\x1b``, ``\\u202e``."""
    return char if char.isprintable() else repr(char)[1:-1]


def describe_character(char: str) -> str:
    """``\\x1b (ESC)``, ``\\u202e (RIGHT-TO-LEFT OVERRIDE)``, ``\\x9b``."""
    name = _CONTROL_NAMES.get(char) or unicodedata.name(char, "")
    return f"{escape_character(char)} ({name})" if name else escape_character(char)


def excerpt(value: str, limit: int = EXCERPT_CHARS) -> str:
    """`value` quoted for a message: its first `limit` characters, control and other
    unprintable characters escaped, then "…" and the length when there is more."""
    if len(value) <= limit:
        return repr(value)
    shown = repr(value[:limit])
    return f"{shown[:-1]}…{shown[-1]} ({len(value):,} characters)"


def printable(text: str, limit: int = EXCERPT_CHARS) -> str:
    """`text` unquoted for a message (a key in a path): escaped and cut like `excerpt`."""
    if text.isprintable() and len(text) <= limit:
        return text
    return repr(text[:limit])[1:-1] + ("…" if len(text) > limit else "")


_QUOTED = re.compile(r"""(['"])(.*?)\1""")
_MAX_MESSAGE_CHARS = 240


def bounded_message(message: str) -> str:
    """A message written by someone else (PyYAML, an exception) made safe to show:
    each quoted part cut like `excerpt`, unprintable characters escaped, and the
    whole at most a few lines' worth."""
    # (Cut first: a message may quote a whole tag or alias name, of any length.)
    message = _QUOTED.sub(lambda m: m[1] + printable(m[2]) + m[1], message[: 8 * _MAX_MESSAGE_CHARS])
    if not message.isprintable():
        message = "".join(c if c.isprintable() else escape_character(c) for c in message)
    return message if len(message) <= _MAX_MESSAGE_CHARS else message[:_MAX_MESSAGE_CHARS] + "…"


def size_text(size: int) -> str:
    """A size in bytes as people read it: ``16 MiB``, ``6 GiB (6,442,450,945 bytes)``."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            whole, rest = divmod(size, scale)
            return f"{whole} {unit}" if not rest else f"{size / scale:.1f} {unit} ({size:,} bytes)"
    return f"{size:,} bytes"
