"""Keys given no value, where a << merge brings them: reported at the path they are
merged to, and not at all where the mapping's own key (or an earlier mapping of a
merged list) gives the value."""

from __future__ import annotations

import pytest

from rostersync.roster.loader import load_texts
from rostersync.roster.problems import RosterError

NO_VALUE = "has no value: give it one, or remove the key to leave the field unmanaged"


def problems(text: str) -> list[str]:
    with pytest.raises(RosterError) as caught:
        load_texts([("r.yaml", text)])
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize("merge", ["{first_name: ~}", "[{first_name: Ada}, {first_name: ~}]"])
def test_a_null_merged_in_and_overridden_is_no_problem(merge: str) -> None:
    roster = load_texts([("r.yaml", f"version: 1\noperators:\n  - <<: {merge}\n    email: a@x.com\n"
                                    "    first_name: Ada\n")])
    assert roster.operators[0].email == "a@x.com"


def test_a_null_merged_from_an_alias_is_reported_where_it_lands() -> None:
    text = "version: 1\ndefaults: &d {first_name: ~}\noperators:\n  - <<: *d\n    email: a@x.com\n"
    assert problems(text) == [f"r.yaml:2:15: defaults.first_name: {NO_VALUE}",
                              f"r.yaml:2:15: operators[0].first_name: {NO_VALUE}"]


def test_a_nested_null_merged_inline_has_its_whole_path() -> None:
    text = "version: 1\noperators:\n  - <<: {chat: {priority: ~}}\n    email: a@x.com\n"
    assert problems(text) == [f"r.yaml:3:10: operators[0].chat.priority: {NO_VALUE}"]


def test_merged_nulls_of_an_alias_bomb_stay_cheap() -> None:
    lines = ["version: 1", "a0: &a0 {first_name: ~}"]
    lines += [f"a{i}: &a{i} {{<<: [{', '.join([f'*a{i - 1}'] * 9)}], k{i}: [*a{i - 1}, *a{i - 1}]}}"
              for i in range(1, 10)]
    lines += ["operators: []"]
    found = problems("\n".join(lines) + "\n")
    assert len(found) < 100
