"""Every GraphQL document the backend sends, and every assumption they rest on.

The iAdvize documentation states the inputs of ``userCreate``/``userUpdate`` exactly
but not the ``users`` query's arguments, the mutation payloads, ``userDelete``'s
input or several field names (``shared/iadvize-graphql-api.md`` §8). Whatever this
module takes for granted is in :data:`ASSUMPTIONS`, and each document or table
entry names the assumptions it uses (``[A3]``). None of it is trusted blindly:
before anything is written, the backend introspects the live schema and validates
every document below, and sample variables of every mutation, against it
(:mod:`rostersync.api.graphql.schema_check`); a mismatch stops the run with the field
named. What introspection cannot check (the meaning of a value, e.g. that
``hasPriorityOnChat`` true is REST's priority 10) is marked "not checkable".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from graphql import get_introspection_query

__all__ = [
    "ASSUMPTIONS",
    "AUTH_ERROR_NAMES",
    "BASE_ROLES",
    "FIELD_ROUTES",
    "GET_USER",
    "INTROSPECTION",
    "MUTATION_INPUT_TYPES",
    "NOT_FOUND_ERRORS",
    "NO_RETRY",
    "PAGE_SIZE",
    "PRIORITY_ON",
    "PROFESSIONAL_TYPE",
    "RESPOND_FROM",
    "ROLE_NAMES",
    "USER_FILTERS",
    "Assumption",
    "Document",
    "FieldRoute",
    "create_user",
    "delete_user",
    "list_users",
    "update_user",
]


@dataclass(frozen=True)
class Assumption:
    key: str
    section: str  # of shared/iadvize-graphql-api.md
    text: str
    checked: bool  # whether introspection can check it


ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption("A1", "§2.7, §8.1", "`users(first:, after:)` returns a Relay connection "
               "(edges.node, pageInfo.hasNextPage/endCursor) of the `User` interface", True),
    Assumption("A2", "§8.1", "`users` may filter by `email: String`, `groupId: LegacyId` and "
               "`projectId: LegacyId`; each is used only if the live schema has it, else rostersync "
               "filters client-side (it always re-checks client-side)", True),
    Assumption("A3", "§8.1", "one user is read with `user(userId: LegacyId!)`", True),
    Assumption("A4", "§2.6", "operators are the `Professional` implementation of `User`; "
               "developers, experts and bots are other implementations, never listed as operators", True),
    Assumption("A5", "§2.6", "the read side mirrors the inputs: `Professional.channels` has "
               "`chatConfiguration`/`callConfiguration`/`videoConfiguration` with the input's field "
               "names, and `Professional.countryPreferences` has `interfaceLanguage` and `languages`", True),
    Assumption("A6", "§2.8, §8.2", "the mutation payloads have `userErrors { __typename message }`, and "
               "`userCreate`/`userUpdate` a `user` field", True),
    Assumption("A7", "§2.9, §8.3", "`userDelete(input: { userId })`; the `input` argument's type name is "
               "read from the live schema, never assumed", True),
    Assumption("A8", "§2.3, §8.4", "the input types of `channels` (found by introspection, not by name) "
               "take Boolean `is*`/`has*` fields, an Int `numberOfSlots`, a String "
               "`clickToCallPhoneNumber` and `respondFrom` CLICK_TO_CALL_NUMBER/DESK", True),
    Assumption("A9", "§4.1", "`professionalBaseRoles` is a list of `{ id name baseRoleName }`", True),
    Assumption("A10", "§6", "priority 10 is `hasPriorityOn*: true`, 0 is false", False),
    Assumption("A11", "§6", "ANSWER_FROM_PHONE is `respondFrom: CLICK_TO_CALL_NUMBER`, ANSWER_FROM_DESK is "
               "DESK; chat_and_call is `isSimultaneousCallAllowed`, chat_to_video `isAllowChatToVideo`", False),
    Assumption("A12", "§2.3, §8.4", "`Locale`/`Language` are ISO 639-1 codes, like REST's", False),
    Assumption("A13", "§8.11", "GraphQL `LegacyId`s of users, projects, skills and groups are the REST ids", False),
    Assumption("A14", "§8.5", "`userUpdate` changes only the fields sent, and a list sent replaces the list", False),
    Assumption("A15", "§8.13", "`userDelete` is soft and `users` does not list deleted users; "
               "`isDeleted` is read and such users are skipped anyway", False),
    Assumption("A16", "§8.7", "a missing or deleted user is a `userErrors` entry whose `__typename` is "
               "`UserNotFoundError`", False),
    Assumption("A17", "§5, §8.8", "an `extensions.retryPolicy` other than NO_RETRY means a read may be "
               "retried; PERMISSION_DENIED or UNAUTHENTICATED mean the token lacks rights or expired", False),
    Assumption("A18", "§1.2", "past the login limit the token endpoint answers 429, maybe with Retry-After", False),
)

PAGE_SIZE = 100  # documented maximum (§2.7)
PROFESSIONAL_TYPE = "Professional"  # [A4]
ROLE_NAMES: Mapping[str, str] = {"admin": "ADMIN", "manager": "MANAGER", "operator": "OPERATOR"}  # §4.1
PRIORITY_ON = 10  # [A10]: the REST priority that hasPriorityOn* true stands for
RESPOND_FROM: Mapping[str, str] = {"ANSWER_FROM_PHONE": "CLICK_TO_CALL_NUMBER", "ANSWER_FROM_DESK": "DESK"}  # [A11]
NOT_FOUND_ERRORS = frozenset({"UserNotFoundError"})  # [A16]
NO_RETRY = "NO_RETRY"  # §5, documented
AUTH_ERROR_NAMES = frozenset({"PERMISSION_DENIED", "UNAUTHENTICATED"})  # §5 (first), [A17] (second)


Kind = Literal["str", "bool", "int", "priority", "respond_from", "str_list", "id", "role", "ids", "connection_ids"]


@dataclass(frozen=True)
class FieldRoute:
    """Where one REST operator field lives in GraphQL (§6).

    ``write`` is the path in ``UserCreateInput``/``UserUpdateInput``; ``read`` the
    path in the ``Professional`` selection. A field inside a group (``channels.
    chatConfiguration``, ``countryPreferences``) is sent with its whole group, whose
    other non-null fields then take the live value, or ``default`` on create.
    """

    rest: str
    write: tuple[str, ...]
    read: tuple[str, ...]
    kind: Kind
    default: Any = None
    rest_key: str | None = None  # a key of call_config

    @property
    def group(self) -> tuple[str, ...]:
        return self.write[:-1]


_CHAT, _CALL, _VIDEO = (("channels", f"{name}Configuration") for name in ("chat", "call", "video"))
_PREFS = ("countryPreferences",)

# The defaults are the REST sandbox's create defaults: what an operator created
# without these fields has there.
FIELD_ROUTES: tuple[FieldRoute, ...] = (
    FieldRoute("email", ("email",), ("email",), "str"),
    FieldRoute("name", ("lastName",), ("lastName",), "str"),
    FieldRoute("first_name", ("firstName",), ("firstName",), "str"),
    FieldRoute("pseudo", ("userName",), ("userName",), "str"),
    FieldRoute("external_id", ("externalId",), ("externalId",), "str"),
    FieldRoute("roles", ("roleId",), ("role",), "role"),  # [A9]
    FieldRoute("group_id", ("groupId",), ("group", "id"), "id"),  # [A13]: ids are the REST ids
    FieldRoute("website_list", ("projectIds",), ("projects",), "connection_ids", default=()),
    FieldRoute("skill_list", ("skillIds",), ("skills",), "ids"),
    FieldRoute("chat_enabled", (*_CHAT, "isEnabled"), (*_CHAT, "isEnabled"), "bool", False),  # [A5] [A8]
    FieldRoute("chat_max_number", (*_CHAT, "numberOfSlots"), (*_CHAT, "numberOfSlots"), "int", 3),
    FieldRoute("chat_priority", (*_CHAT, "hasPriorityOnChat"), (*_CHAT, "hasPriorityOnChat"), "priority", 0),
    FieldRoute("chat_to_video", (*_CHAT, "isAllowChatToVideo"), (*_CHAT, "isAllowChatToVideo"), "bool", False),
    FieldRoute("chat_and_call", (*_CHAT, "isSimultaneousCallAllowed"), (*_CHAT, "isSimultaneousCallAllowed"),
               "bool", False),
    FieldRoute("call_enabled", (*_CALL, "isEnabled"), (*_CALL, "isEnabled"), "bool", False),
    FieldRoute("call_priority", (*_CALL, "hasPriorityOnCall"), (*_CALL, "hasPriorityOnCall"), "priority", 0),
    FieldRoute("call_config", (*_CALL, "respondFrom"), (*_CALL, "respondFrom"), "respond_from",
               "ANSWER_FROM_DESK", rest_key="type"),
    FieldRoute("call_config", (*_CALL, "clickToCallPhoneNumber"), (*_CALL, "clickToCallPhoneNumber"), "str",
               None, rest_key="phone_number"),
    FieldRoute("call_config", (*_CALL, "isAlwaysAskForNumber"), (*_CALL, "isAlwaysAskForNumber"), "bool",
               False, rest_key="ask_phone_number_at_every_connection"),
    FieldRoute("video_enabled", (*_VIDEO, "isEnabled"), (*_VIDEO, "isEnabled"), "bool", False),
    FieldRoute("video_priority", (*_VIDEO, "hasPriorityOnVideo"), (*_VIDEO, "hasPriorityOnVideo"), "priority", 0),
    FieldRoute("language_list", (*_PREFS, "languages"), (*_PREFS, "languages"), "str_list", ()),  # [A12]
    FieldRoute("language_admin", (*_PREFS, "interfaceLanguage"), (*_PREFS, "interfaceLanguage"), "str", "en"),
)


@dataclass(frozen=True)
class Document:
    operation: str  # its operationName
    text: str


INTROSPECTION = Document("IntrospectionQuery", get_introspection_query(descriptions=False))

# [A4] [A5]: a user's operator fields, selected on Professional only.
_PROFESSIONAL = """
fragment RostersyncProfessional on Professional {
  id email firstName lastName userName externalId isDeleted
  role { id name baseRoleName }
  group { id }
  projects(first: 100) { pageInfo { hasNextPage } edges { node { id } } }
  skills { id }
  countryPreferences { interfaceLanguage languages }
  channels {
    chatConfiguration { isEnabled numberOfSlots hasPriorityOnChat isAllowChatToVideo isSimultaneousCallAllowed }
    callConfiguration { isEnabled hasPriorityOnCall respondFrom isAlwaysAskForNumber clickToCallPhoneNumber }
    videoConfiguration { isEnabled hasPriorityOnVideo }
  }
}
"""

#: [A2]: roster scope or lookup key -> (argument of `users`, its GraphQL type).
USER_FILTERS: Mapping[str, tuple[str, str]] = {
    "email": ("email", "String"),
    "group_id": ("groupId", "LegacyId"),
    "website_id": ("projectId", "LegacyId"),
}


def list_users(filters: Sequence[str] = ()) -> Document:
    """[A1] [A2] [A4] [A15]: one page of users; ``filters`` are keys of :data:`USER_FILTERS`
    the live schema supports."""
    arguments = [USER_FILTERS[key] for key in sorted(filters)]
    declared = "".join(f", ${name}: {kind}" for name, kind in arguments)
    passed = "".join(f", {name}: ${name}" for name, _ in arguments)
    return Document("RostersyncUsers", f"""
query RostersyncUsers($first: Int!, $after: String{declared}) {{
  users(first: $first, after: $after{passed}) {{
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ __typename id email isDeleted ...RostersyncProfessional }} }}
  }}
}}
{_PROFESSIONAL}""")


# [A3]
GET_USER = Document("RostersyncUser", f"""
query RostersyncUser($userId: LegacyId!) {{
  user(userId: $userId) {{ __typename id isDeleted ...RostersyncProfessional }}
}}
{_PROFESSIONAL}""")

# [A9]
BASE_ROLES = Document("RostersyncBaseRoles", """
query RostersyncBaseRoles { professionalBaseRoles { id name baseRoleName } }
""")

# [A6]: the input types are documented exactly (§2.3, §2.4); the payloads are not.
# The variable's type is the one the live schema gives the `input` argument (the
# documented name by default), so an input type's name is never assumed [A7].
MUTATION_INPUT_TYPES: Mapping[str, str] = {
    "userCreate": "UserCreateInput!", "userUpdate": "UserUpdateInput!", "userDelete": "UserDeleteInput!",
}


def create_user(input_type: str = MUTATION_INPUT_TYPES["userCreate"]) -> Document:
    return Document("RostersyncUserCreate", f"""
mutation RostersyncUserCreate($input: {input_type}) {{
  userCreate(input: $input) {{
    user {{ __typename id ...RostersyncProfessional }}
    userErrors {{ __typename message }}
  }}
}}
{_PROFESSIONAL}""")


def update_user(input_type: str = MUTATION_INPUT_TYPES["userUpdate"]) -> Document:
    return Document("RostersyncUserUpdate", f"""
mutation RostersyncUserUpdate($input: {input_type}) {{
  userUpdate(input: $input) {{
    user {{ __typename id ...RostersyncProfessional }}
    userErrors {{ __typename message }}
  }}
}}
{_PROFESSIONAL}""")


def delete_user(input_type: str = MUTATION_INPUT_TYPES["userDelete"]) -> Document:
    """[A6] [A7]"""
    return Document("RostersyncUserDelete", f"""
mutation RostersyncUserDelete($input: {input_type}) {{
  userDelete(input: $input) {{ userErrors {{ __typename message }} }}
}}
""")
