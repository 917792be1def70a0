"""Export the live account as a v1 roster that plans to "No changes.".

The roster's side of adopting an account: live fields in, the roster's own names
and shapes out (see `rostersync.roster.fields`). Any record with the API's field
names will do; `rostersync.api.OperatorRecord` is one. No HTTP here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import yaml

from rostersync.roster.fields import BY_API, CALL_CONFIG_KEYS, SENSITIVE_API_FIELDS, fields_to_roster, normalize
from rostersync.roster.schema import MODELINE
from rostersync.roster.scope import Scope

# The modeline points at the schema's raw URL: an exported roster may be anywhere.
HEADER = MODELINE + """
# Exported from the iAdvize account by `rostersync export`. sso_key values are
# secrets and were left out, so they stay unmanaged until you add them.
"""


class ExportedRecord(Protocol):
    """An operator as read from the API: its fields by API name."""

    @property
    def fields(self) -> Mapping[str, Any]: ...


def exported_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The managed form of a live operator's fields: secrets and empty values left out."""
    result: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in BY_API or name in SENSITIVE_API_FIELDS or value is None or value == "":
            continue
        if name == "call_config":
            value = {k: value[k] for k in CALL_CONFIG_KEYS if value.get(k) is not None}
            if not value:
                continue
        result[name] = normalize(BY_API[name], value)
    return result


def named_fields(fields: Mapping[str, Any], names: Mapping[str, Mapping[int, str]]) -> dict[str, Any]:
    """``fields`` with the ids of skills, groups and websites written as the names in
    ``names`` (API field -> id -> a name that stands for that id alone); an id without
    one stays an id. Sets stay sorted as the roster sorts them: ids, then names."""
    result = dict(fields)
    for name, of_field in names.items():
        value = result.get(name)
        if isinstance(value, list):
            result[name] = normalize(BY_API[name], [of_field.get(item, item) for item in value])
        elif isinstance(value, int) and not isinstance(value, bool):
            result[name] = of_field.get(value, value)
    return result


def export_roster(records: Iterable[ExportedRecord], scope: Scope,
                  names: Mapping[str, Mapping[int, str]] | None = None) -> dict[str, Any]:
    """The roster document of ``records``; with ``names``, skills, groups and websites
    by name where their name is unique on the account (`named_fields`)."""
    operators = [fields_to_roster(named_fields(exported_fields(r.fields), names or {}))
                 for r in records if isinstance(r.fields.get("email"), str)]
    operators.sort(key=lambda op: str(op["email"]).lower())
    document: dict[str, Any] = {"version": 1}
    if scope.as_api_filters():
        document["scope"] = exported_scope(scope, names or {})
    document["operators"] = operators
    return document


def exported_scope(scope: Scope, names: Mapping[str, Mapping[int, str]]) -> dict[str, int | str]:
    """The roster's ``scope`` for ``scope``: ``website`` and ``group`` (not their older
    spellings ``website_id`` and ``group_id``), each by its name in ``names`` (API
    field -> id -> name) where it has one, as the operators' fields are written."""
    def named(value: int | str | None, api_field: str) -> int | str | None:
        return names.get(api_field, {}).get(value, value) if isinstance(value, int) else value

    pairs = (("website", named(scope.website, "website_list")), ("group", named(scope.group, "group_id")))
    return {key: value for key, value in pairs if value is not None}


def export_roster_text(records: Iterable[ExportedRecord], scope: Scope,
                       names: Mapping[str, Mapping[int, str]] | None = None) -> str:
    body = yaml.safe_dump(export_roster(records, scope, names), sort_keys=False, allow_unicode=True,
                          default_flow_style=None, width=120)
    return HEADER + body
