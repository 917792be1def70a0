"""One HTTP exchange, apart from the API's envelope: where a redirect may lead, and what
an exception from ``requests`` or urllib3 says happened.

Redirects.  The API key travels in a header on every request, so a redirect is
followed only to the same scheme, host and port as the base URL (its path and query
may change): ``requests`` would otherwise carry the header to whatever host a reply
names.  A ``GET`` follows 301, 302, 303, 307 and 308; a write only 307 and 308, which
keep the method and the body (after a 301/302/303 a client repeats a POST as a GET,
silently writing nothing).  At most :data:`MAX_REDIRECTS` in a row.

Network errors are described in a few words, redacted before they are cut, with
whether the request can have reached the server (:func:`never_sent`).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

import requests
import urllib3.exceptions

from rostersync.api.errors import UnexpectedResponseError
from rostersync.api.redaction import Redactor
from rostersync.api.replies import Failure

__all__ = ["MAX_REDIRECTS", "REDIRECT_STATUSES", "Origin", "describe_network_error", "is_timeout", "never_sent",
           "next_url", "origin_of"]

MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_KEEPS_METHOD = frozenset({307, 308})
_ADVICE = "check --base-url (use the address the API answers at, e.g. https://sd.iadvize.com/api/2)"
_DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int]  # scheme, host, port


def origin_of(parts: SplitResult) -> Origin | None:
    """``(scheme, host, port)`` with the default port filled in; None if unreadable."""
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname or scheme not in _DEFAULT_PORTS:
        return None
    return scheme, parts.hostname.lower().rstrip("."), port if port is not None else _DEFAULT_PORTS[scheme]


def next_url(*, url: str, location: str | None, status: int, method: str, hops: int,
             origin: Origin, shown_origin: str, redact: Redactor) -> str | Failure:
    """Where the redirect ``status`` (answered to ``method`` on ``url``) is followed, or why it is not.

    ``hops`` counts the redirects already followed for this request.
    """
    if not location or not location.strip():
        return _refused(status, f"the server answered {status} (a redirect) without a Location")
    target = urlsplit(urljoin(url, location.strip()))
    if origin_of(target) != origin or target.username is not None or target.password is not None:
        where = redact.shorten(f"{target.scheme}://{target.hostname or ''}"
                               + (f":{_port_text(target)}" if _port_text(target) else ""), 100)
        return _refused(status, f"the server redirected ({status}) to {where!r}, another origin than "
                                f"{shown_origin}; not followed, so the API key is sent only to {shown_origin}")
    if method != "GET" and status not in _KEEPS_METHOD:
        return _refused(status, f"the server answered the {method} with a {status} redirect, after which it "
                                "would be repeated as a GET; not followed (only 307 and 308 keep a write)")
    if hops >= MAX_REDIRECTS:
        return _refused(status, f"the server redirected more than {MAX_REDIRECTS} times in a row "
                                "(MAX_REDIRECTS); not followed further")
    return urlunsplit(target._replace(fragment=""))


def _port_text(parts: SplitResult) -> str:
    try:
        return str(parts.port) if parts.port is not None else ""
    except ValueError:
        return "?"


def _refused(status: int, problem: str) -> Failure:
    return Failure(UnexpectedResponseError, problem, _ADVICE, status)


# --- network errors ----------------------------------------------------------------

def causes(exc: BaseException) -> Iterable[BaseException]:
    """``exc`` and everything it wraps (args, urllib3's ``reason``, ``__cause__``)."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        nested = [*current.args, getattr(current, "reason", None), current.__cause__, current.__context__]
        stack.extend(item for item in nested if isinstance(item, BaseException))


def never_sent(exc: BaseException) -> bool:
    """True if the connection was never established, so the server saw nothing.

    urllib3's NewConnectionError (refused, DNS) and NameResolutionError are
    ConnectTimeoutError subclasses: all mean the request did not leave.
    """
    if isinstance(exc, (requests.exceptions.ConnectTimeout, requests.exceptions.ProxyError)):
        return True
    return any(isinstance(cause, urllib3.exceptions.ConnectTimeoutError) for cause in causes(exc))


def is_timeout(exc: BaseException) -> bool:
    """A read timed out: the deadline of the request passed before the reply was complete."""
    return any(isinstance(cause, (requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError,
                                  TimeoutError)) for cause in causes(exc))


def describe_network_error(exc: BaseException, deadline_s: float, redact: Redactor) -> str:
    """A short description, redacted before it is cut to length."""
    found = list(causes(exc))

    def has(kind: type[BaseException]) -> bool:
        return any(isinstance(cause, kind) for cause in found)

    if has(urllib3.exceptions.NameResolutionError):
        return "the host name could not be resolved (DNS)"
    if has(requests.exceptions.SSLError):
        return f"TLS failed ({_innermost(found, redact)})"
    if has(ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, requests.exceptions.ConnectTimeout) or has(urllib3.exceptions.ConnectTimeoutError):
        return "timed out while connecting"
    if is_timeout(exc):
        return f"no complete reply within {deadline_s:g}s, the deadline of one request"
    if has(ConnectionResetError):
        return "the connection was reset"
    if has(urllib3.exceptions.ProtocolError) or isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the connection was closed before a complete reply"
    return _innermost(found, redact)


def _innermost(found: list[BaseException], redact: Redactor) -> str:
    last = found[-1] if found else None
    text = f"{type(last).__name__}: {last}" if last is not None else "unknown error"
    return redact.shorten(text, 200)
