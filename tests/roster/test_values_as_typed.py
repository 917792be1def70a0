"""Values as they were typed (issue 12), through the loader a user's roster goes
through (`load_texts`) and the CLI: every field of a roster reads a plain scalar by
what the field holds, never by YAML 1.1's implicit types, and with or without libyaml.

- a text field takes the text as written: ``external_id: 0042`` is '0042' (YAML 1.1:
  the octal 34), ``1:20`` is '1:20' (80), ``yes`` is 'yes' (true);
- a true/false field takes true and false only; yes, on, 1, a quoted 'true' ... are
  refused, where they are written, with a message that says to write true or false;
- a number field takes decimal digits (``010`` is ten), and refuses anything else,
  quoting it as written;
- a reference (skills, websites, group, scope) is an id when it is decimal digits, and
  a name otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rostersync.cli.main import cli
from rostersync.roster import yaml_source
from rostersync.roster.loader import Roster, load_texts
from rostersync.roster.problems import RosterError
from rostersync.sandbox import Sandbox

FILE = "team.yaml"
LIBYAML, C_LOADER = yaml_source._LIBYAML, yaml_source._CLoader  # as PyYAML is built here
HEAD = "version: 1\noperators:\n  - email: ada@example.com\n"


@pytest.fixture(autouse=True, params=["libyaml", "pyyaml"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test holds with PyYAML on libyaml and with PyYAML alone."""
    if request.param == "libyaml" and LIBYAML is None:
        pytest.skip("PyYAML without libyaml")
    if request.param == "pyyaml":
        monkeypatch.setattr(yaml_source, "_LIBYAML", None)
        monkeypatch.setattr(yaml_source, "_CLoader", None)
    return str(request.param)


def load(text: str) -> Roster:
    return load_texts([(FILE, text)])


def fields_of(body: str) -> dict[str, Any]:
    """The managed fields (API names) of the one operator, with `body` under its email."""
    [operator] = load(HEAD + body).operators
    return operator.fields


def problems(text: str) -> list[str]:
    with pytest.raises(RosterError) as caught:
        load(text)
    return [str(problem) for problem in caught.value.problems]


def column_of(line: str, key: str) -> int:
    return line.index(f"{key}:") + 1


def where_key(text: str, key: str) -> str:
    """``line:column`` of the first line of `text` that writes `key:`."""
    line_number, line = next((n, line) for n, line in enumerate(text.splitlines(), 1) if f"{key}:" in line)
    return f"{line_number}:{column_of(line, key)}"


# What YAML 1.1 would make something else of: octal, sexagesimal, booleans, floats,
# hex, an integer with a sign, a date, and a few that were already text.
TEXT_AS_WRITTEN = ["0042", "1:20", "yes", "no", "on", "off", "1e3", "0x1F", "+33123456789", "2024-01-02",
                   "true", "FALSE", "012", "1_000", ".inf", "-.5", "2001-12-14 21:59:43.10 -5", "Ada"]


# --- Text fields ---------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["external_id", "first_name", "name", "pseudo", "sso_key"])
@pytest.mark.parametrize("written", TEXT_AS_WRITTEN)
def test_a_text_field_holds_the_text_as_written(field: str, written: str) -> None:
    assert fields_of(f"    {field}: {written}\n")[field] == written


@pytest.mark.parametrize("field", ["external_id", "first_name", "name", "pseudo", "sso_key"])
def test_a_text_field_of_defaults_and_profiles_holds_the_text_as_written(field: str) -> None:
    roster = load("version: 1\n"
                  f"defaults: {{{field}: 0042}}\n"
                  f"profiles: {{late: {{{field}: 1:20}}}}\n"
                  "operators:\n  - email: a@example.com\n  - email: b@example.com\n    profile: late\n")
    assert [op.fields[field] for op in roster.operators] == ["0042", "1:20"]


@pytest.mark.parametrize("written", TEXT_AS_WRITTEN)
def test_an_email_is_text_as_written_and_refused_quoting_it(written: str) -> None:
    line = f"  - email: {written}\n"
    assert problems("version: 1\noperators:\n" + line) == [
        f"{FILE}:3:5: operators[0].email: must be a valid email address, got '{written}'"]


def test_an_email_of_digits_is_the_email_as_written() -> None:
    roster = load("version: 1\noperators:\n  - email: 0042@example.com\n  - email: 1e3@0x1f.io\n")
    assert [op.email for op in roster.operators] == ["0042@example.com", "1e3@0x1f.io"]


def test_a_phone_number_is_the_text_as_written() -> None:
    body = "    call_config: {type: ANSWER_FROM_PHONE, phone_number: +33123456789}\n"
    assert fields_of(body)["call_config"] == {"type": "ANSWER_FROM_PHONE", "phone_number": "+33123456789"}


@pytest.mark.parametrize("written", ["0123", "0033123456789", "33123456789", "1e3"])
def test_a_phone_number_that_is_not_one_is_refused_quoting_it(written: str) -> None:
    line = f"    call_config: {{type: ANSWER_FROM_PHONE, phone_number: {written}}}\n"
    assert problems(HEAD + line) == [
        f"{FILE}:4:{column_of(line, 'phone_number')}: operators[0].call_config.phone_number: must be a phone number "
        f"with its international prefix, such as '+33123456789', got '{written}'"]


def test_languages_are_codes_as_written() -> None:
    # `no` is Norwegian: YAML 1.1 made it false.
    assert fields_of("    languages: [no, fr]\n")["language_list"] == ["fr", "no"]
    assert fields_of("    languages:\n      - no\n")["language_list"] == ["no"]


@pytest.mark.parametrize("written", ["on", "off", "yes", "y", "1", "0x1F"])
def test_a_language_that_is_not_one_is_refused_quoting_it(written: str) -> None:
    line = f"    languages: [fr, {written}]\n"
    assert problems(HEAD + line) == [
        f"{FILE}:4:{line.index(written, 20) + 1}: operators[0].languages[1]: must be an ISO 639-1 language code such "
        f"as 'en' or 'fr', got '{written}'"]


@pytest.mark.parametrize(("line", "key", "path", "expected"), [
    ("    language_admin: {}\n", "language_admin", "language_admin", "'de', 'en', 'es' or 'fr'"),
    ("    roles: [{}]\n", None, "roles[0]", "'expert', 'operator', 'manager' or 'admin'"),
    ("    call_config: {{type: {}}}\n", "type", "call_config.type", "'ANSWER_FROM_PHONE' or 'ANSWER_FROM_DESK'"),
])  # fmt: skip
@pytest.mark.parametrize("written", ["no", "on", "off", "yes", "true", "1", "0x1F"])
def test_a_choice_of_words_is_refused_quoting_the_text_as_written(line: str, key: str | None, path: str,
                                                                  expected: str, written: str) -> None:
    line = line.format(written)
    column = column_of(line, key) if key else line.index("[") + 2
    assert problems(HEAD + line) == [f"{FILE}:4:{column}: operators[0].{path}: must be {expected}, got '{written}'"]


def test_profile_names_are_the_text_as_written() -> None:
    roster = load("version: 1\n"
                  "profiles:\n  0042: {first_name: Zero}\n  yes: {pseudo: Yes}\n  1:20: {name: Twenty}\n"
                  "operators:\n  - email: a@example.com\n    profile: [0042, yes, 1:20]\n"
                  "  - email: b@example.com\n    profile: 0042\n")
    assert roster.profiles == ("0042", "yes", "1:20")
    assert [op.fields for op in roster.operators] == [
        {"email": "a@example.com", "first_name": "Zero", "pseudo": "Yes", "name": "Twenty"},
        {"email": "b@example.com", "first_name": "Zero"},
    ]


def test_an_unknown_profile_is_named_as_written() -> None:
    text = "version: 1\nprofiles: {0042: {pseudo: A}}\noperators:\n  - email: a@example.com\n    profile: 042\n"
    assert problems(text) == [f"{FILE}:5:5: operators[0].profile: unknown profile '042' (did you mean '0042'?); "
                              "known profiles: 0042"]


def test_ignore_patterns_are_the_text_as_written() -> None:
    roster = load("version: 1\nignore: [0042, yes, 1e3, '*@iadvize.com']\noperators: []\n")
    assert roster.ignore == ("0042", "yes", "1e3", "*@iadvize.com")


def test_an_ignore_pattern_of_digits_matches_as_written() -> None:
    text = "version: 1\nignore: [0042*]\noperators:\n  - email: 0042@example.com\n"
    assert problems(text) == [f"{FILE}:4:5: operators[0].email: matches the ignore pattern '0042*': an ignored "
                              "operator cannot be managed"]


# --- True/false fields ----------------------------------------------------------------------

BOOLEAN_FIELDS = [
    ("    chat: {{enabled: {}}}\n", "enabled", "chat.enabled", "chat_enabled"),
    ("    call:\n      enabled: {}\n", "enabled", "call.enabled", "call_enabled"),
    ("    video: {{enabled: {}, priority: 0}}\n", "enabled", "video.enabled", "video_enabled"),
    ("    chat_and_call: {}\n", "chat_and_call", "chat_and_call", "chat_and_call"),
    ("    chat_to_video: {}\n", "chat_to_video", "chat_to_video", "chat_to_video"),
    ("    call_config: {{type: ANSWER_FROM_DESK, ask_phone_number_at_every_connection: {}}}\n",
     "ask_phone_number_at_every_connection", "call_config.ask_phone_number_at_every_connection", "call_config"),
]  # fmt: skip


def boolean_of(fields: dict[str, Any], api: str) -> Any:
    value = fields[api]
    return value["ask_phone_number_at_every_connection"] if api == "call_config" else value


@pytest.mark.parametrize(("body", "key", "path", "api"), BOOLEAN_FIELDS)
@pytest.mark.parametrize(("written", "value"), [("true", True), ("false", False), ("True", True), ("TRUE", True),
                                                ("False", False), ("FALSE", False)])
def test_a_true_false_field_takes_true_and_false(body: str, key: str, path: str, api: str, written: str,
                                                 value: bool) -> None:
    assert boolean_of(fields_of(body.format(written)), api) is value


@pytest.mark.parametrize(("body", "key", "path", "api"), BOOLEAN_FIELDS)
@pytest.mark.parametrize(("written", "shown"), [
    ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"), ("n", "n"), ("Yes", "Yes"),
    ("1", "1"), ("0", "0"), ("'true'", "true"), ('"false"', "false"), ("tRUE", "tRUE"),
])  # fmt: skip
def test_a_true_false_field_refuses_anything_else_where_it_is_written(body: str, key: str, path: str, api: str,
                                                                      written: str, shown: str) -> None:
    text = HEAD + body.format(written)
    assert problems(text) == [f"{FILE}:{where_key(text, key)}: operators[0].{path}: must be true or false, got "
                              f"'{shown}': write true or false, without quotes"]


def test_a_true_false_field_of_defaults_refuses_yes_there() -> None:
    text = "version: 1\ndefaults:\n  chat: {enabled: on}\noperators:\n  - email: a@example.com\n"
    assert problems(text) == [f"{FILE}:3:10: defaults.chat.enabled: must be true or false, got 'on': write true or "
                              "false, without quotes"]


# --- Number fields --------------------------------------------------------------------------

NUMBER_FIELDS = [
    ("    chat: {{max: {}}}\n", "max", "chat.max", "chat_max_number", "an integer"),
    ("    chat: {{priority: {}}}\n", "priority", "chat.priority", "chat_priority", "0 or 10"),
    ("    call:\n      priority: {}\n", "priority", "call.priority", "call_priority", "0 or 10"),
    ("    video: {{priority: {}}}\n", "priority", "video.priority", "video_priority", "0 or 10"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "key", "path", "api", "expected"), NUMBER_FIELDS)
@pytest.mark.parametrize(("written", "value"), [("10", 10), ("010", 10), ("0010", 10), ("+10", 10)])
def test_a_number_field_reads_decimal_digits(body: str, key: str, path: str, api: str, expected: str,
                                             written: str, value: int) -> None:
    assert fields_of(body.format(written))[api] == value


@pytest.mark.parametrize(("body", "key", "path", "api", "expected"), NUMBER_FIELDS)
@pytest.mark.parametrize("written", ["0x0A", "1_0", "1e1", "10.0", "012.0", "0o12", "ten", "'10'", "1:20"])
def test_a_number_field_refuses_anything_else_quoting_it(body: str, key: str, path: str, api: str, expected: str,
                                                         written: str) -> None:
    text = HEAD + body.format(written)
    assert problems(text) == [f"{FILE}:{where_key(text, key)}: operators[0].{path}: must be {expected}, got "
                              f"'{written.strip(chr(39))}'"]


def test_zero_priority_written_with_leading_zeros_is_zero() -> None:
    assert fields_of("    chat: {priority: 00}\n    call: {priority: 000}\n") == {
        "email": "ada@example.com", "chat_priority": 0, "call_priority": 0}


@pytest.mark.parametrize("written", ["1", "01", "+1"])
def test_the_version_reads_decimal_digits(written: str) -> None:
    assert load(f"version: {written}\noperators: []\n").files == (FILE,)


@pytest.mark.parametrize("written", ["0x1", "1.0", "1e0", "'1'", "one", "true"])
def test_the_version_refuses_anything_else_quoting_it(written: str) -> None:
    assert problems(f"version: {written}\noperators: []\n") == [
        f"{FILE}:1:1: version: must be 1, got '{written.strip(chr(39))}'"]


# --- References ---------------------------------------------------------------------------------


def references(roster: Roster, kind: str) -> list[Any]:
    return [use.value for use in roster.references if use.kind == kind]


def test_references_are_ids_when_decimal_digits_and_names_otherwise() -> None:
    roster = load(HEAD + "    skills: [Returns, 103, 7.5, yes, 0x1F, 1e3, 0104]\n"
                         "    websites: [Maison Lumiere FR, 456, www.maison-lumiere.de]\n"
                         "    group: 0007\n"
                         "  - email: grace@example.com\n"
                         "    group: Paris desk\n"
                         "    websites: [1:20]\n")
    assert references(roster, "skill") == ["Returns", 103, "7.5", "yes", "0x1F", "1e3", 104]
    assert references(roster, "website") == ["Maison Lumiere FR", 456, "www.maison-lumiere.de", "1:20"]
    assert references(roster, "group") == [7, "Paris desk"]


def test_a_reference_is_marked_where_it_is_written() -> None:
    roster = load(HEAD + "    skills: [Returns, 103, 7.5]\n")
    assert [(str(use.mark), use.path) for use in roster.references] == [
        (f"{FILE}:4:14", "operators[0].skills[0]"), (f"{FILE}:4:23", "operators[0].skills[1]"),
        (f"{FILE}:4:28", "operators[0].skills[2]")]


def test_the_scope_takes_ids_and_names_as_typed() -> None:
    roster = load("version: 1\nscope: {group: 07, website: Maison Lumiere FR}\noperators: []\n")
    assert (roster.scope.group, roster.scope.website) == (7, "Maison Lumiere FR")
    roster = load("version: 1\nscope:\n  group_id: Paris desk\n  website_id: 0123\noperators: []\n")  # (older keys)
    assert (roster.scope.group, roster.scope.website) == ("Paris desk", 123)


def test_a_reference_that_is_neither_an_id_nor_a_name_is_refused() -> None:
    assert problems(HEAD + "    skills: [Returns, [103]]\n    group: {id: 7}\n") == [
        f"{FILE}:4:23: operators[0].skills[1]: must be an id (an integer) or a name, got a list",
        f"{FILE}:5:5: operators[0].group: must be an id (an integer) or a name, got a mapping",
    ]


# --- Messages quote what was written ----------------------------------------------------------


def test_an_external_id_written_0042_is_never_34() -> None:
    text = "version: 1\noperators:\n  - email: a@example.com\n    external_id: 0042\n" \
           "  - email: b@example.com\n    external_id: 0042\n"
    found = problems(text)
    assert found == [f"{FILE}:6:5: operators[1].external_id: duplicate external_id '0042' (also at {FILE}:3, "
                     "operators[0])"]
    assert "34" not in "".join(found)


def test_what_yaml_1_1_made_of_a_value_appears_in_no_message() -> None:
    text = HEAD + ("    chat: {enabled: yes, max: 0x1F, priority: 1:20}\n    languages: [off]\n"
                   "    call_config: {type: ANSWER_FROM_PHONE, phone_number: 0123}\n")
    found = "\n".join(problems(text))
    for written in ("'yes'", "'0x1F'", "'1:20'", "'off'", "'0123'"):
        assert written in found
    for yaml_1_1 in ("got true", "got false", "got 31", "got 80", "got 83"):  # YAML 1.1's readings
        assert yaml_1_1 not in found


# --- Either parser, the same roster ---------------------------------------------------------

EVERYTHING = """\
version: 01
scope: {group_id: 7}
ignore: [0042*, yes]
defaults: {group: 0007, languages: [no], chat: {enabled: true, priority: 010}}
profiles:
  1:20: {pseudo: on, skills: [Returns, 103, 7.5]}
operators:
  - email: ada@example.com
    external_id: 0042
    profile: 1:20
    first_name: 2024-01-02
    name: off
    sso_key: 1e3
    call_config: {type: ANSWER_FROM_PHONE, phone_number: +33123456789, ask_phone_number_at_every_connection: FALSE}
    websites: [Maison Lumiere FR, 0123]
  - email: grace@example.com
    external_id: 0x1F
    chat: {max: 010}
    video: {enabled: True, priority: 0}
"""


def test_a_roster_reads_the_same_with_and_without_libyaml(parser: str, monkeypatch: pytest.MonkeyPatch) -> None:
    roster = load(EVERYTHING)
    broken = EVERYTHING.replace("enabled: True", "enabled: yes").replace("max: 010", "max: 0x0A")
    refused = problems(broken)
    with monkeypatch.context() as patch:  # with the other parser than the fixture's
        patch.setattr(yaml_source, "_LIBYAML", LIBYAML if parser == "pyyaml" else None)
        patch.setattr(yaml_source, "_CLoader", C_LOADER if parser == "pyyaml" else None)
        assert load(EVERYTHING) == roster
        assert problems(broken) == refused
    assert [op.fields for op in roster.operators] == [
        {"email": "ada@example.com", "external_id": "0042", "first_name": "2024-01-02", "name": "off", "pseudo": "on",
         "chat_enabled": True, "chat_priority": 10, "language_list": ["no"], "group_id": 7,
         "website_list": [123, "Maison Lumiere FR"], "skill_list": [103, "7.5", "Returns"], "sso_key": "1e3",
         "call_config": {"type": "ANSWER_FROM_PHONE", "phone_number": "+33123456789",
                         "ask_phone_number_at_every_connection": False}},
        {"email": "grace@example.com", "external_id": "0x1F", "chat_enabled": True, "chat_max_number": 10,
         "chat_priority": 10, "video_enabled": True, "video_priority": 0, "language_list": ["no"], "group_id": 7},
    ]
    assert roster.ignore == ("0042*", "yes")
    assert refused == [
        f"{FILE}:18:12: operators[1].chat.max: must be an integer, got '0x0A'",
        f"{FILE}:19:13: operators[1].video.enabled: must be true or false, got 'yes': write true or false, "
        "without quotes",
    ]


# --- Through the CLI ----------------------------------------------------------------------------


def test_validate_refuses_yes_for_true_and_quotes_values_as_written(tmp_path: Path) -> None:
    roster = tmp_path / "team.yaml"
    roster.write_text(HEAD + "    external_id: 0042\n    chat: {enabled: yes, max: 0x0A}\n    languages: [no, off]\n")
    result = CliRunner().invoke(cli, ["validate", str(roster)], catch_exceptions=False)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"{roster}:5:12: operators[0].chat.enabled: must be true or false, got 'yes': write true or false, without "
        "quotes\n"
        f"{roster}:5:26: operators[0].chat.max: must be an integer, got '0x0A'\n"
        f"{roster}:6:21: operators[0].languages[1]: must be an ISO 639-1 language code such as 'en' or 'fr', got "
        "'off'\n"
        "3 problems found; nothing was sent to the API.\n"
    )


TYPED = """\
version: 1
operators:
  - email: ada@example.com
    external_id: 0042
    first_name: 1:20
    pseudo: yes
    languages: [no]
    chat: {enabled: true, max: 010, priority: 010}
    call_config: {type: ANSWER_FROM_PHONE, phone_number: +33123456789}
    skills: [Returns, 0101]
"""


def test_apply_sends_the_values_as_written_and_plans_no_changes_after(account: Sandbox, runner: CliRunner,
                                                                      tmp_path: Path) -> None:
    roster = tmp_path / "team.yaml"
    roster.write_text(TYPED)
    result = runner.invoke(cli, ["apply", "--yes", "-q", str(roster)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    [operator] = account.store.list()
    assert {key: operator[key] for key in ("external_id", "first_name", "pseudo", "language_list", "chat_max_number",
                                           "chat_priority", "call_config", "skill_list")} == {
        "external_id": "0042", "first_name": "1:20", "pseudo": "yes", "language_list": ["no"], "chat_max_number": 10,
        "chat_priority": 10, "call_config": {"type": "ANSWER_FROM_PHONE", "phone_number": "+33123456789",
                                             "ask_phone_number_at_every_connection": False},
        "skill_list": [101, 103],
    }
    again = runner.invoke(cli, ["plan", "-q", "--detailed-exitcode", str(roster)], catch_exceptions=False)
    assert (again.exit_code, again.stdout) == (0, "No changes.\n")


@pytest.mark.parametrize(("written", "shown"), [("05", "05"), ("+5", "+5"), ("0005", "0005")])
def test_a_number_written_otherwise_than_it_reads_is_quoted_as_written(written: str, shown: str) -> None:
    # (5 read from 05: the message quotes what the author typed, never the number YAML made of it)
    assert problems(HEAD + f"    video: {{priority: {written}}}\n") == [
        f"{FILE}:4:13: operators[0].video.priority: must be 0 or 10, got {shown}"]


def test_a_number_written_as_it_reads_is_quoted_as_it_is() -> None:
    assert problems(HEAD + "    chat: {max: 0}\n") == [f"{FILE}:4:12: operators[0].chat.max: must be a positive integer, got 0"]


def test_minus_zero_is_quoted_as_written() -> None:
    assert problems(HEAD + "    chat: {max: -0}\n") == [
        f"{FILE}:4:12: operators[0].chat.max: must be a positive integer, got -0"]
