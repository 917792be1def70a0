"""Working on part of a roster: `plan`/`apply --only PATTERN` and `--file FILE`.

A roster directory of two files, the profile one file uses defined in the other,
against an account with something to do inside and outside every selection: nothing
outside the selection is ever created, changed or deleted, and the delete guard
counts within it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_plan_apply_cli import run

from rostersync.api import IAdvizeClient
from rostersync.plan.workflow import plan_roster
from rostersync.roster.loader import load_roster
from rostersync.sandbox import Sandbox

SHARED = """\
version: 1
scope: {group_id: 7}
profiles:
  fr: {languages: [fr], chat: {max: 4}}
operators:
  - email: lead@example.com
    first_name: Lead
  - email: old-keep@example.com
  - email: keep0@example.com
  - email: keep1@example.com
  - email: keep2@example.com
"""
TEAM_FR = """\
version: 1
defaults: {group: 7}
operators:
  - email: fr-ada@example.com
    profile: fr
  - email: fr-new@example.com
    profile: fr
"""
LIVE: list[dict[str, Any]] = [
    {"email": "lead@example.com", "group_id": 7, "first_name": "Old"},          # updated, in shared.yaml
    {"email": "fr-ada@example.com", "group_id": 7, "language_list": ["fr"], "chat_max_number": 3},  # updated
    {"email": "old-keep@example.com", "group_id": 7},                            # unchanged
    {"email": "old-1@example.com", "group_id": 7},                               # deleted
    {"email": "old-2@example.com", "group_id": 7},                               # deleted
    *({"email": f"keep{n}@example.com", "group_id": 7} for n in range(3)),       # unchanged
    {"email": "fr-outside@example.com", "group_id": 8},                          # out of scope
]
# fr-new@example.com is created.


@pytest.fixture
def roster(account: Sandbox, tmp_path: Path) -> Path:
    account.store.bulk_add(LIVE)
    directory = tmp_path / "roster"
    directory.mkdir()
    (directory / "shared.yaml").write_text(SHARED)
    (directory / "team-fr.yaml").write_text(TEAM_FR)
    return directory


def snapshot(account: Sandbox) -> dict[str, dict[str, Any]]:
    return {op["email"]: op for op in account.store.list()}


def changes(runner: CliRunner, *args: str) -> list[tuple[str, str]]:
    result = run(runner, "plan", "-q", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return [(c["action"], c["email"]) for c in json.loads(result.stdout)["changes"]]


def test_the_whole_roster_for_reference(runner: CliRunner, roster: Path) -> None:
    assert changes(runner, str(roster)) == [
        ("create", "fr-new@example.com"), ("update", "fr-ada@example.com"), ("update", "lead@example.com"),
        ("delete", "old-1@example.com"), ("delete", "old-2@example.com")]


def test_file_plans_a_file_with_a_profile_from_another(runner: CliRunner, roster: Path) -> None:
    alone = run(runner, "plan", "-q", str(roster / "team-fr.yaml"))
    assert alone.exit_code == 1 and "unknown profile 'fr'" in alone.stderr
    assert changes(runner, str(roster), "--file", str(roster / "team-fr.yaml")) == [
        ("create", "fr-new@example.com"), ("update", "fr-ada@example.com")]  # no delete: a file never deletes
    text = run(runner, "plan", "-q", str(roster), "--file", str(roster / "team-fr.yaml")).stdout
    assert text.startswith(f"Selection: --file {roster / 'team-fr.yaml'} (nothing else is created, changed or "
                           "deleted)\n\n+ create fr-new@example.com\n")
    assert "Plan: 1 to create, 1 to update, 0 to delete.\n" in text


def test_apply_with_file_touches_nothing_outside_it(account: Sandbox, runner: CliRunner, roster: Path) -> None:
    before = snapshot(account)
    result = run(runner, "apply", "-q", "--yes", str(roster), "--file", str(roster / "team-fr.yaml"))
    assert result.exit_code == 0, result.output
    after = snapshot(account)
    assert set(after) == set(before) | {"fr-new@example.com"}
    assert after["fr-new@example.com"]["language_list"] == ["fr"]  # the profile of the other file
    assert after["fr-ada@example.com"]["chat_max_number"] == 4
    assert {email: op for email, op in after.items() if not email.startswith("fr-")} == {
        email: op for email, op in before.items() if not email.startswith("fr-")}


def test_apply_with_only_touches_nothing_outside_it(account: Sandbox, runner: CliRunner, roster: Path) -> None:
    before = snapshot(account)
    result = run(runner, "apply", "-q", "--yes", str(roster), "--only", "FR-*@example.com")  # globs ignore case
    assert result.exit_code == 0, result.output
    assert "Apply complete: 1 created, 1 updated, 0 deleted." in result.stdout
    after = snapshot(account)
    assert after["lead@example.com"] == before["lead@example.com"]
    assert {"old-1@example.com", "old-2@example.com"} <= set(after)
    assert after["fr-outside@example.com"] == before["fr-outside@example.com"]
    # The rest is still to do, and only the rest.
    assert changes(runner, str(roster)) == [
        ("update", "lead@example.com"), ("delete", "old-1@example.com"), ("delete", "old-2@example.com")]


def test_only_deletes_what_it_chooses(account: Sandbox, runner: CliRunner, roster: Path) -> None:
    assert changes(runner, str(roster), "--only", "old-1@*", "--only", "lead@*") == [
        ("update", "lead@example.com"), ("delete", "old-1@example.com")]
    assert changes(runner, str(roster), "--only", "fr-*", "--file", str(roster / "shared.yaml")) == []


def test_the_delete_guard_counts_within_the_selection(account: Sandbox, runner: CliRunner, roster: Path) -> None:
    # The whole roster deletes 2 of the 8 operators in scope (25%): allowed.
    assert run(runner, "plan", "-q", str(roster)).exit_code == 0
    # --only old-* chooses 3 of them, and deletes 2 (67%): refused.
    before = snapshot(account)
    refused = run(runner, "apply", "-q", "--yes", str(roster), "--only", "old-*")
    assert refused.exit_code == 1
    assert ("This plan deletes 2 of the 3 operators chosen by --only 'old-*' (67%), more than --max-delete-ratio "
            "0.25 allows.") in refused.stderr
    assert snapshot(account) == before
    nobody = run(runner, "plan", "-q", str(roster), "--only", "old-[12]@*")
    assert nobody.exit_code == 1
    assert ("No operator of the roster is chosen by --only 'old-[12]@*', so this plan would delete all 2 operators "
            "chosen by --only 'old-[12]@*'. Refusing; if that is really intended, run again with --force.") in (
        nobody.stderr)
    forced = run(runner, "apply", "-q", "--yes", "--force", str(roster), "--only", "old-*")
    assert forced.exit_code == 0
    assert not {"old-1@example.com", "old-2@example.com"} & set(snapshot(account))
    assert snapshot(account)["lead@example.com"]["first_name"] == "Old"


def test_a_glob_that_chooses_nobody_is_a_warning(runner: CliRunner, roster: Path) -> None:
    result = run(runner, "plan", "-q", "--format", "json", str(roster), "--only", "nobody@*", "--only", "fr-ada@*")
    assert json.loads(result.stdout)["warnings"] == [
        "--only 'nobody@*' matches no operator of the roster or of the account"]


def test_a_file_not_of_the_roster_is_refused(runner: CliRunner, roster: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(TEAM_FR)
    result = run(runner, "plan", "-q", str(roster), "--file", str(other))
    assert result.exit_code == 1
    assert result.stderr == (f"Error: --file {other}: not a file of the roster (its files: {roster / 'shared.yaml'}, "
                             f"{roster / 'team-fr.yaml'}). Give the file as a path to one of them.\n")


def test_a_saved_plan_keeps_its_selection(account: Sandbox, runner: CliRunner, roster: Path, tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    made = run(runner, "plan", "-q", "--out", str(saved), str(roster), "--only", "fr-*", "--only", "old-1@*")
    assert made.exit_code == 0, made.output
    assert json.loads(saved.read_text())["selection"] == {"only": ["fr-*", "old-1@*"], "files": []}
    assert run(runner, "show", "-q", str(saved)).stdout.startswith(
        "Selection: --only 'fr-*' --only 'old-1@*' (nothing else is created")
    assert run(runner, "apply", "-q", "--only", "x", str(saved)).exit_code == 64
    before = snapshot(account)
    result = run(runner, "apply", "-q", str(saved))
    assert result.exit_code == 0, result.output
    after = snapshot(account)
    assert "old-1@example.com" not in after and after["old-2@example.com"] == before["old-2@example.com"]
    assert after["lead@example.com"] == before["lead@example.com"]


def test_a_renamed_operator_chosen_by_its_new_email_is_updated_not_created(account: Sandbox,
                                                                           tmp_path: Path) -> None:
    # Matched by external_id: the roster renames the operator. Chosen by either email,
    # the plan is the update; choosing must never turn it into a create beside it.
    old = account.store.add({"email": "ada.old@example.com", "external_id": "HR-1"})
    path = tmp_path / "r.yaml"
    path.write_text("version: 1\noperators:\n  - email: ada.new@example.com\n    external_id: HR-1\n")
    roster = load_roster(path)
    with IAdvizeClient(account.url, "test-key-5f2c9e") as client:
        for glob in ("ada.new@*", "ada.old@*"):
            plan = plan_roster(client, roster, only=[glob])
            assert [(c.action, c.id) for c in plan.changes] == [("update", old)], glob
            assert (plan.live_in_scope, plan.roster_size) == (1, 1)
        nobody = plan_roster(client, roster, only=["bob@*"])
        assert (nobody.changes, nobody.live_in_scope, nobody.roster_size) == ((), 0, 0)
