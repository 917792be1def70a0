"""The account's skills, groups and websites: ``GET /skill``, ``GET /group``, ``GET /website``.

Read only, as the documentation has had them since 2020 (their POST, PUT and DELETE
were removed from it). Every sandbox holds the demo account's catalog (below), with
or without the demo team: the operators of a test come and go, the account's
configuration stays. A test may replace it (``sandbox.store.catalog = Catalog(...)``).
Not persisted in the state file: it is never written.

Choices where the documentation is silent:
- A root skill or group has ``parent_id`` null; a group's ``parent_list`` lists its
  ancestors from the root down.
- Names are not unique: under different parents a name may repeat (the demo has
  two "Delivery" skills and two "Night shift" groups), as nothing documented forbids.
- ``filters[parent_id]`` (skills, groups) and ``filters[operator_id]`` (skills) are
  read; any other filter is ignored. Paginated like ``GET /operator``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rostersync.sandbox.validation import InvalidFields

__all__ = ["DEMO_GROUPS", "DEMO_SKILLS", "DEMO_WEBSITES", "Catalog", "CatalogGroup", "CatalogSkill",
           "CatalogWebsite"]

_CREATED = "2023-01-09 09:30:00"


@dataclass(frozen=True)
class CatalogSkill:
    id: int
    name: str
    parent_id: int | None = None
    order: int = 0


@dataclass(frozen=True)
class CatalogGroup:
    id: int
    name: str
    parent_id: int | None = None


@dataclass(frozen=True)
class CatalogWebsite:
    id: int
    label: str
    url: str
    language_admin: str = "fr"
    currency: str = "EUR"
    timezone: str = "Europe/Paris"
    client_id: int = 42


# Ids 101-103, 7 and 123/456 are those of examples/operators.yaml and the demo team.
DEMO_SKILLS: tuple[CatalogSkill, ...] = (
    CatalogSkill(100, "Sales", None, 1),
    CatalogSkill(101, "Lighting advice", 100, 1),
    CatalogSkill(102, "Orders", 100, 2),
    CatalogSkill(106, "Delivery", 100, 3),
    CatalogSkill(110, "After-sales", None, 2),
    CatalogSkill(103, "Returns", 110, 1),
    CatalogSkill(104, "Billing", 110, 2),
    CatalogSkill(105, "Delivery", 110, 3),
)
DEMO_GROUPS: tuple[CatalogGroup, ...] = (
    CatalogGroup(1, "Maison Lumiere"),
    CatalogGroup(7, "Paris desk", 1),
    CatalogGroup(8, "Bordeaux desk", 1),
    CatalogGroup(9, "Lyon desk", 1),
    CatalogGroup(2, "Night shift", 7),
    CatalogGroup(4, "Night shift", 9),
)
DEMO_WEBSITES: tuple[CatalogWebsite, ...] = (
    CatalogWebsite(123, "Maison Lumiere FR", "https://www.maison-lumiere.fr/"),
    CatalogWebsite(456, "Maison Lumiere EN", "https://www.maison-lumiere.com/", "en", "GBP", "Europe/London"),
    CatalogWebsite(789, "Maison Lumiere DE", "https://www.maison-lumiere.de", "de"),
)


@dataclass
class Catalog:
    """The skills, groups and websites of one sandbox account."""

    skills: Sequence[CatalogSkill] = field(default=DEMO_SKILLS)
    groups: Sequence[CatalogGroup] = field(default=DEMO_GROUPS)
    websites: Sequence[CatalogWebsite] = field(default=DEMO_WEBSITES)

    def list_skills(self, filters: Mapping[str, Any], skill_ids_of_operator: Sequence[int] | None) -> list[
            dict[str, Any]]:
        """Skills in API shape; ``skill_ids_of_operator`` narrows them for ``filters[operator_id]``."""
        parent = _int_filter(filters, "parent_id")
        return [
            {"id": s.id, "name": s.name, "order": s.order, "created_at": _CREATED, "parent_id": s.parent_id}
            for s in self.skills
            if (parent is None or s.parent_id == parent)
            and (skill_ids_of_operator is None or s.id in skill_ids_of_operator)
        ]

    def list_groups(self, filters: Mapping[str, Any]) -> list[dict[str, Any]]:
        parent = _int_filter(filters, "parent_id")
        by_id = {g.id: g for g in self.groups}
        return [
            {"id": g.id, "name": g.name, "created_at": _CREATED, "parent_id": g.parent_id,
             "parent_list": _ancestors(g, by_id)}
            for g in self.groups
            if parent is None or g.parent_id == parent
        ]

    def list_websites(self) -> list[dict[str, Any]]:
        return [
            {"id": w.id, "url": w.url, "label": w.label, "client_id": w.client_id, "currency": w.currency,
             "language_admin": w.language_admin, "timezone": w.timezone}
            for w in self.websites
        ]


def _ancestors(group: CatalogGroup, by_id: Mapping[int, CatalogGroup]) -> list[int]:
    found: list[int] = []
    parent = group.parent_id
    while parent is not None and parent in by_id and parent not in found:
        found.append(parent)
        parent = by_id[parent].parent_id
    return list(reversed(found))


def _int_filter(filters: Mapping[str, Any], name: str) -> int | None:
    raw = filters.get(name)
    if raw is None:
        return None
    text = str(raw).strip()
    if not text.isdigit():
        raise InvalidFields([f"Invalid value for filter {name!r}: must be an integer."])
    return int(text)
