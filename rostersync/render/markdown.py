"""The plan as Markdown, for a pull-request comment or a job summary.

A header names the account, the scope, the commit and the plan's digest; a summary
line counts the changes; then come the changes in apply's order. Creates are one
table (the fields every new operator shares said once above it), updates are grouped
(one identical field change on many operators is one line, its operators folded),
deletes are a table of who goes (name, roles). Long groups fold in <details>.

The whole comment stays within `COMMENT_LIMIT` characters (GitHub refuses a comment
over 65,536, and a plan of a few hundred creates is longer than that). The budget
goes first to what a reviewer must not miss: the warnings, then every delete, then
the updates, then the creates; past the limit the comment says, at the top, what it
leaves out and where the whole plan is.

A pull-request comment is read on GitHub or GitLab, where ``#12`` links an issue and
``@name`` notifies someone: values go in code spans (`markdown_code`), emails, names
and warnings are escaped prose (`markdown_text`), and an operator's id is written
``(id 12)`` or in an ``id`` column, never ``#12``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rostersync.plan.changes import Create, Delete, Plan, Update
from rostersync.render.escape import for_terminal, markdown_code, markdown_text
from rostersync.render.values import Named, change_line, create_lines, format_value
from rostersync.roster.scope import Scope

__all__ = [
    "COMMENT_LIMIT",
    "COMMENT_MARKER",
    "FOLD_OVER",
    "SUMMARISE_FROM",
    "CommentContext",
    "describe_scope",
    "digest_marker",
    "fenced",
    "header_lines",
    "render_plan_markdown",
]

#: The most characters a plan comment has: under GitHub's 65,536, with room to spare.
COMMENT_LIMIT = 60_000
#: Groups with more changes than this are folded, so a large plan stays readable.
FOLD_OVER = 5
#: An identical field change on at least this many operators is shown once.
SUMMARISE_FROM = 3
#: A summarised change names up to this many operators inline; more are folded.
INLINE_OPERATORS = 10
#: Warnings shown at most; the others are counted.
MAX_WARNINGS = 10
MAX_WARNING_CHARS = 500

#: The first line of every rostersync comment: how the comment is found again to be
#: replaced, by the CI programs (`rostersync.ci`).
COMMENT_MARKER = "<!-- rostersync-plan -->"
_DIGEST_MARKER = "<!-- rostersync-digest: {} -->"
# What the omission note and the footer can take at most, kept aside from the start.
_RESERVED = 1_200

_TITLES = {"create": "➕ Create", "update": "✏️ Update", "delete": "➖ Delete"}
_NOUNS = {"create": ("create", "creates"), "update": ("update", "updates"), "delete": ("delete", "deletes")}
_NAME_FIELDS = ("first_name", "name")


@dataclass(frozen=True)
class CommentContext:
    """What the comment says around the plan: where it was made and what happens next.

    `account` is the platform or API host (``sd.iadvize.com``), `commit` the commit
    planned; `full_plan` names where the whole plan can be read when the comment has
    to leave part of it out, and `full_plan_url` links there (``https`` only).
    """

    account: str | None = None
    commit: str | None = None
    title: str = "rostersync plan"
    apply_hint: str = "Merging this pull request applies the plan."
    full_plan: str = "the job log"
    full_plan_url: str | None = None
    markers: tuple[str, ...] = field(default=(COMMENT_MARKER,))


def digest_marker(digest: str) -> str:
    """The hidden line that carries a reviewed plan's digest to the apply job."""
    return _DIGEST_MARKER.format(digest)


def describe_scope(scope: Scope) -> str:
    parts = []
    if scope.website is not None:
        parts.append(f"website {scope.website}")
    if scope.group is not None:
        parts.append(f"group {scope.group}")
    return ", ".join(parts) if parts else "the whole account"


def header_lines(context: CommentContext, title: str, *, scope: str | None, digest: str | None,
                 reviewable: bool = True) -> list[str]:
    """The markers, the title and one line of where: account, scope, commit, digest.
    The digest's hidden marker, which the apply job reads, only if `reviewable`."""
    lines = [*context.markers]
    if digest is not None and reviewable:
        lines.append(digest_marker(digest))
    lines.append(f"### {title}")
    where = []
    if context.account:
        where.append(f"Account: **{markdown_text(context.account)}**")
    if scope is not None:
        where.append(f"Scope: {markdown_text(scope)}")
    if context.commit:
        where.append(f"Commit: {markdown_code(_short_commit(context.commit))}")
    if digest is not None:
        where.append(f"Digest: {markdown_code(digest)}")
    if where:
        lines += ["", " · ".join(where)]
    return lines


def _short_commit(commit: str) -> str:
    commit = commit.strip()
    return commit[:12] if len(commit) == 40 and all(c in "0123456789abcdef" for c in commit) else commit


def fenced(text: str) -> list[str]:
    """`text` as a fenced code block: every line shown literally (escaped for a
    terminal first), the fence longer than any run of backticks inside it."""
    lines = [for_terminal(line) for line in text.splitlines()]
    longest = max((_longest_backticks(line) for line in lines), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", *lines, fence]


def _longest_backticks(line: str) -> int:
    best = run = 0
    for char in line:
        run = run + 1 if char == "`" else 0
        best = max(best, run)
    return best


class _Budget:
    """Characters left for the comment; a piece is added only whole."""

    def __init__(self, chars: int) -> None:
        self.left = chars

    def take(self, lines: Sequence[str]) -> bool:
        size = _size(lines)
        if size > self.left:
            return False
        self.left -= size
        return True


def _size(lines: Iterable[str]) -> int:
    return sum(len(line) + 1 for line in lines)


@dataclass
class _Section:
    kind: str
    total: int
    lines: list[str] = field(default_factory=list)
    left_out: int = 0  # changes of this kind not shown, or not shown whole


def _open(title: str, count: int, fold: bool) -> list[str]:
    heading = f"{title} ({count:,})"
    return ["", f"<details><summary><b>{heading}</b></summary>", ""] if fold else ["", f"#### {heading}", ""]


def _close(fold: bool) -> list[str]:
    return ["", "</details>"] if fold else []


def _cell(text: str) -> str:
    """Prose in a table cell: `markdown_text` escapes ``|`` already."""
    return markdown_text(text) if text else "—"


def _cell_code(text: str) -> str:
    """A code span in a table cell: a ``|`` inside would end the cell, so it is
    written ``\\|``, which GFM tables read as a pipe even inside code."""
    return markdown_code(text).replace("|", "\\|")


def _table(budget: _Budget, section: _Section, opening: list[str], head: list[str],
           rows: Sequence[str]) -> None:
    fold = len(rows) > FOLD_OVER
    start, end = _open(_TITLES[section.kind], section.total, fold) + opening + head, _close(fold)
    if not budget.take(start + end):
        section.left_out = section.total
        return
    shown = []
    for row in rows:
        if not budget.take([row]):
            break
        shown.append(row)
    section.left_out = section.total - len(shown)
    section.lines = start + shown + end


def _delete_section(deletes: Sequence[Delete], budget: _Budget) -> _Section:
    section = _Section("delete", len(deletes))
    rows = [f"| {_cell(c.email)} | {_cell(c.name)} | {' '.join(_cell_code(r) for r in c.roles) or '—'} | {c.id} |"
            for c in deletes]
    _table(budget, section, [], ["| operator | name | roles | id |", "|---|---|---|---|"], rows)
    return section


def _create_section(creates: Sequence[Create], budget: _Budget, named: Named) -> _Section:
    section = _Section("create", len(creates))
    shown = [[(label, format_value(value)) for label, value in create_lines(c, named) if label not in _NAME_FIELDS]
             for c in creates]
    common = set.intersection(*(set(fields) for fields in shown)) if len(shown) > 1 else set()
    opening = []
    if common:
        ordered = [pair for pair in shown[0] if pair in common]
        opening = [f"Every one of them gets {', '.join(markdown_code(f'{k}: {v}') for k, v in ordered)}.", ""]
    rows = []
    for change, fields in zip(creates, shown, strict=True):
        name = " ".join(str(change.fields[f]) for f in _NAME_FIELDS if change.fields.get(f))
        rest = " ".join(_cell_code(f"{label}: {value}") for label, value in fields if (label, value) not in common)
        rows.append(f"| {_cell(change.email)} | {_cell(name)} | {rest or '—'} | {_cell(change.source)} |")
    _table(budget, section, opening, ["| operator | name | fields | roster |", "|---|---|---|---|"], rows)
    return section


def _update_section(updates: Sequence[Update], budget: _Budget, named: Named) -> _Section:
    """Identical field changes on `SUMMARISE_FROM` operators or more first, one line
    each; then each operator's other changes."""
    section = _Section("update", len(updates))
    keyed = [[(change_line(fc, named), fc) for fc in update.changes] for update in updates]
    groups: dict[tuple[str, str, str], list[int]] = {}
    for n, pairs in enumerate(keyed):
        for key, _ in pairs:
            groups.setdefault(key, []).append(n)
    summarised = {key: ns for key, ns in groups.items() if len(ns) >= SUMMARISE_FROM}
    singles = [n for n, pairs in enumerate(keyed) if any(key not in summarised for key, _ in pairs)]
    count = len(updates)
    fold = count > FOLD_OVER
    start, end = _open(_TITLES["update"], count, fold), _close(fold)
    if not budget.take(start + end):
        section.left_out = count
        return section
    body: list[str] = []
    unseen: set[int] = set()  # updates with a change not shown
    if summarised and singles and budget.take(["**The same change on many operators**", ""]):
        body += ["**The same change on many operators**", ""]
    for (label, before, after), ns in sorted(summarised.items(), key=lambda item: (-len(item[1]), item[0])):
        lines = _summary_lines(label, before, after, [updates[n].email for n in ns], budget)
        if lines is None:
            unseen.update(ns)
            continue
        body += lines[0]
        unseen.update(ns[lines[1]:])
    if summarised and singles and budget.take(["", "**Each operator's other changes**", ""]):
        body += ["", "**Each operator's other changes**", ""]
    for n in singles:
        update = updates[n]
        block = [f"- **{markdown_text(update.email)}** (id {update.id})"]
        block += [f"  - {markdown_code(label)}: {markdown_code(before)} → {markdown_code(after)}"
                  for (label, before, after), _ in keyed[n] if (label, before, after) not in summarised]
        if budget.take(block):
            body += block
        else:
            unseen.add(n)
    section.left_out = len(unseen)
    section.lines = start + body + end
    return section


def _summary_lines(label: str, before: str, after: str, emails: Sequence[str],
                   budget: _Budget) -> tuple[list[str], int] | None:
    """One summarised change and as many of its operators as the budget allows:
    (lines, how many operators they name), or None if not even the line fits."""
    line = f"- {markdown_code(label)}: {markdown_code(before)} → {markdown_code(after)}: **{len(emails):,} operators**"
    names = [markdown_text(email) for email in emails]
    if len(names) <= INLINE_OPERATORS:
        whole = [f"{line}: {', '.join(names)}"]
        if budget.take(whole):
            return whole, len(names)
    opening, closing = ["", "  <details><summary>Which operators</summary>", ""], ["", "  </details>", ""]
    if not budget.take([line] + opening + closing):
        return None
    shown: list[str] = []
    for name in names:
        if not budget.take([name + ", "]):
            break
        shown.append(name)
    more = len(names) - len(shown)
    listed = ", ".join(shown) + (f", and {more:,} more not shown" if more else "")
    return [line, *opening, f"  {listed}", *closing], len(shown)


def _counted(n: int, kind: str) -> str:
    one, many = _NOUNS[kind]
    return f"{n:,} {one if n == 1 else many}"


def _left_out_note(sections: Sequence[_Section], limit: int, context: CommentContext) -> list[str]:
    parts = [f"{s.left_out:,} of {_counted(s.total, s.kind)}" if s.left_out < s.total
             else f"all {_counted(s.total, s.kind)}" for s in sections if s.left_out]
    if not parts:
        return []
    where = markdown_text(context.full_plan)
    if context.full_plan_url and _linkable(context.full_plan_url):
        where = f"[{where}]({context.full_plan_url})"
    listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return ["", f"> ⚠️ **This comment leaves out {listed}** (it is limited to {limit:,} characters). "
                f"The whole plan is in {where}."]


def _linkable(url: str) -> bool:
    return url.startswith("https://") and not any(c in url for c in " \t\r\n()<>[]\"'`\\")


def _warning_lines(warnings: Sequence[str], budget: _Budget) -> list[str]:
    lines: list[str] = []
    shown = 0
    for warning in warnings[:MAX_WARNINGS]:
        text = warning if len(warning) <= MAX_WARNING_CHARS else warning[:MAX_WARNING_CHARS] + " …"
        block = ["", f"> ⚠️ {markdown_text(text)}"]
        if not budget.take(block):
            break
        lines += block
        shown += 1
    if shown < len(warnings):
        more = ["", f"> ⚠️ {len(warnings) - shown:,} more warnings are not shown here."]
        if budget.take(more):
            lines += more
    return lines


def render_plan_markdown(plan: Plan, context: CommentContext | None = None, *, limit: int = COMMENT_LIMIT,
                         refused: str | None = None) -> str:
    """The plan as a comment of at most `limit` characters (the last line break included).

    `refused` is why the plan may not be applied (the delete guard's message): it is
    said at the top, and the comment carries no digest for the apply job to take."""
    context = context or CommentContext()
    head = header_lines(context, context.title, scope=describe_scope(plan.scope), digest=plan.digest,
                        reviewable=refused is None)
    if refused is not None:
        head += ["", f"> 🛑 **Refused:** {markdown_text(refused)}"]
    counts = plan.counts
    if plan.has_changes:
        summary = [f"**{counts['create']:,} to create, {counts['update']:,} to update, "
                   f"{counts['delete']:,} to delete** ({plan.unchanged:,} unchanged)."]
    else:
        summary = [f"**No changes.** The account matches the roster ({plan.unchanged:,} operators)."]
    footer = ["", "---", f"_{markdown_text(context.apply_hint)} Secrets are shown as `(sensitive)`._"]
    budget = _Budget(limit - _RESERVED - _size(head + [""] + summary + footer))
    if budget.left < 0:
        raise ValueError(f"a comment of {limit} characters cannot hold even the plan's header")
    warnings = _warning_lines(plan.warnings, budget)
    deletes = _delete_section([c for c in plan.changes if isinstance(c, Delete)], budget)
    updates = _update_section([c for c in plan.changes if isinstance(c, Update)], budget, plan.named)
    creates = _create_section([c for c in plan.changes if isinstance(c, Create)], budget, plan.named)
    sections = [s for s in (creates, updates, deletes) if s.total]
    note = _left_out_note(sections, limit, context)
    body = [line for s in sections for line in s.lines]
    return "\n".join(head + [""] + summary + note + warnings + body + footer) + "\n"
