"""`status --watch`: refreshed in place on a terminal, Ctrl-C exits 0; printed once elsewhere."""

from __future__ import annotations

import os
import unicodedata
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
from rostersync.sandbox.catalog import Catalog, CatalogGroup

CONNECTED_LINE = "operators connected."


def test_without_a_terminal_the_view_is_printed_once(account: Sandbox, team: dict[str, int], roster: Path) -> None:
    watched = CliRunner().invoke(cli, ["status", "--watch", str(roster)], catch_exceptions=False)
    plain = CliRunner().invoke(cli, ["status", str(roster)], catch_exceptions=False)
    assert watched.exit_code == 0
    assert watched.stdout == plain.stdout  # the same view as plain status
    assert watched.stdout.endswith("\n4 of 5 operators connected.\n")
    assert "Not a terminal: printed once (--watch refreshes the view only on a terminal)." in watched.stderr


def test_plain_status_chooses_and_escapes_as_the_watched_view(account: Sandbox, team: dict[str, int],
                                                              tmp_path: Path) -> None:
    """Plain status once drew its own table: it chose a roster's operators by email only
    (missing one renamed in the account but known by external id) and printed emails raw."""
    account.store.add({"email": "old.name@example.com", "external_id": "HR-1", "group_id": 7})
    mallory = account.store.add({"email": "mallory@example.com", "group_id": 7})
    account.store._fields[mallory]["email"] = "mal\x1b]0;owned\x07\u202elory@example.com"
    roster = tmp_path / "renamed.yaml"
    roster.write_text("version: 1\nscope: {group_id: 7}\n"
                      "operators:\n  - {email: new.name@example.com, external_id: HR-1}\n")

    def status(*args: str) -> str:
        result = CliRunner().invoke(cli, ["status", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    by_external_id = status(str(roster))
    assert by_external_id.splitlines()[1].split() == ["old.name@example.com", "Paris", "desk", "never", "-", "-", "-"]
    assert by_external_id.endswith("\n0 of 1 operators connected.\n")
    assert status("--watch", str(roster)) == by_external_id
    everyone = status()
    assert "mal\\x1b]0;owned\\x07\\u202elory@example.com  Paris desk     never" in everyone
    assert not any(char in everyone for char in "\x1b\x07\u202e")
    assert status("--watch") == everyone


@pytest.mark.parametrize("args,message", [
    (["status", "--interval", "5"], "--interval goes with --watch."),
    (["status", "--watch", "--interval", "0.2"], "0.2 is not in the range 1.0<=x<=3600.0"),
    # time.sleep would raise on these, after the first view was drawn.
    (["status", "--watch", "--interval", "inf"], "inf is not in the range 1.0<=x<=3600.0"),
    (["status", "--watch", "--interval", "1e300"], "is not in the range 1.0<=x<=3600.0"),
    (["status", "--watch", "--interval", "nan"], "nan is not a number of seconds."),
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


def test_a_refused_key_ends_the_watch_before_the_screen_is_cleared(
        account: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, terminals: list[Terminal]) -> None:
    monkeypatch.setenv("IADVIZE_API_KEY", "not-the-key")
    terminal = Terminal("status", "--watch", cwd=tmp_path)
    terminals.append(terminal)
    assert terminal.finish() == 1
    assert "the API refused the key (403 Forbidden): check IADVIZE_API_KEY" in terminal.output
    assert "\x1b[2J" not in terminal.output  # the error is not left alone on a blank screen
    assert "Traceback" not in terminal.output


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


def test_a_view_taller_than_the_terminal_is_cut_to_fit_it(account: Sandbox, team: dict[str, int]) -> None:
    """Drawn in full, the view scrolled the terminal and each refresh landed lower."""
    for n in range(40):
        account.store.add({"email": f"extra{n:02}@example.com"})
    with IAdvizeClient(account.url, account.api_key) as client:
        board = read_board(client)
    frame = _frame(board, "the server failed (503)", 2.0, os.terminal_size((80, 24)))
    assert frame.count("\n") == 23  # the 24th line is left to the cursor
    assert "\n... and 33 more not shown: a taller terminal, or a ROSTER, shows them." in frame
    assert "5 of 47 operators connected." in frame and "Could not refresh at " in frame
    tall = _frame(board, None, 2.0, os.terminal_size((80, 60)))
    assert "more not shown" not in tall and "extra39@example.com" in tall
    # A line longer than the terminal is wide takes two rows.
    narrow = _frame(board, None, 2.0, os.terminal_size((40, 24)))
    assert narrow.count("\n") < 23


def test_a_view_of_wide_names_is_cut_by_the_columns_they_take(account: Sandbox, team: dict[str, int],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A group named in Japanese takes two columns a character: its rows wrap on a
    terminal as wide as their characters are many, and the cut must count them so."""
    monkeypatch.setattr(account.store, "catalog", Catalog(groups=(CatalogGroup(7, "東京" * 12),)))
    for n in range(20):
        account.store.add({"email": f"wide{n}@example.com", "group_id": 7})
    with IAdvizeClient(account.url, account.api_key) as client:
        board = read_board(client)
    size = os.terminal_size((100, 24))
    frame = _frame(board, None, 2.0, size)
    lines = frame.split("\n")[:-1]

    def columns(line: str) -> int:  # (counted here, not by the code under test)
        text = line.replace("\x1b[K", "").replace("\x1b[H", "")
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1
                   for c in text)

    shown = sum(max(1, -(-columns(line) // size.columns)) for line in lines)
    assert shown <= size.lines - 1, frame  # drawn in full, it scrolled the terminal
    assert "more not shown" in frame
