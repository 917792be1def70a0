"""The plan as Markdown, for a pull-request comment.

A summary line first, then the changes grouped by action, each group folded in
<details> when long, secrets masked, and a footer saying how the plan gets applied.

A pull-request comment is read on GitHub or GitLab, where ``#12`` links an issue and
``@name`` notifies someone: labels and values go in code spans (`markdown_code`),
emails and warnings are escaped prose (`markdown_text`), and an operator's id is
written ``(id 12)``, never ``#12``.
"""

from __future__ import annotations

from rostersync.plan.changes import Change, ChangeKind, Create, Plan, Update
from rostersync.render.escape import markdown_code, markdown_text
from rostersync.render.values import change_line, create_lines, format_value

# Groups with more changes than this are folded, so a large plan stays readable.
FOLD_OVER = 5
COMMENT_MARKER = "<!-- rostersync-plan -->"
_KINDS: tuple[ChangeKind, ...] = ("create", "update", "delete")
_TITLES = {"create": "➕ Create", "update": "✏️ Update", "delete": "➖ Delete"}


def _change_block(change: Change) -> list[str]:
    ident = f" (id {change.id})" if change.id is not None else ""
    lines = [f"- **{markdown_text(change.email)}**{ident}"]
    if isinstance(change, Create):
        lines += [f"  - {markdown_code(label)}: {markdown_code(format_value(value))}"
                  for label, value in create_lines(change)]
    elif isinstance(change, Update):
        for field_change in change.changes:
            label, before, after = change_line(field_change)
            lines.append(f"  - {markdown_code(label)}: {markdown_code(before)} → {markdown_code(after)}")
    return lines


def render_plan_markdown(plan: Plan, apply_hint: str = "Merging this pull request applies the plan.") -> str:
    counts = plan.counts
    lines = [COMMENT_MARKER, "### rostersync plan", ""]
    if plan.has_changes:
        lines.append(f"**{counts['create']} to create, {counts['update']} to update, {counts['delete']} to delete** "
                     f"({plan.unchanged} unchanged).")
    else:
        lines.append(f"**No changes.** The account matches the roster ({plan.unchanged} operators).")
    for warning in plan.warnings:
        lines += ["", f"> ⚠️ {markdown_text(warning)}"]
    for kind in _KINDS:
        changes = plan.of(kind)
        if not changes:
            continue
        title = f"{_TITLES[kind]} ({len(changes)})"
        body = [line for change in changes for line in _change_block(change)]
        if len(changes) > FOLD_OVER:
            lines += ["", f"<details><summary><b>{title}</b></summary>", "", *body, "", "</details>"]
        else:
            lines += ["", f"#### {title}", "", *body]
    lines += ["", "---", f"_{apply_hint} Secrets are shown as `(sensitive)`._", ""]
    return "\n".join(lines)
