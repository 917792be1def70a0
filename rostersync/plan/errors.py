"""Errors of the plan engine.

    PlanError                 the plan cannot be made or used
     ├── UnsafePlanError      the plan deletes too much; --force overrides
     └── StalePlanError       a saved plan no longer matches the account
"""

from __future__ import annotations


class PlanError(Exception):
    """The plan cannot be made or used; the message says why and what to do."""


class UnsafePlanError(PlanError):
    """The plan would delete more than the safety thresholds allow."""


class StalePlanError(PlanError):
    """The account changed since a saved plan was made."""
