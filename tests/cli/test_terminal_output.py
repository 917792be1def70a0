"""At the terminal: colour by the no-color and force-color conventions, and apply's
progress on one line, each outcome printed once."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_plan_apply_cli import run, seeded

sys.path.insert(0, str(Path(__file__).parents[1] / "live"))
from terminal_support import Terminal

from rostersync.cli.terminal import Progress, duration, progress_text, use_color
from rostersync.sandbox import Sandbox

ESC = "\x1b["


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("choice", "environ", "tty", "expected"), [
    ("auto", {}, True, True),
    ("auto", {}, False, False),
    ("auto", {"NO_COLOR": "1"}, True, False),
    ("auto", {"NO_COLOR": ""}, True, True),             # empty NO_COLOR: as if unset (no-color.org)
    ("auto", {"FORCE_COLOR": "1"}, False, True),
    ("auto", {"FORCE_COLOR": ""}, False, False),
    ("auto", {"FORCE_COLOR": "0"}, True, False),
    ("auto", {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, True),
    ("always", {"NO_COLOR": "1"}, False, True),
    ("never", {"FORCE_COLOR": "1"}, True, False),
])
def test_colour_rules(choice: str, environ: dict[str, str], tty: bool, expected: bool) -> None:
    stream = FakeTerminal() if tty else io.StringIO()
    assert use_color(choice, stream, environ) is expected  # type: ignore[arg-type]


def test_the_plan_is_coloured_when_forced_and_not_otherwise(account: Sandbox, runner: CliRunner, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    roster = seeded(account, tmp_path)
    assert ESC not in run(runner, "plan", "-q", str(roster)).stdout  # not a terminal
    assert ESC in run(runner, "plan", "-q", "--color", "always", str(roster)).stdout
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert ESC in run(runner, "plan", "-q", str(roster)).stdout
    assert ESC not in run(runner, "plan", "-q", "--no-color", str(roster)).stdout
    assert ESC not in run(runner, "plan", "-q", "--color", "never", str(roster)).stdout
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("NO_COLOR", "1")
    assert ESC not in run(runner, "plan", "-q", str(roster)).stdout
    assert ESC in run(runner, "plan", "-q", "--color", "always", str(roster)).stdout


@pytest.mark.parametrize(("done", "total", "failed", "elapsed", "text"), [
    (0, 300, 0, 0.2, "[0/300] 0s elapsed"),
    (12, 300, 0, 5.0, "[12/300] 5s elapsed, about 2m00s left"),
    (150, 300, 2, 65.0, "[150/300, 2 failed] 1m05s elapsed, about 1m05s left"),
    (300, 300, 0, 7300.0, "[300/300] 2h01m elapsed, about 0s left"),
])
def test_progress_text(done: int, total: int, failed: int, elapsed: float, text: str) -> None:
    assert progress_text(done, total, failed, elapsed) == text


def test_duration() -> None:
    assert [duration(s) for s in (0, 59.4, 60, 3599, 3600)] == ["0s", "59s", "1m00s", "59m59s", "1h00m"]


def test_the_progress_line_is_rewritten_in_place_and_cleared(capsys: pytest.CaptureFixture[str]) -> None:
    ticks = iter([0.0, 1.0, 2.0])
    progress = Progress(2, enabled=True, clock=lambda: next(ticks))
    progress.step()
    progress.step(failed=True)
    progress.clear()
    err = capsys.readouterr().err
    assert err == ("\r[1/2] 1s elapsed, about 1s left"
                   "\r[2/2, 1 failed] 2s elapsed, about 0s left"
                   "\r" + " " * len("[2/2, 1 failed] 2s elapsed, about 0s left") + "\r")
    assert "\n" not in err


def test_at_a_terminal_each_outcome_is_printed_once(account: Sandbox, tmp_path: Path) -> None:
    roster = seeded(account, tmp_path)
    terminal = Terminal("apply", "--yes", "--no-color", str(roster), cwd=tmp_path)
    try:
        status = terminal.finish()
    finally:
        terminal.kill()
    shown = terminal.output
    assert status == 0, shown
    for outcome in (": ok: created #", ": ok: updated #", ": ok: deleted #"):
        assert shown.count(outcome) == 1, shown
    assert "[3/3] " in shown  # the progress line was drawn, then written over by the report
    assert "Apply complete: 1 created, 1 updated, 1 deleted." in shown
