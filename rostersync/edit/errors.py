"""Errors of the roster edits; nothing is written when one is raised.

    EditError                 an edit that cannot be made; the message is for a person
     ├── NeedsTargetFile      a new operator for a directory roster, and no file named for it
     └── SharedAnchors        entries to edit share YAML anchors with others; `problems` says which

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
