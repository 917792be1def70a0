"""Control characters in a roster, and what messages show of the values they are about:
an excerpt at most, escaped, and nothing of a secret."""

from __future__ import annotations

import pytest

from rostersync.roster import yaml_source
from rostersync.roster.limits import EXCERPT_CHARS, describe_character
from rostersync.roster.loader import load_texts
from rostersync.roster.problems import RosterError

FILE = "r.yaml"
ROSTER = "version: 1\noperators:\n  - email: ada@example.com\n    first_name: {}\n"


def problems(text: str) -> list[str]:
    with pytest.raises(RosterError) as caught:
        load_texts([(FILE, text)])
    return [str(p) for p in caught.value.problems]


def only_problem(text: str) -> str:
    [problem] = problems(text)
    return problem


# --- Control characters: refused, shown escaped, placed where written ----------------------

VALUE_AT = f"{FILE}:4:{len('    first_name: Ada') + 1}: operators[0].first_name: "


@pytest.mark.parametrize(("written", "shown"), [
    ("\x1b[31m", "\\x1b (ESC)"),
    ("\x00", "\\x00 (NUL)"),
    ("\x07", "\\x07 (BEL)"),
    ("\x7f", "\\x7f (DEL)"),
    ("\x9b", "\\x9b"),  # C1: CSI, a one-character ESC [
    ("\x85", "\\x85 (next line)"),
    ("\u202e", "\\u202e (RIGHT-TO-LEFT OVERRIDE)"),
    ("\u2066", "\\u2066 (LEFT-TO-RIGHT ISOLATE)"),
])
def test_a_control_character_written_in_a_value_is_refused_where_it_is(written: str, shown: str) -> None:
    problem = only_problem(ROSTER.format(f"Ada{written}Lovelace"))
    assert problem == VALUE_AT + f"the value contains a control character, {shown}: no key or value may hold one"
    assert written not in problem


@pytest.mark.parametrize(("escape", "shown"), [
    ("\\e", "\\x1b (ESC)"), ("\\x1b", "\\x1b (ESC)"), ("\\0", "\\x00 (NUL)"), ("\\u202e", "\\u202e (RIGHT-TO-LEFT OVERRIDE)"),
    ("\\t", "\\t (tab)"), ("\\n", "\\n (line feed)"), ("\\N", "\\x85 (next line)"), ("\\L", "\\u2028 (LINE SEPARATOR)"),
])
def test_a_control_character_written_as_an_escape_is_refused_at_its_value(escape: str, shown: str) -> None:
    assert only_problem(ROSTER.format(f'"Ada{escape}"')) == (
        f"{FILE}:4:17: operators[0].first_name: the value contains a control character, {shown}: "
        "no key or value may hold one")


def test_a_line_break_kept_by_a_block_scalar_is_refused() -> None:
    assert only_problem(ROSTER.format("|\n      Ada\n")) == (  # (at the first line break of the scalar)
        f"{FILE}:4:18: operators[0].first_name: the value contains a control character, \\n (line feed): "
        "no key or value may hold one")


def test_a_control_character_in_a_key_is_refused_and_the_key_shown_escaped() -> None:
    text = 'version: 1\noperators:\n  - email: ada@example.com\n    "first\\e[2Jname": Ada\n'
    assert problems(text) == [
        f"{FILE}:4:5: operators[0].first\\x1b[2Jname: this key contains a control character, \\x1b (ESC): "
        "no key or value may hold one",
        f"{FILE}:4:5: operators[0].first\\x1b[2Jname: unknown field (did you mean 'first_name'?)",
    ]


@pytest.mark.parametrize("written", ["\u202e", "\x1b", "\x00", "\x85"])
def test_a_control_character_in_a_comment_is_refused(written: str) -> None:
    text = f"version: 1\n# reviewed by{written} the team lead\noperators: []\n"
    assert only_problem(text) == (
        f"{FILE}:2:14: a control character, {problems_shown(written)}, outside any key or value: "
        "none may be written in a roster file, not even in a comment")


def problems_shown(character: str) -> str:
    return describe_character(character)


@pytest.mark.parametrize("email", ["ada\x1b@example.com", "ada@exa\u202emple.com", '"ada@example.com\\0"',
                                   '"ada@exam\\u2066ple.com"', '"ada\\t@example.com"'])
def test_no_email_may_hold_a_control_character(email: str) -> None:
    found = problems(f"version: 1\noperators:\n  - email: {email}\n")
    assert any(": operators[0].email: the value contains a control character" in p for p in found), found


@pytest.mark.parametrize("character", ["\x1b", "\x00", "\u202e", "\u2066", "\x85", "\x7f", "\t", "\n"])
def test_the_email_check_itself_refuses_control_characters(character: str) -> None:
    from pydantic import ValidationError

    from rostersync.roster.model import OperatorEntry

    with pytest.raises(ValidationError):
        OperatorEntry.model_validate({"email": f"ada{character}@example.com"})


def test_tabs_in_comments_are_fine() -> None:
    text = "version: 1\n# a\ttabulated\tcomment\noperators:\n  - email: ada@example.com  # and\tanother\n"
    assert [op.email for op in load_texts([(FILE, text)]).operators] == ["ada@example.com"]


TAB_OUTSIDE = ("invalid YAML: a tab outside quotes and comments, which YAML parsers read differently: write spaces "
               "instead")


@pytest.mark.parametrize(("line", "column"), [
    ("    first_name:\tAda\n", 16),  # after a colon: libyaml reads it, PyYAML's own parser does not
    ("    first_name: Ada\t# a tab before a comment\n", 20),
    ("    first_name: Ada\tLovelace\n", 20),  # in a plain value
])
def test_a_tab_outside_quotes_and_comments_is_refused_whatever_pyyaml_is_built_with(
        line: str, column: int, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "version: 1\noperators:\n  - email: ada@example.com\n" + line
    assert only_problem(text) == f"{FILE}:4:{column}: {TAB_OUTSIDE}"
    monkeypatch.setattr(yaml_source, "_LIBYAML", None)  # PyYAML built without libyaml
    assert only_problem(text) == f"{FILE}:4:{column}: {TAB_OUTSIDE}"


def test_a_tab_in_a_quoted_value_is_a_control_character() -> None:
    assert only_problem(ROSTER.format('"Ada\tLovelace"')) == (
        f"{FILE}:4:21: operators[0].first_name: the value contains a control character, \\t (tab): no key or value "
        "may hold one")


def test_control_characters_are_listed_up_to_a_bound() -> None:
    text = "version: 1\noperators: []\n" + "".join(f"# line\x1b {n}\n" for n in range(50))
    found = problems(text)
    assert len(found) == 11 and found[-1].endswith("more control characters follow; only the first ones are listed")


def test_a_binary_file_is_refused_with_a_few_problems_not_a_traceback() -> None:
    assert 1 <= len(problems("\x00" * 100_000)) <= 12


def test_a_secret_field_never_shows_its_value_even_one_character() -> None:
    text = 'version: 1\noperators:\n  - email: ada@example.com\n    sso_key: "s3cret\\e-token"\n'
    assert only_problem(text) == (f"{FILE}:4:14: operators[0].sso_key: the value contains a control character "
                                  "(not shown: the field is secret)")


@pytest.mark.parametrize(("value", "message"), [
    ("[s3cret, token]", "must be a string, got a list"),
    ("{s3cret: 123456789012}", "must be a string, got a mapping"),
])
def test_a_secret_field_of_the_wrong_type_is_described_by_its_kind(value: str, message: str) -> None:
    text = f"version: 1\noperators:\n  - email: ada@example.com\n    sso_key: {value}\n"
    problem = only_problem(text)
    assert problem == f"{FILE}:4:5: operators[0].sso_key: {message}"
    assert "s3cret" not in problem and "123456789012" not in problem


@pytest.mark.parametrize(("value", "message"), [
    ("!!int s3cret", "cannot build value: not a valid !!int"),
    ("!!int s3_cret", "cannot build value: not a valid !!int"),  # (PyYAML quotes it without the _)
    ("!!float s3cret", "cannot build value: not a valid !!float"),
    ("!!bool s3cret", "cannot build value: not a valid !!bool"),
    ("!!timestamp s3cret", "cannot build value: not a valid !!timestamp"),
    ('!!binary "s3cr\u00e9t"', "cannot build value: not a valid !!binary"),
    ("!!timestamp 2024-13-45", "cannot build value: month must be in 1..12"),  # (datetime quotes nothing)
], ids=["int", "int with _", "float", "bool", "timestamp", "binary", "impossible date"])
def test_a_tagged_secret_that_does_not_build_is_not_quoted(value: str, message: str) -> None:
    text = f"version: 1\noperators:\n  - email: ada@example.com\n    sso_key: {value}\n"
    problem = only_problem(text)
    assert problem == f"{FILE}:4:14: invalid YAML: {message}"
    assert "s3" not in problem and "cret" not in problem and "\u00e9" not in problem and "\\xe9" not in problem


def test_a_tagged_binary_secret_is_described_by_its_kind() -> None:
    text = "version: 1\noperators:\n  - email: ada@example.com\n    sso_key: !!binary czNjcmV0\n"
    assert only_problem(text) == f"{FILE}:4:5: operators[0].sso_key: must be a string, got binary data"


@pytest.mark.parametrize("value", ["123456789012", "true", "0042"])
def test_a_secret_written_unquoted_is_the_text_as_written(value: str) -> None:
    text = f"version: 1\noperators:\n  - email: ada@example.com\n    sso_key: {value}\n"
    assert load_texts([(FILE, text)]).operators[0].fields["sso_key"] == value


# --- Excerpts --------------------------------------------------------------------------------


def test_a_long_value_is_quoted_as_an_excerpt() -> None:
    value = "x" * 3000
    problem = only_problem(f"version: 1\noperators:\n  - email: ada@example.com\n    roles: [{value}]\n")
    assert problem.endswith(f"got '{'x' * EXCERPT_CHARS}…' (3,000 characters)")
    assert len(problem) < 400


def test_a_document_that_is_one_string_is_not_quoted() -> None:
    assert only_problem("IADVIZE_API_KEY=sk-live-0123456789abcdef\nOTHER=1\n") == (
        f"{FILE}:1:1: a roster must be a mapping with 'version' and 'operators', got a string")


def test_a_long_unknown_profile_name_is_cut_and_escaped() -> None:
    name = "p\x1b" * 1000
    text = f'version: 1\noperators:\n  - email: ada@example.com\n    profile: "{name.replace(chr(27), chr(92) + "e")}"\n'
    found = [p for p in problems(text) if "unknown profile" in p]
    assert len(found) == 1 and "\x1b" not in found[0] and len(found[0]) < 400


def test_duplicate_emails_are_quoted_as_excerpts() -> None:
    email = "a" * 200 + "@example.com"
    text = f"version: 1\noperators:\n  - email: {email}\n  - email: {email}\n"
    assert only_problem(text).startswith(f"{FILE}:4:5: operators[1].email: duplicate email '{'a' * EXCERPT_CHARS}…' ")


@pytest.mark.parametrize("text", [
    "a: *" + "n" * 3000 + "\n",  # found undefined alias 'nnn…'
    "a: !" + "t" * 3000 + " x\n",  # could not determine a constructor for the tag '!ttt…'
    "a: !%1b[2J x\n",  # a tag holding an escape: PyYAML unescapes it into its message
])
def test_pyyaml_messages_quote_no_more_than_an_excerpt(text: str) -> None:
    problem = only_problem(text)
    assert len(problem) < 300 and "\x1b" not in problem, problem


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_an_email_with_an_invisible_character_is_refused(invisible: str) -> None:
    """Two emails that look the same to a reviewer must not both pass."""
    text = f'version: 1\noperators:\n  - email: "a{invisible}@example.com"\n'
    with pytest.raises(RosterError) as caught:
        load_texts([("team.yaml", text)])
    assert [p.path for p in caught.value.problems] == ["operators[0].email"]


def test_an_alias_may_not_repeat_a_secret_where_a_message_would_show_it() -> None:
    # (priority: *s would be refused as 'got 0123', and as a key the secret would be the path shown)
    for use in ("    chat: {priority: *s}\n", "    *s : 1\n"):
        text = "version: 1\noperators:\n  - email: ada@example.com\n    sso_key: &s 0123\n" + use
        problem = only_problem(text)
        assert "0123" not in problem and "123" not in problem.split(": ", 1)[1]
        assert problem.endswith("this alias repeats a secret's value outside a secret field, where messages would "
                                "show it: write the value there instead")


def test_an_alias_may_repeat_a_secret_as_another_secret() -> None:
    text = ("version: 1\noperators:\n  - email: ada@example.com\n    sso_key: &s 0123\n"
            "  - email: bob@example.com\n    sso_key: *s\n")
    assert [op.fields["sso_key"] for op in load_texts([(FILE, text)]).operators] == ["0123", "0123"]
