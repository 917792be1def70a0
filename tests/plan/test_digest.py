"""A plan's digest: exactly what it hashes, and what it leaves out.

Plans built from values (no server) pin the definition; plans made against the
sandbox over loopback show it is stable from run to run and survives a saved plan.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import replace
from pathlib import Path

import pytest

from rostersync.api import IAdvizeClient
from rostersync.plan.changes import Create, Delete, FieldChange, Plan, Update
from rostersync.plan.digest import check_digest, digest_input, parse_digest
from rostersync.plan.errors import DigestMismatchError
from rostersync.plan.workflow import load_fresh_plan, plan_roster, save_plan
from rostersync.roster.loader import load_texts
from rostersync.sandbox import Sandbox

KEY = "test-key-5f2c9e"  # the `account` fixture's
SECRET = "s3cret-sso-token"


def a_plan(*, sso_key: str = SECRET, languages: list[str] | None = None, **plan_fields: object) -> Plan:
    create = Create("new@example.com", {"email": "new@example.com", "first_name": "Newcomer", "sso_key": sso_key},
                    source="roster.yaml:3")
    update = Update("ada@example.com", 12, (
        FieldChange("chat_max_number", 3, 4),
        FieldChange("language_list", languages if languages is not None else ["fr", "en"], ["en", "fr", "es"]),
    ), fingerprint="aaaa", source="roster.yaml:9")
    delete = Delete("gone@example.com", 13, fingerprint="bbbb")
    counts: dict[str, object] = {"unchanged": 1, "live_in_scope": 3, **plan_fields}
    return Plan((create, update, delete), **counts)  # type: ignore[arg-type]


def test_the_digest_is_sha256_of_the_canonical_json_of_the_changes() -> None:
    key = hmac.new(KEY.encode(), b"rostersync plan digest secrets v1", hashlib.sha256).digest()
    tag = hmac.new(key, json.dumps(SECRET).encode(), hashlib.sha256).hexdigest()
    expected_input = {
        "digest": "rostersync plan digest v1",
        "changes": [
            {"action": "create", "email": "new@example.com",
             "fields": {"email": "new@example.com", "first_name": "Newcomer",
                        "sso_key": f"(sensitive) hmac-sha256:{tag}"}},
            {"action": "update", "email": "ada@example.com", "id": 12, "changes": [
                {"field": "chat_max_number", "before": 3, "after": 4},
                {"field": "language_list", "before": ["en", "fr"], "after": ["en", "es", "fr"]}]},
            {"action": "delete", "email": "gone@example.com", "id": 13},
        ],
    }
    plan = a_plan().with_digest_key(KEY)
    assert digest_input(plan.changes, plan.digest_key) == expected_input
    text = json.dumps(expected_input, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    assert plan.digest == "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def test_the_digest_ignores_what_writes_nothing_different() -> None:
    digest = a_plan().digest
    assert a_plan(warnings=("the account returned no operators",)).digest == digest
    assert a_plan(unchanged=40, live_in_scope=90, listed_ids=frozenset({1, 2})).digest == digest
    assert a_plan(languages=["en", "fr"]).digest == digest  # the order the API lists a set in
    plan = a_plan()
    moved = tuple(replace(c, source="elsewhere.yaml:80") if isinstance(c, Create) else
                  replace(c, fingerprint="changed") if isinstance(c, Update | Delete) else c for c in plan.changes)
    assert replace(plan, changes=moved).digest == digest


@pytest.mark.parametrize("changed", [
    lambda p: replace(p, changes=p.changes[:2]),                                     # one change fewer
    lambda p: replace(p, changes=(p.changes[0], replace(p.changes[1], id=14), p.changes[2])),  # another operator
    lambda p: replace(p, changes=(p.changes[0], replace(p.changes[1], changes=(FieldChange("chat_max_number", 3, 5),)),
                                  p.changes[2])),                                     # another value
])
def test_every_change_to_what_is_written_changes_the_digest(changed: object) -> None:
    plan = a_plan()
    assert changed(plan).digest != plan.digest  # type: ignore[operator]


def test_a_secret_counts_in_the_digest_without_showing_in_its_input() -> None:
    keyed = a_plan().with_digest_key(KEY)
    assert SECRET not in json.dumps(digest_input(keyed.changes, keyed.digest_key))
    assert a_plan(sso_key="another-token").with_digest_key(KEY).digest != keyed.digest
    assert a_plan().with_digest_key("another-api-key").digest != keyed.digest
    # Without a key, a secret counts only as being set: its value is not hashed at all.
    assert a_plan().digest == a_plan(sso_key="another-token").digest
    assert digest_input(a_plan().changes, None)["changes"][0]["fields"]["sso_key"] == "(sensitive)"


def test_check_digest_accepts_the_same_and_refuses_another() -> None:
    plan = a_plan()
    check_digest(plan, plan.digest.upper().replace("SHA256:", "sha256:"))
    other = a_plan(sso_key="x").with_digest_key(KEY)
    with pytest.raises(DigestMismatchError) as refused:
        check_digest(other, plan.digest)
    assert str(refused.value) == (
        f"Refusing to apply: the plan now has 3 changes, digest {other.digest}, not the reviewed plan's digest "
        f"{plan.digest}. The roster or the account changed since that plan was made. Nothing was written. "
        "Make a new plan and review it.")
    assert refused.value.plan is other


@pytest.mark.parametrize("text", ["", "sha256:", "sha256:" + "0" * 63, "md5:" + "0" * 64, "0" * 64,
                                  "sha256:" + "g" * 64])
def test_a_malformed_digest_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="a plan digest is 'sha256:' and 64 hexadecimal digits"):
        parse_digest(text)


ROSTER = """\
version: 1
operators:
  - email: ada@example.com
    chat: {max: 4}
  - email: new@example.com
    first_name: Newcomer
    sso_key: s3cret-sso-token
"""


def test_the_digest_is_stable_across_runs_and_saved_plans(account: Sandbox, tmp_path: Path) -> None:
    account.store.add({"email": "ada@example.com", "chat_max_number": 3, "language_list": ["fr", "en"]})
    account.store.add({"email": "gone@example.com"})
    roster = load_texts([("roster.yaml", ROSTER)])
    with IAdvizeClient(account.url, KEY) as client:
        first = plan_roster(client, roster, api_key=KEY)
        second = plan_roster(client, roster, api_key=KEY)
        assert first.has_changes and first.digest == second.digest
        save_plan(tmp_path / "a.json", first, roster, "t", api_key=KEY)
        save_plan(tmp_path / "b.json", second, roster, "t", api_key=KEY)
        # Saved apart, the files differ (created_at, at least in general); the digest does not.
        for name in ("a.json", "b.json"):
            assert load_fresh_plan(client, tmp_path / name, "t", api_key=KEY, force=True).plan.digest == first.digest
        assert plan_roster(client, roster).digest != first.digest  # unkeyed: the secret counts as set only
