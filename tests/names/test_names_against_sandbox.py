"""Skills, groups and websites by name, through the CLI, against the sandbox's demo catalog
(rostersync.sandbox.catalog): resolved to the right ids, refused with file:line:col
when they name nothing or several things, and shown by name in plans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from rostersync.cli.main import cli
from rostersync.sandbox import Sandbox

ROSTER = """\
version: 1
scope: {group: paris DESK}
defaults: {group: Paris desk, roles: [operator]}
profiles:
  sales:
    skills: [lighting ADVICE, 102]
    websites: [maison lumiere fr]
operators:
  - email: ada@example.com
    first_name: Ada
    profile: sales
  - email: bob@example.com
    first_name: Bob
    skills: [RETURNS, sales/delivery]
    websites: [www.maison-lumiere.com, 123]
"""


def run(runner: CliRunner, *args: str, **kwargs: Any) -> Result:
    return runner.invoke(cli, list(args), catch_exceptions=False, **kwargs)


def write(tmp_path: Path, text: str, name: str = "team.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_names_in_mixed_case_apply_to_the_right_ids_and_replan_to_no_changes(
        account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    roster = write(tmp_path, ROSTER)
    planned = run(runner, "plan", "-q", str(roster))
    assert planned.exit_code == 0, planned.output
    assert '    group: "Paris desk"\n' in planned.stdout
    assert '    skills: ["Lighting advice", Orders]\n' in planned.stdout
    assert '    skills: [Returns, "Sales/Delivery"]\n' in planned.stdout
    assert '    websites: ["Maison Lumiere FR", "Maison Lumiere EN"]\n' in planned.stdout
    applied = run(runner, "apply", "--yes", "-q", str(roster))
    assert applied.exit_code == 0, applied.output
    stored = {op["email"]: op for op in account.store.list()}
    assert (stored["ada@example.com"]["skill_list"], stored["ada@example.com"]["website_list"]) == ([101, 102], [123])
    assert (stored["bob@example.com"]["skill_list"], stored["bob@example.com"]["website_list"]) == ([103, 106],
                                                                                                  [123, 456])
    assert {op["group_id"] for op in stored.values()} == {7}
    account.reset_counts()
    again = run(runner, "plan", "-q", str(roster))
    assert again.stdout == "No changes.\n"
    # One listing per kind the roster refers to, then the operators: never one per operator.
    assert account.request_counts() == {"GET /skill": 1, "GET /group": 1, "GET /website": 1, "GET /operator": 1}


def test_a_change_of_skills_shows_names_in_text_markdown_and_json(
        account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    account.store.add({"email": "ada@example.com", "group_id": 7, "skill_list": [103, 104]})
    roster = write(tmp_path, "version: 1\noperators:\n  - email: ada@example.com\n    skills: [Billing]\n")
    text = run(runner, "plan", "-q", str(roster)).stdout
    assert "    skills: [Returns, Billing] -> [Billing]\n" in text
    markdown = run(runner, "plan", "-q", "--format", "markdown", str(roster)).stdout
    assert "  - `skills`: `[Returns, Billing]` → `[Billing]`\n" in markdown
    data = json.loads(run(runner, "plan", "-q", "--format", "json", str(roster)).stdout)
    [change] = data["changes"][0]["changes"]
    assert change == {"field": "skills", "before": [103, 104], "after": [104],
                      "before_names": ["Returns", "Billing"], "after_names": ["Billing"]}


def test_unknown_ambiguous_and_missing_references_are_refused_at_their_lines_and_nothing_is_written(
        account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    roster = write(tmp_path, """\
version: 1
profiles:
  desk: {group: Night shift}
operators:
  - email: ada@example.com
    profile: desk
    skills: [Retruns, Delivery, 9999, 101]
    websites: [nowhere.example, 123]
  - email: bob@example.com
    group: 77
""")
    for command in (["plan"], ["apply", "--yes"]):
        result = run(runner, *command, "-q", str(roster))
        assert result.exit_code == 1, result.output
        where = str(roster)
        for line in (
            f"{where}:3:10: profiles.desk.group: group 'Night shift' is ambiguous: it names "
            "'Maison Lumiere/Lyon desk/Night shift' (#4), 'Maison Lumiere/Paris desk/Night shift' (#2); "
            "write Parent/Child to pick one",
            f"{where}:7:14: operators[0].skills[0]: unknown skill 'Retruns' (did you mean 'Returns'?)",
            f"{where}:7:23: operators[0].skills[1]: skill 'Delivery' is ambiguous: it names "
            "'After-sales/Delivery' (#105), 'Sales/Delivery' (#106); write Parent/Child to pick one",
            f"{where}:7:33: operators[0].skills[2]: the account has no skill with id 9999",
            f"{where}:8:16: operators[0].websites[0]: unknown website 'nowhere.example'; the account has 3 websites",
            f"{where}:10:5: operators[1].group: the account has no group with id 77",
        ):
            assert line in result.output, result.output
        assert "6 problems found; nothing was sent to the API." in result.output
    assert account.store.list() == []
    assert {kind.split()[0] for kind in account.request_counts()} == {"GET"}  # only listings were read


def test_parent_child_picks_one_of_a_repeated_name(account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    roster = write(tmp_path, "version: 1\noperators:\n  - email: ada@example.com\n"
                             "    group: lyon desk/NIGHT SHIFT\n    skills: [After-sales/Delivery]\n")
    assert run(runner, "apply", "--yes", "-q", str(roster)).exit_code == 0
    [stored] = account.store.list()
    assert (stored["group_id"], stored["skill_list"]) == (4, [105])


def test_a_roster_of_ids_only_reads_only_the_kinds_it_uses(account: Sandbox, runner: CliRunner,
                                                            tmp_path: Path) -> None:
    roster = write(tmp_path, "version: 1\noperators:\n  - email: ada@example.com\n    skills: [101]\n")
    assert run(runner, "plan", "-q", str(roster)).exit_code == 0
    assert account.request_counts() == {"GET /skill": 1, "GET /operator": 1}
    account.reset_counts()
    plain = write(tmp_path, "version: 1\noperators:\n  - email: ada@example.com\n    first_name: Ada\n", "b.yaml")
    assert run(runner, "plan", "-q", str(plain)).exit_code == 0
    assert account.request_counts() == {"GET /operator": 1}


def test_names_of_the_scope_are_checked_once_resolved(account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    roster = write(tmp_path, "version: 1\nscope: {website_id: Maison Lumiere EN}\noperators:\n"
                             "  - email: ada@example.com\n    websites: [Maison Lumiere FR]\n")
    result = run(runner, "plan", "-q", str(roster))
    assert result.exit_code == 1
    # The message names the scope's key as the roster spells it, and where it is.
    assert (f"{roster}:4:5: operators[0].websites: must include the scope's website 456 ('Maison Lumiere EN', "
            f"scope.website_id at {roster}:2), or the operator would leave the roster's scope") in result.output
    roster = write(tmp_path, "version: 1\nscope:\n  group: Paris desk\noperators:\n"
                             "  - email: ada@example.com\n    group: lyon desk\n")
    result = run(runner, "plan", "-q", str(roster))
    assert result.exit_code == 1
    assert (f"{roster}:5:5: operators[0].group: must be the scope's group 7 ('Paris desk', scope.group at "
            f"{roster}:3), got 9 ('Lyon desk'); the operator would leave the roster's scope") in result.output


def test_graphql_refuses_names_it_cannot_look_up(runner: CliRunner, tmp_path: Path) -> None:
    roster = write(tmp_path, "version: 1\ndefaults: {skills: [Returns]}\noperators:\n  - email: a@example.com\n"
                             "    name: A\n    pseudo: A\n    group: 7\n")
    result = run(runner, "validate", "--api", "graphql", str(roster))
    assert result.exit_code == 1
    assert (f"{roster}:2:12: defaults.skills: the GraphQL API cannot look skills up by name (it documents no "
            "listing of them), so 'Returns' cannot be resolved: write the id (or use the REST API)") in result.output


def test_export_writes_unique_names_and_round_trips_to_no_changes(account: Sandbox, runner: CliRunner,
                                                                   tmp_path: Path) -> None:
    account.store.add({"email": "ada@example.com", "group_id": 2, "skill_list": [101, 106],
                       "website_list": [123, 456]})
    account.store.add({"email": "bob@example.com", "group_id": 7, "skill_list": [555], "website_list": [999]})
    out = tmp_path / "exported.yaml"
    assert run(runner, "export", "-q", "--out", str(out)).exit_code == 0
    text = out.read_text()
    assert "group: Paris desk/Night shift\n" in text  # Night shift repeats: the shortest path that is unique
    assert "  skills: [Lighting advice, Sales/Delivery]\n" in text
    assert "  websites: [Maison Lumiere EN, Maison Lumiere FR]\n" in text
    assert "group: Paris desk\n" in text
    # Ids the account does not name stay ids: the roster then refuses them, as it must.
    assert "  skills: [555]\n" in text and "  websites: [999]\n" in text
    account.store.delete(next(op["id"] for op in account.store.list() if op["email"] == "bob@example.com"))
    assert run(runner, "export", "-q", "--out", str(out)).exit_code == 0
    account.reset_counts()
    assert run(runner, "plan", "-q", str(out)).stdout == "No changes.\n"
    with_ids = run(runner, "export", "-q", "--ids").stdout
    assert "group: 2\n" in with_ids and "skills: [101, 106]\n" in with_ids and "Lighting" not in with_ids


SCOPED = """\
version: 1
scope: {{{key}: pARIS Desk}}
operators:
  - email: ada@example.com
    first_name: Ada
  - email: bob@example.com
    group: paris desk
    first_name: Bob
"""


@pytest.mark.parametrize("key", ["group", "group_id"], ids=["group", "the older group_id"])
def test_a_scope_by_name_plans_and_applies_only_inside_that_group(
        account: Sandbox, runner: CliRunner, tmp_path: Path, key: str) -> None:
    outside = account.store.add({"email": "cyd@example.com", "first_name": "Cyd", "group_id": 8})
    night = account.store.add({"email": "dan@example.com", "first_name": "Dan", "group_id": 2})  # in Paris desk's tree
    bob = account.store.add({"email": "bob@example.com", "first_name": "Robert", "group_id": 7})
    leaving = account.store.add({"email": "eve@example.com", "group_id": 7})
    roster = write(tmp_path, SCOPED.format(key=key))
    planned = run(runner, "plan", "-q", str(roster))
    assert planned.exit_code == 0, planned.output
    assert "+ create ada@example.com\n" in planned.stdout
    assert f"~ update bob@example.com (#{bob})\n    first_name: \"Robert\" -> \"Bob\"\n" in planned.stdout
    assert f"- delete eve@example.com (#{leaving})\n" in planned.stdout
    assert "Plan: 1 to create, 1 to update, 1 to delete." in planned.stdout
    assert "cyd@" not in planned.stdout and "dan@" not in planned.stdout
    applied = run(runner, "apply", "--yes", "-q", str(roster))
    assert applied.exit_code == 0, applied.output
    stored = {op["email"]: op for op in account.store.list()}
    assert set(stored) == {"ada@example.com", "bob@example.com", "cyd@example.com", "dan@example.com"}
    assert stored["ada@example.com"]["group_id"] == 7  # a create lands inside the scope
    assert (stored["cyd@example.com"]["id"], stored["cyd@example.com"]["group_id"]) == (outside, 8)
    assert (stored["dan@example.com"]["id"], stored["dan@example.com"]["group_id"]) == (night, 2)
    account.reset_counts()
    again = run(runner, "plan", "-q", str(roster))
    assert again.stdout == "No changes.\n"
    assert account.request_counts() == {"GET /group": 1, "GET /operator": 1}


def test_both_spellings_of_a_scope_key_are_refused_at_their_line_and_nothing_is_sent(
        account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    account.store.add({"email": "eve@example.com", "group_id": 7})
    before = account.store.list()
    roster = write(tmp_path, "version: 1\nscope:\n  group: Paris desk\n  group_id: 7\noperators:\n"
                             "  - email: ada@example.com\n")
    account.reset_counts()
    for command in (["validate"], ["plan", "-q"], ["apply", "--yes", "-q"]):
        result = run(runner, *command, str(roster))
        assert result.exit_code == 1, result.output
        assert (f"{roster}:4:3: scope.group_id: group_id is the older spelling of group, which this scope also "
                "gives: keep one of them") in result.output
        assert "1 problem found; nothing was sent to the API." in result.output
    assert account.request_counts() == {}
    assert account.store.list() == before


def test_export_of_a_scope_writes_its_keys_by_name_and_round_trips_to_no_changes(
        account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    account.store.add({"email": "ada@example.com", "group_id": 7, "website_list": [456]})
    account.store.add({"email": "bob@example.com", "group_id": 7, "website_list": [123, 456]})
    account.store.add({"email": "cyd@example.com", "group_id": 8, "website_list": [456]})  # outside the scope
    out = tmp_path / "exported.yaml"
    result = run(runner, "export", "-q", "--group-id", "7", "--website-id", "456", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "\nscope: {website: Maison Lumiere EN, group: Paris desk}\n" in text
    assert "_id" not in text and "cyd@" not in text
    assert run(runner, "plan", "-q", str(out)).stdout == "No changes.\n"
    with_ids = run(runner, "export", "-q", "--ids", "--group-id", "7", "--website-id", "456").stdout
    assert "\nscope: {website: 456, group: 7}\n" in with_ids
    out.write_text(with_ids)
    assert run(runner, "plan", "-q", str(out)).stdout == "No changes.\n"
    # A scope whose operators do not use its kind is named all the same.
    empty = run(runner, "export", "-q", "--group-id", "9").stdout
    assert "\nscope: {group: Lyon desk}\noperators: []\n" in empty
