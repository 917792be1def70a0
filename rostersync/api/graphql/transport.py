"""JSON over ``requests`` for the GraphQL API: auth, retries, 429 pacing, error reading.

Every call is ``POST`` with ``{"query", "variables", "operationName"}``, the token
in ``Authorization: Bearer`` (never in a URL, never logged). What may be retried
depends on what the operation is, not on the HTTP method (always POST):

- ``read`` (queries) and ``write`` (``userUpdate``/``userDelete``, which set a state
  and may be repeated): retried on 429, 502/503/504 and connection failures, and,
  for reads, on GraphQL errors whose ``retryPolicy`` is not NO_RETRY [A17];
- ``create`` (``userCreate``): retried only when nothing can have been committed
  (a 429, a connection never opened); otherwise :class:`OutcomeUnknownError`, so the
  caller looks the user up by email, as with REST.

A 401 renews the token once per call (:class:`TokenProvider`), then the call is
sent again at once. Backoff, the shared 429 hold and ``max_rps`` come from the REST
client's pieces (:class:`RateGate`, its transport-error helpers), as do the errors.

Each attempt is bounded as a REST one is (:mod:`.http`): a deadline on the whole
reply, a cap on its decoded size, redirects only within the endpoint's origin. A
reply that cannot be read within those bounds is not retried; to a create that the
server answered 2xx, it is an unknown outcome.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import requests

from rostersync.api.errors import (
    ApiError,
    AuthError,
    OutcomeUnknownError,
    RateLimitedError,
    RejectedError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
)
from rostersync.api.exchange import never_sent
from rostersync.api.graphql.auth import TokenProvider, retry_after_seconds
from rostersync.api.graphql.documents import AUTH_ERROR_NAMES, NO_RETRY, Document
from rostersync.api.graphql.http import BoundedEndpoint, HttpReply, NetworkFailure, Unreadable
from rostersync.api.options import ClientOptions, RequestEvent
from rostersync.api.pacing import RateGate
from rostersync.api.redaction import cut
from rostersync.api.replies import OUTCOME_UNKNOWN_ADVICE, RETRYABLE_STATUSES, Failure

__all__ = ["CallKind", "GraphQLReply", "GraphQLTransport"]

logger = logging.getLogger("rostersync.api")

CallKind = Literal["read", "write", "create"]
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 8.0


@dataclass(frozen=True)
class GraphQLReply:
    data: Mapping[str, Any]
    attempts: int
    reply_lost: bool  # an earlier attempt may have reached the server unanswered


@dataclass
class _Call:
    document: Document
    body: bytes
    kind: CallKind
    action: str
    started: float
    attempts: int = 0
    renewed: bool = False
    reply_lost: bool = False


class GraphQLTransport:
    """Sends GraphQL documents; thread-safe."""

    def __init__(self, endpoint: str, auth: TokenProvider, session: requests.Session, options: ClientOptions,
                 timeout: tuple[float, float]) -> None:
        """``timeout`` is ``(connect, deadline)``, as read from ``options.timeout``."""
        self.endpoint = endpoint
        self._path = urlsplit(endpoint).path or "/"
        self._auth = auth
        self._http = BoundedEndpoint(endpoint, session, timeout, clock=options.clock, setting="IADVIZE_GRAPHQL_URL")
        self._max_attempts = max(1, options.max_attempts)
        self._budget = options.retry_budget_s
        self._on_request = options.on_request
        self._sleep = options.sleep
        self._clock = options.clock
        self._rng = options.rng or random.Random()
        self._gate = RateGate(options.max_rps, options.clock, options.sleep)
        self._count_lock = threading.Lock()
        self._request_count = 0

    def __repr__(self) -> str:
        return f"GraphQLTransport(endpoint={self.endpoint!r}, token=<redacted>)"

    @property
    def request_count(self) -> int:
        with self._count_lock:
            return self._request_count

    def execute(self, document: Document, variables: Mapping[str, Any] | None = None, *,
                kind: CallKind, action: str) -> GraphQLReply:
        """Send ``document``; return its ``data``, or raise an :class:`ApiError`."""
        body = json.dumps({"query": document.text, "variables": dict(variables or {}),
                           "operationName": document.operation}).encode("utf-8")
        call = _Call(document, body, kind, action, self._clock())
        while True:
            token = self._auth.token()
            result = self._attempt(call, token)
            if isinstance(result, GraphQLReply):
                return result
            if result.status == 401 and not call.renewed:
                call.renewed = True
                if self._auth.renew(token) is not None:
                    logger.info("%s: the API refused the token (401); logged in again", action)
                    continue
                result.advice = "set a new IADVIZE_ACCESS_TOKEN, or IADVIZE_EMAIL and IADVIZE_PASSWORD to log in"
            elif result.status == 401:
                result.advice = "a token just obtained was refused too: check the account and IADVIZE_GRAPHQL_URL"
            self._retry_or_raise(call, result)

    # -- one attempt --

    def _attempt(self, call: _Call, token: str) -> GraphQLReply | Failure:
        self._gate.wait_turn()
        call.attempts += 1
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "Authorization": f"Bearer {token}"}

        def exchanged(status: int | None, sent: float, error: str | None) -> None:
            with self._count_lock:
                self._request_count += 1
            self._emit(call, status, sent, error)

        try:
            reply = self._http.post(data=call.body, headers=headers, redact=self._auth.redactor,
                                    on_exchange=exchanged)
        except NetworkFailure as exc:
            return self._transport_failure(call, exc.cause, exc.detail)
        except Unreadable as exc:
            return self._unreadable(call, exc)
        if isinstance(reply, Failure):
            return reply
        return self._read(call, reply)

    def _unreadable(self, call: _Call, exc: Unreadable) -> Failure:
        if call.kind == "create" and 200 <= exc.status < 300:
            return Failure(OutcomeUnknownError, f"the server answered {exc.status} but its reply cannot be read: "
                           f"{exc.problem}", OUTCOME_UNKNOWN_ADVICE, exc.status, reply_lost=True)
        return Failure(UnexpectedResponseError, f"unreadable reply ({exc.status}: {exc.problem})",
                       "check IADVIZE_GRAPHQL_URL and any proxy on the way", exc.status)

    def _transport_failure(self, call: _Call, exc: BaseException, detail: str) -> Failure:
        reach = f"could not reach {urlsplit(self.endpoint).netloc}: {detail}"
        advice = "check the network, any proxy, and IADVIZE_GRAPHQL_URL"
        if isinstance(exc, requests.exceptions.SSLError):
            return Failure(TransportError, reach, "check the server certificate or REQUESTS_CA_BUNDLE")
        if never_sent(exc):
            return Failure(TransportError, reach, advice, retryable=True)
        if call.kind == "create":
            return Failure(OutcomeUnknownError, f"the request was sent but no reply came back ({detail})",
                           OUTCOME_UNKNOWN_ADVICE, reply_lost=True)
        return Failure(TransportError, reach, advice, retryable=True, reply_lost=True)

    def _read(self, call: _Call, response: HttpReply) -> GraphQLReply | Failure:
        status = response.status
        redact = self._auth.redactor
        try:
            body = json.loads(response.body or b"null")
        except ValueError:
            body = None
        errors = body.get("errors") if isinstance(body, dict) else None
        said = redact(_messages(errors)) or None
        text = f"{status}" + (f", the API said {said!r}" if said else "")
        if status == 200:
            if errors:
                return self._graphql_errors(call, errors, said or "")
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, dict):
                return Failure(UnexpectedResponseError, f"unexpected reply ({status} without 'data')",
                               "check IADVIZE_GRAPHQL_URL", status)
            return GraphQLReply(data, call.attempts, call.reply_lost)
        if status == 401:
            return Failure(AuthError, f"the API refused the access token ({text})", "", status, said)
        if status == 403:
            return Failure(AuthError, f"the API refused access ({text})", "check the user's rights", status, said)
        if status == 429:
            return Failure(RateLimitedError, f"rate-limited by the API ({text})", "lower --max-rps or try later",
                           status, said, retryable=True, retry_after=retry_after_seconds(response.headers))
        if status in RETRYABLE_STATUSES and call.kind == "create":
            return Failure(OutcomeUnknownError, f"the server or a gateway answered {text}", OUTCOME_UNKNOWN_ADVICE,
                           status, said, reply_lost=True)
        if status in RETRYABLE_STATUSES:
            return Failure(ServerError, f"the server failed ({text})", "try again later", status, said,
                           retryable=True, reply_lost=True)
        if status in (400, 415):
            return Failure(RejectedError, f"the API rejected the request ({text})",
                           "the schema check should have caught this: report it", status, said)
        if status >= 500:
            return Failure(ServerError, f"the server failed ({text})", "try again later", status, said)
        return Failure(UnexpectedResponseError, f"unexpected reply ({text})", "check IADVIZE_GRAPHQL_URL",
                       status, said)

    def _graphql_errors(self, call: _Call, errors: Any, said: str) -> Failure:
        """A 200 whose ``errors`` list is not empty: what ``extensions`` say decides."""
        extensions = [item.get("extensions") or {} for item in errors if isinstance(item, dict)] or [{}]
        names = {cut(str(ext.get("name")), 60) for ext in extensions if isinstance(ext, dict) and ext.get("name")}
        policies = [ext.get("retryPolicy") if isinstance(ext, dict) else None for ext in extensions]
        shown = f"{said} ({cut(', '.join(sorted(names)), 200)})" if names else said
        if names & AUTH_ERROR_NAMES:
            return Failure(AuthError, f"the API refused the operation: {shown}", "check the user's rights", 200, said)
        if call.kind == "read" and all(policy not in (None, NO_RETRY) for policy in policies):
            return Failure(ServerError, f"the API answered an error it allows retrying: {shown}", "try again later",
                           200, said, retryable=True)
        return Failure(RejectedError, f"the API answered an error: {shown}", "see the API's message", 200, said)

    # -- retrying --

    def _retry_or_raise(self, call: _Call, failure: Failure) -> None:
        call.reply_lost = call.reply_lost or failure.reply_lost
        if not failure.retryable or call.attempts >= self._max_attempts:
            raise self._error(call, failure)
        delay = failure.retry_after
        if delay is None:
            delay = self._rng.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (call.attempts - 1)))
        if self._clock() + delay - call.started > self._budget:
            raise self._error(call, failure)
        logger.info("%s (%s): %s; retrying in %.1fs (attempt %d of %d)", call.action, call.document.operation,
                    failure.problem, delay, call.attempts + 1, self._max_attempts)
        if failure.kind is RateLimitedError:
            self._gate.hold_until(self._clock() + delay)  # every thread waits: the limit is the account's
        else:
            self._sleep(delay)

    def _error(self, call: _Call, failure: Failure) -> ApiError:
        tries = f" (after {call.attempts} attempts)" if call.attempts > 1 else ""
        advice = f": {failure.advice}" if failure.advice else ""
        message = f"{call.action} (POST {self._path} {call.document.operation}): {failure.problem}{tries}{advice}"
        return failure.kind(self._auth.redactor(message), method="POST", path=self._path, status=failure.status,
                            server_message=failure.server_message, attempts=call.attempts)

    def _emit(self, call: _Call, status: int | None, sent: float, error: str | None) -> None:
        elapsed = self._clock() - sent
        path = f"{self._path} {call.document.operation}"
        logger.debug("POST %s -> %s in %.3fs (attempt %d)", path, status if status is not None else error,
                     elapsed, call.attempts)
        if self._on_request is None:
            return
        try:
            self._on_request(RequestEvent("POST", path, status, elapsed, call.attempts, error))
        except Exception:  # a broken log hook must not abort a write half-way
            logger.exception("the on_request hook failed")


def _messages(errors: Any) -> str:
    if not isinstance(errors, list):
        return ""
    texts = [str(item.get("message", "")).strip() for item in errors if isinstance(item, dict)]
    return "; ".join(text for text in texts if text)[:500]


