"""The workflow: plan a roster against the account; save a plan, and load it back only while fresh.

These are the steps the CLI, the tests, the benchmarks and automation share::

    roster = load_roster("roster/")
    plan = plan_roster(client, roster, api_key=key)  # read the account in scope, diff
    raise_if_unsafe(plan, plan.roster_size)          # the delete guard
    apply_plan(client, plan)

    plan = plan_roster(client, roster, only=["*@fr.example"], files=["roster/fr.yaml"])  # part of it
    check_digest(plan, reviewed_digest)              # `apply --expect-digest`: the plan that was reviewed?

    save_plan("plan.json", plan, roster, target, api_key=key)   # `plan --out`: reviewed, applied later
    saved = load_fresh_plan(client, "plan.json", target, api_key=key)
    apply_plan(client, saved.plan)

`client` is any backend (`rostersync.plan.protocols.OperatorBackend`): the REST
client or the GraphQL backend; nothing here knows which. A roster that asks for what
the backend cannot express (its `capabilities`) is refused before anything is read.

`target` is what a saved plan is tied to: the backend and the account (the CLI
uses the REST base URL, "sandbox" for its built-in sandbox, whose port changes from
run to run, and `graphql:` before the GraphQL ones). A plan loaded for another
target is refused. `api_key` signs the saved plan (through a
key derived from it; it is never written) and checks it when loaded. Nothing here
prints or asks: prompts, progress and rendering are the caller's.
`api_key` also keys the plan's digest (`rostersync.plan.digest`), so that a secret's
value counts in it without being guessable from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from rostersync.capabilities import Capabilities
from rostersync.plan.changes import Plan
from rostersync.plan.digest import check_digest
from rostersync.plan.engine import build_plan, read_live
from rostersync.plan.errors import StalePlanError, TamperedPlanError
from rostersync.plan.protocols import OperatorBackend, OperatorLister
from rostersync.plan.references import resolve_references
from rostersync.plan.safety import DEFAULT_MAX_DELETE_RATIO, raise_if_unsafe
from rostersync.plan.saved import SavedPlan, read_saved_plan, unverified_target, write_saved_plan
from rostersync.plan.saved_fresh import check_fresh, check_target
from rostersync.plan.selection import choose, live_in_selection, select_plan
from rostersync.roster.fields import BY_API
from rostersync.roster.loader import Roster
from rostersync.roster.problems import Problem, RosterError

__all__ = ["check_digest", "load_fresh_plan", "plan_roster", "save_plan"]

def plan_roster(client: OperatorBackend, roster: Roster, *, only: Iterable[str] = (),
                files: Iterable[str | Path] = (), api_key: str | None = None) -> Plan:
    """The changes that make the account match `roster`, or the part `only` and `files` choose.

    `RosterError`, before anything is read, if the roster sets a field or value the
    backend cannot express (`load_roster(..., capabilities=...)` says the same with
    each field's position). The live operators are read in one listing of the
    roster's scope; those its `ignore` globs match are left out of the plan, as if
    they did not exist. Skills, groups and websites the roster names (or gives the
    id of) are resolved and checked first, one listing per kind
    (`rostersync.plan.references`): `RosterError` for any that names nothing, or
    several things. `only` (email globs) and `files` (files of the roster) keep
    the plan to the operators they choose (`rostersync.plan.selection`;
    `SelectionError` for a file not of the roster). `api_key` keys the digest's
    hashing of secrets (`Plan.with_digest_key`).
    """
    refuse_inexpressible(roster, client.capabilities)
    roster, names = resolve_references(client, roster)
    selection = choose(roster, only, files)
    live = read_live(client, roster.scope, roster.ignore)
    plan = select_plan(build_plan(roster, live), roster, live, selection)
    plan = replace(plan, names=names.by_field) if names else plan
    return plan.with_digest_key(api_key) if api_key is not None else plan


def refuse_inexpressible(roster: Roster, capabilities: Capabilities) -> None:
    """`RosterError` naming, at each operator's entry, every field `capabilities` cannot carry."""
    problems = [
        Problem(op.mark.file, op.mark.line, op.mark.column, f"{op.path}.{_label(name)}", reason)
        for op in roster.operators
        for name, reason in capabilities.problems(op.fields)
    ]
    if problems:
        raise RosterError(problems)


def save_plan(path: str | Path, plan: Plan, roster: Roster, target: str, *, api_key: str) -> SavedPlan:
    """Write `plan` (made from `roster`) to `path`: atomically, mode 0600 (it may hold
    secrets), signed with a key derived from `api_key`. `PlanError` if it cannot be
    written, or if `path` is a symbolic link."""
    # The plan's scope, not the roster's: names in the roster's scope are resolved in the plan's.
    saved = SavedPlan(plan, target, plan.scope, roster.ignore, plan.roster_size)
    write_saved_plan(Path(path), saved, api_key=api_key)
    return saved


def load_fresh_plan(client: OperatorLister, path: str | Path, target: str, *, api_key: str,
                    max_delete_ratio: float = DEFAULT_MAX_DELETE_RATIO, force: bool = False) -> SavedPlan:
    """The saved plan at `path`, once proved intact, valid, fresh and safe; nothing is written.

    `PlanError` if the file is no saved plan or breaks the roster's rules or scope;
    `TamperedPlanError` if it was modified after it was saved (or signed with another
    key for this target); `StalePlanError` if it was made for another target (another
    backend: REST or GraphQL), or if an operator it
    updates or deletes changed or went, or one it creates now exists;
    `UnsafePlanError` if it deletes more than the delete guard allows (`force` lets
    it). The operators in the plan's scope are read again, once; the plan returned
    counts them as they are now (within its selection, if it was made with one), for
    the guard and for apply's adoption rule. Its digest is keyed by `api_key`.
    """
    try:
        saved = read_saved_plan(Path(path), api_key=api_key)
    except TamperedPlanError:
        # Signed with another key: most often, made for another backend or account.
        made_for = unverified_target(Path(path))
        if made_for is not None and made_for.rstrip("/") != target.rstrip("/"):
            raise StalePlanError(f"This plan was made for {made_for}, not {target} (it is signed for that one). "
                                 "Nothing was written.") from None
        raise
    check_target(saved, target)
    live = read_live(client, saved.scope, saved.ignore)
    check_fresh(saved, live, target)
    plan = replace(saved.plan, live_in_scope=live_in_selection(saved.plan, live),
                   listed_ids=saved.plan.listed_ids | live.listed_ids)
    raise_if_unsafe(plan, saved.roster_size, max_delete_ratio=max_delete_ratio, force=force)
    return replace(saved, plan=plan)


def _label(api_field: str) -> str:
    spec = BY_API.get(api_field)
    return spec.label if spec is not None else api_field
