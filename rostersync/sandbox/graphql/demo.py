"""The GraphQL sandbox's account: reference data always, the demo team on request.

Reference data: the three base roles (ids 1 to 3) and one custom role based on
OPERATOR (id 10), the projects 123 and 456 (the REST demo's websites), the skills
101 to 103 and the groups 7 and 9.

The demo team is the REST sandbox's (``rostersync.sandbox.demo``), turned into the
GraphQL shape here, on the server side: one role per user (the most privileged of
admin, manager, operator; ``expert`` has no base role), priorities 10 as true. Beside
it are the kinds of user the ``users`` query also lists and that are no operators:
a developer, an expert and a bot.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rostersync.sandbox.demo import DEMO_OPERATORS
from rostersync.sandbox.graphql.state import PROFESSIONAL, UserState, default_channels

__all__ = ["CUSTOM_ROLE_ID", "NON_PROFESSIONALS", "rest_to_user", "seed_demo_users", "seed_reference"]

CUSTOM_ROLE_ID = 10
_BASE_ROLES = (("admin", 1, "ADMIN"), ("manager", 2, "MANAGER"), ("operator", 3, "OPERATOR"))

#: Users that are not professionals: never operators of a roster.
NON_PROFESSIONALS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("Developer", {"email": "dev.integration@maison-lumiere.fr", "firstName": "Dev", "lastName": "Integration",
                   "userName": "Integration", "projectIds": [123]}),
    ("Expert", {"email": "expert.luminaires@example.org", "firstName": "Paul", "lastName": "Expert",
                "userName": "Paul", "projectIds": [123]}),
    ("Bot", {"email": "bot.faq@maison-lumiere.fr", "lastName": "FAQ bot", "userName": "Lumi", "projectIds": [123]}),
)


def seed_reference(state: UserState) -> None:
    for _, role_id, base in _BASE_ROLES:
        state.add_role(role_id, base.capitalize(), base)
    state.add_role(CUSTOM_ROLE_ID, "Senior operator", "OPERATOR")
    state.projects.update({123: "Maison Lumière FR", 456: "Maison Lumière EN"})
    state.skills.update({101: "Lighting advice", 102: "Orders", 103: "Returns and repairs"})
    state.groups.update({7: "Paris contact centre", 9: "Lyon store"})


def rest_to_user(operator: Mapping[str, Any]) -> dict[str, Any]:
    """A REST-shaped demo operator as a stored GraphQL professional."""
    roles = set(operator.get("roles", ["operator"]))
    role_id = next((role_id for name, role_id, _ in _BASE_ROLES if name in roles), 3)
    channels = default_channels()
    chat, call, video = (channels[f"{name}Configuration"] for name in ("chat", "call", "video"))
    chat.update(isEnabled=bool(operator.get("chat_enabled")), numberOfSlots=operator.get("chat_max_number", 3),
                hasPriorityOnChat=operator.get("chat_priority") == 10,
                isAllowChatToVideo=bool(operator.get("chat_to_video")),
                isSimultaneousCallAllowed=bool(operator.get("chat_and_call")))
    config = operator.get("call_config") or {}
    call.update(isEnabled=bool(operator.get("call_enabled")), hasPriorityOnCall=operator.get("call_priority") == 10,
                respondFrom="CLICK_TO_CALL_NUMBER" if config.get("type") == "ANSWER_FROM_PHONE" else "DESK",
                isAlwaysAskForNumber=bool(config.get("ask_phone_number_at_every_connection")),
                clickToCallPhoneNumber=config.get("phone_number"))
    video.update(isEnabled=bool(operator.get("video_enabled")),
                 hasPriorityOnVideo=operator.get("video_priority") == 10)
    return {
        "email": operator["email"], "firstName": operator.get("first_name"), "lastName": operator.get("name", ""),
        "userName": operator.get("pseudo"), "externalId": operator.get("external_id"), "roleId": role_id,
        "groupId": operator.get("group_id"), "projectIds": operator.get("website_list", []),
        "skillIds": operator.get("skill_list", []), "channels": channels,
        "countryPreferences": {"interfaceLanguage": operator.get("language_admin", "en"),
                               "languages": sorted(operator.get("language_list", [])),
                               "dateFormat": None, "timeFormat": None, "timezone": None},
    }


def seed_demo_users(state: UserState) -> list[int]:
    """Add the demo team and the non-professional users; return the new ids."""
    ids = [state.add_user(PROFESSIONAL, rest_to_user(operator)) for operator in DEMO_OPERATORS]
    ids += [state.add_user(typename, fields) for typename, fields in NON_PROFESSIONALS]
    return ids
