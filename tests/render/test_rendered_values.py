"""The renderers on plan values holding hostile text: what a person would see, exactly."""

from __future__ import annotations

from rostersync.edit.operations import EditResult, FieldUpdate, OperatorChange
from rostersync.plan.changes import Create, Delete, FieldChange, Plan, Update
from rostersync.plan.outcomes import ApplyReport, Outcome
from rostersync.render.edits import describe_change, describe_import
from rostersync.render.markdown import render_plan_markdown
from rostersync.render.text import render_outcome, render_plan, render_report
from rostersync.render.values import format_value

NAME = "Zoé\x1b[2J\u202e`x`\n+ create admin@example.com"


def test_format_value_quotes_and_escapes_like_yaml() -> None:
    assert format_value("Zoé Ñúñez") == '"Zoé Ñúñez"'
    assert format_value('say "hi" \\ \x1b\u202e\n') == '"say \\"hi\\" \\\\ \\x1b\\u202e\\n"'
    assert format_value(["fr", "x\x1b", "ok\n"]) == '[fr, "x\\x1b", "ok\\n"]'
    assert format_value({"type\x1b": "A\u2066"}) == '{type\\x1b: "A\\u2066"}'


def hostile_plan() -> Plan:
    create = Create("new\u202e@example.com", {"email": "new\u202e@example.com", "first_name": NAME})
    update = Update("ada@example.com", 12, (FieldChange("call_config.x\x1b[1m", None, "B\x07"),),
                    {}, "f1")
    return Plan((create, update, Delete("gone@example.com", 13, "f2")), unchanged=0, live_in_scope=2,
                warnings=("live operator #12 (ada@example.com): got '\x1b[31mred' @team",))


def test_text_plan_no_value_can_forge_a_line() -> None:
    assert render_plan(hostile_plan()) == (
        "Warning: live operator #12 (ada@example.com): got '\\x1b[31mred' @team\n"
        "\n"
        "+ create new\\u202e@example.com\n"
        '    first_name: "Zoé\\x1b[2J\\u202e`x`\\n+ create admin@example.com"\n'
        "\n"
        "~ update ada@example.com (#12)\n"
        '    call_config.x\\x1b[1m: (unset) -> "B\\x07"\n'
        "\n"
        "- delete gone@example.com (#13)\n"
        "\n"
        "Plan: 1 to create, 1 to update, 1 to delete.\n"
        "Plan digest: sha256:e6a7af58932cb0cd7820f29a71f47be3cf24730e3ebdfea0fa3e058b70c16828\n"
    )


def test_markdown_plan_no_value_can_forge_a_line_or_a_link() -> None:
    plan = hostile_plan()
    lines = render_plan_markdown(plan).splitlines()
    assert lines[:7] == [
        "<!-- rostersync-plan -->",
        f"<!-- rostersync-digest: {plan.digest} -->",
        "### rostersync plan",
        "",
        f"Scope: the whole account · Digest: `{plan.digest}`",
        "",
        "**1 to create, 1 to update, 1 to delete** (0 unchanged).",
    ]
    assert lines[7:26] == [
        "",
        "> ⚠️ live operator #&#8203;12 (ada@example.com): got '\\\\x1b\\[31mred' @&#8203;team",
        "",
        "#### ➕ Create (1)",
        "",
        "| operator | name | fields | roster |",
        "|---|---|---|---|",
        # The name as prose in a table cell: backslashes, brackets and backticks escaped.
        "| new\\\\u202e@example.com | Zoé\\\\x1b\\[2J\\\\u202e\\`x\\`\\\\n+ create admin@example.com | — | — |",
        "",
        "#### ✏️ Update (1)",
        "",
        "- **ada@example.com** (id 12)",
        '  - `call_config.x\\x1b[1m`: `(unset)` → `"B\\x07"`',
        "",
        "#### ➖ Delete (1)",
        "",
        "| operator | name | roles | id |",
        "|---|---|---|---|",
        "| gone@example.com | — | — | 13 |",
    ]


def test_apply_report_escapes_emails_and_details() -> None:
    change = Delete("gone\x1b[8m@example.com", 13, "f2")
    outcome = Outcome(change, "failed", "the API said 'no\x1b[2J'\r\u202e")
    assert render_outcome(outcome) == "- gone\\x1b[8m@example.com: FAILED: the API said 'no\\x1b[2J'\\r\\u202e"
    assert render_report(ApplyReport((outcome,))).splitlines()[0] == render_outcome(outcome)


def test_edit_lines_escape_emails_files_and_values() -> None:
    change = OperatorChange("bob\x1b@example.com", "updated", "team\u202e.yaml",
                            (FieldUpdate("first_name", None, "B\x00b"), FieldUpdate("sso_key", "a", "b\x1b", True)),
                            origin="people\x1b.csv:2")
    assert describe_change(change, "roster") == (
        'people\\x1b.csv:2: updated bob\\x1b@example.com in team\\u202e.yaml: first_name (unset) -> "B\\x00b"; '
        "sso_key (sensitive) -> (sensitive)"
    )
    assert describe_change(OperatorChange("x\n@example.com", "absent", None), "dir\x1b") == (
        "x\\n@example.com is not in dir\\x1b: nothing changed"
    )
    assert describe_import(EditResult(()), "people\x1b.csv") == "people\\x1b.csv: 0 added, 0 updated, 0 unchanged"
