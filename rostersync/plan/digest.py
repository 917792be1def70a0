"""A plan's digest: one short string that names exactly what a plan would write.

A reviewer approves a plan; much later, a CI job applies "the plan of the merged
roster". `apply --expect-digest DIGEST` applies only when the plan it computes then
has the digest of the plan that was reviewed, so what is applied is what was read.

The digest is ``sha256:`` and the SHA-256, in lower-case hex, of the canonical JSON
(keys sorted, no spaces, ASCII, ``json.dumps(..., sort_keys=True,
separators=(",", ":"), ensure_ascii=True, allow_nan=False)``) of::

    {"digest": "rostersync plan digest v1",
     "changes": [                                           # in plan order
       {"action": "create", "email": E, "fields": {API_FIELD: VALUE, ...}},
       {"action": "update", "email": E, "id": N,
        "changes": [{"field": F, "before": B, "after": A}, ...]},
       {"action": "delete", "email": E, "id": N}]}

Fields are the API's names (``chat_max_number``, ``call_config.type``); the values of
set-like fields (roles, languages, websites, skills) are sorted, so the order in
which an API lists them does not count. Nothing else is hashed: not the time, not
the warnings, not where in the roster a change comes from, not the fingerprints of
the live operators (a change to a field the roster does not manage writes nothing
different), not the selection (the changes already say what it chose).

Secrets (``sso_key``) are hashed without being exposed. A digest is posted where
anyone reading the pull request sees it, and a plain hash of a short secret falls
to a brute-force search; so each secret value is replaced by ``(sensitive)
hmac-sha256:TAG``, TAG being HMAC-SHA256 of the value's canonical JSON under a key
derived from the API key (HMAC-SHA256 of the API key over a fixed label). Only
someone holding the API key can compute the digest of a plan that sets a secret,
which is who plans and applies anyway. A plan given no key (`Plan.digest_key` is
None: a plan built without `api_key`) hashes each secret as ``(sensitive)`` alone: a
secret set or cleared still changes the digest, a secret's new value does not.
The plan and the apply must therefore be made with the same API key for a plan
that sets a secret to match its reviewed digest.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from rostersync.plan.errors import DigestMismatchError
from rostersync.roster.fields import BY_API, SENSITIVE_API_FIELDS, SENSITIVE_MASK

if TYPE_CHECKING:
    from rostersync.plan.changes import Change, Plan

DIGEST_LABEL = "rostersync plan digest v1"
DIGEST_PREFIX = "sha256:"
DIGEST_PATTERN = re.compile(r"sha256:[0-9a-f]{64}")
_KEY_LABEL = b"rostersync plan digest secrets v1"
_SETS = frozenset(spec.api for spec in BY_API.values() if spec.kind in ("str_set", "int_set"))


def digest_key(api_key: str) -> bytes:
    """The key secrets are hashed with: derived from the API key, which is never used itself."""
    return hmac.new(api_key.encode("utf-8"), _KEY_LABEL, hashlib.sha256).digest()


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False,
                      default=repr).encode("ascii")


def digest_input(changes: Iterable[Change], key: bytes | None) -> dict[str, Any]:
    """What is hashed, as a JSON value (see the module docstring)."""
    from rostersync.plan.changes import Create, Update

    items: list[dict[str, Any]] = []
    for change in changes:
        if isinstance(change, Create):
            fields = {name: _value(name, value, key) for name, value in change.fields.items()}
            items.append({"action": "create", "email": change.email, "fields": fields})
        elif isinstance(change, Update):
            moves = [{"field": c.field, "before": _value(c.top, c.before, key), "after": _value(c.top, c.after, key)}
                     for c in change.changes]
            items.append({"action": "update", "email": change.email, "id": change.id, "changes": moves})
        else:
            items.append({"action": "delete", "email": change.email, "id": change.id})
    return {"digest": DIGEST_LABEL, "changes": items}


def plan_digest(changes: Iterable[Change], key: bytes | None) -> str:
    """``sha256:`` and 64 hex digits: the digest of these changes."""
    return DIGEST_PREFIX + hashlib.sha256(canonical_json(digest_input(changes, key))).hexdigest()


def _value(api_field: str, value: Any, key: bytes | None) -> Any:
    if value is None:
        return None
    if api_field in SENSITIVE_API_FIELDS:
        if key is None:
            return SENSITIVE_MASK
        return f"{SENSITIVE_MASK} hmac-sha256:{hmac.new(key, canonical_json(value), hashlib.sha256).hexdigest()}"
    if api_field in _SETS and isinstance(value, list):
        return sorted(value, key=canonical_json)
    if isinstance(value, Mapping):
        return dict(value)
    return value


def parse_digest(text: str) -> str:
    """`text` as a digest (``sha256:`` and 64 hex digits, any case), lower-cased; ValueError otherwise."""
    digest = text.strip().lower()
    if not DIGEST_PATTERN.fullmatch(digest):
        raise ValueError(f"a plan digest is 'sha256:' and 64 hexadecimal digits, got {text[:80]!r}")
    return digest


def check_digest(plan: Plan, expected: str) -> None:
    """`DigestMismatchError` unless `plan` has the digest `expected` (as `parse_digest` reads it)."""
    if not hmac.compare_digest(plan.digest, parse_digest(expected)):
        raise DigestMismatchError(plan, parse_digest(expected))
