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

from rostersync._version import __version__
from rostersync.api import ApiError, IAdvizeClient, OperatorRecord
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
from rostersync.sandbox import Sandbox, start_sandbox

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
