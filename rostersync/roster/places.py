"""What each place of a roster holds, so that a plain scalar is read as it was typed.

YAML 1.1 (what PyYAML implements) reads ``0042`` as the octal 34, ``1:20`` as 80 and
``yes`` as true, whatever the key they are under. A roster means what it says: a plain
(unquoted) scalar is read by the field it is written for (`Place`, derived from the
roster's pydantic models by `places_of`):

- under a text field, it is the text as written: ``external_id: 0042`` is ``"0042"``,
  ``phone_number: +33123456789`` that phone number, ``languages: [no]`` Norwegian;
- under a true/false field, only ``true`` and ``false`` are booleans (``True``,
  ``TRUE``... too, as in YAML 1.2); anything else stays the text, which validation
  then refuses, quoting it;
- under a number field, or an id-or-name reference, decimal digits are an integer
  (``010`` is ten) and anything else the text (a name, or a value validation refuses);
- anywhere else (an unknown key, say) the same, and ``true``/``false`` are booleans.

Everywhere, an empty scalar, ``~`` and ``null`` are null: a key given no value, which
the loader reports. Mapping keys are text. Quoted and block scalars are always text,
and a scalar with an explicit tag (``!!int 42``) is what its tag says.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Final, Literal, Union


class Reading(Enum):
    """How a plain scalar is read at a place."""

    TEXT = "text"
    BOOLEAN = "true or false"
    NUMBER = "an integer, else the text"
    ANY = "true or false, an integer, else the text"


@dataclass(eq=False, slots=True)
class Place:
    """A place in a roster document: how a plain scalar there is read, and the places
    inside it (a mapping's fields, or every value of a mapping of names; a list's
    items). A list's place reads a scalar written instead of the list like its
    items (``profile: a`` is short for ``profile: [a]``)."""

    reading: Reading = Reading.ANY
    fields: dict[Hashable, Place] | None = None  # a mapping with these keys (others: ANYWHERE)
    values: Place | None = None  # a mapping whose every value is this
    items: Place | None = None  # a list of these
    secret: bool = False  # a secret's value (sso_key): never quoted, nor repeated elsewhere by an alias

    def key(self, key: Hashable) -> Place:
        """The place of the value of `key` in a mapping written here."""
        if self.fields is not None:
            return self.fields.get(key, ANYWHERE)
        return self.values or ANYWHERE

    def item(self) -> Place:
        return self.items or ANYWHERE


ANYWHERE: Final = Place()
NULLS: Final = frozenset(("", "~", "null", "Null", "NULL"))  # a plain scalar that is null anywhere
_BOOLEANS: Final = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


def read_plain(text: str, reading: Reading) -> Any:
    """The value of the plain scalar `text` at a place read as `reading`."""
    if text in NULLS:
        return None
    if reading is Reading.TEXT:
        return text
    if reading is not Reading.NUMBER:
        boolean = _BOOLEANS.get(text)
        if boolean is not None:
            return boolean
    if reading is not Reading.BOOLEAN:
        digits = text[1:] if text[:1] in "+-" else text
        if digits.isascii() and digits.isdigit():  # (isdigit alone takes "²")
            return int(text)
    return text


# --- From the pydantic models ------------------------------------------------------


@dataclass
class _Derived:
    """The places of the models met so far, each model once (they nest, and repeat)."""

    models: dict[type, Place] = field(default_factory=dict)
    secrets: frozenset[str] = frozenset()


def places_of(model: type, secrets: frozenset[str] = frozenset()) -> Place:
    """The place of a document that the pydantic model `model` validates; the fields
    named in `secrets` (at any depth) hold secrets."""
    return _of_model(model, _Derived(secrets=secrets))


def _of_model(model: type, derived: _Derived) -> Place:
    place = derived.models.get(model)
    if place is None:
        place = derived.models[model] = Place(Reading.ANY, {})
        model_fields: dict[str, Any] = model.model_fields  # type: ignore[attr-defined]
        assert place.fields is not None
        for name, info in model_fields.items():
            field_place = _of_type(info.annotation, derived)
            if name in derived.secrets:
                field_place = replace(field_place, secret=True)
            place.fields[name] = field_place
            for alias in getattr(info.validation_alias, "choices", ()):  # (AliasChoices: other spellings)
                if isinstance(alias, str):
                    place.fields[alias] = field_place
    return place


def _of_type(annotation: Any, derived: _Derived) -> Place:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _of_type(args[0], derived)
    if origin is Union or origin is types.UnionType:
        return _of_union([arg for arg in args if arg is not type(None)], derived)
    if origin is Literal:
        return Place(_reading_of_literal(args))
    if origin is list:
        item = _of_type(args[0], derived) if args else ANYWHERE
        return Place(item.reading, items=item)
    if origin is dict:
        return Place(Reading.ANY, values=_of_type(args[1], derived) if len(args) == 2 else ANYWHERE)
    if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
        return _of_model(annotation, derived)
    return Place(_SCALARS.get(annotation, Reading.ANY))


_SCALARS: Final[dict[Any, Reading]] = {str: Reading.TEXT, bool: Reading.BOOLEAN, int: Reading.NUMBER}


def _of_union(members: list[Any], derived: _Derived) -> Place:
    if len(members) == 1:
        return _of_type(members[0], derived)
    places = [_of_type(member, derived) for member in members]
    readings = {place.reading for place in places if place.items is None and place.fields is None
                and place.values is None}
    lists = [place for place in places if place.items is not None]
    if readings == {Reading.TEXT, Reading.NUMBER}:  # an id or a name
        reading = Reading.NUMBER
    elif len(readings) == 1:
        reading = readings.pop()
    elif not readings and len(lists) == 1:  # (only a list)
        reading = lists[0].reading
    else:
        reading = Reading.ANY
    return Place(reading, items=lists[0].items if len(lists) == 1 else None)


def _reading_of_literal(values: tuple[Any, ...]) -> Reading:
    if all(isinstance(value, str) for value in values):
        return Reading.TEXT
    if all(isinstance(value, bool) for value in values):
        return Reading.BOOLEAN
    if all(isinstance(value, int) and not isinstance(value, bool) for value in values):
        return Reading.NUMBER
    return Reading.ANY
