"""`apply PLANFILE` trusts nothing in the file: each attack on a saved plan is refused
with a message, and nothing is written to the account.

Edits left unsigned meet the integrity tag; the same edits signed again with the key
meet the checks behind it (what is sent is derived from the changes shown, the roster's
rules, the scope, the account as planned, the delete guard).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from saved_plan_support import KEY, Untouched, edit, id_of, refused, run, saved_plan, seed, the

from rostersync.api.records import parse_operator
from rostersync.plan.engine import fingerprint
from rostersync.sandbox import Sandbox


def test_an_intact_plan_applies(account: Sandbox, tmp_path: Path) -> None:
    path = saved_plan(account, tmp_path)
    result = run("apply", "-q", str(path))
    assert result.exit_code == 0, result.output
    assert "Apply complete: 1 created, 1 updated, 1 deleted." in result.stdout
    assert run("plan", "-q", str(tmp_path / "roster.yaml")).stdout == "No changes.\n"


# --- integrity ---------------------------------------------------------------------------------

INTEGRITY = "this saved plan was modified after it was saved (its integrity tag does not match)"


def make_admin(document: dict[str, Any]) -> None:
    """The attack that worked before: the update shows first_name, the payload makes an admin."""
    the(document, "update")["payload"] = {"first_name": "Augusta", "roles": ["admin"]}


def rename(document: dict[str, Any]) -> None:
    the(document, "update")["changes"][0]["after"] = "Mallory"


def drop_tag(document: dict[str, Any]) -> None:
    del document["integrity"]


@pytest.mark.parametrize("attack", [make_admin, rename, drop_tag])
def test_an_unsigned_edit_is_refused_by_the_integrity_tag(account: Sandbox, tmp_path: Path, attack: Any) -> None:
    path = saved_plan(account, tmp_path)
    edit(path, attack, sign=False)
    untouched = Untouched(account)
    refused(run("apply", "-q", str(path)), INTEGRITY, "Nothing was written.")
    untouched.check()


def test_one_byte_changed_is_refused(account: Sandbox, tmp_path: Path) -> None:
    path = saved_plan(account, tmp_path)
    path.write_text(path.read_text().replace('"Augusta"', '"Augustb"'))
    untouched = Untouched(account)
    refused(run("apply", "-q", str(path)), INTEGRITY)
    untouched.check()


def test_a_plan_signed_with_another_api_key_is_refused_before_any_request(
        account: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = saved_plan(account, tmp_path)
    monkeypatch.setenv("IADVIZE_API_KEY", "another-key-of-another-account")
    untouched = Untouched(account)
    refused(run("apply", "-q", str(path)), INTEGRITY, "or it was saved with another API key")
    assert account.request_counts() == {}
    untouched.check()


def test_the_file_holds_no_key(account: Sandbox, tmp_path: Path) -> None:
    text = saved_plan(account, tmp_path).read_text()
    assert KEY not in text
    assert '"hmac_sha256"' in text


# --- signed again: the checks behind the tag ---------------------------------------------------

def test_a_payload_beside_the_changes_is_refused(account: Sandbox, tmp_path: Path) -> None:
    path = saved_plan(account, tmp_path)
    edit(path, make_admin, sign=True)
    untouched = Untouched(account)
    refused(run("apply", "-q", str(path)), "changes[1] ('ada@example.com'): unknown field 'payload'")
    untouched.check()


def test_what_is_sent_is_what_the_plan_shows(account: Sandbox, tmp_path: Path) -> None:
    """A change added (and signed) is shown, and sent; nothing else is."""
    path = saved_plan(account, tmp_path)
    edit(path, lambda d: the(d, "update")["changes"].append(
        {"field": "roles", "before": ["operator"], "after": ["manager"]}), sign=True)
    result = run("apply", str(path))
    assert result.exit_code == 0, result.output
    assert "roles: [operator] -> [manager]" in result.stdout
    ada = account.store.get(id_of(account, "ada@example.com"))
    assert (ada["first_name"], ada["roles"]) == ("Augusta", ["manager"])


@pytest.mark.parametrize(("field", "before", "after", "message"), [
    ("first_name", "Bob", "Augusta",
     "ada@example.com (#{id}): the changes it shows for first_name are not those between the account"),
    ("first_name", "Ada", "Ada", "the changes it shows for first_name are not those"),
    ("roles", ["operator"], ["root"], "breaks the roster's rules: roles.0: must be 'expert', 'operator', 'manager'"),
    ("chat_priority", 0, 5, "breaks the roster's rules: chat.priority: must be 0 or 10, got 5"),
    ("language_list", [], ["english"], "languages.0: must be an ISO 639-1 language code"),
    ("group_id", 7, 8, "group must be the scope's group 7, got 8; the operator would leave the plan's scope"),
    ("first_name", "Ada", None, "first_name has no value; a roster cannot ask for that"),
    ("sso_key", None, "", "sso_key: is not a valid secret"),
    ("call_config.type", "ANSWER_FROM_DESK", "ANSWER_FROM_PHONE",
     "call_config type ANSWER_FROM_PHONE would have no phone_number"),
    ("call_config.colour", None, "red", "'call_config.colour' is no field rostersync manages"),
    ("password", None, "x", "'password' is no field rostersync manages"),
])
def test_an_edited_field_change_is_refused(account: Sandbox, tmp_path: Path, field: str, before: Any, after: Any,
                                           message: str) -> None:
    path = saved_plan(account, tmp_path)
    edit(path, lambda d: the(d, "update").update(changes=[{"field": field, "before": before, "after": after}]),
         sign=True)
    untouched = Untouched(account)
    refused(run("apply", "-q", str(path)), message.format(id=id_of(account, "ada@example.com")),
            "Nothing was written.")
    untouched.check()


def test_a_delete_showing_another_email_is_refused(account: Sandbox, tmp_path: Path) -> None:
    path = saved_plan(account, tmp_path)
    edit(path, lambda d: the(d, "delete").update(email="someone-else@example.com"), sign=True)
    untouched = Untouched(account)
    refused(run("apply", "-q", str(path)), "the delete of #", "shows 'someone-else@example.com', but #")
    untouched.check()


@pytest.mark.parametrize(("fields", "message"), [
    ({}, "creates an operator outside the plan's scope (its group is None, not the scope's 7)"),
    ({"group_id": 8}, "group must be the scope's group 7, got 8; the operator would leave the plan's scope"),
    ({"group_id": 7, "email": "x@example.com"}, "the email it creates differs from the email it shows"),
    ({"group_id": 7, "roles": ["admin"], "chat_max_number": 0}, "chat.max: must be a positive integer, got 0"),
    ({"group_id": 7, "call_config": {"type": "ANSWER_FROM_PHONE"}}, "ANSWER_FROM_PHONE needs a phone_number"),
    ({"group_id": 7, "is_superuser": True}, "'is_superuser': no field rostersync manages"),
])
def test_an_added_create_that_breaks_the_rules_is_refused(account: Sandbox, tmp_path: Path, fields: dict[str, Any],
                                                         message: str) -> None:
    path = saved_plan(account, tmp_path)

    def add_create(document: dict[str, Any]) -> None:
        document["changes"].insert(0, {"action": "create", "email": "intruder@example.com", "source": "",
                                       "fields": {"email": "intruder@example.com", **fields}})
        document["roster_size"] += 1

    edit(path, add_create, sign=True)
    untouched = Untouched(account)
    refused(run("apply", "-q", str(path)), "changes[0] ('intruder@example.com')", message)
    untouched.check()


def test_a_create_of_an_ignored_email_is_refused(account: Sandbox, tmp_path: Path) -> None:
    path = saved_plan(account, tmp_path)

    def create_the_boss(document: dict[str, Any]) -> None:
        create = the(document, "create")
        create["email"] = create["fields"]["email"] = "boss@iadvize.com"

    edit(path, create_the_boss, sign=True)
    untouched = Untouched(account)
    refused(run("apply", "-q", str(path)), "matches the ignore pattern '*@iadvize.com'")
    untouched.check()


# --- the delete guard --------------------------------------------------------------------------

MANY_GONE = [{"email": f"gone{n}@example.com", "group_id": 7} for n in range(5)]
KEEP_THREE = "version: 1\nscope: {group_id: 7}\noperators:\n" + "".join(
    f"  - {{email: keep{n}@example.com}}\n" for n in range(3))


def test_a_saved_plan_deleting_too_much_is_refused_then_force_applies_it(account: Sandbox, tmp_path: Path) -> None:
    roster = seed(account, tmp_path, KEEP_THREE,
                  [{"email": f"keep{n}@example.com", "group_id": 7} for n in range(3)] + MANY_GONE)
    path = tmp_path / "plan.json"
    assert run("plan", "-q", "--force", "--out", str(path), str(roster)).exit_code == 0
    untouched = Untouched(account)
    refused(run("apply", "-q", str(path)),
            "This plan deletes 5 of the 8 operators in scope (62%), more than --max-delete-ratio 0.25 allows.")
    untouched.check()
    forced = run("apply", "-q", "--force", str(path))
    assert forced.exit_code == 0, forced.output
    assert sorted(op["email"] for op in account.store.list()) == [f"keep{n}@example.com" for n in range(3)]


def test_deletes_added_to_a_signed_plan_meet_the_guard(account: Sandbox, tmp_path: Path) -> None:
    path = saved_plan(account, tmp_path)
    ids = {op["email"]: op["id"] for op in account.store.list()}

    def delete_everyone(document: dict[str, Any]) -> None:
        for email in ("ada@example.com", "grace@example.com"):
            record = parse_operator(account.store.get(ids[email]))
            document["changes"] = [c for c in document["changes"] if c.get("email") != email]
            document["changes"].append({"action": "delete", "email": email, "id": ids[email],
                                        "fingerprint": fingerprint(record.fields)})
        document["roster_size"], document["unchanged"] = 1, 0

    edit(path, delete_everyone, sign=True)
    untouched = Untouched(account)
    refused(run("apply", "-q", str(path)), "This plan deletes 3 of the 3 operators in scope (100%)")
    untouched.check()
