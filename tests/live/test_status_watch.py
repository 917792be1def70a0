"""`status --watch`: refreshed in place on a terminal, Ctrl-C exits 0; printed once elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from terminal_support import Terminal

from rostersync.api import IAdvizeClient
from rostersync.api.options import ClientOptions
from rostersync.cli.main import cli
from rostersync.cli.status_watch import _frame, _refresh
from rostersync.live.board import read_board
from rostersync.sandbox import FaultConfig, Sandbox

CONNECTED_LINE = "operators connected."


def test_without_a_terminal_the_view_is_printed_once(account: Sandbox, team: dict[str, int], roster: Path) -> None:
    watched = CliRunner().invoke(cli, ["status", "--watch", str(roster)], catch_exceptions=False)
    plain = CliRunner().invoke(cli, ["status", str(roster)], catch_exceptions=False)
    assert watched.exit_code == 0
    assert watched.stdout == plain.stdout  # the same view as plain status
    assert watched.stdout.endswith("\n4 of 5 operators connected.\n")
    assert "Not a terminal: printed once (--watch refreshes the view only on a terminal)." in watched.stderr


@pytest.mark.parametrize("args,message", [
    (["status", "--interval", "5"], "--interval goes with --watch."),
    (["status", "--watch", "--interval", "0.2"], "0.2 is not in the range x>=1"),
])
def test_interval(account: Sandbox, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 64  # EX_USAGE
    assert message in result.stderr


def test_refreshed_in_place_on_a_terminal_until_ctrl_c(account: Sandbox, team: dict[str, int], roster: Path,
                                                       terminals: list[Terminal]) -> None:
    terminal = Terminal("status", "--watch", "--interval", "1", str(roster), cwd=roster.parent)
    terminals.append(terminal)
    first = terminal.wait_for(CONNECTED_LINE)
    assert "\x1b[2J" in first and "\x1b[H" in first  # cleared once, then redrawn from the top
    assert "rostersync status, every 1 s (Ctrl-C to quit)" in first
    assert "4 of 5 operators connected." in first
    # Someone logs in: the next refresh shows it, drawn over the first view.
    account.store.set_presence(team["dan@example.com"], connected=True, available=["chat"])
    terminal.wait_for("5 of 5 operators connected.")
    terminal.interrupt()
    assert terminal.finish() == 0
    assert "Traceback" not in terminal.output and "Aborted" not in terminal.output


def test_a_failed_refresh_keeps_the_last_view_and_says_why(account: Sandbox, team: dict[str, int]) -> None:
    with IAdvizeClient(account.url, account.api_key, ClientOptions(max_attempts=1)) as client:
        board, problem = _refresh(client, None, None)
        assert board is not None and problem is None
        account.faults = FaultConfig(error_rate=1.0)
        kept, problem = _refresh(client, None, board)
    assert kept is board
    assert problem is not None and "503" in problem
    frame = _frame(kept, problem, 2.0)
    assert "5 of 7 operators connected." in frame
    assert "Could not refresh at " in frame and "Trying again in 2 s." in frame


def test_the_board_escapes_what_the_api_sends(account: Sandbox, team: dict[str, int]) -> None:
    operator_id = account.store.add({"email": "mallory@example.com"})
    account.store._fields[operator_id]["email"] = "mal\x1b]0;owned\x07lory@example.com"
    with IAdvizeClient(account.url, account.api_key) as client:
        frame = _frame(read_board(client), None, 2.0)
    assert "mal\\x1b]0;owned\\x07lory@example.com" in frame
    assert "\x07" not in frame
