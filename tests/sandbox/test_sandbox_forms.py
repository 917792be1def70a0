"""The PHP form parser: what ``http_build_query`` makes, read back as PHP reads it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rostersync.sandbox.forms import parse_form, split_key


@pytest.mark.parametrize("text,expected", [
    ("roles[0]=operator&roles[1]=manager", {"roles": ["operator", "manager"]}),
    ("roles%5B0%5D=operator&roles%5B1%5D=manager", {"roles": ["operator", "manager"]}),
    ("call_config[type]=ANSWER_FROM_DESK&call_config[phone_number]=%2B33123",
     {"call_config": {"type": "ANSWER_FROM_DESK", "phone_number": "+33123"}}),
    ("chat[available]=1", {"chat": {"available": "1"}}),
    ("website_list=", {"website_list": ""}),
    ("a[]=x&a[]=y", {"a": ["x", "y"]}),
    ("a[1]=y&a[0]=x", {"a": ["x", "y"]}),
    ("a[0]=x&a[2]=z", {"a": ["x", "z"]}),
    ("a[0]=x&a[name]=z", {"a": {"0": "x", "name": "z"}}),
    ("a[01]=x", {"a": {"01": "x"}}),
    ("a=1&a=2", {"a": "2"}),
    ("a=1&a[b]=2", {"a": {"b": "2"}}),
    ("a[b][c][]=1", {"a": {"b": {"c": ["1"]}}}),
    ("list[0][id]=1&list[1][id]=2", {"list": [{"id": "1"}, {"id": "2"}]}),
    ("broken[key=1", {"broken[key": "1"}),
    ("name=Fran%C3%A7oise+Dupont", {"name": "Françoise Dupont"}),
    ("0=a&1=b", {"0": "a", "1": "b"}),
    ("=nameless&flag", {"flag": ""}),
    ("", {}),
])
def test_parse_form(text: str, expected: dict[str, Any]) -> None:
    assert parse_form(text) == expected


def test_split_key() -> None:
    assert split_key("a[b][]") == ["a", "b", None]
    assert split_key("plain") == ["plain"]
    assert split_key("[x]") == ["[x]"]


_names = st.text(
    alphabet=st.characters(exclude_characters="[]", exclude_categories=["Cs"]),
    min_size=1, max_size=8,
).filter(lambda name: not name.isdigit())
_leaves = st.text(max_size=10)
_values = st.recursive(
    _leaves,
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=4),
        st.dictionaries(_names, children, min_size=1, max_size=4),
    ),
    max_leaves=12,
)


@given(st.dictionaries(_names, _values, max_size=5))
def test_round_trip_with_php_http_build_query(data: dict[str, Any]) -> None:
    assert parse_form(_http_build_query(data)) == data


def _http_build_query(data: Mapping[str, Any]) -> str:
    """PHP's ``http_build_query`` for strings, lists and mappings (the conftest has
    the full one; Hypothesis does not mix with function-scoped fixtures)."""
    pairs: list[tuple[str, str]] = []

    def walk(value: Any, key: str) -> None:
        if isinstance(value, Mapping):
            for name, item in value.items():
                walk(item, f"{key}[{name}]")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{key}[{index}]")
        else:
            pairs.append((key, value))

    for name, value in data.items():
        walk(value, name)
    return urlencode(pairs)


def test_the_conftest_builder_matches_php(build_query: Callable[[Mapping[str, Any]], str]) -> None:
    body = build_query({"roles": ["operator", "manager"], "chat_enabled": True,
                        "external_id": None, "call_config": {"type": "ANSWER_FROM_DESK"}})
    assert body == ("roles%5B0%5D=operator&roles%5B1%5D=manager&chat_enabled=1"
                    "&call_config%5Btype%5D=ANSWER_FROM_DESK")
