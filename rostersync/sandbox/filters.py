"""The ``filters[NAME]=VALUE`` query parameters of ``GET /operator`` and ``GET /operator/live``.

Choices where the documentation is silent:
- Several filters combine with AND.
- ``id``, ``group_id``, ``website_id`` and ``skill_id`` take one integer;
  ``website_list`` takes ``1,2,3`` and matches an operator on any overlap.
- ``name``, ``email`` and ``external_id`` match the whole value; ``*`` stands for
  any run of characters (``*uli*``). ``name`` and ``email`` ignore case,
  ``external_id`` (the customer's own identifier) does not.
- An unknown filter or a malformed value is a 400, not silently ignored: a sync
  tool that misspells a filter must not receive every operator instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from rostersync.sandbox.validation import InvalidFields, parse_int

__all__ = ["FILTER_NAMES", "OperatorPredicate", "compile_filters"]

OperatorPredicate = Callable[[Mapping[str, Any]], bool]

FILTER_NAMES: tuple[str, ...] = (
    "id", "group_id", "website_id", "website_list", "skill_id", "name", "external_id", "email",
)


def compile_filters(filters: Mapping[str, Any] | None) -> OperatorPredicate:
    """Turn ``{"name": "*uli*", "website_id": "123"}`` into one predicate on stored operators."""
    predicates: list[OperatorPredicate] = []
    problems: list[str] = []
    for name, value in (filters or {}).items():
        try:
            predicates.append(_compile_one(name, value))
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise InvalidFields(problems)
    return lambda operator: all(predicate(operator) for predicate in predicates)


def _compile_one(name: str, value: Any) -> OperatorPredicate:
    if name not in FILTER_NAMES:
        raise ValueError(f"Unknown filter {name!r}: use one of {', '.join(FILTER_NAMES)}.")
    if isinstance(value, (list, dict)):
        raise ValueError(f"Invalid value for filter {name!r}: must be a single value.")
    if name in ("id", "group_id"):
        wanted = _integer(name, value)
        return lambda operator: operator.get(name) == wanted
    if name in ("website_id", "skill_id"):
        wanted = _integer(name, value)
        list_field = "website_list" if name == "website_id" else "skill_list"
        return lambda operator: wanted in operator.get(list_field, ())
    if name == "website_list":
        wanted_set = {_integer(name, part) for part in str(value).split(",")}
        return lambda operator: not wanted_set.isdisjoint(operator.get("website_list", ()))
    pattern = wildcard_pattern(str(value), ignore_case=name != "external_id")
    return lambda operator: pattern.fullmatch(operator.get(name) or "") is not None


def _integer(name: str, value: Any) -> int:
    try:
        return parse_int(value.strip() if isinstance(value, str) else value)
    except ValueError:
        raise ValueError(
            f"Invalid value for filter {name!r}: {value!r} is not an integer."
        ) from None


def wildcard_pattern(text: str, *, ignore_case: bool) -> re.Pattern[str]:
    """``*uli*`` -> a regex matching any text containing ``uli``; nothing else is special."""
    regex = ".*".join(re.escape(part) for part in text.split("*"))
    return re.compile(regex, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)
