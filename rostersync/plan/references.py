"""Skills, groups and websites by name: resolved to ids, and ids checked, when planning.

A roster may write ``skills: [Returns, 103]``, ``group: Paris desk``,
``websites: [Maison Lumiere FR]`` (and the scope's ``group`` and ``website``, or
their older spellings ``group_id`` and ``website_id``);
the loader keeps each such reference where it is written
(:mod:`rostersync.roster.references`). Here they meet the account:

- One listing per kind of resource the roster refers to (skills, groups, websites),
  read once for the run, the kinds at once (:class:`AccountDirectory`), never one
  request per operator. A kind the roster never mentions is not read, and not checked.
- Names match without case: skills and groups by name, websites by label or by the
  host of their url (``www.maison-lumiere.fr``). Skills and groups are trees
  (``parent_id``): a name repeated under different parents is ambiguous, and
  ``Parent/Child`` (any number of levels, the last ones enough) picks one.
- An unknown name (with a did-you-mean), an ambiguous one (with the candidates and
  their paths) or an id the account does not have is a roster problem at
  ``file:line:col``; all of them at once, in one :class:`RosterError`, before
  anything is written.
- A backend without a listing of a kind (the GraphQL API documents none for skills,
  groups or websites) cannot take names of it: its capabilities refuse them
  (:mod:`rostersync.capabilities`), and its ids go unchecked.

The result is the roster with ids only, which the engine diffs as before, and the
names of the ids, for the plan's readers (:class:`Names`).
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from rostersync.plan.protocols import NamedTreeItem, WebsiteItem
from rostersync.roster.fields import BY_API, normalize
from rostersync.roster.loader import Roster, WantedOperator
from rostersync.roster.problems import Problem, RosterError
from rostersync.roster.references import (
    REFERENCE_FIELDS,
    ReferenceKind,
    ReferenceUse,
    scope_references,
)
from rostersync.roster.scope import Scope

__all__ = ["AccountDirectory", "Directory", "Names", "account_names", "resolve_references", "resolve_scope"]

_PLURAL: dict[ReferenceKind, str] = {"skill": "skills", "group": "groups", "website": "websites"}


@dataclass(frozen=True)
class _Entry:
    id: int
    names: tuple[str, ...]  # what it is called: a name, or a website's label and host
    path: tuple[str, ...]  # from the root of its tree down to it (a website: its label)

    @property
    def shown_path(self) -> str:
        return "/".join(self.path)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def host_of(url: str) -> str:
    """``https://www.example.com/fr`` -> ``www.example.com``; ``""`` if it has none."""
    text = url.strip()
    try:
        host = urlsplit(text if "//" in text else "//" + text).hostname or ""
    except ValueError:
        return ""
    return host.casefold()


class Directory:
    """One kind of resource of the account, by id and by name."""

    def __init__(self, kind: ReferenceKind, entries: Iterable[_Entry]) -> None:
        self.kind = kind
        self.by_id: dict[int, _Entry] = {}
        self._by_name: dict[str, list[_Entry]] = {}
        for entry in entries:
            self.by_id.setdefault(entry.id, entry)
        for entry in self.by_id.values():
            for name in dict.fromkeys(_key(n) for n in entry.names if n.strip()):
                self._by_name.setdefault(name, []).append(entry)

    @classmethod
    def of_tree(cls, kind: ReferenceKind, items: Sequence[NamedTreeItem]) -> Directory:
        by_id = {item.id: item for item in items}

        def path(item: NamedTreeItem) -> tuple[str, ...]:
            names, seen, node = [item.name], {item.id}, item
            while node.parent_id is not None and node.parent_id in by_id and node.parent_id not in seen:
                node = by_id[node.parent_id]
                seen.add(node.id)
                names.append(node.name)
            return tuple(reversed(names))

        return cls(kind, (_Entry(item.id, (item.name,), path(item)) for item in items))

    @classmethod
    def of_websites(cls, items: Sequence[WebsiteItem]) -> Directory:
        return cls("website", (_Entry(item.id, (item.label, host_of(item.url)), (item.label or host_of(item.url),))
                               for item in items))

    def matches(self, text: str) -> list[_Entry]:
        """The entries ``text`` names: by name (or label, or host), else by a path's last levels."""
        key = _key(text)
        found = self._by_name.get(key)
        if found:
            return list(found)
        if self.kind == "website" and "//" in text:
            return list(self._by_name.get(host_of(text), []))
        parts = [_key(part) for part in text.split("/")]
        if len(parts) < 2 or not all(parts):
            return []
        return [entry for entry in self._by_name.get(parts[-1], [])
                if [_key(p) for p in entry.path[-len(parts):]] == parts]

    def problem(self, value: int | str) -> str | None:
        """Why ``value`` (an id or a name) names nothing, or several things, on the
        account; None when it names one."""
        noun = self.kind
        if isinstance(value, int):
            return None if value in self.by_id else f"the account has no {noun} with id {value}"
        found = self.matches(value)
        if len(found) == 1:
            return None
        if found:
            candidates = ", ".join(f"{entry.shown_path!r} (#{entry.id})" for entry in sorted(found, key=_order))
            how = "write Parent/Child to pick one" if self.kind != "website" else "write its id to pick one"
            return f"{noun} {value!r} is ambiguous: it names {candidates}; {how}"
        return f"unknown {noun} {value!r}{self._hint(value)}"

    def resolve(self, value: int | str) -> int:
        """The id ``value`` stands for; call :meth:`problem` first."""
        return value if isinstance(value, int) else self.matches(value)[0].id

    def label(self, entry_id: int) -> str | None:
        """The shortest text that names this id alone: its name, else the last levels of its
        path (``Paris desk/Night shift``); None if none does."""
        entry = self.by_id.get(entry_id)
        if entry is None:
            return None
        suffixes = ("/".join(entry.path[-depth:]) for depth in range(2, len(entry.path) + 1))
        for text in (*entry.names, *suffixes):
            if text.strip() and not _looks_like_id(text) and [e.id for e in self.matches(text)] == [entry_id]:
                return text
        return None

    def _hint(self, text: str) -> str:
        known = {_key(n): n for entry in self.by_id.values() for n in (*entry.names, entry.shown_path) if n.strip()}
        close = difflib.get_close_matches(_key(text), list(known), n=1, cutoff=0.6)
        if close:
            return f" (did you mean {known[close[0]]!r}?)"
        return f"; the account has {len(self.by_id)} {_PLURAL[self.kind]}" if self.by_id else \
            f"; the account has no {_PLURAL[self.kind]}"


def _order(entry: _Entry) -> tuple[str, int]:
    return entry.shown_path.casefold(), entry.id


def _looks_like_id(text: str) -> bool:
    # A name written as digits would read back as an id in a roster.
    return text.strip().lstrip("+-").isdigit()


class AccountDirectory:
    """The account's skills, groups and websites, each listed once: when first needed
    (:meth:`of`), or together with the others a roster uses (:meth:`read`).

    ``backend`` lists them if it can (``list_skills``, ``list_groups``,
    ``list_websites``: :class:`rostersync.plan.protocols.ReferenceLister`); a kind it
    cannot list is :meth:`available` ``False``.
    """

    def __init__(self, backend: object) -> None:
        self._backend = backend
        self._cache: dict[ReferenceKind, Directory] = {}

    def available(self, kind: ReferenceKind) -> bool:
        return callable(getattr(self._backend, f"list_{_PLURAL[kind]}", None))

    def of(self, kind: ReferenceKind) -> Directory:
        if kind not in self._cache:
            self._cache[kind] = self._listed(kind)
        return self._cache[kind]

    def read(self, kinds: Iterable[ReferenceKind]) -> None:
        """List each of `kinds` not listed yet, all at once (at most three listings,
        one per kind: a roster that uses skills, groups and websites waits for one
        listing's time, not three). A failed listing raises, once all have ended.

        The listings run on daemon threads: Ctrl-C stops the wait for them, and the
        process exits without waiting for their pages and retries (a pool's threads
        would be waited for; a listing only reads)."""
        missing = [kind for kind in dict.fromkeys(kinds) if kind not in self._cache and self.available(kind)]
        if len(missing) < 2:
            for kind in missing:
                self.of(kind)
            return
        listed: dict[ReferenceKind, Directory | Exception] = {}

        def list_one(kind: ReferenceKind) -> None:
            try:
                listed[kind] = self._listed(kind)
            except Exception as exc:  # noqa: BLE001 (raised as it is in the calling thread, below)
                listed[kind] = exc

        threads = [threading.Thread(target=list_one, args=(kind,), name=f"rostersync-{kind}s", daemon=True)
                   for kind in missing]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for kind in missing:
            result = listed[kind]
            if isinstance(result, Exception):
                raise result
            self._cache[kind] = result

    def _listed(self, kind: ReferenceKind) -> Directory:
        lister: Callable[[], Any] = getattr(self._backend, f"list_{_PLURAL[kind]}")
        items = lister()
        return Directory.of_websites(items) if kind == "website" else Directory.of_tree(kind, items)


@dataclass(frozen=True)
class Names:
    """The names of ids, for people reading a plan: API field -> id -> name.

    Only kinds the roster refers to are read, so only those have names; an id
    without one is shown as the id.
    """

    by_field: Mapping[str, Mapping[int, str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_field)


def account_names(backend: object, api_fields: Iterable[str],
                  directory: AccountDirectory | None = None) -> dict[str, dict[int, str]]:
    """API field -> id -> the text that names that id alone on the account (its name,
    else its ``Parent/Child`` path), for each of ``api_fields`` (``skill_list``,
    ``group_id``, ``website_list``) that ``backend`` can list; an id whose name is not
    unique, or reads as a number, has none. One listing per field's kind."""
    directory = directory if directory is not None else AccountDirectory(backend)
    names: dict[str, dict[int, str]] = {}
    for kind, (api_field, _) in REFERENCE_FIELDS.items():
        if api_field in api_fields and directory.available(kind):
            of_kind = directory.of(kind)
            names[api_field] = {entry_id: label for entry_id in of_kind.by_id
                                if (label := of_kind.label(entry_id)) is not None}
    return names


def resolve_references(backend: object, roster: Roster,
                       directory: AccountDirectory | None = None) -> tuple[Roster, Names]:
    """``roster`` with every name replaced by its id, and the names of the ids of the kinds used.

    `RosterError` with every reference that names nothing (or several things), or an
    id the account lacks, each at its ``file:line:col``; nothing is written. Kinds the
    roster never refers to are not read; kinds ``backend`` cannot list are left as
    written (their names were refused by its capabilities before this).
    """
    directory = directory if directory is not None else AccountDirectory(backend)
    used = {kind for kind, _ in roster.references.kinds_and_values()}
    kinds = [kind for kind in REFERENCE_FIELDS if kind in used]
    kinds = [kind for kind in kinds if directory.available(kind)]
    if not kinds:
        return roster, Names()
    directory.read(kinds)
    # Each distinct reference is looked up once; a problem is one per use, where written.
    resolved: dict[tuple[ReferenceKind, int | str], int] = {}
    reasons: dict[tuple[ReferenceKind, int | str], str] = {}
    for key in dict.fromkeys(roster.references.kinds_and_values()):
        kind, value = key
        if kind not in kinds:
            continue
        found = directory.of(kind)
        reason = found.problem(value)
        if reason is not None:
            reasons[key] = reason
        else:
            resolved[key] = found.resolve(value)
    if reasons:
        raise RosterError([Problem(use.mark.file, use.mark.line, use.mark.column, use.path, reasons[key])
                           for key, use in zip(roster.references.kinds_and_values(), roster.references, strict=True)
                           if key in reasons])
    scope = _resolved_scope(roster.scope, resolved)
    operators = tuple(_resolved_operator(op, resolved, kinds) for op in roster.operators)
    _check_scope(scope, operators, scope_references(roster.references),
                 lambda kind, entry_id: directory.of(kind).label(entry_id) if kind in kinds else None)
    names = account_names(backend, [REFERENCE_FIELDS[kind][0] for kind in kinds], directory)
    return replace(roster, scope=scope, operators=operators), Names(names)


def resolve_scope(backend: object, roster: Roster, directory: AccountDirectory | None = None) -> Roster:
    """``roster`` with its scope's group and website as ids: for the commands that read
    the operators of a roster's scope without planning it (``status``, ``live``,
    ``stats``). One listing per kind the scope names, none for a scope of ids alone
    (they are sent as written, as the listing's filters). `RosterError` where a name
    names nothing, or several things, or where ``backend`` cannot list its kind."""
    written = scope_references(roster.references)
    named = {kind: use for kind, use in written.items() if isinstance(use.value, str)}
    if not named:
        return roster
    directory = directory if directory is not None else AccountDirectory(backend)
    resolved: dict[tuple[ReferenceKind, int | str], int] = {}
    problems: list[Problem] = []
    for kind, use in named.items():
        if not directory.available(kind):
            reason: str | None = (f"this API cannot look {_PLURAL[kind]} up by name (it documents no listing of "
                                  f"them), so {use.value!r} cannot be resolved: write the id (or use the REST API)")
        else:
            reason = directory.of(kind).problem(use.value)
        if reason is not None:
            problems.append(Problem(use.mark.file, use.mark.line, use.mark.column, use.path, reason))
        else:
            resolved[(kind, use.value)] = directory.of(kind).resolve(use.value)
    if problems:
        raise RosterError(problems)
    return replace(roster, scope=_resolved_scope(roster.scope, resolved))


def _resolved_scope(scope: Scope, resolved: Mapping[tuple[ReferenceKind, int | str], int]) -> Scope:
    def one(kind: ReferenceKind, value: int | str | None) -> int | str | None:
        return resolved.get((kind, value), value) if value is not None else None

    return Scope(website=one("website", scope.website), group=one("group", scope.group))


def _resolved_operator(op: WantedOperator, resolved: Mapping[tuple[ReferenceKind, int | str], int],
                       kinds: Sequence[ReferenceKind]) -> WantedOperator:
    fields = op.fields
    changed: dict[str, Any] = {}
    for kind in kinds:
        api_field = REFERENCE_FIELDS[kind][0]
        value = fields.get(api_field)
        if isinstance(value, list) and any(isinstance(item, str) for item in value):
            changed[api_field] = normalize(BY_API[api_field], [resolved.get((kind, item), item) for item in value])
        elif isinstance(value, str):
            changed[api_field] = resolved.get((kind, value), value)
    return replace(op, fields={**fields, **changed}) if changed else op


def _check_scope(scope: Scope, operators: Sequence[WantedOperator], written: Mapping[ReferenceKind, ReferenceUse],
                 label: Callable[[ReferenceKind, int], str | None]) -> None:
    """The scope rules of the loader, for operators whose references were names: each
    message names the scope's key as the roster spells it, and where (``written``),
    and the names of the ids (``label``)."""
    def shown(kind: ReferenceKind, entry_id: int, *where: str) -> str:
        name = label(kind, entry_id)
        notes = ([repr(name)] if name is not None else []) + list(where)
        return f"{entry_id} ({', '.join(notes)})" if notes else str(entry_id)

    def key(kind: ReferenceKind) -> list[str]:
        return [written[kind].written] if kind in written else []

    problems: list[Problem] = []
    for op in operators:
        mark = op.mark
        websites = op.fields.get("website_list")
        if isinstance(scope.website, int) and isinstance(websites, list) and scope.website not in websites:
            problems.append(Problem(mark.file, mark.line, mark.column, f"{op.path}.websites",
                                    f"must include the scope's website "
                                    f"{shown('website', scope.website, *key('website'))}, "
                                    "or the operator would leave the roster's scope"))
        group = op.fields.get("group_id")
        if isinstance(scope.group, int) and isinstance(group, int) and group != scope.group:
            problems.append(Problem(mark.file, mark.line, mark.column, f"{op.path}.group",
                                    f"must be the scope's group {shown('group', scope.group, *key('group'))}, "
                                    f"got {shown('group', group)}; the operator would leave the roster's scope"))
    if problems:
        raise RosterError(problems)
