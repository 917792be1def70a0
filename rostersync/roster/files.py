"""A roster path that names no roster: one message for every command that opens one.

`load_roster` (validate, plan, apply, status) and the in-place edits (`roster add`,
`remove`, `import-csv`) both refuse a path that does not exist, or a directory with
no roster file in it, in the same words, as a `RosterError` pinned to the path.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rostersync.roster.problems import Problem, RosterError


def require_roster_files(source: Path, files: Sequence[Path]) -> None:
    """Raise `RosterError` unless `source` exists and stands for some `files`.

    `files` are those `source` was found to stand for (`roster.loader.roster_files`):
    the path itself, or a directory's *.yaml and *.yml files.
    """
    if not source.exists():
        raise RosterError([Problem(str(source), 0, 0, "", "no such file or directory")])
    if not files:
        raise RosterError([Problem(str(source), 0, 0, "", "the directory holds no *.yaml or *.yml file")])
