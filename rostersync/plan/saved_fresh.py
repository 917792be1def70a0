"""A saved plan against the account as it is now: is it for this account, fresh, and true?

Three refusals, each before anything is written:

- another target: the plan was made for another base URL (`StalePlanError`);
- stale: an operator it updates or deletes changed or went, or one it creates now
  exists (`StalePlanError`): make a new plan and review it;
- untrue: the operator is as it was when planned (same fingerprint), yet the plan's
  changes are not what the engine computes for it, its email is not the one shown,
  or the call_config it would leave breaks the roster's rule (`PlanError`). Only an
  edited file (or a bug) does that; the integrity tag normally stops it first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rostersync.plan.changes import Create, Delete, Update
from rostersync.plan.engine import LiveAccount, diff_fields, fingerprint
from rostersync.plan.errors import PlanError, StalePlanError
from rostersync.plan.protocols import LiveRecord
from rostersync.plan.saved import SavedPlan
from rostersync.plan.saved_changes import quoted
from rostersync.roster.fields import CALL_CONFIG_DEFAULTS


def check_target(saved: SavedPlan, target: str) -> None:
    if target.rstrip("/") != saved.base_url.rstrip("/"):
        raise StalePlanError(f"This plan was made for {saved.base_url}, not {target}. Nothing was written.")


def check_fresh(saved: SavedPlan, live: LiveAccount, target: str) -> None:
    """Refuse a saved plan made for another target, or when the account moved on since it was made."""
    check_target(saved, target)
    by_id = {record.id: record for record in live.operators}
    by_email = {str(r.fields.get("email", "")).lower(): r for r in live.operators}
    reasons: list[str] = []
    for change in saved.plan.changes:
        if isinstance(change, Create):
            if change.email.lower() in by_email:
                reasons.append(f"{change.email} now exists (#{by_email[change.email.lower()].id})")
            continue
        record = by_id.get(change.id)
        if record is None:
            reasons.append(f"{change.email} (#{change.id}) no longer exists")
        elif fingerprint(record.fields) != change.fingerprint:
            reasons.append(f"{change.email} (#{change.id}) changed")
    if reasons:
        listed = "".join(f"\n  - {reason}" for reason in reasons)
        raise StalePlanError(
            f"The saved plan is stale: the account changed since it was made.{listed}\n"
            "Nothing was written. Make a new plan and review it."
        )
    _check_true(saved, by_id)


def _check_true(saved: SavedPlan, by_id: Mapping[int, LiveRecord]) -> None:
    """Each update and delete describes its operator as the account holds it (fresh: unchanged)."""
    reasons: list[str] = []
    for change in saved.plan.changes:
        if isinstance(change, Update):
            reasons.extend(_update_untrue(change, by_id[change.id]))
        elif isinstance(change, Delete):
            email = by_id[change.id].fields.get("email")
            if not isinstance(email, str) or email.lower() != change.email.lower():
                reasons.append(f"the delete of #{change.id} shows {quoted(change.email)}, but #{change.id} is "
                               f"{quoted(email)}")
    if reasons:
        listed = "".join(f"\n  - {reason}" for reason in reasons)
        raise PlanError(
            f"The saved plan does not describe the account it was made from:{listed}\n"
            "It was edited after it was made, or made by another tool. Nothing was written. Make a new plan."
        )


def _update_untrue(change: Update, record: LiveRecord) -> list[str]:
    who = f"{change.email} (#{change.id})"
    shown = {c.field: (c.before, c.after) for c in change.changes}
    computed = {c.field: (c.before, c.after) for c in diff_fields(change.payload, record.fields)}
    reasons = []
    if shown != computed:
        fields = sorted(set(shown) ^ set(computed) | {f for f in shown if f in computed and shown[f] != computed[f]})
        reasons.append(f"{who}: the changes it shows for {', '.join(fields)} are not those between the account "
                       "and the values it sets")
    email_change = shown.get("email")
    email = email_change[1] if email_change is not None else record.fields.get("email")
    if not isinstance(email, str) or email.lower() != change.email.lower():
        reasons.append(f"{who}: the operator's email would be {quoted(email)}, not the one shown")
    sent = change.payload.get("call_config")
    if isinstance(sent, dict):
        merged = {**CALL_CONFIG_DEFAULTS, **_mapping(record.fields.get("call_config")), **sent}
        if merged.get("type") == "ANSWER_FROM_PHONE" and not (
                merged.get("phone_number") or merged.get("ask_phone_number_at_every_connection") is True):
            reasons.append(f"{who}: call_config type ANSWER_FROM_PHONE would have no phone_number and no "
                           "ask_phone_number_at_every_connection: true")
    return reasons


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}
