"""Fuzz the roster loader: whatever text it is given, it returns a Roster or raises
RosterError whose problems each say where (file, line, column) and what, in a line
that is printable (no control character reaches a terminal) and short; and the
`validate` command exits 0 or 1 with a message, never a traceback. Hostile shapes
(deep nesting, huge values, control characters, random bytes) are refused within
their bounds (rostersync.roster.limits), quickly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from work_budget import python_calls

from rostersync.cli.main import cli
from rostersync.roster.limits import CONTROL_IN_TEXT, MAX_DEPTH, MAX_VALUE_CHARS, TOO_DEEP, VALUE_TOO_LONG
from rostersync.roster.loader import Roster, load_roster, load_texts
from rostersync.roster.problems import RosterError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "operators.yaml"
VALID = """\
version: 1
scope: {group_id: 7}
ignore: ["*@iadvize.com"]
defaults:
  roles: [operator]
  group: 7
  chat: {enabled: true, max: 3, priority: 10}
profiles:
  sales:
    languages: [fr, en]
    websites: [123]
operators:
  - email: ada@example.com
    external_id: HR-1
    first_name: Ada
    profile: sales
    call_config: {type: ANSWER_FROM_PHONE, phone_number: "+33612345678"}
  - email: grace@example.com
    chat: {max: 2}
    sso_key: s3cret
    skills: [101, 102]
"""
# Words a roster uses, so that generated documents get past the first checks.
KEYS = ["version", "scope", "ignore", "defaults", "profiles", "operators", "email", "external_id", "first_name",
        "name", "pseudo", "roles", "chat", "call", "video", "enabled", "max", "priority", "chat_and_call",
        "chat_to_video", "languages", "language_admin", "group", "websites", "skills", "sso_key", "call_config",
        "type", "phone_number", "ask_phone_number_at_every_connection", "profile", "group_id", "website_id"]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True), st.text(max_size=12),
    st.sampled_from(["ada@example.com", "operator", "admin", "fr", "+33612345678", "ANSWER_FROM_PHONE", "1", ""]),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8), st.integers(0, 3)), children,
                        max_size=5),
    ),
    max_leaves=25,
)
TOKENS = [":", "-", "[", "]", "{", "}", "&", "*", "!", "|", ">", "%", "@", "`", "#", ",", "?", "'", '"', "\t",
          "\n", " ", "- ", ": ", "&a ", "*a", "<<: ", "!!python/object ", "\\", "\x00", "\ufeff", "\u2028", "é"]


def check_loads_or_reports(texts: list[tuple[str, str]]) -> Roster | RosterError:
    try:
        return load_texts(texts)
    except RosterError as exc:
        assert exc.problems, "a RosterError without a problem"
        names = {name for name, _ in texts}
        for problem in exc.problems:
            assert problem.file in names, problem
            assert isinstance(problem.line, int) and problem.line >= 0, problem
            assert isinstance(problem.column, int) and problem.column >= 0, problem
            assert isinstance(problem.message, str) and problem.message.strip(), problem
            assert str(problem).isprintable(), problem  # control characters are shown escaped
            assert len(problem.message) < 600 and len(problem.path) < 2_000, problem  # excerpts, not values
        assert exc.summary.endswith("nothing was sent to the API.")
        return exc


@st.composite
def mutated(draw: st.DrawFn, original: str) -> str:
    text = original
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "duplicate line", "swap lines"]))
        if action == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 5)):]
        elif action == "insert":
            text = text[:position] + draw(st.sampled_from(TOKENS)) + text[position:]
        else:
            lines = text.split("\n")
            n = position % max(1, len(lines))
            if action == "duplicate line":
                lines.insert(n, lines[n])
            else:
                m = draw(st.integers(0, len(lines) - 1))
                lines[n], lines[m] = lines[m], lines[n]
            text = "\n".join(lines)
    return text


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@fuzz(300)
@given(st.text())
def test_arbitrary_text(text: str) -> None:
    check_loads_or_reports([("r.yaml", text)])


@fuzz(300)
@given(DOCUMENTS, st.booleans())
def test_arbitrary_yaml_documents(document: object, flow: bool) -> None:
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True)
    check_loads_or_reports([("r.yaml", text)])


@fuzz(300)
@given(st.dictionaries(st.sampled_from(["version", "scope", "ignore", "defaults", "profiles", "operators"]),
                       DOCUMENTS, max_size=6), st.booleans())
def test_roster_shaped_documents(document: dict[str, object], flow: bool) -> None:
    document.setdefault("version", 1)
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True)
    check_loads_or_reports([("r.yaml", text)])


@fuzz(400)
@given(mutated(VALID))
def test_mutated_valid_roster(text: str) -> None:
    check_loads_or_reports([("r.yaml", text)])


@fuzz(150)
@given(mutated(EXAMPLE.read_text(encoding="utf-8")), mutated(VALID))
def test_mutated_directory_of_two_files(first: str, second: str) -> None:
    check_loads_or_reports([("a.yaml", first), ("b.yaml", second)])


def test_the_unmutated_rosters_load() -> None:
    assert len(load_texts([("r.yaml", VALID)]).operators) == 2
    assert len(load_texts([("r.yaml", EXAMPLE.read_text(encoding="utf-8"))]).operators) > 2


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@fuzz(120)
@given(st.one_of(mutated(VALID).map(str.encode), st.binary(max_size=200),
                 st.text().map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_validate_exits_0_or_1_with_a_message(fuzz_dir: Path, data: bytes) -> None:
    path = fuzz_dir / "roster.yaml"
    path.write_bytes(data)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code in (0, 1), (result.exit_code, repr(result.exception), result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        assert result.stdout.startswith(f"{path}: valid, ")
    else:
        assert result.stderr.rstrip().endswith("found; nothing was sent to the API.")


# --- YAML aliases: shared and self-referential nodes ------------------------------------------
# An anchor may be used many times (the parsed data shares the node) or inside itself
# (the parsed data is a cycle). Both are legal YAML, and a roster may come from an
# untrusted pull request: loading it must neither crash nor run for ever.

SELF_REFERENTIAL = {
    "list in an unknown key": "version: 1\noperators: []\nx: &a [*a]\n",
    "mapping in an unknown key": "version: 1\noperators: []\nx: &a {k: *a}\n",
    "the operators list": "version: 1\noperators: &o [*o]\n",
    "an operator in its own languages": "version: 1\noperators:\n  - &e {email: a@example.com, languages: [*e]}\n",
    "the whole document": "&d {version: 1, operators: [], x: *d}\n",
}


@pytest.mark.parametrize("text", SELF_REFERENTIAL.values(), ids=SELF_REFERENTIAL.keys())
def test_a_self_referential_alias_is_a_problem_not_a_crash(text: str) -> None:
    assert isinstance(check_loads_or_reports([("r.yaml", text)]), RosterError)


def test_validate_reports_a_self_referential_alias(tmp_path: Path) -> None:
    path = tmp_path / "roster.yaml"
    path.write_text(SELF_REFERENTIAL["list in an unknown key"])
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1 and "Traceback" not in result.output


def alias_bomb(depth: int) -> str:
    """About 60 bytes a level; the data it stands for holds 10**depth strings."""
    levels = ["  l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"  l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, depth)]
    return ("bombs:\n" + "\n".join(levels) + "\nversion: 1\noperators:\n"
            f"  - email: a@example.com\n    languages: *l{depth - 1}\n")


def test_the_example_roster_loads_within_the_work_budget() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert python_calls(lambda: load_texts([("r.yaml", text)]), budget=1_000_000) < 100_000


def test_an_alias_bomb_is_not_expanded() -> None:
    """'Billion laughs': 12 levels of ten aliases each, under 1 KB, stand for 10**12
    values. Loading it must cost about what its size says, not what it expands to."""
    text = alias_bomb(12)
    assert len(text) < 1000
    python_calls(lambda: check_loads_or_reports([("r.yaml", text)]), budget=1_000_000)


# --- Hostile shapes: refused within their bounds -------------------------------------------------


@fuzz(60)
@given(st.binary(max_size=4_000))
def test_random_bytes_in_a_file(fuzz_dir: Path, data: bytes) -> None:
    path = fuzz_dir / "bytes.yaml"
    path.write_bytes(data)
    try:
        load_roster(path)
    except RosterError as exc:
        assert exc.problems and all(str(p).isprintable() for p in exc.problems)


OPENERS = st.sampled_from(["[", "{k: ", "- ", "block"])


@st.composite
def nested(draw: st.DrawFn) -> tuple[str, int]:
    """A value nested `depth` levels, each a flow list, a flow mapping, a compact block
    sequence or a block mapping, the kinds mixed as they come (block inside flow is
    not YAML: once flow, flow to the end)."""
    depth = draw(st.integers(1, 3 * MAX_DEPTH))
    kinds = draw(st.lists(OPENERS, min_size=depth, max_size=depth))
    text, closing, indent, flow = "", "", 2, False
    for kind in kinds:
        if kind in ("[", "{k: ") or flow:
            kind = kind if kind in ("[", "{k: ") else "["
            text += kind
            closing = ("]" if kind == "[" else "}") + closing
            flow = True
        else:
            text += f"\n{' ' * indent}{'- ' if kind == '- ' else 'k: '}"
            indent += 2
    return "x: " + text + "v" + closing, depth


@fuzz(200)
@given(nested())
def test_nesting_of_any_shape_is_refused_past_the_depth_bound(document: tuple[str, int]) -> None:
    text, depth = document
    outcome = check_loads_or_reports([("r.yaml", "version: 1\noperators: []\n" + text + "\n")])
    # Within the bound, the unknown key x is the only problem; past it, the depth.
    messages = [p.message for p in outcome.problems] if isinstance(outcome, RosterError) else []
    assert (TOO_DEEP in messages) == (depth + 1 > MAX_DEPTH), (depth, messages)  # the root mapping is a level


QUOTING = st.sampled_from(["{}", "'{}'", '"{}"', "[{}]", "{{k: {}}}", "!!str {}", "&a {}"])


@fuzz(60)
@given(st.integers(MAX_VALUE_CHARS - 3, MAX_VALUE_CHARS + 3) | st.integers(0, 2_000_000), QUOTING,
       st.sampled_from(["a", "é", "a b", "1:", "'"]))
def test_values_of_any_size_are_refused_past_the_length_bound(length: int, quoting: str, unit: str) -> None:
    value = (unit * length)[:length].rstrip(" :") or "a"
    if quoting == "'{}'":
        value = value.replace("'", "''")
    elif "'" in value:
        value = value.replace("'", "a")
    written = quoting.format(value)
    outcome = check_loads_or_reports([("r.yaml", f"version: 1\noperators: []\nx: {written}\n")])
    messages = [p.message for p in outcome.problems] if isinstance(outcome, RosterError) else []
    parsed = len(value.replace("''", "'")) if quoting == "'{}'" else len(value)
    assert (VALUE_TOO_LONG in messages) == (parsed > MAX_VALUE_CHARS), (parsed, quoting, messages[:3])


CONTROLS = st.sampled_from([*"\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x80\x85\x9b\x9f", *"\u202a\u202b\u202c\u202d\u202e",
                            *"\u2066\u2067\u2068\u2069"])


@fuzz(300)
@given(st.integers(0, len(VALID)), CONTROLS)
def test_a_control_character_anywhere_is_refused(position: int, character: str) -> None:
    assert CONTROL_IN_TEXT.match(character)
    outcome = check_loads_or_reports([("r.yaml", VALID[:position] + character + VALID[position:])])
    assert isinstance(outcome, RosterError)
    assert any("control character" in p.message for p in outcome.problems), outcome.problems
