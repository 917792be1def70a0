"""The workflow: plan a roster against the account; save a plan, and load it back only while fresh.

These are the steps the CLI, the tests, the benchmarks and automation share::

    roster = load_roster("roster/")
    plan = plan_roster(client, roster)               # read the account in scope, diff
    raise_if_unsafe(plan, len(roster.operators))     # the delete guard
    apply_plan(client, plan)

    save_plan("plan.json", plan, roster, target)     # `plan --out`: reviewed, applied later
    saved = load_fresh_plan(client, "plan.json", target)   # StalePlanError if the account moved
    apply_plan(client, saved.plan)

`target` is what a saved plan is tied to: the account's base URL (the CLI says
"sandbox" for its built-in sandbox, whose port changes from run to run). A plan
loaded for another target is refused. Nothing here prints or asks: prompts,
progress and rendering are the caller's.
"""

from __future__ import annotations

from pathlib import Path

from rostersync.plan.changes import Plan
from rostersync.plan.engine import build_plan, read_live
from rostersync.plan.protocols import OperatorLister
from rostersync.plan.saved import SavedPlan, check_fresh, read_saved_plan, write_saved_plan
from rostersync.roster.loader import Roster


def plan_roster(client: OperatorLister, roster: Roster) -> Plan:
    """The changes that make the account match `roster`.

    The live operators are read in one listing of the roster's scope; those its
    `ignore` globs match are left out of the plan, as if they did not exist.
    """
    return build_plan(roster, read_live(client, roster.scope, roster.ignore))


def save_plan(path: str | Path, plan: Plan, roster: Roster, target: str) -> SavedPlan:
    """Write `plan` (made from `roster`) to `path`, mode 0600: it may hold secrets."""
    saved = SavedPlan(plan, target, roster.scope, roster.ignore, len(roster.operators))
    write_saved_plan(Path(path), saved)
    return saved


def load_fresh_plan(client: OperatorLister, path: str | Path, target: str) -> SavedPlan:
    """The saved plan at `path`, once proved fresh against the account as it is now.

    The operators in the plan's scope are read again. `StalePlanError` if the plan
    was made for another target, if an operator it updates or deletes changed or
    went, or if one it creates now exists; `PlanError` if the file is no saved plan.
    """
    saved = read_saved_plan(Path(path))
    check_fresh(saved, read_live(client, saved.scope, saved.ignore), target)
    return saved
