"""The documented Python API: its names are pinned, and the example in its docstring works."""

from __future__ import annotations

import rostersync
from rostersync import IAdvizeClient, apply_plan, load_texts, plan_roster, raise_if_unsafe, start_sandbox


def test_the_public_names_are_pinned() -> None:
    assert sorted(rostersync.__all__) == [
        "ApiError", "ApplyReport", "Create", "Delete", "FieldChange", "IAdvizeClient", "LiveAccount",
        "OperatorRecord", "Outcome", "Plan", "PlanError", "Problem", "Roster", "RosterError", "Sandbox",
        "SavedPlan", "StalePlanError", "UnsafePlanError", "Update", "WantedOperator", "__version__", "apply_plan",
        "build_plan", "load_fresh_plan", "load_roster", "load_texts", "plan_roster", "raise_if_unsafe", "read_live",
        "save_plan", "start_sandbox",
    ]
    for name in rostersync.__all__:
        assert hasattr(rostersync, name), name


def test_load_plan_apply_from_python() -> None:
    roster = load_texts([("hr.yaml", "version: 1\noperators:\n  - email: ada@example.com\n    first_name: Ada\n")])
    with start_sandbox(api_key="automation-key") as sandbox:
        sandbox.store.add({"email": "old@example.com"})
        with IAdvizeClient(sandbox.url, "automation-key") as client:
            plan = plan_roster(client, roster)
            assert [(c.action, c.email) for c in plan.changes] == [("create", "ada@example.com"),
                                                                  ("delete", "old@example.com")]
            raise_if_unsafe(plan, len(roster.operators))
            report = apply_plan(client, plan)
            assert report.ok, report.summary_line()
            assert not plan_roster(client, roster).has_changes
