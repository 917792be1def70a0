"""Safety checks that run before any write: a plan that deletes too much is refused."""

from __future__ import annotations

from rostersync.plan.changes import Plan
from rostersync.plan.errors import UnsafePlanError

DEFAULT_MAX_DELETE_RATIO = 0.25


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
    selection = plan.selection
    where = "in scope" if selection.everything else f"chosen by {selection.describe()}"
    if roster_size == 0 and live > 0:
        nobody = ("The roster has no operators" if selection.everything
                  else f"No operator of the roster is chosen by {selection.describe()}")
        raise UnsafePlanError(
            f"{nobody}, so this plan would delete all {live} operators {where}. "
            "Refusing; if that is really intended, run again with --force."
        )
    if deletes > 1 and live and deletes / live > max_delete_ratio:
        raise UnsafePlanError(
            f"This plan deletes {deletes} of the {live} operators {where} ({deletes / live:.0%}), more than "
            f"--max-delete-ratio {max_delete_ratio:g} allows. Check the roster and its scope; "
            "if the deletions are intended, run again with --force."
        )
