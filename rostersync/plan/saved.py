"""Saved plans: `plan --out FILE` writes one, `apply FILE` applies it if still fresh.

A saved plan holds what apply will send, secrets included (an sso_key to set), so
it is written with mode 0600 and says so in its first field. Before applying, the
operators it touches are read again: if any changed since the plan was made, or an
operator it creates now exists, the plan is stale and nothing is written.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rostersync.plan.changes import Change, Create, Delete, FieldChange, Plan, Update
from rostersync.plan.engine import LiveAccount, fingerprint
from rostersync.plan.errors import PlanError, StalePlanError
from rostersync.roster.model import Scope

SAVED_PLAN_KIND = "rostersync-saved-plan"
SAVED_PLAN_VERSION = 1
SECRET_NOTICE = ("This file holds secrets (sso_key values to set). Keep it private; "  # noqa: S105 (a notice, no secret)
                 "apply it with `rostersync apply FILE`.")


@dataclass(frozen=True)
class SavedPlan:
    plan: Plan
    base_url: str
    scope: Scope
    ignore: tuple[str, ...]
    roster_size: int


def _change_to_dict(change: Change) -> dict[str, Any]:
    if isinstance(change, Create):
        return {"action": "create", "email": change.email, "fields": change.fields, "source": change.source}
    if isinstance(change, Update):
        return {"action": "update", "email": change.email, "id": change.id, "payload": change.payload,
                "fingerprint": change.fingerprint, "source": change.source,
                "changes": [{"field": c.field, "before": c.before, "after": c.after} for c in change.changes]}
    return {"action": "delete", "email": change.email, "id": change.id, "fingerprint": change.fingerprint}


def _change_from_dict(data: dict[str, Any]) -> Change:
    if data["action"] == "create":
        return Create(data["email"], data["fields"], data.get("source", ""))
    if data["action"] == "update":
        changes = tuple(FieldChange(c["field"], c["before"], c["after"]) for c in data["changes"])
        return Update(data["email"], data["id"], changes, data["payload"], data["fingerprint"], data.get("source", ""))
    if data["action"] == "delete":
        return Delete(data["email"], data["id"], data["fingerprint"])
    raise ValueError(f"unknown action {data['action']!r}")


def write_saved_plan(path: Path, saved: SavedPlan) -> None:
    document = {
        "notice": SECRET_NOTICE,
        "kind": SAVED_PLAN_KIND,
        "format_version": SAVED_PLAN_VERSION,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "base_url": saved.base_url,
        "scope": saved.scope.as_api_filters(),
        "ignore": list(saved.ignore),
        "roster_size": saved.roster_size,
        "unchanged": saved.plan.unchanged,
        "live_in_scope": saved.plan.live_in_scope,
        "warnings": list(saved.plan.warnings),
        "changes": [_change_to_dict(c) for c in saved.plan.changes],
    }
    # Created 0600 from the start: never readable by others, even for an instant.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")
    os.chmod(path, 0o600)


def is_saved_plan(path: Path) -> bool:
    """Whether `path` is a saved plan rather than a roster (which is YAML)."""
    if not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return head.lstrip().startswith(b"{") and SAVED_PLAN_KIND.encode() in head


def read_saved_plan(path: Path) -> SavedPlan:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("kind") != SAVED_PLAN_KIND:
            raise ValueError("not a saved plan")
        if data.get("format_version") != SAVED_PLAN_VERSION:
            raise PlanError(f"{path}: saved plan format {data.get('format_version')} is not supported by this "
                            f"rostersync (it reads format {SAVED_PLAN_VERSION}); make the plan again")
        plan = Plan(tuple(_change_from_dict(c) for c in data["changes"]), data["unchanged"],
                    data["live_in_scope"], tuple(data.get("warnings", ())))
        return SavedPlan(plan, data["base_url"], Scope(**data["scope"]), tuple(data["ignore"]), data["roster_size"])
    except PlanError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PlanError(f"{path}: not a readable saved plan ({exc}); "
                        "make it again with `rostersync plan --out`") from None


def check_fresh(saved: SavedPlan, live: LiveAccount, target: str) -> None:
    """Refuse a saved plan when the account moved on since it was made."""
    if target.rstrip("/") != saved.base_url.rstrip("/"):
        raise StalePlanError(f"This plan was made for {saved.base_url}, not {target}. Nothing was written.")
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
