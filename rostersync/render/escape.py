"""Values from a roster or from the API, made safe to show: in a terminal or a log,
in Markdown code spans, and in Markdown prose.

A roster comes from a pull request and a reply from the network, so a name may hold
``ESC[2J`` (clear the screen), a carriage return that overwrites a line, a bidi
override that shows ``nimda`` as ``admin``, ``<script>``, backticks that end a code
span, or ``@channel`` that pings a whole organisation. Every renderer passes every
such value through one of these three functions:

    for_terminal("Ada\\x1b[2J\\u202e")   ->  Ada\\x1b[2J\\u202e   (visible escapes)
    markdown_code("a`b")                 ->  ``a`b``
    markdown_text("<b>@team #12</b>")    ->  &lt;b&gt;@&#8203;team #&#8203;12&lt;/b&gt;

`for_terminal` escapes every character of Unicode's control (Cc), format (Cf), line
and paragraph separator (Zl, Zp) and surrogate (Cs) categories: C0 with TAB, LF and
CR, DEL, C1, bidi embeddings, overrides and isolates, zero-width spaces and joiners,
the byte-order mark, soft hyphens, tag characters. Everything else, accented and
non-Latin letters and emoji included, is kept as is. The escapes are those of a YAML
(and Python) double-quoted string: ``\\t \\n \\r``, ``\\xNN`` up to U+00FF,
``\\uNNNN``, ``\\UNNNNNNNN``. A backslash already in the text is kept, so that the
function can be applied twice without harm and ordinary text never changes; the
escapes are for a person to read, not to be decoded.

`markdown_text` relies on what GitHub and GitLab share: CommonMark with GFM's
autolinks, then filters that turn ``@name``, ``#12`` and the like in the rendered
text into mentions and references. A backslash does not stop those filters (they run
after the backslash is gone), so a zero-width space, written as the entity
``&#8203;`` to keep the source free of invisible characters, goes after the sigil:
it reads the same and links nothing. This is what Renovate does to release notes.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["for_terminal", "json_safe", "markdown_code", "markdown_text"]

# Unicode categories that draw nothing of their own, or move the cursor, or reorder text.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _is_unsafe(char: str) -> bool:
    return unicodedata.category(char) in _UNSAFE_CATEGORIES


def _escape_char(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def for_terminal(text: str) -> str:
    """`text` with every control, format and separator character as a visible escape."""
    if text.isprintable():  # the common case, decided in C: no such character at all
        return text
    return "".join(_escape_char(c) if _is_unsafe(c) else c for c in text)


def json_safe(json_text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with the characters
    `for_terminal` escapes written as JSON ``\\u`` escapes: the same value once parsed,
    nothing raw on a terminal. ``json.dumps`` escapes only C0 and leaves DEL, C1, bidi
    controls and lone surrogates as they are. Outside strings JSON text is ASCII, so
    every such character is inside a string, where a ``\\u`` escape means itself."""
    if json_text.replace("\n", "").isprintable():  # the line breaks of indent=2 are the only raw ones
        return json_text
    return "".join(_json_escape(c) if c != "\n" and _is_unsafe(c) else c for c in json_text)


def _json_escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # a UTF-16 surrogate pair, the only way JSON spells these
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


_BACKTICKS = re.compile(r"`+")


def markdown_code(text: str) -> str:
    """An inline code span showing `text` (terminal-escaped) literally, backticks
    included: the fence is one backtick longer than the longest run inside, and a
    space pads content that would otherwise touch the fence or lose an edge space
    (CommonMark, "Code spans"). Inside a code span nothing is markup: no HTML, no
    entity, no link, mention or reference."""
    content = for_terminal(text)
    longest = max((len(run) for run in _BACKTICKS.findall(content)), default=0)
    fence = "`" * (longest + 1)
    if not content:
        return "` `"  # a code span cannot be empty; a lone space is kept as it is
    if (content.startswith("`") or content.endswith("`")
            or (content.startswith(" ") and content.endswith(" ") and content.strip(" "))):
        content = f" {content} "
    return f"{fence}{content}{fence}"


_ZWSP = "&#8203;"
_HTML = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
# Characters that open or close emphasis, strikethrough, links, images, code spans and
# table cells; a backslash makes each one literal (CommonMark, "Backslash escapes").
_PUNCTUATION = frozenset("\\`*_[]|~")
_MARKDOWN_SPECIAL = re.compile(r"""
      (?P<sigil> [#!$&](?=[0-9]) | [~%](?=[0-9A-Za-z"]) )  # #12 an issue; on GitLab also !12 a merge request,
                                                          # $12 a snippet, &12 an epic, ~label, %milestone
    | (?P<gh> (?<![0-9A-Za-z_]) [gG][hH] (?=-[0-9]) )     # GH-12, GitHub's other issue reference
    | (?P<mention> (?<![0-9A-Za-z_]) @ )                  # @name, @org/team; the @ of ada@x.fr mentions nobody
    | (?P<url> : (?=//) )                                 # https://host, autolinked by GFM
    | (?P<www> (?<![0-9A-Za-z_]) [wW]{3} (?=\.) )         # www.host, autolinked by GFM
    | (?P<char> [\\`*_\[\]|~<>&] )                        # markup characters, and HTML's
""", re.VERBOSE)


def _markdown_replacement(match: re.Match[str]) -> str:
    text = match.group()
    if match.lastgroup == "char":
        return _HTML.get(text) or f"\\{text}"
    if match.lastgroup == "sigil":
        shown = _HTML.get(text) or (f"\\{text}" if text in _PUNCTUATION else text)
        return shown + _ZWSP
    return text + _ZWSP  # mention, gh, url, www


def markdown_text(text: str) -> str:
    """`text` (terminal-escaped) as Markdown prose that renders as exactly those
    characters: HTML inert, no emphasis, link, image, code span or table cell, and on
    GitHub or GitLab no mention, issue or merge-request reference, or autolinked URL.
    Meant for a value inside a line (it escapes no line-start syntax: after
    `for_terminal` there is no line break left to start a line with)."""
    return _MARKDOWN_SPECIAL.sub(_markdown_replacement, for_terminal(text))
