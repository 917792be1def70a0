"""Planning part of a roster: `--only PATTERN` (email globs) and `--file FILE`.

The whole roster is loaded (so a file's operators get the defaults of their file and
profiles from any file) and the whole account in scope is read and planned; then the
plan keeps the changes of the chosen operators alone. Planning first and choosing
after is what keeps a choice from inventing changes: a roster operator chosen while
its live counterpart is not (an email changed, matched by external_id) is still an
update of that counterpart, never a create beside it.

Who is chosen:

- a roster operator (created, updated or unchanged) is chosen when it is defined in
  one of the `files` (if any are given) and its email, or its live counterpart's
  email, matches one of the `only` globs (if any are given);
- a live operator no roster operator matches (it would be deleted) is chosen when
  no file is given and its email matches one of the globs. A file defines its
  operators, not who was once in it: `--file` never deletes; plan the whole roster,
  or `--only` those to delete, for that.

Globs are `fnmatch` patterns compared without case, like the roster's `ignore`
(`rostersync.roster.loader.matches_ignore`). The plan's `unchanged`, `live_in_scope`
and `roster_size` count within the selection, so the delete guard does too.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from rostersync.plan.changes import Change, Create, Delete, Plan, PlanSelection, Update
from rostersync.plan.engine import LiveAccount, email_rings
from rostersync.plan.errors import SelectionError
from rostersync.roster.loader import Roster, WantedOperator, matches_ignore


def choose(roster: Roster, only: Iterable[str] = (), files: Iterable[str | Path] = ()) -> PlanSelection:
    """The selection `only` and `files` make of `roster`; `SelectionError` for a file not of the roster.

    Files are compared as paths (``./roster/a.yaml`` is ``roster/a.yaml``) and kept as
    the roster names them.
    """
    given_files = list(files)
    by_path = {_same_file(name): name for name in roster.files} if given_files else {}
    chosen: list[str] = []
    for given in given_files:
        name = by_path.get(_same_file(str(given)))
        if name is None:
            known = ", ".join(roster.files) or "none"
            raise SelectionError(f"--file {given}: not a file of the roster (its files: {known}). Give the file "
                                 "as a path to one of them.")
        if name not in chosen:
            chosen.append(name)
    globs = tuple(dict.fromkeys(p for p in only))
    return PlanSelection(globs, tuple(chosen))


def _same_file(name: str) -> str:
    return os.path.normcase(os.path.realpath(name))


def _by_glob(selection: PlanSelection, *emails: object) -> bool:
    if not selection.only:
        return True
    return any(isinstance(email, str) and matches_ignore(email, selection.only) is not None for email in emails)


def _in_files(selection: PlanSelection, wanted: WantedOperator | None) -> bool:
    if not selection.files:
        return True
    return wanted is not None and wanted.mark.file in selection.files


def select_plan(plan: Plan, roster: Roster, live: LiveAccount, selection: PlanSelection) -> Plan:
    """`plan` (of the whole `roster` against `live`) kept to the operators `selection` chooses."""
    if selection.everything:
        return plan
    wanted_by_key = {wanted.key: wanted for wanted in roster.operators}
    live_email = {record.id: record.fields.get("email") for record in live.operators}
    kept: list[Change] = []
    planned: set[str] = set()
    live_chosen = 0
    for change in plan.changes:
        if isinstance(change, Delete):
            chosen = not selection.files and _by_glob(selection, change.email)
            live_chosen += chosen
        else:
            planned.add(change.email.lower())
            wanted = wanted_by_key.get(change.email.lower())
            other = live_email.get(change.id) if isinstance(change, Update) else None
            chosen = _in_files(selection, wanted) and _by_glob(selection, change.email, other)
            live_chosen += chosen and isinstance(change, Update)
        if chosen:
            kept.append(change)
    # An unchanged operator's live email is its roster email (emails compare without case).
    unchanged = sum(1 for wanted in roster.operators if wanted.key not in planned
                    and _in_files(selection, wanted) and _by_glob(selection, wanted.email))
    # A ring of emails none of whose updates is chosen is no concern of this plan.
    chosen_ids = {change.id for change in kept if isinstance(change, Update)}
    elsewhere = {warning for members, warning in email_rings(plan.changes, live.operators)
                 if not members & chosen_ids}
    warnings = [*(w for w in plan.warnings if w not in elsewhere), *_unmatched(selection, roster.operators, live)]
    return replace(plan, changes=tuple(kept), unchanged=unchanged, live_in_scope=live_chosen + unchanged,
                   warnings=tuple(warnings), selection=selection)


def _unmatched(selection: PlanSelection, wanted: Sequence[WantedOperator], live: LiveAccount) -> list[str]:
    emails = [op.email for op in wanted] + [e for r in live.operators if isinstance(e := r.fields.get("email"), str)]
    return [f"--only {pattern!r} matches no operator of the roster or of the account" for pattern in selection.only
            if not any(matches_ignore(email, (pattern,)) for email in emails)]


def live_in_selection(plan: Plan, live: LiveAccount) -> int:
    """How many of `live` the plan's selection chooses, for a saved plan checked again later.

    Without files: those its globs match, and those it updates or deletes. With
    files the roster is not at hand to tell which live operators its files define:
    the count saved with the plan stands (such a plan deletes nothing).
    """
    selection = plan.selection
    if selection.everything:
        return len(live.operators)
    if selection.files:
        return plan.live_in_scope
    touched = {change.id for change in plan.changes if not isinstance(change, Create)}
    return sum(1 for record in live.operators
               if record.id in touched or _by_glob(selection, record.fields.get("email")))
