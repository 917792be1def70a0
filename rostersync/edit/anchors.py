"""YAML anchors shared between an operator entry and the rest of its file.

An entry's text is edited on its own (`rostersync.edit.yaml_edit`), so it cannot
keep a link that reaches outside it: an alias (``*fast``) to an anchor defined
elsewhere does not even load on its own, and an anchor (``&fast``) that other
entries use would change them too, or vanish and leave them dangling. Such an
entry is refused, with a problem naming the anchor and the entries that share
it; anchors and aliases that stay inside one entry are edited like anything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import yaml

from rostersync.roster.problems import Problem

# An anchor or an alias starts where a node may: a cheap test that spares the
# parse for files with neither (a `*` inside quotes, as in ignore globs, is neither).
_MAYBE = re.compile(r"(?:^|[\s\[{,])[&*][^\s\[\]{},]")
_SHARE_INSTEAD = "entries that share anchors are not edited; edit them by hand, or share the values through a profile"


def keep_anchors(node: Any) -> None:
    """Have ruamel.yaml write back every anchor of a loaded entry, even those nothing
    in it uses (it drops them otherwise), so that an edit changes only what it sets."""
    anchor = getattr(node, "anchor", None)
    if anchor is not None and anchor.value:
        node.yaml_set_anchor(anchor.value, always_dump=True)
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        keep_anchors(child)


@dataclass(frozen=True)
class Link:
    """An alias and the anchor it names, each at a 0-based (line, column)."""

    name: str
    anchor: tuple[int, int]
    alias: tuple[int, int]


def links(text: str) -> list[Link]:
    """Every alias of `text` with the anchor it refers to (YAML: the latest one before it)."""
    if not _MAYBE.search(text):
        return []
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    anchors: dict[str, tuple[int, int]] = {}
    found: list[Link] = []
    try:
        for event in yaml.parse(text, Loader=loader):
            mark = event.start_mark
            if mark is None:
                continue  # PyYAML marks every event it parses
            where = (mark.line, mark.column)
            if isinstance(event, yaml.AliasEvent):
                if event.anchor in anchors:
                    found.append(Link(event.anchor, anchors[event.anchor], where))
            elif isinstance(event, yaml.NodeEvent) and event.anchor:
                anchors[event.anchor] = where
    except yaml.YAMLError:
        return []  # the roster's loader read it; what PyYAML cannot, holds no alias it resolved
    return found


class Span(Protocol):
    """An operator entry, as `rostersync.edit.yaml_edit.Entry` locates it."""

    @property
    def index(self) -> int: ...  # in its file's operators list

    @property
    def start(self) -> int: ...  # 0-based line of its dash

    @property
    def end(self) -> int: ...  # one past its last line

    @property
    def email(self) -> str | None: ...


def _holds(span: Span, line: int) -> bool:
    return span.start <= line < span.end


def shared_anchor_problems(file: str, entry: Span, spans: Sequence[Span], found: Sequence[Link],
                           *, uses_matter: bool = True) -> list[Problem]:
    """Why `entry` cannot be edited on its own: the anchors it shares, one problem each.

    `uses_matter` is False for a removal: removing an entry that uses another's
    anchor leaves that anchor as it was.
    """
    owner = _owner(file, spans)
    problems: list[Problem] = []
    for name, anchor, users in _groups(found):
        inside = [user for user in users if _holds(entry, user[0])]
        if _holds(entry, anchor[0]):
            outside = [user for user in users if not _holds(entry, user[0])]
            if outside:
                others = list(dict.fromkeys(owner(line, "") for line, _ in outside))
                verb = "uses" if len(others) == 1 else "use"
                what = f"defines the YAML anchor &{name}, which {' and '.join(others)} {verb}"
                problems.append(_problem(file, entry, anchor, what))
        elif inside and uses_matter:
            problems.append(_problem(file, entry, inside[0], f"uses the YAML anchor &{name} {owner(anchor[0], 'of')}"))
    return problems


def _groups(found: Sequence[Link]) -> Iterator[tuple[str, tuple[int, int], list[tuple[int, int]]]]:
    """Each anchor with the aliases that name it, in the order they are defined."""
    groups: dict[tuple[str, tuple[int, int]], list[tuple[int, int]]] = {}
    for link in found:
        groups.setdefault((link.name, link.anchor), []).append(link.alias)
    for (name, anchor), users in sorted(groups.items(), key=lambda item: item[0][1]):
        yield name, anchor, users


def _owner(file: str, spans: Sequence[Span]) -> Callable[[int, str], str]:
    """Who holds a line: `bob@example.com (team.yaml:6)`, or the line itself, outside the entries."""
    def name(line: int, of: str) -> str:
        span = next((s for s in spans if _holds(s, line)), None)
        if span is None:
            return f"defined at {file}:{line + 1}"
        return f"{of} {span.email or f'operators[{span.index}]'} ({file}:{span.start + 1})".lstrip()

    return name


def _problem(file: str, entry: Span, at: tuple[int, int], what: str) -> Problem:
    who = entry.email or "this entry"
    return Problem(file, at[0] + 1, at[1] + 1, f"operators[{entry.index}]", f"{who} {what}: {_SHARE_INSTEAD}")
