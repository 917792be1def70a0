"""`roster import-csv` with exports as HR systems write them: their headers, extra
columns, problems at the CSV's row and column, and a full sync with --prune."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rostersync.cli.main import cli
from rostersync.edit.columns import KNOWN, resolve, spelling, suggestion
from rostersync.edit.columns import HeaderMap as Map
from rostersync.roster.loader import load_roster

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "operators.yaml"
EMAILS = [op.email for op in load_roster(EXAMPLE).operators]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def roster(in_tmp: Path) -> Path:
    shutil.copy(EXAMPLE, in_tmp / "operators.yaml")
    return Path("operators.yaml")


def original() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def write_csv(text: str, name: str = "hr-export.csv") -> str:
    Path(name).write_text(text, encoding="utf-8")
    return name


# --- headers ----------------------------------------------------------------------------


def test_an_hr_export_with_its_own_headers_imports_as_is(roster: Path) -> None:
    csv_file = write_csv("E-mail,First Name,Last Name,Employee ID,Languages\n"
                         "lucas.bernard@maison-lumiere.fr,Lucas,Bernard-Roy,HR-0002,fr;en\n"
                         "zoe.durand@maison-lumiere.fr,Zoé,Durand,HR-0010,fr\n")

    result = run("roster", "import-csv", str(roster), csv_file)

    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        'hr-export.csv:2: updated lucas.bernard@maison-lumiere.fr in operators.yaml: name "Bernard" -> '
        '"Bernard-Roy"; languages (unset) -> [fr, en]\n'
        "hr-export.csv:3: added zoe.durand@maison-lumiere.fr to operators.yaml\n"
        "hr-export.csv: 1 added, 1 updated, 0 unchanged\n"
    )
    zoe = load_roster(roster).operators[-1]
    assert (zoe.external_id, zoe.fields["first_name"], zoe.fields["name"]) == ("HR-0010", "Zoé", "Durand")


@pytest.mark.parametrize(("header", "field"), [
    ("email", "email"), ("E-mail", "email"), ("EMAIL ADDRESS", "email"), ("Courriel", "email"),
    ("first_name", "first_name"), ("First Name", "first_name"), ("firstname", "first_name"), ("Prénom", "first_name"),
    ("Last Name", "name"), ("Surname", "name"), ("Nom", "name"), ("name", "name"),
    ("External ID", "external_id"), ("Employee ID", "external_id"),
    ("chat.max", "chat.max"), ("Chat Max", "chat.max"), ("chat_max_number", "chat.max"),
    ("language_list", "languages"), ("Language", "languages"), ("Admin language", "language_admin"),
    ("group_id", "group"), ("Website IDs", "websites"), ("skill_list", "skills"),
    ("Call Config Type", "call_config.type"), ("call_config.phone_number", "call_config.phone_number"),
])
def test_headers_are_recognised_without_case_spaces_or_punctuation(header: str, field: str) -> None:
    column = resolve(1, header, Map.parse([]))
    assert column.field is not None and column.field.label == field


def test_no_spelling_names_two_fields() -> None:
    # KNOWN raises while it is built if one would; each roster path is among them.
    assert {editable.label for editable in KNOWN.values()} >= {"email", "name", "first_name", "chat.max"}
    assert spelling("Prénom de l'agent") == "prenomdelagent"


@pytest.mark.parametrize(("header", "hint"), [
    ("Lastnme", "name"), ("Frist Name", "first_name"), ("chat.maxx", "chat.max"), ("E-mial", "email"),
    ("Department", None), ("Cost centre", None),
])
def test_did_you_mean_names_the_field_a_header_is_close_to(header: str, hint: str | None) -> None:
    assert suggestion(header) == hint


def test_unknown_columns_are_left_out_with_a_warning_or_silently(roster: Path) -> None:
    csv_file = write_csv("email,Frist Name,Department\nlucas.bernard@maison-lumiere.fr,Luc,Sales\n")

    warned = run("roster", "import-csv", str(roster), csv_file)
    silent = run("roster", "import-csv", str(roster), csv_file, "--ignore-unknown")

    assert warned.exit_code == 0
    assert warned.stderr.splitlines()[:2] == [
        "warning: hr-export.csv:1:2: Frist Name: not a roster field, so the column is left out (did you mean "
        "'first_name'?); name its field with --map 'Frist Name=FIELD', or pass --ignore-unknown",
        "warning: hr-export.csv:1:3: Department: not a roster field, so the column is left out; name its field "
        "with --map 'Department=FIELD', or pass --ignore-unknown",
    ]
    assert silent.exit_code == 0
    assert "warning" not in silent.stderr


def test_map_names_the_field_of_a_header_or_leaves_a_column_out(roster: Path) -> None:
    csv_file = write_csv("Mail,Family,Max chats,Notes\nzoe.durand@maison-lumiere.fr,Durand,2,starts Monday\n")

    result = run("roster", "import-csv", str(roster), csv_file, "--map", "Mail=email", "--map", "family=name",
                 "--map", "Max chats=chat.max", "--map", "Notes=")

    assert (result.exit_code, result.stderr) == (0, "")
    assert roster.read_text() == original() + (
        "\n  - email: zoe.durand@maison-lumiere.fr\n    name: Durand\n    chat: {max: 2}\n")


@pytest.mark.parametrize(("mapping", "message"), [
    ("Max chats", "'Max chats' is not HEADER=FIELD, such as 'Last Name=name'"),
    ("=name", "'=name' is not HEADER=FIELD, such as 'Last Name=name'"),
    ("Max chats=chat.maxx", "unknown field 'chat.maxx' (did you mean 'chat.max'?)"),
])
def test_a_malformed_map_is_a_usage_error(roster: Path, mapping: str, message: str) -> None:
    result = run("roster", "import-csv", str(roster), write_csv("email\n"), "--map", mapping)

    assert result.exit_code == 64  # a usage error (rostersync.cli.exit_codes)
    assert result.stderr.splitlines()[-1] == f"Error: Invalid value for '--map': {message}"


def test_header_problems_are_named_at_the_header(roster: Path) -> None:
    csv_file = write_csv("Email,E-mail,First Name\na@b.fr,a@b.fr,A\n")

    result = run("roster", "import-csv", str(roster), csv_file, "--map", "Surname=name")

    assert result.exit_code == 1
    assert result.stderr == (
        "hr-export.csv:1:1: Surname: --map names a column the header does not have; its columns: "
        "Email, E-mail, First Name\n"
        "hr-export.csv:1:2: E-mail: Email (column 1) already holds email\n"
        "2 problems found; nothing was written.\n"
    )


# --- problems at the CSV's row and column --------------------------------------------------------


def test_every_problem_of_the_file_is_reported_at_its_row_and_column_in_one_pass(roster: Path) -> None:
    csv_file = write_csv(
        "E-mail,Max chats,Priority,Profile,Languages,Pickup,Websites\n"
        "lucas.bernard@maison-lumiere.fr,four,,,,,\n"  # a cell that is no number
        "zoe.durand@maison-lumiere.fr,2,5,sales-frr,fr;french,ANSWER_FROM_PHONE,\n"  # four the roster refuses
        "not-an-email,,,,,,\n"
        "hugo.thomas@maison-lumiere.fr,,,,,,123;x\n"
        ",3,,,,,\n"
    )

    result = run("roster", "import-csv", str(roster), csv_file, "--map", "Max chats=chat.max",
                 "--map", "Priority=chat.priority", "--map", "Pickup=call_config.type")

    assert result.exit_code == 1
    assert result.stderr == (
        "hr-export.csv:2:2: Max chats (chat.max): must be a whole number, got 'four'\n"
        "hr-export.csv:3:3: Priority (chat.priority): must be 0 or 10, got 5\n"
        "hr-export.csv:3:4: Profile: unknown profile 'sales-frr' (did you mean 'sales-fr'?); "
        "known profiles: phone-desk, sales-fr, support-bilingual\n"
        "hr-export.csv:3:5: languages[1]: must be an ISO 639-1 language code such as 'en' or 'fr', got 'french'\n"
        "hr-export.csv:3:6: call_config: type ANSWER_FROM_PHONE needs a phone_number or "
        "ask_phone_number_at_every_connection: true\n"
        "hr-export.csv:4:1: E-mail: must be a valid email address, got 'not-an-email'\n"
        "hr-export.csv:5:7: Websites: must be a whole number, got 'x'\n"
        "hr-export.csv:6:1: E-mail: is empty: every row needs the operator's email\n"
        "8 problems found; nothing was written.\n"
    )
    assert roster.read_text() == original()


def test_a_problem_the_import_causes_elsewhere_is_reported_at_its_line_on_disk(roster: Path) -> None:
    # Camille's entry grows by a line; the duplicate is Lucas's, below it, unchanged on disk.
    csv_file = write_csv("email,external_id,languages\ncamille.martin@maison-lumiere.fr,HR-0002,fr;en\n")

    result = run("roster", "import-csv", str(roster), csv_file)

    assert result.exit_code == 1
    assert result.stderr == (
        "operators.yaml:65:5: operators[1].external_id: duplicate external_id 'HR-0002' "
        "(also at operators.yaml:51, operators[0])\n"
        "1 problem found; nothing was written.\n"
    )


def test_a_roster_broken_before_the_import_is_reported_as_it_is_on_disk(roster: Path) -> None:
    roster.write_text(original().replace("    chat: {priority: 0}  ", "    chat: {priority: 5}  "))
    csv_file = write_csv("email,languages\ncamille.martin@maison-lumiere.fr,fr;en\n")

    result = run("roster", "import-csv", str(roster), csv_file)

    assert result.stderr == (
        "operators.yaml:107:12: operators[5].chat.priority: must be 0 or 10, got 5\n"
        "1 problem found; nothing was written.\n"
    )


def test_rows_that_use_a_shared_anchor_are_refused_with_the_rest(in_tmp: Path) -> None:
    (in_tmp / "team.yaml").write_text("version: 1\noperators:\n  - email: a@x.fr\n    languages: &l [fr]\n"
                                      "  - email: b@x.fr\n    languages: *l\n")
    csv_file = write_csv("email,first_name,chat.priority\na@x.fr,A,\nb@x.fr,B,\nc@x.fr,C,3\n")

    result = run("roster", "import-csv", "team.yaml", csv_file)

    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "2 problems found; nothing was written."
    assert "team.yaml:4:16: operators[0]: a@x.fr defines the YAML anchor &l, which b@x.fr (team.yaml:5) uses" in (
        result.stderr)
    assert "team.yaml:6:16: operators[1]: b@x.fr uses the YAML anchor &l of a@x.fr (team.yaml:3)" in result.stderr


# --- --prune ---------------------------------------------------------------------------------


def test_prune_removes_the_operators_the_export_does_not_name(roster: Path) -> None:
    csv_file = write_csv("email\n" + "\n".join(EMAILS[:-1]) + "\n")  # everyone but Jules

    result = run("roster", "import-csv", str(roster), csv_file, "--prune")

    assert result.exit_code == 0
    assert result.stdout.splitlines()[-2:] == [
        "removed jules.moreau@maison-lumiere.fr from operators.yaml",
        "hr-export.csv: 0 added, 0 updated, 8 unchanged, 1 removed",
    ]
    assert [op.email for op in load_roster(roster).operators] == EMAILS[:-1]


def test_prune_is_under_the_delete_guard(roster: Path) -> None:
    csv_file = write_csv("email\n" + "\n".join(EMAILS[:6]) + "\nzoe.durand@maison-lumiere.fr\n")

    refused = run("roster", "import-csv", str(roster), csv_file, "--prune")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "Error: --prune would remove 3 of the 9 operators of operators.yaml (33%), more than --max-delete-ratio "
        "0.25 allows. Check the CSV and the file; if the removals are intended, run again with --force. "
        "Nothing was written.\n"
    )
    assert roster.read_text() == original()

    allowed = run("roster", "import-csv", str(roster), csv_file, "--prune", "--max-delete-ratio", "0.5", "--dry-run")

    assert allowed.exit_code == 0
    assert allowed.stderr.splitlines()[-2:] == [
        "hr-export.csv: 1 added, 0 updated, 6 unchanged, 3 removed", "Dry run: nothing was written."]

    forced = run("roster", "import-csv", str(roster), csv_file, "--prune", "--force")

    assert forced.exit_code == 0
    assert [op.email for op in load_roster(roster).operators] == [*EMAILS[:6], "zoe.durand@maison-lumiere.fr"]


def test_prune_refuses_to_empty_the_file(roster: Path) -> None:
    result = run("roster", "import-csv", str(roster), write_csv("email\n"), "--prune")

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: --prune would remove all 9 operators of operators.yaml: the CSV names none of them. Refusing; "
        "if that is really intended, run again with --force. Nothing was written.\n"
    )


def test_prune_does_not_run_when_rows_have_problems(roster: Path) -> None:
    # Lucas's row has no email: pruning would remove him.
    csv_file = write_csv("email,first_name\n" + "\n".join(e for e in EMAILS if "lucas" not in e) + "\n,Lucas\n")

    result = run("roster", "import-csv", str(roster), csv_file, "--prune", "--force")

    assert result.exit_code == 1
    assert result.stderr == ("hr-export.csv:10:1: email: is empty: every row needs the operator's email\n"
                             "1 problem found; nothing was written.\n")
    assert roster.read_text() == original()


def test_prune_in_a_directory_roster_empties_only_the_named_file(in_tmp: Path) -> None:
    team = in_tmp / "team"
    team.mkdir()
    (team / "paris.yaml").write_text("version: 1\noperators:\n  - email: ada@x.fr\n  - email: bob@x.fr\n")
    (team / "lyon.yaml").write_text("version: 1\noperators:\n  - email: cy@x.fr\n")
    csv_file = write_csv("email\nada@x.fr\ncy@x.fr\n")

    unnamed = run("roster", "import-csv", "team", csv_file, "--prune")
    named = run("roster", "import-csv", "team", csv_file, "--prune", "--file", "paris")

    assert unnamed.stderr == ("Error: team is a directory: name the file to remove absent operators from "
                              "(one of: lyon.yaml, paris.yaml)\n")
    assert named.stdout.splitlines()[-2:] == ["removed bob@x.fr from team/paris.yaml",
                                              "hr-export.csv: 0 added, 0 updated, 2 unchanged, 1 removed"]
    assert (team / "lyon.yaml").read_text() == "version: 1\noperators:\n  - email: cy@x.fr\n"


def test_the_guard_options_go_with_prune(roster: Path) -> None:
    result = run("roster", "import-csv", str(roster), write_csv("email\n"), "--force")

    assert result.exit_code == 64  # a usage error
    assert result.stderr.splitlines()[-1] == "Error: --force and --max-delete-ratio go with --prune"
