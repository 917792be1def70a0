"""The plan engine as a table: roster YAML and the account's operators -> the plan.

Each case states the plan a person would read: which operators are created, updated
or deleted, each update's fields as before -> after, and exactly what each write
sends. The live operators are written as `GET /operator?full=1` returns them.
"""

from __future__ import annotations

import re

import pytest
from plan_table_support import create, delete, live, plan_for, roster, rows, update

from rostersync import PlanError, UnsafePlanError, build_plan, raise_if_unsafe

ADA = {"id": 1, "email": "ada@example.com"}
BOB = {"id": 2, "email": "bob@example.com"}
PHONE, OTHER_PHONE = "+33123456789", "+33987654321"

PLANS = [
    # --- ordinary cases --------------------------------------------------------------
    pytest.param(
        """
        version: 1
        operators:
          - {email: ada@example.com, first_name: Ada, chat: {max: 3}}
        """,
        [{**ADA, "first_name": "Ada", "chat_max_number": 3, "name": "Lovelace", "chat_priority": 10,
          "pseudo": "al"}],
        [],
        id="no change: managed fields match, unmanaged ones are left alone",
    ),
    pytest.param(
        """
        version: 1
        operators:
          - {email: ada@example.com, first_name: Ada, chat: {max: 4}}
        """,
        [{**ADA, "first_name": "Ada", "chat_max_number": 3}],
        [update("ada@example.com", 1, {"chat_max_number": (3, 4)}, {"chat_max_number": 4})],
        id="single field update sends that field only",
    ),
    pytest.param(
        """
        version: 1
        operators:
          - email: ada@example.com
            roles: [manager, operator]
            languages: [fr, en, fr]
            websites: [456, 123]
            skills: [103, 101, 103]
        """,
        [{**ADA, "roles": ["operator", "manager"], "language_list": ["en", "fr"], "website_list": [123, 456],
          "skill_list": [101, 103]}],
        [],
        id="list fields reordered or repeated: no change",
    ),
    pytest.param(
        """
        version: 1
        operators:
          - {email: ada@example.com, languages: [fr, en], skills: [103]}
        """,
        [{**ADA, "language_list": ["fr"], "skill_list": [103, 101]}],
        [update("ada@example.com", 1, {"language_list": (["fr"], ["en", "fr"]), "skill_list": ([103, 101], [103])},
                {"language_list": ["en", "fr"], "skill_list": [103]})],
        id="list field changed: sent whole, as a sorted set",
    ),
    pytest.param(
        """
        version: 1
        operators:
          - {email: Ada@Example.com, first_name: Ada, roles: [manager, operator], languages: [fr, en],
             call_config: {type: ANSWER_FROM_DESK, ask_phone_number_at_every_connection: false}}
        """,
        [{**ADA, "first_name": "Adah", "roles": ["operator", "manager"], "language_list": ["en", "fr", "en"],
          "call_config": {"type": "ANSWER_FROM_DESK"}}],
        [update("Ada@Example.com", 1, {"first_name": ("Adah", "Ada")}, {"first_name": "Ada"})],
        id="beside a change, what matches by the comparison rules is no change (sets, email case, defaults)",
    ),
    pytest.param(
        """
        version: 1
        operators:
          - {email: Ada@Example.COM, first_name: Ada}
          - {email: bob@example.com, first_name: Bob}
        """,
        [{**ADA, "first_name": "Ada"}, {**BOB, "email": "BOB@EXAMPLE.com", "first_name": "Bob"}],
        [],
        id="emails match case-insensitively, either side",
    ),
    pytest.param(
        """
        version: 1
        defaults: {roles: [operator], chat: {enabled: true, max: 3}}
        profiles:
          sales-fr: {languages: [fr], chat: {max: 4}}
        operators:
          - {email: ada@example.com, profile: sales-fr, chat: {priority: 10}}
        """,
        [],
        [create("ada@example.com", roles=["operator"], chat_enabled=True,
                chat_max_number=4, chat_priority=10, language_list=["fr"])],
        id="create sends defaults, profile and own fields merged, by API name",
    ),
    pytest.param(
        """
        version: 1
        operators:
          - {email: ada@example.com}
        """,
        [ADA, {**BOB, "first_name": "Bob"}],
        [delete("bob@example.com", 2)],
        id="live operator the roster does not name is deleted",
    ),
    pytest.param(
        """
        version: 1
        operators:
          - {email: zoe@example.com}
          - {email: bob@example.com, first_name: Bob}
          - {email: ada@example.com, first_name: Ada}
          - {email: cyd@example.com}
        """,
        [{"id": 9, "email": "yan@example.com"}, {**ADA, "first_name": "A."}, {**BOB, "first_name": "B."},
         {"id": 8, "email": "Eve@example.com"}],
        [create("cyd@example.com"),
         create("zoe@example.com"),
         update("ada@example.com", 1, {"first_name": ("A.", "Ada")}, {"first_name": "Ada"}),
         update("bob@example.com", 2, {"first_name": ("B.", "Bob")}, {"first_name": "Bob"}),
         delete("Eve@example.com", 8),
         delete("yan@example.com", 9)],
        id="order: creates, updates, deletes, each by email",
    ),
    # --- identity: external_id before email --------------------------------------------
    pytest.param(
        """
        version: 1
        operators:
          - {email: ada.king@example.com, external_id: HR-1}
        """,
        [{**ADA, "external_id": "HR-1"}],
        [update("ada.king@example.com", 1, {"email": ("ada@example.com", "ada.king@example.com")},
                {"email": "ada.king@example.com"})],
        id="email change matched by external_id is an update, not create + delete",
    ),
    pytest.param(
        """
        version: 1
        operators:
          - {email: bob@example.com, external_id: HR-1}
          - {email: ada@example.com, external_id: HR-2}
        """,
        [{**ADA, "external_id": "HR-1"}, {**BOB, "external_id": "HR-2"}],
        [update("ada@example.com", 2, {"email": ("bob@example.com", "ada@example.com")}, {"email": "ada@example.com"}),
         update("bob@example.com", 1, {"email": ("ada@example.com", "bob@example.com")}, {"email": "bob@example.com"})],
        id="email swap between two operators matched by external_id: two email updates",
    ),
    pytest.param(
        """
        version: 1
        operators:
          - {email: ada@example.com, external_id: HR-2}
        """,
        [{**ADA, "external_id": "HR-1"}, {**BOB, "external_id": "HR-2"}],
        [update("ada@example.com", 2, {"email": ("bob@example.com", "ada@example.com")}, {"email": "ada@example.com"}),
         delete("ada@example.com", 1)],
        id="external_id wins over email: its operator takes the email, the email's holder is deleted",
    ),
    pytest.param(
        """
        version: 1
        operators:
          - {email: ada@example.com, external_id: HR-2}
        """,
        [{**ADA, "external_id": "HR-1"}],
        [update("ada@example.com", 1, {"external_id": ("HR-1", "HR-2")}, {"external_id": "HR-2"})],
        id="external_id unknown live: matched by email, external_id rewritten",
    ),
    pytest.param(
        """
        version: 1
        operators:
          - {email: Ada@Example.com, external_id: HR-1}
        """,
        [{**ADA, "external_id": "HR-1"}],
        [],
        id="email differing only in case under the same external_id: no change",
    ),
    # --- sso_key: a secret the API may not return -----------------------------------------
    pytest.param(
        """
        version: 1
        operators:
          - {email: ada@example.com, sso_key: s3cret}
        """,
        [],
        [create("ada@example.com", sso_key="s3cret")],
        id="sso_key: sent on create",
    ),
    pytest.param(
        """
        version: 1
        operators:
          - {email: ada@example.com, sso_key: s3cret}
        """,
        [ADA],
        [],
        id="sso_key: not returned by the API, so not compared: no change",
    ),
    pytest.param(
        """
        version: 1
        operators:
          - {email: ada@example.com, first_name: Ada, sso_key: s3cret}
        """,
        [{**ADA, "first_name": "A."}],
        [update("ada@example.com", 1, {"first_name": ("A.", "Ada")}, {"first_name": "Ada"})],
        id="sso_key: not returned, another field changes: the PUT does not resend it",
    ),
    pytest.param(
        """
        version: 1
        operators:
          - {email: ada@example.com, sso_key: s3cret}
        """,
        [{**ADA, "sso_key": None}],
        [update("ada@example.com", 1, {"sso_key": (None, "s3cret")}, {"sso_key": "s3cret"})],
        id="sso_key: returned as null is unset: set",
    ),
    pytest.param(
        """
        version: 1
        operators:
          - {email: ada@example.com, sso_key: s3cret}
        """,
        [{**ADA, "sso_key": "s3cret"}],
        [],
        id="sso_key: returned and equal: no change",
    ),
    pytest.param(
        """
        version: 1
        operators:
          - {email: ada@example.com, sso_key: n3w}
        """,
        [{**ADA, "sso_key": "old"}],
        [update("ada@example.com", 1, {"sso_key": ("old", "n3w")}, {"sso_key": "n3w"})],
        id="sso_key: returned and different: rotated",
    ),
    pytest.param(
        """
        version: 1
        operators:
          - {email: ada@example.com}
        """,
        [{**ADA, "sso_key": "old"}],
        [],
        id="sso_key: unmanaged: never sent",
    ),
    # --- call_config: keys the API leaves out take their defaults -------------------------
    pytest.param(
        """
        version: 1
        operators:
          - {email: ada@example.com, call_config: {type: ANSWER_FROM_DESK, ask_phone_number_at_every_connection: false}}
          - {email: bob@example.com, call_config: {type: ANSWER_FROM_DESK}}
        """,
        [ADA, {**BOB, "call_config": []}],
        [],
        id="call_config: absent, or PHP's empty [], reads as the defaults",
    ),
    pytest.param(
        """
        version: 1
        operators:
          - {email: ada@example.com, call_config: {type: ANSWER_FROM_PHONE, ask_phone_number_at_every_connection: true}}
        """,
        [{**ADA, "call_config": {"type": "ANSWER_FROM_PHONE", "ask_phone_number_at_every_connection": True,
                                 "phone_number": PHONE}}],
        [],
        id="call_config: a key the roster leaves out is not compared",
    ),
    pytest.param(
        f"""
        version: 1
        operators:
          - {{email: ada@example.com, call_config: {{type: ANSWER_FROM_PHONE, phone_number: '{PHONE}'}}}}
        """,
        [ADA],
        [update("ada@example.com", 1,
                {"call_config.phone_number": (None, PHONE), "call_config.type": ("ANSWER_FROM_DESK", "ANSWER_FROM_PHONE")},
                {"call_config": {"type": "ANSWER_FROM_PHONE", "phone_number": PHONE}})],
        id="call_config: changes reported per key, from the defaults when absent",
    ),
    pytest.param(
        f"""
        version: 1
        operators:
          - email: ada@example.com
            call_config: {{type: ANSWER_FROM_PHONE, phone_number: '{PHONE}', ask_phone_number_at_every_connection: false}}
        """,
        [{**ADA, "call_config": {"type": "ANSWER_FROM_PHONE", "phone_number": OTHER_PHONE}}],
        # The PUT is derived from the changes the plan shows: the changed key alone
        # (the API merges call_config key by key).
        [update("ada@example.com", 1, {"call_config.phone_number": (OTHER_PHONE, PHONE)},
                {"call_config": {"phone_number": PHONE}})],
        id="call_config: one key changed sends that key alone",
    ),
    pytest.param(
        f"""
        version: 1
        defaults: {{call_config: {{type: ANSWER_FROM_PHONE, ask_phone_number_at_every_connection: true}}}}
        operators:
          - {{email: ada@example.com, call_config: {{phone_number: '{PHONE}'}}}}
        """,
        [],
        [create("ada@example.com",
                call_config={"type": "ANSWER_FROM_PHONE", "phone_number": PHONE,
                             "ask_phone_number_at_every_connection": True})],
        id="call_config: merged key by key from defaults, sent on create",
    ),
    # --- scope -------------------------------------------------------------------------
    pytest.param(
        """
        version: 1
        scope: {group_id: 7}
        operators:
          - {email: ada@example.com, first_name: Ada}
        """,
        [],
        [create("ada@example.com", first_name="Ada", group_id=7)],
        id="scope: create gets the scope's group when the roster leaves it unmanaged",
    ),
    pytest.param(
        """
        version: 1
        scope: {website_id: 123}
        operators:
          - {email: ada@example.com}
        """,
        [],
        [create("ada@example.com", website_list=[123])],
        id="scope: create gets the scope's website when the roster leaves websites unmanaged",
    ),
    pytest.param(
        """
        version: 1
        scope: {website_id: 123, group_id: 7}
        operators:
          - {email: ada@example.com, websites: [456, 123], group: 7}
        """,
        [],
        [create("ada@example.com", group_id=7, website_list=[123, 456])],
        id="scope: the roster's own websites and group are kept on create",
    ),
    pytest.param(
        """
        version: 1
        scope: {group_id: 7}
        operators:
          - {email: ada@example.com, first_name: Ada}
        """,
        [{**ADA, "group_id": 7, "first_name": "A."}],
        [update("ada@example.com", 1, {"first_name": ("A.", "Ada")}, {"first_name": "Ada"})],
        id="scope: an update does not send the scope's fields",
    ),
    pytest.param(
        """
        version: 1
        scope: {group_id: 7}
        operators:
          - {email: ada@example.com}
        """,
        [{**ADA, "group_id": 7}, {**BOB, "group_id": 7}, {"id": 3, "email": "out@example.com", "group_id": 8},
         {"id": 4, "email": "nogroup@example.com", "group_id": None}],
        [delete("bob@example.com", 2)],
        id="scope group: operators of other groups are never touched",
    ),
    pytest.param(
        """
        version: 1
        scope: {website_id: 123}
        operators:
          - {email: ada@example.com}
        """,
        [{**ADA, "website_list": [123]}, {**BOB, "website_list": [999, 123]},
         {"id": 3, "email": "out@example.com", "website_list": [999]}],
        [delete("bob@example.com", 2)],
        id="scope website: operators without the website are never touched",
    ),
    # --- ignore ------------------------------------------------------------------------
    pytest.param(
        """
        version: 1
        ignore: ["*@iadvize.com"]
        operators:
          - {email: ada@example.com}
        """,
        [ADA, {"id": 5, "email": "Support@IAdvize.com"}, {"id": 6, "email": "bot@iadvize.com", "first_name": "x"}],
        [],
        id="ignore: matching operators (case-insensitively) are neither deleted nor changed",
    ),
]


@pytest.mark.parametrize(("text", "items", "expected"), PLANS)
def test_plan(text: str, items: list[dict[str, object]], expected: list[tuple[object, ...]]) -> None:
    plan = plan_for(text, items)
    assert rows(plan) == expected


# --- two roster entries matching one live operator: refused, naming both ------------

TWO_FOR_ONE = [
    pytest.param(
        """
        version: 1
        operators:
          - {email: ada.king@example.com, external_id: HR-1}
          - {email: ada@example.com}
        """,
        "ada@example.com (team.yaml:5) and ada.king@example.com (team.yaml:4) both match live operator #1",
        id="external_id match first, email match second",
    ),
    pytest.param(
        """
        version: 1
        operators:
          - {email: ada@example.com}
          - {email: ada.king@example.com, external_id: HR-1}
        """,
        "ada.king@example.com (team.yaml:5) and ada@example.com (team.yaml:4) both match live operator #1",
        id="email match first, external_id match second",
    ),
    pytest.param(
        """
        version: 1
        operators:
          - {email: ada.king@example.com, external_id: HR-1}
          - {email: ada@example.com, external_id: HR-9}
        """,
        "ada@example.com (team.yaml:5) and ada.king@example.com (team.yaml:4) both match live operator #1",
        id="the email match has an external_id unknown to the account",
    ),
]


@pytest.mark.parametrize(("text", "message"), TWO_FOR_ONE)
def test_two_entries_matching_one_live_operator_are_refused(text: str, message: str) -> None:
    with pytest.raises(PlanError, match=re.escape(message)) as caught:
        plan_for(text, [{**ADA, "external_id": "HR-1"}, BOB])
    assert "one by external_id, the other by email" in str(caught.value)


# --- a listing that cannot be matched against: refused (issue 11) -----------------------
# Two live operators with one email (in any case) used to be planned as "the first one
# listed is matched, the other deleted": nothing says which one the roster means, so the
# plan is refused instead, naming both.

@pytest.mark.parametrize(("items", "message"), [
    ([{"id": 4, "email": "ADA@example.com"}, {**ADA, "first_name": "A."}],
     "live operators #4 and #1 have the same email 'ada@example.com' (compared case-insensitively)"),
    ([ADA, {**ADA, "first_name": "again"}], "live operator #1 is listed twice"),
], ids=["one email twice, differing in case", "one id twice"])
def test_an_ambiguous_listing_is_refused(items: list[dict[str, object]], message: str) -> None:
    with pytest.raises(PlanError, match=re.escape(message)):
        plan_for("""
            version: 1
            operators:
              - {email: ada@example.com, first_name: Ada}
            """, items)


# --- the delete guard --------------------------------------------------------------

def guard_case(*, live_ops: int, kept: int, new: int = 0, ignored: int = 0) -> tuple[str, list[dict[str, object]]]:
    """An account of `live_ops` operators (and `ignored` ones under the ignore glob), and a
    roster that keeps the first `kept` of them and adds `new` ones."""
    items: list[dict[str, object]] = [{"id": n, "email": f"op{n}@example.com"} for n in range(1, live_ops + 1)]
    items += [{"id": 100 + n, "email": f"staff{n}@iadvize.com"} for n in range(1, ignored + 1)]
    emails = [f"op{n}@example.com" for n in range(1, kept + 1)] + [f"new{n}@example.com" for n in range(1, new + 1)]
    listed = "".join(f"\n  - {{email: {email}}}" for email in emails)
    text = f"version: 1\nignore: ['*@iadvize.com']\noperators:{listed or ' []'}\n"
    return text, items


REFUSED_RATIO = "This plan deletes {} of the {} operators in scope"
REFUSED_EMPTY = "The roster has no operators, so this plan would delete all {} operators in scope"

GUARD = [
    pytest.param({"live_ops": 8, "kept": 6}, {}, None, id="2 of 8 deleted: exactly the 0.25 ratio, allowed"),
    pytest.param({"live_ops": 8, "kept": 5}, {}, REFUSED_RATIO.format(3, 8), id="3 of 8 deleted: one above the ratio, refused"),
    pytest.param({"live_ops": 10, "kept": 7}, {"max_delete_ratio": 0.3}, None, id="3 of 10 at ratio 0.3: exactly, allowed"),
    pytest.param({"live_ops": 10, "kept": 6}, {"max_delete_ratio": 0.3}, REFUSED_RATIO.format(4, 10),
                 id="4 of 10 at ratio 0.3: one above, refused"),
    pytest.param({"live_ops": 2, "kept": 1}, {"max_delete_ratio": 0.0}, None, id="a single delete is always allowed (1 of 2)"),
    pytest.param({"live_ops": 1, "kept": 0, "new": 1}, {}, None, id="a single delete is always allowed (1 of 1, 100%)"),
    pytest.param({"live_ops": 2, "kept": 0, "new": 1}, {}, REFUSED_RATIO.format(2, 2), id="2 of 2 deleted, roster not empty: refused"),
    pytest.param({"live_ops": 1, "kept": 0}, {}, REFUSED_EMPTY.format(1), id="empty roster, one operator in scope: refused"),
    pytest.param({"live_ops": 0, "kept": 0}, {}, None, id="empty roster, empty scope: allowed"),
    pytest.param({"live_ops": 3, "kept": 0, "ignored": 5}, {}, REFUSED_EMPTY.format(3),
                 id="empty roster: ignored operators are not counted in scope"),
    pytest.param({"live_ops": 0, "kept": 0, "ignored": 5}, {}, None, id="empty roster, only ignored operators: allowed"),
    pytest.param({"live_ops": 4, "kept": 2, "ignored": 4}, {}, REFUSED_RATIO.format(2, 4),
                 id="2 of 4 in scope deleted: ignored operators do not dilute the ratio"),
    pytest.param({"live_ops": 8, "kept": 0}, {"force": True}, None, id="force: empty roster allowed"),
    pytest.param({"live_ops": 8, "kept": 1}, {"force": True}, None, id="force: 7 of 8 deleted allowed"),
]


@pytest.mark.parametrize(("case", "options", "refusal"), GUARD)
def test_delete_guard(case: dict[str, int], options: dict[str, object], refusal: str | None) -> None:
    text, items = guard_case(**case)
    wanted = roster(text)
    plan = build_plan(wanted, live(wanted, items))
    assert plan.counts["delete"] == case["live_ops"] - case["kept"]  # the guard judges the plan it is given
    if refusal is None:
        raise_if_unsafe(plan, len(wanted.operators), **options)
        return
    with pytest.raises(UnsafePlanError, match=re.escape(refusal)) as caught:
        raise_if_unsafe(plan, len(wanted.operators), **options)
    assert "--force" in str(caught.value)


# --- warnings the plan carries above its changes -------------------------------------

WARNINGS = [
    pytest.param(
        "version: 1\noperators:\n  - {email: ada@example.com}\n  - {email: bob@example.com}\n", [],
        ["The account returned no operators in scope, so all 2 operators of the roster would be created."],
        id="empty account while the roster names several",
    ),
    pytest.param("version: 1\noperators:\n  - {email: ada@example.com}\n", [], [], id="empty account, one operator: no warning"),
    pytest.param(
        "version: 1\noperators:\n  - {email: ada@example.com}\n", [ADA, {"id": 7, "first_name": "Nobody"}],
        ["live operator #7 has no readable email; it is left untouched"],
        id="live operator without email: warned, not deleted",
    ),
]


@pytest.mark.parametrize(("text", "items", "starts"), WARNINGS)
def test_plan_warnings(text: str, items: list[dict[str, object]], starts: list[str]) -> None:
    plan = plan_for(text, items)
    for warning, start in zip(plan.warnings, starts, strict=True):
        assert warning.startswith(start)
    assert plan.of("delete") == []
