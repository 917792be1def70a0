"""Where something is in a roster: a `Mark` (file, line, column) and a `KeyPath` (the
keys and indexes that lead to a node of a YAML document), with the dotted form of a
key path that messages show."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from rostersync.roster.limits import printable

# The mapping keys and sequence indexes from the root of a document to a node, e.g.
# ("operators", 3, "chat", "priority"); () is the root. Keys are whatever YAML made
# of them (str, int, bool, None, dates ...): anything hashable.
KeyPath = tuple[Hashable, ...]


@dataclass(frozen=True, slots=True)
class Mark:
    """A position in a file, as messages show it: ``team.yaml:14:5``."""

    # Slots: a large roster has hundreds of thousands of marks, and without a
    # __dict__ each they are faster to make and to garbage-collect.
    file: str  # the file name as given
    line: int  # 1-based
    column: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def format_path(path: Sequence[Hashable]) -> str:
    """``("operators", 3, "chat", "priority")`` -> ``operators[3].chat.priority``.

    Keys are whatever the roster's author wrote: each is shown cut short and with its
    control characters escaped (`limits.printable`)."""
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{printable(str(part))}]"
        else:
            key = printable(str(part))
            text += f".{key}" if text else key
    return text
