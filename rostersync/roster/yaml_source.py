"""Load a YAML roster into plain Python data, keeping where every key and item is written.

PyYAML parses the document (on libyaml where PyYAML has it, else in Python), and one
walk over its events (`_yaml_build.Builder`) builds the data, its positions
(`yaml_positions`) and the duplicate-key problems together, within the bounds of
`rostersync.roster.limits`. Plain scalars are read as they were typed, by the place
they are written at (`rostersync.roster.places`), never by YAML 1.1's implicit types.

A document is valid or not, and loads to the same data, whatever PyYAML was built
with: libyaml reads a few things otherwise than PyYAML's own parser (a tab after a
colon, some block scalar headers; in a flow collection, a tag before a comma, a ``?``
in a plain scalar, where an empty scalar is), so a document that may have any of them
is read by PyYAML's parser instead.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, cast

import yaml
from yaml.nodes import Node

from rostersync.roster._yaml_build import Builder, Duplicate
from rostersync.roster._yaml_nodes import (
    BoundedComposer,
    BoundedPythonComposer,
    ControlCharacter,
    KeyValues,
    OutOfBounds,
    find_controls,
)
from rostersync.roster.limits import (
    CONTROL_IN_TEXT,
    MAX_ENTRIES,
    TOO_DEEP,
    TOO_MANY_ENTRIES,
    bounded_message,
    excerpt,
)
from rostersync.roster.places import ANYWHERE, Place
from rostersync.roster.positions import KeyPath, Mark
from rostersync.roster.yaml_positions import Positions

__all__ = [
    "ControlCharacter",
    "LoadedYaml",
    "Mark",
    "Positions",
    "YamlLoadError",
    "YamlProblem",
    "load_yaml",
]


@dataclass(frozen=True)
class YamlProblem:
    mark: Mark
    path: KeyPath  # where in the document; () for the root and for syntax errors
    message: str

    def __str__(self) -> str:
        return f"{self.mark}: {self.message}"


class YamlLoadError(Exception):
    """The document is not valid YAML, has duplicate keys, or is beyond a bound.

    `controls` and `more_controls` are as in `LoadedYaml`: the control characters
    found before the document failed (the loader reports those too)."""

    def __init__(self, problems: list[YamlProblem], controls: tuple[ControlCharacter, ...] = (),
                 more_controls: bool = False) -> None:
        self.problems = sorted(problems, key=lambda p: (p.mark.line, p.mark.column))
        self.controls, self.more_controls = controls, more_controls
        super().__init__("\n".join(str(problem) for problem in self.problems))

    def __reduce__(self) -> tuple[type[YamlLoadError], tuple[list[YamlProblem], tuple[ControlCharacter, ...], bool]]:
        return type(self), (self.problems, self.controls, self.more_controls)  # picklable despite the __init__


@dataclass(frozen=True)
class LoadedYaml:
    data: Any  # plain dicts / lists / scalars
    marks: Positions
    # The first control characters written in the document (limits.CONTROL_IN_VALUE):
    # YAML allows most, a roster none (the loader says so).
    controls: tuple[ControlCharacter, ...] = ()
    more_controls: bool = False  # there are more than those
    # The text of each number written otherwise than it reads (010, +10), by position.
    numbers_written: Mapping[int, str] = field(default_factory=dict)
    nulls: tuple[KeyPath, ...] = ()  # the keys given no value (null), in document order

    def written(self, path: KeyPath) -> str | None:
        """How the number at `path` is written, where it is written otherwise than it reads."""
        if not self.numbers_written:
            return None
        packed = self.marks.packed(path)
        return self.numbers_written.get(packed) if packed is not None else None

    def mark_for(self, path: KeyPath) -> Mark:
        """The mark of the longest prefix of `path` that has one, so that a path
        to a missing key points at its parent."""
        return self.marks.mark_for(path)


# --- Loading -----------------------------------------------------------------------


def load_yaml(text: str, file: str, *, max_entries: int = MAX_ENTRIES, place: Place = ANYWHERE) -> LoadedYaml:
    """Load one YAML document, its plain scalars read by `place` (the document's: a
    roster's is `rostersync.roster.compiled.ROSTER_PLACE`); raise YamlLoadError listing
    every problem found.

    A document beyond the bounds of `rostersync.roster.limits` (one of at most
    `max_entries` keys and list items, the root included) is a problem, found
    while it is parsed."""
    # Control characters that YAML forbids are replaced (one for one: the marks hold)
    # so that the document can be read and each reported where it is, in its key or
    # value; the loader refuses the document anyway.
    raw = [found.start() for found in itertools.islice(CONTROL_IN_TEXT.finditer(text), _RAW_CONTROLS_KEPT)]
    readable = CONTROL_IN_TEXT.sub("\ufffd", text) if raw else text
    try:
        return _load(readable, text, raw, file, max_entries, place)
    except YamlLoadError as exc:
        if raw and not exc.controls:  # it failed before they could be placed in keys and values
            controls, more = find_controls(None, KeyValues(), text, raw, file)
            raise YamlLoadError(exc.problems, tuple(controls), more or len(raw) > len(controls)) from None
        raise


_RAW_CONTROLS_KEPT: Final = 1_000  # offsets of forbidden characters kept, for placing the first few reported


def _load(readable: str, text: str, raw: list[int], file: str, max_entries: int, place: Place) -> LoadedYaml:
    """`load_yaml` of `text`, read as `readable` (`raw` replaced)."""
    try:
        builder, data, start, on_libyaml = _build(readable, max_entries, place)
        controls: tuple[ControlCharacter, ...] = ()
        more = False
        if raw or builder.controls:  # (rare: then the node graph is worth its cost)
            found, more = find_controls(_compose(readable, max_entries, on_libyaml), KeyValues(), text, raw, file)
            controls = tuple(found)
        if builder.duplicates:
            raise YamlLoadError([_duplicate_problem(d, file) for d in builder.duplicates], controls, more)
        positions = Positions(file, data, builder.root_packed, start, builder.marks, builder.kids, builder.entries + 1)
        return LoadedYaml(data, positions, controls, more, builder.written, tuple(builder.nulls))
    except OutOfBounds as exc:
        raise YamlLoadError([_out_of_bounds_problem(exc, readable, file)]) from None
    except RecursionError:
        raise YamlLoadError([YamlProblem(Mark(file, 1, 1), (), f"invalid YAML: {TOO_DEEP}")]) from None
    except yaml.MarkedYAMLError as exc:
        raise YamlLoadError([_syntax_problem(exc, readable, file)]) from None
    except yaml.reader.ReaderError as exc:
        raise YamlLoadError([_reader_problem(exc, readable, file)]) from None
    except (ValueError, OverflowError) as exc:  # e.g. "\U00110000" escapes
        raise YamlLoadError([YamlProblem(Mark(file, 1, 1), (), f"invalid YAML: {bounded_message(str(exc))}")]) from None


# What libyaml accepts and PyYAML's parser does not: a tab outside quotes and comments
# (after a colon, before a comment, in a plain scalar), and some block scalar headers.
# (What it reads otherwise inside a flow collection, the walk finds: `ParsersDiffer`.)
_COMMENT_BEFORE: Final = re.compile(r"(?:^|\s)#", re.MULTILINE)
_BLOCK_SCALAR_HEADER: Final = re.compile(r"[|>][-+0-9]*[ \t]*(?:#[^\n]*)?$", re.MULTILINE)


def _lenient_in_libyaml(text: str) -> bool:
    """Whether libyaml and PyYAML's parser may disagree on `text`: it has a tab that may
    not be in a comment, or what may be a block scalar header. A tab is in a comment
    when a # that starts one precedes it on its line, and no quote does: in
    `a: 'b #'\t` the # is in the quoted scalar, and the tab outside quotes and comments
    (a tab in a quoted scalar, one on many lines included, is the same to both)."""
    tab = text.find("\t")
    while tab >= 0:
        line_start = text.rfind("\n", 0, tab) + 1
        if not _COMMENT_BEFORE.search(text, line_start, tab) or "'" in text[line_start:tab] \
                or '"' in text[line_start:tab]:
            return True
        line_end = text.find("\n", tab)  # the rest of the line is in the comment
        tab = text.find("\t", line_end) if line_end >= 0 else -1
    return ("|" in text or ">" in text) and _BLOCK_SCALAR_HEADER.search(text) is not None


def _build(text: str, max_entries: int, place: Place) -> tuple[Builder, Any, int, bool]:
    """Parse and build, and say whether on libyaml. libyaml parses when PyYAML has it,
    for speed, but not a document on which it may differ from PyYAML's own parser, nor
    one it fails on: PyYAML's parser reads those, and its verdict, data and messages
    are the reference (libyaml refuses a few things PyYAML accepts, too). PyYAML's
    verdict alone would not do: both parse `[!!str, x]`, to different tags. A bound
    reached is final: PyYAML would reach it too, more slowly."""
    if _LIBYAML is not None and not _lenient_in_libyaml(text):
        c_parser = _LIBYAML(text)
        builder = Builder(max_entries, libyaml=True)
        try:
            data, start = builder.build(c_parser, place)
        except OutOfBounds:
            raise
        except Exception:  # noqa: BLE001, S110 - whatever libyaml dislikes (or ParsersDiffer), PyYAML decides
            pass
        else:
            return builder, data, start, True
        finally:
            c_parser.dispose()
    parser = yaml.SafeLoader(text)
    builder = Builder(max_entries)
    try:
        data, start = builder.build(_Escapes(parser), place)
    finally:
        parser.dispose()
    return builder, data, start, False


_LIBYAML: Final = getattr(yaml, "CSafeLoader", None) if getattr(yaml, "__with_libyaml__", False) else None


class _Escapes:
    """PyYAML's own parser, with a mark for its escapes beyond U+10FFFF: its scanner
    calls chr() on the code of a "\\x", "\\u" or "\\U" escape unchecked, and raises
    ValueError (beyond a C int, OverflowError) without a mark. Its reader then stands
    at the escape's hex digits: that mark is given."""

    def __init__(self, parser: yaml.SafeLoader) -> None:
        self._parser = parser

    def get_event(self) -> Any:
        try:
            return self._parser.get_event()  # type: ignore[no-untyped-call]
        except (ValueError, OverflowError) as exc:
            raise yaml.scanner.ScannerError(
                "while scanning a double-quoted scalar", None,
                "found an escape beyond \\U0010FFFF, which names no character", self._parser.get_mark()) from exc


# The node graph, for placing control characters (`find_controls`) only.


class _PyLoader(BoundedPythonComposer, yaml.SafeLoader):
    pass


def _libyaml_loader() -> type[yaml.CSafeLoader] | None:
    if _LIBYAML is None:
        return None

    class _CLoader(BoundedComposer, yaml.CSafeLoader):
        pass

    return _CLoader


_CLoader = _libyaml_loader()


def _compose(text: str, max_entries: int, on_libyaml: bool) -> Node | None:
    """The node graph of `text`, which the walk has read, by the same parser (None if it
    cannot be had)."""
    loader = (_CLoader if on_libyaml and _CLoader is not None else _PyLoader)(text)
    cast(BoundedComposer, loader).max_nodes = 2 * max_entries + 1
    try:
        node: Node | None = loader.get_single_node()
        return node
    except Exception:  # noqa: BLE001 - then the control characters are placed without it
        return None
    finally:
        loader.dispose()


def _duplicate_problem(duplicate: Duplicate, file: str) -> YamlProblem:
    return YamlProblem(Mark(file, duplicate.line + 1, duplicate.column + 1), duplicate.path,
                       f"duplicate key {excerpt(duplicate.key_text)} (first defined at line {duplicate.first_line})")


# --- Problems --------------------------------------------------------------------------

_TAB_PROBLEM: Final = "found character '\\t' that cannot start any token"


def _out_of_bounds_problem(exc: OutOfBounds, text: str, file: str) -> YamlProblem:
    if exc.mark is not None:
        return YamlProblem(Mark(file, exc.mark[0] + 1, exc.mark[1] + 1), exc.path, exc.message)
    if exc.message == TOO_MANY_ENTRIES:
        return YamlProblem(Mark(file, 1, 1), (), exc.message)
    # libyaml gives no mark: a value is found again from how it starts, roughly.
    offset = text.find(exc.written) if exc.written else -1
    if offset < 0:
        return YamlProblem(Mark(file, 1, 1), (), exc.message)
    line_start = text.rfind("\n", 0, offset) + 1
    return YamlProblem(Mark(file, text.count("\n", 0, offset) + 1, offset - line_start + 1), (), exc.message)


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, file: str) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    message = exc.problem or exc.context or "syntax error"
    if exc.context and message.startswith("but "):  # "but found another document"
        message = f"{exc.context}, {message}"
    where = Mark(file, mark.line + 1, mark.column + 1) if mark else Mark(file, 1, 1)
    if message == _TAB_PROBLEM or (mark is not None and text[mark.index:mark.index + 1] == "\t"):
        return YamlProblem(where, (), "invalid YAML: a tab outside quotes and comments, which YAML parsers read "
                                      "differently: write spaces instead")
    return YamlProblem(where, (), f"invalid YAML: {bounded_message(message)}")


def _reader_problem(exc: yaml.reader.ReaderError, text: str, file: str) -> YamlProblem:
    """ReaderError (forbidden characters) only knows an offset."""
    line = text.count("\n", 0, exc.position) + 1
    column = exc.position - text.rfind("\n", 0, exc.position)
    character = exc.character if isinstance(exc.character, str) else chr(exc.character)
    message = f"invalid YAML: unacceptable character {character!r}: {exc.reason}"
    return YamlProblem(Mark(file, line, column), (), message)
