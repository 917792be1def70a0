"""The three escaping functions every renderer uses, checked by example and, for
Markdown, against a CommonMark parser (markdown-it-py, with GFM's tables,
strikethrough and autolinks) and a model of GitHub's and GitLab's mention and
reference filters."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from rostersync.render.escape import for_terminal, json_safe, markdown_code, markdown_text

HOSTILE = "Eve\x1b[2J\u202enimda\x00<script>alert(1)</script> `x`` @channel #12"

# Characters that make trouble somewhere, mixed with any text at all.
_TRICKY = list("ab1 @#!$%&~`*_[]|<>\\:/.wW-gGhH\"'()\x1b\x00\r\n\t\x7f\x85\u202e\u2066\u200b\u2028\ufeff")
tricky_text = st.text(st.sampled_from(_TRICKY) | st.characters(), max_size=40)


def unsafe_characters(text: str) -> list[str]:
    """What a terminal would act on, or a reader could not see."""
    import unicodedata

    return [c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs")]


# --- for_terminal ------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "shown"), [
    ("Ada Lovelace", "Ada Lovelace"),
    ("Zoé Ñúñez, 日本語, Ελένη, 🙂", "Zoé Ñúñez, 日本語, Ελένη, 🙂"),
    ("\x1b[2J", "\\x1b[2J"),
    ("a\x00b\x07c\x7fd", "a\\x00b\\x07c\\x7fd"),
    ("line\nfake line\rover\ttab", "line\\nfake line\\rover\\ttab"),
    ("c1 \x85 \x9b \x80 \x9f", "c1 \\x85 \\x9b \\x80 \\x9f"),
    ("\u202a\u202b\u202c\u202d\u202e", "\\u202a\\u202b\\u202c\\u202d\\u202e"),
    ("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069"),
    ("zero\u200bwidth\u200c\u200d\u200e\u200f\ufeff", "zero\\u200bwidth\\u200c\\u200d\\u200e\\u200f\\ufeff"),
    ("\u2028\u2029", "\\u2028\\u2029"),
    ("tag \U000e0041, lone \ud800", "tag \\U000e0041, lone \\ud800"),
    ("already \\x1b escaped", "already \\x1b escaped"),  # a backslash is kept: ordinary text never changes
    ("no-break\u00a0space", "no-break\u00a0space"),  # visible as a space, moves nothing
])
def test_for_terminal_makes_every_control_and_format_character_visible(raw: str, shown: str) -> None:
    assert for_terminal(raw) == shown


@given(tricky_text)
def test_for_terminal_leaves_nothing_a_terminal_acts_on_and_can_run_twice(text: str) -> None:
    shown = for_terminal(text)
    assert unsafe_characters(shown) == []
    assert for_terminal(shown) == shown
    if not unsafe_characters(text):
        assert shown == text


# --- json_safe ---------------------------------------------------------------------------------

@given(st.dictionaries(tricky_text, tricky_text | st.lists(tricky_text, max_size=3), max_size=4))
def test_json_safe_keeps_the_value_and_escapes_what_json_dumps_leaves_raw(data: dict[str, object]) -> None:
    text = json_safe(json.dumps(data, indent=2, ensure_ascii=False))
    assert json.loads(text) == data
    assert unsafe_characters(text.replace("\n", "")) == []


def test_json_safe_writes_json_escapes_and_keeps_accented_names() -> None:
    text = json_safe(json.dumps({"n": "Zoé\x7f\x85\u202e\U000e0041"}, ensure_ascii=False))
    assert text == '{"n": "Zoé\\u007f\\u0085\\u202e\\udb40\\udc41"}'


# --- markdown_code -----------------------------------------------------------------------------

class GitHubAutolinks:
    """linkify-it, linking what GitHub's Markdown links of itself (GFM's extended
    autolinks): ``http://`` and ``https://`` URLs and ``www.`` hosts, not a bare domain
    such as ``example.com`` or ``0.AL``, which linkify-it's fuzzy links take for one.
    Emails are left out too: GitHub links an operator's email to ``mailto:``, which is
    the address the plan shows, and links nobody."""

    def __init__(self, linkify: Any) -> None:
        self._linkify = linkify

    def pretest(self, text: str) -> bool:
        return bool(self._linkify.pretest(text))

    def test(self, text: str) -> bool:
        return self.match(text) is not None

    def match(self, text: str) -> list[Any] | None:
        links = [link for link in self._linkify.match(text) or [] if self._github_links(link)]
        return links or None

    def match_at_start(self, text: str) -> Any:
        link = self._linkify.match_at_start(text)
        return link if link is not None and self._github_links(link) else None

    @staticmethod
    def _github_links(link: Any) -> bool:
        return link.schema.lower() in ("http:", "https:") or (not link.schema and link.raw.lower().startswith("www."))


MD = MarkdownIt("gfm-like")  # CommonMark, tables, strikethrough, linkify ...
MD.linkify = GitHubAutolinks(MD.linkify)  # ... of what GitHub links


def test_the_markdown_model_links_what_github_links() -> None:
    # (linkify-it takes a host for one only with a known top-level domain.)
    rendered = MD.renderInline("https://a.example www.b.com c.com 0.AL ada@example.com")
    assert rendered.count("<a ") == 2 and 'href="https://a.example"' in rendered and ">www.b.com</a>" in rendered


@pytest.mark.parametrize(("raw", "span"), [
    ('"Newcomer"', '`"Newcomer"`'),
    ("a`b", "``a`b``"),
    ("x `` y", "```x `` y```"),
    ("`", "`` ` ``"),
    ("```", "```` ``` ````"),
    ("`start", "`` `start ``"),
    (" padded ", "`  padded  `"),
    ("  ", "`  `"),
    ("", "` `"),
    ("<b>\x1b", "`<b>\\x1b`"),
])
def test_markdown_code_fences_past_every_backtick_run(raw: str, span: str) -> None:
    assert markdown_code(raw) == span


def code_span_text(rendered_inline: str) -> str:
    found = re.fullmatch(r"<code>(.*)</code>", rendered_inline, re.DOTALL)
    assert found, rendered_inline
    return html.unescape(found.group(1))


@given(tricky_text)
def test_markdown_code_renders_as_one_code_span_of_the_escaped_text(text: str) -> None:
    expected = for_terminal(text) or " "
    assert code_span_text(MD.renderInline(markdown_code(text))) == expected
    # ... also inside a list item, as in a plan.
    rendered = MD.render(f"- {markdown_code('label')}: {markdown_code(text)} → {markdown_code('x')}")
    assert rendered.count("<code>") == 3 and rendered.startswith("<ul>\n<li><code>label</code>: <code>")


# --- markdown_text -----------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "markdown"), [
    ("ada@example.com", "ada@example.com"),
    ("The account returned no operators in scope.", "The account returned no operators in scope."),
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("AT&T", "AT&amp;T"),
    ("*bold* _it_ `code` [a](b) ![i](s) x|y ~~s~~ \\", "\\*bold\\* \\_it\\_ \\`code\\` \\[a\\](b) !\\[i\\](s) x\\|y "
                                                     "\\~\\~&#8203;s\\~\\~ \\\\"),
    ("@channel, cc @org/team, ping.@here", "@&#8203;channel, cc @&#8203;org/team, ping.@&#8203;here"),
    ("live operator #12, owner/repo#3, GH-4", "live operator #&#8203;12, owner/repo#&#8203;3, GH&#8203;-4"),
    ("!5 $6 &7 ~bug %v1", "!&#8203;5 $&#8203;6 &amp;&#8203;7 \\~&#8203;bug %&#8203;v1"),
    ("https://evil.example/x www.evil.example", "https:&#8203;//evil.example/x www&#8203;.evil.example"),
    ("Eve\x1b[2J\u202e", "Eve\\\\x1b\\[2J\\\\u202e"),
])
def test_markdown_text_is_inert(raw: str, markdown: str) -> None:
    assert markdown_text(raw) == markdown


# GitHub's and GitLab's filters, run on the rendered text: what they would link.
_REFERENCE = re.compile(r"(?<![0-9A-Za-z_])@[0-9A-Za-z]|[#!$&][0-9]|[~%][0-9A-Za-z\"]|(?<![0-9A-Za-z_])gh-[0-9]",
                        re.IGNORECASE)


@given(tricky_text)
def test_markdown_text_renders_as_exactly_its_text_and_links_nobody(text: str) -> None:
    rendered = MD.renderInline(markdown_text(text))
    assert "<" not in rendered  # no element at all: no link, no emphasis, no code, no HTML
    shown = html.unescape(rendered)
    assert shown.replace("\u200b", "") == for_terminal(text)
    assert not _REFERENCE.search(shown), shown


@given(tricky_text.filter(lambda text: for_terminal(text).strip() == for_terminal(text) != ""))
def test_markdown_text_stays_one_bold_run_as_an_email_in_a_plan(text: str) -> None:
    # (Bold needs no space just inside the stars: an email with one shows them literally.)
    rendered = MD.renderInline(f"**{markdown_text(text)}** (id 12)")
    assert rendered.startswith("<strong>") and rendered.endswith("</strong> (id 12)"), rendered
    inner = rendered[len("<strong>"):-len("</strong> (id 12)")]
    assert "<" not in inner
    assert html.unescape(inner).replace("\u200b", "") == for_terminal(text)
