"""The fields of a roster that a backend cannot express, each pinned to where it is written.

The loader calls :func:`capability_problems` for each operator when it is given a
backend's :class:`~rostersync.capabilities.Capabilities` (``validate --api graphql``,
``plan --api graphql``): the GraphQL API has no ``sso_key``, no ``expert`` role and
one role per user. A field an operator inherits points at the ``defaults`` or
profile key that sets it (the last of its layers that does, as the merge reads
them: defaults, then each profile in order, then the operator's own fields), so a
value shared by many operators is one problem, at the one line to change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from rostersync.capabilities import Capabilities
from rostersync.roster.fields import BY_API
from rostersync.roster.positions import KeyPath, Mark

__all__ = ["RosterFile", "capability_problems"]


class RosterFile(Protocol):
    """A parsed roster file, as the loader holds it: its data and the marks of its keys."""

    data: dict[str, Any]

    def mark(self, path: KeyPath) -> Mark: ...


def capability_problems(capabilities: Capabilities, fields: Mapping[str, Any], file: RosterFile,
                        entry_path: KeyPath, files: Sequence[RosterFile]) -> list[tuple[Mark, KeyPath, str]]:
    """``(mark, key path, message)`` for each field of the operator at ``entry_path`` of
    ``file`` (merged into the field set ``fields``) that ``capabilities`` cannot carry.

    ``files`` are all the roster's files, where its profiles are looked up (the first
    file defining a profile is the one that counts, as for the merge).
    """
    refused = capabilities.problems(fields)
    if not refused:
        return []
    layers = _layers(file, entry_path, files)
    found: list[tuple[Mark, KeyPath, str]] = []
    for api_field, reason in refused:
        spec = BY_API.get(api_field)
        key = spec.roster if spec is not None else (api_field,)
        owner, layer_path = next(((f, p) for f, p, values in reversed(layers) if _has(values, key)), layers[-1][:2])
        path = layer_path + key
        note = "" if layer_path == entry_path else " (inherited from here)"
        found.append((owner.mark(path), path, reason + note))
    return found


def _layers(file: RosterFile, entry_path: KeyPath,
            files: Sequence[RosterFile]) -> list[tuple[RosterFile, KeyPath, Mapping[str, Any]]]:
    """The operator's layers in merge order: (file, key path, values)."""
    entry = _at(file.data, entry_path)
    layers: list[tuple[RosterFile, KeyPath, Mapping[str, Any]]] = [(file, ("defaults",),
                                                                     _mapping(file.data.get("defaults")))]
    names = entry.get("profile")
    for name in [names] if isinstance(names, str) else names if isinstance(names, list) else []:
        owner = next((f for f in files if isinstance(name, str) and name in _mapping(f.data.get("profiles"))), None)
        if owner is not None:
            layers.append((owner, ("profiles", name), _mapping(_mapping(owner.data.get("profiles"))[name])))
    layers.append((file, entry_path, entry))
    return layers


def _at(data: Any, path: KeyPath) -> Mapping[str, Any]:
    node = data
    for part in path:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return {}
    return _mapping(node)


def _has(values: Mapping[str, Any], key: tuple[str, ...]) -> bool:
    node: Any = values
    for part in key:
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
