"""Saved plans: `plan --out FILE` writes one, `apply FILE` applies it if intact and still fresh.

A saved plan holds what apply will send, secrets included (an sso_key to set), so
it is written with mode 0600 and says so in its first field. It travels between CI
jobs, so reading it trusts nothing:

- the file is at most `MAX_SAVED_PLAN_BYTES`, a regular file, UTF-8 JSON without
  duplicate keys or NaN; anything else is a `PlanError` with a message;
- ``format_version`` is exactly the integer `SAVED_PLAN_VERSION` (not ``2.0``,
  ``true`` or ``"2"``);
- an integrity tag, HMAC-SHA256 over the canonical JSON of everything else, keyed
  by a key derived from the API key (HMAC of a fixed label; the API key itself is
  never stored), refuses a file changed after it was saved (`TamperedPlanError`);
- the changes are checked as strictly as a roster (`rostersync.plan.saved_changes`),
  and an update holds no payload: the PUT is derived from the changes it shows;
- a plan of part of a roster (`--only`, `--file`) records its ``selection``
  (``{"only": [...], "files": [...]}``), and its counts are within it; a plan of the
  whole roster has no such key (so files without one read as before).

Before applying (`rostersync.plan.workflow.load_fresh_plan`) the operators in scope
are read again: if any the plan touches changed, or one it creates now exists, the
plan is stale; if its changes do not describe the account it was made from, it is
refused. Either way nothing is written.

Writing is atomic: a new 0600 file in the same directory, flushed to disk, renamed
over the destination. A destination that is a symbolic link is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rostersync.plan.changes import Create, Delete, Plan, PlanSelection, Update
from rostersync.plan.errors import PlanError, TamperedPlanError
from rostersync.plan.saved_changes import (
    ContentError,
    change_from_dict,
    change_to_dict,
    expect_int,
    expect_keys,
    expect_str,
    quoted,
)
from rostersync.roster.scope import Scope

SAVED_PLAN_KIND = "rostersync-saved-plan"
SAVED_PLAN_VERSION = 2  # 2: signed, and updates carry no payload of their own
MAX_SAVED_PLAN_BYTES = 64 * 1024 * 1024  # 5,000 changes take about 3 MB
SECRET_NOTICE = ("This file holds secrets (sso_key values to set). Keep it private; "  # noqa: S105 (a notice, no secret)
                 "apply it with `rostersync apply FILE`. It is signed with a key derived from the API key: "
                 "an edited file is refused.")
_SIGNING_LABEL = b"rostersync saved-plan integrity v2"
_INTEGRITY = "integrity"
_REMAKE = "Nothing was written. Make the plan again with `rostersync plan --out`."
_FIELDS = ("notice", "kind", "format_version", "created_at", "base_url", "scope", "ignore", "roster_size",
           "unchanged", "live_in_scope", "warnings", "listed_ids", "changes", _INTEGRITY)
_OPTIONAL_FIELDS = ("selection",)
_SCOPE_FILTERS = ("website_id", "group_id")  # a saved plan's scope: Scope.as_api_filters()


@dataclass(frozen=True)
class SavedPlan:
    plan: Plan
    base_url: str
    scope: Scope
    ignore: tuple[str, ...]
    roster_size: int


# --------------------------------------------------------------------- integrity

def _signing_key(api_key: str) -> bytes:
    """A key for saved plans alone, derived from the API key, which is never stored."""
    return hmac.new(api_key.encode("utf-8"), _SIGNING_LABEL, hashlib.sha256).digest()


def _canonical(content: Mapping[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False).encode("ascii")


def integrity_tag(content: Mapping[str, Any], api_key: str) -> str:
    """HMAC-SHA256 of the canonical JSON of `content` (a document without its tag)."""
    body = {key: value for key, value in content.items() if key != _INTEGRITY}
    return hmac.new(_signing_key(api_key), _canonical(body), hashlib.sha256).hexdigest()


def sign_document(document: Mapping[str, Any], api_key: str) -> dict[str, Any]:
    """`document` with its integrity tag (re)computed."""
    return {**document, _INTEGRITY: {"hmac_sha256": integrity_tag(document, api_key)}}


def _check_integrity(path: Path, document: Mapping[str, Any], api_key: str) -> None:
    tag = document.get(_INTEGRITY)
    given = tag.get("hmac_sha256") if isinstance(tag, dict) and set(tag) == {"hmac_sha256"} else None
    if not isinstance(given, str) or not hmac.compare_digest(given, integrity_tag(document, api_key)):
        raise TamperedPlanError(
            f"{path}: this saved plan was modified after it was saved (its integrity tag does not match), or it "
            f"was saved with another API key. Refusing to apply it. {_REMAKE}")


# --------------------------------------------------------------------- writing

def plan_document(saved: SavedPlan) -> dict[str, Any]:
    """The file's content, without its integrity tag."""
    selection = saved.plan.selection
    chosen = {} if selection.everything else {"selection": {"only": list(selection.only),
                                                            "files": list(selection.files)}}
    return {
        "notice": SECRET_NOTICE,
        "kind": SAVED_PLAN_KIND,
        "format_version": SAVED_PLAN_VERSION,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "base_url": saved.base_url,
        "scope": saved.scope.as_api_filters(),
        "ignore": list(saved.ignore),
        "roster_size": saved.roster_size,
        "unchanged": saved.plan.unchanged,
        "live_in_scope": saved.plan.live_in_scope,
        "warnings": list(saved.plan.warnings),
        "listed_ids": sorted(saved.plan.listed_ids),
        "changes": [change_to_dict(c) for c in saved.plan.changes],
        **chosen,
    }


def write_saved_plan(path: Path, saved: SavedPlan, *, api_key: str) -> None:
    """Write `saved` to `path`, signed, atomically, mode 0600; never through a symlink."""
    try:
        text = json.dumps(sign_document(plan_document(saved), api_key), indent=2, allow_nan=False) + "\n"
    except (TypeError, ValueError) as exc:
        raise PlanError(f"the plan cannot be saved: {exc}") from None
    write_private_file(path, text)


def write_private_file(path: Path, text: str) -> None:
    """Replace `path` with `text` atomically: readers see the old file or the new one, whole.

    The new file is made by `tempfile.mkstemp` (mode 0600 from the start, O_EXCL, in
    the destination's directory), flushed to disk, then renamed over `path`. A rename
    replaces a symlink rather than following it; a destination that is a symlink is
    refused all the same, as a mistake or an attack worth hearing about.
    """
    if path.is_symlink():
        raise PlanError(f"{path} is a symbolic link: a saved plan holds secrets and is never written through one. "
                        "Remove the link, or save the plan to another path.")
    if path.exists() and not path.is_file():
        raise PlanError(f"{path} exists and is not a regular file: refusing to replace it with a saved plan.")
    directory = path.parent
    try:
        fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise PlanError(f"cannot save the plan in {directory}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise PlanError(f"cannot save the plan to {path}: {exc.strerror or exc}; the file is unchanged") from None
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable, where the system allows
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


# --------------------------------------------------------------------- reading

def is_saved_plan(path: Path) -> bool:
    """Whether `path` is a saved plan rather than a roster (which is YAML)."""
    if not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return head.lstrip().startswith(b"{") and SAVED_PLAN_KIND.encode() in head


def read_saved_plan(path: Path, *, api_key: str) -> SavedPlan:
    """The saved plan at `path`, checked: `PlanError` (`TamperedPlanError`) and a message otherwise.

    Its plan's digest is keyed by `api_key`, as when it was made."""
    document = _load_json(path)
    if document.get("kind") != SAVED_PLAN_KIND:
        raise PlanError(f"{path}: not a saved plan (no \"kind\": \"{SAVED_PLAN_KIND}\"). {_REMAKE}")
    version = document.get("format_version")
    if type(version) is not int or version != SAVED_PLAN_VERSION:
        raise PlanError(f"{path}: saved plan format {quoted(version)} is not supported by this rostersync (it reads "
                        f"format {SAVED_PLAN_VERSION}, the integer). {_REMAKE}")
    _check_integrity(path, document, api_key)
    try:
        saved = _parse(document)
    except ContentError as exc:
        raise PlanError(f"{path}: not a usable saved plan: {exc}. {_REMAKE}") from None
    return replace(saved, plan=saved.plan.with_digest_key(api_key))


def unverified_target(path: Path) -> str | None:
    """The target a saved plan says it was made for, read without checking its integrity:
    only to explain a refusal (a plan signed for another backend or account), never to act on."""
    try:
        target = _load_json(path).get("base_url")
    except PlanError:
        return None
    return target if isinstance(target, str) else None


def _load_json(path: Path) -> dict[str, Any]:
    try:
        # O_NONBLOCK: a FIFO must not hang the open; it is refused below as no regular file.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise PlanError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise PlanError(f"{path}: not a regular file, so no saved plan")
        try:
            raw = handle.read(MAX_SAVED_PLAN_BYTES + 1)
        except OSError as exc:
            raise PlanError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_SAVED_PLAN_BYTES:
        raise PlanError(f"{path}: larger than {MAX_SAVED_PLAN_BYTES // (1024 * 1024)} MiB, more than any saved plan "
                        f"rostersync writes. {_REMAKE}")
    try:
        text = raw.decode("utf-8")
        data = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        raise PlanError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}). {_REMAKE}") from None
    except json.JSONDecodeError as exc:
        raise PlanError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}). "
                        f"{_REMAKE}") from None
    except (ContentError, ValueError) as exc:  # ValueError: e.g. an integer of thousands of digits
        raise PlanError(f"{path}: not a usable saved plan: {exc}. {_REMAKE}") from None
    except RecursionError:
        raise PlanError(f"{path}: nested too deeply to be a saved plan. {_REMAKE}") from None
    if not isinstance(data, dict):
        raise PlanError(f"{path}: a saved plan is a JSON object, got {type(data).__name__}. {_REMAKE}")
    return data


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise ContentError(f"the key {quoted(key)} appears twice in one object")
        data[key] = value
    return data


def _no_constant(name: str) -> Any:
    raise ContentError(f"{name} is not a number a saved plan holds")


def _scope(data: Any) -> Scope:
    """The plan's scope, as `plan_document` writes it: the API's filters, ids only.

    This is not a roster's scope: names were resolved before the plan was saved, and
    the keys are the API's (``website_id``, ``group_id``), as in every plan saved
    since format 2, whatever spelling the roster used. The roster's keys
    (``website``, ``group``) are refused here like any key rostersync never writes.
    """
    if not (isinstance(data, dict) and set(data) <= set(_SCOPE_FILTERS)
            and all(type(value) is int for value in data.values())):
        raise ContentError(f"scope: must be an object of integers website_id and group_id (the API's filters, as a "
                           f"saved plan holds them), got {quoted(data)}")
    return Scope(website=data.get("website_id"), group=data.get("group_id"))


def _parse(data: dict[str, Any]) -> SavedPlan:
    doc = expect_keys(data, "the plan", _FIELDS, _OPTIONAL_FIELDS)
    scope = _scope(doc["scope"])
    ignore = tuple(_strings(doc["ignore"], "ignore"))
    listed = [expect_int(value, f"listed_ids[{n}]", minimum=1) for n, value in enumerate(_list(doc["listed_ids"],
                                                                                                "listed_ids"))]
    changes = tuple(change_from_dict(item, f"changes[{n}]", scope, ignore)
                    for n, item in enumerate(_list(doc["changes"], "changes")))
    _check_unique(changes)
    plan = Plan(changes, expect_int(doc["unchanged"], "unchanged"), expect_int(doc["live_in_scope"], "live_in_scope"),
                tuple(_strings(doc["warnings"], "warnings")), scope, frozenset(listed),
                _selection(doc.get("selection")))
    roster_size = expect_int(doc["roster_size"], "roster_size")
    counts = plan.counts
    # Every roster operator is created, updated or unchanged; every owned live one
    # is updated, unchanged or deleted (or left alone, when its email is unreadable).
    if roster_size != plan.unchanged + counts["create"] + counts["update"]:
        raise ContentError(f"roster_size {roster_size} is not its {plan.unchanged} unchanged, {counts['create']} "
                           f"created and {counts['update']} updated operators")
    if plan.live_in_scope < plan.unchanged + counts["update"] + counts["delete"]:
        raise ContentError(f"live_in_scope {plan.live_in_scope} is fewer than the operators it updates, deletes "
                           "or leaves unchanged")
    for name in ("notice", "created_at"):
        expect_str(doc[name], name)
    return SavedPlan(plan, expect_str(doc["base_url"], "base_url"), scope, ignore, roster_size)


def _selection(value: Any) -> PlanSelection:
    """The recorded selection; absent means the whole roster, so a recorded one chooses something."""
    if value is None:
        return PlanSelection()
    item = expect_keys(value, "selection", ("only", "files"))
    selection = PlanSelection(tuple(_strings(item["only"], "selection.only")),
                              tuple(_strings(item["files"], "selection.files")))
    if selection.everything:
        raise ContentError("selection: chooses nothing; a plan of the whole roster records none")
    return selection


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ContentError(f"{where}: must be a list, got {type(value).__name__}")
    return value


def _strings(value: Any, where: str) -> list[str]:
    return [expect_str(item, f"{where}[{n}]") for n, item in enumerate(_list(value, where))]


def _check_unique(changes: tuple[Create | Update | Delete, ...]) -> None:
    """One change per operator: an id, or a created email, is never named twice."""
    ids: set[int] = set()
    emails: set[str] = set()
    for n, change in enumerate(changes):
        where = f"changes[{n}] ({quoted(change.email)})"
        if isinstance(change, Create):
            if change.email.lower() in emails:
                raise ContentError(f"{where}: {quoted(change.email)} is created twice")
            emails.add(change.email.lower())
        elif change.id in ids:
            raise ContentError(f"{where}: operator #{change.id} is changed twice")
        else:
            ids.add(change.id)
