"""Exit status 2 means "changes pending" and nothing else: usage errors exit 64."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from test_plan_apply_cli import run, seeded

from rostersync.cli import plan_commands
from rostersync.sandbox import Sandbox


@pytest.mark.parametrize("args", [
    ["plan", "--detailed-exitcode", "--no-such-flag", "r.yaml"],       # an unknown option
    ["plan", "--format", "yaml", "r.yaml"],                            # a value not among the choices
    ["plan"],                                                          # an argument missing
    ["apply", "--parallelism", "0", "r.yaml"],                         # out of range
    ["no-such-command"],
    ["--no-such-global-flag", "plan", "r.yaml"],
    ["roster", "add", "--no-such-flag"],                               # inside a subgroup
    ["validate", "--format", "gitlab", "r.yaml"],
])
def test_a_usage_error_exits_64(runner: CliRunner, args: list[str], account: Sandbox) -> None:
    result = run(runner, *args)
    assert result.exit_code == 64, result.output
    assert "Error:" in result.stderr
    assert account.request_counts() == {}


def test_help_and_version_exit_0(runner: CliRunner) -> None:
    assert run(runner, "--help").exit_code == 0
    assert run(runner, "plan", "--help").exit_code == 0
    assert run(runner, "--version").exit_code == 0


def test_changes_exit_2_only_with_detailed_exitcode(account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    roster = seeded(account, tmp_path)
    assert run(runner, "plan", "-q", str(roster)).exit_code == 0
    assert run(runner, "plan", "-q", "--detailed-exitcode", str(roster)).exit_code == 2
    assert run(runner, "apply", "-q", "--yes", str(roster)).exit_code == 0
    assert run(runner, "plan", "-q", "--detailed-exitcode", str(roster)).exit_code == 0


def test_an_error_exits_1_even_with_detailed_exitcode(account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    roster = tmp_path / "r.yaml"
    roster.write_text("version: 1\noperators:\n  - email: nope\n")
    assert run(runner, "plan", "-q", "--detailed-exitcode", str(roster)).exit_code == 1


def test_ctrl_c_outside_apply_exits_130(account: Sandbox, runner: CliRunner, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    roster = seeded(account, tmp_path)

    def ctrl_c(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # as if pressed while the account is read

    monkeypatch.setattr(plan_commands, "plan_roster", ctrl_c)
    result = run(runner, "plan", "-q", str(roster))
    assert result.exit_code == 130
    assert "Traceback" not in result.output and "Aborted" not in result.output
