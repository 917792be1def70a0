"""rostersync.roster.yaml_source: what a YAML document loads to, and where each of its
keys and items is written.

The oracle, for every document (hand-written, generated, mutated or dumped by PyYAML):

- PyYAML on libyaml and PyYAML alone give the same result: the same data and marks,
  or the same problems (a roster's validity never depends on how PyYAML was built);
- the data are what PyYAML's own composer gives, read by a reference written here
  (`reference`): a plain scalar by the reading of its place, a quoted one as text, a
  tagged one by SafeConstructor, merge keys as YAML's merge type says;
- every key and item has the mark of its key (a mapping entry) or of its start (a list
  item) as PyYAML's composer has it, an alias where the alias is written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from rostersync.roster import yaml_source
from rostersync.roster.compiled import ROSTER_PLACE
from rostersync.roster.limits import CONTROL_IN_TEXT, MAX_DEPTH, TOO_DEEP, TOO_MANY_ENTRIES, VALUE_TOO_LONG, excerpt
from rostersync.roster.places import ANYWHERE, Place, Reading
from rostersync.roster.yaml_source import LoadedYaml, Mark, YamlLoadError, YamlProblem, load_yaml

FILE = "roster.yaml"
BOUNDS = (TOO_DEEP, TOO_MANY_ENTRIES, VALUE_TOO_LONG)
# The problems of what PyYAML parses but the walk cannot build.
BUILD_PROBLEMS = tuple(f"invalid YAML: {start}" for start in (
    "could not determine a constructor", "cannot build value", "found unhashable key", "found undefined alias",
    "a roster has no use for the tag", "expected a mapping or list of mappings for merging", "found the anchor"))
HAVE_LIBYAML = yaml_source._LIBYAML is not None


# --- Loading with each parser ------------------------------------------------------


@contextmanager
def without_libyaml() -> Iterator[None]:
    """PyYAML as it is where it was built without libyaml."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yaml_source, "_LIBYAML", None)
        patch.setattr(yaml_source, "_CLoader", None)
        yield


def parser(libyaml: bool) -> AbstractContextManager[None]:
    """PyYAML as it is here (on libyaml, if it has it), or without libyaml."""
    return nullcontext() if libyaml else without_libyaml()


def canonical(value: Any) -> Any:
    """A form of `value` whose equality also checks types, order and NaNs
    (plain == would accept True for 1, 1.0 for 1 and {a, b} for {b, a})."""
    if isinstance(value, dict):
        return ("dict", [(canonical(k), canonical(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [canonical(item) for item in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def marks_of(loaded: LoadedYaml) -> dict[tuple[Any, ...], tuple[int, int]]:
    assert all(mark.file == FILE for mark in loaded.marks.values())
    return {path: (mark.line, mark.column) for path, mark in loaded.marks.items()}


def outcome(text: str, place: Place) -> tuple[Any, ...]:
    """What load_yaml makes of `text`, in a form to compare."""
    try:
        loaded = load_yaml(text, FILE, place=place)
    except YamlLoadError as exc:
        return ("refused", [(str(p.mark), canonical(list(p.path)), p.message) for p in exc.problems],
                exc.controls, exc.more_controls)
    return ("loaded", canonical(loaded.data), marks_of(loaded), loaded.controls, loaded.more_controls)


# --- The reference -------------------------------------------------------------------

PLAIN = "!reference-plain"  # what _ReferenceLoader tags an untagged plain scalar with
MERGE = "tag:yaml.org,2002:merge"
STR, MAP, SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
NULL_TEXTS = {"", "~", "null", "Null", "NULL"}
BOOLEAN_TEXTS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
DECIMAL = re.compile(r"[-+]?[0-9]+\Z")


def reference_reading(text: str, reading: Reading) -> Any:
    """A plain scalar as the roster reads it (written again here, from the rules)."""
    if text in NULL_TEXTS:
        return None
    if reading in (Reading.BOOLEAN, Reading.ANY) and text in BOOLEAN_TEXTS:
        return BOOLEAN_TEXTS[text]
    if reading in (Reading.NUMBER, Reading.ANY) and DECIMAL.match(text):
        return int(text, 10)
    return text


class _ReferenceLoader(yaml.SafeLoader):
    """PyYAML's own parser and composer: plain scalars keep a tag of their own (no
    implicit YAML 1.1 types), and where each alias is written is kept (the composer
    gives an alias the node it names, whose mark is the anchor's)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        # (id(collection), index of the item or pair, "item" / "key" / "value"): the alias's mark
        self.alias_marks: dict[tuple[int, int, str], Any] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            return MERGE if value == "<<" else PLAIN
        return super().resolve(kind, value, implicit)

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(yaml.AliasEvent) and parent is not None:
            mark = self.peek_event().start_mark
            if isinstance(parent, SequenceNode):
                self.alias_marks[(id(parent), index, "item")] = mark
            else:  # a mapping's key (index None) or value: of the pair to come
                self.alias_marks[(id(parent), len(parent.value), "key" if index is None else "value")] = mark
        node: Node = super().compose_node(parent, index)
        return node

    def compose_scalar_node(self, anchor: Any) -> Node:
        event = self.peek_event()
        if event.tag == "!":  # YAML's non-specific tag: text (PyYAML would resolve `! 12` as a plain 12)
            event.tag = STR
        node: Node = super().compose_scalar_node(anchor)
        return node


class Refused(Exception):
    """What the reference expects load_yaml to refuse, and why."""


@dataclass
class Built:
    value: Any
    marks: list[tuple[int, int]]  # of the keys (in the order of the mapping) or items
    kids: list[Built | None]  # what is inside each value written there (None: a scalar, or an alias)
    height: int = 0  # levels of mappings and lists


@dataclass
class Reference:
    """The data and marks of a document by PyYAML's composer, read as the roster reads
    it, and its duplicate keys. Merge keys as YAML's merge type says (a mapping's own
    keys win, then the first mapping of a merged list), in the order PyYAML's
    SafeConstructor has long given (PyYAML 6.0.4 gives another, and lets the last
    mapping win for keys of more than one character: a bug, not an oracle)."""

    alias_marks: dict[tuple[int, int, str], Any]

    def __post_init__(self) -> None:
        self.built: dict[int, Built] = {}
        self.building: set[int] = set()
        self.duplicates: list[YamlProblem] = []
        self.constructor = SafeConstructor()

    def build(self, node: Node, place: Place, path: tuple[Any, ...], depth: int) -> Built:
        """`node`, read at `place`, inside `depth` mappings and lists."""
        if isinstance(node, ScalarNode):
            if node.tag in (PLAIN, MERGE):  # (<< is a merge only as a key)
                return Built(reference_reading(node.value, place.reading), [], [])
            if node.tag == STR:
                return Built(node.value, [], [])
            try:
                return Built(self.constructor.construct_object(node), [], [])
            except Exception as exc:  # what the tag cannot build (!!int a, !!foo x, !!timestamp 2024-13-45)
                raise Refused(f"cannot build: {exc}") from exc
        if id(node) in self.building:
            raise Refused(TOO_DEEP)  # an alias inside what it names
        built = self.built.get(id(node))
        if built is None:
            self.building.add(id(node))
            built = (self.mapping if isinstance(node, MappingNode) else self.sequence)(node, place, path, depth + 1)
            self.building.discard(id(node))
            self.built[id(node)] = built
        if depth + built.height > MAX_DEPTH:
            raise Refused(TOO_DEEP)
        return built

    def child(self, parent: Node, index: int, role: str, node: Node, place: Place, path: tuple[Any, ...],
              depth: int) -> tuple[Built, Any, bool]:
        """What is at `index` in `parent`, its mark (an alias's own, if it is one) and
        whether it is an alias."""
        alias = self.alias_marks.get((id(parent), index, role))
        built = self.build(node, place, path, depth)
        return built, alias or node.start_mark, alias is not None

    def sequence(self, node: Node, place: Place, path: tuple[Any, ...], depth: int) -> Built:
        if node.tag != SEQ:
            raise Refused("tag")
        built = Built([], [], [])
        for index, item in enumerate(node.value):
            kid, mark, alias = self.child(node, index, "item", item, place.item(), (*path, index), depth)
            built.value.append(kid.value)
            built.marks.append((mark.line + 1, mark.column + 1))
            built.kids.append(None if alias or isinstance(item, ScalarNode) else kid)
            built.height = max(built.height, kid.height)
        built.height += 1
        return built

    def mapping(self, node: Node, place: Place, path: tuple[Any, ...], depth: int) -> Built:
        if node.tag != MAP:
            raise Refused("tag")
        merged: list[tuple[Hashable, Any, tuple[int, int]]] = []
        own: list[tuple[Hashable, Any, tuple[int, int], Built | None]] = []
        first_lines: dict[Hashable, int] = {}
        height = 0
        merge_line: int | None = None
        for index, (key_node, value_node) in enumerate(node.value):
            if key_node.tag == MERGE:
                at = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                if merge_line is not None:  # a key written twice, though PyYAML merges both
                    self.duplicates.append(YamlProblem(Mark(FILE, *at), (*path, "<<"),
                                                       f"duplicate key '<<' (first defined at line {merge_line})"))
                merge_line = merge_line or at[0]
                source = self.child(node, index, "value", value_node, place, path, depth)[0]
                merged += self.merge(source, value_node)
                height = max(height, source.height)
                continue
            key_built, key_mark, _ = self.child(node, index, "key", key_node, ANYWHERE, path, depth)
            key = key_node.value if key_node.tag == PLAIN else key_built.value  # plain keys are text
            if not isinstance(key, Hashable):
                raise Refused("unhashable key")
            value, _, alias = self.child(node, index, "value", value_node, place.key(key), (*path, key), depth)
            height = max(height, value.height)
            at = (key_mark.line + 1, key_mark.column + 1)
            if key in first_lines:
                self.duplicates.append(YamlProblem(Mark(FILE, *at), (*path, key),
                                                   f"duplicate key {excerpt(str(key))} (first defined at line "
                                                   f"{first_lines[key]})"))
            else:
                first_lines[key] = at[0]
            own.append((key, value.value, at, None if alias or isinstance(value_node, ScalarNode) else value))
        built = Built({}, [], [], height + 1)
        for key, value, at, kid in [(k, v, m, None) for k, v, m in merged] + own:
            if key in built.value:
                position = list(built.value).index(key)
                built.marks[position], built.kids[position] = at, kid
            else:
                built.marks.append(at)
                built.kids.append(kid)
            built.value[key] = value
        return built

    def merge(self, built: Built, node: Node) -> list[tuple[Hashable, Any, tuple[int, int]]]:
        """The pairs a << key merges in, in PyYAML's order: a later one overrides."""
        if isinstance(built.value, dict):
            return list(zip(built.value, built.value.values(), built.marks, strict=True))
        if isinstance(node, SequenceNode) and all(isinstance(item, MappingNode) for item in node.value):
            sources = [self.built[id(item)] for item in node.value]  # (each was built, if only as an alias)
            return [pair for source in reversed(sources) for pair in self.merge(source, node)]
        raise Refused("merge of neither a mapping nor a list of mappings")


def compose(text: str) -> tuple[Node | None, dict[tuple[int, int, str], Any]]:
    """PyYAML's node graph of `text`, and where its aliases are; raise what PyYAML raises."""
    loader = _ReferenceLoader(text)
    try:
        return loader.get_single_node(), loader.alias_marks
    finally:
        loader.dispose()


def reference(root: Node | None, alias_marks: dict[tuple[int, int, str], Any], place: Place,
              ) -> tuple[Any, dict[tuple[Any, ...], tuple[int, int]], list[YamlProblem]]:
    """(data, marks, duplicate keys) of the document `root`, or raise Refused."""
    if root is None:
        return None, {(): (1, 1)}, []
    ref = Reference(alias_marks)
    built = ref.build(root, place, (), 0)
    marks = {(): (root.start_mark.line + 1, root.start_mark.column + 1)}
    if isinstance(root, ScalarNode) and root.tag == PLAIN and root.value == "":
        marks = {(): (1, 1)}  # an empty document (`---`), as no document at all: parsers place it apart
    todo: list[tuple[tuple[Any, ...], Built]] = [] if isinstance(root, ScalarNode) else [((), built)]
    while todo:
        path, inside = todo.pop()
        parts = list(inside.value) if isinstance(inside.value, dict) else range(len(inside.value))
        for part, mark, kid in zip(parts, inside.marks, inside.kids, strict=True):
            marks[(*path, part)] = mark
            if kid is not None:
                todo.append(((*path, part), kid))
    return built.value, marks, ref.duplicates


# --- The check -----------------------------------------------------------------------


def paths_of(value: Any, path: tuple[Any, ...] = ()) -> set[tuple[Any, ...]]:
    paths = {path}
    if isinstance(value, dict):
        for key, item in value.items():
            paths |= paths_of(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            paths |= paths_of(item, (*path, index))
    return paths


def check(text: str, place: Place = ANYWHERE) -> LoadedYaml | None:
    """Check load_yaml on `text` against itself without libyaml and against the
    reference; return what it loaded, if it did."""
    got = outcome(text, place)
    with without_libyaml():
        assert outcome(text, place) == got, "libyaml and PyYAML's own parser disagree"

    # Control characters that YAML forbids are read as U+FFFD (and listed).
    readable = CONTROL_IN_TEXT.sub("\ufffd", text)
    try:
        root, alias_marks = compose(readable)
    except (yaml.YAMLError, ValueError, OverflowError) as exc:  # (chr() of an escape beyond U+10FFFF, or a C int)
        assert got[0] == "refused", (exc, got)
        [(where, _, message)] = got[1]
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        if mark is not None and message not in BOUNDS:
            line = int(where.split(":")[1])
            # The walk builds as it parses: what it cannot build, written before what
            # PyYAML's parser stops at, is the problem given ([!!str] is the tag !!str]).
            assert line == mark.line + 1 or (line < mark.line + 1 and message.startswith(BUILD_PROBLEMS)), (exc, got)
        return None
    try:
        data, marks, duplicates = reference(root, alias_marks, place)
    except Refused as refusal:
        assert got[0] == "refused", (refusal, got)
        if str(refusal) == TOO_DEEP:
            assert [message for _, _, message in got[1]] == [TOO_DEEP]
        return None
    if got[0] == "refused" and any(message in BOUNDS for _, _, message in got[1]):
        return None  # (the bounds are load_yaml's own)
    if duplicates:
        assert got[0] == "refused", got
        assert got[1] == [(str(p.mark), canonical(list(p.path)), p.message)
                          for p in sorted(duplicates, key=lambda p: (p.mark.line, p.mark.column))]
        return None
    assert got[0] == "loaded", got
    assert got[1] == canonical(data)
    assert got[2] == marks
    if not alias_marks and "<<" not in readable:  # (what an alias or merge repeats is marked where first written)
        assert set(marks) == paths_of(data), "every key and item has a mark"
    if CONTROL_IN_TEXT.search(text):
        assert got[3], "the control characters are listed"
    return load_yaml(text, FILE, place=place)


# --- Generated roster-like documents ---------------------------------------------------

# (token, usable inside a flow collection)
PLAIN_SCALARS = [
    *[(token, True) for token in (
        "yes", "No", "ON", "off", "True", "FALSE", "y", "n", "0x1F", "0xfF_1", "012", "0o17", "08",
        "1_000", "1:30", "-1:30:00", "190:20:30", "12:60", "+1", "-0", "0", ".5", "1e3", "1.0e+3",
        "6.8523015e+5", "-.inf", ".NaN", ".Inf", "0.", "3.", "+.5", "1_0.5", "0b101", "-0b1", "0x",
        "2024-01-02", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "~", "null", "Null",
        "NULL", "a#b", "user1@example.com", "First1", "Some P.", "HR-00001", "fr", "é", "日本語", "x:y",
        "-x", "a b", "a  b", "=x", "1.2.3", "operator", "true", "10", ".", "..", "a'b", 'a"b',
        "x::y", "😀x", "+33123456789", "0042", "٣", "²", "=", "2024-13-45",
    )],
    *[(token, False) for token in ("a, b", "a[1]", "a{b}", "http://x.io/a?b=c", "what?", "x #y")],
]
QUOTED_SCALARS = [
    "'quoted # not comment'", "'it''s'", "''", "' spaced '", "'yes'", "'a: b'", "'[x]'", "'日本'",
    "'back\\slash'", '"+33123456789"', '"tab\\there"', '"\\u00e9t\\xe9"', '"a\\"b"', '"back\\\\slash"',
    '"x: y"', '"#hash"', '""', '"\\U0001F600"', '"\\/"', "\"a'b\"", '"\\0\\a\\b\\e\\f\\v\\r\\n\\N\\_\\L\\P\\ "',
    "'true'", '"10"', "'~'",
]  # fmt: skip
TAGGED_SCALARS = ["!!int 0x1F", "!!str 012", "!!bool yes", "!!float 1e3", "!!null ''", "! 12", "!!str"]
PLAIN_KEYS = [
    *[(key, True) for key in (
        "email", "name", "first name", "a#b", "x:y", "yes", "1", "0x1F", "~", "é", "k-1", "Some P.",
        "2024-01-02", "1.5", "-x", "off", "😀", "chat", "enabled", "max", "priority", "roles", "true", "null", "10",
    )],
    *[(key, False) for key in ("a, b", "a[1]")],
]
QUOTED_KEYS = ["'quoted key'", '"dq: key"', "''", '"yes"', "'1'", "'max'"]
TAGGED_KEYS = ["!!int 10", "!!str 1"]


@dataclass
class Scalar:
    token: str
    flow_ok: bool


@dataclass
class Empty:  # no value at all: `key:` or `-`
    pass


@dataclass
class Seq:
    items: list[Any]
    flow: bool


@dataclass
class Map:
    entries: list[tuple[Scalar, Any]]
    flow: bool


scalar_nodes = st.one_of(
    st.sampled_from(PLAIN_SCALARS).map(lambda t: Scalar(*t)),
    st.sampled_from(QUOTED_SCALARS).map(lambda t: Scalar(t, True)),
    st.sampled_from(TAGGED_SCALARS).map(lambda t: Scalar(t, True)),
    st.just(Empty()),
)
key_nodes = st.one_of(
    st.sampled_from(PLAIN_KEYS).map(lambda t: Scalar(*t)),
    st.sampled_from(QUOTED_KEYS).map(lambda t: Scalar(t, True)),
    st.sampled_from(TAGGED_KEYS).map(lambda t: Scalar(t, True)),
)
trees = st.recursive(
    scalar_nodes,
    lambda children: st.one_of(
        st.builds(Seq, st.lists(children, max_size=4), st.booleans()),
        st.builds(Map, st.lists(st.tuples(key_nodes, children), max_size=4), st.booleans()),
    ),
    max_leaves=24,
)


def is_block(node: Any) -> bool:
    return isinstance(node, Seq | Map) and not node.flow and bool(node.items if isinstance(node, Seq) else node.entries)


def flow(draw: st.DrawFn, node: Any) -> str:
    """`node` in flow style, on one line."""
    sep = draw(st.sampled_from([", ", ",", " , ", ",  "]))
    pad = draw(st.sampled_from(["", " "]))
    if isinstance(node, Seq):
        return "[" + pad + sep.join(flow_item(draw, item, in_mapping=False) for item in node.items) + pad + "]"
    if isinstance(node, Map):
        entries = []
        for key, value in node.entries:
            key_text = key.token if key.flow_ok else "'k'"
            colon = ":" if key_text[0] in "'\"" and draw(st.booleans()) else ": "
            entries.append(key_text + colon + flow_item(draw, value, in_mapping=True))
        return "{" + pad + sep.join(entries) + pad + "}"
    return flow_item(draw, node, in_mapping=False)


def flow_item(draw: st.DrawFn, node: Any, *, in_mapping: bool) -> str:
    if isinstance(node, Empty):
        return draw(st.sampled_from(["", "~"])) if in_mapping else "~"
    if isinstance(node, Scalar):
        return node.token if node.flow_ok and node.token != "x #y" else "'q'"
    return flow(draw, node)


def inline(draw: st.DrawFn, node: Any) -> str:
    if isinstance(node, Empty):
        return ""
    if isinstance(node, Scalar):
        return node.token
    return flow(draw, node)


def render_block(draw: st.DrawFn, node: Seq | Map, col: int) -> list[str]:
    lines: list[str] = []
    if isinstance(node, Map):
        for key, value in node.entries:
            head = " " * col + key.token
            if isinstance(value, Empty):
                lines.append(head + ":")
            elif not is_block(value):
                lines.append(head + ": " + inline(draw, value))
            elif isinstance(value, Map):
                lines += [head + ":", *render_block(draw, value, col + draw(st.integers(1, 4)))]
            else:  # sequences may be indented like their key
                lines += [head + ":", *render_block(draw, value, col + draw(st.integers(0, 3)))]
        return lines
    for item in node.items:
        dash = " " * col + "-"
        if isinstance(item, Empty):
            lines.append(dash)
        elif not is_block(item):
            lines.append(dash + " " + inline(draw, item))
        elif draw(st.booleans()):  # compact: `- key: value`, `- - item`
            gap = draw(st.integers(1, 3))
            inner = render_block(draw, item, col + 1 + gap)
            lines += [dash + " " * gap + inner[0].lstrip(" "), *inner[1:]]
        else:
            lines += [dash, *render_block(draw, item, col + draw(st.integers(1, 3)))]
    return lines


def decorate(draw: st.DrawFn, lines: list[str]) -> list[str]:
    """Sprinkle trailing comments, comment lines, blank lines and trailing spaces."""
    out = []
    for line in lines:
        if draw(st.integers(0, 7)) == 0:
            out.append(" " * draw(st.integers(0, 6)) + draw(st.sampled_from(["#", "# note", "#: x", "# café"])))
        if draw(st.integers(0, 9)) == 0:
            out.append(" " * draw(st.integers(0, 3)))
        if draw(st.integers(0, 5)) == 0:
            line += draw(st.sampled_from([" # c", "   #c: d", " #", " # [x, {y"]))
        if draw(st.integers(0, 9)) == 0:
            line += "  "
        out.append(line)
    return out


def render(draw: st.DrawFn, root: Any) -> list[str]:
    if is_block(root):
        return render_block(draw, root, draw(st.sampled_from([0, 0, 0, 2])))
    if isinstance(root, Empty):
        return []
    return [inline(draw, root)]


@st.composite
def documents(draw: st.DrawFn) -> str:
    lines = render(draw, draw(trees))
    return "\n".join(decorate(draw, lines)) + draw(st.sampled_from(["\n", "", "\n\n"]))


@st.composite
def documents_with_aliases(draw: st.DrawFn) -> str:
    """A few anchored values, then uses of them: aliases as items, values and keys,
    and merge keys of one mapping or a list of them."""
    anchored = draw(st.lists(trees, min_size=1, max_size=3))
    lines = [f"d{i}: &a{i} {inline(draw, node)}".rstrip() for i, node in enumerate(anchored)]
    maps = [f"*a{i}" for i, node in enumerate(anchored) if isinstance(node, Map)]
    any_alias = st.sampled_from([f"*a{i}" for i in range(len(anchored))])
    lines.append("uses:")
    for _ in range(draw(st.integers(1, 5))):
        use = draw(st.integers(0, 5))
        if use == 0:
            lines.append(f"  - {draw(any_alias)}")
        elif use == 1:
            lines.append(f"  - key: {draw(any_alias)}")
        elif use == 2:
            lines.append(f"  - [{draw(any_alias)}, x, {draw(any_alias)}]")
        elif use == 3:
            lines.append(f"  - {draw(any_alias)} : value")
        elif maps and use == 4:
            lines += [f"  - <<: {draw(st.sampled_from(maps))}", f"    {draw(key_nodes).token}: own"]
        elif maps:
            chosen = draw(st.lists(st.sampled_from(maps), min_size=1, max_size=3))
            lines.append(f"  - {{<<: [{', '.join(chosen)}], {draw(key_nodes).token}: own}}")
    return "\n".join(lines) + "\n"


# The generated keys as fields of a roster-like place: text, true/false and number
# fields, lists of text, and mappings of the same again.
GENERATED_PLACE = Place(Reading.ANY, {})
GENERATED_PLACE.items = GENERATED_PLACE
assert GENERATED_PLACE.fields is not None
GENERATED_PLACE.fields.update({
    "email": Place(Reading.TEXT), "name": Place(Reading.TEXT), "x:y": Place(Reading.TEXT),
    "enabled": Place(Reading.BOOLEAN), "yes": Place(Reading.BOOLEAN),
    "max": Place(Reading.NUMBER), "priority": Place(Reading.NUMBER),
    "roles": Place(Reading.TEXT, items=Place(Reading.TEXT)), "1": Place(Reading.NUMBER, items=Place(Reading.NUMBER)),
    "chat": GENERATED_PLACE, "key": GENERATED_PLACE, "uses": GENERATED_PLACE,
})  # fmt: skip
PLACES = st.sampled_from([ANYWHERE, GENERATED_PLACE])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), PLACES)
def test_generated_documents_agree_with_the_reference(text: str, place: Place) -> None:
    check(text, place)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents_with_aliases(), PLACES)
@example("d0: &a0 {x: 1, y: 2}\nuses:\n  - <<: *a0\n    x: own\n", ANYWHERE)
@example("d0: &a0 [{x: 1}]\nuses:\n  - <<: *a0\n", ANYWHERE)  # a merged list named by an alias
def test_generated_documents_with_aliases_agree_with_the_reference(text: str, place: Place) -> None:
    check(text, place)


def test_most_generated_documents_load() -> None:
    """Guards the generators above: the oracle is of little use on refused documents."""
    loaded = 0

    @settings(max_examples=200, deadline=None, database=None)
    @given(st.one_of(documents(), documents_with_aliases()))
    def count(text: str) -> None:
        nonlocal loaded
        try:
            load_yaml(text, FILE)
            loaded += 1
        except YamlLoadError:
            pass

    count()
    assert loaded >= 100


@settings(max_examples=100, deadline=None)
@given(documents())
def test_crlf_line_ends_give_the_same_result(text: str) -> None:
    try:
        expected = load_yaml(text, FILE)
    except YamlLoadError as exc:
        with pytest.raises(YamlLoadError) as crlf_exc:
            load_yaml(text.replace("\n", "\r\n"), FILE)
        assert crlf_exc.value.problems == exc.problems
        return
    loaded = load_yaml(text.replace("\n", "\r\n"), FILE)
    assert canonical(loaded.data) == canonical(expected.data)
    assert loaded.marks == expected.marks


# --- yaml.safe_dump output ------------------------------------------------------------

dumpable_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(["yes", "012", "1:30", "2024-01-02", "~", "a: b", "#x", "- x", "a #b", "é", "x\ny"]),
    st.dates(),
    st.datetimes(),
)
dumpable = st.recursive(
    dumpable_scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8) | st.integers() | st.booleans(), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dumpable, st.sampled_from([False, True, None]), st.sampled_from([2, 4]))
def test_safe_dump_output_agrees_with_the_reference(obj: Any, default_flow_style: bool | None, indent: int) -> None:
    text = yaml.safe_dump(obj, default_flow_style=default_flow_style, indent=indent, allow_unicode=True)
    check(text)  # (PyYAML itself does not round-trip all text, e.g. "\x85")


TRICKY_DOCUMENTS = [
    "{a :b}", "{a : b}", '{"a" :b}', "[a :b]", "{x:}", "{x: }", '{"x":1}', "a: [x, ]", "a: {x: 1,}", "- 'a'#c",
    "a: 'x'#c", "a: [x]#c", "[-]", "[-x, - y]", "key: -", "key: -1", "- -", "- - -", "a:b: c", "a:: b", "a: b:",
    "a: b: c", "-: x", "a #b: c", "a: #b: c", "'a':b", "'a' : b", "? a", "a:\n  b", "a:\n- b\nc: d",
    "a:\n  - b\n  c: d", "- a: 1\n - b", "- a: 1\n  - b", "a: 1\n b", "a: 1\n# c\n b: 2", "x\ny",
    "'x'\n'y'", "[a,\n b]", "a: '\n  b'", "...: x", "---: x", " ---", "%: x", "a: %x", "a: @x", "a: `x",
    "k" * 1100 + ": v", "'" + "k" * 1100 + "': v", "{" + "k" * 1100 + ": v}", "a: <<", "<<: {b: 1}", "=: 1",
    "a: =", "a\u00a0b: c\u00a0", "a: b\u2028c", "a: b\x85c", "\ufeffa: b", "a: \\", 'a: "\\x4"', 'a: "\\q"',
    "a: [b]]", "a: {b: c}}", "a: [b, [c, {d: [e]}]]", "[[[[[]]]]]", "- {a: [b, {c: d}]} # x",
    # anchors, aliases, merge keys, tags
    "a: &x 1\nb: *x", "- &x [1]\n- *x\n- [*x]", "&a a: *a", "a: &x {k: v}\n*x : 1", "a: *nowhere", "*a",
    "a: &x 1\nb: &x 2", "- &a [*a]", "<<: [{a: 1}, {a: 2, b: 3}]\nb: 4", "<<: 1", "<<: [{a: 1}, 2]", "<<: []",
    "a: !!set {x}", "a: !!omap [{x: 1}]", "a: !foo x", "a: !!value x", "? [a]\n: 1", "? {a: 1}\n: 1",
    "a: !!binary aGk=", "when: !!timestamp 2024-01-02", "when: !!timestamp 2024-13-45", "? !!int 1\n: a\n'1': b",
    # tabs and block scalars, which libyaml reads more leniently than PyYAML's own parser
    "a:\tb", "a: b\t# c", "a: b\tc", "a: 'b\tc'", "a: b  # c\td", "- a\t", "a: |\n  x\ty\n", "a: |-\n\tx\n",
    "a: |2\n   x\n", "a: >+\n  x\n\n", "a: |1-\n  x\n", "a: |\n\n  x\n", "a: |\n x\n  y\n", "[a,\tb]", "{a:\tb}",
    "a: -\tb", "a:\n\t- b", "'a'\t: b",
    # what the hand-written parser left to PyYAML (its tests' "fallback documents")
    "pseudo: Some\n  Person\nnext: 1\n", 'pseudo: "Some\n  Person"\n', "a: [x: 1]\n", 'a: "x\\\n  y"\n',
    "note: >-\n  folded\n  text\n", "id: !!str 123\nflag: !!bool yes\n",
]  # fmt: skip


@pytest.mark.parametrize("text", TRICKY_DOCUMENTS)
def test_tricky_documents_agree_with_the_reference(text: str) -> None:
    check(text)
    check(text + "\n")


# --- Line soup: mostly invalid or odd YAML ---------------------------------------------

FRAGMENTS = [
    "- ", "-", "key", "k2", ": ", ":", "a", "1", "yes", "#", " # c", "[", "]", "{", "}", ", ", ",", "'", '"',
    "&a ", "*a", "!!str ", "|", ">", "? ", "---", "...", "%YAML 1.1", "1:30", "\\", "x:y", "  ", " ", "~",
    "<<", "=", "'q'", '"d\\n"', "@", "`", "\t", "é", "2024-13-45", " :", ":x", "?x", "-x", "a b", ".inf", "0x1",
    "|-", ">2", "!!int ", "&b ", "*b", "<<: *a", "?", "a?", "!", "!!str", "!x,", "\r",
]  # fmt: skip
soup_lines = st.tuples(st.integers(0, 6), st.lists(st.sampled_from(FRAGMENTS), max_size=6)).map(
    lambda t: " " * t[0] + "".join(t[1])
)


@settings(max_examples=600, deadline=None)
@given(st.lists(soup_lines, max_size=8).map("\n".join))
def test_line_soup_agrees_with_the_reference(text: str) -> None:
    check(text)


@st.composite
def mutated_documents(draw: st.DrawFn) -> str:
    """Generated documents with a few characters inserted or deleted: near misses."""
    text = draw(st.one_of(documents(), documents_with_aliases()))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()) and at < len(text):
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] + draw(st.sampled_from(FRAGMENTS + ["\n", "\n ", "\n- "])) + text[at:]
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_documents(), PLACES)
@example('["\\Ua0001F600"]', ANYWHERE)  # an escape beyond a C int: OverflowError, not ValueError, in chr()
def test_mutated_documents_agree_with_the_reference(text: str, place: Place) -> None:
    check(text, place)


@pytest.mark.parametrize("escape", ["\\U00110000", "\\Ua0001F600", "\\Uffffffff"])
def test_an_escape_beyond_unicode_is_a_problem_at_the_escape_with_either_parser(escape: str) -> None:
    text = f'version: 1\nname: "Ada {escape}"\n'
    for libyaml in (True, False):
        with parser(libyaml), pytest.raises(YamlLoadError) as caught:
            load_yaml(text, FILE)
        assert [str(p) for p in caught.value.problems] == [
            f"{FILE}:2:14: invalid YAML: found an escape beyond \\U0010FFFF, which names no character"]


# --- What libyaml reads otherwise than PyYAML's own parser -----------------------------
# Each was found by the oracle above: accepted, read or marked otherwise with libyaml.

TAB_OUTSIDE = ("invalid YAML: a tab outside quotes and comments, which YAML parsers read differently: write spaces "
               "instead")


@pytest.mark.parametrize(("text", "problem"), [
    # libyaml ends a tag at a flow indicator (['', 'x']); PyYAML's scanner takes it in
    ("a: [!!str, x]\n", "1:5: invalid YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:str,'"),
    ("a: [!, x]\n", "1:5: invalid YAML: could not determine a constructor for the tag '!,'"),
    # libyaml reads a ? in a flow plain scalar ('Returns?'); PyYAML's scanner ends the scalar there
    ("skills: [Returns?, x]\n", "1:17: invalid YAML: expected ',' or ']', but got '?'"),
    ("chat: {pseudo: Who?}\n", "1:19: invalid YAML: expected ',' or '}', but got '?'"),
    # a tab after a quoted scalar holding a #, which is no comment
    ("a: ['b #'\t]\n", f"1:10: {TAB_OUTSIDE}"),
    ("a: 'b #'\t# c\n", f"1:9: {TAB_OUTSIDE}"),
])  # fmt: skip
def test_what_libyaml_alone_accepts_is_refused_whatever_the_parser(text: str, problem: str) -> None:
    for libyaml in (True, False):
        with parser(libyaml), pytest.raises(YamlLoadError) as caught:
            load_yaml(text, FILE)
        assert [str(p) for p in caught.value.problems] == [f"{FILE}:{problem}"]


@pytest.mark.parametrize(("text", "marks"), [
    ("{? : b}\n", {(): (1, 1), ("",): (1, 3)}),  # libyaml: 1:4, where the next token is
    ("[x, ? ]\n", {(): (1, 1), (0,): (1, 2), (1,): (1, 5), (1, ""): (1, 6)}),
    ("---", {(): (1, 1)}),  # an empty document (libyaml: 2:1, PyYAML: 1:4)
    ("--- # c\n", {(): (1, 1)}),
])
def test_empty_scalars_are_marked_alike_whatever_the_parser(text: str, marks: dict[Any, tuple[int, int]]) -> None:
    for libyaml in (True, False):
        with parser(libyaml):
            assert marks_of(load_yaml(text, FILE)) == marks


def test_control_characters_are_found_where_pyyamls_parser_reads_what_libyaml_refuses() -> None:
    text = 'x: {a:[], b: "tab\\there"}\n'  # (libyaml refuses `a:[]`, PyYAML's parser reads it)
    for libyaml in (True, False):
        with parser(libyaml):
            loaded = load_yaml(text, FILE)
        assert loaded.data == {"x": {"a": [], "b": "tab\there"}}
        assert [(c.character, c.path) for c in loaded.controls] == [("\t", ("x", "b"))]


@pytest.mark.skipif(not HAVE_LIBYAML, reason="PyYAML without libyaml")
def test_what_rosters_commonly_hold_is_read_by_libyaml_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """PyYAML's own parser is ten times slower: ?, !, | and > in block values, tabs in
    comments and flow lists must not send a roster to it."""
    def forbidden(text: str) -> None:
        raise AssertionError("read by PyYAML's own parser")

    monkeypatch.setattr(yaml, "SafeLoader", forbidden)
    text = ("version: 1\noperators:\n  - email: ada@example.com  # the\tlead\n    pseudo: Qui? Moi!, oui\n"
            "    name: a | b > c ?\n    roles: [operator, expert]\n    chat: {enabled: true, max: 4}\n"
            "    skills: [Returns, 101]\n")
    assert load_yaml(text, FILE, place=ROSTER_PLACE).data["operators"][0]["pseudo"] == "Qui? Moi!, oui"


# --- Plain scalars: read by their place -------------------------------------------------

# (The hand-written parser, like PyYAML, read these by YAML 1.1's implicit types; its
# test of that is replaced: a roster reads them as typed, issue 12.)
# What YAML 1.1 (PyYAML's implicit resolvers) makes booleans, numbers and dates; and
# what YAML 1.2 (an editor) makes numbers, or YAML 1.1's spec (not PyYAML) booleans.
YAML_1_1_SPECIALS = ["yes", "No", "on", "OFF", "0x1F", "0b11", "1_000", "1:30", "-1:30:00", ".5", "1.0e+3", "-.inf",
                     ".NaN", "2024-01-02", "2001-12-14 21:59:43.10 -5", "08.5", "+1_0"]
OTHER_SPECIALS = ["1e3", "-1E-3", "0o17", ".inf", "y", "n"]


@pytest.mark.parametrize("token", YAML_1_1_SPECIALS + OTHER_SPECIALS)
def test_yaml_specials_are_text_anywhere(token: str) -> None:
    if token in YAML_1_1_SPECIALS:
        assert not isinstance(yaml.safe_load(f"a: {token}")["a"], str)  # (as PyYAML would have it)
    loaded = check(f"a: {token}\nb: [{token}]\n{token}: c\n")
    assert loaded is not None and loaded.data == {"a": token, "b": [token], token: "c"}


@pytest.mark.parametrize("token", ["2024-13-45", "2024-02-30", "="])
def test_what_yaml_1_1_could_not_build_is_text_when_untagged(token: str) -> None:
    with pytest.raises((yaml.YAMLError, ValueError)):
        yaml.safe_load(f"a: {token}")  # (a date, or a 'value', that PyYAML cannot build)
    loaded = check(f"a: {token}\n")
    assert loaded is not None and loaded.data == {"a": token}


@pytest.mark.parametrize(("token", "anywhere", "text", "boolean", "number"), [
    ("012", 12, "012", "012", 12),  # decimal, never octal
    ("0042", 42, "0042", "0042", 42),
    ("-7", -7, "-7", "-7", -7),
    ("+33123456789", 33123456789, "+33123456789", "+33123456789", 33123456789),
    ("10", 10, "10", "10", 10),
    ("true", True, "true", True, "true"),
    ("TRUE", True, "TRUE", True, "TRUE"),
    ("False", False, "False", False, "False"),
    ("yes", "yes", "yes", "yes", "yes"),
    ("1", 1, "1", "1", 1),
    ("7.5", "7.5", "7.5", "7.5", "7.5"),
    ("٣", "٣", "٣", "٣", "٣"),  # a digit, but not a decimal ASCII one
    ("~", None, None, None, None),
    ("null", None, None, None, None),
    ("NULL", None, None, None, None),
    ("nULL", "nULL", "nULL", "nULL", "nULL"),
    ("", None, None, None, None),
])  # fmt: skip
def test_a_plain_scalar_is_read_by_its_place(token: str, anywhere: Any, text: Any, boolean: Any,
                                             number: Any) -> None:
    place = Place(Reading.ANY, {"t": Place(Reading.TEXT), "b": Place(Reading.BOOLEAN), "n": Place(Reading.NUMBER),
                                "l": Place(Reading.TEXT, items=Place(Reading.TEXT))})
    document = f"a: {token}\nt: {token}\nb: {token}\nn: {token}\nl: [{token}]\n"
    loaded = check(document, place)
    assert loaded is not None
    assert canonical(loaded.data) == canonical({"a": anywhere, "t": text, "b": boolean, "n": number,
                                                "l": [text] if token else []})


def test_quoted_block_and_tagged_scalars_are_not_read_by_their_place() -> None:
    place = Place(Reading.ANY, {"n": Place(Reading.NUMBER, items=Place(Reading.NUMBER)),
                                "t": Place(Reading.TEXT, items=Place(Reading.TEXT)), "b": Place(Reading.NUMBER)})
    loaded = check("n: ['12', \"true\", !!int 0x1F, ! 7, ~]\nt: [!!int 12, !!bool true, '~']\nb: >-\n  12\n", place)
    assert loaded is not None
    assert canonical(loaded.data) == canonical({"n": ["12", "true", 31, "7", None], "t": [12, True, "~"], "b": "12"})


def test_mapping_keys_are_text_as_written() -> None:
    loaded = load_yaml("0042: a\nyes: b\n~: c\n1:30: d\nnull: e\n!!int 10: f\n", FILE)
    assert canonical(loaded.data) == canonical({"0042": "a", "yes": "b", "~": "c", "1:30": "d", "null": "e", 10: "f"})


def test_an_aliased_scalar_is_read_by_the_place_of_each_alias() -> None:
    place = Place(Reading.ANY, {"t": Place(Reading.TEXT), "n": Place(Reading.NUMBER), "b": Place(Reading.BOOLEAN)})
    loaded = check("a: &x 0042\nt: *x\nn: *x\nb: &y true\nc: *y\n", place)
    assert loaded is not None and loaded.data == {"a": 42, "t": "0042", "n": 42, "b": True, "c": True}


def test_a_roster_reads_its_fields_as_typed() -> None:
    loaded = check("version: 1\noperators:\n  - email: 0042@example.com\n    external_id: 0042\n"
                   "    chat: {enabled: yes, max: 010}\n    skills: [Returns, 103, 7.5]\n"
                   "    call_config: {phone_number: +33123456789}\n    languages: [no, on]\n", ROSTER_PLACE)
    assert loaded is not None
    assert loaded.data["operators"] == [{
        "email": "0042@example.com", "external_id": "0042", "chat": {"enabled": "yes", "max": 10},
        "skills": ["Returns", 103, "7.5"], "call_config": {"phone_number": "+33123456789"}, "languages": ["no", "on"],
    }]


def test_equal_scalars_do_not_share_containers() -> None:
    loaded = load_yaml("a: [x]\nb: [x]\nc: {k: v}\nd: {k: v}\n", FILE)
    assert loaded.data["a"] is not loaded.data["b"]
    assert loaded.data["c"] is not loaded.data["d"]


# --- Marks -------------------------------------------------------------------------------

SAMPLE = """\
version: 1
# the operators
operators:
  - email: user1@example.com
    external_id: HR-00001
    roles: [operator, expert]
    chat: {enabled: true, max: 4, priority: 10}
    call:
      enabled: true
    languages: [fr, en]   # trailing comment
  -   email: user2@example.com
  -
    email: 'user3@example.com'
groups:
- 7
-
- [1, 2]
"""


def test_marks_of_keys_and_items() -> None:
    loaded = check(SAMPLE)
    assert loaded is not None
    assert marks_of(loaded) == {
        (): (1, 1),
        ("version",): (1, 1),
        ("operators",): (3, 1),
        ("operators", 0): (4, 5),  # a sequence item: where its value starts
        ("operators", 0, "email"): (4, 5),  # a mapping entry: where its key starts
        ("operators", 0, "external_id"): (5, 5),
        ("operators", 0, "roles"): (6, 5),
        ("operators", 0, "roles", 0): (6, 13),
        ("operators", 0, "roles", 1): (6, 23),
        ("operators", 0, "chat"): (7, 5),
        ("operators", 0, "chat", "enabled"): (7, 12),
        ("operators", 0, "chat", "max"): (7, 27),
        ("operators", 0, "chat", "priority"): (7, 35),
        ("operators", 0, "call"): (8, 5),
        ("operators", 0, "call", "enabled"): (9, 7),
        ("operators", 0, "languages"): (10, 5),
        ("operators", 0, "languages", 0): (10, 17),
        ("operators", 0, "languages", 1): (10, 21),
        ("operators", 1): (11, 7),
        ("operators", 1, "email"): (11, 7),
        ("operators", 2): (13, 5),
        ("operators", 2, "email"): (13, 5),
        ("groups",): (14, 1),
        ("groups", 0): (15, 3),
        ("groups", 1): (16, 2),  # an empty item: just after its '-', as PyYAML has it
        ("groups", 2): (17, 3),
        ("groups", 2, 0): (17, 4),
        ("groups", 2, 1): (17, 7),
    }


def test_mark_for_a_missing_path_is_the_mark_of_its_nearest_parent() -> None:
    loaded = load_yaml(SAMPLE, FILE)
    assert loaded.mark_for(("operators", 0, "chat", "priority")) == Mark(FILE, 7, 35)
    assert loaded.mark_for(("operators", 0, "chat", "video", "enabled")) == Mark(FILE, 7, 5)
    assert loaded.mark_for(("operators", 9, "email")) == Mark(FILE, 3, 1)
    assert loaded.mark_for(("nothing",)) == Mark(FILE, 1, 1)


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n\n   # another\n"])
def test_an_empty_document_is_none_marked_at_1_1(text: str) -> None:
    for libyaml in (True, False):
        with parser(libyaml):
            loaded = load_yaml(text, FILE)
        assert loaded.data is None and dict(loaded.marks.items()) == {(): Mark(FILE, 1, 1)}


def test_a_document_may_start_indented_after_comments() -> None:
    loaded = check("# roster\n\n  a: 1\n  b: [x]\n")
    assert loaded is not None and loaded.data == {"a": 1, "b": ["x"]}
    assert marks_of(loaded) == {(): (3, 3), ("a",): (3, 3), ("b",): (4, 3), ("b", 0): (4, 7)}


ALIASES = "base: &chat {enabled: true, max: 4}\nops:\n  - chat: *chat\n  - *chat\n  - [*chat]\n"


def test_an_alias_is_marked_where_it_is_written_and_what_it_repeats_where_that_is() -> None:
    loaded = check(ALIASES)
    assert loaded is not None
    assert loaded.data["ops"] == [{"chat": {"enabled": True, "max": 4}}, {"enabled": True, "max": 4},
                                  [{"enabled": True, "max": 4}]]
    marks = marks_of(loaded)
    assert marks[("ops", 0, "chat")] == (3, 5)  # a mapping entry: its key
    assert marks[("ops", 1)] == (4, 5)  # a list item that is an alias: the alias (PyYAML's node: the anchor, 1:7)
    assert marks[("ops", 2, 0)] == (5, 6)
    assert marks[("base", "max")] == (1, 29)
    assert ("ops", 1, "max") not in marks  # what an alias repeats is marked where it is first written only
    assert loaded.mark_for(("ops", 1, "max")) == Mark(FILE, 4, 5)  # paths inside an alias point at the alias


def test_an_alias_as_a_key_is_marked_where_it_is_written() -> None:
    loaded = check("a: &k name\n*k : 1\n")
    assert loaded is not None and loaded.data == {"a": "name", "name": 1}
    assert marks_of(loaded)[("name",)] == (2, 1)


def test_a_block_scalar_keeps_the_marks_of_what_follows() -> None:
    loaded = check("note: |\n  line 1\n  line 2\nnext: 1\n")
    assert loaded is not None
    assert loaded.data == {"note": "line 1\nline 2\n", "next": 1}
    assert loaded.marks[("next",)] == Mark(FILE, 4, 1)


def alias_doubling(levels: int) -> str:
    lines = ["a0: &a0 [x, y]"] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_aliases_do_not_explode_the_marks() -> None:
    loaded = load_yaml(alias_doubling(10), FILE)  # 2**11 entries written out: within the bounds
    assert len(dict(loaded.marks.items())) < 100


# --- Merge keys --------------------------------------------------------------------------


def test_a_merged_mapping_gives_its_keys_and_own_keys_win() -> None:
    loaded = check("base: &b {max: 4, priority: 1}\nop:\n  <<: *b\n  priority: 2\n")
    assert loaded is not None
    assert list(loaded.data["op"].items()) == [("max", 4), ("priority", 2)]
    assert loaded.marks[("op", "priority")] == Mark(FILE, 4, 3)  # the overriding key
    assert loaded.marks[("op", "max")] == Mark(FILE, 1, 11)  # merged: where it is written


def test_of_a_merged_list_the_first_mapping_wins() -> None:
    text = "a: &a {xx: 1, y: 1}\nb: &b {z: 2, xx: 2}\nc: {<<: [*a, *b], w: 0}\nd:\n  <<: [*b, *a]\n  z: 3\n"
    loaded = check(text)
    assert loaded is not None
    assert loaded.data["c"] == {"xx": 1, "y": 1, "z": 2, "w": 0}
    assert loaded.data["d"] == {"xx": 2, "y": 1, "z": 3}
    assert loaded.marks[("c", "xx")] == Mark(FILE, 1, 8)  # the winner's
    assert loaded.marks[("d", "z")] == Mark(FILE, 6, 3)


def test_a_merged_list_may_be_named_by_an_alias() -> None:
    loaded = check("shared: &l [{a: 1}, {a: 2, b: 3}]\nop:\n  <<: *l\n  c: 4\n")
    assert loaded is not None
    assert loaded.data["op"] == {"a": 1, "b": 3, "c": 4}
    assert loaded.marks[("op", "b")] == Mark(FILE, 1, 28)


def test_a_second_merge_key_in_a_mapping_is_a_duplicate_key() -> None:
    # PyYAML merges both; like any key, << is written once (a list merges several).
    text = "b: &b {x: 1}\nc: &c {y: 2}\na:\n  <<: *b\n  z: 3\n  <<: *c\nok:\n  <<: [*b, *c]\n"
    assert check(text) is None
    with pytest.raises(YamlLoadError) as caught:
        load_yaml(text, FILE)
    assert [str(p) for p in caught.value.problems] == ["roster.yaml:6:3: duplicate key '<<' (first defined at line 4)"]


@pytest.mark.parametrize("text", ["a:\n  <<: 1\n", "a:\n  <<: [{x: 1}, 2]\n", "s: &s x\na:\n  <<: *s\n",
                                  "l: &l [{x: 1}, 2]\na:\n  <<: *l\n"])
def test_merging_what_is_not_mappings_is_refused(text: str) -> None:
    with pytest.raises(YamlLoadError) as caught:
        load_yaml(text, FILE)
    assert [(p.mark.line, p.message) for p in caught.value.problems] == [
        (text.count("\n"), "invalid YAML: expected a mapping or list of mappings for merging")]
    assert check(text) is None


# --- Problems ----------------------------------------------------------------------------

DUPLICATES = """\
operators:
  - email: a@example.com
    name: A
    email: b@example.com
    chat: {enabled: true, max: 2, enabled: false}
  - email: c@example.com
version: 1
version: 2
"""


def test_duplicate_keys_are_all_reported_at_once() -> None:
    assert check(DUPLICATES) is None
    with pytest.raises(YamlLoadError) as caught:
        load_yaml(DUPLICATES, FILE)
    assert caught.value.problems == [
        YamlProblem(Mark(FILE, 4, 5), ("operators", 0, "email"), "duplicate key 'email' (first defined at line 2)"),
        YamlProblem(
            Mark(FILE, 5, 35), ("operators", 0, "chat", "enabled"), "duplicate key 'enabled' (first defined at line 5)"
        ),
        YamlProblem(Mark(FILE, 8, 1), ("version",), "duplicate key 'version' (first defined at line 7)"),
    ]
    assert str(caught.value) == (
        "roster.yaml:4:5: duplicate key 'email' (first defined at line 2)\n"
        "roster.yaml:5:35: duplicate key 'enabled' (first defined at line 5)\n"
        "roster.yaml:8:1: duplicate key 'version' (first defined at line 7)"
    )


def test_keys_are_duplicates_when_their_text_is() -> None:
    # Keys are text: 2 and '2' are one key (YAML 1.1 made 2 an int, so they were not),
    # 2 and 0x2 two keys, yes and true two keys (YAML 1.1 made them the same int, bool).
    # A tagged key is what its tag says: !!int 2 is neither.
    text = "2: a\n0x2: b\nyes: c\ntrue: d\n'2': e\n!!int 2: f\n? !!int 2\n: g\n"
    assert check(text) is None
    with pytest.raises(YamlLoadError) as caught:
        load_yaml(text, FILE)
    assert [(p.mark.line, p.path, p.message) for p in caught.value.problems] == [
        (5, ("2",), "duplicate key '2' (first defined at line 1)"),
        (7, (2,), "duplicate key '2' (first defined at line 6)"),
    ]


def test_a_duplicate_key_in_an_anchored_mapping_is_reported_once() -> None:
    text = "a: &x {k: 1, k: 2}\nb: *x\nc: |\n  text\nc: 2\n"
    assert check(text) is None
    with pytest.raises(YamlLoadError) as caught:
        load_yaml(text, FILE)
    assert [str(p) for p in caught.value.problems] == [
        "roster.yaml:1:14: duplicate key 'k' (first defined at line 1)",
        "roster.yaml:5:1: duplicate key 'c' (first defined at line 3)",
    ]


def test_a_syntax_error_is_reported_with_pyyamls_message_and_mark() -> None:
    text = "operators:\n  - email: a@example.com\n    name: A: B\n"
    assert check(text) is None
    with pytest.raises(YamlLoadError) as caught:
        load_yaml(text, FILE)
    assert caught.value.problems == [
        YamlProblem(Mark(FILE, 3, 12), (), "invalid YAML: mapping values are not allowed here")
    ]
    assert str(caught.value) == "roster.yaml:3:12: invalid YAML: mapping values are not allowed here"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a:\n  - b\n c: 1\n", 3, "invalid YAML: expected <block end>, but found '<block mapping start>'"),
        ("a: [b, c\n", 2, "invalid YAML: expected ',' or ']', but got '<stream end>'"),
        ("a: 'b\n", 2, "invalid YAML: found unexpected end of stream"),
        ("a: 1\n\tb: 2\n", 2, "invalid YAML: a tab outside quotes and comments, which YAML parsers read differently: "
                              "write spaces instead"),
        ("a:\tb\n", 1, "invalid YAML: a tab outside quotes and comments, which YAML parsers read differently: "
                       "write spaces instead"),  # libyaml reads it; PyYAML's own parser does not
        ("a: *nowhere\n", 1, "invalid YAML: found undefined alias 'nowhere'"),
        ("a: &x 1\nb: &x 2\n", 2, "invalid YAML: found the anchor 'x' a second time (first at line 1)"),
        ("a: 1\n---\nb: 2\n", 2, "invalid YAML: expected a single document in the stream, but found another document"),
        # Untagged, 2024-13-45 and = are text now (YAML 1.1 made them a date and a 'value'
        # that could not be built); with their tags they still cannot be built.
        ("when: !!timestamp 2024-13-45\n", 1, "invalid YAML: cannot build value: month must be in 1..12"),
        ("a: !!value =\n", 1, "invalid YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:value'"),
        ("a: !!set {x}\n", 1, "invalid YAML: a roster has no use for the tag 'tag:yaml.org,2002:set'"),
        ("a: !!omap [{x: 1}]\n", 1, "invalid YAML: a roster has no use for the tag 'tag:yaml.org,2002:omap'"),
        ("? [a]\n: 1\n", 1, "invalid YAML: found unhashable key"),
        ("a: \ufffe\n", 1, "invalid YAML: unacceptable character '\\ufffe': special characters are not allowed"),
    ],
)
def test_invalid_documents_give_one_problem_whatever_the_parser(text: str, line: int, message: str) -> None:
    check(text)  # (the same problems without libyaml)
    with pytest.raises(YamlLoadError) as caught:
        load_yaml(text, FILE)
    assert [(p.mark.line, p.path, p.message) for p in caught.value.problems] == [(line, (), message)]


def test_a_document_of_several_documents_is_refused_whatever_they_hold() -> None:
    for text in ("---\na: 1\n---\n", "a: 1\n...\n---\nb: 2\n", "--- 1\n--- 2\n"):
        assert check(text) is None
        with pytest.raises(YamlLoadError) as caught:
            load_yaml(text, FILE)
        assert [p.message for p in caught.value.problems] == [
            "invalid YAML: expected a single document in the stream, but found another document"]


def test_an_explicit_document_is_one_document() -> None:
    loaded = check("---\na: 1\n...\n")
    assert loaded is not None and loaded.data == {"a": 1}
    assert marks_of(loaded) == {(): (2, 1), ("a",): (2, 1)}


# --- Control characters ------------------------------------------------------------------


@pytest.mark.parametrize(("text", "where", "path"), [
    ("a: x\x1by\n", (1, 5), ("a",)),  # written as itself
    ('a: "x\\ey"\n', (1, 4), ("a",)),  # as an escape: where its scalar starts
    ("k\x07: 1\n", (1, 2), ("k\ufffd",)),  # in a key
    ("a: 1  # \x1b\n", (1, 9), None),  # in a comment
])  # fmt: skip
def test_control_characters_are_listed_where_written_by_either_parser(text: str, where: tuple[int, int],
                                                                      path: Any) -> None:
    loaded = check(text)
    assert loaded is not None
    [control] = loaded.controls
    assert ((control.mark.line, control.mark.column), control.path) == (where, path)


def test_a_document_that_fails_still_lists_its_control_characters() -> None:
    with pytest.raises(YamlLoadError) as caught:
        load_yaml("a: [x\x1b\n", FILE)
    assert [c.character for c in caught.value.controls] == ["\x1b"]


# --- Bounds ------------------------------------------------------------------------------


def test_an_alias_bomb_is_refused_for_what_it_expands_to() -> None:
    """'Billion laughs': 2**25 entries once the aliases are written out, which is what the
    steps after the parse (validation, merging) would walk."""
    for libyaml in (True, False):
        with parser(libyaml):
            with pytest.raises(YamlLoadError) as caught:
                load_yaml(alias_doubling(25), FILE)
        assert [(str(p.mark), p.message) for p in caught.value.problems] == [(f"{FILE}:1:1", TOO_MANY_ENTRIES)]


@pytest.mark.parametrize("text", ["&a [*a]", "a: &a {b: *a}", "- &a [[[*a]]]", "a: &a\n  <<: *a\n"])
def test_an_alias_inside_what_it_names_is_too_deep(text: str) -> None:
    check(text)
    with pytest.raises(YamlLoadError) as caught:
        load_yaml(text, FILE)
    assert [p.message for p in caught.value.problems] == [TOO_DEEP]


def test_the_bounds_hold_with_either_parser() -> None:
    deep = "x: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n"
    long = "x: " + "a" * 5_000 + "\n"
    many = "x: [" + ", ".join(["1"] * 50) + "]\n"
    for text, max_entries, message in ((deep, 1_000, TOO_DEEP), (long, 1_000, VALUE_TOO_LONG),
                                       (many, 40, TOO_MANY_ENTRIES)):
        problems = []
        for libyaml in (True, False):
            with parser(libyaml):
                with pytest.raises(YamlLoadError) as caught:
                    load_yaml(text, FILE, max_entries=max_entries)
            problems.append(caught.value.problems)
        assert problems[0] == problems[1]
        assert [p.message for p in problems[0]] == [message]


# --- A large roster ----------------------------------------------------------------------

OPERATOR = """\
  - email: user{i}@example.com
    external_id: {i:05d}
    first_name: First{i}
    name: Last{i}
    pseudo: Some P.
    roles: [operator, expert]
    chat: {{enabled: true, max: 4, priority: 10}}
    call:
      enabled: true
      priority: 0
    languages: [fr, no]   # trailing comment
    language_admin: fr
    group: {group}
    websites: [123, Maison FR]
    skills: [101]
"""


def roster(n_operators: int) -> str:
    return "version: 1\noperators:\n" + "".join(OPERATOR.format(i=i, group=i % 13) for i in range(n_operators))


def test_a_small_roster_agrees_with_the_reference() -> None:
    loaded = check(roster(30), ROSTER_PLACE)
    assert loaded is not None
    assert loaded.data["operators"][7]["external_id"] == "00007"


def test_a_150000_line_roster_is_read_as_typed_and_marked() -> None:
    text = roster(10_000)
    assert text.count("\n") >= 150_000
    loaded = load_yaml(text, FILE, place=ROSTER_PLACE)
    operators = loaded.data["operators"]
    assert len(operators) == 10_000
    assert operators[9_999] == {
        "email": "user9999@example.com",
        "external_id": "09999",
        "first_name": "First9999",
        "name": "Last9999",
        "pseudo": "Some P.",
        "roles": ["operator", "expert"],
        "chat": {"enabled": True, "max": 4, "priority": 10},
        "call": {"enabled": True, "priority": 0},
        "languages": ["fr", "no"],
        "language_admin": "fr",
        "group": 9_999 % 13,
        "websites": [123, "Maison FR"],
        "skills": [101],
    }
    last = 2 + 9_999 * 15
    assert loaded.marks[("operators", 9_999)] == Mark(FILE, last + 1, 5)
    assert loaded.marks[("operators", 9_999, "chat", "priority")] == Mark(FILE, last + 7, 35)
    assert loaded.marks[("operators", 9_999, "skills", 0)] == Mark(FILE, last + 15, 14)
    assert len(loaded.marks) == len(dict(loaded.marks.items()))
