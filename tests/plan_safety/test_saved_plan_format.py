"""A saved plan's form: the exact format_version, bounded and strict reading, every
malformed file a message (exit 1), never a traceback, never a write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from saved_plan_support import KEY, ROSTER, Untouched, edit, refused, run, saved_plan, seed, the

from rostersync.plan.errors import PlanError, TamperedPlanError
from rostersync.plan.saved import MAX_SAVED_PLAN_BYTES, SAVED_PLAN_VERSION, read_saved_plan
from rostersync.sandbox import Sandbox


def test_the_tool_writes_the_integer_version(account: Sandbox, tmp_path: Path) -> None:
    document = json.loads(saved_plan(account, tmp_path).read_text())
    assert document["format_version"] == SAVED_PLAN_VERSION == 2
    assert type(document["format_version"]) is int


@pytest.mark.parametrize(("version", "shown"), [
    (2.0, "2.0"), (True, "True"), ("2", "'2'"), (1, "1"), (3, "3"), (None, "None"), ([2], "[2]"),
])
@pytest.mark.parametrize("sign", [False, True])
def test_any_other_format_version_is_refused(account: Sandbox, tmp_path: Path, version: Any, shown: str,
                                             sign: bool) -> None:
    path = saved_plan(account, tmp_path)
    edit(path, lambda d: d.update(format_version=version), sign=sign)
    untouched = Untouched(account)
    refused(run("apply", "-q", str(path)),
            f"saved plan format {shown} is not supported by this rostersync (it reads format 2, the integer)")
    untouched.check()


HEAD = '{"notice": "x", "kind": "rostersync-saved-plan", '


@pytest.mark.parametrize(("text", "message"), [
    (HEAD, "not valid JSON (Expecting property name enclosed in double quotes at line 1"),
    (HEAD + '"format_version": 2, "format_version": 2}', "the key 'format_version' appears twice in one object"),
    (HEAD + '"format_version": NaN}', "NaN is not a number a saved plan holds"),
    (HEAD + '"format_version": 2, "deep": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    (HEAD + '"format_version": 2, "x": ' + "9" * 5000 + "}", "not a usable saved plan"),
])
def test_malformed_json_is_a_message(account: Sandbox, tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(text)
    untouched = Untouched(account)
    refused(run("apply", "-q", str(path)), message)
    untouched.check()


def test_invalid_utf8_is_a_message(account: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(HEAD.encode() + b'"first_name": "\xff"}')
    refused(run("apply", "-q", str(path)), "not UTF-8 text (invalid start byte at byte")


def test_a_file_over_the_cap_is_refused_unread(account: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    with path.open("wb") as handle:
        handle.write(HEAD.encode())
        handle.truncate(MAX_SAVED_PLAN_BYTES + 1)  # sparse: costs no disk
    refused(run("apply", "-q", str(path)), "larger than 64 MiB, more than any saved plan rostersync writes")


def sign_and_refuse(account: Sandbox, tmp_path: Path, change: Any, message: str) -> None:
    path = saved_plan(account, tmp_path)
    edit(path, change, sign=True)
    untouched = Untouched(account)
    refused(run("apply", "-q", str(path)), "not a usable saved plan: ", message, "Nothing was written.")
    untouched.check()


def test_a_scope_by_name_is_saved_as_the_api_filters_of_its_ids(account: Sandbox, tmp_path: Path) -> None:
    # Whichever way the roster spells its scope (group or the older group_id, an id or a
    # name), the plan holds `{"group_id": 7}`, as plans saved before `group` was the
    # roster's key did: those still load, and these read the same.
    for spelling in ("group: paris DESK", "group_id: Paris desk", "group: 7"):
        account.store.clear()
        roster = seed(account, tmp_path, ROSTER.replace("scope: {group_id: 7}", f"scope: {{{spelling}}}"))
        path = tmp_path / "plan.json"
        result = run("plan", "-q", "--out", str(path), str(roster))
        assert result.exit_code == 0, result.output
        assert json.loads(path.read_text())["scope"] == {"group_id": 7}
    applied = run("apply", "-q", str(path))
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 1 created, 1 updated, 1 deleted." in applied.stdout
    assert {op["email"] for op in account.store.list() if op["group_id"] == 8} == {"other@example.com"}


def set_in(action: str, /, **values: Any) -> Any:
    return lambda d: the(d, action).update(values)


def drop_from(action: str, key: str) -> Any:
    return lambda d: the(d, action).pop(key)


@pytest.mark.parametrize(("change", "message"), [
    (set_in("update", id="7"), "changes[1] ('ada@example.com').id: must be an integer >= 1, got '7'"),
    (set_in("update", id=True), ".id: must be an integer >= 1, got True"),
    (set_in("delete", id=0), "changes[2] ('gone@example.com').id: must be an integer >= 1, got 0"),
    (set_in("delete", id=1.5), ".id: must be an integer >= 1, got 1.5"),
    (drop_from("delete", "fingerprint"), "changes[2] ('gone@example.com'): fingerprint missing"),
    (set_in("create", action="explode"), "changes[0] ('new@example.com'): action must be create, update or delete"),
    (set_in("create", fields=[1, 2]), "changes[0] ('new@example.com').fields: must be an object, got list"),
    (set_in("update", changes=[]), "changes[1] ('ada@example.com').changes: must be a non-empty list"),
    (set_in("update", changes=[{"field": "first_name", "before": "Ada", "after": "A"},
                               {"field": "first_name", "before": "Ada", "after": "B"}]),
     "changes[1] ('ada@example.com').changes[1]: first_name is changed twice"),
    (set_in("update", email=["ada@example.com"]), "changes[1].email: must be a string, got list"),
    (lambda d: d["changes"].append(the(d, "delete")), "changes[3] ('gone@example.com'): operator #"),
    (lambda d: d["changes"].append(the(d, "create")), "'new@example.com' is created twice"),
    (lambda d: d.update(roster_size=0), "roster_size 0 is not its 1 unchanged, 1 created and 1 updated operators"),
    (lambda d: d.update(live_in_scope=1), "live_in_scope 1 is fewer than the operators it updates"),
    (lambda d: d.update(unchanged=-1), "unchanged: must be an integer >= 0, got -1"),
    (lambda d: d.update(scope={"group_id": "7"}), "scope: must be an object of integers"),
    # A plan holds the API's filters, ids only: never a roster's keys, nor a name.
    (lambda d: d.update(scope={"group": 7}), "scope: must be an object of integers website_id and group_id (the "
                                             "API's filters, as a saved plan holds them), got {'group': 7}"),
    (lambda d: d.update(scope={"group_id": "Paris desk"}), "scope: must be an object of integers"),
    (lambda d: d.update(scope={"group_id": 7, "group": 7}), "scope: must be an object of integers"),
    (lambda d: d.update(listed_ids=[True]), "listed_ids[0]: must be an integer >= 1, got True"),
    (lambda d: d.update(ignore="*@iadvize.com"), "ignore: must be a list, got str"),
    (lambda d: d.update(extra="x"), "the plan: unknown field 'extra'"),
    (lambda d: d.pop("changes"), "the plan: changes missing"),
    (lambda d: d.update(changes={"0": {}}), "changes: must be a list, got dict"),
])
def test_a_signed_plan_of_the_wrong_shape_is_refused(account: Sandbox, tmp_path: Path, change: Any,
                                                     message: str) -> None:
    sign_and_refuse(account, tmp_path, change, message)


def test_a_secret_is_never_quoted_in_a_message(account: Sandbox, tmp_path: Path) -> None:
    path = saved_plan(account, tmp_path)
    edit(path, set_in("update", changes=[{"field": "sso_key", "before": None, "after": 12345678}]), sign=True)
    result = run("apply", "-q", str(path))
    refused(result, "sso_key: is not a valid secret")
    assert "12345678" not in result.output


def test_the_python_api_refuses_the_same(account: Sandbox, tmp_path: Path) -> None:
    path = saved_plan(account, tmp_path)
    assert read_saved_plan(path, api_key=KEY).plan.counts == {"create": 1, "update": 1, "delete": 1}
    with pytest.raises(TamperedPlanError):
        read_saved_plan(path, api_key="not-the-key")
    path.write_text("[]")
    with pytest.raises(PlanError, match="a saved plan is a JSON object, got list"):
        read_saved_plan(path, api_key=KEY)
    with pytest.raises(PlanError, match="cannot be read"):
        read_saved_plan(tmp_path / "missing.json", api_key=KEY)
