"""Add, update and remove operators in a roster (a file or a directory), all or nothing.

Each function reads the roster, works out the new text of the files it touches,
reads that text back and validates the whole roster with `load_texts`, and only
then returns an `EditResult`; nothing is written until the caller calls
`EditResult.write`. A roster that would not validate raises `RosterError` with
every problem, pinned to the edited text's lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from rostersync.edit.errors import EditError, NeedsTargetFile, SharedAnchors
from rostersync.edit.paths import EDITABLE, EMAIL, EditablePath, same_value
from rostersync.edit.yaml_edit import Entry, RosterText
from rostersync.roster.files import require_roster_files
from rostersync.roster.loader import load_texts, roster_files
from rostersync.roster.problems import Problem, RosterError
from rostersync.roster.yaml_source import YamlLoadError

EditOutcome = Literal["added", "updated", "unchanged", "removed", "absent"]


@dataclass(frozen=True)
class FieldUpdate:
    """One field an edit sets: its roster path, and its value before (None: unset) and after."""

    label: str
    before: Any
    after: Any
    sensitive: bool = False


@dataclass(frozen=True)
class OperatorChange:
    """What an edit does to one operator."""

    email: str
    action: EditOutcome
    file: str | None  # the file holding the operator; None when it is absent
    fields: tuple[FieldUpdate, ...] = ()  # for "added" and "updated"
    origin: str | None = None  # where the request came from, e.g. "people.csv:3"


@dataclass(frozen=True)
class EditResult:
    """The changes of an edit and the new text of every file it changes."""

    changes: tuple[OperatorChange, ...]
    texts: dict[str, str] = field(default_factory=dict)  # file name -> new text

    @property
    def changed(self) -> bool:
        return bool(self.texts)

    def count(self, action: EditOutcome) -> int:
        return sum(1 for change in self.changes if change.action == action)

    def write(self) -> None:
        # Bytes, not text mode: the text already holds each line's own ending.
        for name, text in self.texts.items():
            Path(name).write_bytes(text.encode("utf-8"))


@dataclass(frozen=True)
class OperatorWish:
    """An operator as an add asks for it: its email and the fields to set. Fields
    not named are left as they are (or unmanaged, for a new operator)."""

    email: str
    values: tuple[tuple[EditablePath, Any], ...] = ()
    origin: str | None = None  # e.g. "people.csv:3", for messages


# --- the operations -------------------------------------------------------------


def add_operator(roster: str | Path, email: str, values: Sequence[tuple[EditablePath, Any]] = (),
                 file: str | None = None) -> EditResult:
    """Add the operator `email` with `values`, or set `values` on it if it is there."""
    return add_operators(roster, [OperatorWish(email, tuple(values))], file)


def add_operators(roster: str | Path, wishes: Sequence[OperatorWish], file: str | None = None) -> EditResult:
    """Add or update each operator of `wishes`. A new operator goes to `file` (a file
    name of a directory roster); an existing one is edited in the file holding it."""
    _check_wishes(wishes)
    texts = _open_roster(Path(roster))
    edit = _Edit(texts)
    changes = [_apply_wish(edit, wish, Path(roster), file) for wish in wishes]
    if edit.refused:
        raise SharedAnchors(edit.refused)
    new_texts = edit.new_texts()
    _validate(texts, new_texts)
    _check_read_back(new_texts, [w for w, c in zip(wishes, changes, strict=True) if c.action in ("added", "updated")])
    return EditResult(tuple(changes), new_texts)


def remove_operator(roster: str | Path, email: str) -> EditResult:
    """Remove the operator `email`: its entry and the comments inside it."""
    texts = _open_roster(Path(roster))
    found = _find(texts, email)
    if found is None:
        return EditResult((OperatorChange(email, "absent", None),))
    text, entry = found
    refused = text.shared_anchors(entry, removing=True)
    if refused:
        raise SharedAnchors(refused)
    new_texts = {text.name: text.rewrite({}, {entry.index}, [])}
    _validate(texts, new_texts)
    return EditResult((OperatorChange(entry.email or email, "removed", text.name),), new_texts)


# --- reading the roster --------------------------------------------------------------


def _open_roster(source: Path) -> dict[str, RosterText]:
    """Each file of the roster, by the name the loader gives it in messages."""
    paths = roster_files(source)
    require_roster_files(source, paths)
    raw = {str(path): _read(path) for path in paths}
    try:
        return {name: RosterText(name, text) for name, text in raw.items()}
    except (YamlLoadError, EditError) as exc:
        # The loader says more (every problem of every file, an empty file as such);
        # what is left is a valid roster that cannot be edited, such as a flow list.
        load_texts((name, _as_read(text)) for name, text in raw.items())
        if isinstance(exc, EditError):
            raise
        raise RosterError([Problem(p.mark.file, p.mark.line, p.mark.column, "", p.message)
                           for p in exc.problems]) from None


def _read(path: Path) -> str:
    # Read bytes, not text mode, which would turn "\r\n" into "\n": edits keep line endings.
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        raise RosterError([Problem(str(path), 1, 1, "", message)]) from None
    except OSError as exc:
        raise RosterError([Problem(str(path), 0, 0, "", f"cannot be read: {exc.strerror}")]) from None


def _as_read(text: str) -> str:
    """The text as `load_roster` sees it, which reads files with universal newlines."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _find(texts: dict[str, RosterText], email: str) -> tuple[RosterText, Entry] | None:
    for text in texts.values():
        entry = text.find(email)
        if entry is not None:
            return text, entry
    return None


# --- adding ----------------------------------------------------------------------


class _Edit:
    """The entries to replace and append, per file, gathered before any text is made."""

    def __init__(self, texts: dict[str, RosterText]) -> None:
        self.texts = texts
        self.replaced: dict[str, dict[int, list[str]]] = {}
        self.appended: dict[str, list[list[str]]] = {}
        self.refused: list[Problem] = []  # entries that cannot be edited on their own

    def replace(self, text: RosterText, entry: Entry, lines: list[str]) -> None:
        self.replaced.setdefault(text.name, {})[entry.index] = lines

    def append(self, text: RosterText, lines: list[str]) -> None:
        self.appended.setdefault(text.name, []).append(lines)

    def new_texts(self) -> dict[str, str]:
        names = [name for name in self.texts if name in self.replaced or name in self.appended]
        return {name: self.texts[name].rewrite(self.replaced.get(name, {}), (), self.appended.get(name, []))
                for name in names}


def _check_wishes(wishes: Sequence[OperatorWish]) -> None:
    seen: dict[str, OperatorWish] = {}
    for wish in wishes:
        if any(editable is EMAIL for editable, _ in wish.values):
            raise EditError(f"{wish.email}: the email names the operator and cannot be set as a field")
        first = seen.setdefault(wish.email.lower(), wish)
        if first is not wish:
            raise EditError(f"{wish.email} is asked for twice ({first.origin or 'first'} and {wish.origin or 'again'})")


def _apply_wish(edit: _Edit, wish: OperatorWish, roster: Path, file: str | None) -> OperatorChange:
    # In the order fields are written in an entry, for the messages as for the text.
    wish = replace(wish, values=tuple(sorted(wish.values, key=lambda item: EDITABLE.index(item[0]))))
    found = _find(edit.texts, wish.email)
    if found is None:
        text = _target(edit.texts, roster, file, wish)
        edit.append(text, text.new_entry(_written([(EMAIL, wish.email), *wish.values])))
        updates = tuple(FieldUpdate(e.label, None, v, e.sensitive) for e, v in wish.values)
        return OperatorChange(wish.email, "added", text.name, updates, wish.origin)
    text, entry = found
    email = entry.email or wish.email
    updates = _updates(entry, wish.values)
    if not updates:
        return OperatorChange(email, "unchanged", text.name, (), wish.origin)
    # Only the fields that differ are written, so that `[en, fr]` is not rewritten as
    # `[fr, en]` just because the request listed them in that order.
    changed = [(e, v) for e, v in wish.values if e.label in {u.label for u in updates}]
    refused = text.shared_anchors(entry)
    if refused:
        edit.refused += refused
    else:
        edit.replace(text, entry, text.edited_entry(entry, _written(changed)))
    return OperatorChange(email, "updated", text.name, updates, wish.origin)


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


def _target(texts: dict[str, RosterText], roster: Path, file: str | None, wish: OperatorWish) -> RosterText:
    """The file that gets a new operator."""
    if not roster.is_dir():
        only = next(iter(texts.values()))
        if file is not None and file not in (only.name, roster.name):
            raise EditError(f"{roster} is a single file: a file to put new operators in can only be "
                            f"chosen in a directory roster, got '{file}'")
        return only
    names = {Path(name).name: text for name, text in texts.items()}
    if file is None:
        raise NeedsTargetFile(wish.email, str(roster), list(names), wish.origin)
    for key in (Path(file).name, Path(file).name + ".yaml", Path(file).name + ".yml"):
        if key in names:
            return names[key]
    raise EditError(f"{roster} has no file '{file}': choose one of {', '.join(names)}")


# --- checking the result -------------------------------------------------------------


def _check_read_back(new_texts: dict[str, str], wishes: Sequence[OperatorWish]) -> None:
    """Every value set reads back as the value asked for. It guards against a value
    that ruamel.yaml writes in a way the roster's loader reads differently."""
    reread = {name: RosterText(name, text) for name, text in new_texts.items()}
    for wish in wishes:
        entry = next((e for t in reread.values() if (e := t.find(wish.email)) is not None), None)
        for editable, value in wish.values:
            got = _get(entry.data if entry else None, editable.path)
            if got is None or not same_value(editable, got, value):
                raise EditError(f"{wish.email}: {editable.label} would be written as {got!r} "
                                f"instead of {value!r}; nothing was written (this is a bug in rostersync)")


def _validate(texts: dict[str, RosterText], new_texts: dict[str, str]) -> None:
    """The whole roster, as it would be on disk, against the format and its rules."""
    load_texts((name, _as_read(new_texts.get(name, text.text))) for name, text in texts.items())
