"""The Markdown plan as a pull-request comment: long groups folded, secrets masked.

The comment's size budget, summaries, tables and escaping: tests/render/test_markdown_comment.py."""

from __future__ import annotations

from rostersync.plan.changes import Create, Delete, FieldChange, Plan, Update
from rostersync.render.markdown import COMMENT_MARKER, FOLD_OVER, render_plan_markdown


def test_long_groups_are_folded_and_short_ones_are_not() -> None:
    creates = tuple(Create(f"op{n}@example.com", {"email": f"op{n}@example.com", "sso_key": "hunter2"})
                    for n in range(FOLD_OVER + 1))
    update = Update("ada@example.com", 12, (FieldChange("sso_key", "old-secret", "new-secret"),), "f1")
    plan = Plan(creates + (update, Delete("gone@example.com", 13, "f2")), unchanged=4, live_in_scope=6)
    text = render_plan_markdown(plan)
    lines = text.splitlines()
    assert lines[:7] == [COMMENT_MARKER, f"<!-- rostersync-digest: {plan.digest} -->", "### rostersync plan", "",
                         f"Scope: the whole account · Digest: `{plan.digest}`", "",
                         "**6 to create, 1 to update, 1 to delete** (4 unchanged)."]
    assert "<details><summary><b>➕ Create (6)</b></summary>" in lines
    assert "Every one of them gets `sso_key: (sensitive)`." in lines
    assert "#### ✏️ Update (1)" in lines and "#### ➖ Delete (1)" in lines
    assert "  - `sso_key`: `(sensitive)` → `(sensitive)`" in lines
    assert "hunter2" not in text and "secret" not in text.replace("Secrets are shown", "")
    assert lines[-1].startswith("_Merging this pull request applies the plan.")


def test_no_changes_reads_as_one_line() -> None:
    text = render_plan_markdown(Plan((), unchanged=9, live_in_scope=9))
    assert "**No changes.** The account matches the roster (9 operators)." in text
