"""The JSON Schema against validate, with a real JSON Schema validator (jsonschema).

The schema is what an editor checks as you type, so it must accept every roster
`rostersync validate` accepts (a red squiggle on a valid line teaches people to
ignore them) and catch what one file can show. The table below holds the bad
rosters of the test suite (tests/roster, tests/cli), each with what the schema
catches; `BEYOND_A_SCHEMA` lists, with the reason, the rules it cannot express.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from rostersync.roster.export import export_roster_text
from rostersync.roster.loader import load_texts
from rostersync.roster.positions import format_path
from rostersync.roster.problems import RosterError
from rostersync.roster.schema import MODELINE, SCHEMA_URL, roster_json_schema
from rostersync.roster.scope import Scope

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = roster_json_schema()
VALIDATOR = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)


EDITOR_YAML = YAML(typ="safe", pure=True)  # YAML 1.2, as yaml-language-server reads a file
EDITOR_YAML.allow_duplicate_keys = True  # (an editor flags them as a YAML error; see BEYOND_A_SCHEMA)


def schema_errors(text: str) -> set[str]:
    """Where the schema finds a problem in one roster file, read as an editor reads it:
    the paths, as validate writes them."""
    return {format_path(list(error.absolute_path)) for error in VALIDATOR.iter_errors(EDITOR_YAML.load(text))}


def validate_problems(*texts: str) -> list[str]:
    try:
        load_texts([(f"file{i}.yaml", text) for i, text in enumerate(texts)])
    except RosterError as exc:
        return [p.message for p in exc.problems]
    return []


def one_operator(body: str) -> str:
    return "version: 1\noperators:\n  - email: ada@example.com\n" + textwrap.indent(textwrap.dedent(body), "    ")


# --- valid rosters ---------------------------------------------------------------------------


def test_the_schema_is_a_valid_draft_07_schema_that_serves_itself() -> None:
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    # The raw file, not GitHub's HTML page about it.
    assert SCHEMA["$id"] == SCHEMA_URL == (
        "https://raw.githubusercontent.com/rostersync/rostersync/main/schema/roster.schema.json")
    assert MODELINE.startswith("# yaml-language-server: $schema=")
    assert MODELINE.endswith(SCHEMA_URL)


def test_the_example_roster_is_valid() -> None:
    text = (ROOT / "examples" / "operators.yaml").read_text()
    assert validate_problems(text) == []
    assert schema_errors(text) == set()


@dataclass(frozen=True)
class LiveOperator:
    fields: dict[str, Any]


def test_an_exported_roster_points_at_the_schema_and_passes_it() -> None:
    live = [LiveOperator({"email": "ada@example.com", "roles": ["operator"], "chat_priority": 10, "group_id": 7,
                          "call_config": {"type": "ANSWER_FROM_PHONE", "phone_number": "+33612345678"}})]
    text = export_roster_text(live, Scope(group=7))
    assert text.splitlines()[0] == MODELINE
    assert "\nscope: {group: 7}\n" in text  # the roster's key, not the API's group_id
    assert validate_problems(text) == []
    assert schema_errors(text) == set()


VALID = {
    "profile as a string": one_operator("profile: p\n").replace("operators:", "profiles: {p: {}}\noperators:"),
    "profile as a list": one_operator("profile: [p, q]\n").replace("operators:", "profiles: {p: {}, q: {}}\noperators:"),
    "operators with no value": "version: 1\noperators:\n",
    "an empty profile and no operators": "version: 1\nprofiles:\n  p: {}\noperators: []\n",
    "values as typed (numbers and booleans to an editor)": one_operator(
        "external_id: 0042\npseudo: true\nskills: [7.5, 101, true]\ngroup: 7.5\n"
        "call_config: {type: ANSWER_FROM_PHONE, phone_number: +33612345678}\n"),
    "ANSWER_FROM_PHONE with a phone": one_operator("call_config: {type: ANSWER_FROM_PHONE, phone_number: '+33612345678'}\n"),
    "ANSWER_FROM_PHONE asking every time": one_operator(
        "call_config: {type: ANSWER_FROM_PHONE, ask_phone_number_at_every_connection: true}\n"),
    "ANSWER_FROM_PHONE, the phone from defaults": one_operator("call_config: {type: ANSWER_FROM_PHONE}\n").replace(
        "operators:", "defaults: {call_config: {phone_number: '+33612345678'}}\noperators:"),
    "ANSWER_FROM_PHONE, the phone from a profile": one_operator(
        "profile: mobile\ncall_config: {type: ANSWER_FROM_PHONE}\n").replace(
        "operators:", "profiles: {mobile: {call_config: {ask_phone_number_at_every_connection: true}}}\noperators:"),
    "ANSWER_FROM_PHONE in defaults, the phone in the operator": one_operator(
        "call_config: {phone_number: '+33612345678'}\n").replace(
        "operators:", "defaults: {call_config: {type: ANSWER_FROM_PHONE}}\noperators:"),
    "ANSWER_FROM_PHONE in defaults, the operator at the desk": one_operator(
        "call_config: {type: ANSWER_FROM_DESK}\n").replace(
        "operators:", "defaults: {call_config: {type: ANSWER_FROM_PHONE}}\noperators:"),
    "every language code": one_operator("languages: [aa, zu, fr, en]\n"),
    "ignore and scope": "version: 1\nscope: {website: 1, group: 2}\nignore: ['*@iadvize.com']\noperators: []\n",
    "a scope by name": "version: 1\nscope: {website: Maison Lumiere FR, group: Paris desk}\noperators: []\n",
    "a scope in the older spelling": "version: 1\nscope: {website_id: 1, group_id: Paris desk}\noperators: []\n",
    "a scope in both spellings, one per key": "version: 1\nscope: {website_id: 1, group: 2}\noperators: []\n",
}


@pytest.mark.parametrize("text", VALID.values(), ids=VALID.keys())
def test_rosters_validate_accepts_the_schema_accepts(text: str) -> None:
    assert validate_problems(text) == []
    assert schema_errors(text) == set()


# --- invalid rosters: the table -----------------------------------------------------------------
# Each bad roster of tests/roster/test_roster_rules.py, test_roster_loading.py and
# tests/cli/test_validate_schema_cli.py, with where the schema flags it. A JSON
# Schema validator reports an unknown key or a missing one at the mapping that holds it.

CAUGHT: dict[str, tuple[str, set[str]]] = {
    # test_roster_rules.test_each_operator_rule_is_reported_at_its_line
    "unknown role": (one_operator("roles: [operator, boss]\n"), {"operators[0].roles[1]"}),
    "no role": (one_operator("roles: []\n"), {"operators[0].roles"}),
    "chat priority 5": (one_operator("chat: {priority: 5}\n"), {"operators[0].chat.priority"}),
    "call priority 1": (one_operator("call:\n  priority: 1\n"), {"operators[0].call.priority"}),
    "priority as a string": (one_operator("video: {priority: '10'}\n"), {"operators[0].video.priority"}),
    "chat max 0": (one_operator("chat: {max: 0}\n"), {"operators[0].chat.max"}),
    "chat max 2.5": (one_operator("chat: {max: 2.5}\n"), {"operators[0].chat.max"}),
    "admin language it": (one_operator("language_admin: it\n"), {"operators[0].language_admin"}),
    "language french": (one_operator("languages: [fr, french]\n"), {"operators[0].languages[1]"}),
    "national phone number": (one_operator("call_config: {type: ANSWER_FROM_PHONE, phone_number: '0612345678'}\n"),
                              {"operators[0].call_config.phone_number"}),
    "ANSWER_FROM_PHONE alone": (one_operator("call_config: {type: ANSWER_FROM_PHONE}\n"),
                                {"operators[0].call_config"}),
    "ANSWER_FROM_PHONE, asking false": (
        one_operator("call_config: {type: ANSWER_FROM_PHONE, ask_phone_number_at_every_connection: false}\n"),
        {"operators[0].call_config"}),
    "unknown pickup type": (one_operator("call_config: {type: ANSWER_FROM_MOON}\n"), {"operators[0].call_config.type"}),
    "skill a blank name": (one_operator("skills: [101, ' ']\n"), {"operators[0].skills[1]"}),
    "skills not a list": (one_operator("skills: 101\n"), {"operators[0].skills"}),
    "enabled maybe": (one_operator("chat: {enabled: maybe}\n"), {"operators[0].chat.enabled"}),
    "YAML 1.1 booleans": (one_operator("chat: {enabled: yes}\nchat_to_video: off\n"),
                          {"operators[0].chat.enabled", "operators[0].chat_to_video"}),
    "website neither id nor name": (one_operator("websites: [123, [456]]\n"), {"operators[0].websites[1]"}),
    "unknown field chatt": (one_operator("chatt: {enabled: true}\n"), {"operators[0]"}),
    "unknown field chat.enabeld": (one_operator("chat: {enabeld: true}\n"), {"operators[0].chat"}),
    "unknown field favourite_colour": (one_operator("favourite_colour: blue\n"), {"operators[0]"}),
    "a key with no value": (one_operator("pseudo:\n"), {"operators[0].pseudo"}),
    # test_an_invalid_email_is_reported, test_a_missing_email_names_the_operator
    "invalid email": ("version: 1\noperators:\n  - email: ada.example.com\n", {"operators[0].email"}),
    "missing email": ("version: 1\noperators:\n  - first_name: Ada\n", {"operators[0]"}),
    # test_document_rules
    "version 2": ("version: 2\noperators: []\n", {"version"}),
    "no version": ("operators: []\n", {""}),
    "no operators": ("version: 1\n", {""}),
    "an empty file": ("", {""}),
    "only a comment": ("# only a comment\n", {""}),
    "a list, not a mapping": ("- a\n- b\n", {""}),
    "unknown scope key": ("version: 1\noperators: []\nscope: {websites: 3}\n", {"scope"}),
    # test_a_scope_gives_one_spelling_of_each_key
    "both spellings of a scope key": ("version: 1\noperators: []\nscope: {group: 7, group_id: 7, website: 1, "
                                      "website_id: 2}\n", {"scope.group_id", "scope.website_id"}),
    "misspelt operators": ("version: 1\noperatros: []\n", {""}),
    # test_rules_apply_to_defaults_and_profiles_too
    "rules in defaults and profiles": (
        "version: 1\ndefaults: {chat: {priority: 3}}\nprofiles:\n  p: {rolse: [operator]}\noperators: []\n",
        {"defaults.chat.priority", "profiles.p"}),
    # tests/cli/test_validate_schema_cli.test_an_invalid_roster_lists_every_problem_and_exits_1
    "the CLI's bad roster": (one_operator("chat: {priority: 5}\nrols: [operator]\n"),
                             {"operators[0].chat.priority", "operators[0]"}),
}


@pytest.mark.parametrize(("text", "flagged"), CAUGHT.values(), ids=CAUGHT.keys())
def test_each_invalid_roster_the_schema_can_express_is_caught(text: str, flagged: set[str]) -> None:
    assert validate_problems(text) != []
    assert schema_errors(text) == flagged


@pytest.mark.parametrize(("text", "message"), [
    ('version: 1\noperators:\n  - email: "ada@example.com\\n"\n',
     "must be a valid email address, got 'ada@example.com\\n'"),
    (one_operator('call_config: {type: ANSWER_FROM_PHONE, phone_number: "+33612345678\\n"}\n'),
     "must be a phone number with its international prefix, such as '+33123456789', got '+33612345678\\n'"),
], ids=["email", "phone"])
def test_a_value_ending_in_a_line_break_is_refused_as_editors_refuse_it(text: str, message: str) -> None:
    # In editors (JavaScript) and check-jsonschema (ECMA regexes) a pattern's `$` ends
    # the string; in Python it may stand before a final line break, which validate
    # once let through. (python-jsonschema, which uses Python's, is the lenient one.)
    # Two problems, each true on its own: the format check itself refuses the value
    # (the point here), and the line feed is a control character, which no value may
    # hold (issue 11; it would be reported in any field).
    assert validate_problems(text) == [
        message, "the value contains a control character, \\n (line feed): no key or value may hold one"]


def test_of_a_file_with_many_problems_the_schema_catches_each_one_a_file_decides() -> None:
    # test_every_problem_is_reported_at_once, and more.
    text = textwrap.dedent("""\
        version: 1
        operators:
          - email: a@example.com
            chat: {priority: 5, max: 0}
            roles: [boss]
            profile: sales-fr
            call_config: {type: ANSWER_FROM_PHONE}
          - email: A@example.com
            language_admin: xx
            languages: [french]
            call_config: {type: ANSWER_FROM_PHONE}
        """)
    with pytest.raises(RosterError) as info:
        load_texts([("team.yaml", text)])
    assert [p.path for p in info.value.problems] == [
        "operators[0].chat.priority", "operators[0].chat.max", "operators[0].roles[0]", "operators[0].profile",
        "operators[0].call_config", "operators[1].email", "operators[1].language_admin",
        "operators[1].languages[0]", "operators[1].call_config",
    ]
    # 6 of the 9. Not the unknown profile (profiles are shared by every file of a
    # roster), nor the first ANSWER_FROM_PHONE (the phone might be in that profile),
    # nor the duplicate email (a schema compares whole entries).
    assert schema_errors(text) == {
        "operators[0].chat.priority", "operators[0].chat.max", "operators[0].roles[0]",
        "operators[1].language_admin", "operators[1].languages[0]", "operators[1].call_config",
    }


# --- what no schema can express ---------------------------------------------------------------

BEYOND_A_SCHEMA: dict[str, tuple[tuple[str, ...], str]] = {
    "duplicate keys": (
        ("version: 1\noperators:\n  - email: ada@example.com\n    name: Lovelace\n    name: Byron\n",),
        "the YAML parser keeps one of them before any schema sees the data (editors flag it as a YAML error)"),
    "duplicate emails differing in case": (
        ("version: 1\noperators:\n  - email: ada@example.com\n  - email: Ada@Example.com\n",),
        "uniqueItems compares whole entries, not one key without regard to case"),
    "duplicate external ids": (
        ("version: 1\noperators:\n  - email: a@example.com\n    external_id: HR-1\n"
         "  - email: b@example.com\n    external_id: HR-1\n",),
        "uniqueItems compares whole entries, not one key of each"),
    "an unknown profile": (
        ("version: 1\nprofiles:\n  sales-fr: {languages: [fr]}\noperators:\n  - email: a@example.com\n"
         "    profile: [sales-fe]\n",),
        "profiles are shared by every file of a roster: the one named may be in another file"),
    "ANSWER_FROM_PHONE in an operator with a profile": (
        (one_operator("profile: p\ncall_config: {type: ANSWER_FROM_PHONE}\n").replace(
            "operators:", "profiles: {p: {}}\noperators:"),),
        "the phone may come from the profile, which may be in another file"),
    "an ignored email": (
        ("version: 1\nignore: ['*@iadvize.com']\noperators:\n  - email: Bob@iAdvize.com\n",),
        "the patterns are values of the document, and a schema's patterns are fixed"),
    "operators outside the scope": (
        ("version: 1\nscope: {website_id: 123, group_id: 7}\noperators:\n"
         "  - email: a@example.com\n    websites: [456]\n    group: 8\n",),
        "it compares two values of the document; draft-07 has no $data"),
    "a profile defined in two files, and one email in two files": (
        ("version: 1\nprofiles:\n  p: {}\noperators:\n  - email: x@example.com\n",
         "version: 1\nprofiles:\n  p: {}\noperators:\n  - email: X@example.com\n"),
        "a schema sees one file"),
    "files disagreeing on the scope": (
        ("version: 1\nscope: {group_id: 7}\noperators: []\n", "version: 1\nscope: {group_id: 8}\noperators: []\n"),
        "a schema sees one file"),
}


@pytest.mark.parametrize(("texts", "reason"), BEYOND_A_SCHEMA.values(), ids=BEYOND_A_SCHEMA.keys())
def test_rules_beyond_a_schema_are_left_to_validate(texts: tuple[str, ...], reason: str) -> None:
    assert validate_problems(*texts) != [], reason
    assert all(schema_errors(text) == set() for text in texts), reason


# --- every roster validate accepts -------------------------------------------------------------
# Rosters drawn from valid values, tricky ones among them; what can still make one
# invalid is what spans fields (an undefined profile, ANSWER_FROM_PHONE without a
# phone after the merge). Whenever validate accepts one, the schema must too.


def mapping(**keys: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=keys)


def one_of(*values: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(values)


FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "external_id": one_of("HR-1", "0042", "yes", "x y"),
    "first_name": one_of("Ada", "", "null", "Zoé"),
    "roles": st.lists(one_of("operator", "expert", "manager", "admin"), min_size=1, max_size=5),
    "chat": mapping(enabled=st.booleans(), max=st.integers(1, 2**40), priority=one_of(0, 10)),
    "call": mapping(enabled=st.booleans(), priority=one_of(0, 10)),
    "video": mapping(enabled=st.booleans()),
    "chat_to_video": st.booleans(),
    "languages": st.lists(one_of("fr", "en", "zu", "aa", "es"), max_size=4),
    "language_admin": one_of("de", "en", "es", "fr"),
    "group": st.integers(-(2**40), 2**40),
    "websites": st.lists(st.integers(0, 10**6), max_size=3),
    "sso_key": one_of("s3cret", "x"),
    "call_config": mapping(type=one_of("ANSWER_FROM_PHONE", "ANSWER_FROM_DESK"),
                           phone_number=one_of("+33612345678", "+4915112345678", "+1234567"),
                           ask_phone_number_at_every_connection=st.booleans()),
}
OPERATORS = st.fixed_dictionaries(
    {"email": one_of("ada@example.com", "zoé.durand@maison-lumière.fr", "a@b.c", "x+y@z.org", "O'Neil@ex.co.uk")},
    optional={**FIELDS, "profile": one_of("p", ["p"], ["q", "p"], [], ["p", "p"])})
BODIES = st.fixed_dictionaries({}, optional=FIELDS)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operators=st.lists(OPERATORS, max_size=3, unique_by=lambda op: op["email"].lower()),
       defaults=st.none() | BODIES, profiles=st.fixed_dictionaries({}, optional={"p": BODIES, "q": BODIES}))
def test_every_roster_validate_accepts_the_schema_accepts(operators: list[dict[str, Any]],
                                                          defaults: dict[str, Any] | None,
                                                          profiles: dict[str, Any]) -> None:
    document: dict[str, Any] = {"version": 1, "profiles": profiles, "operators": operators}
    if defaults is not None:
        document["defaults"] = defaults
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    if validate_problems(text) == []:
        assert schema_errors(text) == set(), text
