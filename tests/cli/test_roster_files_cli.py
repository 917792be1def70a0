"""A roster directory from a pull request, through the CLI as CI runs it: a link to the
CI's .env and a FIFO are errors (exit 1, the file named), nothing is printed of the key,
nothing blocks, and nothing is sent to the account."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rostersync.cli.main import cli
from rostersync.sandbox import Sandbox

FAKE_KEY = "sk-live-9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a"
TEAM = "version: 1\noperators:\n  - email: ada@example.com\n    first_name: Ada\n"
pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX symlinks and FIFOs")


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CI's working directory: its .env, and a roster directory a pull request edited."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(f"IADVIZE_API_KEY={FAKE_KEY}\n")
    (tmp_path / "roster").mkdir()
    (tmp_path / "roster" / "team-fr.yaml").write_text(TEAM)
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def assert_refused(result: Result, file: str, message: str) -> None:
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"{file}:0:0: {message}\n1 problem found; nothing was sent to the API.\n"
    assert FAKE_KEY not in result.output


OUTSIDE = "is a symbolic link to a file outside the roster directory: links are followed only to files inside it"
FIFO = "is a named pipe (FIFO), not a regular file"


def test_validate_refuses_a_link_to_the_dotenv_and_prints_nothing_of_it(checkout: Path) -> None:
    (checkout / "roster" / "x.yaml").symlink_to("../.env")
    assert_refused(run("validate", "roster"), "roster/x.yaml", OUTSIDE)


def test_plan_refuses_a_link_to_the_dotenv_before_any_request(checkout: Path, account: Sandbox) -> None:
    (checkout / "roster" / "x.yaml").symlink_to("../.env")
    assert_refused(run("plan", "roster"), "roster/x.yaml", OUTSIDE)
    assert account.request_counts() == {}


def test_plan_sandbox_refuses_a_link_to_the_dotenv_before_starting_the_sandbox(checkout: Path) -> None:
    (checkout / "roster" / "x.yaml").symlink_to("../.env")
    assert_refused(run("plan", "--sandbox", "roster"), "roster/x.yaml", OUTSIDE)
    assert not (checkout / ".rostersync").exists()  # the sandbox never started: no request was made


def test_apply_refuses_a_link_to_the_dotenv_before_any_write(checkout: Path, account: Sandbox) -> None:
    (checkout / "roster" / "x.yaml").symlink_to("../.env")
    assert_refused(run("apply", "--yes", "roster"), "roster/x.yaml", OUTSIDE)
    assert account.store.list() == []


def run_in_a_process(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI as its own process, so that a read that blocks fails the test by timing out."""
    return subprocess.run([sys.executable, "-m", "rostersync", *args], capture_output=True, text=True, timeout=60,
                          check=False, env={**os.environ, "NO_COLOR": "1"})


@pytest.mark.parametrize("command", [["validate"], ["plan", "--sandbox"]], ids=["validate", "plan --sandbox"])
def test_a_fifo_in_the_directory_is_an_error_and_nothing_blocks(checkout: Path, command: list[str]) -> None:
    os.mkfifo(checkout / "roster" / "team-en.yaml")
    done = run_in_a_process(*command, "roster")
    assert done.returncode == 1
    assert done.stderr == f"roster/team-en.yaml:0:0: {FIFO}\n1 problem found; nothing was sent to the API.\n"
    assert done.stdout == ""
    assert not (checkout / ".rostersync").exists()


def test_a_fifo_named_as_the_roster_is_an_error_and_nothing_blocks(checkout: Path) -> None:
    os.mkfifo(checkout / "roster.yaml")
    done = run_in_a_process("validate", "roster.yaml")
    assert (done.returncode, done.stderr) == (1, f"roster.yaml:0:0: {FIFO}\n1 problem found; nothing was sent to the API.\n")


def test_a_dangling_link_is_an_error_not_a_team_planned_for_deletion(checkout: Path, account: Sandbox) -> None:
    (checkout / "roster" / "team-en.yaml").symlink_to("team-en-old.yaml")
    account.store.add({"email": "en@example.com", "first_name": "En"})
    assert_refused(run("plan", "roster"), "roster/team-en.yaml", "is a symbolic link to a file that does not exist")
    assert account.request_counts() == {}


@pytest.mark.parametrize("escape", ["\\U00110000", "\\Ua0001F600"])
def test_an_escape_that_names_no_character_is_a_problem_not_a_traceback(tmp_path: Path, escape: str) -> None:
    # "\Ua0001F600" once ended in an OverflowError from chr() (too large for a C int).
    roster = tmp_path / "team.yaml"
    roster.write_text(f'version: 1\noperators:\n  - email: ada@example.com\n    first_name: "{escape}"\n')
    result = run("validate", str(roster))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"{roster}:4:20: invalid YAML: found an escape beyond \\U0010FFFF, which names no "
                             "character\n1 problem found; nothing was sent to the API.\n")
