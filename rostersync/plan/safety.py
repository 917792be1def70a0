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
    """
    if force:
        return
    deletes = plan.counts["delete"]
    live = plan.live_in_scope
    if roster_size == 0 and live > 0:
        raise UnsafePlanError(
            f"The roster has no operators, so this plan would delete all {live} operators in scope. "
            "Refusing; if that is really intended, run again with --force."
        )
    if deletes > 1 and live and deletes / live > max_delete_ratio:
        raise UnsafePlanError(
            f"This plan deletes {deletes} of the {live} operators in scope ({deletes / live:.0%}), more than "
            f"--max-delete-ratio {max_delete_ratio:g} allows. Check the roster and its scope; "
            "if the deletions are intended, run again with --force."
        )
