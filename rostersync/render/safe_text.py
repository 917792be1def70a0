"""Text from the API made safe to print: no control character reaches a terminal.

Emails, profile texts and error messages come from the account, and an operator
writes their own profile status. A control character in one (an escape sequence,
a carriage return, a bidirectional override) could rewrite what the terminal shows,
so each is shown escaped instead: ``\\x1b``, ``\\r``, ``\\u202e``.

- :func:`terminal_text` for text and CSV output;
- :func:`json_text` for JSON: ``json.dumps`` escapes only C0 controls, so the rest
  are written as ``\\uXXXX`` escapes, which decode back to the same string;
- :func:`spreadsheet_cell` for CSV: also defuses a cell a spreadsheet would run as
  a formula (``=``, ``+``, ``-``, ``@`` first) with a leading ``'``.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["json_text", "spreadsheet_cell", "terminal_text"]

# C0 and C1 controls and DEL; the bidirectional marks, embeddings, overrides and
# isolates; the line and paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
# What json.dumps leaves as is: all of the above but C0.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_FORMULA_START = ("=", "+", "-", "@")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def terminal_text(value: object) -> str:
    """``str(value)`` with every control character written as an escape."""
    return _UNSAFE.sub(_escape, str(value))


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """``json.dumps(data)``, readable (non-ASCII kept) but with no control character."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def spreadsheet_cell(value: object) -> str:
    """A CSV cell: escaped as :func:`terminal_text`, and never read as a formula."""
    text = terminal_text(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
