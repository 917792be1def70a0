"""The sandbox's data: operators, their live state, and the state file.

``OperatorStore`` is what the HTTP handler calls, and what tests call directly to
seed or inspect the sandbox without HTTP. Every public method takes the store's
lock: the server answers each connection in its own thread.

Reads return fresh dicts in the API's shape (``role`` and ``_link`` included);
changing them does not change the store.

Persistence: with a ``state_path``, the file is loaded at start when it exists and
rewritten after every write, atomically (temporary file in the same folder, then
``os.replace``), so a crash never leaves half a file. Format::

    {"format": "rostersync-sandbox-state", "version": 1, "next_id": 1004,
     "operators": [{"id": 1001, "fields": {...}, "live": {...}}, ...]}
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rostersync.sandbox.derived import operator_profile, operator_statistic
from rostersync.sandbox.filters import compile_filters
from rostersync.sandbox.live import (
    CHANNELS,
    LiveState,
    apply_live_update,
    is_available,
    render_live,
)
from rostersync.sandbox.validation import (
    FIELD_ORDER,
    InvalidFields,
    default_fields,
    display_role,
    merge_fields,
)

__all__ = ["FIRST_ID", "STATE_FORMAT", "STATE_VERSION", "OperatorNotFound", "OperatorStore"]

logger = logging.getLogger(__name__)

STATE_FORMAT = "rostersync-sandbox-state"
STATE_VERSION = 1
# Aliases: inside OperatorStore, ``list`` names the method, not the builtin type.
OperatorItem = dict[str, Any]
OperatorItems = list[OperatorItem]
OperatorIds = list[int]

# Ids start well above 1 so a client that mixes up list positions and ids shows it.
FIRST_ID = 1001


class OperatorNotFound(LookupError):
    """No operator has this id; ``str()`` is the documented 404 message."""

    def __init__(self, operator_id: int) -> None:
        super().__init__(f"Unknown 'operator' with 'id' {operator_id}.")
        self.operator_id = operator_id


def render_operator(operator_id: int, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A stored operator as the API returns it: documented field order, ``role``, ``_link``."""
    item: dict[str, Any] = {}
    for name in FIELD_ORDER:
        if name == "id":
            item["id"] = operator_id
        elif name == "role":
            item["role"] = display_role(fields["roles"])
        elif name == "call_config":
            item["call_config"] = dict(fields["call_config"])
        else:
            value = fields[name]
            item[name] = list(value) if isinstance(value, list) else value
    item["_link"] = f"/operator/{operator_id}"
    return item


class OperatorStore:
    """Thread-safe operators, optionally persisted to ``state_path``."""

    def __init__(self, state_path: Path | None = None) -> None:
        self._lock = threading.RLock()
        self._state_path = Path(state_path) if state_path is not None else None
        self._fields: dict[int, dict[str, Any]] = {}
        self._live: dict[int, LiveState] = {}
        self._id_by_email: dict[str, int] = {}
        # Ids matching each filter set seen, until the next change to the fields: a
        # listing walks its pages with the same filters, and without this every page
        # would test every operator (quadratic in the number of operators).
        self._matches: dict[tuple[tuple[str, str], ...], OperatorIds] = {}
        self._next_id = FIRST_ID
        if self._state_path is not None and self._state_path.exists():
            self._load(self._state_path)

    @property
    def state_path(self) -> Path | None:
        return self._state_path

    # ------------------------------------------------------------ reading

    def __len__(self) -> int:
        with self._lock:
            return len(self._fields)

    def __contains__(self, operator_id: object) -> bool:
        with self._lock:
            return operator_id in self._fields

    def ids(self) -> OperatorIds:
        with self._lock:
            return sorted(self._fields)

    def get(self, operator_id: int) -> dict[str, Any]:
        with self._lock:
            return render_operator(operator_id, self._require(operator_id))

    def list(self, filters: Mapping[str, Any] | None = None) -> OperatorItems:
        """Every operator matching the filters (``{"name": "*uli*"}``), ordered by id."""
        with self._lock:
            return [render_operator(operator_id, self._fields[operator_id])
                    for operator_id in self._matching_ids(filters)]

    def page(self, filters: Mapping[str, Any] | None, *, offset: int, limit: int,
             full: bool) -> tuple[int, OperatorItems]:
        """One page of ``list``: the number of matches, and the items from ``offset`` on.

        Only the page's items are rendered, so walking thousands of operators stays
        cheap; without ``full`` an item is ``{"id", "_link"}`` as the docs allow.
        """
        with self._lock:
            ids = self._matching_ids(filters)
            chosen = ids[offset:offset + limit]
            if full:
                return len(ids), [render_operator(i, self._fields[i]) for i in chosen]
            return len(ids), [{"id": i, "_link": f"/operator/{i}"} for i in chosen]

    # ------------------------------------------------------------ writing (API)

    def create(self, sent: Mapping[str, Any], *, logged_in: bool = False) -> dict[str, Any]:
        """Validate and store a new operator; raise ``InvalidFields`` and store nothing."""
        with self._lock:
            operator_id = self._insert(sent, logged_in=logged_in)
            self._persist()
            return render_operator(operator_id, self._fields[operator_id])

    def update(self, operator_id: int, sent: Mapping[str, Any]) -> dict[str, Any]:
        """Change only the fields sent (``call_config`` keys merge); all or nothing."""
        with self._lock:
            current = self._require(operator_id)
            merged = merge_fields(current, sent)
            self._check_email_free(merged["email"], operator_id)
            if merged != current:
                self._matches.clear()
                self._id_by_email.pop(current["email"], None)
                self._id_by_email[merged["email"]] = operator_id
                self._fields[operator_id] = merged
                self._live[operator_id].forget_disabled_channels(merged)
                self._persist()
            return render_operator(operator_id, merged)

    def delete(self, operator_id: int) -> None:
        with self._lock:
            fields = self._require(operator_id)
            self._matches.clear()
            del self._fields[operator_id]
            del self._live[operator_id]
            self._id_by_email.pop(fields["email"], None)
            self._persist()

    # ------------------------------------------------------------ seeding (tests, demo)

    def add(self, fields: Mapping[str, Any], *, logged_in: bool = False) -> int:
        """Store one operator given with API field names (Python or form values); return its id."""
        with self._lock:
            operator_id = self._insert(fields, logged_in=logged_in)
            self._persist()
            return operator_id

    def bulk_add(self, operators: Iterable[Mapping[str, Any]], *,
                 logged_in: bool = False) -> OperatorIds:
        """Store many operators at once, writing the state file once; all or nothing."""
        with self._lock:
            added: OperatorIds = []
            try:
                for fields in operators:
                    added.append(self._insert(fields, logged_in=logged_in))
            except (InvalidFields, ValueError):
                self._matches.clear()
                for operator_id in added:
                    self._id_by_email.pop(self._fields.pop(operator_id)["email"], None)
                    del self._live[operator_id]
                raise
            self._persist()
            return added

    def clear(self) -> None:
        """Forget every operator. Ids are not reused afterwards, as on a real server."""
        with self._lock:
            self._matches.clear()
            self._fields.clear()
            self._live.clear()
            self._id_by_email.clear()
            self._persist()

    # ------------------------------------------------------------ live availability

    def live(self, operator_id: int) -> dict[str, Any]:
        with self._lock:
            fields = self._require(operator_id)
            return render_live(operator_id, fields, self._live[operator_id])

    def list_live(self, filters: Mapping[str, Any] | None = None, *,
                  include_offline: bool = False) -> OperatorItems:
        """By default the available operators; ``include_offline`` adds every operator
        who ever logged in (the documented ``connected=0``)."""
        with self._lock:
            items: OperatorItems = []
            for operator_id in self._matching_ids(filters):
                state = self._live[operator_id]
                item = render_live(operator_id, self._fields[operator_id], state)
                shown = state.has_logged_in if include_offline else is_available(item)
                if shown:
                    items.append(item)
            return items

    def set_live(self, operator_id: int, sent: Mapping[str, Any]) -> str:
        """Apply ``chat[available]=1`` / ``connected=0`` style fields; return the message."""
        with self._lock:
            fields = self._require(operator_id)
            message = apply_live_update(fields, self._live[operator_id], sent)
            self._persist()
            return message

    def set_presence(self, operator_id: int, *, connected: bool,
                     available: Iterable[str] = (),
                     slot_number: Mapping[str, int] | None = None) -> None:
        """Set the whole live state at once (demo and tests): connected or not, the
        channels available, the conversations open per channel. Marks the operator
        as having logged in. An unknown or not enabled channel is ``InvalidFields``."""
        with self._lock:
            fields = self._require(operator_id)
            wanted = set(available)
            problems = [f"Cannot make operator {operator_id} available on {channel!r}: "
                        f"not an enabled channel." for channel in sorted(wanted)
                        if channel not in CHANNELS or not fields[f"{channel}_enabled"]]
            unknown = set(slot_number or {}) - set(CHANNELS)
            problems += [f"Unknown channel {channel!r}." for channel in sorted(unknown)]
            if problems:
                raise InvalidFields(problems)
            state = self._live[operator_id]
            state.has_logged_in = True
            state.connected = connected
            state.available = {channel: connected and channel in wanted for channel in CHANNELS}
            for channel, count in (slot_number or {}).items():
                state.slot_number[channel] = max(0, int(count))
            self._persist()

    # ------------------------------------------------------------ derived resources

    def statistic(self, operator_id: int) -> dict[str, Any]:
        with self._lock:
            self._require(operator_id)
        return operator_statistic(operator_id)

    def profile(self, operator_id: int) -> dict[str, Any]:
        with self._lock:
            fields = dict(self._require(operator_id))
        return operator_profile(operator_id, fields)

    # ------------------------------------------------------------ internals

    def _require(self, operator_id: int) -> dict[str, Any]:
        fields = self._fields.get(operator_id)
        if fields is None:
            raise OperatorNotFound(operator_id)
        return fields

    def _matching_ids(self, filters: Mapping[str, Any] | None) -> OperatorIds:
        """Ids of the operators matching ``filters``, ascending; raises ``InvalidFields``.

        The list is shared with later calls until the fields change: do not modify it.
        """
        matches = compile_filters(filters)
        key = tuple(sorted((str(name), repr(value)) for name, value in (filters or {}).items()))
        cached = self._matches.get(key)
        if cached is not None:
            return cached
        if not filters:
            found = sorted(self._fields)
        else:
            found = [operator_id for operator_id, fields in sorted(self._fields.items())
                     if matches(fields | {"id": operator_id})]
        if len(self._matches) >= 32:  # many different filters: keep the memory bounded
            self._matches.clear()
        self._matches[key] = found
        return found

    def _insert(self, sent: Mapping[str, Any], *, logged_in: bool) -> int:
        fields = merge_fields(default_fields(), sent)
        self._check_email_free(fields["email"], None)
        self._matches.clear()
        operator_id = self._next_id
        self._next_id += 1
        self._fields[operator_id] = fields
        self._live[operator_id] = LiveState(has_logged_in=logged_in)
        self._id_by_email[fields["email"]] = operator_id
        return operator_id

    def _check_email_free(self, email: str, operator_id: int | None) -> None:
        owner = self._id_by_email.get(email)
        if owner is not None and owner != operator_id:
            raise InvalidFields([f"Email {email!r} is already used by operator {owner}."])

    # ------------------------------------------------------------ persistence

    def _persist(self) -> None:
        if self._state_path is None:
            return
        state = {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "next_id": self._next_id,
            "operators": [
                {"id": operator_id, "fields": fields, "live": self._live[operator_id].to_json()}
                for operator_id, fields in sorted(self._fields.items())
            ],
        }
        _write_atomically(self._state_path, json.dumps(state, ensure_ascii=False, indent=1))

    def _load(self, path: Path) -> None:
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"Cannot read sandbox state {path}: {exc}") from exc
        if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
            raise ValueError(f"{path} is not a rostersync sandbox state file.")
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"{path} has state version {state.get('version')!r}; "
                             f"this sandbox reads version {STATE_VERSION}.")
        for record in sorted(state["operators"], key=lambda record: int(record["id"])):
            operator_id = int(record["id"])
            # Run the stored fields through validation: a hand-edited file fails loudly.
            self._fields[operator_id] = merge_fields(default_fields(), record["fields"])
            self._live[operator_id] = LiveState.from_json(record.get("live", {}))
            self._id_by_email[self._fields[operator_id]["email"]] = operator_id
        self._next_id = max([int(state.get("next_id", FIRST_ID)), FIRST_ID,
                             *(operator_id + 1 for operator_id in self._fields)])
        logger.info("Loaded %d operators from %s", len(self._fields), path)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
