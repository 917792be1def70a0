"""Carry out a plan: creates, then updates, then deletes, each change on its own.

A failed change does not stop the others; every change gets an `Outcome`. Writes
run on a bounded thread pool. When interrupted (Ctrl-C, or the `stop` event, which
the CLI also sets on SIGTERM), no new write starts, those in flight finish, and the
report says which never started. Running apply again after any failure converges,
because the next plan is made from the account as it then is.

Every write is checked. An API may answer 200 and not take all of it: a field it
ignores, a blank value it reads as "leave as is" rather than "clear" (nothing
documents which the real service does). So the operator in the reply of a create or
update (or, when the reply has none, the operator read back) is compared with what
was sent, under the plan's own comparison rules (`rostersync.plan.engine.diff_fields`:
emails without case, sets without order, call_config by the keys sent); a field
that differs fails the change. Write-only fields cannot be checked: the API never
returns ``sso_key``, and those rules count a secret absent from a reply as matching
(one the reply does return is compared like any other field, and shown masked). A
delete is taken at its word: a 2xx (or a 404) means the operator is gone, and a
delete whose reply was lost is checked by reading the operator.

A create whose reply was lost is looked up by email, and the operator found is
adopted only if it is in the plan's scope and was not in the listing the plan was
made from: otherwise it is someone else's, and the change fails naming it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from rostersync.api.errors import ApiError, NotFoundError, OutcomeUnknownError, ServerError, TransportError
from rostersync.plan.changes import Change, Create, Delete, FieldChange, Plan, Update, update_payload
from rostersync.plan.engine import comparable, diff_fields, scope_mismatch
from rostersync.plan.outcomes import ApplyReport, Outcome
from rostersync.plan.protocols import LiveRecord, OperatorWriter
from rostersync.roster.fields import SENSITIVE_API_FIELDS, SENSITIVE_MASK

DEFAULT_PARALLELISM = 8
# How many times a create whose reply was lost is looked up and tried again: as
# many as the client's attempts at any other call.
_CREATE_TRIES = 5
NOT_STARTED = "apply was interrupted before this change started"
_SHOWN_MAX = 100  # characters of a value from the API quoted in an outcome
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
    # Each change's outcome, written by the worker that ran it, before its future
    # completes. Not read from the futures: Ctrl-C may land inside `pool.submit`, after
    # the change was queued (and, once a worker takes it, written) but before the
    # future is returned, and that future would be lost. Workers never receive
    # KeyboardInterrupt, so what they record is complete once the pool has shut down.
    outcomes: list[Outcome | None] = [None] * len(plan.changes)
    index = {id(change): n for n, change in enumerate(plan.changes)}

    def run(n: int, change: Change) -> Outcome:
        outcome = outcomes[n] = _run_one(client, plan, change, stop)
        return outcome

    pool = ThreadPoolExecutor(max_workers=max(1, parallelism), thread_name_prefix="apply")
    try:
        for phase in _phases(plan.changes):
            try:
                pending: set[Future[Outcome]] = set()
                for change in phase:
                    pending.add(pool.submit(run, index[id(change)], change))
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
    finally:
        _shut_down(pool, stop)
    return ApplyReport(tuple(outcome if outcome is not None else Outcome(change, "not started", NOT_STARTED)
                             for change, outcome in zip(plan.changes, outcomes, strict=True)),
                       stop.is_set())


def _shut_down(pool: ThreadPoolExecutor, stop: threading.Event) -> None:
    """Wait for the writes in flight, a Ctrl-C meanwhile included: it stops the rest.
    (As bounded_pool does; the engine imports nothing outside plan and roster.)"""
    while True:
        try:
            pool.shutdown(wait=True)
            return
        except KeyboardInterrupt:
            stop.set()


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
    move = change.email_move
    return move[0].lower() if move is not None else None


def _run_one(client: OperatorWriter, plan: Plan, change: Change, stop: threading.Event) -> Outcome:
    if stop.is_set():
        return Outcome(change, "not started", NOT_STARTED)
    try:
        if isinstance(change, Create):
            return _create(client, plan, change)
        if isinstance(change, Update):
            return _update(client, change)
        return _delete(client, change)
    except ApiError as exc:
        return Outcome(change, "failed", str(exc))


def _create(client: OperatorWriter, plan: Plan, change: Create) -> Outcome:
    """POST, and when the reply is lost, look the operator up before trying again.

    A create is never blindly repeated: a lost reply may hide a committed write, and
    a second POST would then fail on the email (or, worse, make a duplicate).
    """
    for _ in range(_CREATE_TRIES):
        try:
            record = client.create_operator(change.fields)
        except OutcomeUnknownError:
            try:
                existing = client.find_operator_by_email(change.email)
            except ApiError as exc:
                return Outcome(change, "failed", f"the API did not answer the create of {change.email}, and looking "
                                                 f"it up failed ({exc}); it may or may not exist: run apply again")
            if existing is not None:
                return _adopt(client, plan, change, existing)
            continue
        missing = _not_taken(change.fields, record.fields)
        if missing:
            return Outcome(change, "failed", f"{_not_taken_message('create', missing)} (created #{record.id})",
                           record.id)
        return Outcome(change, "done", f"created #{record.id}", record.id)
    return Outcome(change, "failed", f"the API did not answer {_CREATE_TRIES} creates of {change.email}, and no "
                                     "operator with that email exists; run apply again")


def _adopt(client: OperatorWriter, plan: Plan, change: Create, existing: LiveRecord) -> Outcome:
    """Take over the operator a lost create's email finds, if it can only be that create's.

    It must be in the plan's scope (a create lands there) and must not have been in
    the listing the plan was made from (then it existed before this apply). Anything
    else is another team's operator, or one the roster did not know: never taken over.
    """
    found = f"#{existing.id} ({existing.fields.get('email')})"
    lost = f"the API did not answer the create of {change.email}; the operator with that email, {found},"
    if existing.id in plan.listed_ids:
        return Outcome(change, "failed", f"{lost} existed when the plan was made, so this create did not make it: "
                                         "not adopted. Check who owns it, then run plan again")
    outside = scope_mismatch(plan.scope, existing.fields)
    if outside is not None:
        return Outcome(change, "failed", f"{lost} is outside the roster's scope ({outside}): not adopted, it may "
                                         "belong to another team. Check who owns it, then run plan again")
    remaining = diff_fields(change.fields, existing.fields)
    if remaining:
        returned = _read_back(client, existing.id, client.update_operator(existing.id, update_payload(remaining)))
        if isinstance(returned, str):
            return Outcome(change, "failed", returned)
        missing = _not_taken(change.fields, returned.fields)
        if missing:
            return Outcome(change, "failed", f"{_not_taken_message('update', missing)} (#{existing.id}, adopted "
                                             "after the create's reply was lost)", existing.id)
    return Outcome(change, "done", f"created #{existing.id} (the reply was lost; found by email and adopted)",
                   existing.id)


def _read_back(client: OperatorWriter, operator_id: int, returned: LiveRecord | None) -> LiveRecord | str:
    """The operator an accepted PUT returned, or read back when the reply holds none;
    a message when it cannot be read (the write then cannot be checked)."""
    if returned is not None:
        return returned
    try:
        return client.get_operator(operator_id)
    except ApiError as exc:
        return (f"the API accepted the update of #{operator_id}, but reading it back to check it failed ({exc}); "
                "run plan to see whether it holds")


def _update(client: OperatorWriter, change: Update) -> Outcome:
    fields = ", ".join(c.label for c in change.changes)
    payload = change.payload
    try:
        reply = client.update_operator(change.id, payload)
    except NotFoundError:
        return Outcome(change, "failed", f"operator #{change.id} no longer exists (deleted since the plan was made?); "
                                         "run plan again")
    except _MAYBE_DONE:
        # Every reply lost or refused: an attempt may still have written it. Look.
        if not _holds(client, change.id, payload):
            raise
        return Outcome(change, "done", f"updated #{change.id}: {fields} (the reply was lost; checked by reading it)")
    returned = _read_back(client, change.id, reply)
    if isinstance(returned, str):
        return Outcome(change, "failed", returned)
    missing = _not_taken(payload, returned.fields)
    if missing:
        return Outcome(change, "failed", f"{_not_taken_message('update', missing, change.changes)} (#{change.id})")
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


# --------------------------------------------------------------------- checking a write

def _not_taken(sent: Mapping[str, Any], returned: Mapping[str, Any]) -> list[FieldChange]:
    """The fields of `sent` that the returned operator does not hold; ``before`` is its value."""
    return diff_fields(sent, returned)


def _shown(api_field: str, value: Any) -> str:
    """A value as the text plan writes it: ``[101, 103]``, ``"Ada"``, ``(unset)``; secrets
    masked, and cut short (the value comes from the API)."""
    if value is None:
        return "(unset)"
    if api_field.split(".", 1)[0] in SENSITIVE_API_FIELDS:
        return SENSITIVE_MASK
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = "[" + ", ".join(str(item) for item in value) + "]"
    elif isinstance(value, str):
        text = json.dumps(value)
    else:
        text = str(value)
    return text if len(text) <= _SHOWN_MAX else text[:_SHOWN_MAX] + "..."


def _not_taken_message(what: str, missing: Sequence[FieldChange],
                      planned: Sequence[FieldChange] = ()) -> str:
    """E.g. ``the API accepted the update but skills is still [101]``.

    `what` is "update" or "create"; `planned` are the plan's own changes, whose
    ``before`` tells "is still" (the write changed nothing) from "is" (it changed it
    to something else).
    """
    before = {change.field: comparable(change.top, change.before) for change in planned}
    parts = []
    for change in missing:
        unchanged = change.field in before and before[change.field] == comparable(change.top, change.before)
        verb = "is still" if unchanged else "is"
        parts.append(f"{change.label} {verb} {_shown(change.field, change.before)}")
    return f"the API accepted the {what} but " + " and ".join(parts)
