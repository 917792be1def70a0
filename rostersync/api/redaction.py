"""Keeping secrets (the API key, sso_key values) out of text meant for people.

A secret may come back from a server in another form than it was sent: percent-encoded
(``%2F`` or ``%2f`` for ``/``, ``+`` or ``%20`` for a space), JSON-escaped (``\\/``,
``\\"``, ``\\u00e9``) or as Python's ``repr`` shows it (``\\'``).  The pattern of a
secret accepts every form of every character, mixed, so each of them is removed.

Redaction comes before any cutting: a secret cut in two by a length limit is no longer
found, and its first part would leak.  :meth:`Redactor.shorten` and
:meth:`Redactor.describe` therefore redact the whole text, then cut.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["REDACTED", "Redactor", "cut"]

REDACTED = "<redacted>"
_SHORT_SECRET = 8  # shorter ones are matched only as a whole token
_MAX_FORM_CHARS = 12  # the longest form of one character: a surrogate pair, or %XX x 4


class Redactor:
    """Removes secrets (the API key, sso_key values) from text meant for people."""

    def __init__(self, secrets: Iterable[str]) -> None:
        secrets = [s for s in secrets if s]
        self._patterns = [_secret_pattern(s) for s in secrets]
        self._longest = max((len(s) for s in secrets), default=0)

    def with_more(self, secrets: Iterable[str]) -> Redactor:
        copy = Redactor(())
        secrets = [s for s in secrets if s]
        copy._patterns = self._patterns + [_secret_pattern(s) for s in secrets]
        copy._longest = max([self._longest, *(len(s) for s in secrets)])
        return copy

    @property
    def longest_form(self) -> int:
        """The most characters one secret can take in any of its forms (``\\uXXXX\\uXXXX``
        or four ``%XX`` per character): a text cut anywhere holds a cut secret, if
        any, within that many characters of its end."""
        return _MAX_FORM_CHARS * self._longest

    def __call__(self, text: str) -> str:
        for pattern in self._patterns:
            text = pattern.sub(REDACTED, text)
        return text

    def shorten(self, text: str, limit: int) -> str:
        """``text`` redacted, then cut to at most ``limit`` characters."""
        return cut(self(text), limit)

    def describe(self, value: Any, limit: int = 60) -> str:
        """``repr(value)`` redacted, then cut: for a value quoted in a message."""
        return self.shorten(repr(value), limit)


def cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ``...`` marking a cut."""
    return text if len(text) <= limit else text[: max(0, limit - 3)] + "..."


def _secret_pattern(secret: str) -> re.Pattern[str]:
    # A long secret is removed wherever it appears; a short one (test keys like "k")
    # only as a whole token, or every word containing that letter would be mangled.
    body = "".join(_char_pattern(char) for char in secret)
    if len(secret) >= _SHORT_SECRET:
        return re.compile(body)
    return re.compile(rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])")


def _char_pattern(char: str) -> str:
    """Every form in which ``char`` may come back, as one regex group."""
    forms = {re.escape(char)}
    encoded = char.encode("utf-8")
    forms.add("(?i:" + "".join(f"%{byte:02x}" for byte in encoded) + ")")  # percent, either case
    forms.add("(?i:" + "".join(rf"\\u{unit:04x}" for unit in _utf16_units(char)) + ")")  # JSON \uXXXX
    if char in "\"\\/'":
        forms.add(re.escape("\\" + char))  # JSON (and PHP's \/) or repr escapes
    if char == " ":
        forms.add(r"\+")  # form encoding
    if len(encoded) == 1 and not char.isprintable():
        forms.add(rf"(?i:\\x{ord(char):02x})")  # repr of a control character
    return "(?:" + "|".join(sorted(forms, key=len, reverse=True)) + ")"


def _utf16_units(char: str) -> list[int]:
    data = char.encode("utf-16-be")
    return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]
