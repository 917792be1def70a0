"""Each validation rule of the roster format, with its exact message and position."""

from __future__ import annotations

import textwrap

import pytest

from rostersync.roster.loader import load_texts
from rostersync.roster.problems import RosterError


def problems(text: str, name: str = "team.yaml") -> list[str]:
    with pytest.raises(RosterError) as info:
        load_texts([(name, textwrap.dedent(text))])
    return [str(p) for p in info.value.problems]


def one_operator(body: str) -> str:
    """A roster whose single operator has `body` under its email (lines 4 on)."""
    return "version: 1\noperators:\n  - email: ada@example.com\n" + textwrap.indent(textwrap.dedent(body), "    ")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("roles: [operator, boss]\n", "team.yaml:4:23: operators[0].roles[1]: must be 'expert', 'operator', 'manager' or 'admin', got 'boss'"),
        ("roles: []\n", "team.yaml:4:5: operators[0].roles: must not be empty"),
        ("external_id: ''\n", "team.yaml:4:5: operators[0].external_id: must not be empty"),
        ("sso_key: ''\n", "team.yaml:4:5: operators[0].sso_key: must not be empty"),
        ("chat: {priority: 5}\n", "team.yaml:4:12: operators[0].chat.priority: must be 0 or 10, got 5"),
        ("call:\n  priority: 1\n", "team.yaml:5:7: operators[0].call.priority: must be 0 or 10, got 1"),
        ("video: {priority: '10'}\n", "team.yaml:4:13: operators[0].video.priority: must be 0 or 10, got '10'"),
        ("chat: {max: 0}\n", "team.yaml:4:12: operators[0].chat.max: must be a positive integer, got 0"),
        ("chat: {max: 2.5}\n", "team.yaml:4:12: operators[0].chat.max: must be an integer, got '2.5'"),
        ("language_admin: it\n", "team.yaml:4:5: operators[0].language_admin: must be 'de', 'en', 'es' or 'fr', got 'it'"),
        ("languages: [fr, french]\n", "team.yaml:4:21: operators[0].languages[1]: must be an ISO 639-1 language code such as 'en' or 'fr', got 'french'"),
        ("call_config: {type: ANSWER_FROM_PHONE, phone_number: '0612345678'}\n",
         "team.yaml:4:44: operators[0].call_config.phone_number: must be a phone number with its international prefix, such as '+33123456789', got '0612345678'"),
        ("call_config: {type: ANSWER_FROM_PHONE}\n",
         "team.yaml:4:5: operators[0].call_config: type ANSWER_FROM_PHONE needs a phone_number or ask_phone_number_at_every_connection: true"),
        ("call_config: {type: ANSWER_FROM_PHONE, ask_phone_number_at_every_connection: false}\n",
         "team.yaml:4:5: operators[0].call_config: type ANSWER_FROM_PHONE needs a phone_number or ask_phone_number_at_every_connection: true"),
        ("call_config: {type: ANSWER_FROM_MOON}\n",
         "team.yaml:4:19: operators[0].call_config.type: must be 'ANSWER_FROM_PHONE' or 'ANSWER_FROM_DESK', got 'ANSWER_FROM_MOON'"),
        ("group: [7]\n", "team.yaml:4:5: operators[0].group: must be an id (an integer) or a name, got a list"),
        ("websites: [123, [abc]]\n",
         "team.yaml:4:21: operators[0].websites[1]: must be an id (an integer) or a name, got a list"),
        ("skills: 101\n", "team.yaml:4:5: operators[0].skills: must be a list, got 101"),
        ("chat: {enabled: maybe}\n", "team.yaml:4:12: operators[0].chat.enabled: must be true or false, got 'maybe': write true or false, without quotes"),
        ("external_id: [42]\n", "team.yaml:4:5: operators[0].external_id: must be a string, got a list"),
        ("chatt: {enabled: true}\n", "team.yaml:4:5: operators[0].chatt: unknown field (did you mean 'chat'?)"),
        ("chat: {enabeld: true}\n", "team.yaml:4:12: operators[0].chat.enabeld: unknown field (did you mean 'enabled'?)"),
        ("favourite_colour: blue\n", "team.yaml:4:5: operators[0].favourite_colour: unknown field"),
        ("pseudo:\n", "team.yaml:4:5: operators[0].pseudo: has no value: give it one, or remove the key to leave the field unmanaged"),
        ("profile: sales\n", "team.yaml:4:5: operators[0].profile: unknown profile 'sales'; known profiles: none are defined"),
    ],
)
def test_each_operator_rule_is_reported_at_its_line(body: str, expected: str) -> None:
    assert problems(one_operator(body)) == [expected]


def test_an_invalid_email_is_reported() -> None:
    text = "version: 1\noperators:\n  - email: ada.example.com\n"
    assert problems(text) == ["team.yaml:3:5: operators[0].email: must be a valid email address, got 'ada.example.com'"]


def test_a_missing_email_names_the_operator() -> None:
    text = "version: 1\noperators:\n  - first_name: Ada\n"
    assert problems(text) == ["team.yaml:3:5: operators[0].email: is required"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 2\noperators: []\n", "team.yaml:1:1: version: must be 1, got 2"),
        ("operators: []\n", "team.yaml:1:1: version: is required"),
        ("version: 1\n", "team.yaml:1:1: operators: is required"),
        ("", "team.yaml:1:1: the file is empty: a roster needs at least 'version: 1' and 'operators:'"),
        ("# only a comment\n", "team.yaml:1:1: the file is empty: a roster needs at least 'version: 1' and 'operators:'"),
        ("- a\n- b\n", "team.yaml:1:1: a roster must be a mapping with 'version' and 'operators', got a list"),
        ("version: 1\noperators: []\nscope: {websites: 3}\n", "team.yaml:3:9: scope.websites: unknown field (did you mean 'website'?)"),
        ("version: 1\noperatros: []\n", "team.yaml:1:1: operators: is required"),
    ],
)
def test_document_rules(text: str, expected: str) -> None:
    assert expected in problems(text)


def test_a_misspelt_top_level_key_is_named_with_a_suggestion() -> None:
    assert "team.yaml:2:1: operatros: unknown field (did you mean 'operators'?)" in problems("version: 1\noperatros: []\n")


def test_duplicate_keys_are_rejected() -> None:
    text = "version: 1\noperators:\n  - email: ada@example.com\n    name: Lovelace\n    name: Byron\n"
    assert problems(text) == ["team.yaml:5:5: operators[0].name: duplicate key 'name' (first defined at line 4)"]


def test_duplicate_emails_differing_in_case_are_rejected() -> None:
    text = "version: 1\noperators:\n  - email: ada@example.com\n  - email: Ada@Example.com\n"
    assert problems(text) == [
        "team.yaml:4:5: operators[1].email: duplicate email 'Ada@Example.com' (also at team.yaml:3, operators[0])"
    ]


def test_duplicate_external_ids_are_rejected() -> None:
    text = ("version: 1\noperators:\n  - email: a@example.com\n    external_id: HR-1\n"
            "  - email: b@example.com\n    external_id: HR-1\n")
    assert problems(text) == [
        "team.yaml:6:5: operators[1].external_id: duplicate external_id 'HR-1' (also at team.yaml:3, operators[0])"
    ]


def test_unknown_profile_suggests_the_closest_name() -> None:
    text = "version: 1\nprofiles:\n  sales-fr: {languages: [fr]}\noperators:\n  - email: a@example.com\n    profile: [sales-fe]\n"
    assert problems(text) == [
        "team.yaml:6:5: operators[0].profile: unknown profile 'sales-fe' (did you mean 'sales-fr'?); known profiles: sales-fr"
    ]


def test_an_ignored_email_cannot_be_managed() -> None:
    text = "version: 1\nignore: ['*@iadvize.com']\noperators:\n  - email: Bob@iAdvize.com\n"
    assert problems(text) == [
        "team.yaml:4:5: operators[0].email: matches the ignore pattern '*@iadvize.com': an ignored operator cannot be managed"
    ]


def test_operators_must_stay_in_the_scope() -> None:
    text = ("version: 1\nscope: {website: 123, group: 7}\noperators:\n"
            "  - email: a@example.com\n    websites: [456]\n    group: 8\n")
    assert problems(text) == [
        "team.yaml:5:5: operators[0].websites: must include the scope's website 123 (scope.website at team.yaml:2), "
        "or the operator would leave the roster's scope",
        "team.yaml:6:5: operators[0].group: must be the scope's group 7 (scope.group at team.yaml:2), got 8; "
        "the operator would leave the roster's scope",
    ]


def test_the_scope_messages_name_the_key_as_the_roster_spells_it_and_where() -> None:
    # The older spellings, in the second file of a roster: the message points there.
    first = "version: 1\noperators:\n  - email: a@example.com\n    websites: [456]\n    group: 8\n"
    second = "version: 1\n\nscope:\n  website_id: 123\n  group_id: 7\noperators: []\n"
    with pytest.raises(RosterError) as info:
        load_texts([("a.yaml", first), ("b.yaml", second)])
    assert [str(p) for p in info.value.problems] == [
        "a.yaml:4:5: operators[0].websites: must include the scope's website 123 (scope.website_id at b.yaml:4), "
        "or the operator would leave the roster's scope",
        "a.yaml:5:5: operators[0].group: must be the scope's group 7 (scope.group_id at b.yaml:5), got 8; "
        "the operator would leave the roster's scope",
    ]


@pytest.mark.parametrize(("scope", "expected"), [
    ("{group: 7, group_id: 7}",
     ["team.yaml:2:19: scope.group_id: group_id is the older spelling of group, which this scope also gives: "
      "keep one of them"]),
    ("{website_id: 1, group: Paris desk, website: 1, group_id: 7, grop: 1}",
     ["team.yaml:2:9: scope.website_id: website_id is the older spelling of website, which this scope also gives: "
      "keep one of them",
      "team.yaml:2:55: scope.group_id: group_id is the older spelling of group, which this scope also gives: "
      "keep one of them",
      "team.yaml:2:68: scope.grop: unknown field (did you mean 'group'?)"]),
    # The scope's other problems are reported beside it, at the key as written.
    ("{group: 7, group_id: 7, website_id: [1]}",
     ["team.yaml:2:19: scope.group_id: group_id is the older spelling of group, which this scope also gives: "
      "keep one of them",
      "team.yaml:2:32: scope.website_id: must be an id (an integer) or a name, got a list"]),
])
def test_a_scope_gives_one_spelling_of_each_key(scope: str, expected: list[str]) -> None:
    assert problems(f"version: 1\nscope: {scope}\noperators: []\n") == expected


@pytest.mark.parametrize("scope", ["{group: 7, website: 123}", "{group_id: 7, website_id: 123}",
                                   "{group: 7, website_id: 123}"])
def test_either_spelling_of_a_scope_key_means_the_same(scope: str) -> None:
    roster = load_texts([("team.yaml", f"version: 1\nscope: {scope}\noperators: []\n")])
    assert (roster.scope.group, roster.scope.website) == (7, 123)
    assert roster.scope.as_api_filters() == {"website_id": 123, "group_id": 7}


def test_files_that_spell_the_same_scope_differently_agree() -> None:
    roster = load_texts([("a.yaml", "version: 1\nscope: {group: 7}\noperators: []\n"),
                         ("b.yaml", "version: 1\nscope: {group_id: 7}\noperators: []\n")])
    assert roster.scope.group == 7


def test_every_problem_is_reported_at_once() -> None:
    text = """\
        version: 1
        operators:
          - email: a@example.com
            chat: {priority: 5}
            roles: [boss]
          - email: A@example.com
            language_admin: xx
        """
    assert problems(text) == [
        "team.yaml:4:12: operators[0].chat.priority: must be 0 or 10, got 5",
        "team.yaml:5:13: operators[0].roles[0]: must be 'expert', 'operator', 'manager' or 'admin', got 'boss'",
        "team.yaml:6:5: operators[1].email: duplicate email 'A@example.com' (also at team.yaml:3, operators[0])",
        "team.yaml:7:5: operators[1].language_admin: must be 'de', 'en', 'es' or 'fr', got 'xx'",
    ]


def test_rules_apply_to_defaults_and_profiles_too() -> None:
    text = "version: 1\ndefaults: {chat: {priority: 3}}\nprofiles:\n  p: {rolse: [operator]}\noperators: []\n"
    assert problems(text) == [
        "team.yaml:2:19: defaults.chat.priority: must be 0 or 10, got 3",
        "team.yaml:4:7: profiles.p.rolse: unknown field (did you mean 'roles'?)",
    ]


def test_a_profile_named_by_a_tagged_key_is_refused_without_breaking_the_other_checks() -> None:
    # (`!!int 1:` is the integer 1, which no profile name is: the profile list of the
    # unknown-profile message, and its "did you mean", once compared it with the names.)
    text = """\
        version: 1
        profiles:
          !!int 1: {}
          sales: {}
        operators:
          - {email: ada@example.com, profile: sale}
        """
    assert problems(text) == [
        "team.yaml:3:3: profiles[1].[key]: must be a string, got 1 (put it in quotes)",
        "team.yaml:6:30: operators[0].profile: unknown profile 'sale' (did you mean 'sales'?); known profiles: sales",
    ]
