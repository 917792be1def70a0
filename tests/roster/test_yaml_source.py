"""rostersync.roster.yaml_source: the fast parser and the PyYAML fallback must both
give exactly what yaml.SafeLoader gives, with the same marks."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rostersync.roster import yaml_source
from rostersync.roster.limits import CONTROL_IN_TEXT, TOO_DEEP, TOO_MANY_ENTRIES, VALUE_TOO_LONG
from rostersync.roster.yaml_source import (
    FastPathUnsupported,
    LoadedYaml,
    Mark,
    YamlLoadError,
    YamlProblem,
    load_yaml,
    load_yaml_fast,
    load_yaml_with_pyyaml,
)

FILE = "roster.yaml"
BOUNDS = (TOO_DEEP, TOO_MANY_ENTRIES, VALUE_TOO_LONG)
C_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the fallback uses libyaml when it is there
BOTH_PATHS = pytest.mark.parametrize("loader", [load_yaml_fast, load_yaml_with_pyyaml], ids=["fast", "pyyaml"])


# --- The oracle ----------------------------------------------------------------


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


def all_paths(value: Any, path: tuple[Any, ...] = ()) -> set[tuple[Any, ...]]:
    paths = {path}
    if isinstance(value, dict):
        for key, item in value.items():
            paths |= all_paths(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            paths |= all_paths(item, path + (index,))
    return paths


def pyyaml_load(text: str, loader: type) -> tuple[bool, Any]:
    """(accepted, data) of yaml.load with `loader`."""
    try:
        return True, yaml.load(text, Loader=loader)
    except (yaml.YAMLError, ValueError, OverflowError):  # (chr() of an escape beyond U+10FFFF, or a C int)
        return False, None


def check_against_pyyaml(text: str, *, complete_marks: bool = False) -> LoadedYaml | None:
    """Check both loaders against PyYAML; return the result, if any.

    - The fast parser either declines the text, or gives what yaml.SafeLoader gives
      (or the duplicate-key problems), with the same marks as the fallback.
    - The fallback gives what libyaml (CSafeLoader) gives if libyaml accepts the
      text, else what SafeLoader gives; duplicate keys and the bounds of
      rostersync.roster.limits aside. (libyaml is a bit more lenient with tabs and
      block scalar headers, where SafeLoader fails.) A text with control characters
      that YAML forbids is read with them replaced, and they are listed.
    """
    pure_ok, pure_data = pyyaml_load(text, yaml.SafeLoader)
    c_ok, c_data = pyyaml_load(text, C_LOADER)
    fallback_ok, expected = (c_ok, c_data) if c_ok else (pure_ok, pure_data)
    forbidden = CONTROL_IN_TEXT.search(text) is not None

    slow: LoadedYaml | YamlLoadError
    try:
        slow = load_yaml_with_pyyaml(text, FILE)
    except YamlLoadError as exc:
        if fallback_ok:
            assert exc.problems and all(p.message.startswith("duplicate key ") or p.message in BOUNDS
                                        for p in exc.problems), exc
        slow = exc
    else:
        if forbidden:
            assert slow.controls, slow
            return slow  # (its data is that of the text with the characters replaced)
        assert fallback_ok
        assert canonical(slow.data) == canonical(expected)
        if complete_marks:
            assert all_paths(slow.data) <= set(slow.marks)

    try:
        fast = load_yaml_fast(text, FILE)
    except FastPathUnsupported:
        return slow if isinstance(slow, LoadedYaml) else None
    except YamlLoadError as exc:
        assert pure_ok and isinstance(slow, YamlLoadError), exc
        assert exc.problems == slow.problems
        return None
    assert pure_ok and isinstance(slow, LoadedYaml), slow
    assert canonical(fast.data) == canonical(pure_data) == canonical(slow.data)
    assert fast.marks == slow.marks
    return fast


# --- Generated roster-like documents ------------------------------------------

# (token, usable inside a flow collection)
PLAIN_SCALARS = [
    *[(token, True) for token in (
        "yes", "No", "ON", "off", "True", "FALSE", "y", "n", "0x1F", "0xfF_1", "012", "0o17", "08",
        "1_000", "1:30", "-1:30:00", "190:20:30", "12:60", "+1", "-0", "0", ".5", "1e3", "1.0e+3",
        "6.8523015e+5", "-.inf", ".NaN", ".Inf", "0.", "3.", "+.5", "1_0.5", "0b101", "-0b1", "0x",
        "2024-01-02", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "~", "null", "Null",
        "NULL", "a#b", "user1@example.com", "First1", "Some P.", "HR-00001", "fr", "é", "日本語", "x:y",
        "-x", "a b", "a  b", "=x", "1.2.3", "operator", "true", "10", ".", "..", "a'b", 'a"b',
        "x::y", "😀x",
    )],
    *[(token, False) for token in ("a, b", "a[1]", "a{b}", "http://x.io/a?b=c", "what?", "x #y")],
]
QUOTED_SCALARS = [
    "'quoted # not comment'", "'it''s'", "''", "' spaced '", "'yes'", "'a: b'", "'[x]'", "'日本'",
    "'back\\slash'", '"+33123456789"', '"tab\\there"', '"\\u00e9t\\xe9"', '"a\\"b"', '"back\\\\slash"',
    '"x: y"', '"#hash"', '""', '"\\U0001F600"', '"\\/"', "\"a'b\"", '"\\0\\a\\b\\e\\f\\v\\r\\n\\N\\_\\L\\P\\ "',
]  # fmt: skip
PLAIN_KEYS = [
    *[(key, True) for key in (
        "email", "name", "first name", "a#b", "x:y", "yes", "1", "0x1F", "~", "é", "k-1", "Some P.",
        "2024-01-02", "1.5", "-x", "off", "😀", "chat", "enabled", "max", "priority", "roles",
    )],
    *[(key, False) for key in ("a, b", "a[1]")],
]
QUOTED_KEYS = ["'quoted key'", '"dq: key"', "''", '"yes"', "'1'"]


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
    st.just(Empty()),
)
key_nodes = st.one_of(
    st.sampled_from(PLAIN_KEYS).map(lambda t: Scalar(*t)),
    st.sampled_from(QUOTED_KEYS).map(lambda t: Scalar(t, True)),
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


@st.composite
def documents(draw: st.DrawFn) -> str:
    root = draw(trees)
    if is_block(root):
        lines = render_block(draw, root, draw(st.sampled_from([0, 0, 0, 2])))
    elif isinstance(root, Empty):
        lines = []
    else:
        lines = [inline(draw, root)]
    return "\n".join(decorate(draw, lines)) + draw(st.sampled_from(["\n", "", "\n\n"]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_documents_agree_with_pyyaml(text: str) -> None:
    check_against_pyyaml(text, complete_marks=True)


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


def test_generated_documents_mostly_take_the_fast_path() -> None:
    """Guards the generator above: it must exercise the fast parser, not only the fallback."""
    accepted = 0

    @settings(max_examples=200, deadline=None, database=None)
    @given(documents())
    def count(text: str) -> None:
        nonlocal accepted
        try:
            load_yaml_fast(text, FILE)
            accepted += 1
        except (FastPathUnsupported, YamlLoadError):
            pass

    count()
    assert accepted >= 100


# --- yaml.safe_dump output -------------------------------------------------------

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
def test_safe_dump_output_agrees_with_pyyaml(obj: Any, default_flow_style: bool | None, indent: int) -> None:
    text = yaml.safe_dump(obj, default_flow_style=default_flow_style, indent=indent, allow_unicode=True)
    assert check_against_pyyaml(text) is not None  # (PyYAML itself does not round-trip all text, e.g. "\x85")


TRICKY_DOCUMENTS = [
    "{a :b}", "{a : b}", '{"a" :b}', "[a :b]", "{x:}", "{x: }", '{"x":1}', "a: [x, ]", "a: {x: 1,}", "- 'a'#c",
    "a: 'x'#c", "a: [x]#c", "[-]", "[-x, - y]", "key: -", "key: -1", "- -", "- - -", "a:b: c", "a:: b", "a: b:",
    "a: b: c", "-: x", "a #b: c", "a: #b: c", "'a':b", "'a' : b", "? a", "a:\n  b", "a:\n- b\nc: d",
    "a:\n  - b\n  c: d", "- a: 1\n - b", "- a: 1\n  - b", "a: 1\n b", "a: 1\n# c\n b: 2", "x\ny",
    "'x'\n'y'", "[a,\n b]", "a: '\n  b'", "...: x", "---: x", " ---", "%: x", "a: %x", "a: @x", "a: `x",
    "k" * 1100 + ": v", "'" + "k" * 1100 + "': v", "{" + "k" * 1100 + ": v}", "a: <<", "<<: {b: 1}", "=: 1",
    "a: =", "a\u00a0b: c\u00a0", "a: b\u2028c", "a: b\x85c", "\ufeffa: b", "a: \\", 'a: "\\x4"', 'a: "\\q"',
    "a: [b]]", "a: {b: c}}", "a: [b, [c, {d: [e]}]]", "[[[[[]]]]]", "- {a: [b, {c: d}]} # x",
]  # fmt: skip


@pytest.mark.parametrize("text", TRICKY_DOCUMENTS)
def test_tricky_documents_agree_with_pyyaml(text: str) -> None:
    check_against_pyyaml(text)
    check_against_pyyaml(text + "\n")


# --- Line soup: mostly invalid or odd YAML ----------------------------------------

FRAGMENTS = [
    "- ", "-", "key", "k2", ": ", ":", "a", "1", "yes", "#", " # c", "[", "]", "{", "}", ", ", ",", "'", '"',
    "&a ", "*a", "!!str ", "|", ">", "? ", "---", "...", "%YAML 1.1", "1:30", "\\", "x:y", "  ", " ", "~",
    "<<", "=", "'q'", '"d\\n"', "@", "`", "\t", "é", "2024-13-45", " :", ":x", "?x", "-x", "a b", ".inf", "0x1",
]  # fmt: skip
soup_lines = st.tuples(st.integers(0, 6), st.lists(st.sampled_from(FRAGMENTS), max_size=6)).map(
    lambda t: " " * t[0] + "".join(t[1])
)


@settings(max_examples=600, deadline=None)
@given(st.lists(soup_lines, max_size=8).map("\n".join))
def test_line_soup_agrees_with_pyyaml(text: str) -> None:
    check_against_pyyaml(text)


@st.composite
def mutated_documents(draw: st.DrawFn) -> str:
    """Generated documents with a few characters inserted or deleted: near misses."""
    text = draw(documents())
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()) and at < len(text):
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] + draw(st.sampled_from(FRAGMENTS + ["\n", "\n ", "\n- "])) + text[at:]
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_documents())
@example('["\\Ua0001F600"]')  # an escape beyond a C int: OverflowError, not ValueError, in chr()
def test_mutated_documents_agree_with_pyyaml(text: str) -> None:
    check_against_pyyaml(text)


@pytest.mark.parametrize("escape", ["\\U00110000", "\\Ua0001F600", "\\Uffffffff"])
def test_an_escape_beyond_unicode_is_a_problem_at_the_escape_in_both_loaders(escape: str) -> None:
    text = f'version: 1\nname: "Ada {escape}"\n'
    for load in (yaml_source.load_yaml, yaml_source.load_yaml_with_pyyaml):
        with pytest.raises(YamlLoadError) as caught:
            load(text, FILE)
        assert [str(p) for p in caught.value.problems] == [
            f"{FILE}:2:14: invalid YAML: found an escape beyond \\U0010FFFF, which names no character"]


# --- Marks -------------------------------------------------------------------------

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


@BOTH_PATHS
def test_marks_of_keys_and_items(loader: Any) -> None:
    loaded = loader(SAMPLE, FILE)
    expected = {
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
    assert {path: (mark.line, mark.column) for path, mark in loaded.marks.items()} == expected
    assert all(mark.file == FILE for mark in loaded.marks.values())
    assert loaded.data == yaml.safe_load(SAMPLE)


def test_mark_for_a_missing_path_is_the_mark_of_its_nearest_parent() -> None:
    loaded = load_yaml(SAMPLE, FILE)
    assert loaded.mark_for(("operators", 0, "chat", "priority")) == Mark(FILE, 7, 35)
    assert loaded.mark_for(("operators", 0, "chat", "video", "enabled")) == Mark(FILE, 7, 5)
    assert loaded.mark_for(("operators", 9, "email")) == Mark(FILE, 3, 1)
    assert loaded.mark_for(("nothing",)) == Mark(FILE, 1, 1)


@BOTH_PATHS
@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n\n   # another\n"])
def test_an_empty_document_is_none_marked_at_1_1(loader: Any, text: str) -> None:
    assert loader(text, FILE) == LoadedYaml(None, {(): Mark(FILE, 1, 1)})


@BOTH_PATHS
def test_a_document_may_start_indented_after_comments(loader: Any) -> None:
    loaded = loader("# roster\n\n  a: 1\n  b: [x]\n", FILE)
    assert loaded.data == {"a": 1, "b": ["x"]}
    assert loaded.marks == {
        (): Mark(FILE, 3, 3),
        ("a",): Mark(FILE, 3, 3),
        ("b",): Mark(FILE, 4, 3),
        ("b", 0): Mark(FILE, 4, 7),
    }


# --- Problems ------------------------------------------------------------------------

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


@BOTH_PATHS
def test_duplicate_keys_are_all_reported_at_once(loader: Any) -> None:
    with pytest.raises(YamlLoadError) as caught:
        loader(DUPLICATES, FILE)
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


@BOTH_PATHS
def test_keys_equal_once_resolved_are_duplicates(loader: Any) -> None:
    # 2 and 0x2 are the same int; yes and true the same bool: PyYAML would keep one.
    with pytest.raises(YamlLoadError) as caught:
        loader("2: a\n0x2: b\nyes: c\ntrue: d\n'2': e\n", FILE)
    assert [(p.mark.line, p.path, p.message) for p in caught.value.problems] == [
        (2, (2,), "duplicate key '0x2' (first defined at line 1)"),
        (4, (True,), "duplicate key 'true' (first defined at line 3)"),
    ]


def test_a_syntax_error_is_reported_with_pyyamls_message_and_mark() -> None:
    with pytest.raises(YamlLoadError) as caught:
        load_yaml("operators:\n  - email: a@example.com\n    name: A: B\n", FILE)
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
        ("a: 1\n\tb: 2\n", 2, "invalid YAML: found character '\\t' that cannot start any token"),
        ("a: *nowhere\n", 1, "invalid YAML: found undefined alias 'nowhere'"),
        ("a: 1\n---\nb: 2\n", 2, "invalid YAML: expected a single document in the stream, but found another document"),
        ("when: 2024-13-45\n", 1, "invalid YAML: cannot build value: month must be in 1..12"),
        ("a: =\n", 1, "invalid YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:value'"),
        ("a: \ufffe\n", 1, "invalid YAML: unacceptable character '\\ufffe': special characters are not allowed"),
    ],
)
def test_invalid_documents_give_one_problem(text: str, line: int, message: str) -> None:
    with pytest.raises(YamlLoadError) as caught:
        load_yaml(text, FILE)
    assert [(p.mark.line, p.path, p.message) for p in caught.value.problems] == [(line, (), message)]
    with pytest.raises(FastPathUnsupported):
        load_yaml_fast(text, FILE)


# --- Documents outside the fast subset -------------------------------------------------

FALLBACK_DOCUMENTS = {
    "anchors and aliases": "base: &chat {enabled: true, max: 4}\nops:\n  - chat: *chat\n  - chat: *chat\n",
    "merge keys": "base: &b {max: 4, priority: 1}\nop:\n  <<: *b\n  priority: 2\n",
    "literal block scalar": "note: |\n  line 1\n  line 2\nnext: 1\n",
    "folded block scalar": "note: >-\n  folded\n  text\n",
    "multi-line plain scalar": "pseudo: Some\n  Person\nnext: 1\n",
    "multi-line quoted scalar": 'pseudo: "Some\n  Person"\n',
    "multi-line flow collection": "roles: [operator,\n  expert]\n",
    "tags": "id: !!str 123\nflag: !!bool yes\n",
    "explicit document": "---\na: 1\n...\n",
    "complex key": "? a\n: 1\n",
    "flow single-pair mapping": "a: [x: 1]\n",
    "scalar on the line after its key": "a:\n  value\n",
    "tab in a comment": "a: x  # a\tcomment\n",
    "value ending with a backslash escape line continuation": 'a: "x\\\n  y"\n',
}


@pytest.mark.parametrize("text", FALLBACK_DOCUMENTS.values(), ids=FALLBACK_DOCUMENTS.keys())
def test_documents_outside_the_subset_load_through_pyyaml(text: str) -> None:
    with pytest.raises(FastPathUnsupported):
        load_yaml_fast(text, FILE)
    loaded = load_yaml(text, FILE)
    assert canonical(loaded.data) == canonical(yaml.safe_load(text))
    assert loaded.marks[()] is not None


def test_aliases_and_merge_keys_are_marked_where_written() -> None:
    loaded = load_yaml(FALLBACK_DOCUMENTS["anchors and aliases"], FILE)
    assert loaded.marks[("ops", 1, "chat")] == Mark(FILE, 4, 5)
    assert loaded.marks[("base", "max")] == Mark(FILE, 1, 29)
    # paths inside an alias point at the alias
    assert loaded.mark_for(("ops", 1, "chat", "max")) == Mark(FILE, 4, 5)

    loaded = load_yaml(FALLBACK_DOCUMENTS["merge keys"], FILE)
    assert loaded.data["op"] == {"max": 4, "priority": 2}
    assert loaded.marks[("op", "priority")] == Mark(FILE, 4, 3)  # the overriding key
    assert loaded.marks[("op", "max")] == Mark(FILE, 1, 11)  # merged: where it is written


def test_a_block_scalar_keeps_the_marks_of_what_follows() -> None:
    loaded = load_yaml(FALLBACK_DOCUMENTS["literal block scalar"], FILE)
    assert loaded.data == {"note": "line 1\nline 2\n", "next": 1}
    assert loaded.marks[("next",)] == Mark(FILE, 4, 1)


def test_duplicate_keys_are_found_in_fallback_documents_too() -> None:
    text = "a: &x {k: 1, k: 2}\nb: *x\nc: |\n  text\nc: 2\n"
    with pytest.raises(YamlLoadError) as caught:
        load_yaml(text, FILE)
    assert [str(p) for p in caught.value.problems] == [
        "roster.yaml:1:14: duplicate key 'k' (first defined at line 1)",
        "roster.yaml:5:1: duplicate key 'c' (first defined at line 3)",
    ]


def alias_doubling(levels: int) -> str:
    lines = ["a0: &a0 [x, y]"] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_aliases_do_not_explode_the_marks() -> None:
    loaded = load_yaml(alias_doubling(10), FILE)  # 2**11 entries written out: within the bounds
    assert len(loaded.marks) < 100


def test_an_alias_bomb_is_refused_for_what_it_expands_to() -> None:
    """'Billion laughs': 2**25 entries once the aliases are written out, which is what the
    steps after the parse (validation, merging) would walk."""
    with pytest.raises(YamlLoadError) as caught:
        load_yaml(alias_doubling(25), FILE)
    assert [(str(p.mark), p.message) for p in caught.value.problems] == [(f"{FILE}:1:1", TOO_MANY_ENTRIES)]


# --- Scalars ---------------------------------------------------------------------------


@pytest.mark.parametrize("token", [token for token, _ in PLAIN_SCALARS] + QUOTED_SCALARS)
def test_scalars_resolve_like_pyyaml(token: str) -> None:
    for text in (f"key: {token}\n", f"- {token}\n"):
        loaded = check_against_pyyaml(text)
        assert loaded is not None
    if (token, False) not in PLAIN_SCALARS:
        check_against_pyyaml(f"[{token}, {token}]\n")


def test_yaml_1_1_scalars_are_resolved_as_pyyaml_does() -> None:
    loaded = load_yaml_fast(
        "a: [yes, No, on, OFF, y, ~, null, '', 0x1F, 012, 0b11, 1_000, 1:30, 08, .5, 1e3, 1.0e+3, -.inf]\n"
        "when: 2024-01-02\nat: 2001-12-14 21:59:43.10 -5\nphone: +33123456789\nquoted: '+33123456789'\n",
        FILE,
    )
    assert canonical(loaded.data) == canonical(
        {
            "a": [True, False, True, False, "y", None, None, "", 31, 10, 3, 1000, 90, "08", 0.5, "1e3", 1000.0,
                  -math.inf],
            "when": datetime.date(2024, 1, 2),
            "at": datetime.datetime(2001, 12, 14, 21, 59, 43, 100000, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
            "phone": 33123456789,
            "quoted": "+33123456789",
        }
    )


def test_equal_scalars_do_not_share_containers() -> None:
    loaded = load_yaml_fast("a: [x]\nb: [x]\nc: {k: v}\nd: {k: v}\n", FILE)
    assert loaded.data["a"] is not loaded.data["b"]
    assert loaded.data["c"] is not loaded.data["d"]


# --- A large roster --------------------------------------------------------------------

OPERATOR = """\
  - email: user{i}@example.com
    external_id: HR-{i:05d}
    first_name: First{i}
    name: Last{i}
    pseudo: Some P.
    roles: [operator, expert]
    chat: {{enabled: true, max: 4, priority: 10}}
    call:
      enabled: true
      priority: 0
    languages: [fr, en]   # trailing comment
    language_admin: fr
    group: {group}
    websites: [123, 456]
    skills: [101]
"""


def roster(n_operators: int) -> str:
    return "version: 1\noperators:\n" + "".join(OPERATOR.format(i=i, group=i % 13) for i in range(n_operators))


def test_a_small_roster_agrees_with_pyyaml() -> None:
    loaded = check_against_pyyaml(roster(30), complete_marks=True)
    assert loaded is not None


def test_a_150000_line_roster_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    text = roster(10_000)
    assert text.count("\n") >= 150_000

    def no_fallback(text: str, file: str) -> LoadedYaml:
        raise AssertionError("the fallback was used")

    monkeypatch.setattr(yaml_source, "load_yaml_with_pyyaml", no_fallback)
    loaded = load_yaml(text, FILE)
    operators = loaded.data["operators"]
    assert len(operators) == 10_000
    assert operators[9_999] == {
        "email": "user9999@example.com",
        "external_id": "HR-09999",
        "first_name": "First9999",
        "name": "Last9999",
        "pseudo": "Some P.",
        "roles": ["operator", "expert"],
        "chat": {"enabled": True, "max": 4, "priority": 10},
        "call": {"enabled": True, "priority": 0},
        "languages": ["fr", "en"],
        "language_admin": "fr",
        "group": 9_999 % 13,
        "websites": [123, 456],
        "skills": [101],
    }
    last = 2 + 9_999 * 15
    assert loaded.marks[("operators", 9_999)] == Mark(FILE, last + 1, 5)
    assert loaded.marks[("operators", 9_999, "chat", "priority")] == Mark(FILE, last + 7, 35)
    assert loaded.marks[("operators", 9_999, "skills", 0)] == Mark(FILE, last + 15, 14)
