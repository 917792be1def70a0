"""Roster edits and YAML anchors: an entry that shares one is refused by name, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rostersync.cli.main import cli

SHARED = """\
version: 1
defaults: {chat: &base {enabled: true}}
operators:
  - email: ada@example.com
    chat: &fast {enabled: true, max: 4}
    languages: &langs [fr, en]
  - email: bob@example.com
    chat: *fast
    languages: *langs
  - email: cy@example.com
    languages: *langs
  - email: dee@example.com
    chat: *base
"""
TAIL = "entries that share anchors are not edited; edit them by hand, or share the values through a profile"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def roster(in_tmp: Path) -> Path:
    path = in_tmp / "team.yaml"
    path.write_text(SHARED)
    assert run("validate", "team.yaml").exit_code == 0
    return Path("team.yaml")


def test_editing_the_entry_that_defines_an_anchor_others_use_is_refused(roster: Path) -> None:
    result = run("roster", "add", str(roster), "--email", "ada@example.com", "--set", "chat.max=5")

    assert result.exit_code == 1
    assert result.output == (
        f"team.yaml:5:11: operators[0]: ada@example.com defines the YAML anchor &fast, which "
        f"bob@example.com (team.yaml:7) uses: {TAIL}\n"
        f"team.yaml:6:16: operators[0]: ada@example.com defines the YAML anchor &langs, which "
        f"bob@example.com (team.yaml:7) and cy@example.com (team.yaml:10) use: {TAIL}\n"
        "2 problems found; nothing was written.\n"
    )
    assert roster.read_text() == SHARED


@pytest.mark.parametrize("args", [("--first-name", "Bob"), ("--set", "chat.max=5")])
def test_editing_an_entry_that_uses_another_entrys_anchor_is_refused(roster: Path, args: tuple[str, str]) -> None:
    result = run("roster", "add", str(roster), "--email", "bob@example.com", *args)

    assert result.exit_code == 1
    assert result.output == (
        f"team.yaml:8:11: operators[1]: bob@example.com uses the YAML anchor &fast of ada@example.com "
        f"(team.yaml:4): {TAIL}\n"
        f"team.yaml:9:16: operators[1]: bob@example.com uses the YAML anchor &langs of ada@example.com "
        f"(team.yaml:4): {TAIL}\n"
        "2 problems found; nothing was written.\n"
    )
    assert roster.read_text() == SHARED


def test_an_anchor_outside_the_operators_is_named_by_its_line(roster: Path) -> None:
    result = run("roster", "add", str(roster), "--email", "dee@example.com", "--first-name", "Dee")

    assert result.exit_code == 1
    assert result.output == (
        f"team.yaml:13:11: operators[3]: dee@example.com uses the YAML anchor &base defined at team.yaml:2: {TAIL}\n"
        "1 problem found; nothing was written.\n"
    )


def test_removing_the_entry_that_defines_an_anchor_is_refused(roster: Path) -> None:
    result = run("roster", "remove", str(roster), "--email", "ada@example.com")

    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "2 problems found; nothing was written."
    assert "ada@example.com defines the YAML anchor &fast" in result.output
    assert roster.read_text() == SHARED


def test_removing_an_entry_that_only_uses_an_anchor_is_safe(roster: Path) -> None:
    result = run("roster", "remove", str(roster), "--email", "cy@example.com")

    assert (result.exit_code, result.output) == (0, "removed cy@example.com from team.yaml\n")
    assert roster.read_text() == SHARED.replace("  - email: cy@example.com\n    languages: *langs\n", "")


def test_an_edit_that_changes_nothing_in_a_sharing_entry_succeeds(roster: Path) -> None:
    result = run("roster", "add", str(roster), "--email", "bob@example.com", "--set", "chat.max=4")

    assert (result.exit_code, result.output) == (
        0, "bob@example.com is already in team.yaml with these fields: nothing changed\n")


def test_new_operators_are_added_to_a_file_with_anchors(roster: Path) -> None:
    result = run("roster", "add", str(roster), "--email", "eve@example.com", "--first-name", "Eve")

    assert (result.exit_code, result.output) == (0, "added eve@example.com to team.yaml\n")
    assert roster.read_text() == SHARED + "  - email: eve@example.com\n    first_name: Eve\n"


def test_anchors_inside_one_entry_are_edited_and_kept(in_tmp: Path) -> None:
    text = ("version: 1\noperators:\n  - &carl\n    email: carl@example.com\n"
            "    chat: &own {enabled: true}\n    call: *own\n    pseudo: &p Carl   # the name customers see\n")
    (in_tmp / "own.yaml").write_text(text)

    result = run("roster", "add", "own.yaml", "--email", "carl@example.com", "--first-name", "Carl")

    assert (result.exit_code, result.output) == (0, "updated carl@example.com in own.yaml: first_name (unset) -> \"Carl\"\n")
    assert (in_tmp / "own.yaml").read_text() == text.replace(
        "    email: carl@example.com\n", "    email: carl@example.com\n    first_name: Carl\n")


@pytest.mark.parametrize(("setting", "also"), [("chat.enabled=false", "call.enabled"), ("call.priority=10", "chat.priority")])
def test_setting_a_field_whose_node_the_entry_shares_with_another_is_refused(in_tmp: Path, setting: str,
                                                                             also: str) -> None:
    # chat and call are one node: setting one would set the other, unasked and unreported.
    text = "version: 1\noperators:\n  - email: carl@example.com\n    chat: &own {enabled: true}\n    call: *own\n"
    (in_tmp / "own.yaml").write_text(text)

    result = run("roster", "add", "own.yaml", "--email", "carl@example.com", "--set", setting)

    assert (result.exit_code, result.output) == (1, (
        f"Error: carl@example.com: setting {setting.split('=')[0]} would also change {also}, which shares a YAML "
        "anchor with it in the entry; nothing was written. Edit the entry by hand, or write the two fields out "
        "separately\n"))
    assert (in_tmp / "own.yaml").read_text() == text
