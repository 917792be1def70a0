"""Skills, groups and websites by id or by name: what the loader accepts and records."""

from __future__ import annotations

from rostersync.roster.loader import load_texts
from rostersync.roster.references import ReferenceUse, scope_references
from rostersync.roster.scope import Scope

TEAM = """\
version: 1
scope: {group_id: Paris desk, website_id: 123}
defaults:
  group: Paris desk
profiles:
  sales:
    skills: [Returns, 103, Sales/Delivery]
operators:
  - email: ada@example.com
    profile: sales
    websites: [Maison Lumiere FR, 123]
  - email: bob@example.com
    skills: [billing]
    websites: [123]
"""


def test_names_and_ids_load_and_keep_where_they_are_written() -> None:
    roster = load_texts([("team.yaml", TEAM)])
    shown = [(use.kind, use.value, str(use.mark), use.path) for use in roster.references]
    assert shown == [
        ("group", "Paris desk", "team.yaml:2:9", "scope.group_id"),
        ("website", 123, "team.yaml:2:31", "scope.website_id"),
        ("group", "Paris desk", "team.yaml:4:3", "defaults.group"),
        ("skill", "Returns", "team.yaml:7:14", "profiles.sales.skills[0]"),
        ("skill", 103, "team.yaml:7:23", "profiles.sales.skills[1]"),
        ("skill", "Sales/Delivery", "team.yaml:7:28", "profiles.sales.skills[2]"),
        ("website", "Maison Lumiere FR", "team.yaml:11:16", "operators[0].websites[0]"),
        ("website", 123, "team.yaml:11:35", "operators[0].websites[1]"),
        ("skill", "billing", "team.yaml:13:14", "operators[1].skills[0]"),
        ("website", 123, "team.yaml:14:16", "operators[1].websites[0]"),
    ]
    assert all(isinstance(use, ReferenceUse) for use in roster.references)


def test_the_scope_keys_are_recorded_as_spelled_and_mean_the_same() -> None:
    older = load_texts([("team.yaml", TEAM)])
    roster = load_texts([("team.yaml", TEAM.replace("{group_id: Paris desk, website_id: 123}",
                                                    "{group: Paris desk, website: 123}"))])
    shown = [(use.kind, use.value, str(use.mark), use.path) for use in roster.references if use.in_scope]
    assert shown == [("group", "Paris desk", "team.yaml:2:9", "scope.group"),
                     ("website", 123, "team.yaml:2:28", "scope.website")]
    assert roster.scope == older.scope == Scope(group="Paris desk", website=123)
    written = scope_references(roster.references)
    assert (written["group"].written, written["website"].written) == ("scope.group at team.yaml:2",
                                                                      "scope.website at team.yaml:2")


def test_ids_and_names_mix_in_a_set_ids_first() -> None:
    roster = load_texts([("team.yaml", TEAM)])
    assert roster.operators[0].fields["skill_list"] == [103, "Returns", "Sales/Delivery"]
    assert roster.operators[0].fields["website_list"] == [123, "Maison Lumiere FR"]
    assert roster.operators[0].fields["group_id"] == "Paris desk"


def test_a_roster_of_ids_only_checks_the_scope_before_planning() -> None:
    from rostersync.roster.problems import RosterError

    text = "version: 1\nscope: {website_id: 123}\noperators:\n  - email: a@example.com\n    websites: [456]\n"
    try:
        load_texts([("t.yaml", text)])
    except RosterError as exc:
        assert "must include the scope's website 123" in str(exc)
    else:
        raise AssertionError("a website outside the scope must be refused")


def test_reference_uses_keep_the_largest_indexes_and_refuse_what_they_cannot_keep() -> None:
    # Indexes are packed in 27 bits each: the largest that fits reads back as written,
    # one beyond is refused, never folded into another field (it read back as
    # operators[0].skills). The loader's bound keeps every roster within them.
    from rostersync.roster.limits import MAX_ENTRIES, MAX_MERGED_ENTRIES
    from rostersync.roster.positions import Mark
    from rostersync.roster.references import ReferenceUses

    largest = 2**27 - 2
    uses = ReferenceUses()
    uses.add("skill", "x", Mark("f.yaml", 1, 1), ("operators", largest, "skills", largest))
    uses.add("group", 3, Mark("f.yaml", 2, 1), ("profiles", "p", "group"))
    assert [use.path for use in uses] == [f"operators[{largest}].skills[{largest}]", "profiles.p.group"]
    for path in (("operators", largest + 1, "skills", 0), ("operators", 0, "skills", largest + 1)):
        try:
            uses.add("skill", "x", Mark("f.yaml", 1, 1), path)
        except OverflowError:
            pass
        else:
            raise AssertionError(f"{path} was kept as {uses[-1].path}")
    assert len(uses) == 2
    assert max(MAX_ENTRIES, MAX_MERGED_ENTRIES) < largest
    assert repr(uses).startswith("ReferenceUses([ReferenceUse(kind='skill'")


def test_a_scope_by_name_is_refused_for_a_backend_that_cannot_look_names_up() -> None:
    # GraphQL lists no groups or websites: a scope by name went through validate and
    # reached the API as the group's id ("LegacyId cannot represent 'Paris desk'").
    import pytest

    from rostersync.api.graphql.mapping import CAPABILITIES
    from rostersync.roster.problems import RosterError

    text = "version: 1\nscope: {group: Paris desk, website: 123}\noperators:\n  - email: ada@example.com\n"
    other = "version: 1\nscope: {group: Paris desk, website: 123}\noperators:\n  - email: bob@example.com\n"
    with pytest.raises(RosterError) as raised:
        load_texts([("a.yaml", text), ("b.yaml", other)], capabilities=CAPABILITIES)
    assert [(p.file, p.line, p.column, p.path) for p in raised.value.problems] == [
        ("a.yaml", 2, 9, "scope.group"), ("b.yaml", 2, 9, "scope.group")]
    assert "GraphQL API cannot look groups up by name" in raised.value.problems[0].message
    assert load_texts([("a.yaml", text.replace("Paris desk", "7"))], capabilities=CAPABILITIES).scope == Scope(
        website=123, group=7)
