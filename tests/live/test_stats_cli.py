"""`stats` against the sandbox: every format, progress on stderr, results on stdout."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from taken_stop import HeldCall, StopNotes
from terminal_support import Terminal

from rostersync.cli.main import cli
from rostersync.render.stats import CSV_COLUMNS
from rostersync.sandbox import Sandbox

ROSTER_EMAILS = ["ada@example.com", "bob@example.com", "cleo@example.com", "dan@example.com", "eve@example.com"]


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def expected(account: Sandbox, operator_id: int) -> dict[str, Any]:
    """What the sandbox serves for the operator, statistic and profile together."""
    statistic, profile = account.store.statistic(operator_id), account.store.profile(operator_id)
    return {**{key: statistic[key] for key in ("conversation_number", "satisfaction_global_rate", "experience")},
            **{key: profile[key] for key in ("status", "description", "facebook", "twitter", "city", "country")}}


def test_json_holds_statistic_and_profile_of_the_roster_operators(account: Sandbox, team: dict[str, int],
                                                                  roster: Path) -> None:
    result = run("stats", str(roster), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # stdout holds the result alone
    assert [row["email"] for row in data["operators"]] == ROSTER_EMAILS
    assert data["not_read"] == [] and data["interrupted"] is False
    for row in data["operators"]:
        assert row["errors"] == []
        assert row["id"] == team[row["email"]]
        assert {**row["statistic"], **row["profile"]} == expected(account, row["id"])
        assert row["profile"]["twitter"]
    assert account.request_counts()["GET /operator/{id}/statistic"] == 5
    assert account.request_counts()["GET /operator/{id}/profile"] == 5
    assert "Reading the statistics and profiles of 5 operators ..." in result.stderr


def test_roster_operators_not_on_the_account_are_named_as_live_names_them(
        account: Sandbox, team: dict[str, int], roster: Path) -> None:
    """stats once said only "2 operators of the roster are not on the account." ("1 operators ... are")."""
    result = run("stats", str(roster), "--format", "csv")
    assert result.exit_code == 0
    assert ("Not on the account in the roster's scope (not applied yet?), so left out: "
            "later@example.com, out@example.com.\n") in result.stderr
    assert "later@example.com" not in result.stdout


def test_csv(account: Sandbox, team: dict[str, int]) -> None:
    result = run("stats", "--only", "a*", "--only", "b*", "--format", "csv", "--parallelism", "1")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [row["email"] for row in rows] == ["ada@example.com", "bob@example.com"]
    for row in rows:
        want = expected(account, int(row["id"]))
        assert int(row["conversation_number"]) == want["conversation_number"]
        assert float(row["satisfaction_global_rate"]) == want["satisfaction_global_rate"]
        assert int(row["experience"]) == want["experience"]
        assert {key: row[key] for key in ("status", "description", "facebook", "twitter", "city", "country")} == {
            key: want[key] for key in ("status", "description", "facebook", "twitter", "city", "country")}
        assert row["error"] == ""


def test_text_table(account: Sandbox, team: dict[str, int]) -> None:
    result = run("stats", "--only", "ada@example.com", "-q")
    assert result.exit_code == 0
    want = expected(account, team["ada@example.com"])
    header, row, blank, total = result.stdout.splitlines()
    assert header.split() == ["OPERATOR", "CONVERSATIONS", "SATISFACTION", "EXPERIENCE", "CITY", "COUNTRY"]
    assert row.split()[:4] == ["ada@example.com", f"{want['conversation_number']:,}",
                               f"{want['satisfaction_global_rate'] * 100:.0f}%", f"{want['experience']:,}"]
    assert want["city"] in row and want["country"] in row
    assert blank == ""
    assert total == f"1 operator, {want['conversation_number']:,} conversations."
    assert result.stderr == ""  # -q: no progress


def test_every_operator_without_a_roster_or_glob(account: Sandbox, team: dict[str, int]) -> None:
    data = json.loads(run("stats", "--format", "json").stdout)
    assert sorted(row["email"] for row in data["operators"]) == sorted(team)


def test_a_glob_matching_nobody(account: Sandbox, team: dict[str, int]) -> None:
    result = run("stats", "--only", "nobody@*", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout == ",".join(CSV_COLUMNS) + "\n"
    assert "No operator matches --only 'nobody@*'." in result.stderr


@pytest.mark.parametrize("output_format", ["text", "csv", "json"])
def test_a_failed_read_is_reported_in_its_row_and_exits_1(account: Sandbox, team: dict[str, int],
                                                          monkeypatch: pytest.MonkeyPatch, output_format: str) -> None:
    """The account loses bob's statistic (a 404 the sandbox is made to give): the others are read."""
    from rostersync.sandbox.store import OperatorNotFound

    bob = team["bob@example.com"]
    statistic = account.store.statistic

    def losing_bob(operator_id: int) -> dict[str, Any]:
        if operator_id == bob:
            raise OperatorNotFound(operator_id)
        return statistic(operator_id)

    monkeypatch.setattr(account.store, "statistic", losing_bob)
    result = run("stats", "--only", "ada@*", "--only", "bob@*", "--format", output_format)
    assert result.exit_code == 1
    assert "1 operator could not be read in full: the output says why." in result.stderr
    if output_format == "json":
        rows = {row["email"]: row for row in json.loads(result.stdout)["operators"]}
        assert rows["ada@example.com"]["errors"] == []
        assert rows["bob@example.com"]["statistic"] is None
        assert rows["bob@example.com"]["profile"]["twitter"] == f"operator{bob}"  # read all the same
        assert rows["bob@example.com"]["errors"][0].startswith(f"statistic: get statistic of operator {bob}")
    elif output_format == "csv":
        rows = {row["email"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
        assert rows["ada@example.com"]["error"] == ""
        assert rows["bob@example.com"]["conversation_number"] == ""
        assert "Unknown 'operator' with 'id'" in rows["bob@example.com"]["error"]
    else:
        assert f"! bob@example.com: statistic: get statistic of operator {bob}" in result.stdout
        assert "2 operators, " in result.stdout and "; 1 could not be read in full." in result.stdout


def test_values_from_the_api_never_reach_the_terminal_raw(account: Sandbox, team: dict[str, int],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """An operator writes their own profile status; an escape sequence in it is shown escaped."""
    profile = account.store.profile

    def hostile(operator_id: int) -> dict[str, Any]:
        return {**profile(operator_id), "status": "=HYPERLINK(\"x\")\x1b[2J\u202e", "city": "Nan\rtes\x9b"}

    monkeypatch.setattr(account.store, "profile", hostile)
    text = run("stats", "--only", "ada@*").stdout
    assert "Nan\\rtes\\x9b" in text
    csv_out = run("stats", "--only", "ada@*", "--format", "csv").stdout
    row = next(csv.DictReader(io.StringIO(csv_out)))
    assert row["status"] == "'=HYPERLINK(\"x\")\\x1b[2J\\u202e"  # escaped, and no formula
    json_out = run("stats", "--only", "ada@*", "--format", "json").stdout
    assert json.loads(json_out)["operators"][0]["profile"]["status"] == "=HYPERLINK(\"x\")\x1b[2J\u202e"
    for output in (text, csv_out, json_out):
        assert not any(char in output for char in "\x1b\r\x9b\u202e")


def test_invisible_characters_from_the_api_are_shown_in_every_command(account: Sandbox, team: dict[str, int],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A zero-width space, a byte-order mark, a soft hyphen: the new commands once let
    through what plan and status escape (they had an escaper of their own)."""
    ada = team["ada@example.com"]
    account.store._fields[ada]["email"] = "ad\u200ba@example.com"
    profile = account.store.profile
    monkeypatch.setattr(account.store, "profile",
                        lambda operator_id: {**profile(operator_id), "city": "Nan\ufefftes", "status": "s\u00adt"})
    shown = "ad\\u200ba@example.com"
    outputs = [run("stats", "--only", "ad*"), run("stats", "--only", "ad*", "--format", "csv"),
               run("stats", "--only", "ad*", "--format", "json"), run("live", "set", "--only", "ad*", "--chat", "off")]
    for result in outputs:
        assert not any(char in result.output for char in "\u200b\ufeff\u00ad"), result.output
    assert shown in outputs[0].stdout and "Nan\\ufefftes" in outputs[0].stdout
    assert "s\\xadt" in outputs[1].stdout
    assert json.loads(outputs[2].stdout)["operators"][0]["profile"]["city"] == "Nan\ufefftes"
    assert f"~ {shown} (#{ada}): " in outputs[3].stdout


def test_interrupted_on_a_terminal_the_results_start_a_line_of_their_own(
        account: Sandbox, team: dict[str, int], tmp_path: Path, terminals: list[Terminal],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The count of reads is redrawn in place on stderr, the same terminal as the table:
    after Ctrl-C, its line is ended before the table (it once began "[1/7] readOPERATOR").

    The second operator's read is held in the sandbox until the command has taken the
    Ctrl-C (a latency once stood for "still reading": on a busy machine every read could
    be done before the signal was handled, and nothing was interrupted)."""
    second_read = HeldCall(monkeypatch, account.store, "profile", 2)
    notes = StopNotes()
    terminal = Terminal("stats", "--parallelism", "1", cwd=tmp_path, notes=notes)
    terminals.append(terminal)
    try:
        terminal.wait_for("[1/7] read")
        second_read.wait_reached()
        terminal.interrupt()
        notes.wait()
    finally:
        second_read.release()
        notes.close()
    assert terminal.finish() == 130
    lines = terminal.output.split("\n")
    assert any(line.startswith("OPERATOR ") for line in lines), terminal.output
    assert "Interrupted: 2 read, 5 not read." in lines, terminal.output
    assert "Traceback" not in terminal.output
