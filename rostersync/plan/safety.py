"""Safety checks that run before any write: a plan that deletes too much is refused."""

from __future__ import annotations

from typing import Literal

from rostersync.plan.changes import Plan
from rostersync.plan.errors import UnsafePlanError

DEFAULT_MAX_DELETE_RATIO = 0.25

#: Which rule a deletion breaks: it leaves none of the operators there were, or
#: deletes more than one and more than the allowed share of them.
Unsafe = Literal["empties", "too_many"]


def unsafe_deletion(deletes: int, existing: int, kept: int, max_delete_ratio: float = DEFAULT_MAX_DELETE_RATIO
                    ) -> Unsafe | None:
    """The delete guard's rule, for whatever deletes operators (a plan, `roster import-csv --prune`).

    `existing` operators there are, `deletes` of them to go, `kept` wanted afterwards.
    """
    if kept == 0 and existing > 0:
        return "empties"
    if deletes > 1 and existing and deletes / existing > max_delete_ratio:
        return "too_many"
    return None


def raise_if_unsafe(plan: Plan, roster_size: int, *, max_delete_ratio: float = DEFAULT_MAX_DELETE_RATIO,
                    force: bool = False) -> None:
    """Refuse a plan that empties the scope or deletes more than the allowed share.

    A roster with no operators while the scope has some is almost always a wrong
    file or a wrong scope; deleting more than one operator and more than
    `max_delete_ratio` of those in scope is refused too. `force` overrides both.
    A plan of part of a roster (`Plan.selection`) counts within its selection: its
    `roster_size` and `live_in_scope` are those of the operators it chooses.
    """
    if force:
        return
    deletes = plan.counts["delete"]
    live = plan.live_in_scope
    verdict = unsafe_deletion(deletes, live, roster_size, max_delete_ratio)
    selection = plan.selection
    where = "in scope" if selection.everything else f"chosen by {selection.describe()}"
    if verdict == "empties":
        nobody = ("The roster has no operators" if selection.everything
                  else f"No operator of the roster is chosen by {selection.describe()}")
        raise UnsafePlanError(
            f"{nobody}, so this plan would delete all {live} operators {where}. "
            "Refusing; if that is really intended, run again with --force."
        )
    if verdict == "too_many":
        raise UnsafePlanError(
            f"This plan deletes {deletes} of the {live} operators {where} ({deletes / live:.0%}), more than "
            f"--max-delete-ratio {max_delete_ratio:g} allows. Check the roster and its scope; "
            "if the deletions are intended, run again with --force."
        )
