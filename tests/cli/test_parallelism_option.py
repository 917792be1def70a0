"""`--parallelism`: one setting for plan and apply, for reading the account's pages as
well as for apply's writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rostersync.api import IAdvizeClient
from rostersync.cli import plan_commands
from rostersync.cli.main import cli
from rostersync.sandbox import Sandbox

ROSTER = "version: 1\noperators:\n  - {email: ada@example.com, first_name: Ada}\n"


@pytest.fixture
def page_workers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The page workers each command's client is opened with (the real client, recorded)."""
    seen: list[int] = []
    real_open_client = plan_commands.open_backend

    def recording(*args: Any, page_workers: int, **kwargs: Any) -> IAdvizeClient:
        seen.append(page_workers)
        return real_open_client(*args, page_workers=page_workers, **kwargs)

    monkeypatch.setattr(plan_commands, "open_backend", recording)
    return seen


@pytest.mark.parametrize(("args", "workers"), [
    pytest.param(["plan"], 8, id="plan, default"),
    pytest.param(["plan", "--parallelism", "3"], 3, id="plan --parallelism 3"),
    pytest.param(["apply", "--yes"], 8, id="apply, default"),
    pytest.param(["apply", "--yes", "--parallelism", "1"], 1, id="apply --parallelism 1"),
    pytest.param(["apply", "--yes", "--parallelism", "64"], 64, id="apply --parallelism 64"),
])
def test_the_pages_are_read_with_the_parallelism_of_the_command(
        account: Sandbox, tmp_path: Path, page_workers: list[int], args: list[str], workers: int) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text(ROSTER, encoding="utf-8")
    result = CliRunner().invoke(cli, [*args, "-q", str(roster)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert page_workers == [workers]
    assert "+ create ada@example.com" in result.stdout


@pytest.mark.parametrize("command", ["plan", "apply"])
@pytest.mark.parametrize("value", ["0", "65"])
def test_parallelism_is_bounded(command: str, value: str) -> None:
    result = CliRunner().invoke(cli, [command, "--parallelism", value, "roster.yaml"])
    assert result.exit_code == 64  # a usage error
    assert "--parallelism" in result.output


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_help_says_it_applies_to_reading_too(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"], terminal_width=200, catch_exceptions=False)
    assert "--parallelism INTEGER RANGE" in result.output
    assert "the pages of the account read, then apply's writes." in result.output
    assert "[default: 8; 1<=x<=64]" in result.output
