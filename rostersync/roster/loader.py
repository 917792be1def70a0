"""Load a roster (a file, or a directory of files) into a validated `Roster`.

Loading is all-or-nothing and reports every problem at once: the YAML of each file
is parsed (duplicate keys rejected), each file is validated against the format, then
defaults and profiles are merged into each operator and the rules that span
operators and files are checked. Nothing here talks to the API.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic_core import ValidationError

from rostersync.capabilities import REFERENCE_KINDS, Capabilities
from rostersync.roster import limits
from rostersync.roster.capability_check import capability_problems
from rostersync.roster.compiled import ROSTER_PLACE
from rostersync.roster.document_validator import validate_document
from rostersync.roster.fields import roster_to_fields
from rostersync.roster.files import read_text_file, roster_files, universal_newlines
from rostersync.roster.gc_pause import gc_paused
from rostersync.roster.limits import MAX_ENTRIES, TOO_MANY_MERGED, describe_character, excerpt, printable
from rostersync.roster.messages import Hints, is_secret, iter_errors, yaml_kind
from rostersync.roster.positions import KeyPath, Mark, format_path
from rostersync.roster.problems import Problem, RosterError
from rostersync.roster.references import (
    REFERENCE_FIELDS,
    ReferenceKind,
    ReferenceUse,
    ReferenceUses,
    collect_references,
    scope_references,
)
from rostersync.roster.scope import Scope
from rostersync.roster.yaml_source import ControlCharacter, LoadedYaml, YamlLoadError, load_yaml

# Channel blocks and call_config merge key by key; every other field is replaced whole.
_NESTED = ("chat", "call", "video", "call_config")
# Keys of an operator entry that are instructions to the loader, not operator fields.
_ENTRY_ONLY = ("profile",)
_KNOWN_SHOWN = 10  # profile names listed after an unknown one


@dataclass(frozen=True)
class WantedOperator:
    """One operator as the roster wants it, after defaults and profiles."""

    email: str
    external_id: str | None
    fields: dict[str, Any]  # the managed fields, by API name (see rostersync.roster.fields)
    mark: Mark  # where the entry starts, for messages
    index: int  # its position in its file's `operators` list

    @property
    def path(self) -> str:
        return f"operators[{self.index}]"

    @property
    def key(self) -> str:
        return self.email.lower()


@dataclass(frozen=True)
class Roster:
    """A loaded, validated roster: what the account should look like."""

    files: tuple[str, ...]
    operators: tuple[WantedOperator, ...]
    scope: Scope = field(default_factory=Scope)
    ignore: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()
    # Every skill, group and website the files name or give the id of, where it is
    # written: planning resolves and checks them (rostersync.plan.references).
    references: ReferenceUses = field(default_factory=ReferenceUses)


def matches_ignore(email: str, patterns: Sequence[str]) -> str | None:
    """The first `ignore` glob that `email` matches (case-insensitively), if any."""
    lowered = email.lower()
    for pattern in patterns:
        if fnmatch.fnmatchcase(lowered, pattern.lower()):
            return pattern
    return None


@dataclass
class _File:
    name: str
    loaded: LoadedYaml
    data: dict[str, Any]  # loaded.data, known to be a mapping
    valid: bool  # whether the file kept to the format (else its values are reported, not used)
    # Its scope, as validated. (Not the whole validated document: for a large roster
    # its models would cost more memory than the data they were built from.)
    scope: Scope | None

    def mark(self, path: KeyPath) -> Mark:
        return self.loaded.mark_for(path)

    def release_operators(self) -> None:
        """Let the parsed operator entries go, once merged into the roster's operators:
        a large roster's would otherwise stay alive, next to what was made of them, until
        the whole roster is loaded. Marks inside them then point at `operators`."""
        if isinstance(self.data.get("operators"), list):
            self.data["operators"] = []


class _Problems:
    """Collects problems, pinned to positions in the files."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.hints = Hints()

    def at(self, mark: Mark, path: KeyPath, message: str) -> None:
        self.items.append(Problem(mark.file, mark.line, mark.column, format_path(path), message))


def load_roster(path: str | Path, *, capabilities: Capabilities | None = None) -> Roster:
    """Load and validate the roster at `path` (a file or a directory), or raise
    `RosterError` with every problem. With `capabilities` (a backend's), a field or
    value that backend cannot express is one more problem, where it is written."""
    return load_texts([(str(file), universal_newlines(read_text_file(file))) for file in roster_files(Path(path))],
                      capabilities=capabilities)


def load_texts(texts: Iterable[tuple[str, str]], *, capabilities: Capabilities | None = None) -> Roster:
    """Load a roster from (file name, text) pairs, as if they were one directory."""
    problems = _Problems()
    with gc_paused():
        files = _parse_files(texts, problems)
        # The rules across operators and files run even when a file broke the format,
        # so that one run lists every problem; they skip what they cannot read.
        roster = _merge_files(files, problems, capabilities)
        # Free the parsed documents (data and marks) while the GC is still paused:
        # alive when it resumes, its first collection would walk every one of them.
        del files
    if problems.items:
        raise RosterError(problems.items)
    return roster


def _parse_files(texts: Iterable[tuple[str, str]], problems: _Problems) -> list[_File]:
    # (A function of its own: a loop variable left in load_texts would keep the last
    # file alive past `del files`.)
    files: list[_File] = []
    entries = 0  # keys and list items so far: MAX_ENTRIES bounds the whole roster
    for name, text in texts:
        file = _parse_file(name, text, problems, MAX_ENTRIES - entries)
        if file is not None:
            files.append(file)
            entries += len(file.loaded.marks)
    return files


def _parse_file(name: str, text: str, problems: _Problems, max_entries: int) -> _File | None:
    try:
        loaded = load_yaml(text, name, max_entries=max(max_entries, 1), place=ROSTER_PLACE)
    except YamlLoadError as exc:
        for p in exc.problems:
            problems.at(p.mark, p.path, p.message)
        _report_controls(exc.controls, exc.more_controls, problems)
        return None
    _report_controls(loaded.controls, loaded.more_controls, problems)
    if loaded.data is None:
        problems.at(Mark(name, 1, 1), (), "the file is empty: a roster needs at least 'version: 1' and 'operators:'")
        return None
    if not isinstance(loaded.data, dict):
        # (Its kind only, never its value: a file that is one string is no roster and may
        # be anything, such as the .env file a symbolic link points to.)
        problems.at(loaded.mark_for(()), (),
                    f"a roster must be a mapping with 'version' and 'operators', got {yaml_kind(loaded.data)}")
        return None
    before = len(problems.items)
    null_paths = _report_nulls(loaded, problems)
    scope: Scope | None = None
    try:
        scope = validate_document(loaded.data)
    except ValidationError as exc:
        for path, message in iter_errors(exc, problems.hints, loaded.written):
            if not any(path[: len(n)] == n for n in null_paths):
                problems.at(loaded.mark_for(path), path, message)
    valid = len(problems.items) == before
    return _File(name, loaded, loaded.data, valid, scope if valid else None)


def _report_controls(controls: Sequence[ControlCharacter], more: bool, problems: _Problems) -> None:
    """Control characters: no key or value may hold one, and none may be written
    anywhere else (they can make a line read, in a review or a terminal, as
    something else than it is)."""
    for control in controls:
        problems.at(control.mark, control.path or (), _control_message(control))
    if more and controls:
        problems.at(controls[-1].mark, (), "more control characters follow; only the first ones are listed")


def _control_message(control: ControlCharacter) -> str:
    if control.path is None:
        return (f"a control character, {describe_character(control.character)}, outside any key or value: "
                "none may be written in a roster file, not even in a comment")
    holder = "this key" if control.in_key else "the value"
    if is_secret(control.path):  # not even one character of a secret
        return f"{holder} contains a control character (not shown: the field is secret)"
    shown = describe_character(control.character)
    return f"{holder} contains a control character, {shown}: no key or value may hold one"


def _report_nulls(loaded: LoadedYaml, problems: _Problems) -> list[KeyPath]:
    """Keys given no value. Left unreported, they would read as 'not managed'. (The
    YAML loader lists them as it builds the data: each mapping once, so an alias bomb
    costs its size, not its expansion.)"""
    found = [path for path in loaded.nulls if path != ("operators",)]
    for path in found:
        problems.at(loaded.mark_for(path), path,
                    "has no value: give it one, or remove the key to leave the field unmanaged")
    return found


def _deep_merge(layers: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if key in _NESTED and isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged


def _merge_files(files: list[_File], problems: _Problems, capabilities: Capabilities | None = None) -> Roster:
    scope = _agreed_scope(files, problems)
    references = collect_references(files)
    scope_keys = scope_references(references)
    if capabilities is not None:
        _scope_capability_problems(references, capabilities, problems)
    ignore = tuple(dict.fromkeys(p for f in files for p in _strings(f.data.get("ignore"))))
    profiles = _collect_profiles(files, problems)
    known = ""  # the profiles' names for messages, once one is needed
    operators: list[WantedOperator] = []
    unique = _Uniqueness()
    merged_entries = 0  # bounded by limits.MAX_MERGED_ENTRIES
    for file in files:
        if merged_entries > limits.MAX_MERGED_ENTRIES:
            break
        defaults = _mapping(file.data.get("defaults"))
        entries = file.data.get("operators")
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if not isinstance(entry, dict) or not isinstance(entry.get("email"), str):
                continue  # already reported by the format check
            path: KeyPath = ("operators", index)
            layers: list[Mapping[str, Any]] = [defaults]
            for name in _strings(entry.get("profile")):
                if name in profiles:
                    layers.append(profiles[name])
                else:
                    known = known or _known(profiles)
                    _unknown_profile(file, path, name, profiles, known, problems)
            layers.append({k: v for k, v in entry.items() if k not in _ENTRY_ONLY})
            merged = _deep_merge(layers)
            merged_entries += _entries(merged)
            if merged_entries > limits.MAX_MERGED_ENTRIES:
                problems.at(file.mark(path), path, TOO_MANY_MERGED)
                break
            operators.append(WantedOperator(
                email=merged["email"],
                external_id=_text_or_none(merged.get("external_id")),  # (another type: already reported)
                # A file that broke the format is reported, not used: skip its values.
                fields=roster_to_fields(merged) if file.valid else {},
                mark=file.mark(path),
                index=index,
            ))
            unique.check(operators[-1], file)
            _check_merged(file, path, merged, entry, scope, scope_keys, ignore, problems)
            if capabilities is not None:
                for mark, key_path, message in capability_problems(capabilities, operators[-1].fields, file, path,
                                                                   files):
                    problems.at(mark, key_path, message)
        file.release_operators()
    unique.report(problems)
    return Roster(
        files=tuple(f.name for f in files),
        operators=tuple(operators),
        scope=scope,
        ignore=ignore,
        profiles=tuple(profiles),
        references=references,
    )


def _scope_capability_problems(references: ReferenceUses, capabilities: Capabilities, problems: _Problems) -> None:
    """A scope's group or website by name, for a backend that cannot look names up (the
    operators' are refused by `capability_problems`): it would reach the API as an id."""
    for use in references.in_scope():
        api_field = REFERENCE_FIELDS[use.kind][0]
        if isinstance(use.value, str) and api_field not in capabilities.named_references:
            problems.at(use.mark, tuple(use.path.split(".")),
                        f"the {capabilities.backend} API cannot look {REFERENCE_KINDS[api_field]} up by name (it "
                        f"documents no listing of them), so {use.value!r} cannot be resolved: write the id (or use "
                        "the REST API)")


def _entries(merged: Mapping[str, Any]) -> int:
    """The keys and list items of a merged operator, its channel blocks' and lists'
    included (what a valid one holds: their items are scalars), in a time of its keys."""
    return sum(1 + len(value) if isinstance(value, (list, dict)) else 1 for value in merged.values())


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _strings(value: Any) -> list[str]:
    """A string or list of strings as a list; anything else (already reported) as none."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _agreed_scope(files: list[_File], problems: _Problems) -> Scope:
    scope: Scope | None = None
    first: _File | None = None
    for file in files:
        if file.scope is None:
            continue
        if scope is None:
            scope, first = file.scope, file
        elif file.scope != scope and first is not None:
            where = first.mark(("scope",))
            problems.at(file.mark(("scope",)), ("scope",), f"differs from the scope in {where.file}:{where.line}: "
                        "every file of a roster must agree on its scope")
    return scope or Scope()


def _collect_profiles(files: list[_File], problems: _Problems) -> dict[str, dict[str, Any]]:
    profiles: dict[str, dict[str, Any]] = {}
    origin: dict[str, Mark] = {}
    for file in files:
        written: Mapping[Any, Any] = _mapping(file.data.get("profiles"))  # (any YAML key: !!int 1 is an int)
        for name, body in written.items():
            if not isinstance(name, str):
                continue  # already reported by the format check
            if name in profiles:
                first = origin[name]
                problems.at(file.mark(("profiles", name)), ("profiles", name),
                            f"profile already defined at {first.file}:{first.line}")
                continue
            profiles[name], origin[name] = _mapping(body), file.mark(("profiles", name))
    return profiles


def _known(profiles: Mapping[str, Any]) -> str:
    names = sorted(profiles)
    known = ", ".join(printable(n) for n in names[:_KNOWN_SHOWN]) or "none are defined"
    return known + (f" and {len(names) - _KNOWN_SHOWN:,} more" if len(names) > _KNOWN_SHOWN else "")


def _unknown_profile(file: _File, path: KeyPath, name: str, profiles: Mapping[str, Any], known: str,
                     problems: _Problems) -> None:
    hint = problems.hints.did_you_mean(name, profiles)
    problems.at(file.mark(path + ("profile",)), path + ("profile",),
                f"unknown profile {excerpt(name)}{hint}; known profiles: {known}")


def _check_merged(file: _File, path: KeyPath, merged: Mapping[str, Any], entry: Mapping[str, Any],
                  scope: Scope, scope_keys: Mapping[ReferenceKind, ReferenceUse], ignore: Sequence[str],
                  problems: _Problems) -> None:
    """Rules that hold for the operator after defaults and profiles are applied."""
    def where(key: str) -> tuple[Mark, KeyPath]:
        # Point at the operator's own key when it has one, else at the entry itself.
        return (file.mark(path + (key,)), path + (key,)) if key in entry else (file.mark(path), path + (key,))

    call_config = _mapping(merged.get("call_config"))
    if call_config.get("type") == "ANSWER_FROM_PHONE" and not (
        call_config.get("phone_number") or call_config.get("ask_phone_number_at_every_connection") is True
    ):
        problems.at(*where("call_config"),
                    "type ANSWER_FROM_PHONE needs a phone_number or ask_phone_number_at_every_connection: true")
    websites = merged.get("websites")
    # Names are compared once resolved, when planning (rostersync.plan.references).
    if isinstance(scope.website, int) and isinstance(websites, list) and scope.website not in websites \
            and all(isinstance(item, int) for item in websites):
        problems.at(*where("websites"), f"must include the scope's website {scope.website}"
                    f"{_written(scope_keys, 'website')}, or the operator would leave the roster's scope")
    group = merged.get("group")
    if isinstance(scope.group, int) and isinstance(group, int) and group != scope.group:
        problems.at(*where("group"), f"must be the scope's group {scope.group}{_written(scope_keys, 'group')}, "
                    f"got {group}; the operator would leave the roster's scope")
    pattern = matches_ignore(merged["email"], ignore)
    if pattern is not None:
        problems.at(*where("email"), f"matches the ignore pattern {excerpt(pattern)}: an ignored operator cannot be "
                    "managed")


def _written(scope_keys: Mapping[ReferenceKind, ReferenceUse], kind: ReferenceKind) -> str:
    use = scope_keys.get(kind)
    return f" ({use.written})" if use is not None else ""


class _Uniqueness:
    """Emails (case-insensitively) and external ids name one operator each, across
    files: checked as each operator is made, while its file's marks are at hand."""

    def __init__(self) -> None:
        self._seen: dict[str, dict[str, WantedOperator]] = {"email": {}, "external_id": {}}
        self._found: dict[str, list[tuple[Mark, KeyPath, str]]] = {"email": [], "external_id": []}

    def check(self, op: WantedOperator, file: _File) -> None:
        for key_field, key in (("email", op.key), ("external_id", op.external_id)):
            if key is None:
                continue
            first = self._seen[key_field].setdefault(key, op)
            if first is not op:
                path: KeyPath = ("operators", op.index, key_field)
                value = op.email if key_field == "email" else op.external_id
                self._found[key_field].append((file.mark(path), path, f"duplicate {key_field} {excerpt(value or '')} "
                                               f"(also at {first.mark.file}:{first.mark.line}, {first.path})"))

    def report(self, problems: _Problems) -> None:
        for found in self._found.values():
            for mark, path, message in found:
                problems.at(mark, path, message)
