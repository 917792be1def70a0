"""rostersync: infrastructure-as-code for the operators of an iAdvize account.

The Python API, for automation (an HR system, a bot)::

    from rostersync import IAdvizeClient, load_roster, read_live, build_plan, apply_plan

    roster = load_roster("team.yaml")                      # RosterError lists every problem
    with IAdvizeClient("https://sd.iadvize.com/api/2", api_key) as client:
        plan = build_plan(roster, read_live(client, roster.scope, roster.ignore))
        for change in plan.changes:                        # Create, Update or Delete
            print(change.action, change.email)
        raise_if_unsafe(plan, len(roster.operators))       # the delete guard
        report = apply_plan(client, plan)                  # never raises for one failed change
        assert report.ok, report.summary_line()

Everything listed in ``__all__`` is the public API; the modules behind it may move.
"""

from rostersync._version import __version__
from rostersync.api import ApiError, IAdvizeClient, OperatorRecord
from rostersync.plan.apply import ApplyReport, Outcome, apply_plan
from rostersync.plan.changes import Create, Delete, FieldChange, Plan, Update
from rostersync.plan.engine import LiveAccount, build_plan, read_live
from rostersync.plan.errors import PlanError, StalePlanError, UnsafePlanError
from rostersync.plan.safety import raise_if_unsafe
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
    "StalePlanError",
    "UnsafePlanError",
    "Update",
    "WantedOperator",
    "__version__",
    "apply_plan",
    "build_plan",
    "load_roster",
    "load_texts",
    "raise_if_unsafe",
    "read_live",
    "start_sandbox",
]
