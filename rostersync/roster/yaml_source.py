"""Load a YAML roster into plain Python data, keeping the line/column of every node.

`load_yaml` gives the same data as ``yaml.load(text, Loader=yaml.SafeLoader)``, plus
`marks` so that validation errors can point at a line. Large rosters need speed,
which PyYAML (even its C loader) lacks, so documents are first tried with a fast
parser for the common YAML subset (`_yaml_fast`); any document outside that
subset goes through PyYAML, which also produces the syntax errors. Both paths
reject duplicate keys and give identical data and marks.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, cast

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node

from rostersync.roster import _yaml_fast
from rostersync.roster._yaml_fast import LimitExceeded
from rostersync.roster._yaml_fast import Unsupported as FastPathUnsupported
from rostersync.roster._yaml_nodes import (
    MERGE_TAG,
    NO_KEY,
    Bounded,
    BoundedComposer,
    BoundedPythonComposer,
    ControlCharacter,
    KeyValues,
    OutOfBounds,
    check_bounds,
    find_controls,
    survey,
    walk,
)
from rostersync.roster.limits import CONTROL_IN_TEXT, MAX_ENTRIES, TOO_DEEP, TOO_MANY_ENTRIES, bounded_message, excerpt
from rostersync.roster.positions import KeyPath, Mark

__all__ = [
    "ControlCharacter",
    "FastPathUnsupported",
    "LoadedYaml",
    "Mark",
    "YamlLoadError",
    "YamlProblem",
    "load_yaml",
    "load_yaml_fast",
    "load_yaml_with_pyyaml",
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
    data: Any  # plain dicts / lists / scalars, as yaml.safe_load gives them
    # Mapping entries -> mark of their key; sequence items -> mark of their
    # value; the root () -> mark of the first node (1:1 for an empty document).
    marks: dict[KeyPath, Mark]
    # The first control characters written in the document (limits.CONTROL_IN_VALUE):
    # YAML allows most, a roster none (the loader says so). Always none from the fast
    # parser, which leaves every document with one to PyYAML.
    controls: tuple[ControlCharacter, ...] = ()
    more_controls: bool = False  # there are more than those

    def mark_for(self, path: KeyPath) -> Mark:
        """The mark of the longest prefix of `path` that has one, so that a path
        to a missing key points at its parent."""
        for length in range(len(path), -1, -1):
            mark = self.marks.get(path[:length])
            if mark is not None:
                return mark
        raise KeyError(path)  # unreachable: the root always has a mark


def load_yaml(text: str, file: str, *, max_entries: int = MAX_ENTRIES) -> LoadedYaml:
    """Load one YAML document; raise YamlLoadError listing every problem found.

    A document beyond the bounds of `rostersync.roster.limits` (one of at most
    `max_entries` keys and list items, the root included) is a problem, found
    while it is parsed."""
    try:
        return load_yaml_fast(text, file, max_entries=max_entries)
    except FastPathUnsupported:
        return load_yaml_with_pyyaml(text, file, max_entries=max_entries)


def load_yaml_fast(text: str, file: str, *, max_entries: int = MAX_ENTRIES) -> LoadedYaml:
    """Load with the fast parser only; raise FastPathUnsupported if the document
    is outside its subset. Exposed so that tests and benchmarks can check that a
    document takes the fast path."""
    try:
        result = _yaml_fast.parse(text, file, max_entries)
    except LimitExceeded as exc:
        where = Mark(file, exc.line, exc.column)
        raise YamlLoadError([YamlProblem(where, exc.path, exc.message)]) from None
    if result.duplicates:
        raise YamlLoadError([_duplicate_problem(d.path, d.key_text, d.mark, d.first_line) for d in result.duplicates])
    return LoadedYaml(result.data, result.marks)


def _duplicate_problem(path: KeyPath, key_text: str, mark: Mark, first_line: int) -> YamlProblem:
    return YamlProblem(mark, path, f"duplicate key {excerpt(key_text)} (first defined at line {first_line})")


# --- Fallback: PyYAML ---------------------------------------------------------


class _ConstructorMixin(SafeConstructor):
    """Gives a mark to errors that SafeConstructor raises without one (e.g. the
    ValueError of an impossible date such as 2024-13-45)."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (yaml.YAMLError, RecursionError):
            raise
        except Exception as exc:
            raise ConstructorError(None, None, f"cannot build value: {exc}", node.start_mark) from exc


class _PyLoader(BoundedPythonComposer, _ConstructorMixin, yaml.SafeLoader):
    pass


def _libyaml_loader() -> type[yaml.CSafeLoader] | None:
    """The loader on libyaml, when PyYAML has it (only then does yaml.CSafeLoader exist)."""
    if not getattr(yaml, "__with_libyaml__", False):
        return None

    class _CLoader(BoundedComposer, _ConstructorMixin, yaml.CSafeLoader):
        pass

    return _CLoader


_CLoader = _libyaml_loader()


def load_yaml_with_pyyaml(text: str, file: str, *, max_entries: int = MAX_ENTRIES) -> LoadedYaml:
    """Load with PyYAML (any YAML); the fallback of `load_yaml`."""
    # Control characters that YAML forbids are replaced (one for one: the marks hold)
    # so that the document can be read and each reported where it is, in its key or
    # value; the loader refuses the document anyway.
    raw = [found.start() for found in itertools.islice(CONTROL_IN_TEXT.finditer(text), _RAW_CONTROLS_KEPT)]
    try:
        return _load_with_pyyaml(CONTROL_IN_TEXT.sub("\ufffd", text) if raw else text, text, raw, file, max_entries)
    except YamlLoadError as exc:
        if raw and not exc.controls:  # it failed before they could be placed in keys and values
            controls, more = find_controls(None, KeyValues(), text, raw, file)
            raise YamlLoadError(exc.problems, tuple(controls), more or len(raw) > len(controls)) from None
        raise


def _load_with_pyyaml(readable: str, text: str, raw: list[int], file: str, max_entries: int) -> LoadedYaml:
    """`load_yaml_with_pyyaml` of `text`, read as `readable` (`raw` replaced)."""
    try:
        node, loader = _compose(readable, max_entries)
        keys = KeyValues()
        surveyed = survey(node)
        found, more = find_controls(node, keys, text, raw, file, in_values=surveyed.controls)
        controls = tuple(found)
        if node is None:
            return LoadedYaml(None, {(): Mark(file, 1, 1)}, controls, more)
        bounded = check_bounds(node, keys, max_entries, surveyed)
        if bounded is not None:
            raise YamlLoadError([_bounded_problem(bounded, file)], controls, more)
        problems = _find_duplicates(node, file, keys)
        try:
            data = loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            problems.append(_syntax_problem(exc, file))
    except OutOfBounds as exc:
        raise YamlLoadError([_out_of_bounds_problem(exc, readable, file)]) from None
    except RecursionError:
        raise YamlLoadError([YamlProblem(Mark(file, 1, 1), (), f"invalid YAML: {TOO_DEEP}")]) from None
    except yaml.MarkedYAMLError as exc:
        raise YamlLoadError([_syntax_problem(exc, file)]) from None
    except yaml.reader.ReaderError as exc:
        raise YamlLoadError([_reader_problem(exc, readable, file)]) from None
    except (ValueError, OverflowError) as exc:  # e.g. "\U00110000" escapes
        raise YamlLoadError([YamlProblem(Mark(file, 1, 1), (), f"invalid YAML: {bounded_message(str(exc))}")]) from None
    if problems:
        raise YamlLoadError(problems, controls, more)
    return LoadedYaml(data, _collect_marks(node, file, keys), controls, more)


_RAW_CONTROLS_KEPT = 1_000  # offsets of forbidden characters kept, for placing the first few reported


def _compose(text: str, max_entries: int) -> tuple[Node | None, SafeConstructor]:
    """Compose the node graph. libyaml is used when available for speed; on any
    error the pure-Python parser runs again, because its verdict and messages are
    the reference (and libyaml rejects a few things PyYAML accepts). A bound reached
    is final: PyYAML would reach it too, more slowly."""
    max_nodes = 2 * max_entries + 1
    if _CLoader is not None:
        c_loader = _CLoader(text)
        cast(BoundedComposer, c_loader).max_nodes = max_nodes
        try:
            return c_loader.get_single_node(), c_loader
        except OutOfBounds:
            raise
        except Exception:  # noqa: BLE001, S110 - whatever libyaml dislikes, PyYAML decides
            pass
        finally:
            c_loader.dispose()
    loader = _PyLoader(text)
    loader.max_nodes = max_nodes
    try:
        return loader.get_single_node(), loader
    except (ValueError, OverflowError) as exc:
        # PyYAML's scanner calls chr() on the code of a "\x", "\u" or "\U" escape
        # unchecked: beyond U+10FFFF it raises ValueError, beyond a C int OverflowError,
        # without a mark. Its reader stands at the escape's hex digits: give it that one.
        raise yaml.scanner.ScannerError(
            "while scanning a double-quoted scalar", None,
            "found an escape beyond \\U0010FFFF, which names no character", loader.get_mark()) from exc
    finally:
        loader.dispose()


def _bounded_problem(bounded: Bounded, file: str) -> YamlProblem:
    if bounded.message == TOO_MANY_ENTRIES:
        return YamlProblem(Mark(file, 1, 1), (), bounded.message)
    mark = bounded.node.start_mark
    path = bounded.path if bounded.message == TOO_DEEP else ()
    return YamlProblem(Mark(file, mark.line + 1, mark.column + 1), path, bounded.message)


def _out_of_bounds_problem(exc: OutOfBounds, text: str, file: str) -> YamlProblem:
    if exc.mark is not None:
        return YamlProblem(Mark(file, exc.mark[0] + 1, exc.mark[1] + 1), exc.path, exc.message)
    # libyaml gives no mark: a value is found again from how it starts, roughly.
    offset = text.find(exc.written) if exc.written else -1
    if offset < 0:
        return YamlProblem(Mark(file, 1, 1), (), exc.message)
    line_start = text.rfind("\n", 0, offset) + 1
    return YamlProblem(Mark(file, text.count("\n", 0, offset) + 1, offset - line_start + 1), (), exc.message)


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    message = exc.problem or exc.context or "syntax error"
    if exc.context and message.startswith("but "):  # "but found another document"
        message = f"{exc.context}, {message}"
    where = Mark(file, mark.line + 1, mark.column + 1) if mark else Mark(file, 1, 1)
    return YamlProblem(where, (), f"invalid YAML: {bounded_message(message)}")


def _reader_problem(exc: yaml.reader.ReaderError, text: str, file: str) -> YamlProblem:
    """ReaderError (forbidden characters) only knows an offset."""
    line = text.count("\n", 0, exc.position) + 1
    column = exc.position - text.rfind("\n", 0, exc.position)
    character = exc.character if isinstance(exc.character, str) else chr(exc.character)
    message = f"invalid YAML: unacceptable character {character!r}: {exc.reason}"
    return YamlProblem(Mark(file, line, column), (), message)


def _find_duplicates(root: Node, file: str, keys: KeyValues) -> list[YamlProblem]:
    """Duplicate keys, before SafeConstructor silently keeps the last one. Merge
    keys (<<) are not duplicates: overriding merged keys is their purpose."""
    problems: list[YamlProblem] = []
    for node, path in walk(root, keys):
        if not isinstance(node, MappingNode):
            continue
        first_seen: dict[Hashable, Node] = {}
        for key_node, _ in node.value:
            key = NO_KEY if key_node.tag == MERGE_TAG else keys.of(key_node)
            if key is NO_KEY:
                continue
            first = first_seen.setdefault(key, key_node)
            if first is not key_node:
                mark = _mark(key_node, file)
                problems.append(_duplicate_problem(path + (key,), key_node.value, mark, first.start_mark.line + 1))
    return problems


def _collect_marks(root: Node, file: str, keys: KeyValues) -> dict[KeyPath, Mark]:
    """Marks by path, walked after construction: merge keys are then flattened
    into their mapping, in the order SafeConstructor used (the last one wins)."""
    marks: dict[KeyPath, Mark] = {(): _mark(root, file)}
    for node, path in walk(root, keys):
        if isinstance(node, MappingNode):
            for key_node, _ in node.value:
                key = keys.of(key_node)
                if key is not NO_KEY:
                    marks[path + (key,)] = _mark(key_node, file)
        else:
            for index, item in enumerate(node.value):
                marks[path + (index,)] = _mark(item, file)
    return marks


def _mark(node: Node, file: str) -> Mark:
    return Mark(file, node.start_mark.line + 1, node.start_mark.column + 1)
