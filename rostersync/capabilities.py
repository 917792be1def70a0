"""What an API backend can express: its fields and value sets, declared by the backend.

A leaf beside :mod:`rostersync.api_fields`, importing nothing else of rostersync, so
that every layer may use it: a backend declares its :class:`Capabilities`
(``IAdvizeClient.capabilities``, ``GraphQLBackend.capabilities``); the roster loader
refuses, with ``file:line:col``, the fields a backend cannot carry
(:mod:`rostersync.roster.capability_check`); the engine refuses a roster its backend
cannot carry before it reads anything (:func:`rostersync.plan.workflow.plan_roster`).

Fields are named as in :data:`rostersync.api_fields.API_FIELDS` (the REST API's
names), which is the language of every field set the engine compares.

>>> REST_CAPABILITIES.problems({"roles": ["expert"]})
[]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rostersync.api_fields import API_FIELDS

__all__ = ["REFERENCE_KINDS", "REST_CAPABILITIES", "Capabilities"]

#: The fields that refer to the account's skills, groups and websites, and what they hold.
REFERENCE_KINDS: dict[str, str] = {"skill_list": "skills", "group_id": "groups", "website_list": "websites"}


@dataclass(frozen=True)
class Capabilities:
    """What a backend can express, so a roster it cannot carry is refused before any request.

    ``backend``: its name in messages ("REST", "GraphQL"); ``fields``: the API field
    names it reads and writes; ``value_sets``: the values allowed (each item, for a
    list field), where the backend allows fewer than the roster format; ``max_items``:
    the longest list allowed; ``required_on_create``: fields a create cannot do without.
    """

    backend: str
    fields: frozenset[str]
    value_sets: Mapping[str, frozenset[str]] = field(default_factory=dict)
    max_items: Mapping[str, int] = field(default_factory=dict)
    required_on_create: frozenset[str] = frozenset()
    # The reference fields whose items may be names, which the backend lists to resolve
    # (rostersync.plan.references); elsewhere only ids are taken.
    named_references: frozenset[str] = frozenset(REFERENCE_KINDS)

    def problems(self, fields: Mapping[str, Any], *, creating: bool = False) -> list[tuple[str, str]]:
        """``(api_field, reason)`` for every field of ``fields`` this backend cannot carry.

        A reason never quotes a value of a field the backend lacks (``sso_key`` is a secret).
        Cheap when all is well (a plan of 10,000 operators calls it for each of them).
        """
        found: list[tuple[str, str]] = []
        if not self.fields.issuperset(fields):
            found.extend((name, f"the {self.backend} API has no counterpart for this field "
                                "(leave it out, or use the REST API)") for name in fields if name not in self.fields)
        for name, allowed in self.value_sets.items():
            if name in fields and name in self.fields:
                bad = [str(item) for item in _items(fields[name]) if str(item) not in allowed]
                if bad:
                    found.append((name, f"the {self.backend} API cannot express {', '.join(map(repr, bad))} "
                                        f"(it knows {', '.join(sorted(allowed))})"))
        for name, limit in self.max_items.items():
            if name in fields and name in self.fields and len(_items(fields[name])) > limit:
                found.append((name, f"the {self.backend} API takes at most {limit} value{'s' if limit != 1 else ''} "
                                    f"here, got {len(_items(fields[name]))}"))
        for name, kind in REFERENCE_KINDS.items():
            if name in fields and name not in self.named_references:
                named = [item for item in _items(fields[name]) if isinstance(item, str)]
                if named:
                    found.append((name, f"the {self.backend} API cannot look {kind} up by name (it documents no "
                                        f"listing of them), so {', '.join(map(repr, named))} cannot be resolved: "
                                        "write the id (or use the REST API)"))
        if creating:
            found.extend((name, f"the {self.backend} API requires it to create an operator")
                         for name in sorted(self.required_on_create - set(fields)))
        return found


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


#: The REST API: every field of the table (the table is the REST API's), every value
#: the roster format allows.
REST_CAPABILITIES = Capabilities(backend="REST", fields=frozenset(f.name for f in API_FIELDS))
