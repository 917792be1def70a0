"""Load a YAML roster into plain Python data, keeping the line/column of every node.

`load_yaml` gives the same data as ``yaml.load(text, Loader=yaml.SafeLoader)``, plus
`marks` so that validation errors can point at a line. Large rosters need speed,
which PyYAML (even its C loader) lacks, so documents are first tried with a fast
parser for the common YAML subset (`_yaml_fast`); any document outside that
subset goes through PyYAML, which also produces the syntax errors. Both paths
reject duplicate keys and give identical data and marks.
"""

from __future__ import annotations

import contextlib
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from rostersync.roster import _yaml_fast
from rostersync.roster._yaml_fast import Unsupported as FastPathUnsupported
from rostersync.roster.positions import KeyPath, Mark

__all__ = [
    "FastPathUnsupported",
    "LoadedYaml",
    "Mark",
    "YamlLoadError",
    "YamlProblem",
    "load_yaml",
    "load_yaml_fast",
    "load_yaml_with_pyyaml",
]

_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"


@dataclass(frozen=True)
class YamlProblem:
    mark: Mark
    path: KeyPath  # where in the document; () for the root and for syntax errors
    message: str

    def __str__(self) -> str:
        return f"{self.mark}: {self.message}"


class YamlLoadError(Exception):
    """The document is not valid YAML or has duplicate keys."""

    def __init__(self, problems: list[YamlProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.mark.line, p.mark.column))
        super().__init__("\n".join(str(problem) for problem in self.problems))

    def __reduce__(self) -> tuple[type[YamlLoadError], tuple[list[YamlProblem]]]:
        return type(self), (self.problems,)  # picklable despite the custom __init__


@dataclass(frozen=True)
class LoadedYaml:
    data: Any  # plain dicts / lists / scalars, as yaml.safe_load gives them
    # Mapping entries -> mark of their key; sequence items -> mark of their
    # value; the root () -> mark of the first node (1:1 for an empty document).
    marks: dict[KeyPath, Mark]

    def mark_for(self, path: KeyPath) -> Mark:
        """The mark of the longest prefix of `path` that has one, so that a path
        to a missing key points at its parent."""
        for length in range(len(path), -1, -1):
            mark = self.marks.get(path[:length])
            if mark is not None:
                return mark
        raise KeyError(path)  # unreachable: the root always has a mark


def load_yaml(text: str, file: str) -> LoadedYaml:
    """Load one YAML document; raise YamlLoadError listing every problem found."""
    try:
        return load_yaml_fast(text, file)
    except FastPathUnsupported:
        return load_yaml_with_pyyaml(text, file)


def load_yaml_fast(text: str, file: str) -> LoadedYaml:
    """Load with the fast parser only; raise FastPathUnsupported if the document
    is outside its subset. Exposed so that tests and benchmarks can check that a
    document takes the fast path."""
    result = _yaml_fast.parse(text, file)
    if result.duplicates:
        raise YamlLoadError([_duplicate_problem(d.path, d.key_text, d.mark, d.first_line) for d in result.duplicates])
    return LoadedYaml(result.data, result.marks)


def _duplicate_problem(path: KeyPath, key_text: str, mark: Mark, first_line: int) -> YamlProblem:
    return YamlProblem(mark, path, f"duplicate key '{key_text}' (first defined at line {first_line})")


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


class _PyLoader(_ConstructorMixin, yaml.SafeLoader):
    pass


def _libyaml_loader() -> type[yaml.CSafeLoader] | None:
    """The loader on libyaml, when PyYAML has it (only then does yaml.CSafeLoader exist)."""
    if not getattr(yaml, "__with_libyaml__", False):
        return None

    class _CLoader(_ConstructorMixin, yaml.CSafeLoader):
        pass

    return _CLoader


_CLoader = _libyaml_loader()


def load_yaml_with_pyyaml(text: str, file: str) -> LoadedYaml:
    """Load with PyYAML (any YAML); the fallback of `load_yaml`."""
    try:
        node, loader = _compose(text)
        if node is None:
            return LoadedYaml(None, {(): Mark(file, 1, 1)})
        keys = _Keys()
        problems = _find_duplicates(node, file, keys)
        try:
            data = loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            problems.append(_syntax_problem(exc, file))
    except RecursionError:
        raise YamlLoadError([YamlProblem(Mark(file, 1, 1), (), "invalid YAML: document nested too deeply")]) from None
    except yaml.MarkedYAMLError as exc:
        raise YamlLoadError([_syntax_problem(exc, file)]) from None
    except yaml.reader.ReaderError as exc:
        raise YamlLoadError([_reader_problem(exc, text, file)]) from None
    except (ValueError, OverflowError) as exc:  # e.g. "\U00110000" escapes
        raise YamlLoadError([YamlProblem(Mark(file, 1, 1), (), f"invalid YAML: {exc}")]) from None
    if problems:
        raise YamlLoadError(problems)
    return LoadedYaml(data, _collect_marks(node, file, keys))


def _compose(text: str) -> tuple[Node | None, SafeConstructor]:
    """Compose the node graph. libyaml is used when available for speed; on any
    error the pure-Python parser runs again, because its verdict and messages are
    the reference (and libyaml rejects a few things PyYAML accepts)."""
    if _CLoader is not None:
        c_loader = _CLoader(text)
        try:
            with contextlib.suppress(Exception):  # whatever libyaml dislikes, PyYAML decides
                return c_loader.get_single_node(), c_loader
        finally:
            c_loader.dispose()
    loader = _PyLoader(text)
    try:
        return loader.get_single_node(), loader
    finally:
        loader.dispose()


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    message = exc.problem or exc.context or "syntax error"
    if exc.context and message.startswith("but "):  # "but found another document"
        message = f"{exc.context}, {message}"
    where = Mark(file, mark.line + 1, mark.column + 1) if mark else Mark(file, 1, 1)
    return YamlProblem(where, (), f"invalid YAML: {message}")


def _reader_problem(exc: yaml.reader.ReaderError, text: str, file: str) -> YamlProblem:
    """ReaderError (forbidden characters) only knows an offset."""
    line = text.count("\n", 0, exc.position) + 1
    column = exc.position - text.rfind("\n", 0, exc.position)
    character = exc.character if isinstance(exc.character, str) else chr(exc.character)
    message = f"invalid YAML: unacceptable character {character!r}: {exc.reason}"
    return YamlProblem(Mark(file, line, column), (), message)


class _NoKey(Enum):
    NO_KEY = "no key"


_NO_KEY: Final = _NoKey.NO_KEY


class _Keys:
    """Python values of scalar key nodes, built like SafeConstructor builds them."""

    def __init__(self) -> None:
        self._constructor = SafeConstructor()

    def of(self, node: Node) -> Hashable | _NoKey:
        """The key's value; _NO_KEY for non-scalar keys (their mapping fails
        construction anyway: they are unhashable) and for unbuildable ones."""
        if not isinstance(node, ScalarNode):
            return _NO_KEY
        key: Hashable  # scalars are built into str, int, float, bool, None, dates ...
        if node.tag == _VALUE_TAG:  # '=' keys, which SafeConstructor turns into str
            key = node.value
            return key
        try:
            key = self._constructor.construct_object(node)
            return key
        except Exception:  # noqa: BLE001 - the real construction reports it, with its mark
            return _NO_KEY
        finally:
            self._constructor.constructed_objects.clear()


def _walk(root: Node, keys: _Keys) -> Iterator[tuple[Node, KeyPath]]:
    """Collections in document order, each once (an alias is not entered again,
    which also keeps alias bombs and recursive documents linear)."""
    seen: set[int] = set()
    todo: list[tuple[Node, KeyPath]] = [(root, ())]
    while todo:
        node, path = todo.pop()
        if id(node) in seen or isinstance(node, ScalarNode):
            continue
        seen.add(id(node))
        yield node, path
        children: list[tuple[Node, KeyPath]] = []
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG:  # merged entries belong to this mapping
                    children.append((value_node, path))
                    continue
                key = keys.of(key_node)
                if key is not _NO_KEY:
                    children.append((value_node, path + (key,)))
        elif isinstance(node, SequenceNode):
            children = [(item, path + (index,)) for index, item in enumerate(node.value)]
        todo.extend(reversed(children))


def _find_duplicates(root: Node, file: str, keys: _Keys) -> list[YamlProblem]:
    """Duplicate keys, before SafeConstructor silently keeps the last one. Merge
    keys (<<) are not duplicates: overriding merged keys is their purpose."""
    problems: list[YamlProblem] = []
    for node, path in _walk(root, keys):
        if not isinstance(node, MappingNode):
            continue
        first_seen: dict[Hashable, Node] = {}
        for key_node, _ in node.value:
            key = _NO_KEY if key_node.tag == _MERGE_TAG else keys.of(key_node)
            if key is _NO_KEY:
                continue
            first = first_seen.setdefault(key, key_node)
            if first is not key_node:
                mark = _mark(key_node, file)
                problems.append(_duplicate_problem(path + (key,), key_node.value, mark, first.start_mark.line + 1))
    return problems


def _collect_marks(root: Node, file: str, keys: _Keys) -> dict[KeyPath, Mark]:
    """Marks by path, walked after construction: merge keys are then flattened
    into their mapping, in the order SafeConstructor used (the last one wins)."""
    marks: dict[KeyPath, Mark] = {(): _mark(root, file)}
    for node, path in _walk(root, keys):
        if isinstance(node, MappingNode):
            for key_node, _ in node.value:
                key = keys.of(key_node)
                if key is not _NO_KEY:
                    marks[path + (key,)] = _mark(key_node, file)
        else:
            for index, item in enumerate(node.value):
                marks[path + (index,)] = _mark(item, file)
    return marks


def _mark(node: Node, file: str) -> Mark:
    return Mark(file, node.start_mark.line + 1, node.start_mark.column + 1)
