"""Where a roster refers to the account's skills, groups and websites, by id or by name.

``skills``, ``websites`` and ``group`` (in ``defaults``, profiles and operators) and
the scope's ``group`` and ``website`` (or their older spellings ``group_id`` and
``website_id``) take an id (an integer) or a name (a string). The loader cannot
check either: only the account knows them. It records each reference where it is
written (:class:`ReferenceUse`, with its mark), and planning resolves names to ids
and checks ids (:mod:`rostersync.plan.references`), so that a problem points at the
line to change, and a name shared through a profile is one problem at the profile.
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, cast, overload

from rostersync.roster.positions import KeyPath, Mark, format_path

__all__ = ["REFERENCE_FIELDS", "ReferenceKind", "ReferenceUse", "ReferenceUses", "collect_references",
           "scope_references"]

ReferenceKind = Literal["skill", "group", "website"]

#: The API field each kind of reference is in, and its roster key in an operator.
REFERENCE_FIELDS: dict[ReferenceKind, tuple[str, str]] = {
    "skill": ("skill_list", "skills"),
    "group": ("group_id", "group"),
    "website": ("website_list", "websites"),
}
# The scope's keys, each with its older spelling (rostersync.roster.checks.OLDER_SCOPE_SPELLINGS).
_SCOPE_KEYS: dict[str, ReferenceKind] = {"group": "group", "group_id": "group",
                                         "website": "website", "website_id": "website"}
_LISTS: dict[str, ReferenceKind] = {"skills": "skill", "websites": "website"}


@dataclass(frozen=True, slots=True)
class ReferenceUse:
    """One id or name the roster writes for a skill, group or website."""

    kind: ReferenceKind
    value: int | str  # an id, or a name as written
    mark: Mark
    path: str  # as messages show it: operators[3].skills[1]

    @property
    def in_scope(self) -> bool:
        return self.path.startswith("scope.")

    @property
    def written(self) -> str:
        """Its key and where it is, for a message about it: ``scope.group at team.yaml:2``."""
        return f"{self.path} at {self.mark.file}:{self.mark.line}"


class _File(Protocol):
    data: dict[str, Any]

    def mark(self, path: KeyPath) -> Mark: ...


_KINDS: tuple[ReferenceKind, ...] = ("skill", "group", "website")
_CONTAINERS = ("scope", "defaults", "profiles", "operators")
_KEYS = ("group", "skills", "websites", "group_id", "website_id", "website")
_BITS = 27  # for an index (of an operator, a profile, a list item), plus one
_LARGEST = (1 << _BITS) - 1  # the first index that does not fit


class ReferenceUses(Sequence[ReferenceUse]):
    """Every reference of a roster, in file order, kept compactly: a large roster has
    three or more per operator, and each as a `ReferenceUse` (its `Mark`, its path as
    text) would cost about 210 bytes where this keeps about 30. A `ReferenceUse` is
    made when one is asked for."""

    def __init__(self) -> None:
        self._kinds = bytearray()
        self._values: list[int | str] = []
        self._files: list[str] = []
        self._file_of = array("I")
        self._marks = array("Q")  # line << 32 | column
        self._paths = array("Q")  # container, key, index + 1, item + 1 (see _pack)
        self._profiles: list[Hashable] = []  # the profile names paths refer to
        self._profile_index: dict[Hashable, int] = {}

    def add(self, kind: ReferenceKind, value: int | str, mark: Mark, path: KeyPath) -> None:
        packed = self._pack(path)  # (first: a path it cannot keep is refused before anything is added)
        if not self._files or self._files[-1] != mark.file:
            self._files.append(mark.file)
        self._kinds.append(_KINDS.index(kind))
        self._values.append(value)
        self._file_of.append(len(self._files) - 1)
        self._marks.append(mark.line << 32 | mark.column)
        self._paths.append(packed)

    def _pack(self, path: KeyPath) -> int:
        container = _CONTAINERS.index(str(path[0]))
        rest = list(path[1:])
        index = -1
        if container == 2:  # profiles: the name
            name = rest.pop(0)
            index = self._profile_index.setdefault(name, len(self._profiles))
            if index == len(self._profiles):
                self._profiles.append(name)
        elif container == 3:  # operators: the position in the list
            index = int(cast(int, rest.pop(0)))
        key = _KEYS.index(str(rest[0]))
        item = int(cast(int, rest[1])) if len(rest) > 1 else -1
        if not (-1 <= index < _LARGEST and -1 <= item < _LARGEST):
            # (Folded into the next field, it would read back as another path. The loader's
            # bounds, limits.MAX_ENTRIES, keep every roster far below.)
            raise OverflowError(f"{format_path(path)}: an index beyond {_LARGEST - 1:,} cannot be kept")
        return (((container << 3 | key) << _BITS | (index + 1)) << _BITS) | (item + 1)

    def _path(self, packed: int) -> KeyPath:
        mask = (1 << _BITS) - 1
        item, index = (packed & mask) - 1, ((packed >> _BITS) & mask) - 1
        key, container = (packed >> 2 * _BITS) & 7, packed >> (2 * _BITS + 3)
        path: list[Hashable] = [_CONTAINERS[container]]
        if container == 2:
            path.append(self._profiles[index])
        elif container == 3:
            path.append(index)
        path.append(_KEYS[key])
        if item >= 0:
            path.append(item)
        return tuple(path)

    def in_scope(self) -> Iterator[ReferenceUse]:
        """The uses in a scope, in order (each file's first: _of_file), made without the others."""
        shift = 2 * _BITS + 3
        return (self[index] for index, packed in enumerate(self._paths) if packed >> shift == 0)

    def kinds_and_values(self) -> Iterator[tuple[ReferenceKind, int | str]]:
        """(kind, value) of each use, in order, without making the uses."""
        return ((_KINDS[kind], value) for kind, value in zip(self._kinds, self._values, strict=True))

    def __len__(self) -> int:
        return len(self._values)

    @overload
    def __getitem__(self, index: int) -> ReferenceUse: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[ReferenceUse, ...]: ...

    def __getitem__(self, index: int | slice) -> ReferenceUse | tuple[ReferenceUse, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        packed = self._marks[index]
        mark = Mark(self._files[self._file_of[index]], packed >> 32, packed & 0xFFFFFFFF)
        return ReferenceUse(_KINDS[self._kinds[index]], self._values[index], mark,
                            format_path(self._path(self._paths[index])))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]  # (mutable while it is collected)

    def __repr__(self) -> str:
        return f"ReferenceUses({list(self)!r})"


def collect_references(files: Iterable[_File]) -> ReferenceUses:
    """Every reference of every file, in file order (values of the wrong type, already
    reported by the format check, are left out)."""
    uses = ReferenceUses()
    for file in files:
        for kind, value, path in _of_file(file):
            uses.add(kind, value, file.mark(path), path)
    return uses


def scope_references(uses: ReferenceUses) -> dict[ReferenceKind, ReferenceUse]:
    """The scope's group and website as the roster writes them (the key, as spelled,
    and where): the first file's that has each, which is the roster's scope where the
    files agree (the loader checks that they do)."""
    found: dict[ReferenceKind, ReferenceUse] = {}
    for use in uses.in_scope():
        found.setdefault(use.kind, use)
    return found


_Found = tuple[ReferenceKind, int | str, KeyPath]  # a reference's kind, its value and where


def _of_file(file: _File) -> Iterator[_Found]:
    data = file.data
    scope = data.get("scope")
    if isinstance(scope, dict):
        for key, kind in _SCOPE_KEYS.items():
            yield from _use(file, kind, scope.get(key), ("scope", key))
    containers: list[tuple[KeyPath, Any]] = [(("defaults",), data.get("defaults"))]
    profiles = data.get("profiles")
    if isinstance(profiles, dict):
        containers.extend((("profiles", name), body) for name, body in profiles.items())
    operators = data.get("operators")
    if isinstance(operators, list):
        containers.extend((("operators", index), entry) for index, entry in enumerate(operators))
    for path, body in containers:
        if not isinstance(body, dict):
            continue
        yield from _use(file, "group", body.get("group"), path + ("group",))
        for key, kind in _LISTS.items():
            items = body.get(key)
            if isinstance(items, list):
                for index, item in enumerate(items):
                    yield from _use(file, kind, item, path + (key, index))


def _use(file: _File, kind: ReferenceKind, value: Any, path: KeyPath) -> Iterator[_Found]:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or (isinstance(value, str) and not value.strip()):
        return
    yield kind, value, path
