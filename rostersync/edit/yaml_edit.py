"""Edit the operator entries of one roster file's text, keeping every other byte.

A roster is reviewed like code, so an edit must show up in a diff as exactly the
entry it touched. Dumping the whole document again, even with ruamel.yaml's
round-trip mode, normalises things outside that entry (spacing after colons,
``[fr,en]``, quoting), so this module works by lines instead:

* the file is read by the roster's own loader, which gives where each entry starts;
* an entry's text runs from its ``-`` line to its last line that is indented past
  the dash (its keys, and the comments inside it);
* only that text goes through ruamel.yaml's round trip, so the entry keeps its own
  comments, quotes and flow style (`rostersync.edit.nodes` sets the values); the
  result is indented back and spliced in.

Each new text says where its lines come from (`Rewritten.origins`), so that a
problem found in it can be pinned to the file on disk, or to what asked for the edit.
Line endings are kept line by line; new lines use the file's own line ending.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError as RuamelError

from rostersync.edit.anchors import Link, keep_anchors, links, shared_anchor_problems
from rostersync.edit.errors import EditError
from rostersync.edit.nodes import set_path
from rostersync.edit.paths import EditablePath
from rostersync.roster.compiled import ROSTER_PLACE
from rostersync.roster.problems import Problem
from rostersync.roster.yaml_source import LoadedYaml, load_yaml

# A key with no value on its line, such as `call_config:`, opening a nested block.
_OPENING_KEY = re.compile(r"^[^\s#'\"\-][^:#]*:\s*(#.*)?$")
_EMPTY_FLOW_LIST = re.compile(r"^(?P<key>\s*operators\s*:)\s*\[\s*\](?P<rest>.*)$")
# Wide enough that ruamel.yaml never folds a long line (a long comment, a flow list).
_NO_WRAP = 1 << 20


@dataclass(frozen=True)
class Entry:
    """One item of a file's `operators` list, and where its text is."""

    index: int
    start: int  # 0-based line of its dash
    end: int  # one past its last line
    dash_column: int
    key_column: int  # where its keys start
    data: Any  # as the roster's loader reads it

    @property
    def email(self) -> str | None:
        email = self.data.get("email") if isinstance(self.data, dict) else None
        return email if isinstance(email, str) else None


#: Where a line of an edited text comes from: the 0-based line of the original it
#: is, or the tag of the entry that an edit wrote (`replaced_tag`, `appended_tag`).
LineOrigin = int | str


def replaced_tag(index: int) -> str:
    return f"entry {index}"


def appended_tag(index: int) -> str:
    return f"new {index}"


@dataclass(frozen=True)
class Rewritten:
    """A file's new text, and where each of its lines comes from."""

    text: str
    origins: tuple[LineOrigin, ...]


@dataclass(frozen=True)
class Layout:
    """How this file writes its operators, so that new entries look the same."""

    newline: str
    parent_column: int  # of the `operators:` key
    dash_column: int
    key_column: int
    mapping_indent: int  # of a block mapping nested in another
    blank_between: bool  # whether entries are separated by a blank line


class RosterText:
    """One roster file's text with its operator entries located, ready to splice."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self.lines = split_lines(text)  # with their own line endings
        self.bodies = [_body(line) for line in self.lines]
        # The loader reads "\r\n" as "\n": give it the same lines, so line numbers agree.
        loaded = load_yaml("\n".join(self.bodies), name, place=ROSTER_PLACE)  # YamlLoadError: reported by the caller
        self._operators_line = self._operators_key_line(loaded)
        self.entries = self._locate_entries(loaded)
        self._by_email: dict[str, Entry] = {}
        for entry in self.entries:
            if entry.email is not None:
                # The first wins, as a duplicate is the loader's to report.
                self._by_email.setdefault(entry.email.lower(), entry)
        self.layout = self._detect_layout(loaded)

    # --- reading -----------------------------------------------------------

    def find(self, email: str) -> Entry | None:
        """The entry for `email`, compared case-insensitively as the loader does."""
        return self._by_email.get(email.lower())

    def shared_anchors(self, entry: Entry, *, removing: bool = False) -> list[Problem]:
        """Why `entry` cannot be edited on its own text: the YAML anchors it shares
        with the rest of the file (none, usually). See `rostersync.edit.anchors`."""
        return shared_anchor_problems(self.name, entry, self.entries, self._links, uses_matter=not removing)

    @functools.cached_property
    def _links(self) -> list[Link]:
        return links("\n".join(self.bodies))

    def _operators_key_line(self, loaded: LoadedYaml) -> int:
        data = loaded.data
        if not isinstance(data, dict) or "operators" not in data:
            raise EditError(f"{self.name}: has no 'operators' list to edit")
        operators = data["operators"]
        if operators is not None and not isinstance(operators, list):
            raise EditError(f"{self.name}: 'operators' must be a list to be edited")
        return loaded.marks[("operators",)].line - 1

    def _locate_entries(self, loaded: LoadedYaml) -> list[Entry]:
        items = loaded.data["operators"] or []
        starts: list[tuple[int, int, int]] = []
        for index in range(len(items)):
            mark = loaded.marks[("operators", index)]
            line, dash = self._find_dash(mark.line - 1, mark.column - 1)
            starts.append((line, dash, mark.column - 1))
        entries = []
        for index, (start, dash, key) in enumerate(starts):
            limit = starts[index + 1][0] if index + 1 < len(starts) else len(self.bodies)
            end = _entry_end(self.bodies, start, dash, limit)
            entries.append(Entry(index, start, end, dash, key, items[index]))
        return entries

    def _find_dash(self, line: int, column: int) -> tuple[int, int]:
        """The line and column of the `-` that opens the item whose value is at (line, column)."""
        before = self.bodies[line][:column]
        if before.strip() == "-":
            return line, before.index("-")
        if not before.strip():
            # `-` alone on its line, the mapping below it.
            for earlier in range(line - 1, self._operators_line, -1):
                text = self.bodies[earlier].strip()
                if text == "-" or text.startswith("- #"):
                    return earlier, self.bodies[earlier].index("-")
                if text and not text.startswith("#"):
                    break
        raise EditError(f"{self.name}:{line + 1}: the operators list is written in flow style ([...]); "
                        "only a block list ('- email: ...' lines) can be edited")

    def _detect_layout(self, loaded: LoadedYaml) -> Layout:
        newline = "\r\n" if self.lines and self.lines[0].endswith("\r\n") else "\n"
        parent = loaded.marks[("operators",)].column - 1
        if self.entries:
            dash, key = self.entries[0].dash_column, self.entries[0].key_column
        else:
            dash, key = parent + 2, parent + 4  # the style of examples/operators.yaml
        return Layout(newline, parent, dash, key, _mapping_indent(self.bodies), self._blank_between())

    def _blank_between(self) -> bool:
        if len(self.entries) >= 2:
            last, before = self.entries[-1], self.entries[-2]
            return any(not body.strip() for body in self.bodies[before.end:last.start])
        # One entry: a roster of one-line entries reads best packed, of blocks spaced out.
        return bool(self.entries) and self.entries[0].end - self.entries[0].start > 1

    # --- writing one entry ---------------------------------------------------

    def edited_entry(self, entry: Entry, values: Sequence[tuple[EditablePath, Any]]) -> list[str]:
        """The lines of `entry` with `values` set; its other keys and comments kept."""
        node = self._load_entry(entry)
        for editable, value in values:
            set_path(node, editable.path, value)
        return self._render(node, entry.dash_column, entry.key_column)

    def new_entry(self, values: Sequence[tuple[EditablePath, Any]]) -> list[str]:
        """The lines of a new entry holding `values` (the email among them)."""
        node = CommentedMap()
        for editable, value in values:
            set_path(node, editable.path, value)
        return self._render(node, self.layout.dash_column, self.layout.key_column)

    def _load_entry(self, entry: Entry) -> CommentedMap:
        lines = self.bodies[entry.start:entry.end]
        first = lines[0]
        # The dash becomes indentation, so the entry reads as a mapping on its own.
        lines[0] = first[:entry.dash_column] + " " + first[entry.dash_column + 1:]
        snippet = "\n".join(_dedent(line, entry.key_column) for line in lines) + "\n"
        try:
            node = self._yaml_rt.load(snippet)
        except RuamelError as exc:
            raise EditError(f"{self.name}:{entry.start + 1}: cannot edit this entry: {exc}") from None
        if not isinstance(node, CommentedMap):
            raise EditError(f"{self.name}:{entry.start + 1}: operators[{entry.index}] is not a mapping")
        keep_anchors(node)
        return node

    def _render(self, node: CommentedMap, dash_column: int, key_column: int) -> list[str]:
        out = io.StringIO()
        self._yaml_rt.dump(node, out)
        dumped = out.getvalue().split("\n")[:-1]  # the dump ends with a newline
        key_column = max(key_column, dash_column + 2)  # `-` and the first key need a space between
        opener = " " * dash_column + "-" + " " * (key_column - dash_column - 1)
        lines = [opener + dumped[0]]
        lines += [" " * key_column + line if line.strip() else "" for line in dumped[1:]]
        return [line + self.layout.newline for line in lines]

    @functools.cached_property
    def _yaml_rt(self) -> YAML:
        layout = self.layout
        yaml_rt = YAML(typ="rt")
        yaml_rt.preserve_quotes = True
        yaml_rt.width = _NO_WRAP
        # Block lists inside an entry are indented as the operators list is.
        offset = layout.dash_column - layout.parent_column
        yaml_rt.indent(mapping=layout.mapping_indent,
                       sequence=max(layout.key_column - layout.parent_column, offset + 2), offset=offset)
        return yaml_rt

    # --- the whole file -------------------------------------------------------

    def rewrite(self, replaced: Mapping[int, list[str]], removed: Collection[int],
                appended: Sequence[list[str]]) -> Rewritten:
        """The text with entries replaced or removed (by index) and new ones appended."""
        cuts: list[tuple[int, int, list[str], list[LineOrigin]]] = []
        for entry in self.entries:
            if entry.index in replaced:
                new = replaced[entry.index]
                cuts.append((entry.start, entry.end, new, [replaced_tag(entry.index)] * len(new)))
            elif entry.index in removed:
                start, end = self._removal_span(entry)
                cuts.append((start, end, [], []))
        lines = list(self.lines)
        origins: list[LineOrigin] = list(range(len(lines)))
        if appended:
            cuts.append(self._append_cut(lines, appended))
        # From the bottom up, so that the lines of the cuts above do not move.
        for start, end, new, tags in sorted(cuts, key=lambda cut: (cut[0], cut[1]), reverse=True):
            lines[start:end] = new
            origins[start:end] = tags
        return Rewritten("".join(lines), tuple(origins))

    def _removal_span(self, entry: Entry) -> tuple[int, int]:
        """The entry's lines and one side of the blank lines around it, so that the
        entries left keep their spacing."""
        start, end = entry.start, entry.end
        if entry.index + 1 < len(self.entries):
            while end < len(self.bodies) and not self.bodies[end].strip():
                end += 1
        else:
            while start > self._operators_line + 1 and not self.bodies[start - 1].strip():
                start -= 1
        return start, end

    def _append_cut(self, lines: list[str], appended: Sequence[list[str]]
                    ) -> tuple[int, int, list[str], list[LineOrigin]]:
        newline = self.layout.newline
        separator = [newline] if self.layout.blank_between else []
        block: list[str] = []
        tags: list[LineOrigin] = []
        for index, entry_lines in enumerate(appended):
            added = (separator if self.entries or index else []) + entry_lines
            block += added
            tags += [appended_tag(index)] * len(added)
        at = self.entries[-1].end if self.entries else self._open_empty_list(lines)
        if at == len(lines) and lines and not lines[-1].endswith("\n"):
            lines[-1] += newline  # the file had no final newline
        return at, at, block, tags

    def _open_empty_list(self, lines: list[str]) -> int:
        """Make `operators:` (or `operators: []`) ready for block items; where they go."""
        at = self._operators_line
        match = _EMPTY_FLOW_LIST.match(self.bodies[at])
        if match:
            ending = lines[at][len(self.bodies[at]):]
            lines[at] = match["key"] + match["rest"] + ending
        elif "[" in self.bodies[at]:
            raise EditError(f"{self.name}:{at + 1}: the operators list is written in flow style ([...]); "
                            "only a block list ('- email: ...' lines) can be edited")
        return at + 1


# --- lines --------------------------------------------------------------------


def split_lines(text: str) -> list[str]:
    """Lines with their endings. Unlike str.splitlines, only "\\n" ends a line, as in YAML
    files written by people (a form feed or U+2028 inside a value stays where it is)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    return lines + [parts[-1]] if parts[-1] else lines


def _body(line: str) -> str:
    return line[:-2] if line.endswith("\r\n") else line.rstrip("\n")


def _indent(body: str) -> int:
    return len(body) - len(body.lstrip(" "))


def _dedent(body: str, width: int) -> str:
    return body[min(width, _indent(body)):]


def _entry_end(bodies: list[str], start: int, dash_column: int, limit: int) -> int:
    """One past the entry's last line: its keys and the comments inside it. Blank lines
    and comments at the dash's column after it belong to what follows."""
    end = start + 1
    for line in range(start + 1, limit):
        body = bodies[line]
        text = body.strip()
        if not text:
            continue
        if _indent(body) > dash_column:
            end = line + 1
        elif not text.startswith("#"):
            break  # the next item, or the next key of the document
    return end


def _mapping_indent(bodies: list[str]) -> int:
    """How far the file indents a block mapping under its key (2 when it has none)."""
    for line, body in enumerate(bodies):
        if not _OPENING_KEY.match(body.strip()):
            continue
        below = next((b for b in bodies[line + 1:] if b.strip() and not b.strip().startswith("#")), None)
        if below is not None and _indent(below) > _indent(body) and not below.strip().startswith("-"):
            return _indent(below) - _indent(body)
    return 2
