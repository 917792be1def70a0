"""Errors of the plan engine.

    PlanError                 the plan cannot be made or used
     ├── UnsafePlanError      the plan deletes too much; --force overrides
     ├── StalePlanError       a saved plan no longer matches the account
     ├── TamperedPlanError    a saved plan was changed after it was saved (or signed with another key)
     ├── DigestMismatchError  the plan computed now is not the reviewed one (`apply --expect-digest`)
     └── SelectionError       `--only`/`--file` cannot choose operators (a file not of the roster)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rostersync.plan.changes import Plan


class PlanError(Exception):
    """The plan cannot be made or used; the message says why and what to do."""


class UnsafePlanError(PlanError):
    """The plan would delete more than the safety thresholds allow."""


class StalePlanError(PlanError):
    """The account changed since a saved plan was made."""


class TamperedPlanError(PlanError):
    """A saved plan's integrity tag does not match its content: it was edited, or signed with another key."""


class DigestMismatchError(PlanError):
    """The plan computed now has another digest than the one expected: nothing was written.

    `plan` is the plan as it is now (to show), `expected` the digest that was reviewed.
    """

    def __init__(self, plan: Plan, expected: str) -> None:
        self.plan = plan
        self.expected = expected
        count = len(plan.changes)
        now = f"{count} change{'s' if count != 1 else ''}" if count else "no changes"
        super().__init__(
            f"Refusing to apply: the plan now has {now}, digest {plan.digest}, not the reviewed plan's "
            f"digest {expected}. The roster or the account changed since that plan was made. Nothing was "
            "written. Make a new plan and review it.")


class SelectionError(PlanError):
    """`--only` or `--file` cannot be used as given (a file that is not one of the roster's)."""
