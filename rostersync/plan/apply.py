"""Carry out a plan: creates, then updates, then deletes, each change on its own.

A failed change does not stop the others; every change gets an `Outcome`. Writes
run on a bounded thread pool. When interrupted (Ctrl-C, or the `stop` event), no
new write starts, those in flight finish, and the report says which never started.
Running apply again after any failure converges, because the next plan is made
from the account as it then is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from rostersync.api.errors import ApiError, NotFoundError, OutcomeUnknownError, ServerError, TransportError
from rostersync.plan.changes import Change, Create, Delete, Plan, Update, update_payload
from rostersync.plan.engine import diff_fields
from rostersync.plan.outcomes import ApplyReport, Outcome
from rostersync.plan.protocols import LiveRecord, OperatorWriter

DEFAULT_PARALLELISM = 8
# How many times a create whose reply was lost is looked up and tried again: as
# many as the client's attempts at any other call.
_CREATE_TRIES = 5
NOT_STARTED = "apply was interrupted before this change started"
# Failures after which a write may still have been done (a reply lost, a 5xx).
_MAYBE_DONE = (TransportError, ServerError)


def apply_plan(
    client: OperatorWriter,
    plan: Plan,
    *,
    parallelism: int = DEFAULT_PARALLELISM,
    on_outcome: Callable[[Outcome], None] | None = None,
    stop: threading.Event | None = None,
) -> ApplyReport:
    """Apply every change of `plan`; never raises for a failed change.

    Ctrl-C (a KeyboardInterrupt in this thread, wherever in the loop it lands) does
    what setting `stop` does: the writes in flight finish, no other starts.
    """
    stop = stop or threading.Event()
    futures: list[Future[Outcome] | None] = [None] * len(plan.changes)
    index = {id(change): n for n, change in enumerate(plan.changes)}
    with ThreadPoolExecutor(max_workers=max(1, parallelism), thread_name_prefix="apply") as pool:
        for phase in _phases(plan.changes):
            try:
                pending: set[Future[Outcome]] = set()
                for change in phase:
                    future = futures[index[id(change)]] = pool.submit(_run_one, client, change, stop)
                    pending.add(future)
                while pending:
                    try:
                        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                        for future in finished:
                            if on_outcome is not None:
                                on_outcome(future.result())
                    except KeyboardInterrupt:
                        stop.set()  # and go on waiting for the writes in flight
            except KeyboardInterrupt:
                stop.set()
    # Outcomes come from the futures, not from the loop: an interrupt may have cut it.
    outcomes = tuple(
        future.result() if future is not None else Outcome(change, "not started", NOT_STARTED)
        for change, future in zip(plan.changes, futures, strict=True)
    )
    return ApplyReport(outcomes, stop.is_set())


def _phases(changes: Sequence[Change]) -> list[list[Change]]:
    """The changes in the order they can run: creates, updates, deletes, except that an
    email must be freed before another operator takes it.

    An update may give an operator an email that another holds until it is deleted (the
    roster matched it by external_id) or renamed itself. Those deletes run before the
    updates, and the updates in waves: one that takes an email waits for the one that
    frees it. A cycle (two operators swapping emails) cannot be ordered; it is left
    to the last wave, where the API refuses it and the report says so.
    """
    creates = [c for c in changes if isinstance(c, Create)]
    updates = [c for c in changes if isinstance(c, Update)]
    deletes = [c for c in changes if isinstance(c, Delete)]
    taken = {str(u.payload["email"]).lower() for u in updates if "email" in u.payload}
    freeing = [d for d in deletes if d.email.lower() in taken]
    waves: list[list[Change]] = []
    pending = updates
    while pending:
        held = {_old_email(u) for u in pending} - {None}
        ready = [u for u in pending if "email" not in u.payload
                 or str(u.payload["email"]).lower() == _old_email(u)
                 or str(u.payload["email"]).lower() not in held]
        if not ready:
            ready = pending  # a cycle
        waves.append(list(ready))
        started = {id(u) for u in ready}
        pending = [u for u in pending if id(u) not in started]
    later = [d for d in deletes if d.email.lower() not in taken]
    phases: list[list[Change]] = [list(creates), list(freeing), *waves, list(later)]
    return [phase for phase in phases if phase]


def _old_email(change: Update) -> str | None:
    """The email an update takes away from its operator, if it changes it."""
    before = next((c.before for c in change.changes if c.field == "email"), None)
    return before.lower() if isinstance(before, str) else None


def _run_one(client: OperatorWriter, change: Change, stop: threading.Event) -> Outcome:
    if stop.is_set():
        return Outcome(change, "not started", NOT_STARTED)
    try:
        if isinstance(change, Create):
            return _create(client, change)
        if isinstance(change, Update):
            return _update(client, change)
        return _delete(client, change)
    except ApiError as exc:
        return Outcome(change, "failed", str(exc))


def _create(client: OperatorWriter, change: Create) -> Outcome:
    """POST, and when the reply is lost, look the operator up before trying again.

    A create is never blindly repeated: a lost reply may hide a committed write, and
    a second POST would then fail on the email (or, worse, make a duplicate).
    """
    for _ in range(_CREATE_TRIES):
        try:
            record = client.create_operator(change.fields)
            return Outcome(change, "done", f"created #{record.id}")
        except OutcomeUnknownError:
            try:
                existing = client.find_operator_by_email(change.email)
            except ApiError as exc:
                return Outcome(change, "failed", f"the API did not answer the create of {change.email}, and looking "
                                                 f"it up failed ({exc}); it may or may not exist: run apply again")
            if existing is not None:
                return _adopt(client, change, existing)
    return Outcome(change, "failed", f"the API did not answer {_CREATE_TRIES} creates of {change.email}, and no "
                                     "operator with that email exists; run apply again")


def _adopt(client: OperatorWriter, change: Create, existing: LiveRecord) -> Outcome:
    remaining = diff_fields(change.fields, existing.fields)
    if remaining:
        client.update_operator(existing.id, update_payload(remaining))
    return Outcome(change, "done", f"created #{existing.id} (the reply was lost; found by email and adopted)")


def _update(client: OperatorWriter, change: Update) -> Outcome:
    fields = ", ".join(c.label for c in change.changes)
    try:
        client.update_operator(change.id, change.payload)
    except NotFoundError:
        return Outcome(change, "failed", f"operator #{change.id} no longer exists (deleted since the plan was made?); "
                                         "run plan again")
    except _MAYBE_DONE:
        # Every reply lost or refused: an attempt may still have written it. Look.
        if not _holds(client, change.id, change.payload):
            raise
        return Outcome(change, "done", f"updated #{change.id}: {fields} (the reply was lost; checked by reading it)")
    return Outcome(change, "done", f"updated #{change.id}: {fields}")


def _delete(client: OperatorWriter, change: Delete) -> Outcome:
    try:
        client.delete_operator(change.id)
    except NotFoundError:
        return Outcome(change, "done", f"#{change.id} was already deleted")
    except _MAYBE_DONE:
        if not _gone(client, change.id):
            raise
        return Outcome(change, "done", f"deleted #{change.id} (the reply was lost; checked by reading it)")
    return Outcome(change, "done", f"deleted #{change.id}")


def _holds(client: OperatorWriter, operator_id: int, payload: Mapping[str, Any]) -> bool:
    """Whether the operator already holds `payload`; False when that cannot be read."""
    try:
        return not diff_fields(payload, client.get_operator(operator_id).fields)
    except ApiError:
        return False


def _gone(client: OperatorWriter, operator_id: int) -> bool:
    try:
        client.get_operator(operator_id)
    except NotFoundError:
        return True
    except ApiError:
        return False
    return False

