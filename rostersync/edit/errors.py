"""Errors of the roster edits; nothing is written when one is raised.

    EditError                 an edit that cannot be made; the message is for a person
     ├── NeedsTargetFile      a new operator for a directory roster, and no file named for it
     ├── SharedAnchors        entries to edit share YAML anchors with others; `problems` says which
     └── UnsafeRemoval        a sync (import-csv --prune) removes more than the delete guard allows

Two others come from elsewhere: `RosterError` (rostersync.roster.problems) when the
edited roster would not validate, with every problem; `UnknownField`
(rostersync.edit.paths, a ValueError) when a name is not a settable roster path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rostersync.roster.problems import Problem


class EditError(Exception):
    """An edit that cannot be made; the message is written for a person."""


class NeedsTargetFile(EditError):
    """A new operator for a directory roster, and no file named to put it in."""

    def __init__(self, email: str, roster: str, choices: Sequence[str], origin: str | None = None) -> None:
        self.choices = tuple(choices)
        where = f"{origin}: " if origin else ""
        super().__init__(f"{where}{email} is not in {roster}, which is a directory: "
                         f"name the file that gets new operators (one of: {', '.join(choices)})")


class SharedAnchors(EditError):
    """Entries to edit share YAML anchors with the rest of their file; one problem each."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


class UnsafeRemoval(EditError):
    """A sync would remove more of a file's operators than plan's delete guard allows."""

    def __init__(self, verdict: str, removed: int, existing: int, file: str, max_delete_ratio: float) -> None:
        self.removed, self.existing = removed, existing
        if verdict == "empties":
            message = (f"--prune would remove all {existing} operators of {file}: the CSV names none of them. "
                       "Refusing; if that is really intended, run again with --force.")
        else:
            message = (f"--prune would remove {removed} of the {existing} operators of {file} "
                       f"({removed / existing:.0%}), more than --max-delete-ratio {max_delete_ratio:g} allows. "
                       "Check the CSV and the file; if the removals are intended, run again with --force.")
        super().__init__(message)
