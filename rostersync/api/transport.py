"""HTTP for the API client: one session, deadlines, bounded replies, redirects, retries, rate limiting.

Every ``requests`` exception is translated into the :mod:`rostersync.api.errors` tree
here; what a reply means is decided in :mod:`rostersync.api.replies`.

Bounds on what a server can make the client do, each for one attempt:

- a wall-clock deadline (``ClientOptions.timeout``, default 60 s) on connecting,
  sending and reading the whole reply, headers and body (:mod:`rostersync.api.deadline`);
- at most :data:`~rostersync.api.body.MAX_REPLY_BYTES` of decoded body, decompressed
  here in chunks (:mod:`rostersync.api.body`);
- at most :data:`~rostersync.api.exchange.MAX_REDIRECTS` redirects, each to the same
  origin as the base URL (:mod:`rostersync.api.exchange`): the key goes nowhere else.

With a plain ``http://`` base URL (this machine, or ``--insecure``) the environment's
proxies are bypassed: an ``HTTP_PROXY`` would receive the key in clear text (and a
proxy cannot reach this machine's loopback anyway).  Over ``https://`` a proxy only
tunnels (``CONNECT``) and never sees the key.

Retries: exponential backoff with full jitter, bounded by ``max_attempts`` and a total
time budget, for 429, 502/503/504, connection failures and timeouts.  A POST is not
idempotent, so it is retried only when nothing can have been committed: a 429, or a
connection that was never opened.  Once a POST may have reached the server (connection
dropped after sending, deadline passed, 502/503/504) it raises
:class:`OutcomeUnknownError` instead.

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
import urllib3.exceptions

from rostersync._version import __version__
from rostersync.api.body import ACCEPT_ENCODING, ReplyTooLarge, UnreadableBody, read_body
from rostersync.api.config import check_api_key, validate_base_url
from rostersync.api.deadline import DeadlineAdapter, deadline
from rostersync.api.errors import (
    ApiError,
    ConfigError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitedError,
    TransportError,
    UnexpectedResponseError,
)
from rostersync.api.exchange import REDIRECT_STATUSES, describe_network_error, never_sent, next_url, origin_of
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
_NETWORK_ERRORS = (requests.RequestException, urllib3.exceptions.HTTPError, OSError)


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


class Transport:
    """Sends requests to the API; thread-safe.  Used by :class:`IAdvizeClient`."""

    def __init__(self, base_url: str, api_key: str, options: ClientOptions | None = None) -> None:
        options = options if options is not None else ClientOptions()
        self.base_url = validate_base_url(base_url, insecure=options.insecure)
        self._api_key = check_api_key(api_key)
        if options.max_attempts < 1:
            raise ConfigError(f"max_attempts must be at least 1, got {options.max_attempts}")
        self._connect_timeout, self._deadline = _timeouts(options.timeout)
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
        parts = urlsplit(self.base_url)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        origin = origin_of(parts)
        if origin is None:
            raise ConfigError(f"the base URL {self.base_url!r} has no usable host and port")
        self._origin_key = origin
        # Each page worker may hold a connection while another is opened.
        pool_size = max(2 * max(1, options.page_workers), POOL_SIZE_MIN)
        self._session = _new_session(pool_size, use_env_proxies=origin[0] == "https")

    def __repr__(self) -> str:
        return f"Transport(base_url={self.base_url!r}, api_key=<redacted>)"

    @property
    def redactor(self) -> Redactor:
        """What keeps the key out of text: for messages built outside the transport."""
        return self._redact

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

    # -- one attempt: a request, and the redirects it is allowed to follow --

    def _attempt(self, call: _Call) -> Reply | Failure:
        self._gate.wait_turn()
        call.attempts += 1
        url = self.base_url + call.path + (f"?{call.query}" if call.query else "")
        with deadline(self._deadline):  # one deadline for the attempt, redirects included
            hops = 0
            while True:
                outcome = self._exchange(call, url, hops)
                if not isinstance(outcome, str):
                    return outcome
                url, hops = outcome, hops + 1

    def _exchange(self, call: _Call, url: str, hops: int) -> Reply | Failure | str:
        """One HTTP request and its reply: the reply, a failure, or the URL a redirect leads to."""
        with self._count_lock:
            self._request_count += 1
        sent_at = self._clock()
        try:
            response = self._send(call, url)
        except _NETWORK_ERRORS as exc:
            failure = self._transport_failure(call, exc)
            self._emit(call, url, None, sent_at, failure.detail)
            return failure
        with response:
            status = response.status_code
            if status in REDIRECT_STATUSES:
                self._emit(call, url, status, sent_at, None)
                return next_url(url=url, location=response.headers.get("Location"), status=status,
                                method=call.method, hops=hops, origin=self._origin_key,
                                shown_origin=self._origin, redact=call.redact)
            try:
                body = read_body(response.raw, response.headers.get("Content-Encoding"),
                                 response.headers.get("Content-Length"))
            except (ReplyTooLarge, UnreadableBody) as exc:
                failure = self._unreadable(call, status, str(exc))
            except _NETWORK_ERRORS as exc:
                failure = self._transport_failure(call, exc)
            else:
                self._emit(call, url, status, sent_at, None)
                return read_response(status, response.headers, body, call.method, call.redact)
            self._emit(call, url, status, sent_at, failure.detail or failure.problem)
            return failure

    def _send(self, call: _Call, url: str) -> requests.Response:
        headers = {"X-API-Key": self._api_key, "Accept": "application/json", "Accept-Encoding": ACCEPT_ENCODING}
        if call.body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        # Redirects are followed by _attempt, not by requests: requests would carry
        # X-API-Key to whatever host it is sent to, and turn a redirected POST into a GET.
        # The body is streamed, so that read_body can bound its size.
        return self._session.request(
            call.method,
            url,
            data=call.body,
            headers=headers,
            timeout=(self._connect_timeout, self._deadline),
            allow_redirects=False,
            stream=True,
        )

    def _emit(self, call: _Call, url: str, status: int | None, sent_at: float, error: str | None) -> None:
        elapsed = self._clock() - sent_at
        if url.startswith(self.base_url + "/"):
            shown = url[len(self.base_url):]
        else:  # after a redirect: the path on the same origin
            parts = urlsplit(url)
            shown = parts.path + (f"?{parts.query}" if parts.query else "")
        shown = call.redact(shown)
        event = RequestEvent(call.method, shown, status, elapsed, call.attempts, error)
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

    def _transport_failure(self, call: _Call, exc: BaseException) -> Failure:
        detail = describe_network_error(exc, self._deadline, call.redact)
        failure = self._classify_transport(call, exc, detail)
        failure.detail = detail
        return failure

    def _classify_transport(self, call: _Call, exc: BaseException, detail: str) -> Failure:
        if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidHeader,
                            requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)):
            return Failure(ConfigError, f"the request could not be built ({detail})", "check --base-url")
        reach = f"could not reach {self._origin}: {detail}"
        network_advice = "check the network, any proxy, and --base-url"
        if isinstance(exc, requests.exceptions.SSLError):
            # A certificate problem does not go away by retrying.
            return Failure(TransportError, reach, "check the server certificate or REQUESTS_CA_BUNDLE")
        if never_sent(exc):
            return Failure(TransportError, reach, network_advice, retryable=True)
        if call.method == "POST":
            return Failure(
                OutcomeUnknownError,
                f"the request was sent but no reply came back from {self._origin} ({detail})",
                OUTCOME_UNKNOWN_ADVICE,
                reply_lost=True,
            )
        return Failure(TransportError, reach, network_advice, retryable=True, reply_lost=True)

    def _unreadable(self, call: _Call, status: int, problem: str) -> Failure:
        """A reply whose body cannot be read (too large, unknown encoding): not retried."""
        if call.method == "POST" and 200 <= status < 300:
            return Failure(OutcomeUnknownError, f"the server answered {status} but its reply cannot be read: "
                           f"{problem}", OUTCOME_UNKNOWN_ADVICE, status, reply_lost=True)
        return Failure(UnexpectedResponseError, f"unreadable reply ({status}: {problem})",
                       "check --base-url and any proxy on the way", status)

    # -- retrying --

    def _retry_or_raise(self, call: _Call, failure: Failure) -> None:
        call.reply_lost = call.reply_lost or failure.reply_lost
        if failure.note:
            # Said once per reply that asked for it, whether or not a retry follows.
            logger.warning("%s (%s %s): %s", call.action, call.method, call.path, failure.note)
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
        note = f"; {failure.note}" if failure.note else ""
        message = f"{call.action} ({call.method} {call.path}): {failure.problem}{note}{tries}: {failure.advice}"
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
    """``(connect timeout, deadline)``: a single number is the deadline of a whole request,
    and bounds connecting too (at most CONNECT_TIMEOUT_CAP_S)."""
    connect, whole = timeout if isinstance(timeout, tuple) else (min(timeout, CONNECT_TIMEOUT_CAP_S), timeout)
    for value in (connect, whole):
        if not (isinstance(value, (int, float)) and value > 0 and value < float("inf")):
            raise ConfigError(f"timeout must be a positive number of seconds, got {timeout!r}")
    return float(connect), float(whole)


def _new_session(pool_size: int, *, use_env_proxies: bool) -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = f"rostersync/{__version__}"
    if not use_env_proxies:
        # Plain http://: no HTTP_PROXY/ALL_PROXY (it would read the key), no .netrc.
        session.trust_env = False
    # Retries are ours (they know what a POST may not repeat); urllib3's are off.
    adapter = DeadlineAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
