"""Add, update and remove operators in a roster (a file or a directory), all or nothing.

Each function reads the roster, works out the new text of the files it touches,
reads that text back and validates the whole roster with `load_texts`, and only
then returns an `EditResult`; nothing is written until the caller calls
`EditResult.write`. A roster that would not validate raises `RosterError` with
every problem: a problem outside the edited entries at its line on disk, one in
an entry an HR export asked for at that export's row and column (`Origin`), and
otherwise at the line the entry would have had. A roster that was invalid before
the edit is reported as it is on disk.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rostersync.edit.errors import EditError, NeedsTargetFile, SharedAnchors, UnsafeRemoval
from rostersync.edit.paths import EDITABLE, EMAIL, EditablePath, same_value, strings_of, text_problem, typed
from rostersync.edit.results import EditResult, FieldUpdate, OperatorChange, OperatorWish
from rostersync.edit.yaml_edit import Entry, Rewritten, RosterText, appended_tag, replaced_tag
from rostersync.plan.safety import DEFAULT_MAX_DELETE_RATIO, unsafe_deletion
from rostersync.roster.files import read_text_file, roster_files, universal_newlines
from rostersync.roster.loader import load_texts
from rostersync.roster.problems import Problem, RosterError
from rostersync.roster.yaml_source import YamlLoadError

# The entry's own part of a problem's path: "operators[9]" of "operators[9].chat.max".
_ENTRY_PATH = re.compile(r"^operators\[\d+\]\.?")


# --- the operations -------------------------------------------------------------


def add_operator(roster: str | Path, email: str, values: Sequence[tuple[EditablePath, Any]] = (),
                 file: str | None = None) -> EditResult:
    """Add the operator `email` with `values`, or set `values` on it if it is there."""
    return add_operators(roster, [OperatorWish(email, tuple(values))], file)


def add_operators(roster: str | Path, wishes: Sequence[OperatorWish], file: str | None = None) -> EditResult:
    """Add or update each operator of `wishes`. A new operator goes to `file` (a file
    name of a directory roster); an existing one is edited in the file holding it."""
    return _edit(Path(roster), wishes, file, None)


def sync_operators(roster: str | Path, wishes: Sequence[OperatorWish], file: str | None = None, *,
                   max_delete_ratio: float = DEFAULT_MAX_DELETE_RATIO, force: bool = False) -> EditResult:
    """`add_operators`, and remove from the target file (`file`, or the roster's one
    file) every operator that `wishes` do not name: a full sync from HR.

    The removals pass plan's delete guard (`unsafe_deletion`) or raise `UnsafeRemoval`,
    unless `force`: none may leave the file empty, nor remove more than one operator
    and more than `max_delete_ratio` of those it holds.
    """
    return _edit(Path(roster), wishes, file, _Prune(max_delete_ratio, force))


def remove_operator(roster: str | Path, email: str) -> EditResult:
    """Remove the operator `email`: its entry and the comments inside it."""
    texts = _open_roster(Path(roster))
    found = _find(texts, email)
    if found is None:
        # Nothing to write, but a roster the loader refuses is not one to say "absent"
        # of: its entries may be there, read differently (a control character in an
        # email reads as U+FFFD here).
        load_texts((name, universal_newlines(text.text)) for name, text in texts.items())
        return EditResult((OperatorChange(email, "absent", None),))
    text, entry = found
    refused = text.shared_anchors(entry, removing=True)
    if refused:
        raise SharedAnchors(refused)
    rewritten = {text.name: text.rewrite({}, {entry.index}, [])}
    _validate(texts, rewritten, {})
    return EditResult((OperatorChange(entry.email or email, "removed", text.name),),
                      {text.name: rewritten[text.name].text}, {text.name: text.text})


@dataclass(frozen=True)
class _Prune:
    max_delete_ratio: float
    force: bool


def _edit(roster: Path, wishes: Sequence[OperatorWish], file: str | None, prune: _Prune | None) -> EditResult:
    _check_wishes(wishes)
    texts = _open_roster(roster)
    edit = _Edit(texts)
    changes = [_apply_wish(edit, wish, roster, file) for wish in wishes]
    if prune is not None:
        changes += _prune(edit, wishes, _prune_target(texts, roster, file), prune)
    if edit.refused:
        raise SharedAnchors(edit.refused)
    rewritten = edit.rewritten()
    _validate(texts, rewritten, edit.owners)
    new_texts = {name: r.text for name, r in rewritten.items()}
    asked = zip(wishes, changes[:len(wishes)], strict=True)  # the removals of a sync follow
    _check_read_back(texts, new_texts, [w for w, c in asked if c.action in ("added", "updated")])
    return EditResult(tuple(changes), new_texts, {name: texts[name].text for name in new_texts})


# --- reading the roster --------------------------------------------------------------


def _open_roster(path: Path) -> dict[str, RosterText]:
    """Each file of the roster, by the name the loader gives it in messages."""
    # The text as written, "\r\n" included: edits keep line endings.
    raw = {str(file): read_text_file(file) for file in roster_files(path)}
    try:
        return {name: RosterText(name, text) for name, text in raw.items()}
    except (YamlLoadError, EditError) as exc:
        # The loader says more (every problem of every file, an empty file as such);
        # what is left is a valid roster that cannot be edited, such as a flow list.
        load_texts((name, universal_newlines(text)) for name, text in raw.items())
        if isinstance(exc, EditError):
            raise
        raise RosterError([Problem(p.mark.file, p.mark.line, p.mark.column, "", p.message)
                           for p in exc.problems]) from None


def _find(texts: dict[str, RosterText], email: str) -> tuple[RosterText, Entry] | None:
    for text in texts.values():
        entry = text.find(email)
        if entry is not None:
            return text, entry
    return None


# --- adding ----------------------------------------------------------------------


class _Edit:
    """The entries to replace, remove and append, per file, gathered before any text is made."""

    def __init__(self, texts: dict[str, RosterText]) -> None:
        self.texts = texts
        self.replaced: dict[str, dict[int, list[str]]] = {}
        self.appended: dict[str, list[list[str]]] = {}
        self.removed: dict[str, set[int]] = {}
        self.owners: dict[tuple[str, str], OperatorWish] = {}  # (file, line tag) -> the wish that wrote it
        self.refused: list[Problem] = []  # entries that cannot be edited on their own

    def replace(self, text: RosterText, entry: Entry, lines: list[str], wish: OperatorWish) -> None:
        self.replaced.setdefault(text.name, {})[entry.index] = lines
        self.owners[(text.name, replaced_tag(entry.index))] = wish

    def append(self, text: RosterText, lines: list[str], wish: OperatorWish) -> None:
        appended = self.appended.setdefault(text.name, [])
        self.owners[(text.name, appended_tag(len(appended)))] = wish
        appended.append(lines)

    def remove(self, text: RosterText, entry: Entry) -> None:
        self.removed.setdefault(text.name, set()).add(entry.index)

    def rewritten(self) -> dict[str, Rewritten]:
        names = [name for name in self.texts if name in self.replaced or name in self.appended or name in self.removed]
        return {name: self.texts[name].rewrite(self.replaced.get(name, {}), self.removed.get(name, set()),
                                               self.appended.get(name, []))
                for name in names}


def _check_wishes(wishes: Sequence[OperatorWish]) -> None:
    seen: dict[str, OperatorWish] = {}
    for wish in wishes:
        if any(editable is EMAIL for editable, _ in wish.values):
            raise EditError(f"{wish.email}: the email names the operator and cannot be set as a field")
        for editable, value in [(EMAIL, wish.email), *wish.values]:
            refused = next(filter(None, (text_problem(editable, text) for text in strings_of(value))), None)
            if refused is not None:
                where = f"{wish.origin}: " if wish.origin else ""
                raise EditError(f"{where}{editable.label} {refused}; nothing was written")
        first = seen.setdefault(wish.email.lower(), wish)
        if first is not wish:
            raise EditError(f"{wish.email} is asked for twice ({first.origin or 'first'} and {wish.origin or 'again'})")


def _apply_wish(edit: _Edit, wish: OperatorWish, roster: Path, file: str | None) -> OperatorChange:
    # In the order fields are written in an entry, for the messages as for the text.
    wish = replace(wish, values=tuple(sorted(wish.values, key=lambda item: EDITABLE.index(item[0]))))
    origin = str(wish.origin) if wish.origin else None
    found = _find(edit.texts, wish.email)
    if found is None:
        text = _target(edit.texts, roster, file, wish)
        edit.append(text, text.new_entry(_written([(EMAIL, wish.email), *wish.values])), wish)
        updates = tuple(FieldUpdate(e.label, None, v, e.sensitive) for e, v in wish.values)
        return OperatorChange(wish.email, "added", text.name, updates, origin)
    text, entry = found
    email = entry.email or wish.email
    updates = _updates(entry, wish.values)
    if not updates:
        return OperatorChange(email, "unchanged", text.name, (), origin)
    # Only the fields that differ are written, so that `[en, fr]` is not rewritten as
    # `[fr, en]` just because the request listed them in that order.
    changed = [(e, v) for e, v in wish.values if e.label in {u.label for u in updates}]
    refused = text.shared_anchors(entry)
    if refused:
        edit.refused += refused
    else:
        edit.replace(text, entry, text.edited_entry(entry, _written(changed)), wish)
    return OperatorChange(email, "updated", text.name, updates, origin)


def _prune_target(texts: dict[str, RosterText], roster: Path, file: str | None) -> RosterText:
    if roster.is_dir() and file is None:
        raise EditError(f"{roster} is a directory: name the file to remove absent operators from "
                        f"(one of: {', '.join(Path(name).name for name in texts)})")
    return _target(texts, roster, file, None)


def _prune(edit: _Edit, wishes: Sequence[OperatorWish], target: RosterText, prune: _Prune) -> list[OperatorChange]:
    """Remove from `target` the operators `wishes` do not name, under the delete guard."""
    named = {wish.email.lower() for wish in wishes}
    gone = [entry for entry in target.entries if entry.email is not None and entry.email.lower() not in named]
    existing, kept = len(target.entries), len(target.entries) - len(gone) + len(edit.appended.get(target.name, []))
    verdict = unsafe_deletion(len(gone), existing, kept, prune.max_delete_ratio)
    if verdict is not None and not prune.force:
        raise UnsafeRemoval(verdict, len(gone), existing, target.name, prune.max_delete_ratio)
    for entry in gone:
        edit.refused += target.shared_anchors(entry, removing=True)
        edit.remove(target, entry)
    return [OperatorChange(str(entry.email), "removed", target.name) for entry in gone]


def _updates(entry: Entry, values: Sequence[tuple[EditablePath, Any]]) -> tuple[FieldUpdate, ...]:
    updates = []
    for editable, value in values:
        before = _get(entry.data, editable.path)
        if before is None or not same_value(editable, before, value):
            updates.append(FieldUpdate(editable.label, before, value, editable.sensitive))
    return tuple(updates)


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _written(values: Sequence[tuple[EditablePath, Any]]) -> list[tuple[EditablePath, Any]]:
    # One profile is written `profile: sales-fr`, as people write it.
    return [(e, v[0] if e.kind == "profile" and isinstance(v, list) and len(v) == 1 else v) for e, v in values]


def _target(texts: dict[str, RosterText], roster: Path, file: str | None, wish: OperatorWish | None) -> RosterText:
    """The file that gets a new operator (`wish`; None for the file that --prune empties)."""
    if not roster.is_dir():
        only = next(iter(texts.values()))
        if file is not None and file not in (only.name, roster.name):
            raise EditError(f"{roster} is a single file: a file to put new operators in can only be "
                            f"chosen in a directory roster, got '{file}'")
        return only
    names = {Path(name).name: text for name, text in texts.items()}
    if file is None and wish is not None:
        raise NeedsTargetFile(wish.email, str(roster), list(names), str(wish.origin) if wish.origin else None)
    for key in (Path(str(file)).name, Path(str(file)).name + ".yaml", Path(str(file)).name + ".yml"):
        if key in names:
            return names[key]
    raise EditError(f"{roster} has no file '{file}': choose one of {', '.join(names)}")


# --- checking the result -------------------------------------------------------------


def _check_read_back(texts: dict[str, RosterText], new_texts: dict[str, str], wishes: Sequence[OperatorWish]
                     ) -> None:
    """Every value set reads back as the value asked for, and every other field of the
    entry as it was. The first guards against a value that ruamel.yaml writes in a way
    the roster's loader reads differently; the second against a node the entry shares
    with itself (``call: &c {...}`` and ``video: *c``), which an edit of one changes in both."""
    reread = {name: RosterText(name, text) for name, text in new_texts.items()}
    for wish in wishes:
        entry = next((e for t in reread.values() if (e := t.find(wish.email)) is not None), None)
        for editable, value in wish.values:
            got = _get(entry.data if entry else None, editable.path)
            if got is None or not same_value(editable, got, value):
                raise EditError(f"{wish.email}: {editable.label} would be written as {got!r} "
                                f"instead of {value!r}; nothing was written (this is a bug in rostersync)")
        found = _find(texts, wish.email)
        if found is None or entry is None:
            continue  # a new operator: nothing else to keep
        before, after = _leaves(found[1].data), _leaves(entry.data)
        asked = {editable.path for editable, _ in wish.values}
        for path in sorted({*before, *after} - asked):
            if typed(before.get(path)) != typed(after.get(path)):
                labels = ", ".join(editable.label for editable, _ in wish.values)
                raise EditError(f"{wish.email}: setting {labels} would also change {'.'.join(path)}, which shares "
                                "a YAML anchor with it in the entry; nothing was written. Edit the entry by hand, "
                                "or write the two fields out separately")


def _leaves(data: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Each value of an entry that is no mapping, by its path: ``("chat", "max"): 4``."""
    if not isinstance(data, dict):
        return {path: data}
    leaves: dict[tuple[str, ...], Any] = {}
    for key, value in data.items():
        leaves.update(_leaves(value, (*path, str(key))))
    return leaves


def _validate(texts: dict[str, RosterText], rewritten: dict[str, Rewritten],
              owners: dict[tuple[str, str], OperatorWish]) -> None:
    """The whole roster, as it would be on disk, against the format and its rules."""
    try:
        load_texts((name, universal_newlines(rewritten[name].text if name in rewritten else text.text))
                   for name, text in texts.items())
    except RosterError as after:
        # A roster broken before the edit: its own problems, where they are on disk.
        load_texts((name, universal_newlines(text.text)) for name, text in texts.items())
        raise RosterError(_pinned(p, rewritten, owners) for p in after.problems) from None


def _pinned(problem: Problem, rewritten: dict[str, Rewritten], owners: dict[tuple[str, str], OperatorWish]
            ) -> Problem:
    """Where to report a problem found in the edited text (see the module's docstring)."""
    origins = rewritten[problem.file].origins if problem.file in rewritten else ()
    if not 1 <= problem.line <= len(origins):
        return problem
    origin = origins[problem.line - 1]
    if isinstance(origin, int):
        return replace(problem, line=origin + 1)
    wish = owners.get((problem.file, origin))
    if wish is None or wish.origin is None:
        return problem
    return wish.origin.pin(problem, _ENTRY_PATH.sub("", problem.path, count=1))
