"""A roster file's text with its secret values masked, line for line, for a diff.

A secret (``sso_key``) may be written on one line, in a flow mapping, quoted across
lines, plain across lines, or as a block scalar (``sso_key: >-`` and the lines below
it). A pattern over lines cannot know where such a value ends, so the value is found
by parsing the text: every scalar, list or mapping under a secret key, at any depth
(an operator, ``defaults``, a profile). Each line of it reads ``(sensitive)`` instead,
and every other byte is kept, line breaks included, so that line N of the masked text
is line N of the file and a diff of the real texts can show the masked lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml

from rostersync.roster.fields import FIELDS, SENSITIVE_MASK

SECRET_KEYS = frozenset(spec.roster[-1] for spec in FIELDS if spec.sensitive)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# When the text does not parse (it always should: the loader read it), a line with a
# secret key loses the rest of it; the lines below a multi-line value cannot be told.
_SECRET_LINE = re.compile(r"(?P<key>\b(?:" + "|".join(sorted(SECRET_KEYS)) + r")\s*:)(?P<value>[^\r\n]*)")


def masked(text: str) -> str:
    """`text` with every line of every secret value reading `SENSITIVE_MASK`."""
    if not any(key in text for key in SECRET_KEYS):
        return text
    try:
        spans = sorted(_secret_spans(yaml.compose(text, Loader=_LOADER)))
    except yaml.YAMLError:
        return _SECRET_LINE.sub(lambda m: m["key"] + " " + SENSITIVE_MASK, text)
    parts: list[str] = []
    done = 0
    for start, end in spans:
        if start < done:
            continue  # inside a span already masked (an anchor's value, used twice)
        parts += [text[done:start], _mask_lines(text[start:end])]
        done = end
    return "".join([*parts, text[done:]])


def _secret_spans(root: yaml.Node | None) -> Iterator[tuple[int, int]]:
    """The (start, end) offsets of every value under a secret key."""
    seen: set[int] = set()
    todo = [root] if root is not None else []
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue  # an alias, perhaps to a node that holds itself
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value in SECRET_KEYS:
                    yield value.start_mark.index, value.end_mark.index
                else:
                    todo.append(value)
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)


def _mask_lines(value: str) -> str:
    """Each line of `value` with its text, from first to last non-blank, as the mask."""
    lines = value.split("\n")
    for number, line in enumerate(lines):
        body = line.rstrip("\r")
        content = body.strip(" \t")
        if content:
            start = body.index(content)
            lines[number] = body[:start] + SENSITIVE_MASK + line[start + len(content):]
    return "\n".join(lines)
