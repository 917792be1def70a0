"""`rostersync roster import-csv`: merging an HR export into the roster."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rostersync.cli.main import cli
from rostersync.edit import read_csv
from rostersync.roster.loader import load_roster

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "operators.yaml"

LUCAS = """\
  - email: lucas.bernard@maison-lumiere.fr
    external_id: HR-0002
    first_name: Lucas
    name: Bernard
    pseudo: Lucas
    profile: sales-fr
"""

HUGO_PROFILE = "    profile: [support-bilingual, phone-desk]\n\n  - email: lea.petit"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def roster(in_tmp: Path) -> Path:
    shutil.copy(EXAMPLE, in_tmp / "operators.yaml")
    return Path("operators.yaml")


def original() -> str:
    return EXAMPLE.read_bytes().decode("utf-8")


def current(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def write_csv(text: str, name: str = "people.csv") -> str:
    Path(name).write_text(text, encoding="utf-8")
    return name


PEOPLE = """\
email,first_name,name,profile,roles,languages,chat.max,chat.enabled
lucas.bernard@maison-lumiere.fr,,,,,fr;en,5,
zoe.durand@maison-lumiere.fr,Zoé,Durand,sales-fr|phone-desk,operator;expert,,,yes
hugo.thomas@maison-lumiere.fr,Hugo,,support-bilingual,,,,
"""


def test_import_updates_creates_and_sets_profiles(roster: Path) -> None:
    result = run("roster", "import-csv", str(roster), write_csv(PEOPLE))

    assert result.exit_code == 0
    assert result.output == (
        "people.csv:2: updated lucas.bernard@maison-lumiere.fr in operators.yaml: "
        "chat.max (unset) -> 5; languages (unset) -> [fr, en]\n"
        "people.csv:3: added zoe.durand@maison-lumiere.fr to operators.yaml\n"
        "people.csv:4: updated hugo.thomas@maison-lumiere.fr in operators.yaml: "
        "profile [support-bilingual, phone-desk] -> [support-bilingual]\n"
        "people.csv: 1 added, 2 updated, 0 unchanged\n"
    )
    expected = original().replace(LUCAS, LUCAS + "    chat: {max: 5}\n    languages: [fr, en]\n").replace(
        HUGO_PROFILE, "    profile: support-bilingual\n\n  - email: lea.petit") + (
        "\n"
        "  - email: zoe.durand@maison-lumiere.fr\n"
        "    first_name: Zoé\n"
        "    name: Durand\n"
        "    profile: [sales-fr, phone-desk]\n"
        "    roles: [operator, expert]\n"
        "    chat: {enabled: true}\n"
    )
    assert current(roster) == expected
    zoe = load_roster(roster).operators[-1]
    assert (zoe.email, zoe.fields["roles"], zoe.fields["chat_max_number"]) == (
        "zoe.durand@maison-lumiere.fr", ["expert", "operator"], 4)  # chat.max from sales-fr


def test_importing_the_same_export_again_changes_nothing(roster: Path) -> None:
    run("roster", "import-csv", str(roster), write_csv(PEOPLE))
    after_first = roster.read_bytes()

    result = run("roster", "import-csv", str(roster), "people.csv")

    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "people.csv: 0 added, 0 updated, 3 unchanged"
    assert result.output.splitlines()[0] == (
        "people.csv:2: lucas.bernard@maison-lumiere.fr is already in operators.yaml with these fields: nothing changed")
    assert roster.read_bytes() == after_first


def test_an_unknown_column_is_left_out_with_a_warning_and_a_suggestion(roster: Path) -> None:
    csv_file = write_csv("email,first_name,chat.maxx,langauges\nlucas.bernard@maison-lumiere.fr,Luc,4,fr\n")

    result = run("roster", "import-csv", str(roster), csv_file)

    assert result.exit_code == 0
    assert result.stderr == (
        "warning: people.csv:1:3: chat.maxx: not a roster field, so the column is left out (did you mean "
        "'chat.max'?); name its field with --map 'chat.maxx=FIELD', or pass --ignore-unknown\n"
        "warning: people.csv:1:4: langauges: not a roster field, so the column is left out (did you mean "
        "'languages'?); name its field with --map 'langauges=FIELD', or pass --ignore-unknown\n"
    )
    assert result.stdout == (
        "people.csv:2: updated lucas.bernard@maison-lumiere.fr in operators.yaml: first_name \"Lucas\" -> \"Luc\"\n"
        "people.csv: 0 added, 1 updated, 0 unchanged\n"
    )
    assert current(roster) == original().replace("    first_name: Lucas\n", "    first_name: Luc\n")


def test_bad_cells_are_named_by_line_and_column(roster: Path) -> None:
    csv_file = write_csv(
        "email,chat.max,websites,chat.enabled\n"
        "lucas.bernard@maison-lumiere.fr,4,123,yes\n"
        "zoe.durand@maison-lumiere.fr,four,123;x,maybe\n"
        ",3,,\n"
        "LUCAS.bernard@maison-lumiere.fr,2,,\n"
    )

    result = run("roster", "import-csv", str(roster), csv_file)

    assert result.exit_code == 1
    assert result.output == (
        "people.csv:3:2: chat.max: must be a whole number, got 'four'\n"
        "people.csv:3:3: websites: must be a whole number, got 'x'\n"
        "people.csv:3:4: chat.enabled: must be one of true/false/yes/no/1/0, got 'maybe'\n"
        "people.csv:4:1: email: is empty: every row needs the operator's email\n"
        "people.csv:5:1: email: 'LUCAS.bernard@maison-lumiere.fr' is also on line 2: give each person one row\n"
        "5 problems found; nothing was written.\n"
    )
    assert current(roster) == original()


def test_a_row_that_breaks_validation_stops_the_whole_import(roster: Path) -> None:
    csv_file = write_csv(
        "email,first_name,chat.priority\n"
        "lucas.bernard@maison-lumiere.fr,Luc,\n"
        "zoe.durand@maison-lumiere.fr,Zoé,5\n"
    )

    result = run("roster", "import-csv", str(roster), csv_file)

    assert result.exit_code == 1
    # At the CSV's row and column, not at the line the new entry would have had.
    assert result.output == (
        "people.csv:3:3: chat.priority: must be 0 or 10, got 5\n"
        "1 problem found; nothing was written.\n"
    )
    assert current(roster) == original()  # Lucas's row, valid on its own, is not written either


def test_a_header_without_email_is_refused(roster: Path) -> None:
    result = run("roster", "import-csv", str(roster), write_csv("first_name,name\nZoé,Durand\n"))

    assert result.exit_code == 1
    assert result.output == (
        "people.csv:1:1: the header has no 'email' column: every row names its operator by email "
        "(map another column to it with --map 'HEADER=email')\n"
        "1 problem found; nothing was written.\n"
    )


def test_semicolon_separated_exports_use_bars_in_lists(roster: Path) -> None:
    csv_file = write_csv("\ufeffEmail;Profile;chat.max;call.enabled\nzoe.durand@maison-lumiere.fr;sales-fr|phone-desk;2;0\n")

    result = run("roster", "import-csv", str(roster), csv_file)

    assert result.exit_code == 0
    assert current(roster) == original() + (
        "\n"
        "  - email: zoe.durand@maison-lumiere.fr\n"
        "    profile: [sales-fr, phone-desk]\n"
        "    chat: {max: 2}\n"
        "    call: {enabled: false}\n"
    )


def test_a_directory_roster_puts_new_rows_in_the_named_file(in_tmp: Path) -> None:
    team = in_tmp / "team"
    team.mkdir()
    (team / "a.yaml").write_text("version: 1\noperators:\n  - email: ada@maison-lumiere.fr\n")
    (team / "b.yaml").write_text("version: 1\noperators:\n  - email: bob@maison-lumiere.fr\n")
    csv_file = write_csv("email,first_name\nbob@maison-lumiere.fr,Bob\ncy@maison-lumiere.fr,Cy\n")

    refused = run("roster", "import-csv", "team", csv_file)
    result = run("roster", "import-csv", "team", csv_file, "--file", "a.yaml")

    assert refused.exit_code == 1
    assert refused.output == (
        "Error: people.csv:3: cy@maison-lumiere.fr is not in team, which is a directory: name the file that gets "
        "new operators (one of: a.yaml, b.yaml); give it with --file NAME. Nothing was written.\n"
    )
    assert result.output == (
        "people.csv:2: updated bob@maison-lumiere.fr in team/b.yaml: first_name (unset) -> \"Bob\"\n"
        "people.csv:3: added cy@maison-lumiere.fr to team/a.yaml\n"
        "people.csv: 1 added, 1 updated, 0 unchanged\n"
    )
    assert (team / "a.yaml").read_text() == (
        "version: 1\noperators:\n  - email: ada@maison-lumiere.fr\n  - email: cy@maison-lumiere.fr\n    first_name: Cy\n")
    assert (team / "b.yaml").read_text() == (
        "version: 1\noperators:\n  - email: bob@maison-lumiere.fr\n    first_name: Bob\n")


def test_read_csv_types_cells_per_the_field_registry(in_tmp: Path) -> None:
    csv_file = write_csv(
        "email,chat.max,chat.enabled,websites,roles,group,call_config.ask_phone_number_at_every_connection,pseudo\n"
        "a@b.fr, 3 ,No,123; 456,operator|expert,7,1,  Al \n"
        "\n"
        "c@d.fr,,,,,,,\n"
    )

    export = read_csv(csv_file)
    wishes = export.wishes

    assert (export.warnings, export.problems) == ((), ())
    assert [(w.email, str(w.origin)) for w in wishes] == [("a@b.fr", "people.csv:2"), ("c@d.fr", "people.csv:4")]
    assert {e.label: v for e, v in wishes[0].values} == {
        "chat.max": 3, "chat.enabled": False, "websites": [123, 456], "roles": ["operator", "expert"],
        "group": 7, "call_config.ask_phone_number_at_every_connection": True, "pseudo": "Al",
    }
    assert wishes[1].values == ()
