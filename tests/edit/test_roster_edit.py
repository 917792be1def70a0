"""`rostersync roster add` and `roster remove`, as an HR script runs them.

Every edit is checked byte for byte: the expected file is the original with
exactly the edited entry's lines changed, so any drift in comments, spacing or
quoting elsewhere fails the test.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rostersync.cli.main import cli
from rostersync.edit import add_operator, find_path
from rostersync.edit.yaml_edit import RosterText
from rostersync.roster.loader import load_roster

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "operators.yaml"

CAMILLE = """\
  - email: camille.martin@maison-lumiere.fr
    external_id: HR-0001
    first_name: Camille
    name: Martin
    pseudo: Camille
    roles: [manager, operator]
    profile: [support-bilingual, phone-desk]
    chat: {max: 2}                # she supervises; fewer parallel chats
    call_config:
      type: ANSWER_FROM_PHONE     # picks up on her mobile when away from the desk
      phone_number: "+33612345678"
      ask_phone_number_at_every_connection: false
"""

JULES = """\
  - email: jules.moreau@maison-lumiere.fr
    external_id: HR-0009
    first_name: Jules
    name: Moreau
    pseudo: Jules
    profile: [sales-fr, phone-desk]
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def roster(in_tmp: Path) -> Path:
    """The richly commented example roster, as operators.yaml in the working directory."""
    shutil.copy(EXAMPLE, in_tmp / "operators.yaml")
    return Path("operators.yaml")


def original() -> str:
    return EXAMPLE.read_bytes().decode("utf-8")


def current(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def emails(path: Path) -> list[str]:
    return [op.email for op in load_roster(path).operators]


# --- add ---------------------------------------------------------------------------


def test_add_appends_a_valid_entry_and_keeps_every_other_byte(roster: Path) -> None:
    result = run("roster", "add", str(roster), "--email", "jane.doe@maison-lumiere.fr",
                 "--set", "languages=[fr,en]", "--first-name", "Jane", "--name", "Doe", "--pseudo", "Jane",
                 "--external-id", "HR-0010", "--profile", "sales-fr", "--profile", "phone-desk",
                 "--set", "chat.max=4", "--set", "chat.enabled=true")

    assert result.exit_code == 0
    assert result.output == "added jane.doe@maison-lumiere.fr to operators.yaml\n"
    # Appended after the last entry, blank line first as between the others, in
    # the roster's usual field order whatever the order of the options.
    assert current(roster) == original() + (
        "\n"
        "  - email: jane.doe@maison-lumiere.fr\n"
        "    external_id: HR-0010\n"
        "    first_name: Jane\n"
        "    name: Doe\n"
        "    pseudo: Jane\n"
        "    profile: [sales-fr, phone-desk]\n"
        "    chat: {enabled: true, max: 4}\n"
        "    languages: [fr, en]\n"
    )
    jane = next(op for op in load_roster(roster).operators if op.email == "jane.doe@maison-lumiere.fr")
    assert jane.fields["chat_max_number"] == 4
    assert jane.fields["call_enabled"] is True  # from the phone-desk profile
    assert jane.fields["language_list"] == ["en", "fr"]


def test_add_twice_changes_nothing_the_second_time(roster: Path) -> None:
    args = ("roster", "add", str(roster), "--email", "jane.doe@maison-lumiere.fr", "--first-name", "Jane",
            "--profile", "sales-fr", "--set", "chat.max=4")
    assert run(*args).output == "added jane.doe@maison-lumiere.fr to operators.yaml\n"
    after_first = roster.read_bytes()

    result = run(*args)

    assert result.exit_code == 0
    assert result.output == "jane.doe@maison-lumiere.fr is already in operators.yaml with these fields: nothing changed\n"
    assert roster.read_bytes() == after_first


def test_add_of_an_existing_operator_with_the_same_fields_changes_nothing(roster: Path) -> None:
    # Email case, list order of a set field and `profile: x` vs [x] do not count as changes.
    result = run("roster", "add", str(roster), "--email", "Emma.Richard@maison-lumiere.fr", "--first-name", "Emma",
                 "--profile", "support-bilingual", "--set", "languages=[es, en, fr]")

    assert result.exit_code == 0
    assert result.output == "emma.richard@maison-lumiere.fr is already in operators.yaml with these fields: nothing changed\n"
    assert current(roster) == original()


def test_add_with_set_updates_an_existing_entry_in_place(roster: Path) -> None:
    result = run("roster", "add", str(roster), "--email", "noah.robert@maison-lumiere.fr", "--set", "chat.max=5")

    assert result.exit_code == 0
    assert result.output == "updated noah.robert@maison-lumiere.fr in operators.yaml: chat.max (unset) -> 5\n"
    # The key joins the flow mapping, which keeps its comment at its column.
    assert current(roster) == original().replace(
        "    chat: {priority: 0}           # in training: served after the others\n",
        "    chat: {max: 5, priority: 0}   # in training: served after the others\n",
    )


def test_add_updates_several_fields_and_says_which(roster: Path) -> None:
    result = run("roster", "add", str(roster), "--email", "camille.martin@maison-lumiere.fr",
                 "--pseudo", "Cam", "--set", "chat.max=2", "--set", "languages=[fr,en]",
                 "--set", "call_config.phone_number=+33699999999")

    assert result.exit_code == 0
    assert result.output == (
        "updated camille.martin@maison-lumiere.fr in operators.yaml: pseudo \"Camille\" -> \"Cam\"; "
        "languages (unset) -> [fr, en]; call_config.phone_number \"+33612345678\" -> \"+33699999999\"\n"
    )
    # chat.max was already 2: not rewritten. New keys go where the usual order puts
    # them; the comments inside the entry and the quotes people chose stay.
    edited = CAMILLE.replace("    pseudo: Camille\n", "    pseudo: Cam\n").replace(
        "    chat: {max: 2}                # she supervises; fewer parallel chats\n",
        "    chat: {max: 2}                # she supervises; fewer parallel chats\n"
        "    languages: [fr, en]\n",
    ).replace('"+33612345678"', '"+33699999999"')
    assert current(roster) == original().replace(CAMILLE, edited)


def test_strings_that_yaml_reads_as_other_types_are_quoted(roster: Path) -> None:
    result = run("roster", "add", str(roster), "--email", "yes.man@maison-lumiere.fr",
                 "--pseudo", "yes", "--external-id", "0042", "--name", "null")

    assert result.exit_code == 0
    assert current(roster).endswith(
        "  - email: yes.man@maison-lumiere.fr\n"
        "    external_id: '0042'\n"
        "    name: 'null'\n"
        "    pseudo: 'yes'\n"
    )
    added = load_roster(roster).operators[-1]
    assert (added.fields["pseudo"], added.fields["external_id"], added.fields["name"]) == ("yes", "0042", "null")


def test_a_set_that_breaks_validation_is_refused_and_nothing_is_written(roster: Path) -> None:
    result = run("roster", "add", str(roster), "--email", "jane.doe@maison-lumiere.fr", "--set", "chat.priority=5")

    assert result.exit_code == 1
    # Pinned to the line the new entry would have had.
    assert result.output == (
        "operators.yaml:137:12: operators[9].chat.priority: must be 0 or 10, got 5\n"
        "1 problem found; nothing was written.\n"
    )
    assert current(roster) == original()


def test_an_unknown_profile_is_refused(roster: Path) -> None:
    result = run("roster", "add", str(roster), "--email", "jane.doe@maison-lumiere.fr", "--profile", "sales-frr")

    assert result.exit_code == 1
    assert result.output == (
        "operators.yaml:137:5: operators[9].profile: unknown profile 'sales-frr' (did you mean 'sales-fr'?); "
        "known profiles: phone-desk, sales-fr, support-bilingual\n"
        "1 problem found; nothing was written.\n"
    )
    assert current(roster) == original()


def test_an_update_that_breaks_validation_is_refused(roster: Path) -> None:
    result = run("roster", "add", str(roster), "--email", "lucas.bernard@maison-lumiere.fr", "--set", "group=8")

    assert result.exit_code == 1
    assert result.output == (
        "operators.yaml:70:5: operators[1].group: must be the scope's group 7 (scope.group at operators.yaml:14), "
        "got 8; "
        "the operator would leave the roster's scope\n"
        "1 problem found; nothing was written.\n"
    )
    assert current(roster) == original()


@pytest.mark.parametrize(("assignment", "message"), [
    ("chat.maxx=4", "unknown field 'chat.maxx' (did you mean 'chat.max'?)"),
    ("chat.max", "'chat.max' is not PATH=VALUE, such as chat.max=4"),
    ("chat.max=", "chat.max: give a value, such as chat.max=4"),
    ("email=x@y.fr", "the email names the operator: give it with --email"),
])
def test_a_malformed_set_is_a_usage_error(roster: Path, assignment: str, message: str) -> None:
    result = run("roster", "add", str(roster), "--email", "jane.doe@maison-lumiere.fr", "--set", assignment)

    assert result.exit_code == 64  # EX_USAGE
    assert result.output.splitlines()[-1] == f"Error: Invalid value for '--set': {message}"
    assert current(roster) == original()


def test_a_field_given_twice_is_a_usage_error(roster: Path) -> None:
    result = run("roster", "add", str(roster), "--email", "jane.doe@maison-lumiere.fr",
                 "--first-name", "Jane", "--set", "first_name=Janet")

    assert result.exit_code == 64  # EX_USAGE
    assert result.output.splitlines()[-1] == "Error: first_name is given twice"


def test_the_library_returns_the_change_and_the_text_without_writing(roster: Path) -> None:
    result = add_operator(roster, "noah.robert@maison-lumiere.fr", [(find_path("chat.max"), 5)])

    assert [(c.email, c.action, c.file) for c in result.changes] == [
        ("noah.robert@maison-lumiere.fr", "updated", "operators.yaml")]
    assert [(u.label, u.before, u.after) for u in result.changes[0].fields] == [("chat.max", None, 5)]
    assert "chat: {max: 5, priority: 0}" in result.texts["operators.yaml"]
    assert current(roster) == original()


# --- remove ------------------------------------------------------------------------


def test_remove_deletes_exactly_the_entry_and_its_own_comments(roster: Path) -> None:
    result = run("roster", "remove", str(roster), "--email", "camille.martin@maison-lumiere.fr")

    assert result.exit_code == 0
    assert result.output == "removed camille.martin@maison-lumiere.fr from operators.yaml\n"
    # The entry and the blank line after it: the next entry moves up under `operators:`.
    assert current(roster) == original().replace(CAMILLE + "\n", "")
    assert "she supervises" not in current(roster)
    assert "camille.martin@maison-lumiere.fr" not in emails(roster)
    assert len(emails(roster)) == 8


def test_remove_of_the_last_entry_leaves_no_trailing_blank_line(roster: Path) -> None:
    result = run("roster", "remove", str(roster), "--email", "JULES.MOREAU@maison-lumiere.fr")

    assert result.output == "removed jules.moreau@maison-lumiere.fr from operators.yaml\n"
    assert current(roster) == original().replace("\n" + JULES, "")


def test_remove_of_an_absent_email_says_so_and_succeeds(roster: Path) -> None:
    result = run("roster", "remove", str(roster), "--email", "nobody@maison-lumiere.fr")

    assert result.exit_code == 0
    assert result.output == "nobody@maison-lumiere.fr is not in operators.yaml: nothing changed\n"
    assert current(roster) == original()


def test_remove_then_add_back_restores_the_file(roster: Path) -> None:
    run("roster", "remove", str(roster), "--email", "jules.moreau@maison-lumiere.fr")
    result = run("roster", "add", str(roster), "--email", "jules.moreau@maison-lumiere.fr", "--external-id", "HR-0009",
                 "--first-name", "Jules", "--name", "Moreau", "--pseudo", "Jules",
                 "--profile", "sales-fr", "--profile", "phone-desk")

    assert result.output == "added jules.moreau@maison-lumiere.fr to operators.yaml\n"
    assert current(roster) == original()


@pytest.mark.parametrize("index", range(9))
def test_every_entry_is_edited_and_removed_without_touching_the_rest(roster: Path, index: int) -> None:
    before = RosterText("operators.yaml", original())
    entry = before.entries[index]
    head, own, tail = before.lines[:entry.start], before.lines[entry.start:entry.end], before.lines[entry.end:]
    comments = [line[line.index("#"):] for line in own if "#" in line]

    updated = run("roster", "add", str(roster), "--email", str(entry.email), "--set", "chat.max=9",
                  "--set", "skills=[101]")

    after = current(roster).splitlines(keepends=True)
    assert updated.output.startswith(f"updated {entry.email} in operators.yaml: chat.max ")
    assert after[:len(head)] == head
    assert after[len(after) - len(tail):] == tail
    edited = "".join(after[len(head):len(after) - len(tail)])
    assert all(comment in edited for comment in comments)

    roster.write_bytes(EXAMPLE.read_bytes())
    run("roster", "remove", str(roster), "--email", str(entry.email))

    # With the blank line that separated it from its neighbour, and nothing else.
    last = index == len(before.entries) - 1
    assert current(roster) == "".join(head[:-1] + tail if last else head + tail[1:])


# --- other layouts -------------------------------------------------------------------


COMMON = """\
version: 1
scope: {group_id: 7}
defaults: {group: 7, roles: [operator]}
profiles:
  sales-fr: {languages: [fr], websites: [123]}
operators: []   # the teams are in their own files
"""

PARIS = """\
version: 1
operators:
- email: ada@maison-lumiere.fr    # team lead
  first_name: Ada
- email: bob@maison-lumiere.fr
  first_name: Bob
"""

LYON = """\
version: 1
operators:
  - email: cy@maison-lumiere.fr
    profile: sales-fr
"""


@pytest.fixture
def team(in_tmp: Path) -> Path:
    """A directory roster: a team per file, each in its own style."""
    directory = in_tmp / "team"
    directory.mkdir()
    for name, text in (("common.yaml", COMMON), ("paris.yaml", PARIS), ("lyon.yaml", LYON)):
        (directory / name).write_text(text)
    return Path("team")


def test_a_directory_roster_needs_file_for_a_new_operator(team: Path) -> None:
    result = run("roster", "add", str(team), "--email", "dee@maison-lumiere.fr")

    assert result.exit_code == 1
    assert result.output == (
        "Error: dee@maison-lumiere.fr is not in team, which is a directory: name the file that gets new operators "
        "(one of: common.yaml, lyon.yaml, paris.yaml); give it with --file NAME. Nothing was written.\n"
    )


def test_a_directory_roster_adds_to_the_named_file_in_its_style(team: Path) -> None:
    result = run("roster", "add", str(team), "--email", "dee@maison-lumiere.fr", "--first-name", "Dee",
                 "--file", "paris.yaml", "--profile", "sales-fr")

    assert result.output == "added dee@maison-lumiere.fr to team/paris.yaml\n"
    # paris.yaml has its dashes at the margin and no blank lines between entries.
    assert (team / "paris.yaml").read_text() == PARIS + (
        "- email: dee@maison-lumiere.fr\n"
        "  first_name: Dee\n"
        "  profile: sales-fr\n"
    )
    assert (team / "common.yaml").read_text() == COMMON
    assert (team / "lyon.yaml").read_text() == LYON


def test_a_directory_roster_can_add_to_an_empty_list(team: Path) -> None:
    result = run("roster", "add", str(team), "--email", "dee@maison-lumiere.fr", "--file", "common")

    assert result.output == "added dee@maison-lumiere.fr to team/common.yaml\n"
    assert (team / "common.yaml").read_text() == COMMON.replace(
        "operators: []   # the teams are in their own files\n",
        "operators:   # the teams are in their own files\n  - email: dee@maison-lumiere.fr\n",
    )
    assert load_roster(team).operators[0].email == "dee@maison-lumiere.fr"


def test_a_directory_roster_edits_the_file_holding_the_email(team: Path) -> None:
    # --file names where a *new* operator goes; bob is in paris.yaml already.
    result = run("roster", "add", str(team), "--email", "bob@maison-lumiere.fr", "--set", "chat.max=3",
                 "--file", "lyon.yaml")

    assert result.output == "updated bob@maison-lumiere.fr in team/paris.yaml: chat.max (unset) -> 3\n"
    assert (team / "paris.yaml").read_text() == PARIS + "  chat: {max: 3}\n"
    assert (team / "lyon.yaml").read_text() == LYON


def test_a_directory_roster_removes_from_the_file_holding_the_email(team: Path) -> None:
    result = run("roster", "remove", str(team), "--email", "ada@maison-lumiere.fr")

    assert result.output == "removed ada@maison-lumiere.fr from team/paris.yaml\n"
    assert (team / "paris.yaml").read_text() == PARIS.replace(
        "- email: ada@maison-lumiere.fr    # team lead\n  first_name: Ada\n", "")


def test_a_directory_roster_is_validated_as_a_whole(team: Path) -> None:
    # The profiles of paris.yaml's operators are defined in common.yaml.
    result = run("roster", "add", str(team), "--email", "cy2@maison-lumiere.fr", "--file", "paris.yaml",
                 "--profile", "sales-fr-typo")

    assert result.exit_code == 1
    assert result.output == (
        "team/paris.yaml:8:3: operators[2].profile: unknown profile 'sales-fr-typo' (did you mean 'sales-fr'?); "
        "known profiles: sales-fr\n"
        "1 problem found; nothing was written.\n"
    )
    assert (team / "paris.yaml").read_text() == PARIS


def test_a_file_roster_refuses_a_file_option_naming_another_file(roster: Path) -> None:
    result = run("roster", "add", str(roster), "--email", "jane.doe@maison-lumiere.fr", "--file", "other.yaml")

    assert result.exit_code == 1
    assert result.output == ("Error: operators.yaml is a single file: a file to put new operators in can only be "
                             "chosen in a directory roster, got 'other.yaml'\n")


def test_crlf_line_endings_are_kept_and_a_final_newline_added(in_tmp: Path) -> None:
    path = in_tmp / "crlf.yaml"
    path.write_bytes(b"version: 1\r\noperators:\r\n  - email: ada@maison-lumiere.fr\r\n    first_name: Ada")

    result = run("roster", "add", "crlf.yaml", "--email", "bob@maison-lumiere.fr", "--set", "languages=[fr]")

    assert result.output == "added bob@maison-lumiere.fr to crlf.yaml\n"
    assert path.read_bytes() == (
        b"version: 1\r\noperators:\r\n  - email: ada@maison-lumiere.fr\r\n    first_name: Ada\r\n"
        b"\r\n  - email: bob@maison-lumiere.fr\r\n    languages: [fr]\r\n"
    )


def test_a_flow_style_operators_list_is_refused(in_tmp: Path) -> None:
    (in_tmp / "flow.yaml").write_text("version: 1\noperators: [{email: ada@maison-lumiere.fr}]\n")

    result = run("roster", "remove", "flow.yaml", "--email", "ada@maison-lumiere.fr")

    assert result.exit_code == 1
    assert result.output == ("Error: flow.yaml:2: the operators list is written in flow style ([...]); "
                             "only a block list ('- email: ...' lines) can be edited\n")


def test_a_roster_that_does_not_parse_or_is_empty_is_reported(in_tmp: Path) -> None:
    (in_tmp / "broken.yaml").write_text("version: 1\noperators:\n  - email: a@b.fr\n    name: [unclosed\n")

    (in_tmp / "empty.yaml").write_text("")

    broken = run("roster", "add", "broken.yaml", "--email", "c@d.fr")
    empty = run("roster", "add", "empty.yaml", "--email", "c@d.fr")

    assert (broken.exit_code, empty.exit_code) == (1, 1)
    assert broken.output == ("broken.yaml:5:1: invalid YAML: expected ',' or ']', but got '<stream end>'\n"
                             "1 problem found; nothing was written.\n")
    assert empty.output == ("empty.yaml:1:1: the file is empty: a roster needs at least 'version: 1' and 'operators:'\n"
                            "1 problem found; nothing was written.\n")
    assert (in_tmp / "empty.yaml").read_text() == ""


def test_the_group_lists_its_commands() -> None:
    result = run("roster", "--help")

    assert result.exit_code == 0
    assert "  add         Add an operator to a roster, or update the fields given.\n" in result.output
    assert "  import-csv  Merge an HR export into a roster: one operator per row.\n" in result.output
    assert "  remove      Remove an operator from a roster.\n" in result.output
