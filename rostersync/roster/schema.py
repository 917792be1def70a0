"""The JSON Schema of the roster format: validate's twin in an editor.

An editor (yaml-language-server, check-jsonschema) given this schema accepts every
roster `rostersync validate` accepts, describes each field on hover, completes the
closed sets of values, and flags the problems one file can show. It is derived from
the pydantic model (`rostersync.roster.model`, which holds the descriptions) and
then cleaned for editors:

* JSON Schema draft-07, the newest draft yaml-language-server implements;
* descriptions beside a ``$ref`` moved into an ``allOf`` holding it, where
  draft-07 reads them;
* no titles (hover would show "Chat" above "Chat: whether the operator ..."), no
  ``default`` and no ``null`` alternative (completion offered them beside the
  real values, and validate refuses a key without a value anyway);
* the rule for ``call_config.type: ANSWER_FROM_PHONE`` as far as one file decides
  it (`_answer_from_phone_rules`);
* values as typed (`rostersync.roster.places`): an editor reads YAML 1.2, where an
  unquoted ``42``, ``+33123456789`` or ``true`` is a number or a boolean, while
  validate reads it under a text field or a reference as the text written. So a
  text field, a phone number and a reference also accept what an editor reads such
  text as (`_as_typed`): the schema never flags what validate accepts.

What no schema can check, because it spans entries or files or needs a value from
elsewhere in the document, is listed in tests/roster/test_roster_schema.py.

`SCHEMA_URL` serves the committed file itself (raw, not GitHub's HTML page), so
an editor following `$id` or an exported roster's modeline gets JSON.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from rostersync.roster.model import RosterDocument

SCHEMA_URL = "https://raw.githubusercontent.com/rostersync/rostersync/main/schema/roster.schema.json"
#: The modeline that points yaml-language-server at the schema, for a roster anywhere.
MODELINE = f"# yaml-language-server: $schema={SCHEMA_URL}"

_DRAFT = "http://json-schema.org/draft-07/schema#"
_DEFINITIONS = "definitions"  # draft-07's name for where reused schemas live
# Keywords whose value is one schema, a list of schemas, or a mapping of name -> schema.
_ONE = ("items", "additionalProperties", "propertyNames", "not", "if", "then", "else", "contains")
_MANY = ("anyOf", "allOf", "oneOf")
_NAMED = ("properties", _DEFINITIONS, "patternProperties")


# A model's name -> its definition's in the published schema, where they differ (the
# scope's model was renamed when the roster's Scope became a dataclass).
_PUBLISHED_NAMES = {"ScopeFields": "Scope"}


class _PublishedNames(GenerateJsonSchema):
    """The definitions under the names the published schema has always given them."""

    def normalize_name(self, name: str) -> str:
        return super().normalize_name(_PUBLISHED_NAMES.get(name, name))


def roster_json_schema() -> dict[str, Any]:
    """The schema as a dict; `roster_json_schema_text` is the committed file."""
    generated = RosterDocument.model_json_schema(ref_template=f"#/{_DEFINITIONS}/{{model}}",
                                                 schema_generator=_PublishedNames)
    generated[_DEFINITIONS] = generated.pop("$defs")
    body = _as_typed(_clean(generated))
    body["allOf"] = _answer_from_phone_rules()
    return {
        "$schema": _DRAFT,
        "$id": SCHEMA_URL,
        "title": "rostersync roster, format version 1",
        **body,
    }


def roster_json_schema_text() -> str:
    return json.dumps(roster_json_schema(), indent=2, ensure_ascii=False) + "\n"


def _clean(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema without titles, defaults and `null` alternatives, at every depth."""
    schema = {k: v for k, v in schema.items() if k not in ("title", "default")}
    alternatives = schema.get("anyOf")
    if isinstance(alternatives, list) and {"type": "null"} in alternatives:
        rest = [a for a in alternatives if a != {"type": "null"}]
        del schema["anyOf"]
        schema = {**rest[0], **schema} if len(rest) == 1 else {**schema, "anyOf": rest}
    if "$ref" in schema and len(schema) > 1:
        # Draft-07 ignores the keywords beside a $ref, the description among them.
        schema = {**{k: v for k, v in schema.items() if k != "$ref"}, "allOf": [{"$ref": schema["$ref"]}]}
    for key in _ONE:
        if isinstance(schema.get(key), dict):
            schema[key] = _clean(schema[key])
    for key in _MANY:
        if isinstance(schema.get(key), list):
            schema[key] = [_clean(s) for s in schema[key]]
    for key in _NAMED:
        if isinstance(schema.get(key), dict):
            schema[key] = {name: _clean(s) for name, s in schema[key].items()}
    return schema


_READ_AS_TEXT = {"type": ["number", "boolean"]}  # what YAML 1.2 makes of plain text such as 0042 or true


def _as_typed(schema: Any) -> Any:
    """`schema` where a text field without a closed set or pattern (names, ids, the
    secret), a phone number and a reference also take a number or a boolean, as an
    editor reads the plain text that validate takes as written."""
    if isinstance(schema, list):
        return [_as_typed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if schema.get("type") == "string" and not {"enum", "const", "pattern"} & schema.keys():
        return {**schema, "type": ["string", "number", "boolean"]}
    if schema.get("type") == "string" and "pattern" in schema and "@" not in schema["pattern"]:
        # The phone number: the editor reads +33123456789 as the integer 33123456789.
        described = {key: schema[key] for key in ("description",) if key in schema}
        string = {key: value for key, value in schema.items() if key != "description"}
        return {**described, "anyOf": [string, {"type": "integer"}]}
    alternatives = schema.get("anyOf")
    if isinstance(alternatives, list) and {"type": "integer"} in alternatives \
            and any(alt.get("type") == "string" for alt in alternatives):  # a reference: an id or a name
        return {**schema, "anyOf": [*alternatives, _READ_AS_TEXT]}
    return {key: _as_typed(value) if key not in ("enum", "const", "required") else value
            for key, value in schema.items()}


def _answer_from_phone_rules() -> list[dict[str, Any]]:
    """`type: ANSWER_FROM_PHONE` needs a phone_number or `ask_phone_number_at_every_connection: true`.

    validate checks it on the operator after defaults and profiles are merged, key by
    key. A schema sees one file, and profiles may come from another, so it checks
    only what it can decide without them: operators with no `profile`, in a file
    whose `defaults` supply neither key. There an operator that sets the type (or
    takes it from `defaults`) must supply one of the two keys itself.
    """
    can_answer = {"anyOf": [
        {"required": ["phone_number"]},
        {"required": ["ask_phone_number_at_every_connection"],
         "properties": {"ask_phone_number_at_every_connection": {"const": True}}},
    ]}
    own_phone = {"required": ["call_config"], "properties": {"call_config": can_answer}}
    no_profile = {"not": {"required": ["profile"]}}
    sets_phone = {"required": ["call_config"], "properties": {"call_config": {
        "required": ["type"], "properties": {"type": {"const": "ANSWER_FROM_PHONE"}}}}}
    sets_no_type = {"not": {"required": ["call_config"], "properties": {"call_config": {"required": ["type"]}}}}
    defaults_answer = {"required": ["defaults"], "properties": {"defaults": own_phone}}
    defaults_phone = {"required": ["defaults"], "properties": {"defaults": sets_phone}}
    message = ("type ANSWER_FROM_PHONE needs a phone_number or ask_phone_number_at_every_connection: true "
               "(iAdvize refuses it otherwise)")

    def every_operator(condition: dict[str, Any]) -> dict[str, Any]:
        rule = {"if": {"allOf": [no_profile, condition]}, "then": {**own_phone, "description": message}}
        return {"properties": {"operators": {"items": rule}}}

    return [
        {"if": {"not": defaults_answer}, "then": every_operator(sets_phone)},
        {"if": {"allOf": [{"not": defaults_answer}, defaults_phone]}, "then": every_operator(sets_no_type)},
    ]
