"""The account's skills, groups and websites, as small records read from the API.

A roster names them (`skills: [Returns]`, `group: Paris desk`, `websites: [Maison
Lumiere FR]`) and rostersync resolves the names to ids when planning
(:mod:`rostersync.plan.references`). The REST API only lists them here (their writes
left the documentation in 2020). Read leniently, as every live record is: only the
``id`` is strict (:class:`~rostersync.api.records.RecordError`); a name, label, url or
parent that cannot be read is ``None`` or ``""``, and such a record simply names
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rostersync.api.records import RecordError
from rostersync.api.redaction import Redactor
from rostersync.api.values import InvalidValue, to_int, to_str

__all__ = ["GroupRecord", "SkillRecord", "WebsiteRecord", "parse_group", "parse_skill", "parse_website"]


@dataclass(frozen=True)
class SkillRecord:
    """A skill (`GET /skill`): skills form a tree through ``parent_id``."""

    id: int
    name: str
    parent_id: int | None = None


@dataclass(frozen=True)
class GroupRecord:
    """A group of operators (`GET /group`): groups form a tree through ``parent_id``."""

    id: int
    name: str
    parent_id: int | None = None


@dataclass(frozen=True)
class WebsiteRecord:
    """A website (`GET /website`), known by its ``label`` and its ``url``."""

    id: int
    label: str
    url: str


def parse_skill(item: Any, *, redact: Redactor | None = None) -> SkillRecord:
    fields = _object(item, redact)
    return SkillRecord(_id(fields, redact), _text(fields.get("name")), _parent(fields.get("parent_id")))


def parse_group(item: Any, *, redact: Redactor | None = None) -> GroupRecord:
    fields = _object(item, redact)
    return GroupRecord(_id(fields, redact), _text(fields.get("name")), _parent(fields.get("parent_id")))


def parse_website(item: Any, *, redact: Redactor | None = None) -> WebsiteRecord:
    fields = _object(item, redact)
    return WebsiteRecord(_id(fields, redact), _text(fields.get("label")), _text(fields.get("url")))


def _object(item: Any, redact: Redactor | None) -> Mapping[str, Any]:
    if not isinstance(item, Mapping):
        raise RecordError(f"expected an object, got {_describe(item, redact)}")
    return item


def _id(item: Mapping[str, Any], redact: Redactor | None) -> int:
    raw = item.get("id")
    if isinstance(raw, Mapping) and "id" in raw:
        raw = raw["id"]  # as the official PHP client flattens it
    try:
        value = to_int(raw) if raw is not None else 0
    except InvalidValue:
        value = 0
    if value <= 0:
        got = "no id" if "id" not in item else f"id {_describe(item.get('id'), redact)}"
        raise RecordError(f"expected a positive integer 'id', got {got}")
    return value


def _text(raw: Any) -> str:
    try:
        return to_str(raw).strip() if raw is not None else ""
    except InvalidValue:
        return ""


def _parent(raw: Any) -> int | None:
    # A root's parent is null, absent or 0 depending on the endpoint's age.
    try:
        value = to_int(raw) if raw not in (None, "") else None
    except InvalidValue:
        return None
    return value if value is not None and value > 0 else None


def _describe(value: Any, redact: Redactor | None) -> str:
    return (redact if redact is not None else Redactor(())).describe(value, 60)
