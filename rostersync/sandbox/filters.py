"""The ``filters[NAME]=VALUE`` query parameters of ``GET /operator`` and ``GET /operator/live``.

Choices where the documentation is silent:
- Several filters combine with AND.
- ``id``, ``group_id``, ``website_id`` and ``skill_id`` take one integer;
  ``website_list`` takes ``1,2,3`` and matches an operator on any overlap.
- ``name``, ``email`` and ``external_id`` match the whole value; ``*`` stands for
  any run of characters (``*uli*``). ``name`` and ``email`` ignore case,
  ``external_id`` (the customer's own identifier) does not.
- Array-form values (``filters[id][0]=1&filters[id][1]=2``, as PHP's
  ``http_build_query`` writes a list) match an operator that matches any one of
  them; for ``website_list`` the values are pooled (``[0]=1&[1]=2,3`` is ``1,2,3``).
- An unknown filter name is ignored, as the documentation does not call it an
  error and real clients send some (the real service is assumed to do the same).
  The server counts each one (``Sandbox.ignored_filters``), so that a test can
  still catch a client that misspells a filter.
- A known filter with a malformed value (``filters[id]=abc``, an empty item, a
  nested object such as ``filters[id][a][b]=1``) is still a 400: that is a client
  bug, and answering every operator instead would hide it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from rostersync.sandbox.validation import InvalidFields, parse_int

__all__ = ["FILTER_NAMES", "OperatorPredicate", "compile_filters"]

logger = logging.getLogger(__name__)

OperatorPredicate = Callable[[Mapping[str, Any]], bool]

FILTER_NAMES: tuple[str, ...] = (
    "id", "group_id", "website_id", "website_list", "skill_id", "name", "external_id", "email",
)


def compile_filters(filters: Mapping[str, Any] | None) -> OperatorPredicate:
    """Turn ``{"name": "*uli*", "website_id": "123"}`` into one predicate on stored operators.

    Unknown filter names are left out (logged); a malformed value of a known one
    raises ``InvalidFields``.
    """
    predicates: list[OperatorPredicate] = []
    problems: list[str] = []
    for name, value in (filters or {}).items():
        if name not in FILTER_NAMES:
            logger.info("Ignoring the unknown filter %r", name)
            continue
        try:
            predicates.append(_compile_filter(name, value))
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise InvalidFields(problems)
    return lambda operator: all(predicate(operator) for predicate in predicates)


def _compile_filter(name: str, value: Any) -> OperatorPredicate:
    """One filter, its value a single one or (array form) a list of them."""
    if isinstance(value, list) and value and all(_is_scalar(item) for item in value):
        if name == "website_list":
            return _compile_one(name, ",".join(str(item) for item in value))
        alternatives = [_compile_one(name, item) for item in value]
        return lambda operator: any(predicate(operator) for predicate in alternatives)
    if not _is_scalar(value):
        raise ValueError(f"Invalid value for filter {name!r}: must be a value "
                         f"(filters[{name}]=...) or a list of values (filters[{name}][0]=...).")
    return _compile_one(name, value)


def _is_scalar(value: Any) -> bool:
    # Form values are strings; Python callers (tests, the store) may pass integers.
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _compile_one(name: str, value: str | int) -> OperatorPredicate:
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
