"""`live set` and `live logout` against the sandbox, as a supervisor runs them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from terminal_support import Terminal

from rostersync.cli.main import cli
from rostersync.sandbox import Sandbox

LIVE_PUT = "PUT /operator/{id}/live"


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def available(account: Sandbox, operator_id: int) -> dict[str, Any]:
    """``{"connected": bool, "chat": bool, "call": bool, "video": bool}`` now."""
    live = account.store.live(operator_id)
    return {"connected": live["connected"], **{channel: live[channel]["available"]
                                                for channel in ("chat", "call", "video")}}


def puts(account: Sandbox) -> int:
    return account.request_counts().get(LIVE_PUT, 0)


# ---------------------------------------------------------------- live set

def test_set_shows_the_plan_then_makes_it(account: Sandbox, team: dict[str, int], roster: Path) -> None:
    result = run("live", "set", str(roster), "--chat", "off", "--yes")
    ada, bob = team["ada@example.com"], team["bob@example.com"]
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"~ ada@example.com (#{ada}): connected, available for chat and call\n"
        "    chat: available -> unavailable\n"
        f"~ bob@example.com (#{bob}): connected, available for chat\n"
        "    chat: available -> unavailable\n"
        "\n"
        "Plan: 2 to change, 3 already so.\n"
        f"~ ada@example.com (#{ada}): ok: unavailable for chat\n"
        f"~ bob@example.com (#{bob}): ok: unavailable for chat\n"
        "Done: 2 changed.\n"
    )
    assert available(account, ada) == {"connected": True, "chat": False, "call": True, "video": False}
    assert available(account, bob) == {"connected": True, "chat": False, "call": False, "video": False}
    # Out of the roster's scope, though the roster names it: untouched.
    assert available(account, team["out@example.com"])["chat"] is True
    assert puts(account) == 2
    assert ("Not on the account in the roster's scope (not applied yet?), so left out: "
            "later@example.com, out@example.com.") in result.stderr


def test_set_again_sends_nothing(account: Sandbox, team: dict[str, int], roster: Path) -> None:
    assert run("live", "set", str(roster), "--chat", "off", "--yes").exit_code == 0
    account.reset_counts()
    again = run("live", "set", str(roster), "--chat", "off", "--yes")
    assert again.exit_code == 0
    assert again.stdout == "No changes: every chosen operator (5) is already so.\n"
    assert puts(account) == 0


def test_several_channels_and_globs(account: Sandbox, team: dict[str, int]) -> None:
    result = run("live", "set", "--only", "CLEO@*", "--only", "d*", "--only", "nobody@*",
                 "--chat", "on", "--call", "off", "--yes")
    cleo, dan = team["cleo@example.com"], team["dan@example.com"]
    assert result.exit_code == 0, result.output
    assert f"~ cleo@example.com (#{cleo}): connected, unavailable\n    chat: unavailable -> available\n" \
        in result.stdout
    # Made available, dan is connected: the plan says so before anyone says yes.
    assert (f"~ dan@example.com (#{dan}): offline\n"
            "    chat: unavailable -> available (offline now: this connects the operator)\n") in result.stdout
    assert "call:" not in result.stdout  # neither is available for calls: nothing to switch off
    assert "No operator matches --only 'nobody@*'." in result.stderr
    assert available(account, cleo)["chat"] and available(account, dan) == {
        "connected": True, "chat": True, "call": False, "video": False}
    assert puts(account) == 2


def test_roster_and_globs_together_choose_the_roster_operators_matching_a_glob(
        account: Sandbox, team: dict[str, int], roster: Path) -> None:
    # new@ matches the glob but is not in the roster; out@ is in neither scope.
    result = run("live", "set", str(roster), "--only", "*@example.com", "--only", "new@*", "--chat", "off", "--yes")
    assert result.exit_code == 0
    changed = {line.split()[1] for line in result.stdout.splitlines() if ": ok: " in line}
    assert changed == {"ada@example.com", "bob@example.com"}
    assert "No operator matches --only 'new@*'." in result.stderr


def test_refused_without_a_terminal_and_without_yes(account: Sandbox, team: dict[str, int], roster: Path) -> None:
    result = run("live", "set", str(roster), "--chat", "off")
    assert result.exit_code == 1
    assert "Plan: 2 to change, 3 already so.\n" in result.stdout
    assert result.stderr.endswith(
        "Refusing to change availability: there is no terminal to confirm on. "
        "Review the plan above and pass --yes to make the changes without asking.\n")
    assert puts(account) == 0
    assert available(account, team["ada@example.com"])["chat"] is True


def test_a_change_the_api_refuses_fails_alone(account: Sandbox, team: dict[str, int], roster: Path) -> None:
    """eve has no chat channel: the API refuses to make her available for chat."""
    result = run("live", "set", str(roster), "--chat", "on", "--yes")
    cleo, dan, eve = team["cleo@example.com"], team["dan@example.com"], team["eve@example.com"]
    assert result.exit_code == 1
    assert (f"~ eve@example.com (#{eve}): connected, available for call\n"
            "    chat: unavailable -> available (the chat channel is not enabled for this operator)\n") in result.stdout
    assert f"~ cleo@example.com (#{cleo}): ok: available for chat\n" in result.stdout
    assert f"~ dan@example.com (#{dan}): ok: available for chat\n" in result.stdout
    outcomes = result.stdout.split("Plan: 3 to change, 2 already so.\n")[1]
    eve_line = next(line for line in outcomes.splitlines() if line.startswith(f"~ eve@example.com (#{eve}): "))
    assert eve_line.startswith(f"~ eve@example.com (#{eve}): failed: ")
    assert "the chat channel is not enabled for this operator" in eve_line
    assert result.stdout.endswith("Done: 2 changed, 1 failed.\n")
    assert available(account, cleo)["chat"] and available(account, dan)["chat"]
    assert not available(account, eve)["chat"]


@pytest.mark.parametrize("args,message", [
    (["live", "set", "--only", "*"], "Say what to set: --chat, --call and/or --video, each on or off."),
    (["live", "set", "--chat", "off"], "Choose the operators: give a ROSTER, --only GLOB, or both"),
    (["live", "logout"], "Choose the operators: give a ROSTER, --only GLOB, or both"),
    (["live", "set", "--only", "*", "--chat", "maybe"], "'maybe' is not one of 'on', 'off'"),
])
def test_usage_errors_send_nothing(account: Sandbox, team: dict[str, int], args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 64  # EX_USAGE
    assert message in result.stderr
    assert account.request_counts() == {}


def test_nothing_chosen_is_an_error(account: Sandbox, team: dict[str, int]) -> None:
    result = run("live", "logout", "--only", "nobody@*", "--yes")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "No operator matches --only 'nobody@*'.\nNo operator is chosen; nothing was sent.\n" in result.stderr


# ---------------------------------------------------------------- live logout

def test_logout(account: Sandbox, team: dict[str, int], roster: Path) -> None:
    result = run("live", "logout", str(roster), "--yes")
    ada, bob, cleo, eve = (team[f"{name}@example.com"] for name in ("ada", "bob", "cleo", "eve"))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"- log out ada@example.com (#{ada}): connected, available for chat and call\n"
        f"- log out bob@example.com (#{bob}): connected, available for chat\n"
        f"- log out cleo@example.com (#{cleo}): connected, unavailable\n"
        f"- log out eve@example.com (#{eve}): connected, available for call\n"
        "\n"
        "Plan: 4 to log out, 1 already offline.\n"
        f"- ada@example.com (#{ada}): ok: logged out\n"
        f"- bob@example.com (#{bob}): ok: logged out\n"
        f"- cleo@example.com (#{cleo}): ok: logged out\n"
        f"- eve@example.com (#{eve}): ok: logged out\n"
        "Done: 4 logged out.\n"
    )
    for email in ("ada", "bob", "cleo", "eve"):
        assert available(account, team[f"{email}@example.com"]) == {
            "connected": False, "chat": False, "call": False, "video": False}
    assert available(account, team["out@example.com"])["connected"] is True
    again = run("live", "logout", str(roster), "--yes")
    assert again.stdout == "No changes: every chosen operator (5) is already offline.\n"


def test_logout_of_someone_who_never_logged_in_sends_nothing(account: Sandbox, team: dict[str, int]) -> None:
    result = run("live", "logout", "--only", "new@example.com")
    assert result.exit_code == 0
    assert result.stdout == "No changes: every chosen operator (1) is already offline.\n"
    assert puts(account) == 0


def test_logout_refused_without_a_terminal(account: Sandbox, team: dict[str, int]) -> None:
    result = run("live", "logout", "--only", "*")
    assert result.exit_code == 1
    assert "Plan: 5 to log out, 2 already offline.\n" in result.stdout
    assert "Refusing to change availability: there is no terminal to confirm on." in result.stderr
    assert puts(account) == 0


# ---------------------------------------------------------------- on a terminal

def test_confirmed_on_a_terminal(account: Sandbox, team: dict[str, int], roster: Path,
                                 terminals: list[Terminal]) -> None:
    terminal = Terminal("live", "set", str(roster), "--chat", "off", cwd=roster.parent)
    terminals.append(terminal)
    shown = terminal.wait_for("Change the availability of 2 operators? [y/N]: ")
    assert "Plan: 2 to change, 3 already so." in shown
    assert puts(account) == 0  # nothing before the answer
    terminal.type("y\n")
    assert terminal.finish() == 0
    assert "Done: 2 changed." in terminal.output
    # Progress goes to a terminal's stderr, one line per change.
    assert f"[2/2] ~ bob@example.com (#{team['bob@example.com']}): ok: unavailable for chat" in terminal.output \
        or f"[2/2] ~ ada@example.com (#{team['ada@example.com']}): ok: unavailable for chat" in terminal.output
    assert not available(account, team["ada@example.com"])["chat"]


def test_declined_on_a_terminal(account: Sandbox, team: dict[str, int], tmp_path: Path,
                                terminals: list[Terminal]) -> None:
    terminal = Terminal("live", "logout", "--only", "a*", cwd=tmp_path)
    terminals.append(terminal)
    terminal.wait_for("Log out 1 operator? [y/N]: ")
    terminal.type("n\n")
    assert terminal.finish() == 1
    assert "Nothing was changed." in terminal.output
    assert puts(account) == 0
    assert available(account, team["ada@example.com"])["connected"] is True


def test_an_operator_deleted_while_the_question_waits(account: Sandbox, team: dict[str, int], tmp_path: Path,
                                                      terminals: list[Terminal]) -> None:
    terminal = Terminal("live", "set", "--only", "ada@*", "--only", "bob@*", "--chat", "off", cwd=tmp_path)
    terminals.append(terminal)
    terminal.wait_for("[y/N]: ")
    ada, bob = team["ada@example.com"], team["bob@example.com"]
    account.store.delete(ada)
    terminal.type("y\n")
    assert terminal.finish() == 1
    assert (f"~ ada@example.com (#{ada}): failed: operator #{ada} no longer exists "
            "(deleted since the plan was read?)") in terminal.output
    assert f"~ bob@example.com (#{bob}): ok: unavailable for chat" in terminal.output
    assert "Done: 1 changed, 1 failed." in terminal.output
