"""Typed records parsed leniently from the API's JSON.

The live API is read leniently (the roster is the strict side): extra fields are
ignored, each value is read as :mod:`rostersync.api.values` says (booleans may be
``"1"``, integers strings, lists PHP objects), ``role`` may stand beside or instead
of ``roles``.  Which operator fields there are is the table in
:mod:`rostersync.api_fields`.  A value that cannot be read is left out of
``fields`` and described in ``problems``; only the ``id`` is strict
(:class:`RecordError`), because nothing can be done with an operator without one: it
must be a positive integer, and ``{"id": N}`` is read as ``N`` (the official PHP
client flattens that shape).  A value quoted in a problem is redacted first: a server
may echo a secret anywhere.

``null`` from the server is kept as ``None`` for single values and read as ``[]`` for
lists (PHP serialises an unset list both ways).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rostersync.api.redaction import Redactor
from rostersync.api.values import (
    FIELD_READERS,
    LIST_FIELDS,
    InvalidValue,
    to_bool,
    to_float,
    to_int,
    to_str,
)
from rostersync.api_fields import SECRET_FIELDS

__all__ = [
    "OPERATOR_FIELDS",
    "SECRET_FIELDS",
    "ChannelAvailability",
    "LiveAvailability",
    "OperatorProfile",
    "OperatorRecord",
    "OperatorStatistic",
    "RecordError",
    "parse_live",
    "parse_operator",
    "parse_profile",
    "parse_statistic",
]


class RecordError(ValueError):
    """An item cannot become a record at all (e.g. it has no integer ``id``)."""


#: Every operator field rostersync knows, ``id`` included.
OPERATOR_FIELDS: frozenset[str] = frozenset({"id", *FIELD_READERS})


@dataclass(frozen=True)
class OperatorRecord:
    """One operator as the server returned it.

    ``fields`` maps API field names to normalised values and holds ONLY the fields the
    server returned (a list item fetched without ``full=1`` may hold none).
    """

    id: int
    fields: Mapping[str, Any]
    problems: tuple[str, ...] = ()

    def __repr__(self) -> str:
        shown = {k: ("<redacted>" if k in SECRET_FIELDS and v else v) for k, v in self.fields.items()}
        return f"OperatorRecord(id={self.id!r}, fields={shown!r}, problems={self.problems!r})"


def parse_operator(item: Any, *, expected_id: int | None = None, redact: Redactor | None = None) -> OperatorRecord:
    """Read one operator object.  Raises :class:`RecordError` if it has no usable id.

    ``expected_id`` (for ``GET /operator/{id}``) stands in for a missing id.
    """
    problems = _Problems(redact)
    if not isinstance(item, Mapping):
        raise RecordError(f"expected an object, got {problems.describe(item)}")
    operator_id = _read_id(item, "id", expected_id, problems)
    fields: dict[str, Any] = {}
    for name, reader in FIELD_READERS.items():
        if name in item:
            _read_into(fields, problems, name, item[name], reader, null=[] if name in LIST_FIELDS else None)
    # `role` is the deprecated single role; a server that sends only it still says
    # what the roles are.
    if "roles" not in fields and isinstance(fields.get("role"), str) and fields["role"]:
        fields["roles"] = [fields["role"]]
    return OperatorRecord(operator_id, types.MappingProxyType(fields), problems.as_tuple())


def _read_id(item: Mapping[str, Any], key: str, expected: int | None, problems: _Problems) -> int:
    """The item's id: a positive integer, or ``{"id": N}`` (which the official PHP
    client flattens, and so does this)."""
    raw = item.get(key)
    if isinstance(raw, Mapping) and "id" in raw:
        raw = raw["id"]
    try:
        value = to_int(raw) if raw is not None else None
    except InvalidValue:
        value = None
    if value is not None and value <= 0:
        value = None  # no operator has id 0 or a negative one: the reply is not to be trusted
    if value is None:
        if expected is None:
            got = "no id" if key not in item else f"{key} {problems.describe(item.get(key))}"
            raise RecordError(f"expected a positive integer {key!r}, got {got}")
        problems.append(f"{key}: expected a positive integer, got {problems.describe(item.get(key))}; "
                        f"assumed {expected}")
        return expected
    if expected is not None and value != expected:
        problems.append(f"{key}: asked for {expected}, the server answered with {value}")
    return value


def _read_into(
    fields: dict[str, Any],
    problems: _Problems,
    name: str,
    raw: Any,
    reader: Callable[[Any], Any],
    *,
    null: Any,
) -> None:
    if raw is None:
        fields[name] = null
        return
    try:
        fields[name] = reader(raw)
    except InvalidValue as exc:
        shown = "a value (hidden: secret)" if name in SECRET_FIELDS else problems.describe(raw)
        problems.append(f"{name}: {exc}, got {shown}")


class _Problems:
    """What could not be read in one item, each value quoted redacted and short."""

    def __init__(self, redact: Redactor | None) -> None:
        self._redact = redact if redact is not None else Redactor(())
        self._texts: list[str] = []

    def append(self, text: str) -> None:
        self._texts.append(text)

    def describe(self, value: Any) -> str:
        # Redacted before it is cut: a cut secret would no longer be recognised.
        return self._redact.describe(value, 60)

    def as_tuple(self) -> tuple[str, ...]:
        return tuple(self._texts)


# --- live availability, statistic, profile ----------------------------------------

@dataclass(frozen=True)
class ChannelAvailability:
    enabled: bool = False
    slot_number: int = 0
    slot_max_number: int = 0
    busy: bool = False
    available: bool = False


@dataclass(frozen=True)
class LiveAvailability:
    id: int
    connected: bool
    chat: ChannelAvailability
    call: ChannelAvailability
    video: ChannelAvailability
    problems: tuple[str, ...] = ()


_CHANNEL_READERS: dict[str, Callable[[Any], Any]] = {
    "enabled": to_bool,
    "slot_number": to_int,
    "slot_max_number": to_int,
    "busy": to_bool,
    "available": to_bool,
}


def parse_live(item: Any, *, expected_id: int | None = None, redact: Redactor | None = None) -> LiveAvailability:
    """Read one live-availability object.  Raises :class:`RecordError` without an id."""
    problems = _Problems(redact)
    if not isinstance(item, Mapping):
        raise RecordError(f"expected an object, got {problems.describe(item)}")
    operator_id = _read_id(item, "id", expected_id, problems)
    connected = _read_value(item, "connected", to_bool, False, problems)
    channels = {name: _parse_channel(item, name, problems) for name in ("chat", "call", "video")}
    return LiveAvailability(operator_id, connected, problems=problems.as_tuple(), **channels)


def _parse_channel(item: Mapping[str, Any], name: str, problems: _Problems) -> ChannelAvailability:
    raw = item.get(name)
    if not isinstance(raw, Mapping):
        problems.append(f"{name}: expected an object, got {problems.describe(raw)}; read as unavailable")
        return ChannelAvailability()
    defaults = ChannelAvailability()
    values = {
        key: _read_value(raw, key, reader, getattr(defaults, key), problems, prefix=f"{name}.")
        for key, reader in _CHANNEL_READERS.items()
    }
    return ChannelAvailability(**values)


def _read_value(
    item: Mapping[str, Any],
    key: str,
    reader: Callable[[Any], Any],
    default: Any,
    problems: _Problems,
    *,
    prefix: str = "",
) -> Any:
    """``reader(item[key])``, or ``default`` with a problem noted when that fails."""
    raw = item.get(key)
    if raw is None:
        if key not in item:
            problems.append(f"{prefix}{key}: missing; read as {default!r}")
        return default
    try:
        return reader(raw)
    except InvalidValue as exc:
        problems.append(f"{prefix}{key}: {exc}, got {problems.describe(raw)}; read as {default!r}")
        return default


@dataclass(frozen=True)
class OperatorStatistic:
    id: int
    conversation_number: int | None
    satisfaction_global_rate: float | None  # deprecated by iAdvize, may be absent
    experience: int | None
    problems: tuple[str, ...] = ()


def parse_statistic(item: Any, *, expected_id: int, redact: Redactor | None = None) -> OperatorStatistic:
    problems = _Problems(redact)
    if not isinstance(item, Mapping):
        raise RecordError(f"expected an object, got {problems.describe(item)}")
    operator_id = _read_id(item, "id", expected_id, problems)
    return OperatorStatistic(
        id=operator_id,
        conversation_number=_read_optional(item, "conversation_number", to_int, problems),
        satisfaction_global_rate=_read_optional(item, "satisfaction_global_rate", to_float, problems),
        experience=_read_optional(item, "experience", to_int, problems),
        problems=problems.as_tuple(),
    )


@dataclass(frozen=True)
class OperatorProfile:
    user_id: int
    status: str | None = None
    description: str | None = None
    facebook: str | None = None
    twitter: str | None = None  # not on the Operator page; the PHP client reads it
    city: str | None = None
    country: str | None = None
    problems: tuple[str, ...] = ()


_PROFILE_TEXTS = ("status", "description", "facebook", "twitter", "city", "country")


def parse_profile(item: Any, *, expected_id: int, redact: Redactor | None = None) -> OperatorProfile:
    problems = _Problems(redact)
    if not isinstance(item, Mapping):
        raise RecordError(f"expected an object, got {problems.describe(item)}")
    user_id = _read_id(item, "user_id", expected_id, problems)
    texts = {key: _read_optional(item, key, to_str, problems) for key in _PROFILE_TEXTS}
    return OperatorProfile(user_id, problems=problems.as_tuple(), **texts)


def _read_optional(
    item: Mapping[str, Any], key: str, reader: Callable[[Any], Any], problems: _Problems
) -> Any:
    """``reader(item[key])``; ``None`` when absent or null, or (with a problem) unreadable."""
    raw = item.get(key)
    if raw is None:
        return None
    try:
        return reader(raw)
    except InvalidValue as exc:
        problems.append(f"{key}: {exc}, got {problems.describe(raw)}")
        return None
