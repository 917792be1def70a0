"""What the engine needs of an API backend: the one seam between `plan/` and `api/`.

The engine never imports a backend, and never knows which one runs. It states here,
as protocols, the little it uses: an operator record (`LiveRecord`), a listing
(`OperatorLister`, for reading the account), the writes (`OperatorWriter`, for
apply), and what the backend can express (`Capable`: its
`rostersync.capabilities.Capabilities`, so a roster it cannot carry is refused
before anything is read or sent). `OperatorBackend` is all of it: what
`plan_roster` and `apply_plan` are given. Both backends satisfy it as they are,
`rostersync.api.IAdvizeClient` (REST) and `rostersync.api.graphql.GraphQLBackend`,
each returning `rostersync.api.OperatorRecord`s with the REST field names; mypy
checks that wherever the CLI hands one to the engine. Tests may pass anything else
that does.

Record members are read-only properties: a frozen dataclass (as `OperatorRecord`
is) matches a protocol property, not a settable protocol attribute.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from rostersync.capabilities import Capabilities

ApiFilters = Mapping[str, "str | int"]  # a listing's filters: API parameter -> value


class LiveRecord(Protocol):
    """An operator as read from the API."""

    @property
    def id(self) -> int: ...

    @property
    def fields(self) -> Mapping[str, Any]:
        """API field name -> value, holding only the fields the server returned."""
        ...

    @property
    def problems(self) -> tuple[str, ...]:
        """What could not be read in the reply, for a person (the plan warns of it)."""
        ...


class OperatorLister(Protocol):
    """What planning needs: the operators matching some filters, in one listing."""

    def list_operators(self, filters: ApiFilters | None = None, *, full: bool = True) -> Sequence[LiveRecord]: ...


class NamedTreeItem(Protocol):
    """A skill or a group: skills and groups are trees through ``parent_id``."""

    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def parent_id(self) -> int | None: ...


class WebsiteItem(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def label(self) -> str: ...

    @property
    def url(self) -> str: ...


class ReferenceLister(Protocol):
    """Optional: the listings that resolve a roster's names of skills, groups and websites
    (`rostersync.plan.references`). A backend may have some, all or none of them; a kind
    it cannot list takes no names (its `Capabilities.named_references`), and its ids
    are not checked. The REST client has all three."""

    def list_skills(self) -> Sequence[NamedTreeItem]: ...

    def list_groups(self) -> Sequence[NamedTreeItem]: ...

    def list_websites(self) -> Sequence[WebsiteItem]: ...


class OperatorWriter(Protocol):
    """What apply needs: the writes, and the reads that check a write whose reply was lost."""

    def create_operator(self, fields: Mapping[str, Any]) -> LiveRecord: ...

    def update_operator(self, operator_id: int, fields: Mapping[str, Any]) -> LiveRecord | None: ...

    def delete_operator(self, operator_id: int) -> None: ...

    def find_operator_by_email(self, email: str) -> LiveRecord | None: ...

    def get_operator(self, operator_id: int) -> LiveRecord: ...


class Capable(Protocol):
    """A backend's declaration of what it can express."""

    @property
    def capabilities(self) -> Capabilities: ...


class OperatorBackend(OperatorLister, OperatorWriter, Capable, Protocol):
    """The one interface between the engine and an API backend: list the operators in
    scope, create, update, delete, look one up (by email or id), and what it can express."""
