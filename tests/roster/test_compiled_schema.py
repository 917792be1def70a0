"""The compiled schema (rostersync.roster.compiled) validates as the pydantic models do.

`rostersync validate` checks a roster with the models' core schema, compiled into a
module so that no model is built (rostersync.roster.compile). These tests hold the
two together: the module is what the models give, and for every kind of wrong value
at every place of a document, the compiled schema, the schema compiled in the process
(what a different pydantic-core gets) and the models themselves report the same
problems, in the same words, at the same places.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator
from typing import Any

import pydantic_core
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import SchemaValidator, ValidationError

from rostersync.roster import checks, compiled, document_validator
from rostersync.roster.compile import (
    COMPILED_PATH,
    CompileError,
    _literal,
    _place,
    compiled_module_text,
    document_schema,
    field_names,
    model_schema,
    roster_place,
)
from rostersync.roster.loader import load_texts
from rostersync.roster.messages import Hints, iter_errors
from rostersync.roster.model import RosterDocument
from rostersync.roster.problems import RosterError
from rostersync.roster.scope import Scope

COMPILED = SchemaValidator(compiled.SCHEMA) if document_validator.compiled_schema_in_use() else None
IN_PROCESS = SchemaValidator(document_schema())

OPERATOR = {"email": "ada@example.com"}
VALID = {"version": 1, "operators": [OPERATOR]}

# Values of every YAML kind, and the edges of the checked ones.
VALUES: list[Any] = [None, True, False, 0, 10, 5, -1, 1.5, "", " ", "x", "0042", "fr", "zz", "+33123456789",
                     "ada@example.com", "not an email", [], [1], ["fr"], ["operator"], {}, {"enabled": True},
                     {"x": 1}, "ANSWER_FROM_PHONE"]

# Where a value may go: every field of every model, by the path to it in a document.
OPERATOR_FIELDS = ["external_id", "first_name", "name", "pseudo", "roles", "chat", "call", "video", "chat_and_call",
                   "chat_to_video", "languages", "language_admin", "group", "websites", "skills", "sso_key",
                   "call_config"]
NESTED = {"chat": ["enabled", "priority", "max"], "call": ["enabled", "priority"], "video": ["enabled", "priority"],
          "call_config": ["type", "phone_number", "ask_phone_number_at_every_connection"]}


def operator_paths() -> Iterator[tuple[str, ...]]:
    for name in OPERATOR_FIELDS:
        yield (name,)
        for inner in NESTED.get(name, []):
            yield (name, inner)
    yield ("roles", 0)
    yield ("languages", 0)
    yield ("websites", 0)
    yield ("unknown_key",)


def with_value(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of `document` with `value` at `path` (mappings made on the way)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        items = list(document) if isinstance(document, list) else []
        items[head:head + 1] = [with_value(items[head] if head < len(items) else {}, rest, value)]
        return items
    base = dict(document) if isinstance(document, dict) else {}
    base[head] = with_value(base.get(head, {} if rest and not isinstance(rest[0], int) else []), rest, value)
    return base


def documents() -> Iterator[Any]:
    yield VALID
    yield {"version": 1, "operators": None}
    yield {"operators": []}
    yield {"version": 2, "operators": [], "extra": 1}
    yield [1, 2]
    yield "text"
    for value in VALUES:
        for key in ("version", "scope", "ignore", "defaults", "profiles", "operators"):
            yield {**VALID, key: value}
        for key in ("website", "group", "website_id", "group_id", "other"):
            yield {**VALID, "scope": {key: value}}
        yield {**VALID, "scope": {"group": value, "group_id": value, "website": 1, "website_id": value}}
        yield {**VALID, "profiles": {"p": {"chat": value}}, "ignore": [value]}
        yield {**VALID, "operators": [{**OPERATOR, "profile": value}]}
        yield {**VALID, "operators": [{"email": value}]}
        for path in operator_paths():
            yield with_value(VALID, ("operators", 0, *path), value)
            yield {**VALID, "defaults": with_value({}, path, value)}
    for a, b in itertools.product(["chat", "call_config"], VALUES[:6]):
        yield {**VALID, "operators": [{"name": b}, {**OPERATOR, a: {"enabled": b, "type": b}}, 3]}


def outcome(validator: Any, document: Any) -> tuple[str, Any]:
    """What validating `document` gives a user: its scope, or its problems as the
    loader words them."""
    try:
        validated = validator(document)
    except ValidationError as exc:
        return "problems", list(iter_errors(exc, Hints()))
    return "valid", validated


def by_models(document: Any) -> Any:
    scope = RosterDocument.model_validate(document).scope
    return None if scope is None else Scope(website=scope.website, group=scope.group)


def by_schema(schema: SchemaValidator) -> Any:
    def validate(document: Any) -> Any:
        scope = schema.validate_python(document).get("scope")
        return None if scope is None else Scope(**scope)
    return validate


CORPUS = list(documents())


def test_the_corpus_holds_valid_and_invalid_documents_of_every_kind() -> None:
    outcomes = [outcome(by_models, document) for document in CORPUS]
    assert len(CORPUS) > 1_500
    assert sum(kind == "valid" for kind, _ in outcomes) > 100
    messages = {message for kind, problems in outcomes if kind == "problems" for _, message in problems}
    for expected in ("is required", "unknown field", "must be a mapping, got a list", "must be a valid email",
                     "must be 0 or 10", "must be an id (an integer) or a name", "older spelling",
                     "must be true or false", "must be a positive integer", "must not be empty",
                     "must be an ISO 639-1 language code", "must be a phone number"):
        assert any(expected in message for message in messages), expected


@pytest.mark.parametrize("chunk", range(4))
def test_the_compiled_schema_reports_what_the_models_report(chunk: int) -> None:
    if COMPILED is None:
        pytest.skip(f"compiled with pydantic-core {compiled.PYDANTIC_CORE_VERSION}, not {pydantic_core.__version__}")
    for document in CORPUS[chunk::4]:
        assert outcome(by_schema(COMPILED), document) == outcome(by_models, document), document


@pytest.mark.parametrize("chunk", range(4))
def test_the_schema_compiled_in_the_process_reports_what_the_models_report(chunk: int) -> None:
    for document in CORPUS[chunk::4]:
        assert outcome(by_schema(IN_PROCESS), document) == outcome(by_models, document), document


# Beyond the corpus: documents of random shape, with every field name of every model
# at every level, keys that are no strings (YAML gives `!!int 1:`, `!!null :` ...) and
# values of every kind YAML gives.
_NAMES = sorted({name for names in compiled.FIELDS.values() for name in names} | {"website_id", "group_id", "chatt"})
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2, 12), st.sampled_from([2**70, 1.0, 10.0, 1.5]),
                     st.sampled_from(["", " ", "x", "fr", "10", "operator", "ada@example.com", "+33123456789",
                                      "ANSWER_FROM_PHONE", "{got}"]),
                     st.just(b"binary"), st.just(datetime.date(2020, 1, 1)))
_KEYS = st.one_of(st.sampled_from(_NAMES), st.sampled_from([1, 0, True, None, 1.5, "", datetime.date(2020, 1, 1)]))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                          st.dictionaries(_KEYS, inner, max_size=4)), max_leaves=12)


@st.composite
def _documents(draw: st.DrawFn) -> Any:
    document = draw(st.dictionaries(_KEYS, _VALUES, max_size=3))
    if draw(st.booleans()):
        document["version"] = draw(st.sampled_from([1, 1, True, 1.0, "1", 2]))
    if draw(st.booleans()):
        operator = {"email": "ada@example.com", **draw(st.dictionaries(_KEYS, _VALUES, max_size=4))}
        document["operators"] = draw(st.lists(st.one_of(st.just(operator), _VALUES), max_size=3))
    for key in ("scope", "defaults"):
        if draw(st.booleans()):
            document[key] = draw(st.dictionaries(_KEYS, _VALUES, max_size=4))
    if draw(st.booleans()):
        document["profiles"] = draw(st.dictionaries(_KEYS, st.dictionaries(_KEYS, _VALUES, max_size=3), max_size=2))
    return document


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents())
def test_documents_of_any_shape_get_the_same_verdict_words_and_places_whichever_way_they_are_checked(
        document: Any) -> None:
    by_the_models = outcome(by_models, document)
    assert outcome(by_schema(IN_PROCESS), document) == by_the_models
    if COMPILED is not None:
        assert outcome(by_schema(COMPILED), document) == by_the_models


def test_the_compiled_module_is_what_the_models_give() -> None:
    if COMPILED is None:
        pytest.skip(f"compiled with pydantic-core {compiled.PYDANTIC_CORE_VERSION}, not {pydantic_core.__version__}: "
                    "run python scripts/compile_roster.py")
    assert COMPILED_PATH.read_text(encoding="utf-8") == compiled_module_text(), (
        "rostersync/roster/compiled.py is out of date: run python scripts/compile_roster.py")


def test_the_compiled_places_and_field_names_are_the_models_whatever_the_pydantic_core() -> None:
    assert _place(compiled.ROSTER_PLACE, 0, set()) == _place(roster_place(), 0, set())
    assert field_names() == compiled.FIELDS
    assert set(compiled.FIELDS["OperatorEntry"]) == {"email", "profile", *OPERATOR_FIELDS}


def test_another_pydantic_core_compiles_the_models_in_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "version: 1\nscope: {group: 7}\noperators:\n  - {email: ada@example.com, chat: {priority: 5}}\n"
    with pytest.raises(RosterError) as compiled_run:
        load_texts([("team.yaml", text)])
    monkeypatch.setattr(compiled, "PYDANTIC_CORE_VERSION", "0.0.0")
    monkeypatch.setattr(document_validator, "_validator", None)
    assert not document_validator.compiled_schema_in_use()
    with pytest.raises(RosterError) as in_process_run:
        load_texts([("team.yaml", text)])
    assert document_validator._validator is not None and document_validator._validator is not COMPILED
    assert str(in_process_run.value) == str(compiled_run.value)
    assert "team.yaml:4:37: operators[0].chat.priority: must be 0 or 10, got 5" in str(in_process_run.value)
    assert load_texts([("team.yaml", text.replace("5", "10"))]).scope == Scope(group=7)


def test_only_a_function_of_checks_can_be_compiled() -> None:
    def elsewhere(value: Any) -> Any:
        return value

    with pytest.raises(CompileError, match="a validator must be a function of rostersync.roster.checks"):
        _literal({"type": "function-after", "function": {"type": "no-info", "function": elsewhere}}, 0)
    with pytest.raises(CompileError):
        _literal({"cls": RosterDocument}, 0)


class _Checked(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = ""


class _CheckedAfter(_Checked):
    # (Given the model: compiled, it would be given a dict.)
    _after = model_validator(mode="after")(staticmethod(checks.operators_may_be_empty))  # type: ignore[arg-type]


class _PostInit(_Checked):
    def model_post_init(self, context: Any, /) -> None:
        raise ValueError("checked after validation")


class _OwnInit(_Checked):
    def __init__(self, **data: Any) -> None:
        super().__init__(**data)


@pytest.mark.parametrize(("model", "said"), [
    (_CheckedAfter, "an after validator of a model"),
    (_PostInit, "a model with post_init"),
    (_OwnInit, "a model with custom_init"),
])
def test_what_a_model_runs_besides_its_fields_and_validators_is_not_compiled_away(model: type[BaseModel],
                                                                               said: str) -> None:
    assert SchemaValidator(model_schema(_Checked)).validate_python({"name": "x"}) == {"name": "x"}
    with pytest.raises(CompileError, match=said):
        model_schema(model)
