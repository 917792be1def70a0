"""The SDL made executable: scalars, the root resolvers, and the views of stored users.

graphql-core's default resolver reads a dict key or an attribute, and calls it when
it is callable; so the root value is a :class:`Root` whose methods are the
``Query`` and ``Mutation`` fields, and a user is presented as a dict (a ``projects``
connection, which takes arguments, as a function). Interfaces are resolved by the
``__typename`` key of each dict.

Choices where the documentation is silent (shared file §8): cursors are opaque
base64 of the last id seen; a bad cursor or a negative ``first`` is a field error
with ``extensions`` ``{"name": "BAD_USER_INPUT", "retryPolicy": "NO_RETRY"}``.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, GraphQLScalarType, GraphQLSchema, build_schema
from graphql.language import ConstValueNode, IntValueNode, StringValueNode

from rostersync.sandbox.graphql.state import MutationRefused, UserState

Info = GraphQLResolveInfo[Any]  # what graphql-core passes every resolver

__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "ErrorScript", "Root", "default_sdl", "load_schema"]

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def default_sdl() -> str:
    """The SDL shipped beside this module (``schema.graphql``)."""
    return resources.files("rostersync.sandbox.graphql").joinpath("schema.graphql").read_text(encoding="utf-8")


def _legacy_id_in(value: Any) -> int:
    if isinstance(value, bool):
        raise GraphQLError("LegacyId cannot represent a boolean")
    try:
        return int(str(value).strip()) if isinstance(value, (int, str)) else int("x")
    except ValueError:
        raise GraphQLError(f"LegacyId cannot represent {value!r}") from None


def _legacy_id_literal(node: ConstValueNode) -> int:
    if isinstance(node, (IntValueNode, StringValueNode)):
        return _legacy_id_in(node.value)
    raise GraphQLError("LegacyId must be an integer or a numeric string")


def load_schema(sdl: str | None = None) -> GraphQLSchema:
    """Build the executable schema from ``sdl`` (default: the shipped SDL)."""
    schema = build_schema(sdl if sdl is not None else default_sdl())
    legacy_id = schema.type_map.get("LegacyId")
    if isinstance(legacy_id, GraphQLScalarType):
        legacy_id.coerce_output_value = int
        legacy_id.coerce_input_value = _legacy_id_in
        legacy_id.coerce_input_literal = _legacy_id_literal
    return schema


def _bad_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"name": "BAD_USER_INPUT", "retryPolicy": "NO_RETRY"})


def _cursor(user_id: int) -> str:
    return base64.b64encode(f"cursor:{user_id}".encode()).decode("ascii")


def _after_id(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        text = base64.b64decode(cursor.encode("ascii"), validate=True).decode("ascii")
        return int(text.removeprefix("cursor:")) if text.startswith("cursor:") else int("x")
    except (binascii.Error, UnicodeError, ValueError):
        raise _bad_input(f"Invalid cursor {cursor!r}") from None


def connection(items: list[dict[str, Any]], first: int | None, after: str | None) -> dict[str, Any]:
    """A forward page of ``items`` (dicts with an ``id``, sorted by it) after a cursor."""
    size = DEFAULT_PAGE_SIZE if first is None else first
    if size < 0:
        raise _bad_input("first must not be negative")
    start = _after_id(after)
    remaining = [item for item in items if int(item["id"]) > start]
    page = remaining[: min(size, MAX_PAGE_SIZE)]
    edges = [{"cursor": _cursor(int(item["id"])), "node": item} for item in page]
    return {"edges": edges, "pageInfo": {
        "startCursor": edges[0]["cursor"] if edges else None,
        "endCursor": edges[-1]["cursor"] if edges else None,
        "hasPreviousPage": start > 0,
        "hasNextPage": len(remaining) > len(page),
    }}


@dataclass(frozen=True)
class ScriptedError:
    message: str
    extensions: Mapping[str, Any]


class ErrorScript:
    """Field errors to raise on purpose: the next N resolutions of a root field fail."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queued: dict[str, deque[ScriptedError]] = {}

    def add(self, field: str, message: str, *, name: str, retry_policy: str | None = "NO_RETRY",
            times: int = 1) -> None:
        extensions = {"name": name, **({"retryPolicy": retry_policy} if retry_policy else {})}
        with self._lock:
            self._queued.setdefault(field, deque()).extend([ScriptedError(message, extensions)] * times)

    def clear(self) -> None:
        with self._lock:
            self._queued.clear()

    def raise_if_scripted(self, field: str) -> None:
        with self._lock:
            queue = self._queued.get(field)
            scripted = queue.popleft() if queue else None
        if scripted is not None:
            raise GraphQLError(scripted.message, extensions=dict(scripted.extensions))


class Root:
    """The ``Query`` and ``Mutation`` fields; graphql-core calls them as ``f(info, **args)``."""

    def __init__(self, state: UserState, errors: ErrorScript) -> None:
        self._state = state
        self._errors = errors

    # --- presenting stored users -----------------------------------------------

    def view(self, user: Mapping[str, Any]) -> dict[str, Any]:
        state = self._state
        projects = [{"id": pid, "name": state.projects.get(pid, "")} for pid in user["projectIds"]]

        def user_projects(_info: Info, first: int | None = None, after: str | None = None,
                          **_ignored: Any) -> dict[str, Any]:
            return connection(projects, first, after)

        role = state.roles.get(user.get("roleId"))  # type: ignore[arg-type]
        group_id = user.get("groupId")
        return {
            **user,
            "__typename": user["typename"],
            "pseudo": user.get("userName"),
            "avatarUrl": user.get("avatar"),
            "skills": [{"id": sid, "name": state.skills.get(sid, "")} for sid in user["skillIds"]],
            "projects": user_projects,
            "role": dict(role) if role else None,
            "group": {"id": group_id, "name": state.groups.get(group_id, "")} if group_id is not None else None,
            "lastLoggedAt": None,
        }

    def _field(self, info: Info) -> None:
        self._errors.raise_if_scripted(info.field_name)

    # --- Query -------------------------------------------------------------------

    def users(self, info: Info, first: int | None = None, after: str | None = None,
              email: str | None = None, groupId: int | None = None, projectId: int | None = None,
              **_ignored: Any) -> dict[str, Any]:
        self._field(info)
        users = self._state.listed(email=email, group_id=groupId, project_id=projectId)
        return connection([self.view(user) for user in users], first, after)

    def user(self, info: Info, userId: int) -> dict[str, Any] | None:
        self._field(info)
        user = self._state.get(userId)
        return self.view(user) if user is not None else None

    def professionalBaseRoles(self, info: Info) -> list[dict[str, Any]]:
        self._field(info)
        counts: dict[int, int] = {}
        for user in self._state.listed():
            if user.get("roleId") is not None:
                counts[user["roleId"]] = counts.get(user["roleId"], 0) + 1
        base = [role for role in self._state.roles.values() if role["name"].upper() == role["baseRoleName"]]
        return [{**role, "userCount": counts.get(role["id"], 0)} for role in base]

    def projects(self, info: Info, first: int | None = None, after: str | None = None,
                 **_ignored: Any) -> dict[str, Any]:
        self._field(info)
        items = [{"id": pid, "name": name} for pid, name in sorted(self._state.projects.items())]
        return connection(items, first, after)

    def project(self, info: Info, projectId: int) -> dict[str, Any] | None:
        self._field(info)
        name = self._state.projects.get(projectId)
        return {"id": projectId, "name": name} if name is not None else None

    # --- Mutation ----------------------------------------------------------------

    def _mutate(self, info: Info, write: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        self._field(info)
        try:
            return {**write(), "userErrors": []}
        except MutationRefused as exc:
            return {"user": None, "userId": None, "userErrors": exc.errors}

    def userCreate(self, info: Info, input: dict[str, Any]) -> dict[str, Any]:
        return self._mutate(info, lambda: {"user": self.view(self._state.create(input))})

    def userUpdate(self, info: Info, input: dict[str, Any]) -> dict[str, Any]:
        return self._mutate(info, lambda: {"user": self.view(self._state.update(input))})

    def userDelete(self, info: Info, input: dict[str, Any]) -> dict[str, Any]:
        return self._mutate(info, lambda: {"userId": self._state.delete(input.get("userId"))})
