"""Text tables for a terminal: cells padded by the columns a terminal gives them.

A wide character (Chinese, Japanese, Korean, most emoji) takes two columns and a
combining mark none, so padding by ``len`` shifts every column after a name such
as 山田 or a decomposed Zoé. Cells are text already made safe by
`rostersync.render.escape.for_terminal` (no control or format character is left).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

__all__ = ["table_lines", "terminal_width"]


def terminal_width(text: str) -> int:
    """The columns `text` takes on a terminal."""
    if text.isascii():
        return len(text)
    return sum(_char_width(char) for char in text)


def _char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def table_lines(rows: Sequence[Sequence[str]], *, right: frozenset[int] = frozenset()) -> list[str]:
    """`rows` as aligned lines, two spaces between columns. The first row is the header,
    left-aligned; below it, the columns in `right` are right-aligned."""
    measured = [[terminal_width(cell) for cell in row] for row in rows]
    widths = [max(column) for column in zip(*measured, strict=True)]
    lines = []
    for index, (row, sizes) in enumerate(zip(rows, measured, strict=True)):
        cells = []
        for column, (cell, size, width) in enumerate(zip(row, sizes, widths, strict=True)):
            fill = " " * (width - size)
            cells.append(fill + cell if index and column in right else cell + fill)
        lines.append("  ".join(cells).rstrip())
    return lines
