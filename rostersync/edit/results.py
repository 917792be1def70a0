"""What an edit is asked for (`OperatorWish`, from an `Origin`) and what it did (`EditResult`).

Plain values: `rostersync.edit.operations` makes them, the renderers
(`rostersync.render.edits`, `rostersync.render.edit_report`) show them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rostersync.edit.columns import spelling
from rostersync.edit.errors import EditError
from rostersync.edit.paths import EditablePath
from rostersync.roster.problems import Problem

EditOutcome = Literal["added", "updated", "unchanged", "removed", "absent"]


@dataclass(frozen=True)
class FieldUpdate:
    """One field an edit sets: its roster path, and its value before (None: unset) and after."""

    label: str
    before: Any
    after: Any
    sensitive: bool = False


@dataclass(frozen=True)
class OperatorChange:
    """What an edit does to one operator."""

    email: str
    action: EditOutcome
    file: str | None  # the file holding the operator; None when it is absent
    fields: tuple[FieldUpdate, ...] = ()  # for "added" and "updated"
    origin: str | None = None  # where the request came from, e.g. "people.csv:3"


@dataclass(frozen=True)
class EditResult:
    """The changes of an edit and the new text of every file it changes."""

    changes: tuple[OperatorChange, ...]
    texts: dict[str, str] = field(default_factory=dict)  # file name -> new text
    before: dict[str, str] = field(default_factory=dict)  # file name -> its text now, for each of `texts`
    warnings: tuple[Problem, ...] = ()  # what the edit left out, such as a CSV column that names no field

    @property
    def changed(self) -> bool:
        return bool(self.texts)

    def count(self, action: EditOutcome) -> int:
        return sum(1 for change in self.changes if change.action == action)

    def write(self) -> None:
        """Write every changed file, or none: each new text goes to a temporary file
        beside its file, flushed to disk, and only once all are there do they replace
        the files. `EditError`, with the files left as they were, when one cannot be
        written (a read-only checkout, a full disk)."""
        staged: list[tuple[str, str, Path]] = []  # (name, temporary file, the file it replaces)
        name = ""
        try:
            for name, text in self.texts.items():
                target = Path(name).resolve()  # through a symlink: the link stays a link
                if not os.access(target, os.W_OK):  # a rename would replace a read-only file all the same
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), name)
                fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
                staged.append((name, temp, target))
                with os.fdopen(fd, "wb") as out:
                    out.write(text.encode("utf-8"))  # bytes: the text holds each line's own ending
                    out.flush()
                    os.fsync(out.fileno())
                os.chmod(temp, stat.S_IMODE(target.stat().st_mode))  # mkstemp makes it 0600
            for number, (name, temp, target) in enumerate(staged):
                try:
                    os.replace(temp, target)
                except OSError as exc:
                    raise _unwritable(exc, name, [done for done, _, _ in staged[:number]]) from None
        except OSError as exc:
            raise _unwritable(exc, name, []) from None
        finally:
            for _, temp, _ in staged:
                with contextlib.suppress(OSError):
                    os.unlink(temp)  # gone already, once it has replaced its file


def _unwritable(exc: OSError, name: str, done: list[str]) -> EditError:
    left = f"{', '.join(done)} already written, the others unchanged" if done else "nothing was written"
    return EditError(f"{name}: cannot be written ({exc.strerror or exc}); {left}")


@dataclass(frozen=True)
class Origin:
    """Where an operator wish comes from: a row of a file, and the column of each field."""

    file: str
    line: int
    email_column: int = 1
    columns: tuple[tuple[str, int, str], ...] = ()  # (field label, column number, header), in the row's order

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"

    def pin(self, problem: Problem, path: str) -> Problem:
        """`problem`, found at `path` of the operator (``chat.priority``, ``roles[1]``), moved to
        the cell that set it: the column of the field (or of a key under it), else of the email."""
        for label, column, header in self.columns:
            if path == label or path.startswith((label + ".", label + "[")):
                same = spelling(header) == spelling(label)
                shown = (header if path == label else path) if same else f"{header} ({path})"
                return Problem(self.file, self.line, column, shown, problem.message)
        for label, column, _ in self.columns:
            if label.startswith(path + "."):  # a rule on call_config, given call_config.type
                return Problem(self.file, self.line, column, path, problem.message)
        return Problem(self.file, self.line, self.email_column, path, problem.message)


@dataclass(frozen=True)
class OperatorWish:
    """An operator as an add asks for it: its email and the fields to set. Fields
    not named are left as they are (or unmanaged, for a new operator)."""

    email: str
    values: tuple[tuple[EditablePath, Any], ...] = ()
    origin: Origin | None = None  # e.g. people.csv:3, for messages
