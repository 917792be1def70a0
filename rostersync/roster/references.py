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

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from rostersync.roster.positions import KeyPath, Mark, format_path

__all__ = ["REFERENCE_FIELDS", "ReferenceKind", "ReferenceUse", "collect_references", "scope_references"]

ReferenceKind = Literal["skill", "group", "website"]

#: The API field each kind of reference is in, and its roster key in an operator.
REFERENCE_FIELDS: dict[ReferenceKind, tuple[str, str]] = {
    "skill": ("skill_list", "skills"),
    "group": ("group_id", "group"),
    "website": ("website_list", "websites"),
}
# The scope's keys, each with its older spelling (rostersync.roster.model.Scope).
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


def collect_references(files: Iterable[_File]) -> tuple[ReferenceUse, ...]:
    """Every reference of every file, in file order (values of the wrong type, already
    reported by the format check, are left out)."""
    return tuple(use for file in files for use in _of_file(file))


def scope_references(uses: Iterable[ReferenceUse]) -> dict[ReferenceKind, ReferenceUse]:
    """The scope's group and website as the roster writes them (the key, as spelled,
    and where): the first file's that has each, which is the roster's scope where the
    files agree (the loader checks that they do)."""
    found: dict[ReferenceKind, ReferenceUse] = {}
    for use in uses:
        if use.in_scope:
            found.setdefault(use.kind, use)
    return found


def _of_file(file: _File) -> Iterator[ReferenceUse]:
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


def _use(file: _File, kind: ReferenceKind, value: Any, path: KeyPath) -> Iterator[ReferenceUse]:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or (isinstance(value, str) and not value.strip()):
        return
    yield ReferenceUse(kind, value, file.mark(path), format_path(path))
