"""One table of API fields (rostersync.api_fields): the client, the roster's names and the
roster model are all tied to it, so a field added in one place only fails here."""

from __future__ import annotations

import ast
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import rostersync.api_fields as table
from rostersync.api import OPERATOR_FIELDS, SECRET_FIELDS
from rostersync.api.records import parse_operator
from rostersync.api.values import FIELD_READERS, LIST_FIELDS
from rostersync.roster import fields as roster_fields
from rostersync.roster.model import CallConfig, OperatorEntry, OperatorFields

NAMES = [field.name for field in table.API_FIELDS]
MANAGED = [field.name for field in table.API_FIELDS if not field.deprecated]
ROSTER_ONLY = {"profile"}  # an entry's profiles are merged by the loader; no API field
# One readable value, as the server might send it, per kind of value.
SAMPLES: dict[str, Any] = {"text": "Some text", "email": "a@example.com", "code": "fr", "constant": "ANSWER_FROM_DESK",
                           "bool": True, "int": 7}


def _rostersync_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    names += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    return [name for name in names if name.split(".")[0] == "rostersync"]


def test_the_table_is_a_leaf() -> None:
    assert _rostersync_imports(Path(table.__file__)) == []
    # The roster derives from the table, never from the client.
    client = [name for name in _rostersync_imports(Path(roster_fields.__file__))
              if name == "rostersync.api" or name.startswith("rostersync.api.")]
    assert client == []


def test_the_table_is_well_formed() -> None:
    assert len(NAMES) == len(set(NAMES)) and "id" not in NAMES
    for field in table.API_FIELDS:
        assert (field.shape == "nested") == (field.value == "object") == bool(field.keys), field
    assert {"sso_key"} == table.SECRET_FIELDS
    with pytest.raises(ValueError, match="nested"):
        table.ApiField("broken", "nested", "text")


# --- the client ----------------------------------------------------------------------

def test_the_client_reads_exactly_the_table() -> None:
    assert list(FIELD_READERS) == NAMES
    assert {"id", *NAMES} == OPERATOR_FIELDS
    assert {field.name for field in table.API_FIELDS if field.shape == "list"} == LIST_FIELDS
    assert SECRET_FIELDS is table.SECRET_FIELDS


def _sample(field: table.ApiField) -> Any:
    if field.shape == "nested":
        return {key.name: _sample(key) for key in field.keys}
    if field.shape == "list":
        return [SAMPLES[field.value]]
    return SAMPLES[field.value]


def test_every_field_of_the_table_is_read_and_every_secret_hidden() -> None:
    item = {"id": 1, **{field.name: _sample(field) for field in table.API_FIELDS}}
    item.update({name: f"secret-{name}-value" for name in table.SECRET_FIELDS})
    record = parse_operator(item)
    assert record.problems == ()
    assert set(record.fields) == set(NAMES)
    for name in table.SECRET_FIELDS:
        assert repr(item[name]) not in repr(record)
    assert record.fields["call_config"] == _sample(table.BY_NAME["call_config"])


# --- the roster ----------------------------------------------------------------------

def test_the_roster_manages_every_field_but_the_deprecated_ones() -> None:
    assert [spec.api for spec in roster_fields.FIELDS] == MANAGED
    assert set(roster_fields.ROSTER_NAMES) <= set(MANAGED)
    assert roster_fields.SENSITIVE_API_FIELDS == table.SECRET_FIELDS
    assert {spec.api for spec in roster_fields.FIELDS if spec.sensitive} == table.SECRET_FIELDS
    assert roster_fields.CALL_CONFIG_KEYS == table.CALL_CONFIG_KEYS == tuple(roster_fields.CALL_CONFIG_DEFAULTS)
    labels = [spec.label for spec in roster_fields.FIELDS]
    assert len(labels) == len(set(labels))
    for spec in roster_fields.FIELDS:
        is_set = spec.kind in ("str_set", "int_set")
        assert is_set == (table.BY_NAME[spec.api].shape == "list"), spec


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def _holds_a_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) is list or any(_holds_a_list(a) for a in typing.get_args(annotation))


def _model_paths(model: type[BaseModel], roster_paths: set[tuple[str, ...]],
                 prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every leaf of the model, as a roster path; a nested model that is one field stays one."""
    for name, info in model.model_fields.items():
        path = (*prefix, name)
        nested = _model_in(info.annotation)
        if nested is not None and path not in roster_paths:
            yield from _model_paths(nested, roster_paths, path)
        else:
            yield path, info.annotation


def test_the_roster_model_declares_exactly_the_roster_fields() -> None:
    specs = {spec.roster: spec for spec in roster_fields.FIELDS}
    declared = dict(_model_paths(OperatorEntry, set(specs)))
    for name in ROSTER_ONLY:
        declared.pop((name,))
    assert sorted(declared) == sorted(specs)
    for path, annotation in declared.items():
        assert _holds_a_list(annotation) == (specs[path].kind in ("str_set", "int_set")), path
    # defaults and profiles take the same fields, but not the identity.
    assert set(OperatorEntry.model_fields) - set(OperatorFields.model_fields) == {"email", *ROSTER_ONLY}
    assert tuple(CallConfig.model_fields) == table.CALL_CONFIG_KEYS
