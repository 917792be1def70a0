"""What a reply means: success with its JSON envelope, or which failure.

A reply is a success only if its HTTP status is 2xx AND its ``meta.status`` is
``success``; everything else becomes a :class:`Failure` naming the exception class
to raise, the words for its message, and whether another attempt may help.
"""

from __future__ import annotations

import email.utils
import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from rostersync.api.errors import (
    ApiError,
    AuthError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitedError,
    RejectedError,
    ServerError,
    UnexpectedResponseError,
)
from rostersync.api.redaction import Redactor

__all__ = ["MAX_SERVER_MESSAGE_CHARS", "OUTCOME_UNKNOWN_ADVICE", "RETRYABLE_STATUSES", "RETRY_AFTER_CAP_S",
           "Failure", "Reply", "read_response", "retry_after", "unexpected_reply"]

RETRY_AFTER_CAP_S = 30.0  # a server asking for longer is waited out no more than this
MAX_SERVER_MESSAGE_CHARS = 300  # of meta.message quoted in an error, after redaction
RETRYABLE_STATUSES = frozenset({502, 503, 504})
_BASE_URL_ADVICE = "check that --base-url points at the iAdvize REST API v2 (e.g. https://sd.iadvize.com/api/2)"
OUTCOME_UNKNOWN_ADVICE = "it may or may not have been done; look it up (e.g. by email) before trying again"


@dataclass(frozen=True)
class Reply:
    """A successful reply: the HTTP status and the JSON envelope (``meta``, ``data``...)."""

    status: int
    envelope: Mapping[str, Any]

    @property
    def data(self) -> Any:
        return self.envelope.get("data")


@dataclass
class Failure:
    """What went wrong with one attempt, and whether another attempt may help."""

    kind: type[ApiError]
    problem: str  # what happened, for the message
    advice: str
    status: int | None = None
    server_message: str | None = None
    retryable: bool = False
    reply_lost: bool = False  # the request may have reached the server
    retry_after: float | None = None
    detail: str | None = None  # short transport-error text, for the request hook
    note: str | None = None  # e.g. a Retry-After that was not taken as given


def read_response(status: int, headers: Mapping[str, str], body: bytes, method: str,
                  redact: Redactor) -> Reply | Failure:
    """The reply, or the failure it stands for (with whether a retry may help)."""
    envelope, shape_problem = _parse_envelope(body, redact)
    server_message = redact.shorten(_server_message(envelope), MAX_SERVER_MESSAGE_CHARS) or None
    said = _status_text(status, server_message)
    if 200 <= status < 300:
        if shape_problem:
            return _unexpected(status, shape_problem)
        assert envelope is not None
        meta_status = str(envelope["meta"].get("status", "")).strip().lower()
        if meta_status == "success":
            return Reply(status, envelope)
        return _meta_failure(status, meta_status, server_message)
    if status == 429:
        wait, note = retry_after(headers.get("Retry-After"))
        return Failure(
            RateLimitedError, f"rate-limited by the API ({said})",
            "lower --max-rps or try again later", status, server_message,
            retryable=True, retry_after=wait, note=note,
        )
    if status in RETRYABLE_STATUSES and method == "POST":
        return Failure(
            OutcomeUnknownError, f"the server or a gateway answered {said}", OUTCOME_UNKNOWN_ADVICE,
            status, server_message, reply_lost=True,
        )
    if status in RETRYABLE_STATUSES:
        return Failure(ServerError, f"the server failed ({said})", "try again later",
                        status, server_message, retryable=True, reply_lost=True)
    if status in (401, 403):
        return Failure(AuthError, f"the API refused the key ({said})", "check IADVIZE_API_KEY",
                        status, server_message)
    if status == 404 and (shape_problem or "route" in (server_message or "").lower()):
        # Not an unknown operator but an unknown address: the base URL is wrong.
        return Failure(NotFoundError, f"no such address ({said})", _BASE_URL_ADVICE, status, server_message)
    if status == 404 or _says_unknown(server_message):
        return Failure(NotFoundError, f"not found ({said})",
                        "check the id; the operator may have been deleted meanwhile", status, server_message)
    if 400 <= status < 500:
        return Failure(RejectedError, f"the API rejected the request ({said})",
                        "correct the values sent", status, server_message)
    if status >= 500:
        return Failure(ServerError, f"the server failed ({said})", "try again later; if it persists, "
                        "check the iAdvize status page", status, server_message)
    where = headers.get("Location")
    return _unexpected(status, f"{said}" + (f" to {redact.shorten(where, 120)}" if where else ""))


def _parse_envelope(raw: bytes, redact: Redactor) -> tuple[dict[str, Any] | None, str | None]:
    """The JSON envelope, or None and what is wrong with the body (quoted redacted, then cut)."""
    if not raw.strip():
        # A 204 (or an empty 200 to a DELETE) is a success that says nothing more.
        return {"meta": {"status": "success"}}, None
    # From bytes: json detects UTF-8/16/32 itself, where response.text would first
    # run a slow charset guess on every page when no charset is declared.
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return None, f"the body is not JSON: {_snippet(raw, redact)}"
    if not isinstance(body, dict):
        return None, f"the body is JSON but not an object: {_snippet(raw, redact)}"
    if not isinstance(body.get("meta"), dict):
        return None, f"the body has no 'meta' object: {_snippet(raw, redact)}"
    return body, None


def _snippet(raw: bytes, redact: Redactor, limit: int = 120) -> str:
    # The start of the body only (it may be megabytes), but redacted before it is cut.
    # Cutting the bytes may cut a secret in two, which redaction then misses; and
    # collapsing whitespace (or redacting) shortens the text, which would bring that
    # part into the quote.  So the end of the slice where a cut secret can lie (the
    # longest form of a secret) is dropped, once redacted.
    keep = 4 * limit + 1024
    tail = redact.longest_form
    text = redact(raw[: keep + tail].decode("utf-8", errors="replace"))
    if len(raw) > keep + tail and tail:
        text = text[:-tail]
    return repr(redact.shorten(" ".join(text.split()), limit))


def _server_message(envelope: Mapping[str, Any] | None) -> str:
    meta = envelope.get("meta") if envelope else None
    if not isinstance(meta, Mapping):
        return ""
    message = meta.get("message")
    if message is None:
        message = meta.get("errors") or meta.get("error") or ""
    return _flatten_message(message)


def _flatten_message(message: Any) -> str:
    """A validation message may be a string, a list, or a mapping field -> messages."""
    if isinstance(message, Mapping):
        return "; ".join(f"{key}: {_flatten_message(value)}" for key, value in message.items())
    if isinstance(message, (list, tuple)):
        return "; ".join(_flatten_message(item) for item in message)
    return str(message).strip()


def _status_text(status: int, server_message: str | None) -> str:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    text = f"{status} {reason}".strip()
    if server_message and server_message.lower() != reason.lower():
        text += f", server said {server_message!r}"
    return text


def _says_unknown(server_message: str | None) -> bool:
    # The API's not-found text: "Unknown 'operator' with 'id' 456."
    return bool(server_message and server_message.strip().lower().startswith("unknown"))


def _meta_failure(status: int, meta_status: str, server_message: str | None) -> Failure:
    """A 2xx whose ``meta.status`` is not ``success``: still a failure."""
    said = f"{status} but meta status {meta_status or 'missing'!r}"
    if server_message:
        said += f", server said {server_message!r}"
    if _says_unknown(server_message):
        return Failure(NotFoundError, f"not found ({said})",
                        "check the id; the operator may have been deleted meanwhile", status, server_message)
    lowered = (server_message or "").lower()
    if any(word in lowered for word in ("forbidden", "unauthori", "api key", "apikey")):
        return Failure(AuthError, f"the API refused the key ({said})", "check IADVIZE_API_KEY",
                        status, server_message)
    return Failure(RejectedError, f"the API refused the request ({said})",
                    "correct the values sent", status, server_message)


def _unexpected(status: int, problem: str) -> Failure:
    return Failure(
        UnexpectedResponseError,
        f"unexpected reply ({_status_text(status, None)}: {problem})",
        _BASE_URL_ADVICE,
        status,
    )


def retry_after(header: str | None) -> tuple[float | None, str | None]:
    """Seconds to wait that ``Retry-After`` asks for (seconds or an HTTP date), and a note
    when the value was not taken as given.

    ``None`` means the default backoff: for a value that is no delay (negative, ``nan``,
    text).  A longer wait than :data:`RETRY_AFTER_CAP_S` (``inf`` included) is cut to it.
    """
    value = (header or "").strip()
    if not value:
        return None, None
    shown = repr(value if len(value) <= 40 else value[:37] + "...")
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError, IndexError, OverflowError):
            return None, f"ignored Retry-After {shown}: neither seconds nor a date"
        # (a date in the past means now)
    if math.isnan(seconds) or seconds < 0:
        return None, f"ignored Retry-After {shown}: not a delay of 0 seconds or more"
    if seconds > RETRY_AFTER_CAP_S:
        return RETRY_AFTER_CAP_S, (f"Retry-After asked for {shown} seconds; waiting {RETRY_AFTER_CAP_S:g}s "
                                   "at most (RETRY_AFTER_CAP_S)")
    return seconds, None


def unexpected_reply(method: str, path: str, action: str, status: int | None, problem: str) -> UnexpectedResponseError:
    """An UnexpectedResponseError for a reply that was valid JSON but the wrong shape."""
    message = (
        f"{action} ({method} {path}): unexpected reply ({problem}): the server's reply does not "
        "have the shape of the iAdvize REST API v2; check --base-url, or report it if it persists"
    )
    return UnexpectedResponseError(message, method=method, path=path, status=status)
