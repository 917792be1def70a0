"""Where each key and list item of a loaded YAML document is written, kept compactly.

A position is one integer, ``line << 32 | column`` (both 0-based), in one array per
document: a 10,000-operator roster has about 215,000 of them, and a `Mark` object and
a key path each would cost 20 times the memory. `Mark`s are made when asked for.
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable, Iterator, Mapping
from typing import Any, Final

from rostersync.roster.positions import KeyPath, Mark

COLUMN_BITS: Final = 32
_COLUMN_MASK: Final = (1 << COLUMN_BITS) - 1


def pack(line: int, column: int) -> int:
    """A position from PyYAML's 0-based line and column."""
    return line << COLUMN_BITS | column


NO_POSITIONS: Final = -1  # a scalar, or what an alias repeats: no positions inside


class Positions(Mapping[KeyPath, Mark]):
    """Where each key and list item of a document is written, by key path: a mapping
    entry where its key is, a list item where its value is; the root () where the
    document starts (1:1 when it is empty). What an alias repeats has positions where
    it is first written only.

    Kept flat, two integers an entry: the entries of each mapping or list are side by
    side in `marks` (where each key or item is written) and `kids` (where the entries
    of its value start, or NO_POSITIONS), in the order of the data's keys or items;
    `root` is where the root's start."""

    def __init__(self, file: str, data: Any, root_mark: int, root: int, marks: array[int], kids: array[int],
                 count: int) -> None:
        self.file, self._data, self._root_mark, self._root = file, data, root_mark, root
        self._marks, self._kids, self._count = marks, kids, count
        # The index of each key of the large mappings looked into, by the mapping's id
        # (with the mapping, which keeps the id its own): a key's index is otherwise a
        # scan of the mapping, and a roster may look up every key of one (its profiles,
        # its keys without a value), which would take a time quadratic in its size.
        self._indexes: dict[int, tuple[dict[Hashable, Any], dict[Hashable, int]]] = {}

    def _mark(self, packed: int) -> Mark:
        return Mark(self.file, (packed >> COLUMN_BITS) + 1, (packed & _COLUMN_MASK) + 1)

    def _walk(self, path: KeyPath) -> tuple[int, int]:
        """(how many parts of `path` have a position, the position of the last)."""
        packed, value, start = self._root_mark, self._data, self._root
        for depth, part in enumerate(path):
            if start == NO_POSITIONS:
                return depth, packed
            index = self._index_in(value, part)
            if index is None:
                return depth, packed
            packed = self._marks[start + index]
            value = value[part]
            start = self._kids[start + index]
        return len(path), packed

    def packed(self, path: KeyPath) -> int | None:
        """The position of `path` as stored, if it has one of its own."""
        found, packed = self._walk(path)
        return packed if found == len(path) else None

    def mark_for(self, path: KeyPath) -> Mark:
        """The mark of `path`, or of its longest prefix that has one (so that a path to
        a missing key points at its parent)."""
        return self._mark(self._walk(path)[1])

    def __getitem__(self, path: KeyPath) -> Mark:
        found, packed = self._walk(path)
        if found < len(path):
            raise KeyError(path)
        return self._mark(packed)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[KeyPath]:
        yield ()
        todo: list[tuple[KeyPath, Any, int]] = [((), self._data, self._root)]
        while todo:
            path, value, start = todo.pop()
            if start == NO_POSITIONS:
                continue
            parts = list(value) if isinstance(value, dict) else range(len(value))
            for index, part in enumerate(parts):
                yield path + (part,)
                todo.append((path + (part,), value[part], self._kids[start + index]))


    def _index_in(self, value: Any, part: Hashable) -> int | None:
        if isinstance(value, dict):
            if part not in value:
                return None
            if len(value) <= _SCANNED:
                return list(value).index(part)
            cached = self._indexes.get(id(value))
            if cached is None or cached[0] is not value or len(cached[1]) != len(value):
                cached = self._indexes[id(value)] = (value, {key: index for index, key in enumerate(value)})
            return cached[1][part]
        if isinstance(value, list) and isinstance(part, int) and not isinstance(part, bool) and 0 <= part < len(value):
            return part
        return None


_SCANNED: Final = 32  # a mapping of at most this many keys is scanned for one (an operator's entry is)
