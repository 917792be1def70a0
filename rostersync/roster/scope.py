"""A roster's scope: which live operators it owns (those of a website, a group, or both)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """The scope of a roster, as its files give it (`scope:`), or of a saved plan.

    ``website`` and ``group`` are ids, or names until planning resolves them
    (rostersync.plan.references); None means any.
    """

    website: int | str | None = None
    group: int | str | None = None

    def as_api_filters(self) -> dict[str, int | str]:
        """The scope as the API's query parameters (``website_id``, ``group_id``)."""
        pairs = (("website_id", self.website), ("group_id", self.group))
        return {key: value for key, value in pairs if value is not None}
