"""A command run in a pseudo-terminal: what a person at a terminal sees, and types.

``CliRunner`` has no terminal, so the paths that need one (confirming a change,
``status --watch``) run ``python -m rostersync`` in a real pty, against the test's
sandbox over loopback. Waiting is for output to appear (``select`` with a deadline),
never a fixed sleep.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from taken_stop import StopNotes

DEADLINE_S = 30.0


class Terminal:
    def __init__(self, *args: str, cwd: Path, notes: StopNotes | None = None) -> None:
        """``notes``: the process says there when it has taken a Ctrl-C (tests/taken_stop.py)."""
        master, slave = os.openpty()
        command = notes.command(*args) if notes else [sys.executable, "-m", "rostersync", *args]
        self.process = subprocess.Popen(
            command, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, start_new_session=True, close_fds=True,
            env=notes.env() if notes else None, pass_fds=notes.pass_fds if notes else ())
        os.close(slave)
        if notes:
            notes.started()
        self._master = master
        self._raw = ""
        self._closed = False

    @property
    def output(self) -> str:
        """Everything shown so far, line ends as Python wrote them."""
        return self._raw.replace("\r\n", "\n")

    def _read_some(self, timeout: float) -> bool:
        """Read what is there within ``timeout``; False at the end of the output."""
        ready, _, _ = select.select([self._master], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self._master, 65536)
        except OSError:  # EIO: the other side is closed
            chunk = b""
        if not chunk:
            self._closed = True
            return False
        self._raw += chunk.decode("utf-8", errors="replace")
        return True

    def wait_for(self, text: str, *, count: int = 1) -> str:
        """Read until ``text`` has been shown ``count`` times; return the output."""
        deadline = time.monotonic() + DEADLINE_S
        while self.output.count(text) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closed or not self._read_some(remaining):
                raise AssertionError(f"{text!r} was not shown {count} time(s); the terminal shows:\n{self.output}")
        return self.output

    def type(self, text: str) -> None:
        os.write(self._master, text.encode())

    def interrupt(self) -> None:
        """What Ctrl-C does to the command in the foreground."""
        self.process.send_signal(signal.SIGINT)

    def finish(self) -> int:
        """Read to the end; the exit status."""
        deadline = time.monotonic() + DEADLINE_S
        while not self._closed and time.monotonic() < deadline:
            self._read_some(deadline - time.monotonic())
        os.close(self._master)
        return self.process.wait(timeout=DEADLINE_S)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
