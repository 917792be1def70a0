"""Carry out a plan: creates, then updates, then deletes, each change on its own.

A failed change does not stop the others; every change gets an `Outcome`. Writes
run on a bounded thread pool. When interrupted (Ctrl-C, or the `stop` event), no
new write starts, those in flight finish, and the report says which never started.
Running apply again after any failure converges, because the next plan is made
from the account as it then is.
"""

from __future__ import annotations

import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Callable, Literal, Mapping, Protocol

from rostersync.api.errors import ApiError, NotFoundError, OutcomeUnknownError
from rostersync.plan.changes import Change, Create, Delete, Plan, Update
from rostersync.plan.engine import LiveRecord, diff_fields, update_payload

Status = Literal["done", "failed", "not started"]
DEFAULT_PARALLELISM = 8
# How many times a create whose reply was lost is looked up and tried again.
_CREATE_TRIES = 3


class OperatorWriter(Protocol):
    def create_operator(self, fields: Mapping[str, Any]) -> LiveRecord: ...
    def update_operator(self, operator_id: int, fields: Mapping[str, Any]) -> Any: ...
    def delete_operator(self, operator_id: int) -> None: ...
    def find_operator_by_email(self, email: str) -> LiveRecord | None: ...


@dataclass(frozen=True)
class Outcome:
    change: Change
    status: Status
    detail: str  # what happened, for a person: "created #12", or why it failed

    @property
    def ok(self) -> bool:
        return self.status == "done"


@dataclass(frozen=True)
class ApplyReport:
    outcomes: tuple[Outcome, ...]  # in plan order
    interrupted: bool = False

    def with_status(self, status: Status) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes) and not self.interrupted

    def summary_line(self) -> str:
        done = self.with_status("done")
        counts = {"create": 0, "update": 0, "delete": 0}
        for outcome in done:
            counts[outcome.change.action] += 1
        text = (f"Apply {'interrupted' if self.interrupted else 'complete'}: {counts['create']} created, "
                f"{counts['update']} updated, {counts['delete']} deleted")
        failed, skipped = len(self.with_status("failed")), len(self.with_status("not started"))
        if failed:
            text += f", {failed} failed"
        if skipped:
            text += f", {skipped} not started"
        return text + "."


def apply_plan(
    client: OperatorWriter,
    plan: Plan,
    *,
    parallelism: int = DEFAULT_PARALLELISM,
    on_outcome: Callable[[Outcome], None] | None = None,
    stop: threading.Event | None = None,
) -> ApplyReport:
    """Apply every change of `plan`; never raises for a failed change."""
    stop = stop or threading.Event()
    outcomes: dict[int, Outcome] = {}
    interrupted = False
    index = {id(change): n for n, change in enumerate(plan.changes)}
    with ThreadPoolExecutor(max_workers=max(1, parallelism), thread_name_prefix="apply") as pool:
        for action in ("create", "update", "delete"):
            phase = [c for c in plan.changes if c.action == action]
            futures = {pool.submit(_run_one, client, change, stop): change for change in phase}
            pending: set[Future[Outcome]] = set(futures)
            while pending:
                try:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                except KeyboardInterrupt:
                    # Let the writes in flight finish; the others will not start.
                    stop.set()
                    interrupted = True
                    continue
                for future in finished:
                    outcome = future.result()
                    outcomes[index[id(outcome.change)]] = outcome
                    if on_outcome is not None:
                        on_outcome(outcome)
    if stop.is_set():
        interrupted = True
    return ApplyReport(tuple(outcomes[n] for n in sorted(outcomes)), interrupted)


def _run_one(client: OperatorWriter, change: Change, stop: threading.Event) -> Outcome:
    if stop.is_set():
        return Outcome(change, "not started", "apply was interrupted before this change started")
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
            existing = client.find_operator_by_email(change.email)
            if existing is not None:
                return _adopt(client, change, existing)
    return Outcome(change, "failed", f"the API did not answer {_CREATE_TRIES} creates of {change.email}, and no "
                                     "operator with that email exists; run apply again")


def _adopt(client: OperatorWriter, change: Create, existing: LiveRecord) -> Outcome:
    remaining = diff_fields(change.fields, existing.fields)
    if remaining:
        client.update_operator(existing.id, update_payload(change.fields, remaining))
    return Outcome(change, "done", f"created #{existing.id} (the reply was lost; found by email and adopted)")


def _update(client: OperatorWriter, change: Update) -> Outcome:
    try:
        client.update_operator(change.id, change.payload)
    except NotFoundError:
        return Outcome(change, "failed", f"operator #{change.id} no longer exists (deleted since the plan was made?); "
                                         "run plan again")
    fields = ", ".join(c.label for c in change.changes)
    return Outcome(change, "done", f"updated #{change.id}: {fields}")


def _delete(client: OperatorWriter, change: Delete) -> Outcome:
    try:
        client.delete_operator(change.id)
    except NotFoundError:
        return Outcome(change, "done", f"#{change.id} was already deleted")
    return Outcome(change, "done", f"deleted #{change.id}")

