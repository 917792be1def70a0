"""The sandbox's data: operators, their live state, and the state file.

``OperatorStore`` is what the HTTP handler calls, and what tests call directly to
seed or inspect the sandbox without HTTP. Every public method takes the store's
lock: the server answers each connection in its own thread.

Reads return fresh dicts in the API's shape (``role`` and ``_link`` included);
changing them does not change the store.

Persistence: with a ``state_path`` the store locks the state for as long as it is
open (a second store on the same path waits for the first, then gives up with
``SandboxStateError``), loads it, and then records every write in the journal before
the write is visible, let alone answered; ``close`` folds the journal into the
snapshot. The files and their guarantees are described in ``statefile``. A state that
cannot be read, or holds operators that do not validate, is a ``SandboxStateError``
naming the file and the problem.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from rostersync.sandbox.catalog import Catalog
from rostersync.sandbox.derived import operator_profile, operator_statistic
from rostersync.sandbox.filters import compile_filters
from rostersync.sandbox.live import (
    CHANNELS,
    LiveState,
    apply_live_update,
    is_available,
    render_live,
)
from rostersync.sandbox.statefile import (
    DEFAULT_LOCK_TIMEOUT,
    STATE_FORMAT,
    STATE_VERSION,
    SandboxStateError,
    StateFile,
    StoredState,
)
from rostersync.sandbox.validation import (
    FIELD_ORDER,
    InvalidFields,
    default_fields,
    display_role,
    merge_fields,
)

__all__ = ["FIRST_ID", "STATE_FORMAT", "STATE_VERSION", "OperatorNotFound", "OperatorStore",
           "SandboxStateError"]

logger = logging.getLogger(__name__)

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
    """Thread-safe operators, optionally persisted to ``state_path``.

    With a ``state_path``, opening waits up to ``lock_timeout`` seconds for another
    sandbox using the same state (``on_wait`` gets the message saying so; by default
    it is logged as a warning) and ``close`` (or leaving a ``with`` block) must be
    called to write the snapshot and release the lock.
    """

    def __init__(self, state_path: Path | None = None, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
                 on_wait: Callable[[str], None] | None = None) -> None:
        self._lock = threading.RLock()
        self._state_path = Path(state_path) if state_path is not None else None
        self._file: StateFile | None = None
        self._fields: dict[int, dict[str, Any]] = {}
        self._live: dict[int, LiveState] = {}
        self._id_by_email: dict[str, int] = {}
        # Ids matching each filter set seen, until the next change to the fields: a
        # listing walks its pages with the same filters, and without this every page
        # would test every operator (quadratic in the number of operators).
        self._matches: dict[tuple[tuple[str, str], ...], OperatorIds] = {}
        self._next_id = FIRST_ID
        # The account's skills, groups and websites: read only, never persisted.
        self.catalog = Catalog()
        if self._state_path is not None:
            self._file = StateFile(self._state_path, lock_timeout=lock_timeout, on_wait=on_wait)
            try:
                self._restore(self._file.read())
            except BaseException:
                self._file.close()
                raise

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
            return render_operator(operator_id, self._fields[operator_id])

    def update(self, operator_id: int, sent: Mapping[str, Any]) -> dict[str, Any]:
        """Change only the fields sent (``call_config`` keys merge); all or nothing."""
        with self._lock:
            current = self._require(operator_id)
            merged = merge_fields(current, sent)
            self._check_email_free(merged["email"], operator_id)
            if merged != current:
                live = _copy_live(self._live[operator_id])
                live.forget_disabled_channels(merged)
                self._journal_put(operator_id, merged, live)
                self._matches.clear()
                self._id_by_email.pop(current["email"], None)
                self._id_by_email[merged["email"]] = operator_id
                self._fields[operator_id] = merged
                self._live[operator_id] = live
                self._after_write()
            return render_operator(operator_id, merged)

    def delete(self, operator_id: int) -> None:
        with self._lock:
            fields = self._require(operator_id)
            self._journal({"op": "delete", "id": operator_id})
            self._matches.clear()
            del self._fields[operator_id]
            del self._live[operator_id]
            self._id_by_email.pop(fields["email"], None)
            self._after_write()

    # ------------------------------------------------------------ seeding (tests, demo)

    def add(self, fields: Mapping[str, Any], *, logged_in: bool = False) -> int:
        """Store one operator given with API field names (Python or form values); return its id."""
        with self._lock:
            return self._insert(fields, logged_in=logged_in)

    def bulk_add(self, operators: Iterable[Mapping[str, Any]], *,
                 logged_in: bool = False) -> OperatorIds:
        """Store many operators at once, writing one snapshot; all or nothing."""
        with self._lock:
            self._check_open()
            added: OperatorIds = []
            try:
                for fields in operators:
                    added.append(self._insert(fields, logged_in=logged_in, journal=False))
                self._snapshot()
            except BaseException:
                self._matches.clear()
                for operator_id in added:
                    self._id_by_email.pop(self._fields.pop(operator_id)["email"], None)
                    del self._live[operator_id]
                raise
            return added

    def clear(self) -> None:
        """Forget every operator. Ids are not reused afterwards, as on a real server."""
        with self._lock:
            if self._file is not None:
                self._check_open()
                self._file.snapshot(self._next_id, ())
            self._matches.clear()
            self._fields.clear()
            self._live.clear()
            self._id_by_email.clear()

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
            live = _copy_live(self._live[operator_id])
            message = apply_live_update(fields, live, sent)
            self._journal_put(operator_id, fields, live)
            self._live[operator_id] = live
            self._after_write()
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
            state = _copy_live(self._live[operator_id])
            state.has_logged_in = True
            state.connected = connected
            state.available = {channel: connected and channel in wanted for channel in CHANNELS}
            for channel, count in (slot_number or {}).items():
                state.slot_number[channel] = max(0, int(count))
            self._journal_put(operator_id, fields, state)
            self._live[operator_id] = state
            self._after_write()

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

    def _insert(self, sent: Mapping[str, Any], *, logged_in: bool, journal: bool = True) -> int:
        fields = merge_fields(default_fields(), sent)
        self._check_email_free(fields["email"], None)
        operator_id = self._next_id
        live = LiveState(has_logged_in=logged_in)
        if journal:
            self._journal_put(operator_id, fields, live)
        self._next_id += 1
        self._matches.clear()
        self._fields[operator_id] = fields
        self._live[operator_id] = live
        self._id_by_email[fields["email"]] = operator_id
        if journal:
            self._after_write()
        return operator_id

    def _check_email_free(self, email: str, operator_id: int | None) -> None:
        owner = self._id_by_email.get(email)
        if owner is not None and owner != operator_id:
            raise InvalidFields([f"Email {email!r} is already used by operator {owner}."])

    # ------------------------------------------------------------ persistence

    def close(self) -> None:
        """Write the snapshot (folding the journal in) and release the state's lock.

        Idempotent; a no-op without a state path. If the snapshot cannot be written
        (disk full), the journal still holds every write and is flushed to disk; the
        next store on this path replays it. Reading still works after ``close``;
        writing raises ``RuntimeError``.
        """
        with self._lock:
            if self._file is None or self._file.closed:
                return
            try:
                if self._file.journal_entries:
                    self._snapshot()
            except OSError as exc:
                logger.warning("Could not write the sandbox state %s (%s); its journal keeps every "
                               "write and the next run will read it.", self._file.path, exc.strerror or exc)
                self._file.sync_journal()
            finally:
                self._file.close()

    def __enter__(self) -> OperatorStore:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._file is not None and self._file.closed:
            raise RuntimeError(f"The sandbox store of {self._file.path} is closed: it can no longer be written.")

    def _journal(self, entry: Mapping[str, Any]) -> None:
        """Record a write before it is made: once this returns, it survives a crash."""
        if self._file is not None:
            self._check_open()
            self._file.append((entry,))

    def _journal_put(self, operator_id: int, fields: Mapping[str, Any], live: LiveState) -> None:
        if self._file is not None:
            self._journal({"op": "put", "id": operator_id, "fields": fields, "live": live.to_json()})

    def _after_write(self) -> None:
        """Fold the journal into a new snapshot once it outgrows the operators. The write
        is already safe in the journal: a snapshot that fails is retried later, not an error."""
        if self._file is not None and self._file.should_compact(len(self._fields)):
            try:
                self._snapshot()
            except OSError as exc:
                logger.warning("Could not write the sandbox state %s (%s); the journal keeps every write.",
                               self._file.path, exc.strerror or exc)

    def _snapshot(self) -> None:
        if self._file is not None:
            self._file.snapshot(self._next_id, ((operator_id, fields, self._live[operator_id].to_json())
                                                for operator_id, fields in sorted(self._fields.items())))

    def _restore(self, stored: StoredState) -> None:
        """Take the operators read from the files, validating each one as a write would."""
        assert self._file is not None
        for operator_id in sorted(stored.records):
            record = stored.records[operator_id]
            try:
                fields = merge_fields(default_fields(), record["fields"])
                live = LiveState.from_json(record["live"])
            except (ValueError, TypeError, AttributeError, KeyError) as exc:
                raise self._file.error(f"operator {operator_id}: {_clip(str(exc))}") from None
            owner = self._id_by_email.get(fields["email"])
            if owner is not None:
                raise self._file.error(f"operators {owner} and {operator_id} have the same email")
            self._fields[operator_id] = fields
            self._live[operator_id] = live
            self._id_by_email[fields["email"]] = operator_id
        self._next_id = max([stored.next_id or FIRST_ID, FIRST_ID,
                             *(operator_id + 1 for operator_id in self._fields)])
        if stored.journal_entries or stored.torn_tail:
            # The last run did not close: its writes were in the journal. Keep them in a
            # snapshot now, so that a second crash has less to replay.
            ignored = " (and ignored its incomplete last write, which was never answered)" \
                if stored.torn_tail else ""
            logger.warning("Recovered %d writes from the journal of the sandbox state %s%s.",
                           stored.journal_entries, self._file.path, ignored)
            try:
                self._snapshot()
            except OSError as exc:
                raise SandboxStateError(f"Cannot write sandbox state {self._file.path}: "
                                        f"{exc.strerror or exc}.") from None
        logger.info("Loaded %d operators from %s", len(self._fields), self._file.path)


def _copy_live(state: LiveState) -> LiveState:
    return LiveState(has_logged_in=state.has_logged_in, connected=state.connected,
                     available=dict(state.available), slot_number=dict(state.slot_number))


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."
