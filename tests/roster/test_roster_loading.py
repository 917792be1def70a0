"""Loading rosters: merge order, multi-file rosters, and the model a valid roster becomes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rostersync.roster.loader import load_roster, load_texts
from rostersync.roster.model import RosterDocument
from rostersync.roster.problems import RosterError

EXAMPLE = Path(__file__).parents[2] / "examples" / "operators.yaml"


def test_merge_order_is_defaults_then_profiles_in_order_then_own_fields() -> None:
    roster = load_texts([("r.yaml", """\
version: 1
defaults: {languages: [en], chat: {enabled: true, max: 2, priority: 0}, group: 1}
profiles:
  first: {languages: [fr], chat: {max: 3}, group: 2}
  second: {chat: {priority: 10}, group: 3}
operators:
  - email: a@example.com
    profile: [first, second]
    chat: {max: 5}
""")])
    fields = roster.operators[0].fields
    assert fields["language_list"] == ["fr"]  # a list is replaced whole
    assert (fields["chat_enabled"], fields["chat_max_number"], fields["chat_priority"]) == (True, 5, 10)
    assert fields["group_id"] == 3  # the later profile wins


def test_a_field_absent_after_the_merge_is_not_managed() -> None:
    roster = load_texts([("r.yaml", "version: 1\noperators:\n  - email: a@example.com\n    chat: {max: 4}\n")])
    assert roster.operators[0].fields == {"email": "a@example.com", "chat_max_number": 4}


def test_sets_are_normalized() -> None:
    roster = load_texts([("r.yaml", "version: 1\noperators:\n  - email: a@example.com\n"
                                     "    roles: [operator, expert, operator]\n    websites: [3, 1, 3]\n")])
    assert roster.operators[0].fields["roles"] == ["expert", "operator"]
    assert roster.operators[0].fields["website_list"] == [1, 3]


def test_a_directory_roster_merges_its_files(tmp_path: Path) -> None:
    (tmp_path / "a-profiles.yaml").write_text("version: 1\nprofiles:\n  fr: {languages: [fr]}\noperators: []\n")
    (tmp_path / "team-fr.yml").write_text("version: 1\noperators:\n  - email: a@example.com\n    profile: fr\n")
    (tmp_path / "team-en.yaml").write_text("version: 1\ndefaults: {languages: [en]}\noperators:\n  - email: b@example.com\n")
    (tmp_path / "notes.txt").write_text("not a roster")
    roster = load_roster(tmp_path)
    assert [Path(f).name for f in roster.files] == ["a-profiles.yaml", "team-en.yaml", "team-fr.yml"]
    by_email = {op.email: op.fields.get("language_list") for op in roster.operators}
    # Profiles are shared by every file; defaults hold for their own file only.
    assert by_email == {"a@example.com": ["fr"], "b@example.com": ["en"]}


def test_duplicates_across_files_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("version: 1\nprofiles:\n  p: {}\noperators:\n  - email: x@example.com\n")
    (tmp_path / "b.yaml").write_text("version: 1\nprofiles:\n  p: {}\noperators:\n  - email: X@example.com\n")
    with pytest.raises(RosterError) as info:
        load_roster(tmp_path)
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert [str(p) for p in info.value.problems] == [
        f"{b}:3:3: profiles.p: profile already defined at {a}:3",
        f"{b}:5:5: operators[0].email: duplicate email 'X@example.com' (also at {a}:5, operators[0])",
    ]


def test_files_must_agree_on_the_scope(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("version: 1\nscope: {group_id: 7}\noperators: []\n")
    (tmp_path / "b.yaml").write_text("version: 1\nscope: {group_id: 8}\noperators: []\n")
    with pytest.raises(RosterError) as info:
        load_roster(tmp_path)
    assert [p.message for p in info.value.problems] == [
        f"differs from the scope in {tmp_path / 'a.yaml'}:2: every file of a roster must agree on its scope"
    ]


def test_a_missing_path_and_an_empty_directory_are_reported(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="no such file or directory"):
        load_roster(tmp_path / "nope.yaml")
    with pytest.raises(RosterError, match=r"the directory holds no \*.yaml or \*.yml file"):
        load_roster(tmp_path)


def test_the_example_roster_is_valid_and_uses_every_field() -> None:
    roster = load_roster(EXAMPLE)
    assert len(roster.operators) == 9
    used = {name for op in roster.operators for name in op.fields}
    from rostersync.roster.fields import FIELDS

    assert used == {spec.api for spec in FIELDS}
    text = EXAMPLE.read_text()
    assert "defaults:" in text and "profiles:" in text and "$schema=" in text


def test_a_valid_roster_loads_into_the_model_unchanged() -> None:
    data = yaml.safe_load(EXAMPLE.read_text())
    document = RosterDocument.model_validate(data)
    dumped = document.model_dump(exclude_unset=True)
    # `profile: name` is kept as the list it stands for; everything else is as written.
    for entry in data["operators"]:
        if isinstance(entry.get("profile"), str):
            entry["profile"] = [entry["profile"]]
    assert dumped == data
