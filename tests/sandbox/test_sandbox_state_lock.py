"""One sandbox at a time per state file: a second one waits, then starts from what the
first left, or gives up with a clear message. Real processes and threads, real flocks,
loopback HTTP; no sleeps: the tests wait for the messages the waiting side prints."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from rostersync.sandbox import DEMO_OPERATORS, OperatorStore, SandboxStateError, start_sandbox
from rostersync.sandbox.command import sandbox_command
from rostersync.sandbox.runner import LOCK_TIMEOUT_ENV, lock_timeout_from_env

STATE = Path(".rostersync") / "sandbox.json"
WAIT_S = 60  # how long a test waits for a line or a process: only reached when it fails


class Run:
    """A ``rostersync`` subprocess whose output is read as it comes."""

    def __init__(self, *args: str, cwd: Path, env: dict[str, str] | None = None) -> None:
        environment = {key: value for key, value in os.environ.items() if key != LOCK_TIMEOUT_ENV}
        environment["NO_PROXY"] = environment["no_proxy"] = "127.0.0.1"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rostersync", *args], cwd=cwd, env={**environment, **(env or {})},
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._stderr_lines: queue.Queue[str] = queue.Queue()
        assert self.process.stdout is not None and self.process.stderr is not None
        self._readers = [
            threading.Thread(target=self._read, args=(self.process.stdout, self.stdout, None), daemon=True),
            threading.Thread(target=self._read, args=(self.process.stderr, self.stderr, self._stderr_lines),
                             daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream: object, into: list[str], lines: queue.Queue[str] | None) -> None:
        for line in stream:  # type: ignore[attr-defined]
            into.append(line)
            if lines is not None:
                lines.put(line)
        if lines is not None:
            lines.put("")  # end of output

    def wait_for_stderr(self, fragment: str) -> str:
        """Block until a stderr line contains ``fragment``; fail if the output ends first."""
        while True:
            line = self._stderr_lines.get(timeout=WAIT_S)
            if fragment in line:
                return line
            assert line, f"the run ended without printing {fragment!r}: {''.join(self.stderr)}"

    def finish(self) -> int:
        code = self.process.wait(timeout=WAIT_S)
        self._close()
        return code

    def _close(self) -> None:
        for reader in self._readers:
            reader.join(timeout=WAIT_S)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    @property
    def out(self) -> str:
        return "".join(self.stdout)

    @property
    def err(self) -> str:
        return "".join(self.stderr)

    def kill(self) -> None:
        """Clean up after a test: kill the process if it still runs, close its pipes."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=WAIT_S)
        self._close()


@pytest.fixture
def runs() -> Iterator[list[Run]]:
    started: list[Run] = []
    yield started
    for run in started:
        run.kill()


def write_roster(folder: Path, group: int, count: int = 20) -> Path:
    # A group of the sandbox's demo catalog (rostersync.sandbox.catalog), as the roster's groups are
    # checked, and one without demo operators (not 7 or 9), which the roster would delete.
    lines = ["version: 1", f"scope: {{group_id: {group}}}", "operators:"]
    lines += [f"  - {{email: op{n}.g{group}@example.com, first_name: Op{n}, group: {group}}}"
              for n in range(count)]
    path = folder / f"team-{group}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- in one process

def test_a_second_store_waits_then_gives_up_with_the_holders_pid(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    messages: list[str] = []
    with OperatorStore(state) as first:
        first.add({"email": "kept@example.com"})
        with pytest.raises(SandboxStateError) as refused:
            OperatorStore(state, lock_timeout=0.2, on_wait=messages.append)
    assert messages == [f"Another rostersync sandbox run (pid {os.getpid()}) is using {state}; "
                        f"waiting up to 0.2 s for it to finish…"]
    assert str(refused.value).startswith(f"Another rostersync sandbox run (pid {os.getpid()}) is still "
                                         f"using {state}: gave up after 0.2 s.")
    assert LOCK_TIMEOUT_ENV in str(refused.value)
    with OperatorStore(state, lock_timeout=0) as second:  # free again once the first closed
        assert [operator["email"] for operator in second.list()] == ["kept@example.com"]


def test_a_waiting_store_starts_from_what_the_first_left(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    first = OperatorStore(state)
    first.add({"email": "before@example.com"})
    waiting = threading.Event()
    opened: list[OperatorStore] = []
    second_thread = threading.Thread(target=lambda: opened.append(
        OperatorStore(state, lock_timeout=WAIT_S, on_wait=lambda message: waiting.set())))
    second_thread.start()
    assert waiting.wait(WAIT_S), "the second store never said it was waiting"
    first.add({"email": "while-the-other-waits@example.com"})
    first.close()
    second_thread.join(WAIT_S)
    with opened[0] as second:
        assert sorted(operator["email"] for operator in second.list()) == [
            "before@example.com", "while-the-other-waits@example.com"]
        assert second.add({"email": "after@example.com"}) == 1003, "ids continue, never reused"


def test_a_sandbox_that_cannot_bind_releases_the_state(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    with start_sandbox() as taken, pytest.raises(OSError):
        start_sandbox(port=taken.port, state_path=state)
    with start_sandbox(state_path=state, lock_timeout=0):
        pass


def test_stop_releases_the_state(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    sandbox = start_sandbox(state_path=state, demo=True)
    with pytest.raises(SandboxStateError, match="gave up after 0 s"):
        start_sandbox(state_path=state, lock_timeout=0, on_wait=lambda message: None)
    sandbox.stop()
    with start_sandbox(state_path=state, lock_timeout=0) as again:
        assert len(again.store) == len(DEMO_OPERATORS)


def test_writing_to_a_closed_store_is_refused(tmp_path: Path) -> None:
    store = OperatorStore(tmp_path / "sandbox.json")
    store.add({"email": "a@example.com"})
    store.close()
    store.close()  # idempotent
    assert len(store) == 1, "reading still works"
    with pytest.raises(RuntimeError, match="closed"):
        store.add({"email": "b@example.com"})
    with OperatorStore(tmp_path / "sandbox.json", lock_timeout=0) as reopened:
        assert len(reopened) == 1


@pytest.mark.parametrize(("value", "seconds"), [(None, 60.0), ("", 60.0), ("0", 0.0), (" 2.5 ", 2.5)])
def test_lock_timeout_from_the_environment(value: str | None, seconds: float) -> None:
    environ = {} if value is None else {LOCK_TIMEOUT_ENV: value}
    assert lock_timeout_from_env(environ) == seconds


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf"])
def test_a_bad_lock_timeout_is_a_clear_error(value: str) -> None:
    with pytest.raises(SandboxStateError, match=f"{LOCK_TIMEOUT_ENV} must be a number of seconds"):
        lock_timeout_from_env({LOCK_TIMEOUT_ENV: value})


def test_rostersync_sandbox_on_a_busy_state_gives_up_cleanly(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with OperatorStore(state):
        result = CliRunner().invoke(sandbox_command, ["--port", "0", "--state", str(state)],
                                    env={LOCK_TIMEOUT_ENV: "0.1"})
    assert result.exit_code == 1
    assert f"is using {state}; waiting up to 0.1 s" in result.output
    assert "gave up after 0.1 s" in result.output
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- real CLI runs

@pytest.mark.parametrize("same_roster", [False, True], ids=["two-teams", "same-roster"])
def test_two_concurrent_applies_in_one_folder_keep_every_write(tmp_path: Path, runs: list[Run],
                                                                same_roster: bool) -> None:
    first_roster = write_roster(tmp_path, 8)
    second_roster = first_roster if same_roster else write_roster(tmp_path, 4)
    # The test holds the lock while both start, so that both really contend for it.
    holder = OperatorStore(tmp_path / STATE)
    for roster in (first_roster, second_roster):
        runs.append(Run("apply", "--sandbox", "--yes", roster.name, cwd=tmp_path))
    for run in runs:
        line = run.wait_for_stderr("waiting up to")
        assert f"(pid {os.getpid()}) is using {STATE}; waiting up to 60 s for it to finish…" in line
    holder.close()
    assert [run.finish() for run in runs] == [0, 0], [run.err for run in runs]
    for run in runs:
        assert "Traceback" not in run.err

    outputs = sorted((run.out for run in runs), key=lambda out: "No changes." in out)
    with OperatorStore(tmp_path / STATE, lock_timeout=0) as result:
        emails = {operator["email"] for operator in result.list()}
        ids = result.ids()
    assert len(ids) == len(set(ids))
    if same_roster:  # the second run planned from the first one's result: nothing left to do
        assert "Apply complete: 20 created, 0 updated, 0 deleted." in outputs[0]
        assert "No changes." in outputs[1]
        assert len(emails) == len(DEMO_OPERATORS) + 20
    else:
        assert all("Apply complete: 20 created, 0 updated, 0 deleted." in out for out in outputs)
        assert len(emails) == len(DEMO_OPERATORS) + 40
        assert {f"op{n}.g{g}@example.com" for n in range(20) for g in (8, 4)} <= emails

    check = Run("plan", "--sandbox", "--detailed-exitcode", first_roster.name, cwd=tmp_path)
    runs.append(check)
    assert check.finish() == 0, check.out + check.err
    assert "No changes." in check.out


def test_a_cli_run_that_cannot_get_the_state_gives_up_with_a_message(tmp_path: Path, runs: list[Run]) -> None:
    roster = write_roster(tmp_path, 8, count=1)
    with OperatorStore(tmp_path / STATE):
        run = Run("plan", "--sandbox", roster.name, cwd=tmp_path, env={LOCK_TIMEOUT_ENV: "0.3"})
        runs.append(run)
        assert run.finish() == 1
    assert f"Another rostersync sandbox run (pid {os.getpid()}) is using {STATE}; waiting up to 0.3 s" in run.err
    assert f"Error: Another rostersync sandbox run (pid {os.getpid()}) is still using {STATE}: gave up " \
           f"after 0.3 s." in run.err
    assert "Traceback" not in run.err
    assert run.out == ""
