"""HTTP for the API client: one session, timeouts, retries, shared rate limiting.

Every ``requests`` exception is translated into the :mod:`rostersync.api.errors` tree
here; what a reply means is decided in :mod:`rostersync.api.replies`.

Retries: exponential backoff with full jitter, bounded by ``max_attempts`` and a total
time budget, for 429, 502/503/504 and connection failures.  A POST is not idempotent,
so it is retried only when nothing can have been committed: a 429, or a connection that
was never opened.  Once a POST may have reached the server (connection dropped after
sending, read timeout, 502/503/504) it raises :class:`OutcomeUnknownError` instead.

Rate limiting is shared by every thread using the transport: a 429 sets a "not before"
time that all of them wait for, and ``max_rps`` paces all requests together.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import requests
import requests.adapters
import urllib3.exceptions

from rostersync._version import __version__
from rostersync.api.config import check_api_key, validate_base_url
from rostersync.api.errors import (
    ApiError,
    ConfigError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitedError,
    TransportError,
)
from rostersync.api.options import ClientOptions, RequestEvent
from rostersync.api.pacing import RateGate
from rostersync.api.redaction import Redactor
from rostersync.api.replies import OUTCOME_UNKNOWN_ADVICE, Failure, Reply, read_response

__all__ = ["Transport"]

logger = logging.getLogger("rostersync.api")

BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 8.0
CONNECT_TIMEOUT_CAP_S = 10.0  # a healthy server accepts a connection in well under this
POOL_SIZE_MIN = 16


@dataclass
class _Call:
    """One API call across all its attempts."""

    method: str
    path: str
    action: str
    query: str
    body: str | None
    redact: Redactor
    attempts: int = 0
    reply_lost: bool = False
    started: float = 0.0

    @property
    def logged_path(self) -> str:
        return self.redact(f"{self.path}?{self.query}" if self.query else self.path)


class Transport:
    """Sends requests to the API; thread-safe.  Used by :class:`IAdvizeClient`."""

    def __init__(self, base_url: str, api_key: str, options: ClientOptions | None = None) -> None:
        options = options if options is not None else ClientOptions()
        self.base_url = validate_base_url(base_url, insecure=options.insecure)
        self._api_key = check_api_key(api_key)
        if options.max_attempts < 1:
            raise ConfigError(f"max_attempts must be at least 1, got {options.max_attempts}")
        self._timeout = _timeouts(options.timeout)
        self._max_attempts = options.max_attempts
        self._budget = options.retry_budget_s
        self._on_request = options.on_request
        self._sleep = options.sleep
        self._clock = options.clock
        self._rng = options.rng or random.Random()
        self._gate = RateGate(options.max_rps, options.clock, options.sleep)
        self._redact = Redactor([self._api_key])
        self._count_lock = threading.Lock()
        self._request_count = 0
        # Each page worker may hold a connection while another is opened.
        self._session = _new_session(max(2 * max(1, options.page_workers), POOL_SIZE_MIN))
        parts = urlsplit(self.base_url)
        self._origin = f"{parts.scheme}://{parts.netloc}"

    def __repr__(self) -> str:
        return f"Transport(base_url={self.base_url!r}, api_key=<redacted>)"

    @property
    def request_count(self) -> int:
        with self._count_lock:
            return self._request_count

    def close(self) -> None:
        self._session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        action: str,
        query: Sequence[tuple[str, str]] = (),
        form: Sequence[tuple[str, str]] | None = None,
        secrets: Iterable[str] = (),
    ) -> Reply:
        """Send one API call, retrying as allowed; return the reply or raise an ApiError.

        ``action`` says in words what the call does ("get operator 42"), for messages;
        ``secrets`` are further strings (e.g. an sso_key sent) to keep out of them.
        """
        call = _Call(
            method=method.upper(),
            path=path,
            action=action,
            query=urlencode(list(query)),
            body=urlencode(list(form)) if form is not None else None,
            redact=self._redact.with_more(secrets),
            started=self._clock(),
        )
        while True:
            result = self._attempt(call)
            if isinstance(result, Reply):
                return result
            self._retry_or_raise(call, result)

    # -- one attempt --

    def _attempt(self, call: _Call) -> Reply | Failure:
        self._gate.wait_turn()
        call.attempts += 1
        with self._count_lock:
            self._request_count += 1
        sent_at = self._clock()
        try:
            response = self._send(call)
        except requests.RequestException as exc:
            failure = self._transport_failure(call, exc)
            self._emit(call, None, sent_at, failure.detail)
            return failure
        with response:
            self._emit(call, response.status_code, sent_at, None)
            return read_response(response, call.method, call.redact)

    def _send(self, call: _Call) -> requests.Response:
        url = self.base_url + call.path + (f"?{call.query}" if call.query else "")
        headers = {"X-API-Key": self._api_key, "Accept": "application/json"}
        if call.body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        # No redirects: requests would carry X-API-Key to whatever host it is sent to,
        # and would turn a redirected POST into a GET.
        return self._session.request(
            call.method,
            url,
            data=call.body,
            headers=headers,
            timeout=self._timeout,
            allow_redirects=False,
        )

    def _emit(self, call: _Call, status: int | None, sent_at: float, error: str | None) -> None:
        elapsed = self._clock() - sent_at
        event = RequestEvent(call.method, call.logged_path, status, elapsed, call.attempts, error)
        logger.debug(
            "%s %s -> %s in %.3fs (attempt %d)",
            event.method, event.path, status if status is not None else error, elapsed, event.attempt,
        )
        if self._on_request is not None:
            try:
                self._on_request(event)
            except Exception:  # a broken log hook must not abort a write half-way
                logger.exception("the on_request hook failed")

    # -- translating failures --

    def _transport_failure(self, call: _Call, exc: requests.RequestException) -> Failure:
        detail = call.redact(_describe_transport(exc, self._timeout[1]))
        failure = self._classify_transport(call, exc, detail)
        failure.detail = detail
        return failure

    def _classify_transport(self, call: _Call, exc: requests.RequestException, detail: str) -> Failure:
        if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidHeader,
                            requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)):
            return Failure(ConfigError, f"the request could not be built ({detail})", "check --base-url")
        reach = f"could not reach {self._origin}: {detail}"
        network_advice = "check the network, any proxy, and --base-url"
        if isinstance(exc, requests.exceptions.SSLError):
            # A certificate problem does not go away by retrying.
            return Failure(TransportError, reach, "check the server certificate or REQUESTS_CA_BUNDLE")
        if _never_sent(exc):
            return Failure(TransportError, reach, network_advice, retryable=True)
        if call.method == "POST":
            return Failure(
                OutcomeUnknownError,
                f"the request was sent but no reply came back from {self._origin} ({detail})",
                OUTCOME_UNKNOWN_ADVICE,
                reply_lost=True,
            )
        return Failure(TransportError, reach, network_advice, retryable=True, reply_lost=True)

    # -- retrying --

    def _retry_or_raise(self, call: _Call, failure: Failure) -> None:
        call.reply_lost = call.reply_lost or failure.reply_lost
        if not failure.retryable or call.attempts >= self._max_attempts:
            raise self._error(call, failure)
        delay = failure.retry_after
        if delay is None:
            # Full jitter: spreads the retries of many threads instead of syncing them.
            delay = self._rng.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (call.attempts - 1)))
        if self._clock() + delay - call.started > self._budget:
            raise self._error(call, failure)
        logger.info(
            "%s (%s %s): %s; retrying in %.1fs (attempt %d of %d)",
            call.action, call.method, call.path, failure.problem, delay, call.attempts + 1, self._max_attempts,
        )
        if failure.kind is RateLimitedError:
            # Every thread waits, not just this one: the limit is per account.
            self._gate.hold_until(self._clock() + delay)
        else:
            self._sleep(delay)

    def _error(self, call: _Call, failure: Failure) -> ApiError:
        tries = ""
        if call.attempts > 1:
            tries = f" (after {call.attempts} attempts over {self._clock() - call.started:.1f}s)"
        message = f"{call.action} ({call.method} {call.path}): {failure.problem}{tries}: {failure.advice}"
        error = failure.kind(
            call.redact(message),
            method=call.method,
            path=call.path,
            status=failure.status,
            server_message=failure.server_message,
            attempts=call.attempts,
        )
        if isinstance(error, NotFoundError):
            error.after_lost_reply = call.reply_lost
        return error


# --- helpers -------------------------------------------------------------------------

def _timeouts(timeout: float | tuple[float, float]) -> tuple[float, float]:
    if isinstance(timeout, tuple):
        return timeout
    return (min(timeout, CONNECT_TIMEOUT_CAP_S), timeout)


def _new_session(pool_size: int) -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = f"rostersync/{__version__}"
    # Retries are ours (they know what a POST may not repeat); urllib3's are off.
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _causes(exc: BaseException) -> Iterable[BaseException]:
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


def _never_sent(exc: requests.RequestException) -> bool:
    """True if the connection was never established, so the server saw nothing.

    urllib3's NewConnectionError (refused, DNS) and NameResolutionError are
    ConnectTimeoutError subclasses: all mean the request did not leave.
    """
    if isinstance(exc, (requests.exceptions.ConnectTimeout, requests.exceptions.ProxyError)):
        return True
    return any(isinstance(cause, urllib3.exceptions.ConnectTimeoutError) for cause in _causes(exc))


def _describe_transport(exc: requests.RequestException, read_timeout: float) -> str:
    causes = list(_causes(exc))

    def has(kind: type[BaseException]) -> bool:
        return any(isinstance(cause, kind) for cause in causes)

    if has(urllib3.exceptions.NameResolutionError):
        return "the host name could not be resolved (DNS)"
    if has(requests.exceptions.SSLError):
        return f"TLS failed ({_innermost(causes)})"
    if has(ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, requests.exceptions.ConnectTimeout) or has(urllib3.exceptions.ConnectTimeoutError):
        return "timed out while connecting"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"no reply within {read_timeout:g}s"
    if has(ConnectionResetError):
        return "the connection was reset"
    if has(urllib3.exceptions.ProtocolError) or isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the connection was closed before a complete reply"
    return _innermost(causes)


def _innermost(causes: list[BaseException]) -> str:
    last = causes[-1] if causes else None
    text = f"{type(last).__name__}: {last}" if last is not None else "unknown error"
    return text if len(text) <= 200 else text[:197] + "..."


