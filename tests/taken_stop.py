"""A real ``rostersync`` process interrupted while a call of it is held in the sandbox,
and released only once the process has taken the interruption.

Sending SIGINT or SIGTERM says nothing of when the process acts on it. A test that
lets the process go on meanwhile (a latency, say, so that "a write is in flight")
depends on how fast the machine is: on a busy one, every remaining change may be made
before the signal is handled. Instead the test holds one call in the sandbox
(``HeldCall``), sends the signal, waits for the process to say that its stop is set
(``StopNotes``), then lets the held call finish: exactly it finishes, and no other
starts, on every run.

Run as a script, this module is ``python -m rostersync ARGS`` with two notes added,
written to the file descriptor named by ``ROSTERSYNC_TEST_STOP_NOTE_FD`` once:

- a SIGTERM handler that rostersync installed (apply's or live's, which sets its stop
  event) has run;
- the stop event of a bounded run (``stats``; where Ctrl-C lands) is set.

Nothing else of rostersync is changed: the signal, its handler and the stop are real.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pytest

NOTE_FD_ENV = "ROSTERSYNC_TEST_STOP_NOTE_FD"
DEADLINE_S = 60.0  # a guard against a hang, never a wait for timing


class StopNotes:
    """The pipe on which the process says it has taken its stop."""

    def __init__(self) -> None:
        self._read, self._write = os.pipe()

    def command(self, *args: str) -> list[str]:
        """``python -m rostersync ARGS``, noting its stop."""
        return [sys.executable, os.path.abspath(__file__), *args]

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        return {**(dict(os.environ) if base is None else base), NOTE_FD_ENV: str(self._write)}

    @property
    def pass_fds(self) -> tuple[int, ...]:
        return (self._write,)

    def started(self) -> None:
        """Once the process is started: it holds the only write end (its exit ends the pipe)."""
        os.close(self._write)

    def wait(self) -> None:
        ready = select.select([self._read], [], [], DEADLINE_S)[0]
        assert ready and os.read(self._read, 64), "the process never took its stop"

    def close(self) -> None:
        os.close(self._read)


class HeldCall:
    """The ``number``-th call of ``target.name`` (a method of a sandbox's store or its
    catalog, run in its server thread) waits for ``release()``; ``reached`` is set when
    it starts waiting."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, target: object, name: str, number: int) -> None:
        real: Callable[..., Any] = getattr(target, name)
        self.reached = threading.Event()
        self._released = threading.Event()
        lock = threading.Lock()
        calls = 0

        def held(*args: Any, **kwargs: Any) -> Any:
            nonlocal calls
            with lock:
                calls += 1
                mine = calls
            if mine == number:
                self.reached.set()
                self._released.wait(DEADLINE_S)
            return real(*args, **kwargs)

        monkeypatch.setattr(target, name, held)

    def wait_reached(self) -> None:
        assert self.reached.wait(DEADLINE_S), "the held call never came"

    def release(self) -> None:
        self._released.set()


def _run_noting_stops() -> None:  # pragma: no cover - runs in the child process
    fd = int(os.environ.pop(NOTE_FD_ENV))

    def note() -> None:
        os.write(fd, b"stop taken\n")  # unbuffered: safe in a signal handler

    install = signal.signal

    def noting_install(signum: int, handler: Any) -> Any:
        if signum == signal.SIGTERM and callable(handler):
            taken = handler

            def noting_handler(number: int, frame: FrameType | None) -> None:
                taken(number, frame)
                note()

            return install(signum, noting_handler)
        return install(signum, handler)

    signal.signal = noting_install  # type: ignore[assignment]

    from rostersync import bounded_pool  # before the commands import run_bounded from it

    run_bounded = bounded_pool.run_bounded

    class NotedStop(threading.Event):
        def set(self) -> None:
            super().set()
            note()

    def noting_run_bounded(*args: Any, stop: threading.Event | None = None, **kwargs: Any) -> Any:
        return run_bounded(*args, stop=stop if stop is not None else NotedStop(), **kwargs)

    bounded_pool.run_bounded = noting_run_bounded  # type: ignore[assignment]

    from rostersync.cli.main import main

    main(prog_name="rostersync")


if __name__ == "__main__":
    _run_noting_stops()
