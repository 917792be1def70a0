"""What the engine needs of an API client: the seams between `plan/` and `api/`.

The engine never imports the client. It states here, as protocols, the little it
uses: an operator record (`LiveRecord`), a listing (`OperatorLister`, for the plan)
and the writes (`OperatorWriter`, for apply). `rostersync.api.IAdvizeClient` and
its `OperatorRecord` satisfy them as they are; mypy checks that wherever the CLI
hands the real client to the engine. Tests may pass anything else that does.

Record members are read-only properties: a frozen dataclass (as `OperatorRecord`
is) matches a protocol property, not a settable protocol attribute.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

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


class OperatorWriter(Protocol):
    """What apply needs: the writes, and the reads that check a write whose reply was lost."""

    def create_operator(self, fields: Mapping[str, Any]) -> LiveRecord: ...

    def update_operator(self, operator_id: int, fields: Mapping[str, Any]) -> LiveRecord | None: ...

    def delete_operator(self, operator_id: int) -> None: ...

    def find_operator_by_email(self, email: str) -> LiveRecord | None: ...

    def get_operator(self, operator_id: int) -> LiveRecord: ...
