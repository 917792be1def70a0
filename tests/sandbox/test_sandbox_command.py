"""``rostersync sandbox``: options through CliRunner, serving in a real subprocess."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from rostersync.sandbox import FaultConfig
from rostersync.sandbox.command import fault_config_from_options, sandbox_command

BANNER = re.compile(r"^Sandbox serving (http://127\.0\.0\.1:\d+/api/2) \(API key: (.+)\) "
                    r"— Ctrl-C to stop$")
LAUNCH = ("import sys; from rostersync.sandbox.command import sandbox_command; "
          "sandbox_command(prog_name='rostersync sandbox')")


def test_help_shows_every_option() -> None:
    result = CliRunner().invoke(sandbox_command, ["--help"], catch_exceptions=False)
    assert result.exit_code == 0
    for option in ("--port", "--host", "--state", "--api-key", "--demo", "--seed",
                   "--latency-ms", "--error-rate", "--rate-limit", "--drop-rate",
                   "ROSTERSYNC_SANDBOX_KEY"):
        assert option in result.output


@pytest.mark.parametrize("args,fragment", [
    (["--error-rate", "1.5"], "--error-rate"),
    (["--drop-rate", "-0.1"], "--drop-rate"),
    (["--rate-limit", "0"], "--rate-limit"),
    (["--latency-ms", "-3"], "--latency-ms"),
    (["--port", "70000"], "--port"),
    (["--api-key", ""], "--api-key"),
])
def test_bad_options_exit_2_without_serving(args: list[str], fragment: str) -> None:
    result = CliRunner().invoke(sandbox_command, args)
    assert result.exit_code == 2
    assert fragment in result.output


def test_fault_options_make_a_fault_config() -> None:
    assert fault_config_from_options(seed=3, latency_ms=5.0, error_rate=0.1, rate_limit=20.0,
                                     drop_rate=0.2) == FaultConfig(
        latency_ms=5.0, error_rate=0.1, rate_limit=20.0, drop_rate=0.2, seed=3)


def test_unreadable_state_is_a_clean_error(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text("garbage", encoding="utf-8")
    result = CliRunner().invoke(sandbox_command, ["--port", "0", "--state", str(state)])
    assert result.exit_code == 1
    assert "Cannot read sandbox state" in result.output
    assert "Traceback" not in result.output


class Served:
    def __init__(self, process: subprocess.Popen[str], url: str, key_source: str) -> None:
        self.process, self.url, self.key_source = process, url, key_source


def launch(*args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "--port", "0", *args],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **(env or {})},
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: lines.put(process.stderr.readline() if
                                                        process.stderr else ""), daemon=True)
    reader.start()
    try:
        banner = lines.get(timeout=30).rstrip("\n")
        match = BANNER.match(banner)
        assert match, f"unexpected banner: {banner!r}"
        yield Served(process, match.group(1), match.group(2))
    finally:
        if process.returncode is None:  # the test did not wait for it: clean up
            process.kill()
            process.communicate(timeout=30)


@pytest.fixture
def served_demo(tmp_path: Path) -> Iterator[Served]:
    yield from launch("--demo", "--state", str(tmp_path / "state.json"),
                      env={"ROSTERSYNC_SANDBOX_KEY": "env-secret-key"})


def test_serves_until_ctrl_c_then_exits_0(served_demo: Served, tmp_path: Path) -> None:
    response = requests.get(f"{served_demo.url}/operator", timeout=10,
                            headers={"X-API-Key": "env-secret-key"})
    assert response.status_code == 200
    assert response.json()["pagination"]["count"] == 10
    assert served_demo.key_source == "given by ROSTERSYNC_SANDBOX_KEY"

    served_demo.process.send_signal(signal.SIGINT)
    _, stderr = served_demo.process.communicate(timeout=30)
    assert served_demo.process.returncode == 0
    assert "Traceback" not in stderr
    assert "env-secret-key" not in stderr
    assert (tmp_path / "state.json").exists()


def test_sigterm_also_stops_cleanly() -> None:
    for served in launch("--api-key", "cli-key", "--error-rate", "1", "--seed", "1"):
        assert served.key_source == "given by --api-key"
        response = requests.get(f"{served.url}/operator", headers={"X-API-Key": "cli-key"},
                                timeout=10)
        assert response.status_code == 503
        served.process.send_signal(signal.SIGTERM)
        _, stderr = served.process.communicate(timeout=30)
        assert served.process.returncode == 0
        assert "cli-key" not in stderr
