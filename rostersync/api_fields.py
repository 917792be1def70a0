"""The operator fields of the iAdvize API that rostersync knows: the one table.

Both sides derive from it: the client reads and redacts by it
(:mod:`rostersync.api.records`), and the roster maps its own names onto it
(:mod:`rostersync.roster.fields`). It is a leaf, importing nothing from rostersync,
so neither side needs the other (the roster knows no HTTP).

Adding a field: a row here; its roster name in ``rostersync/roster/fields.py`` if it
differs from the API's; its declaration in the roster model
(``rostersync/roster/model.py``), then ``python scripts/compile_roster.py`` and
``rostersync schema > schema/roster.schema.json`` for what is generated from it.
``tests/api/test_api_fields.py`` fails until all three agree (and, while the
generated files lag, ``tests/roster/test_compiled_schema.py`` and
``tests/roster/test_roster_schema.py``). ``id`` is not a row: it is every record's
identity, read on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "API_FIELDS",
    "BY_NAME",
    "CALL_CONFIG_KEYS",
    "SECRET_FIELDS",
    "ApiField",
    "Shape",
    "ValueType",
]

#: How a field travels: one value, a list (``roles[0]=..``), or an object of named
#: keys (``call_config[type]=..``).
Shape = Literal["single", "list", "nested"]

#: What a value (or each item of a list) is:
#: ``text`` a string as given; ``email`` an email address (a string);
#: ``code`` a lower-case code such as ``fr`` or ``operator``;
#: ``constant`` an upper-case constant such as ``ANSWER_FROM_DESK``;
#: ``bool``; ``int``; ``object`` for a nested field, whose ``keys`` say the rest.
ValueType = Literal["text", "email", "code", "constant", "bool", "int", "object"]


@dataclass(frozen=True)
class ApiField:
    """One field of an iAdvize operator, as the API names and sends it."""

    name: str
    shape: Shape
    value: ValueType
    #: Never shown: not in a plan, a log line, a record's repr or an error message.
    secret: bool = False
    #: Still sent by the API, but superseded (``role`` by ``roles``): read, never managed.
    deprecated: bool = False
    #: A nested field's keys, in the order people write them.
    keys: tuple[ApiField, ...] = ()

    def __post_init__(self) -> None:
        nested = self.shape == "nested"
        if nested != (self.value == "object") or nested != bool(self.keys):
            raise ValueError(f"{self.name}: a nested field, and only it, has the value 'object' and keys")


API_FIELDS: tuple[ApiField, ...] = (
    ApiField("email", "single", "email"),
    ApiField("external_id", "single", "text"),
    ApiField("first_name", "single", "text"),
    ApiField("name", "single", "text"),
    ApiField("pseudo", "single", "text"),
    ApiField("roles", "list", "code"),
    ApiField("role", "single", "code", deprecated=True),
    ApiField("chat_enabled", "single", "bool"),
    ApiField("chat_max_number", "single", "int"),
    ApiField("chat_priority", "single", "int"),
    ApiField("call_enabled", "single", "bool"),
    ApiField("call_priority", "single", "int"),
    ApiField("video_enabled", "single", "bool"),
    ApiField("video_priority", "single", "int"),
    ApiField("chat_and_call", "single", "bool"),
    ApiField("chat_to_video", "single", "bool"),
    ApiField("language_list", "list", "code"),
    ApiField("language_admin", "single", "code"),
    ApiField("group_id", "single", "int"),
    ApiField("website_list", "list", "int"),
    ApiField("skill_list", "list", "int"),
    ApiField("sso_key", "single", "text", secret=True),
    ApiField(
        "call_config",
        "nested",
        "object",
        keys=(
            ApiField("type", "single", "constant"),
            ApiField("phone_number", "single", "text"),
            ApiField("ask_phone_number_at_every_connection", "single", "bool"),
        ),
    ),
)

BY_NAME: dict[str, ApiField] = {field.name: field for field in API_FIELDS}

#: The fields whose values are secrets.
SECRET_FIELDS: frozenset[str] = frozenset(field.name for field in API_FIELDS if field.secret)

#: call_config's keys, in the order people write them.
CALL_CONFIG_KEYS: tuple[str, ...] = tuple(key.name for key in BY_NAME["call_config"].keys)
