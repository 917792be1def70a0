"""The bounds on what loading a roster may cost, checked while it is parsed, on both
parsers (PyYAML on libyaml, PyYAML alone); and what a message may show of the values
it is about."""

from __future__ import annotations

import pytest
from work_budget import python_calls

from rostersync.roster import yaml_source
from rostersync.roster.limits import MAX_DEPTH, MAX_VALUE_CHARS, TOO_DEEP, TOO_MANY_ENTRIES, VALUE_TOO_LONG
from rostersync.roster.loader import load_texts
from rostersync.roster.positions import format_path
from rostersync.roster.problems import Problem, RosterError
from rostersync.roster.yaml_source import YamlLoadError, load_yaml

FILE = "r.yaml"
HEAD = "version: 1\noperators: []\n"


@pytest.fixture(params=["libyaml", "pyyaml"])
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Which parser reads the documents of a test: `parse` loads with it."""
    if request.param == "libyaml" and yaml_source._LIBYAML is None:
        pytest.skip("PyYAML without libyaml")
    if request.param == "pyyaml":
        monkeypatch.setattr(yaml_source, "_LIBYAML", None)
        monkeypatch.setattr(yaml_source, "_CLoader", None)
    return str(request.param)


def parse(loader: str, text: str, *, anchor: bool = True) -> list[tuple[int, int, str, str]]:
    """(line, column, path, message) of the problems of `text` with `loader` (the
    fixture's; `anchor` is no longer of use, there being one walk)."""
    with pytest.raises(YamlLoadError) as caught:
        load_yaml(text, FILE)
    return [(p.mark.line, p.mark.column, format_path(p.path), p.message) for p in caught.value.problems]


def roster_problems(text: str) -> list[str]:
    with pytest.raises(RosterError) as caught:
        load_texts([(FILE, text)])
    return [str(p) for p in caught.value.problems]


# --- Length of a value ----------------------------------------------------------------------

LONG = "a" * (MAX_VALUE_CHARS + 1)


@pytest.mark.parametrize(("written", "where"), [
    (LONG, "x"), (f'"{LONG}"', "x"), (f"'{LONG}'", "x"), (f"[{LONG}]", "x[0]"), (f"{{k: {LONG}}}", "x.k"),
    (f"[x, '{LONG}']", "x[1]"),
], ids=["plain", "double-quoted", "single-quoted", "in a flow list", "in a flow map", "quoted in flow"])
def test_a_value_too_long_is_a_problem_at_its_line(loader: str, written: str, where: str) -> None:
    [(line, _, path, message)] = parse(loader, HEAD + f"x: {written}\n")
    assert (line, path, message) == (3, where, VALUE_TOO_LONG)


def test_a_value_at_the_length_limit_is_read(loader: str) -> None:
    text = HEAD + f"x: {'a' * MAX_VALUE_CHARS}\n"
    if loader != "fast":
        text = "anchored: &anchor 1\n" + text
    assert len(load_yaml(text, FILE).data["x"]) == MAX_VALUE_CHARS


def test_a_huge_quoted_value_is_refused_without_the_memory_it_would_take() -> None:
    """20 MB in one quoted scalar: the regex that scanned it kept state for each
    character, and a process of a few GB was the end of it."""
    for written in ('"' + "a" * 20_000_000 + '"', "'" + "a" * 20_000_000 + "'", "[" + "a" * 20_000_000 + "]"):
        with pytest.raises(YamlLoadError) as caught:
            load_yaml(HEAD + f"x: {written}\n", FILE)
        assert [p.message for p in caught.value.problems] == [VALUE_TOO_LONG]


PYYAML_ONLY = pytest.mark.parametrize("loader", ["libyaml", "pyyaml"], indirect=True)  # tags, aliases


@PYYAML_ONLY
def test_a_tagged_value_too_long_is_a_problem(loader: str) -> None:
    [(line, _, _, message)] = parse(loader, HEAD + f"x: !!str {LONG}\n")
    assert (line, message) == (3, VALUE_TOO_LONG)


def test_a_value_too_long_is_refused_before_any_regex_resolves_it() -> None:
    """PyYAML's int resolver on 1:5:5:5... (sexagesimal) keeps state for each group."""
    with pytest.raises(YamlLoadError) as caught:
        load_yaml(HEAD + "x: &a 1" + ":5" * 5_000_000 + "\n", FILE)
    assert [p.message for p in caught.value.problems] == [VALUE_TOO_LONG]


# --- Depth --------------------------------------------------------------------------------


def block_mappings(levels: int) -> str:
    return "x:\n" + "".join("  " * (n + 1) + "k:\n" for n in range(levels - 1)) + "  " * levels + "k: v\n"


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        (block_mappings(MAX_DEPTH), 3 + MAX_DEPTH, 2 * MAX_DEPTH + 1),
        ("x:\n  " + "- " * MAX_DEPTH + "v\n", 4, 2 * MAX_DEPTH + 1),
        ("x: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n", 3, 3 + MAX_DEPTH),
        ("x: " + "[" * (MAX_DEPTH - 1) + "[v, w]" + "]" * (MAX_DEPTH - 1) + "\n", 3, 3 + MAX_DEPTH),
        ("x: " + "{k: " * MAX_DEPTH + "v" + "}" * MAX_DEPTH + "\n", 3, 3 + 4 * (MAX_DEPTH - 1) + 1),
    ],
    ids=["block mappings", "compact sequences", "flow lists", "flow list of scalars", "flow mappings"],
)
def test_a_document_too_deep_is_a_problem_where_it_gets_too_deep(loader: str, text: str, line: int,
                                                                 column: int) -> None:
    [(got_line, got_column, path, message)] = parse(loader, HEAD + text)
    assert (got_line, got_column, message) == (line, column, TOO_DEEP)
    assert path.startswith("x") and path.count(".") + path.count("[") == MAX_DEPTH - 1  # the collection's own path


def test_a_document_at_the_depth_limit_is_read(loader: str) -> None:
    text = HEAD + "x: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    if loader != "fast":
        text = "anchored: &anchor 1\n" + text
    load_yaml(text, FILE)


@pytest.mark.parametrize("levels", [1_000, 100_000])
def test_thousands_of_levels_are_a_problem_not_a_recursion_error(loader: str, levels: int) -> None:
    for text in ("x: " + "[" * levels + "]" * levels + "\n", "x:\n  " + "- " * levels + "v\n",
                 "x:\n" + "".join(" " * n + "- k:\n" for n in range(0, 2 * min(levels, 2_000), 2))):
        [(_, _, _, message)] = parse(loader, HEAD + text)
        assert message == TOO_DEEP


@pytest.mark.parametrize("text", ["x: &a [*a]\n", "x: &a {k: *a}\n", "x: &a [[[*a]]]\n"])
def test_an_alias_to_its_own_collection_is_too_deep(text: str) -> None:
    [(_, _, _, message)] = parse("libyaml", HEAD + text, anchor=False)
    assert message == TOO_DEEP


def test_depth_counts_the_levels_an_alias_adds() -> None:
    half = MAX_DEPTH // 2 + 1
    text = HEAD + "a: &deep " + "[" * half + "]" * half + "\nb: " + "[" * half + "*deep" + "]" * half + "\n"
    [(line, _, path, message)] = parse("libyaml", text, anchor=False)
    assert (line, message) == (4, TOO_DEEP) and path.startswith("b[0]")  # where the alias takes it too deep


# --- Entries --------------------------------------------------------------------------------


@PYYAML_ONLY
def test_an_alias_bomb_is_refused_for_what_it_would_expand_to(loader: str) -> None:
    levels = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, 12)]
    assert parse(loader, HEAD + "\n".join(levels) + "\n", anchor=False) == [(1, 1, "", TOO_MANY_ENTRIES)]


def test_the_entries_of_all_the_files_of_a_roster_are_bounded_together(monkeypatch: pytest.MonkeyPatch) -> None:
    from rostersync.roster import loader as roster_loader

    monkeypatch.setattr(roster_loader, "MAX_ENTRIES", 100)
    team = HEAD + "ignore:\n" + '  - "*@example.com"\n' * 40  # 43 marks with the root
    assert load_texts([("a.yaml", team), ("b.yaml", team)]).files == ("a.yaml", "b.yaml")
    with pytest.raises(RosterError) as caught:
        load_texts([("a.yaml", team), ("b.yaml", team), ("c.yaml", team)])
    assert [str(p) for p in caught.value.problems] == [f"c.yaml:1:1: {TOO_MANY_ENTRIES}"]


def test_many_entries_are_refused_on_every_parser(loader: str) -> None:
    text = HEAD + "x: [" + ", ".join(["1"] * 600) + "]\ny:\n" + "  - 1\n" * 600
    if loader != "fast":
        text = "anchored: &anchor 1\n" + text
    load = load_yaml
    marks = len(load(text, FILE).marks)
    assert marks > 1200
    load(text, FILE, max_entries=marks)
    with pytest.raises(YamlLoadError) as caught:
        load(text, FILE, max_entries=marks - 1)
    assert [(str(p.mark), p.message) for p in caught.value.problems] == [(f"{FILE}:1:1", TOO_MANY_ENTRIES)]


# --- Emails -----------------------------------------------------------------------------------


def email_problem(email: str) -> list[str]:
    return roster_problems(f"version: 1\noperators:\n  - email: {email}\n")


def test_an_80_kb_email_is_refused_by_its_length() -> None:
    """It took 10 s: the email regex backtracked over every dot."""
    assert email_problem("a@" + "a." * 40_000 + "@") == [f"{FILE}:3:12: operators[0].email: {VALUE_TOO_LONG}"]


def test_an_email_longer_than_rfc_5321_allows_is_refused_before_any_other_check() -> None:
    assert email_problem("a@" + "a." * 2_000 + "@") == [
        f"{FILE}:3:5: operators[0].email: must be an email address of at most 254 characters, "
        "got 'a@a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.…' (4,003 characters)"]


@pytest.mark.parametrize("email", ["a" * 242 + "@example.com", "ada@example.com", "a.b+c@sub.example.co.uk"])
def test_valid_emails_pass(email: str) -> None:
    load_texts([(FILE, f"version: 1\noperators:\n  - email: {email}\n")])


@pytest.mark.parametrize("email", ["a" * 243 + "@example.com", "ada@example", "ada@.com", "ada@com.", "@example.com",
                                   "ada@@example.com", "a@b@example.com", "'ada @example.com'", '"ada@exa\\tmple.com"'])
def test_invalid_emails_are_refused(email: str) -> None:
    assert email_problem(email)


# --- Work: linear in the size of a mapping ----------------------------------------------------
# Each of these took a time quadratic in the number of keys of one mapping (a scan of
# the mapping for each key looked up): 20,000 keys, about 15 s; 100,000, well over a
# minute, for a 2 MB file. The work is counted in Python calls (each step of a scan is
# one), not timed: a quadratic scan of WIDE keys is WIDE**2 / 2 = 12.5 million of them.

WIDE = 5_000
CALLS = 1_000 * WIDE  # linear: PyYAML's own parser makes about 400 calls a key, libyaml's walk about 10


def problems_of(text: str) -> list[Problem]:
    try:
        load_texts([(FILE, text)])
    except RosterError as exc:
        return exc.problems
    return []


def test_many_duplicate_keys_in_one_mapping_take_linear_time(loader: str) -> None:
    keys = "".join(f"  k{n}: 1\n" for n in range(WIDE))
    text = "x:\n" + keys + keys
    python_calls(lambda: parse(loader, text), budget=CALLS)
    [*_, last] = parse(loader, text)
    assert last == (WIDE * 2 + 1, 3, f"x.k{WIDE - 1}", f"duplicate key 'k{WIDE - 1}' (first defined at line {WIDE + 1})")


def test_a_large_mapping_merged_and_overridden_takes_linear_time(loader: str) -> None:
    text = ("x: &a\n" + "".join(f"  k{n}: 1\n" for n in range(WIDE)) + "y:\n  <<: *a\n"
            + "".join(f"  k{n}: 2\n" for n in range(WIDE)))
    python_calls(lambda: load_yaml(text, FILE), budget=CALLS)
    loaded = load_yaml(text, FILE)
    assert loaded.data["y"] == {f"k{n}": 2 for n in range(WIDE)}
    assert loaded.marks[("y", f"k{WIDE - 1}")].line == 2 * WIDE + 3  # the mapping's own key


def test_many_profiles_take_linear_time() -> None:
    text = ("version: 1\nprofiles:\n" + "".join(f"  p{n}: {{}}\n" for n in range(WIDE))
            + "operators:\n  - {email: a@example.com, profile: nope}\n")
    python_calls(lambda: problems_of(text), budget=CALLS)
    [problem] = problems_of(text)
    assert (problem.line, problem.path) == (WIDE + 4, "operators[0].profile")


def test_many_keys_without_a_value_take_linear_time() -> None:
    text = "version: 1\nx:\n" + "".join(f"  k{n}:\n" for n in range(WIDE)) + "operators:\n  - email: a@example.com\n"
    python_calls(lambda: problems_of(text), budget=CALLS)
    problems = problems_of(text)
    assert sum(p.message.startswith("has no value") for p in problems) == WIDE
    assert (WIDE + 2, f"x.k{WIDE - 1}") in [(p.line, p.path) for p in problems]


# --- What defaults and profiles multiply -------------------------------------------------------


def fan_out(skills: int, operators: int) -> str:
    """A profile of `skills` skills shared by `operators` operators: short to write, and
    `skills` x `operators` list items to make."""
    return ("version: 1\nprofiles:\n  p:\n    skills: [" + ", ".join(str(n) for n in range(1, skills + 1)) + "]\n"
            "operators:\n" + "".join(f"  - {{email: a{n}@example.com, profile: p}}\n" for n in range(operators)))


def test_what_profiles_multiply_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from rostersync.roster import limits

    monkeypatch.setattr(limits, "MAX_MERGED_ENTRIES", 100)
    assert len(load_texts([(FILE, fan_out(30, 3))]).operators) == 3  # (3 x (30 skills + 3 keys))
    assert problems_of(fan_out(30, 4)) == [Problem(FILE, 9, 5, "operators[3]", limits.TOO_MANY_MERGED)]
    two_files = [("a.yaml", fan_out(30, 2)), ("b.yaml", fan_out(30, 2).split("profiles:")[0] + "operators:\n"
                                                         "  - {email: b@example.com, profile: p, skills: [1, 2]}\n"
                                                         "  - {email: c@example.com, profile: p}\n"
                                                         "  - {email: d@example.com, profile: p}\n")]
    # a.yaml's two make 64, b.yaml's first 4 (its own skills), its second 32, its third too many.
    with pytest.raises(RosterError) as caught:
        load_texts(two_files)
    assert [(p.file, p.line, p.message) for p in caught.value.problems] == [("b.yaml", 5, limits.TOO_MANY_MERGED)]


def test_a_large_profile_shared_by_many_operators_is_refused_in_little_time() -> None:
    # (Unbounded, each operator made its own sorted copy of the 50,000 skills: minutes,
    # and gigabytes, for a 500 KB file.)
    text = fan_out(50_000, 5_000)
    [problem] = problems_of(text)  # (the bound is found as operators are merged, before the copies are made)
    assert problem.message.startswith("more than 5,000,000 keys and list items in the operators once")
