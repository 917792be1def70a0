"""The files a roster is made of, and reading them, with the problems of each as `RosterError`."""

from __future__ import annotations

from pathlib import Path

from rostersync.roster.problems import Problem, RosterError

ROSTER_SUFFIXES = (".yaml", ".yml")


def roster_files(path: Path) -> list[Path]:
    """The files a roster path stands for: itself, or a directory's YAML files by name.

    Raises `RosterError` when `path` does not exist or is a directory without any.
    """
    if not path.exists():
        raise RosterError([Problem(str(path), 0, 0, "", "no such file or directory")])
    if not path.is_dir():
        return [path]
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in ROSTER_SUFFIXES)
    if not files:
        raise RosterError([Problem(str(path), 0, 0, "", "the directory holds no *.yaml or *.yml file")])
    return files


def read_text_file(path: Path, *, encoding: str = "utf-8", advice: str = "") -> str:
    """The text of the file at `path` exactly as written (line ends kept), or
    `RosterError` when it cannot be read or is not text in `encoding`.

    `advice` ends the message about a file that is not UTF-8, e.g. how to export it.
    """
    try:
        return path.read_bytes().decode(encoding)
    except UnicodeDecodeError as exc:
        message = f"not UTF-8 text ({exc.reason} at byte {exc.start})" + (f"; {advice}" if advice else "")
        raise RosterError([Problem(str(path), 1, 1, "", message)]) from None
    except OSError as exc:
        raise RosterError([Problem(str(path), 0, 0, "", f"cannot be read: {exc.strerror}")]) from None


def universal_newlines(text: str) -> str:
    """`text` with every line end ("\\r\\n", "\\r") as "\\n", as text-mode reading gives it."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
