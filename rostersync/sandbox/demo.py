"""A believable demo team: a French/English customer-service team on two websites.

``DEMO_OPERATORS`` is plain data with the API's field names, the one place to edit
it (to align it with ``examples/operators.yaml``, say). ``DEMO_PRESENCE`` says who
is connected right now, on which channels, with how many conversations open.
Websites 123 (the French shop) and 456 (the English one), group 7, skills 101
(orders and delivery), 102 (returns) and 103 (product advice).
"""

from __future__ import annotations

from typing import Any

from rostersync.sandbox.store import OperatorStore

__all__ = ["DEMO_OPERATORS", "DEMO_PRESENCE", "seed_demo"]

DEMO_OPERATORS: list[dict[str, Any]] = [
    {
        "first_name": "Julie", "name": "Martin", "pseudo": "Julie",
        "email": "julie.martin@example.com", "external_id": "EMP-0001",
        "roles": ["admin", "manager"], "chat_enabled": True, "call_enabled": True,
        "chat_max_number": 4, "chat_and_call": True, "chat_priority": 10, "call_priority": 10,
        "language_list": ["fr", "en"], "language_admin": "fr", "group_id": 7,
        "website_list": [123, 456], "skill_list": [101, 102, 103],
    },
    {
        "first_name": "Thomas", "name": "Bernard", "pseudo": "Thomas",
        "email": "thomas.bernard@example.com", "external_id": "EMP-0002",
        "roles": ["manager", "operator"], "chat_enabled": True, "call_enabled": True,
        "chat_max_number": 3, "call_priority": 10,
        "language_list": ["fr"], "language_admin": "fr", "group_id": 7,
        "website_list": [123], "skill_list": [101, 102],
        "call_config": {"type": "ANSWER_FROM_PHONE", "phone_number": "+33240000001"},
    },
    {
        "first_name": "Camille", "name": "Dubois", "pseudo": "Camille",
        "email": "camille.dubois@example.com", "external_id": "EMP-0003",
        "roles": ["operator"], "chat_enabled": True, "chat_max_number": 5,
        "chat_priority": 10, "language_list": ["fr", "es"], "language_admin": "fr",
        "group_id": 7, "website_list": [123], "skill_list": [101],
    },
    {
        "first_name": "Lucas", "name": "Moreau", "pseudo": "Lucas",
        "email": "lucas.moreau@example.com", "external_id": "EMP-0004",
        "roles": ["operator"], "chat_enabled": True, "video_enabled": True,
        "chat_max_number": 3, "chat_to_video": True, "video_priority": 10,
        "language_list": ["fr"], "language_admin": "fr", "group_id": 7,
        "website_list": [123], "skill_list": [103],
    },
    {
        "first_name": "Emma", "name": "Leroy", "pseudo": "Emma",
        "email": "emma.leroy@example.com", "external_id": "EMP-0005",
        "roles": ["operator"], "chat_enabled": True, "call_enabled": True,
        "chat_max_number": 2, "language_list": ["fr", "en"], "language_admin": "fr",
        "group_id": 7, "website_list": [123, 456], "skill_list": [102],
        "call_config": {"type": "ANSWER_FROM_PHONE",
                        "ask_phone_number_at_every_connection": True},
    },
    {
        "first_name": "Oliver", "name": "Smith", "pseudo": "Oliver",
        "email": "oliver.smith@example.com", "external_id": "EMP-0006",
        "roles": ["manager"], "chat_enabled": True, "chat_max_number": 4,
        "chat_priority": 10, "language_list": ["en"], "language_admin": "en",
        "group_id": 7, "website_list": [456], "skill_list": [101, 102],
    },
    {
        "first_name": "Amelia", "name": "Jones", "pseudo": "Amelia",
        "email": "amelia.jones@example.com", "external_id": "EMP-0007",
        "roles": ["operator"], "chat_enabled": True, "call_enabled": True,
        "chat_max_number": 3, "language_list": ["en", "de"], "language_admin": "en",
        "group_id": 7, "website_list": [456], "skill_list": [101],
    },
    {
        "first_name": "Harry", "name": "Taylor", "pseudo": "Harry",
        "email": "harry.taylor@example.com", "external_id": "EMP-0008",
        "roles": ["operator"], "chat_enabled": True, "chat_max_number": 3,
        "language_list": ["en"], "language_admin": "en",
        "group_id": 7, "website_list": [456], "skill_list": [102, 103],
    },
    {
        "first_name": "Léa", "name": "Fournier", "pseudo": "Léa",
        "email": "lea.fournier@example.com", "external_id": "EMP-0009",
        "roles": ["expert"], "chat_enabled": True, "chat_max_number": 2,
        "language_list": ["fr", "it"], "language_admin": "fr",
        "website_list": [123], "skill_list": [103],
    },
    {
        "first_name": "Sophie", "name": "Girard", "pseudo": "Sophie",
        "email": "sophie.girard@example.com", "external_id": "EMP-0010",
        "roles": ["operator"], "chat_enabled": True, "chat_max_number": 3,
        "language_list": ["fr", "en"], "language_admin": "en", "group_id": 7,
        "website_list": [123, 456], "skill_list": [101],
        "sso_key": "demo-sso-5f2c9a",
    },
]

# email -> who is at their desk now: the channels they are available on, and how
# many conversations they have open per channel. Everyone listed has logged in
# before; those connected=False are offline now.
DEMO_PRESENCE: dict[str, dict[str, Any]] = {
    "julie.martin@example.com": {"connected": True, "available": ["chat", "call"],
                                 "slots": {"chat": 2}},
    "thomas.bernard@example.com": {"connected": True, "available": ["call"],
                                   "slots": {"call": 1}},
    "camille.dubois@example.com": {"connected": True, "available": ["chat"],
                                   "slots": {"chat": 5}},
    "lucas.moreau@example.com": {"connected": False},
    "emma.leroy@example.com": {"connected": True, "available": []},
    "oliver.smith@example.com": {"connected": True, "available": ["chat"],
                                 "slots": {"chat": 1}},
    "amelia.jones@example.com": {"connected": False},
    "harry.taylor@example.com": {"connected": True, "available": ["chat"]},
    "lea.fournier@example.com": {"connected": False},
    "sophie.girard@example.com": {"connected": False},
}


def seed_demo(store: OperatorStore) -> list[int]:
    """Add the demo team to ``store`` with its presence; return the new ids."""
    ids = store.bulk_add(DEMO_OPERATORS, logged_in=True)
    for operator_id, operator in zip(ids, DEMO_OPERATORS, strict=True):
        presence = DEMO_PRESENCE.get(operator["email"], {})
        store.set_presence(operator_id, connected=bool(presence.get("connected")),
                           available=presence.get("available", ()),
                           slot_number=presence.get("slots"))
    return ids
