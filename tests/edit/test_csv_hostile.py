"""`roster import-csv` and `roster add` fed hostile input, as an HR automation may:
control and bidi characters, formulas, broken quoting, huge files. Every refusal is a
message at the CSV's row and column, never a traceback, and the roster is left as it
was, byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rostersync.cli.main import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "operators.yaml"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def roster(in_tmp: Path) -> Path:
    shutil.copy(EXAMPLE, in_tmp / "operators.yaml")
    return Path("operators.yaml")


def write_csv(content: str | bytes, name: str = "hr.csv") -> str:
    data = content.encode("utf-8") if isinstance(content, str) else content
    Path(name).write_bytes(data)
    return name


def refused(roster: Path, *args: str) -> str:
    """The stderr of an import that must fail, having written nothing."""
    before = roster.read_bytes()
    result = run("roster", "import-csv", str(roster), *args)
    assert result.exit_code == 1, result.output
    assert roster.read_bytes() == before
    assert "Traceback" not in result.stderr
    return result.stderr


# --- what a cell may hold ----------------------------------------------------------------------


def test_control_bidi_and_line_break_characters_are_refused_at_their_cell(roster: Path) -> None:
    csv_file = write_csv(
        "email,first_name,name,sso_key\n"
        "zoe.durand@maison-lumiere.fr,Zo\x1b[2Jé,\u202eRoux,\n"  # ESC, a right-to-left override
        'new\x1b[31m@maison-lumiere.fr,"Two\nLines",Ok,\n'  # in the email; a quoted line break
        "ada@maison-lumiere.fr,Ada,Nul\x00l,s3cr\u200bet\n")  # NUL; a zero-width space in a secret

    stderr = refused(roster, csv_file)

    assert stderr == (
        "hr.csv:2:2: first_name: must be plain text, but holds U+001B (a control character) at character 3\n"
        "hr.csv:2:3: name: must be plain text, but holds U+202E (an invisible or bidi character) at character 1\n"
        "hr.csv:3:1: email: must be plain text, but holds U+001B (a control character) at character 4\n"
        "hr.csv:3:2: first_name: must be plain text, but holds U+000A (a line break) at character 4\n"
        "hr.csv:5:3: name: must be plain text, but holds U+0000 (a control character) at character 4\n"
        "hr.csv:5:4: sso_key: must be plain text, but holds U+200B (an invisible or bidi character) at character 5\n"
        "6 problems found; nothing was written.\n"
    )
    assert "s3cr" not in stderr  # a secret's cell is named, never quoted


def test_names_joined_with_zero_width_joiners_are_kept(roster: Path) -> None:
    # Persian spells some names with a zero-width non-joiner, U+200C.
    csv_file = write_csv("email,first_name\nzoe.durand@maison-lumiere.fr,\u0645\u06cc\u200c\u0631\u0627\n")

    result = run("roster", "import-csv", str(roster), csv_file)

    assert result.exit_code == 0
    assert "first_name: \u0645\u06cc\u200c\u0631\u0627\n" in roster.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)"])
def test_a_name_a_spreadsheet_would_run_as_a_formula_is_refused(roster: Path, name: str) -> None:
    quoted = '"' + name.replace('"', '""') + '"'
    stderr = refused(roster, write_csv(f"email,pseudo\nzoe.durand@maison-lumiere.fr,{quoted}\n"))

    assert stderr.splitlines()[0] == (
        f"hr.csv:2:2: pseudo: starts with '{name[0]}', which a spreadsheet runs as a formula (CSV injection): "
        "a name cannot start with = + - @")


def test_roster_add_refuses_the_same_characters(roster: Path) -> None:
    before = roster.read_bytes()

    escape = run("roster", "add", str(roster), "--email", "zoe@maison-lumiere.fr", "--first-name", "Zo\x1b[2J")
    bidi = run("roster", "add", str(roster), "--email", "zoe@maison-lumiere.fr", "--set", "languages=[fr, \"e\u202en\"]")
    formula = run("roster", "add", str(roster), "--email", "zoe@maison-lumiere.fr", "--name", "=1+1")

    assert (escape.exit_code, escape.stderr) == (
        1, "Error: first_name must be plain text, but holds U+001B (a control character) at character 3; "
           "nothing was written\n")
    assert bidi.stderr == ("Error: languages must be plain text, but holds U+202E (an invisible or bidi character) "
                           "at character 2; nothing was written\n")
    assert formula.stderr.startswith("Error: name starts with '=', which a spreadsheet runs as a formula")
    assert roster.read_bytes() == before
