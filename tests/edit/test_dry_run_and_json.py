"""`--dry-run` (the diff an edit would write) and `--format json` (what it did) on every `roster` edit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rostersync.cli.main import cli
from rostersync.render.yaml_secrets import masked

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "operators.yaml"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def roster(in_tmp: Path) -> Path:
    shutil.copy(EXAMPLE, in_tmp / "operators.yaml")
    return Path("operators.yaml")


def original() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def test_add_dry_run_prints_the_diff_and_writes_nothing(roster: Path) -> None:
    result = run("roster", "add", str(roster), "--email", "noah.robert@maison-lumiere.fr", "--set", "chat.max=5",
                 "--dry-run")

    assert result.exit_code == 0
    assert result.stdout == (
        "--- operators.yaml\n"
        "+++ operators.yaml\n"
        "@@ -104,7 +104,7 @@\n"
        "     name: Robert\n"
        "     pseudo: Noah\n"
        "     profile: sales-fr\n"
        "-    chat: {priority: 0}           # in training: served after the others\n"
        "+    chat: {max: 5, priority: 0}   # in training: served after the others\n"
        " \n"
        "   - email: emma.richard@maison-lumiere.fr\n"
        "     external_id: HR-0007\n"
    )
    assert result.stderr == ("updated noah.robert@maison-lumiere.fr in operators.yaml: chat.max (unset) -> 5\n"
                             "Dry run: nothing was written.\n")
    assert roster.read_text() == original()


def test_remove_dry_run_prints_the_diff(roster: Path) -> None:
    result = run("roster", "remove", str(roster), "--email", "jules.moreau@maison-lumiere.fr", "--dry-run")

    assert result.exit_code == 0
    assert result.stdout == (
        "--- operators.yaml\n"
        "+++ operators.yaml\n"
        "@@ -125,10 +125,3 @@\n"
        "     websites: [123, 456]\n"
        "     chat: {enabled: false}        # runs the account; takes no conversations\n"
        "     sso_key: (sensitive)   # a secret: never shown by plan\n"  # as in a plan
        "-\n"
        "-  - email: jules.moreau@maison-lumiere.fr\n"
        "-    external_id: HR-0009\n"
        "-    first_name: Jules\n"
        "-    name: Moreau\n"
        "-    pseudo: Jules\n"
        "-    profile: [sales-fr, phone-desk]\n"
    )
    assert roster.read_text() == original()


def test_import_dry_run_prints_the_diff_and_the_lines_on_stderr(roster: Path) -> None:
    Path("people.csv").write_text("email,first_name\nzoe.durand@maison-lumiere.fr,Zoé\n", encoding="utf-8")

    result = run("roster", "import-csv", str(roster), "people.csv", "--dry-run")

    assert result.exit_code == 0
    assert result.stdout.endswith(
        "@@ -132,3 +132,6 @@\n"
        "     name: Moreau\n"
        "     pseudo: Jules\n"
        "     profile: [sales-fr, phone-desk]\n"
        "+\n"
        "+  - email: zoe.durand@maison-lumiere.fr\n"
        "+    first_name: Zoé\n"
    )
    assert result.stderr == ("people.csv:2: added zoe.durand@maison-lumiere.fr to operators.yaml\n"
                             "people.csv: 1 added, 0 updated, 0 unchanged\n"
                             "Dry run: nothing was written.\n")
    assert roster.read_text() == original()


def test_a_dry_run_that_changes_nothing_prints_no_diff(roster: Path) -> None:
    result = run("roster", "remove", str(roster), "--email", "nobody@maison-lumiere.fr", "--dry-run")

    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == ("nobody@maison-lumiere.fr is not in operators.yaml: nothing changed\n"
                             "Dry run: nothing was written.\n")


def test_the_diff_marks_a_file_that_had_no_final_newline(in_tmp: Path) -> None:
    (in_tmp / "r.yaml").write_text("version: 1\noperators:\n  - email: ada@x.fr")

    result = run("roster", "add", "r.yaml", "--email", "bob@x.fr", "--dry-run")

    assert result.stdout == (
        "--- r.yaml\n+++ r.yaml\n@@ -1,3 +1,4 @@\n version: 1\n operators:\n"
        "-  - email: ada@x.fr\n\\ No newline at end of file\n+  - email: ada@x.fr\n+  - email: bob@x.fr\n"
    )


def test_import_json_reports_every_outcome_with_secrets_masked(roster: Path) -> None:
    Path("people.csv").write_text(
        "email,first_name,sso_key,Department\n"
        "zoe.durand@maison-lumiere.fr,Zoé,zoe-token,Sales\n"
        "sarah.lefebvre@maison-lumiere.fr,,new-token,Admin\n"
        "lucas.bernard@maison-lumiere.fr,Lucas,,Sales\n"
        + "".join(f"{name}@maison-lumiere.fr,,,\n" for name in (
            "camille.martin", "ines.dubois", "hugo.thomas", "lea.petit", "noah.robert", "emma.richard")),
        encoding="utf-8")

    result = run("roster", "import-csv", str(roster), "people.csv", "--prune", "--format", "json")

    assert result.exit_code == 0
    report = json.loads(result.stdout)
    diff = report.pop("diff")
    assert diff.startswith("--- operators.yaml\n+++ operators.yaml\n")
    assert "+    sso_key: (sensitive)\n" in diff
    assert report == {
        "dry_run": False,
        "files": ["operators.yaml"],
        "counts": {"added": 1, "updated": 1, "removed": 1, "unchanged": 7, "absent": 0},
        "added": [{"email": "zoe.durand@maison-lumiere.fr", "file": "operators.yaml", "origin": "people.csv:2",
                   "fields": {"first_name": "Zoé", "sso_key": "(sensitive)"}}],
        "updated": [{"email": "sarah.lefebvre@maison-lumiere.fr", "file": "operators.yaml", "origin": "people.csv:3",
                     "fields": {"sso_key": {"before": "(sensitive)", "after": "(sensitive)"}}}],
        "removed": [{"email": "jules.moreau@maison-lumiere.fr", "file": "operators.yaml"}],
        "unchanged": [{"email": f"{name}@maison-lumiere.fr", "file": "operators.yaml", "origin": f"people.csv:{line}"}
                      for line, name in enumerate(("lucas.bernard", "camille.martin", "ines.dubois", "hugo.thomas",
                                                   "lea.petit", "noah.robert", "emma.richard"), start=4)],
        "absent": [],
        "warnings": ["people.csv:1:4: Department: not a roster field, so the column is left out; name its field "
                     "with --map 'Department=FIELD', or pass --ignore-unknown"],
    }
    assert "token" not in result.stdout
    assert "    sso_key: zoe-token\n" in roster.read_text()  # written, never shown


def test_json_with_dry_run_writes_nothing(roster: Path) -> None:
    result = run("roster", "remove", str(roster), "--email", "nobody@maison-lumiere.fr", "--format", "json",
                 "--dry-run")

    assert json.loads(result.stdout) == {
        "dry_run": True, "files": [], "counts": {"added": 0, "updated": 0, "removed": 0, "unchanged": 0, "absent": 1},
        "added": [], "updated": [], "removed": [], "unchanged": [],
        "absent": [{"email": "nobody@maison-lumiere.fr", "file": None}], "warnings": [], "diff": "",
    }
    assert result.stderr == ""


def test_the_readme_shows_what_the_example_hr_export_does(monkeypatch: pytest.MonkeyPatch) -> None:
    root = EXAMPLE.parents[1]
    monkeypatch.chdir(root)  # the README runs it from there
    result = run("roster", "import-csv", "examples/operators.yaml", "examples/hr-export.csv", "--prune", "--dry-run")
    readme = (root / "README.md").read_text(encoding="utf-8")

    assert result.exit_code == 0
    assert result.stdout in readme
    assert all(line in readme for line in result.stderr.splitlines() if "is already in" not in line)


SECRETS = (
    "version: 1\n"
    "defaults:\n  sso_key: \"shared\n    default-secret\"\n"
    "operators:\n"
    "  - email: ada@x.fr\n    sso_key: >-\n      folded-secret\n      second-half\n"
    "  - email: bob@x.fr\n    sso_key:\n      plain-secret-on-its-own-line\n"
    "  - {email: cy@x.fr, sso_key: flow-secret, first_name: Cy}\n"
)


@pytest.mark.parametrize("email", ["ada@x.fr", "bob@x.fr", "cy@x.fr"])
def test_a_secret_written_over_several_lines_never_shows_in_the_diff(in_tmp: Path, email: str) -> None:
    Path("team.yaml").write_text(SECRETS)

    text = run("roster", "remove", "team.yaml", "--email", email, "--dry-run")
    report = json.loads(run("roster", "remove", "team.yaml", "--email", email, "--dry-run", "--format", "json").stdout)

    assert text.exit_code == 0
    assert text.stdout == report["diff"]
    assert "secret" not in text.stdout and "second-half" not in text.stdout
    assert f"-  - email: {email}\n" in text.stdout or "-  - {email: cy@x.fr, sso_key: (sensitive)" in text.stdout
    assert "(sensitive)" in text.stdout


def test_the_diff_shows_where_a_secret_changes_and_keeps_the_lines_of_the_file(in_tmp: Path) -> None:
    Path("team.yaml").write_text(SECRETS)

    result = run("roster", "add", "team.yaml", "--email", "bob@x.fr", "--set", "sso_key=new-secret", "--dry-run")

    assert result.stdout == (
        "--- team.yaml\n+++ team.yaml\n@@ -8,6 +8,5 @@\n"
        "       (sensitive)\n"
        "       (sensitive)\n"
        "   - email: bob@x.fr\n"
        "-    sso_key:\n"
        "-      (sensitive)\n"
        "+    sso_key: (sensitive)\n"
        "   - {email: cy@x.fr, sso_key: (sensitive), first_name: Cy}\n"
    )
    assert "secret" not in result.output


@pytest.mark.parametrize(("text", "shown"), [
    ("a:\n  sso_key: &k 'it''s'  # c\n  b: *k\n", "a:\n  sso_key: (sensitive)  # c\n  b: *k\n"),
    ("x: &x [*x]\nsso_key: |\r\n  one\r\n\r\n  two\r\n", "x: &x [*x]\nsso_key: (sensitive)\r\n  (sensitive)\r\n\r\n"
                                                      "  (sensitive)\r\n"),
    ("sso_key: [unclosed\nother: 1\n", "sso_key: (sensitive)\nother: 1\n"),  # not YAML: the line goes
])
def test_masked_keeps_every_line_and_byte_but_the_secret(text: str, shown: str) -> None:
    assert masked(text) == shown
