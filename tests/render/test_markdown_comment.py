"""The plan comment: within its limit whatever the plan, saying what it leaves out;
creates as a table, identical changes summarised, deletes naming who goes; every
value from a roster or the account rendered as text (checked with a CommonMark
parser with GFM tables), and no ``#1004`` that would link an issue."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from rostersync.ci.threads import fit_body
from rostersync.plan.changes import Create, Delete, FieldChange, Plan, Update
from rostersync.render.ci_markdown import (
    applied_digest,
    render_failure_markdown,
    render_outcome_markdown,
    reviewed_digest,
)
from rostersync.render.markdown import (
    COMMENT_LIMIT,
    COMMENT_MARKER,
    CommentContext,
    fenced,
    header_lines,
    render_plan_markdown,
)
from rostersync.roster.scope import Scope

MD = MarkdownIt("gfm-like")
DIGEST = "sha256:" + "0f" * 32
HOSTILE = "Eve <script>alert(1)</script> `x`` | @channel #12 **bold**"


def create(n: int, **fields: object) -> Create:
    email = f"operator{n:04d}@example.com"
    return Create(email, {"email": email, "first_name": f"Operator{n}", "name": "Martin", "roles": ["operator"],
                          "chat_max_number": 3, "language_list": ["fr"], "external_id": f"HR-{n:04d}", **fields},
                  f"roster/team.yaml:{10 + 8 * n}")


def update(n: int, *changes: FieldChange) -> Update:
    return Update(f"agent{n:04d}@example.com", 2000 + n, changes, "f")


def test_two_thousand_creates_fit_and_the_comment_says_what_it_left_out() -> None:
    plan = Plan(tuple(create(n) for n in range(2000)), unchanged=0, live_in_scope=0)
    context = CommentContext(full_plan="the job summary", full_plan_url="https://github.com/o/r/actions/runs/1")
    text = render_plan_markdown(plan, context)
    assert len(text) <= COMMENT_LIMIT
    shown = text.count("| operator")  # the rows: every email starts so
    note = re.search(r"\*\*This comment leaves out ([\d,]+) of 2,000 creates\*\*", text)
    assert note is not None and int(note.group(1).replace(",", "")) == 2000 - (shown - 1)
    assert shown > 300  # the table is compact: hundreds of rows fit, not a hundred
    assert "The whole plan is in [the job summary](https://github.com/o/r/actions/runs/1)." in text
    assert "Every one of them gets `roles: [operator]`, `chat.max: 3`, `languages: [fr]`." in text
    assert text.index("leaves out") < text.index("Create (2,000)")  # said before the changes


def test_deletes_are_all_shown_before_creates_when_the_budget_is_short() -> None:
    deletes = tuple(Delete(f"gone{n:03d}@example.com", 5000 + n, "f", f"Gone {n}", ("admin", "expert"))
                    for n in range(200))
    plan = Plan(tuple(create(n) for n in range(2000)) + deletes, unchanged=0, live_in_scope=200)
    text = render_plan_markdown(plan)
    assert len(text) <= COMMENT_LIMIT
    assert all(f"| gone{n:03d}@example.com | Gone {n} | `admin` `expert` | {5000 + n} |" in text for n in range(200))
    assert "leaves out" in text and "deletes" not in text.split("leaves out")[1].split("\n")[0]


def test_identical_changes_on_many_operators_are_one_line_their_operators_folded() -> None:
    same = FieldChange("chat_max_number", 3, 5)
    updates = [update(n, same) for n in range(300)]
    updates[7] = update(7, same, FieldChange("first_name", "Ann", "Anna"))
    text = render_plan_markdown(Plan(tuple(updates), unchanged=0, live_in_scope=300))
    lines = text.splitlines()
    assert "- `chat.max`: `3` → `5`: **300 operators**" in lines
    assert "  <details><summary>Which operators</summary>" in lines
    assert text.count("agent0123@example.com") == 1  # in the folded list, nowhere else
    assert "- **agent0007@example.com** (id 2007)" in lines  # its other change, on its own
    assert "  - `first_name`: `\"Ann\"` → `\"Anna\"`" in lines
    assert "**The same change on many operators**" in lines and "**Each operator's other changes**" in lines


def test_a_few_identical_changes_list_their_operators_inline() -> None:
    same = FieldChange("language_list", ["fr"], ["en", "fr"])
    text = render_plan_markdown(Plan(tuple(update(n, same) for n in range(3)), unchanged=0, live_in_scope=3))
    assert ("- `languages`: `[fr]` → `[en, fr]`: **3 operators**: agent0000@example.com, agent0001@example.com, "
            "agent0002@example.com") in text.splitlines()


def test_a_delete_says_who_goes_and_no_id_links_an_issue() -> None:
    plan = Plan((Delete("ada@example.com", 1004, "f", "Ada Lovelace", ("admin",)),
                 update(1, FieldChange("chat_priority", 0, 10))), unchanged=0, live_in_scope=2,
                warnings=("live operator #1004 (ada@example.com): odd reply",))
    text = render_plan_markdown(plan)
    assert "| ada@example.com | Ada Lovelace | `admin` | 1004 |" in text
    assert "(id 2001)" in text
    assert not re.search(r"(?<![&\w])#\d", text.replace("#&#8203;", ""))


def test_hostile_values_render_as_text_in_tables_and_lists() -> None:
    plan = Plan((Create("new@example.com", {"email": "new@example.com", "first_name": HOSTILE,
                                            "pseudo": HOSTILE}, "team.yaml:3"),
                 Update("ada@example.com", 12, (FieldChange("first_name", "Ada", HOSTILE),), "f"),
                 Delete("gone@example.com", 13, "f", HOSTILE, ("a|b",))), unchanged=0, live_in_scope=2)
    tokens = MD.parse(render_plan_markdown(plan))
    children = [c for t in tokens if t.type == "inline" for c in t.children or []]
    # The two markers only: the comment's, and the digest's (64 hex digits, nothing from a value).
    assert [t for t in tokens if t.type == "html_block"] == tokens[:2]
    assert [t.content for t in tokens[:2]] == [f"{COMMENT_MARKER}\n", f"<!-- rostersync-digest: {plan.digest} -->\n"]
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", plan.digest)
    assert [c for c in children if c.type == "html_inline"] == []
    assert [t.type for t in tokens].count("tr_open") == 4  # two tables, a head and a row each
    assert [t.type for t in tokens].count("td_open") == 8  # four cells a row: no | split one
    texts = [c.content for c in children if c.type == "text"]
    codes = [c.content for c in children if c.type == "code_inline"]
    # Prose: the characters themselves, with a zero-width space after @ and # (no mention, no issue).
    assert texts.count("Eve <script>alert(1)</script> `x`` | @\u200bchannel #\u200b12 **bold**") == 2
    assert f'pseudo: "{HOSTILE}"' in codes and f'"{HOSTILE}"' in codes and "a|b" in codes
    assert not [c for c in children if c.type in ("strong_open", "em_open") and "bold" in c.content]


def test_the_header_names_account_scope_commit_and_digest() -> None:
    context = CommentContext(account="sd.iadvize.com (standard platform)", commit="0123456789abcdef" * 2 + "01234567")
    lines = header_lines(context, "rostersync plan", scope="website 123, group 7", digest=DIGEST)
    assert lines == [COMMENT_MARKER, f"<!-- rostersync-digest: {DIGEST} -->", "### rostersync plan", "",
                     "Account: **sd.iadvize.com (standard platform)** · Scope: website 123, group 7 · "
                     f"Commit: `0123456789ab` · Digest: `{DIGEST}`"]
    assert reviewed_digest("\n".join(lines)) == DIGEST


def test_the_header_of_a_real_plan_shows_its_scope() -> None:
    plan = Plan((), unchanged=3, live_in_scope=3, scope=Scope(website=123))
    assert "Scope: website 123" in render_plan_markdown(plan, CommentContext(account="ha.iadvize.com"))


def test_a_refused_plan_says_why_and_carries_no_digest_marker() -> None:
    plan = Plan((Delete("a@example.com", 1, "f"), Delete("b@example.com", 2, "f")), unchanged=0, live_in_scope=2)
    text = render_plan_markdown(plan, refused="This plan deletes 2 of the 2 operators in scope")
    assert "> 🛑 **Refused:** This plan deletes 2 of the 2 operators in scope" in text
    assert reviewed_digest(text) is None


def test_failure_and_outcome_bodies() -> None:
    context = CommentContext(commit="abc")
    failure = render_failure_markdown("The roster is not valid", "Nothing to review.",
                                      "team.yaml:3:5: `x` <b>@team</b>\n1 problem found", context)
    assert failure.startswith(COMMENT_MARKER + "\n### ❌ The roster is not valid\n")
    assert "```text\nteam.yaml:3:5: `x` <b>@team</b>\n1 problem found\n```" in failure
    assert reviewed_digest(failure) is None

    applied = render_outcome_markdown(0, "Apply complete: 1 created.", context, digest=DIGEST)
    assert applied_digest(applied) == DIGEST and reviewed_digest(applied) is None
    refused = render_outcome_markdown(1, "Error: stale", context, digest=DIGEST)
    assert applied_digest(refused) is None and reviewed_digest(refused) is None
    assert "Not applied" in refused
    interrupted = render_outcome_markdown(143, "", context, digest=DIGEST)
    assert "interrupted" in interrupted


def test_a_long_log_is_cut_from_the_front_and_folded() -> None:
    log = "".join(f"- changed operator{n}@example.com\n" for n in range(5000)) + "Apply complete: 5000 updated.\n"
    body = render_outcome_markdown(0, log, CommentContext(), digest=DIGEST)
    assert len(body) <= COMMENT_LIMIT
    assert "Apply complete: 5000 updated." in body and "earlier lines are in the job log" in body
    assert "<details><summary>The apply log</summary>" in body


@pytest.mark.parametrize("text", ["plain", "a ``` fence", "````four", "`"])
def test_a_fence_is_longer_than_any_backtick_run_inside(text: str) -> None:
    block = fenced(text)
    tokens = MD.parse("\n".join(block))
    assert [t.type for t in tokens] == ["fence"] and tokens[0].content == text + "\n"


def test_fit_body_cuts_at_a_line_and_says_so() -> None:
    body = COMMENT_MARKER + "\n" + "x" * 20 + "\n" + "y" * 200
    fitted = fit_body(body, 150)
    assert len(fitted) <= 150 and fitted.startswith(COMMENT_MARKER + "\n" + "x" * 20 + "\n")
    assert "yy" not in fitted and "cut here: the comment is limited to 150 characters" in fitted
    assert fit_body("short", 150) == "short"
