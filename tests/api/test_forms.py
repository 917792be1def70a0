"""PHP http_build_query encoding of bodies and queries."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from hypothesis import given
from hypothesis import strategies as st

from rostersync.api import encode_form, form_pairs


def test_lists_are_indexed_and_objects_bracketed() -> None:
    pairs = form_pairs({"roles": ["operator", "manager"], "call_config": {"type": "ANSWER_FROM_PHONE"}})
    assert pairs == [
        ("roles[0]", "operator"),
        ("roles[1]", "manager"),
        ("call_config[type]", "ANSWER_FROM_PHONE"),
    ]


def test_encoded_like_php() -> None:
    body = encode_form({"roles": ["operator"], "name": "Dupont Jr", "chat": {"available": True}})
    # PHP's http_build_query percent-encodes brackets and writes spaces as "+".
    assert body == "roles%5B0%5D=operator&name=Dupont+Jr&chat%5Bavailable%5D=1"


def test_booleans_numbers_and_none() -> None:
    assert form_pairs({"a": True, "b": False, "c": 10, "d": None, "e": 10.0}) == [
        ("a", "1"), ("b", "0"), ("c", "10"), ("e", "10"),
    ]


def test_empty_list_is_sent_blank_to_clear_it() -> None:
    assert form_pairs({"skill_list": [], "website_list": [3]}) == [("skill_list", ""), ("website_list[0]", "3")]


def test_nested_lists_and_sets() -> None:
    assert form_pairs({"filters": {"ids": {3, 1}}}) == [("filters[ids][0]", "1"), ("filters[ids][1]", "3")]


# --- round trip through a parser that reads brackets the way PHP does ----------------

def php_parse(body: str) -> dict[str, Any]:
    """Rebuild nested values from bracket keys, as PHP's parse_str does (lists → dicts)."""
    result: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        base, _, rest = key.partition("[")
        parts = [base] + (rest[:-1].split("][") if rest else [])
        target = result
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return result


def as_php_sees_it(value: Any) -> Any:
    """What PHP would read back for ``value`` (None for a field left out)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, dict)):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        if not value:
            return ""
        seen = {str(k): as_php_sees_it(v) for k, v in items}
        kept = {k: v for k, v in seen.items() if v is not None}
        return kept or None
    return str(value)


names = st.from_regex(r"[a-z_]{1,12}", fullmatch=True)
scalars = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=20)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(names, values, max_size=6))
def test_round_trip_through_php_parsing(fields: dict[str, Any]) -> None:
    expected = {k: v for k, v in ((k, as_php_sees_it(v)) for k, v in fields.items()) if v is not None}
    assert php_parse(encode_form(fields)) == expected
