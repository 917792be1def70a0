"""`apply --format json`: one JSON document, the plan and what became of each change.

    {
      "format_version": 1,
      "result": "applied",
      "message": null,
      "plan": {... the plan as `rostersync.render.json_plan` writes it, digest included ...},
      "outcomes": [
        {"action": "create", "email": "a@x.fr", "id": 1011, "status": "done", "detail": "created #1011"},
        {"action": "update", "email": "b@x.fr", "id": 12, "status": "failed", "detail": "..."}
      ],
      "summary": {"created": 1, "updated": 0, "deleted": 0, "failed": 1, "not_started": 0},
      "interrupted": false
    }

`result` is one of ``applied`` (every change done), ``failed`` (some failed),
``interrupted`` (Ctrl-C or SIGTERM: some never started), ``no changes`` (nothing to
do), ``refused`` (nothing written: another digest than expected, the delete guard,
a stale or edited saved plan, no confirmation) or ``error`` (nothing written: the
roster, the API or the plan failed); `message` says why, and `plan` is null when
there was none yet. An outcome's `status` is ``done``, ``failed`` or
``not started``; its `id` is the operator's (for a create, the one it made, or null).
Text is escaped as in the plan (`json_safe`). New keys may be added in a format
version; none is removed or changes meaning without a new version.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from rostersync.plan.changes import Plan
from rostersync.plan.outcomes import ApplyReport, Outcome
from rostersync.render.escape import json_safe
from rostersync.render.json_plan import JSON_FORMAT_VERSION, plan_to_json

Result = Literal["applied", "failed", "interrupted", "no changes", "refused", "error"]


def outcome_to_json(outcome: Outcome) -> dict[str, Any]:
    change = outcome.change
    return {"action": change.action, "email": change.email, "id": outcome.id, "status": outcome.status,
            "detail": outcome.detail}


def result_of(report: ApplyReport) -> Result:
    if report.interrupted:
        return "interrupted"
    return "applied" if report.ok else "failed"


def apply_to_json(plan: Plan | None, report: ApplyReport | None, message: str | None = None,
                  result: Result | None = None) -> dict[str, Any]:
    """The document for `plan` and its `report`. Without a report nothing was applied:
    `result` says whether it was refused or failed, `message` why (default: no changes)."""
    outcomes = report.outcomes if report is not None else ()
    done = [o for o in outcomes if o.status == "done"]
    if result is None:
        result = result_of(report) if report is not None else "no changes"
    return {
        "format_version": JSON_FORMAT_VERSION,
        "result": result,
        "message": message,
        "plan": plan_to_json(plan) if plan is not None else None,
        "outcomes": [outcome_to_json(o) for o in outcomes],
        "summary": {
            "created": sum(o.change.action == "create" for o in done),
            "updated": sum(o.change.action == "update" for o in done),
            "deleted": sum(o.change.action == "delete" for o in done),
            "failed": sum(o.status == "failed" for o in outcomes),
            "not_started": sum(o.status == "not started" for o in outcomes),
        },
        "interrupted": bool(report is not None and report.interrupted),
    }


def render_apply_json(plan: Plan | None, report: ApplyReport | None, message: str | None = None,
                      result: Result | None = None) -> str:
    return json_safe(json.dumps(apply_to_json(plan, report, message, result), indent=2, ensure_ascii=False)) + "\n"
