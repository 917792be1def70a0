"""rostersync: infrastructure-as-code for the operators of an iAdvize account.

The Python API, for automation (an HR system, a bot)::

    from rostersync import IAdvizeClient, apply_plan, load_roster, plan_roster, raise_if_unsafe

    roster = load_roster("team.yaml")                      # RosterError lists every problem
    with IAdvizeClient("https://sd.iadvize.com/api/2", api_key) as client:
        plan = plan_roster(client, roster)                 # reads the account in the roster's scope
        for change in plan.changes:                        # Create, Update or Delete
            print(change.action, change.email)
        raise_if_unsafe(plan, len(roster.operators))       # the delete guard
        report = apply_plan(client, plan)                  # never raises for one failed change
        assert report.ok, report.summary_line()

A plan saved for review is applied later only while fresh: `save_plan`, then
`load_fresh_plan` (`StalePlanError` if the account changed since). `read_live` and
`build_plan` are the two halves of `plan_roster`, for callers that need them apart.

Everything listed in ``__all__`` is the public API; the modules behind it may move.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rostersync._lazy_exports import lazy_exports
from rostersync._version import __version__

# Each public name and the module it is defined in. A name is imported on first use
# (PEP 562), so that `import rostersync`, which every `rostersync` command and every
# `import rostersync.<module>` runs first, costs no more than this module: the API
# client, the engine or the sandbox load only when asked for. The imports below give
# type checkers the same names; tests/public/test_public_python_api.py checks that
# the two lists agree.
_EXPORTS: dict[str, str] = {
    "ApiError": "rostersync.api.errors",
    "IAdvizeClient": "rostersync.api.client",
    "OperatorRecord": "rostersync.api.records",
    "apply_plan": "rostersync.plan.apply",
    "Create": "rostersync.plan.changes",
    "Delete": "rostersync.plan.changes",
    "FieldChange": "rostersync.plan.changes",
    "Plan": "rostersync.plan.changes",
    "Update": "rostersync.plan.changes",
    "LiveAccount": "rostersync.plan.engine",
    "build_plan": "rostersync.plan.engine",
    "read_live": "rostersync.plan.engine",
    "PlanError": "rostersync.plan.errors",
    "StalePlanError": "rostersync.plan.errors",
    "UnsafePlanError": "rostersync.plan.errors",
    "ApplyReport": "rostersync.plan.outcomes",
    "Outcome": "rostersync.plan.outcomes",
    "raise_if_unsafe": "rostersync.plan.safety",
    "SavedPlan": "rostersync.plan.saved",
    "load_fresh_plan": "rostersync.plan.workflow",
    "plan_roster": "rostersync.plan.workflow",
    "save_plan": "rostersync.plan.workflow",
    "Roster": "rostersync.roster.loader",
    "WantedOperator": "rostersync.roster.loader",
    "load_roster": "rostersync.roster.loader",
    "load_texts": "rostersync.roster.loader",
    "Problem": "rostersync.roster.problems",
    "RosterError": "rostersync.roster.problems",
    "Sandbox": "rostersync.sandbox.runner",
    "start_sandbox": "rostersync.sandbox.runner",
}

if TYPE_CHECKING:
    from rostersync.api.client import IAdvizeClient
    from rostersync.api.errors import ApiError
    from rostersync.api.records import OperatorRecord
    from rostersync.plan.apply import apply_plan
    from rostersync.plan.changes import Create, Delete, FieldChange, Plan, Update
    from rostersync.plan.engine import LiveAccount, build_plan, read_live
    from rostersync.plan.errors import PlanError, StalePlanError, UnsafePlanError
    from rostersync.plan.outcomes import ApplyReport, Outcome
    from rostersync.plan.safety import raise_if_unsafe
    from rostersync.plan.saved import SavedPlan
    from rostersync.plan.workflow import load_fresh_plan, plan_roster, save_plan
    from rostersync.roster.loader import Roster, WantedOperator, load_roster, load_texts
    from rostersync.roster.problems import Problem, RosterError
    from rostersync.sandbox.runner import Sandbox, start_sandbox

__all__ = [
    "ApiError",
    "ApplyReport",
    "Create",
    "Delete",
    "FieldChange",
    "IAdvizeClient",
    "LiveAccount",
    "OperatorRecord",
    "Outcome",
    "Plan",
    "PlanError",
    "Problem",
    "Roster",
    "RosterError",
    "Sandbox",
    "SavedPlan",
    "StalePlanError",
    "UnsafePlanError",
    "Update",
    "WantedOperator",
    "__version__",
    "apply_plan",
    "build_plan",
    "load_fresh_plan",
    "load_roster",
    "load_texts",
    "plan_roster",
    "raise_if_unsafe",
    "read_live",
    "save_plan",
    "start_sandbox",
]


_load, __dir__ = lazy_exports(globals(), _EXPORTS)

if not TYPE_CHECKING:  # hidden from type checkers, which then flag a name that is not public
    __getattr__ = _load
