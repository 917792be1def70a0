"""Errors of the plan engine.

    PlanError                 the plan cannot be made or used
     ├── UnsafePlanError      the plan deletes too much; --force overrides
     ├── StalePlanError       a saved plan no longer matches the account
     └── TamperedPlanError    a saved plan was changed after it was saved (or signed with another key)
"""

from __future__ import annotations


class PlanError(Exception):
    """The plan cannot be made or used; the message says why and what to do."""


class UnsafePlanError(PlanError):
    """The plan would delete more than the safety thresholds allow."""


class StalePlanError(PlanError):
    """The account changed since a saved plan was made."""


class TamperedPlanError(PlanError):
    """A saved plan's integrity tag does not match its content: it was edited, or signed with another key."""
