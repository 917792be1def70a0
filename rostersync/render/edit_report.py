"""What a roster edit writes (a unified diff) and did (a JSON report), for `--dry-run`
and `--format json` of `rostersync roster add | remove | import-csv`.

The diff is the one `git diff` would show after the edit, file by file, with both
sides named by the path the roster's files were read from, except that every line
of a secret value (``sso_key: ...``, on one line or several) reads ``(sensitive)``,
as in a plan: it shows where a secret changes, never the secret. The JSON report
lists the operators added, updated, removed and left unchanged (and, for a removal,
not found), with the fields set; secrets are masked as in a plan.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from typing import Any

from rostersync.edit.results import EditOutcome, EditResult, OperatorChange
from rostersync.edit.yaml_edit import split_lines
from rostersync.render.escape import for_terminal, json_safe
from rostersync.render.yaml_secrets import masked
from rostersync.roster.fields import SENSITIVE_MASK

_NO_NEWLINE = "\\ No newline at end of file\n"
_CONTEXT = 3  # lines around each change, as git diff shows
_KINDS: tuple[EditOutcome, ...] = ("added", "updated", "removed", "unchanged", "absent")


def unified_diff(result: EditResult) -> str:
    """The changes to every file the edit writes; empty when it writes none.

    The real texts are compared, so that a secret that changes shows as a changed
    line; the lines shown are the masked ones (`rostersync.render.yaml_secrets`).
    Lines end where git's do, at "\\n" only; each is terminal-escaped but for its
    line ending (a roster's comment may hold a bidi override), so that what the
    diff shows is what the file holds."""
    parts: list[str] = []
    for name, after in result.texts.items():
        before = result.before.get(name, "")
        for line in _file_diff(name, split_lines(before), split_lines(after), split_lines(masked(before)),
                                 split_lines(masked(after))):
            body, ending = _ending(line)
            parts.append(for_terminal(body) + (ending or "\n" + _NO_NEWLINE))
    return "".join(parts)


def _file_diff(name: str, old: list[str], new: list[str], old_shown: list[str], new_shown: list[str]
               ) -> Iterator[str]:
    """difflib.unified_diff of `old` and `new`, showing the lines of `old_shown` and `new_shown`."""
    for number, group in enumerate(difflib.SequenceMatcher(None, old, new).get_grouped_opcodes(_CONTEXT)):
        if number == 0:
            yield f"--- {name}\n"
            yield f"+++ {name}\n"
        (_, old_start, _, new_start, _), (_, _, old_end, _, new_end) = group[0], group[-1]
        yield f"@@ -{_range(old_start, old_end)} +{_range(new_start, new_end)} @@\n"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                yield from (" " + line for line in old_shown[i1:i2])
                continue
            yield from ("-" + line for line in old_shown[i1:i2])
            yield from ("+" + line for line in new_shown[j1:j2])


def _range(start: int, stop: int) -> str:
    """A hunk's line range as unified diffs write it: `5`, `5,3`, or `4,0` when empty."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


def _ending(line: str) -> tuple[str, str]:
    for ending in ("\r\n", "\n"):
        if line.endswith(ending):
            return line[:-len(ending)], ending
    return line, ""


def edit_report(result: EditResult, *, dry_run: bool) -> dict[str, Any]:
    """The edit as plain data: what happened to each operator, per outcome."""
    report: dict[str, Any] = {
        "dry_run": dry_run,
        "files": sorted(result.texts),  # written, or with --dry-run, that would be
        "counts": {kind: result.count(kind) for kind in _KINDS},
    }
    for kind in _KINDS:
        report[kind] = [_change(change) for change in result.changes if change.action == kind]
    report["warnings"] = [str(warning) for warning in result.warnings]
    report["diff"] = unified_diff(result)
    return report


def edit_report_json(result: EditResult, *, dry_run: bool) -> str:
    # ensure_ascii=False keeps accented names readable; json_safe escapes what it leaves raw.
    return json_safe(json.dumps(edit_report(result, dry_run=dry_run), indent=2, ensure_ascii=False)) + "\n"


def _change(change: OperatorChange) -> dict[str, Any]:
    item: dict[str, Any] = {"email": change.email, "file": change.file}
    if change.origin:
        item["origin"] = change.origin
    if change.action == "added":
        item["fields"] = {u.label: _shown(u.after, u.sensitive) for u in change.fields}
    elif change.action == "updated":
        item["fields"] = {u.label: {"before": _shown(u.before, u.sensitive), "after": _shown(u.after, u.sensitive)}
                          for u in change.fields}
    return item


def _shown(value: Any, sensitive: bool) -> Any:
    return SENSITIVE_MASK if sensitive and value is not None else value
