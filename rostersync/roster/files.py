"""The files a roster is made of, and reading them, with the problems of each as `RosterError`.

A roster directory may come from a pull request, so its entries are checked before
anything is read: each `*.yaml`/`*.yml` entry must be a regular file, or a symbolic
link to a regular file inside the directory (a link out of it, `x.yaml -> ../.env`,
would show another file to whoever reads the errors), and the sizes and the number
of files are bounded (`rostersync.roster.limits`). An entry that breaks these rules
is an error, never skipped: skipping a team's file would plan its operators'
deletion. A file named on the command line is followed wherever its links lead
(that is the caller's own choice), but must be a regular file too.

Nothing is opened before it is known to be a regular file (opening a FIFO blocks,
opening a device may do anything), and what is opened is opened non-blocking and
checked again, so that a file swapped meanwhile cannot make a read block or run long.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from rostersync.roster.limits import MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES, size_text
from rostersync.roster.problems import Problem, RosterError

ROSTER_SUFFIXES = (".yaml", ".yml")

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


def roster_files(path: Path) -> list[Path]:
    """The files a roster path stands for: itself, or a directory's YAML files by name.

    Raises `RosterError` when `path` does not exist, is neither a regular file nor a
    directory, or is a directory without YAML files or with any that cannot be used
    (each named, with what it is).
    """
    try:
        info = path.stat()
    except OSError as exc:
        raise RosterError([_problem(path, _unreachable(path, exc))]) from None
    if not stat.S_ISDIR(info.st_mode):
        refusal = _refusal(info)
        if refusal:
            raise RosterError([_problem(path, refusal)])
        return [path]
    return _directory_files(path)


def _directory_files(directory: Path) -> list[Path]:
    names: list[str] = []
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                if os.path.splitext(entry.name)[1] in ROSTER_SUFFIXES:
                    names.append(entry.name)
                    if len(names) > MAX_FILES:
                        raise RosterError([_problem(directory, f"holds more than {MAX_FILES:,} *.yaml or *.yml "
                                                    f"files; a roster may have at most {MAX_FILES:,}")])
    except OSError as exc:
        raise RosterError([_problem(directory, f"cannot be read: {exc.strerror}")]) from None
    if not names:
        raise RosterError([_problem(directory, "the directory holds no *.yaml or *.yml file")])
    root = os.path.realpath(directory)
    files = [directory / name for name in sorted(names)]
    problems: list[Problem] = []
    total = 0
    for file in files:
        size, refusal = _check_entry(file, root)
        total += size
        if refusal:
            problems.append(_problem(file, refusal))
    if total > MAX_TOTAL_BYTES:
        problems.append(_problem(directory, f"its roster files hold {size_text(total)} together; "
                                 f"a roster may be at most {size_text(MAX_TOTAL_BYTES)}"))
    if problems:
        raise RosterError(problems)
    return files


def _check_entry(file: Path, root: str) -> tuple[int, str]:
    """(size, "") for a usable entry of the directory `root` (a real path), else (0, why not)."""
    try:
        info = os.lstat(file)
        if stat.S_ISLNK(info.st_mode):
            target = os.path.realpath(file, strict=True)
            if os.path.commonpath([root, target]) != root:
                return 0, ("is a symbolic link to a file outside the roster directory: links are followed only "
                           "to files inside it")
            info = os.stat(target)
    except OSError as exc:
        return 0, _unreachable(file, exc)
    refusal = _refusal(info)
    return (0 if refusal else info.st_size), refusal


def _unreachable(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "is a symbolic link loop"
    if exc.errno == errno.ENOENT:
        return "is a symbolic link to a file that does not exist" if path.is_symlink() else "no such file or directory"
    return f"cannot be read: {exc.strerror}"


def _refusal(info: os.stat_result) -> str:
    """Why a file with this status cannot be read as a roster file, or ""."""
    mode = info.st_mode
    if not stat.S_ISREG(mode):
        kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                 (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
        kind = next((name for test, name in kinds if test(mode)), "a special file")
        return f"is {kind}, not a regular file"
    if info.st_size > MAX_FILE_BYTES:
        return f"is {size_text(info.st_size)}; a roster file may be at most {size_text(MAX_FILE_BYTES)}"
    return ""


def _problem(path: Path, message: str) -> Problem:
    return Problem(str(path), 0, 0, "", message)


def read_text_file(path: Path, *, encoding: str = "utf-8", advice: str = "") -> str:
    """The text of the file at `path` exactly as written (line ends kept), or
    `RosterError` when it cannot be read, is not a regular file, is larger than
    `MAX_FILE_BYTES`, or is not text in `encoding`.

    `advice` ends the message about a file that is not UTF-8, e.g. how to export it.
    """
    try:
        refusal = _refusal(os.stat(path))  # before opening: opening a FIFO would block
        if refusal:
            raise RosterError([_problem(path, refusal)])
        with os.fdopen(os.open(path, _OPEN_FLAGS), "rb", buffering=0) as handle:
            opened = os.fstat(handle.fileno())  # what was opened, in case the file was swapped since
            refusal = _refusal(opened)
            if refusal:
                raise RosterError([_problem(path, refusal)])
            data = handle.read(opened.st_size + 1)  # one more byte, to notice a file that grew since
            if len(data) > opened.st_size:
                data += handle.read(MAX_FILE_BYTES + 1 - len(data))
    except OSError as exc:
        raise RosterError([_problem(path, _unreachable(path, exc))]) from None
    if len(data) > MAX_FILE_BYTES:  # it grew since
        raise RosterError([_problem(path, f"is larger than {size_text(MAX_FILE_BYTES)}, the most a roster file "
                                    "may be")])
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        message = f"not UTF-8 text ({exc.reason} at byte {exc.start})" + (f"; {advice}" if advice else "")
        raise RosterError([Problem(str(path), 1, 1, "", message)]) from None


def universal_newlines(text: str) -> str:
    """`text` with every line end ("\\r\\n", "\\r") as "\\n", as text-mode reading gives it."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
