"""Keeping secrets (the API key, sso_key values) out of text meant for people."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["Redactor"]


class Redactor:
    """Removes secrets (the API key, sso_key values) from text meant for people."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._patterns = [_secret_pattern(s) for s in secrets if s]

    def with_more(self, secrets: Iterable[str]) -> Redactor:
        copy = Redactor(())
        copy._patterns = self._patterns + [_secret_pattern(s) for s in secrets if s]
        return copy

    def __call__(self, text: str) -> str:
        for pattern in self._patterns:
            text = pattern.sub("<redacted>", text)
        return text


def _secret_pattern(secret: str) -> re.Pattern[str]:
    # A long secret is removed wherever it appears; a short one (test keys like "k")
    # only as a whole token, or every word containing that letter would be mangled.
    escaped = re.escape(secret)
    if len(secret) >= 8:
        return re.compile(escaped)
    return re.compile(rf"(?<![A-Za-z0-9]){escaped}(?![A-Za-z0-9])")
