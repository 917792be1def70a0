"""The sandbox's state on disk: a snapshot, a journal of the writes since, and a lock.

For a state path ``sandbox.json`` there are three files, side by side:

``sandbox.json``
    The snapshot: every operator, one per line, as a JSON document::

        {"format": "rostersync-sandbox-state", "version": 1, "next_id": 1004, "operators": [
        {"id": 1001, "fields": {...}, "live": {...}},
        ...]}

    It is only ever replaced whole, atomically (a temporary file in the same folder,
    flushed to disk, then ``os.replace``), so it is never half written.
``sandbox.json.journal``
    One JSON line per write since the snapshot, ``{"op": "put", "id": 1001,
    "fields": {...}, "live": {...}}`` (the whole operator as it now is) or ``{"op":
    "delete", "id": 1001}``, appended with one ``write`` before the client is answered.
    Replaying it over the snapshot gives the state; replaying it twice gives the same
    state, so a crash between writing a snapshot and emptying the journal is harmless.
    An incomplete last line (a write cut short by a crash, never answered) is ignored;
    any other bad line is an error. The journal is folded into a new snapshot when it
    holds more entries than there are operators (at least ``COMPACT_MIN_ENTRIES``), so
    a write costs O(1) amortised, and on close, which removes it.
``sandbox.json.lock``
    Holds an exclusive ``flock`` for as long as one sandbox uses the state, and the
    process id of that sandbox, for the messages. Another sandbox on the same state
    waits for it (``lock_timeout`` seconds, then gives up with a message). The system
    releases a ``flock`` when its process ends, however it ends: a crashed run never
    leaves a stale lock. The file itself stays: removing it would let two runs hold
    locks on two different files.

``StateFile`` does no validation of operators: that is the store's job.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

if sys.platform != "win32":
    import fcntl

__all__ = [
    "COMPACT_MIN_ENTRIES",
    "DEFAULT_LOCK_TIMEOUT",
    "STATE_FORMAT",
    "STATE_VERSION",
    "SandboxStateError",
    "StateFile",
    "StoredState",
]

logger = logging.getLogger(__name__)

STATE_FORMAT = "rostersync-sandbox-state"
STATE_VERSION = 1
DEFAULT_LOCK_TIMEOUT = 60.0
COMPACT_MIN_ENTRIES = 1024
FIRST_POLL_S = 0.01
LAST_POLL_S = 0.25

Record = dict[str, Any]  # {"fields": {...}, "live": {...}}, as stored


class SandboxStateError(ValueError):
    """The state cannot be used: unreadable, not a state file, or in use by another run.

    The sandbox shares no code with the client, so this is not an ``ApiError``; the CLI
    lists it among the failures it prints as a one-line error (``cli/errors.py``).
    """


@dataclass
class StoredState:
    """What the files hold: the snapshot with the journal replayed over it."""

    next_id: int | None = None
    records: dict[int, Record] = field(default_factory=dict)
    journal_entries: int = 0  # entries replayed; a non-zero count means the last run did not close
    torn_tail: bool = False  # an incomplete last journal line was ignored


def _display(path: Path) -> str:
    return os.fspath(path)


class StateFile:
    """The files of one state path, locked for as long as this object is open.

    Opening takes the lock, waiting up to ``lock_timeout`` seconds (``on_wait`` is
    called once with a message when it has to wait); raises ``SandboxStateError``
    when it gives up or cannot lock at all.
    """

    def __init__(self, path: Path, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
                 on_wait: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self.journal_path = self.path.with_name(self.path.name + ".journal")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.journal_entries = 0  # entries in the journal since the last snapshot
        self._journal_fd: int | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SandboxStateError(f"Cannot create the folder of the sandbox state "
                                    f"{_display(self.path)}: {exc.strerror or exc}") from None
        self._lock_fd: int | None = self._lock(lock_timeout, on_wait)

    # ------------------------------------------------------------ the lock

    def _lock(self, timeout: float, on_wait: Callable[[str], None] | None) -> int | None:
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        except OSError as exc:
            raise SandboxStateError(f"Cannot open the lock file {_display(self.lock_path)}: "
                                    f"{exc.strerror or exc}") from None
        if sys.platform == "win32":  # no flock: one run at a time is up to the user
            logger.warning("The sandbox state %s is not locked on this system: do not run two "
                           "sandboxes on it at once.", _display(self.path))
            return fd
        try:
            self._wait_for_lock(fd, timeout, on_wait)
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _wait_for_lock(self, fd: int, timeout: float, on_wait: Callable[[str], None] | None) -> None:
        deadline = time.monotonic() + timeout
        poll = FIRST_POLL_S
        waiting = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
            except OSError as exc:  # e.g. a file system without locks
                raise SandboxStateError(f"Cannot lock the sandbox state {_display(self.path)} "
                                        f"({_display(self.lock_path)}): {exc.strerror or exc}") from None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SandboxStateError(
                    f"{self._holder()} is still using {_display(self.path)}: gave up after "
                    f"{timeout:g} s. Run again when it has finished (ROSTERSYNC_SANDBOX_LOCK_TIMEOUT "
                    f"sets how many seconds to wait).")
            if not waiting:
                waiting = True
                message = (f"{self._holder()} is using {_display(self.path)}; "
                           f"waiting up to {timeout:g} s for it to finish…")
                if on_wait is None:
                    logger.warning("%s", message)
                else:
                    on_wait(message)
            time.sleep(min(poll, remaining))
            poll = min(poll * 2, LAST_POLL_S)

    def _holder(self) -> str:
        """Who holds the lock, as far as the lock file says."""
        try:
            text = self.lock_path.read_text(encoding="ascii", errors="replace").strip()
        except OSError:
            text = ""
        pid = f" (pid {text})" if text.isdigit() else ""
        return f"Another rostersync sandbox run{pid}"

    # ------------------------------------------------------------ reading

    def read(self) -> StoredState:
        """The snapshot (if any) with the journal (if any) replayed over it."""
        state = StoredState()
        text = self._read_text(self.path)
        if text is not None:
            self._parse_snapshot(text, state)
        self._replay_journal(state)
        return state

    def _read_text(self, path: Path) -> str | None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self.error(f"cannot read it: {exc.strerror or exc}", path) from None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise self.error(f"not UTF-8 at byte {exc.start}", path) from None

    def _parse_snapshot(self, text: str, state: StoredState) -> None:
        if not text.strip():
            raise self.error("the file is empty (delete it to start over)")
        try:
            document = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise self.error(f"{exc} (a cut-short or hand-edited file? delete it to start over)") from None
        if not isinstance(document, dict) or document.get("format") != STATE_FORMAT:
            raise SandboxStateError(f"{_display(self.path)} is not a rostersync sandbox state file.")
        if document.get("version") != STATE_VERSION:
            raise SandboxStateError(f"{_display(self.path)} has state version {document.get('version')!r}; "
                                    f"this sandbox reads version {STATE_VERSION}.")
        next_id = document.get("next_id")
        if next_id is not None:
            if not _is_id(next_id):
                raise self.error(f"next_id must be a positive integer, got {_short(next_id)}")
            state.next_id = next_id
        operators = document.get("operators", [])
        if not isinstance(operators, list):
            raise self.error("operators must be a list")
        for index, record in enumerate(operators):
            where = f"operators[{index}]"
            if not isinstance(record, dict):
                raise self.error(f"{where} must be an object")
            operator_id = record.get("id")
            if not _is_id(operator_id):
                raise self.error(f"{where}.id must be a positive integer, got {_short(operator_id)}")
            if operator_id in state.records:
                raise self.error(f"{where}: operator {operator_id} appears twice")
            state.records[operator_id] = self._record(record, where, self.path)

    def _record(self, entry: Mapping[str, Any], where: str, path: Path) -> Record:
        fields, live = entry.get("fields"), entry.get("live", {})
        if not isinstance(fields, dict):
            raise self.error(f"{where}.fields must be an object", path)
        if not isinstance(live, dict):
            raise self.error(f"{where}.live must be an object", path)
        return {"fields": fields, "live": live}

    def _replay_journal(self, state: StoredState) -> None:
        try:
            data = self.journal_path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise self.error(f"cannot read it: {exc.strerror or exc}", self.journal_path) from None
        lines = data.split(b"\n")
        if lines[-1]:
            state.torn_tail = True  # written by a run that died in the middle of that write
        for number, line in enumerate(lines[:-1], start=1):
            where = f"line {number}"
            try:
                entry = json.loads(line.decode("utf-8"))
            except (ValueError, RecursionError):
                raise self.error(f"{where} is not a journal entry (delete the journal to lose the writes "
                                 f"it holds, or the whole state to start over)", self.journal_path) from None
            if not isinstance(entry, dict):
                raise self.error(f"{where} is not a journal entry", self.journal_path)
            operator_id = entry.get("id")
            if not _is_id(operator_id):
                raise self.error(f"{where}: id must be a positive integer, got {_short(operator_id)}",
                                 self.journal_path)
            if entry.get("op") == "put":
                state.records[operator_id] = self._record(entry, where, self.journal_path)
                state.next_id = max(state.next_id or 0, operator_id + 1)
            elif entry.get("op") == "delete":
                state.records.pop(operator_id, None)
            else:
                raise self.error(f"{where}: unknown op {_short(entry.get('op'))}", self.journal_path)
            state.journal_entries += 1
        self.journal_entries = state.journal_entries

    def error(self, problem: str, path: Path | None = None) -> SandboxStateError:
        return SandboxStateError(f"Cannot read sandbox state {_display(path or self.path)}: "
                                 f"{problem.rstrip('.')}.")

    # ------------------------------------------------------------ writing

    def append(self, entries: Iterable[Mapping[str, Any]]) -> None:
        """Add entries to the journal with one ``write``: once it returns, they survive
        the death of this process (not of the machine: see ``snapshot``)."""
        data = "".join(json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
                       for entry in entries).encode("utf-8")
        if not data:
            return
        if self._journal_fd is None:
            self._journal_fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT
                                       | getattr(os, "O_CLOEXEC", 0), 0o600)
        view = memoryview(data)
        while view:
            written = os.write(self._journal_fd, view)
            view = view[written:]
        self.journal_entries += data.count(b"\n")

    def should_compact(self, operators: int) -> bool:
        return self.journal_entries >= max(COMPACT_MIN_ENTRIES, operators)

    def snapshot(self, next_id: int, records: Iterable[tuple[int, Mapping[str, Any], Mapping[str, Any]]]) -> None:
        """Replace the snapshot with this state, durably (on disk once it returns), then
        empty the journal."""
        head = json.dumps({"format": STATE_FORMAT, "version": STATE_VERSION, "next_id": next_id})
        lines = [json.dumps({"id": operator_id, "fields": fields, "live": live}, ensure_ascii=False)
                 for operator_id, fields, live in records]
        text = f'{head[:-1]}, "operators": [\n' + ",\n".join(lines) + "\n]}\n"
        _write_atomically(self.path, text.encode("utf-8"))
        self._empty_journal()

    def _empty_journal(self) -> None:
        if self._journal_fd is not None:
            os.ftruncate(self._journal_fd, 0)
        elif self.journal_path.exists():
            self.journal_path.unlink()
        self.journal_entries = 0

    def sync_journal(self) -> None:
        """Flush the journal to disk (when a snapshot could not be written)."""
        if self._journal_fd is not None:
            os.fsync(self._journal_fd)

    @property
    def closed(self) -> bool:
        return self._lock_fd is None

    def close(self) -> None:
        """Remove the (empty) journal and release the lock. Call ``snapshot`` first to keep
        the journal's writes in the snapshot; without it they stay in the journal."""
        if self._journal_fd is not None:
            os.close(self._journal_fd)
            self._journal_fd = None
            if self.journal_entries == 0:
                self.journal_path.unlink(missing_ok=True)
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None


def _is_id(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
