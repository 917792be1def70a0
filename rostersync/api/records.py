"""Typed records parsed leniently from the API's JSON.

The live API is read leniently (the roster is the strict side): extra fields are
ignored, booleans may be ``true``/``1``/``"1"``/``"true"``, integers may be strings,
lists may be comma-separated strings or PHP objects (``{"0": "en"}``), ``role`` may
stand beside or instead of ``roles``.  A value that cannot be read is left out of
``fields`` and described in ``problems``; only a missing ``id`` is fatal
(:class:`RecordError`), because nothing can be done with an operator without one.

``null`` from the server is kept as ``None`` for single values and read as ``[]`` for
lists (PHP serialises an unset list both ways).
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

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

# Fields whose values are secrets: never shown in a repr or a problem text.
SECRET_FIELDS = frozenset({"sso_key"})


class RecordError(ValueError):
    """An item cannot become a record at all (e.g. it has no integer ``id``)."""


class _Invalid(ValueError):
    """One value could not be read; the message says what was expected."""


# --- scalar readers ---------------------------------------------------------------

_INT_TEXT = re.compile(r"[+-]?\d+")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _Invalid("expected a boolean")


def to_int(value: Any) -> int:
    if isinstance(value, bool):  # bool is an int subclass, but True is no count
        raise _Invalid("expected an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if _INT_TEXT.fullmatch(text):
            return int(text)
        try:
            number = float(text)
        except ValueError:
            pass
        else:
            if number.is_integer():
                return int(number)
    raise _Invalid("expected an integer")


def to_float(value: Any) -> float:
    if isinstance(value, bool):
        raise _Invalid("expected a number")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    raise _Invalid("expected a number")


def to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # e.g. an external_id the server stored as a number
    raise _Invalid("expected a string")


def to_lower_str(value: Any) -> str:
    return to_str(value).strip().lower()


def _items(value: Any) -> list[Any]:
    """The items of a list sent as a JSON list, a PHP object or a comma-separated string."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, Mapping):
        # PHP json_encode turns an array with holes into {"0": .., "2": ..}.
        return [value[key] for key in sorted(value, key=_index_order)]
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]  # a one-item list flattened by the server
    raise _Invalid("expected a list")


def _index_order(key: Any) -> tuple[int, int | str]:
    text = str(key)
    return (0, int(text)) if _INT_TEXT.fullmatch(text) else (1, text)


def to_str_list(value: Any) -> list[str]:
    return [to_lower_str(item) for item in _items(value)]


def to_int_list(value: Any) -> list[int]:
    return [to_int(item) for item in _items(value)]


# --- operator --------------------------------------------------------------------

def _optional_int(value: Any) -> int | None:
    # PHP often renders an unset number as "": that is "no value", not a bad one.
    if isinstance(value, str) and not value.strip():
        return None
    return to_int(value)


_CALL_CONFIG_READERS: dict[str, Callable[[Any], Any]] = {
    "type": lambda v: to_str(v).strip().upper(),
    "ask_phone_number_at_every_connection": to_bool,
    "phone_number": to_str,
}


def to_call_config(value: Any) -> dict[str, Any]:
    if isinstance(value, list) and not value:
        return {}  # PHP json_encode renders an empty array as []
    if not isinstance(value, Mapping):
        raise _Invalid("expected an object")
    config: dict[str, Any] = {}
    for key, reader in _CALL_CONFIG_READERS.items():
        if key in value and value[key] is not None:
            try:
                config[key] = reader(value[key])
            except _Invalid as exc:
                raise _Invalid(f"{key}: {exc}") from None
    return config


_LIST_FIELDS: dict[str, Callable[[Any], Any]] = {
    "roles": to_str_list,
    "language_list": to_str_list,
    "website_list": to_int_list,
    "skill_list": to_int_list,
}

_SINGLE_FIELDS: dict[str, Callable[[Any], Any]] = {
    "name": to_str,
    "first_name": to_str,
    "pseudo": to_str,
    "email": to_str,
    "external_id": to_str,
    "role": to_lower_str,
    "language_admin": to_lower_str,
    "sso_key": to_str,
    "chat_enabled": to_bool,
    "call_enabled": to_bool,
    "video_enabled": to_bool,
    "chat_and_call": to_bool,
    "chat_to_video": to_bool,
    "chat_max_number": _optional_int,
    "chat_priority": _optional_int,
    "call_priority": _optional_int,
    "video_priority": _optional_int,
    "group_id": _optional_int,
    "call_config": to_call_config,
}

#: Every operator field rostersync knows, ``id`` included.
OPERATOR_FIELDS: frozenset[str] = frozenset({"id", *_LIST_FIELDS, *_SINGLE_FIELDS})


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


def parse_operator(item: Any, *, expected_id: int | None = None) -> OperatorRecord:
    """Read one operator object.  Raises :class:`RecordError` if it has no usable id.

    ``expected_id`` (for ``GET /operator/{id}``) stands in for a missing id.
    """
    if not isinstance(item, Mapping):
        raise RecordError(f"expected an object, got {_describe(item)}")
    problems: list[str] = []
    operator_id = _read_id(item, "id", expected_id, problems)
    fields: dict[str, Any] = {}
    for name, reader in _SINGLE_FIELDS.items():
        if name in item:
            _read_into(fields, problems, name, item[name], reader, null=None)
    for name, reader in _LIST_FIELDS.items():
        if name in item:
            _read_into(fields, problems, name, item[name], reader, null=[])
    # `role` is the deprecated single role; a server that sends only it still says
    # what the roles are.
    if "roles" not in fields and isinstance(fields.get("role"), str) and fields["role"]:
        fields["roles"] = [fields["role"]]
    return OperatorRecord(operator_id, types.MappingProxyType(fields), tuple(problems))


def _read_id(item: Mapping[str, Any], key: str, expected: int | None, problems: list[str]) -> int:
    raw = item.get(key)
    try:
        value = to_int(raw) if raw is not None else None
    except _Invalid:
        value = None
    if value is None:
        if expected is None:
            got = "no id" if key not in item else f"{key} {_describe(raw)}"
            raise RecordError(f"expected an integer {key!r}, got {got}")
        problems.append(f"{key}: expected an integer, got {_describe(raw)}; assumed {expected}")
        return expected
    if expected is not None and value != expected:
        problems.append(f"{key}: asked for {expected}, the server answered with {value}")
    return value


def _read_into(
    fields: dict[str, Any],
    problems: list[str],
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
    except _Invalid as exc:
        shown = "a value (hidden: secret)" if name in SECRET_FIELDS else _describe(raw)
        problems.append(f"{name}: {exc}, got {shown}")


def _describe(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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


def parse_live(item: Any, *, expected_id: int | None = None) -> LiveAvailability:
    """Read one live-availability object.  Raises :class:`RecordError` without an id."""
    if not isinstance(item, Mapping):
        raise RecordError(f"expected an object, got {_describe(item)}")
    problems: list[str] = []
    operator_id = _read_id(item, "id", expected_id, problems)
    connected = _read_value(item, "connected", to_bool, False, problems)
    channels = {name: _parse_channel(item, name, problems) for name in ("chat", "call", "video")}
    return LiveAvailability(operator_id, connected, problems=tuple(problems), **channels)


def _parse_channel(item: Mapping[str, Any], name: str, problems: list[str]) -> ChannelAvailability:
    raw = item.get(name)
    if not isinstance(raw, Mapping):
        problems.append(f"{name}: expected an object, got {_describe(raw)}; read as unavailable")
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
    problems: list[str],
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
    except _Invalid as exc:
        problems.append(f"{prefix}{key}: {exc}, got {_describe(raw)}; read as {default!r}")
        return default


@dataclass(frozen=True)
class OperatorStatistic:
    id: int
    conversation_number: int | None
    satisfaction_global_rate: float | None  # deprecated by iAdvize, may be absent
    experience: int | None
    problems: tuple[str, ...] = ()


def parse_statistic(item: Any, *, expected_id: int) -> OperatorStatistic:
    if not isinstance(item, Mapping):
        raise RecordError(f"expected an object, got {_describe(item)}")
    problems: list[str] = []
    operator_id = _read_id(item, "id", expected_id, problems)
    return OperatorStatistic(
        id=operator_id,
        conversation_number=_read_optional(item, "conversation_number", to_int, problems),
        satisfaction_global_rate=_read_optional(item, "satisfaction_global_rate", to_float, problems),
        experience=_read_optional(item, "experience", to_int, problems),
        problems=tuple(problems),
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


def parse_profile(item: Any, *, expected_id: int) -> OperatorProfile:
    if not isinstance(item, Mapping):
        raise RecordError(f"expected an object, got {_describe(item)}")
    problems: list[str] = []
    user_id = _read_id(item, "user_id", expected_id, problems)
    texts = {key: _read_optional(item, key, to_str, problems) for key in _PROFILE_TEXTS}
    return OperatorProfile(user_id, problems=tuple(problems), **texts)


def _read_optional(
    item: Mapping[str, Any], key: str, reader: Callable[[Any], Any], problems: list[str]
) -> Any:
    """``reader(item[key])``; ``None`` when absent or null, or (with a problem) unreadable."""
    raw = item.get(key)
    if raw is None:
        return None
    try:
        return reader(raw)
    except _Invalid as exc:
        problems.append(f"{key}: {exc}, got {_describe(raw)}")
        return None
