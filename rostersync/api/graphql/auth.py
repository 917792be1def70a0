"""Access tokens for the GraphQL API: log in once per run, renew near expiry or on 401.

As documented (shared file §1.2): ``POST /oauth2/token`` with the form ``username``,
``password``, ``grant_type=password`` (never in the URL), answering
``access_token`` and ``expires_in`` (24 hours); ``token_type`` ``Bearer`` or
``bearer``; no refresh grant; at most 10 logins a minute per user.

So the provider logs in lazily, on the first request; renews when less than a
tenth of the lifetime (at most 5 minutes) is left, or when the API refuses the token
with a 401; keeps its own count of logins in the last minute and waits rather than
make an 11th; and on a 429 from the token endpoint waits ``Retry-After`` [A18].
A ready token (``IADVIZE_ACCESS_TOKEN``) is used as is; it can be renewed only
if an email and password are given too. Thread-safe: one login at a time.

A login is bounded as every request is (:mod:`.http`): a deadline on the whole
reply, a cap on its size, redirects only within the token endpoint's origin (the
password is sent nowhere else).
"""

from __future__ import annotations

import json
import logging
import random
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from rostersync.api.errors import ApiError, AuthError, RateLimitedError, TransportError, UnexpectedResponseError
from rostersync.api.graphql.config import Credentials
from rostersync.api.graphql.http import BoundedEndpoint, HttpReply, NetworkFailure, Unreadable
from rostersync.api.options import ClientOptions, RequestEvent
from rostersync.api.redaction import Redactor
from rostersync.api.replies import RETRY_AFTER_CAP_S

__all__ = ["LOGINS_PER_MINUTE", "TokenProvider", "retry_after_seconds"]

logger = logging.getLogger("rostersync.api")

LOGINS_PER_MINUTE = 10  # per user, documented
WINDOW_S = 60.0
RENEW_MARGIN_CAP_S = 300.0
DEFAULT_LIFETIME_S = 86_400.0  # documented; used when expires_in is missing or not believable
MAX_LIFETIME_S = 30 * 86_400.0
LOGIN_ATTEMPTS = 4


@dataclass
class _Token:
    value: str
    renew_at: float | None  # None: a ready token, whose lifetime is unknown


class TokenProvider:
    """Hands out a valid access token; thread-safe."""

    def __init__(self, token_url: str, credentials: Credentials, session: requests.Session, options: ClientOptions,
                 timeout: tuple[float, float]) -> None:
        """``timeout`` is ``(connect, deadline)``, as read from ``options.timeout``."""
        self._url = token_url
        self._path = urlsplit(token_url).path or "/"
        self._credentials = credentials
        self._http = BoundedEndpoint(token_url, session, timeout, clock=options.clock, setting="IADVIZE_TOKEN_URL")
        self._on_request = options.on_request
        self._sleep = options.sleep
        self._clock = options.clock
        self._rng = options.rng or random.Random()
        self._lock = threading.Lock()
        self._logins: deque[float] = deque()
        self._seen: list[str] = []
        self._current = _Token(credentials.access_token, None) if credentials.access_token else None
        if self._current is not None:
            self._seen.append(self._current.value)
        self.login_count = 0

    def __repr__(self) -> str:
        return f"TokenProvider(token_url={self._url!r}, email={self._credentials.email!r}, secrets=<redacted>)"

    @property
    def redactor(self) -> Redactor:
        """Removes the password and every token seen so far from a text."""
        with self._lock:
            return Redactor([self._credentials.password or "", *self._seen])

    def token(self) -> str:
        """The current token, after logging in if there is none or it is about to expire."""
        with self._lock:
            current = self._current
            if current is not None and (current.renew_at is None or self._clock() < current.renew_at):
                return current.value
            return self._login()

    def renew(self, refused: str) -> str | None:
        """A new token after the API refused ``refused`` (401); None if none can be had."""
        with self._lock:
            if self._current is not None and self._current.value != refused:
                return self._current.value  # another thread renewed it meanwhile
            self._current = None
            if not self._credentials.can_log_in:
                return None
            return self._login()

    # -- logging in (the lock is held) --

    def _login(self) -> str:
        if not self._credentials.can_log_in:
            raise AuthError("the access token is not valid any more and no email and password are set to "
                            "log in again: set a new IADVIZE_ACCESS_TOKEN, or IADVIZE_EMAIL and IADVIZE_PASSWORD")
        for attempt in range(1, LOGIN_ATTEMPTS + 1):
            self._wait_for_login_slot()
            self._logins.append(self._clock())
            outcome = self._post_login(attempt)
            if isinstance(outcome, _Token):
                self._current = outcome
                self._seen.append(outcome.value)
                self.login_count += 1
                return outcome.value
            error, delay = outcome
            if delay is None or attempt == LOGIN_ATTEMPTS:
                raise error
            logger.info("login: %s; trying again in %.1fs", error, delay)
            self._sleep(delay)
        raise AssertionError("unreachable")

    def _wait_for_login_slot(self) -> None:
        """Never more than 10 logins in 60 seconds: wait for the oldest to leave the window."""
        while True:
            now = self._clock()
            while self._logins and self._logins[0] <= now - WINDOW_S:
                self._logins.popleft()
            if len(self._logins) < LOGINS_PER_MINUTE:
                return
            delay = self._logins[0] + WINDOW_S - now
            logger.info("login: %d logins in the last minute, the API's limit; waiting %.1fs",
                        LOGINS_PER_MINUTE, delay)
            self._sleep(delay)

    def _post_login(self, attempt: int) -> _Token | tuple[ApiError, float | None]:
        """The token, or the error with the delay before another try (None: no retry)."""
        form = {"username": self._credentials.email or "", "password": self._credentials.password or "",
                "grant_type": "password"}
        redact = Redactor([self._credentials.password or ""])
        backoff = self._rng.uniform(0, min(8.0, 0.5 * 2 ** (attempt - 1)))

        def exchanged(status: int | None, sent: float, error: str | None) -> None:
            self._emit(status, sent, attempt, error)

        try:
            reply = self._http.post(data=form, headers={"Accept": "application/json"}, redact=redact,
                                    on_exchange=exchanged)
        except NetworkFailure as exc:
            return TransportError(f"login: could not reach the token endpoint ({exc.detail})"), backoff
        except Unreadable as exc:
            return UnexpectedResponseError(f"login: unreadable reply from the token endpoint ({exc.status}: "
                                           f"{exc.problem}): check IADVIZE_TOKEN_URL", status=exc.status), None
        if not isinstance(reply, HttpReply):  # a redirect not followed
            return reply.kind(f"login: {reply.problem}: {reply.advice}", status=reply.status), None
        body = _json_object(reply.body)
        said = redact(str(body.get("error_description") or body.get("error") or ""))[:200] or "no reason given"
        status = reply.status
        if status == 200:
            return self._read_token(body, status)
        if status == 429:
            error = RateLimitedError(f"login: the token endpoint limits logins ({said})", status=status)
            return error, retry_after_seconds(reply.headers) or backoff
        if status in (400, 401, 403):
            return AuthError(f"login as {self._credentials.email} refused ({status}: {said}): check "
                             "IADVIZE_EMAIL and IADVIZE_PASSWORD", status=status, server_message=said), None
        if status >= 500:
            return TransportError(f"login: the token endpoint failed ({status})", status=status), backoff
        return UnexpectedResponseError(f"login: unexpected reply {status} from the token endpoint: check "
                                       "IADVIZE_TOKEN_URL", status=status), None

    def _read_token(self, body: dict[str, Any], status: int) -> _Token | tuple[ApiError, None]:
        value = body.get("access_token")
        token_type = str(body.get("token_type") or "bearer")
        if not isinstance(value, str) or not value.strip() or token_type.lower() != "bearer":
            return UnexpectedResponseError("login: the token endpoint's reply has no Bearer access_token: "
                                           "check IADVIZE_TOKEN_URL", status=status), None
        seconds = _lifetime(body.get("expires_in"))
        margin = min(RENEW_MARGIN_CAP_S, seconds / 10)
        return _Token(value.strip(), self._clock() + seconds - margin)

    def _emit(self, status: int | None, sent: float, attempt: int, error: str | None) -> None:
        if self._on_request is None:
            return
        try:
            self._on_request(RequestEvent("POST", self._path, status, self._clock() - sent, attempt, error))
        except Exception:  # a broken log hook must not stop a login
            logger.exception("the on_request hook failed")


def _lifetime(expires_in: Any) -> float:
    """``expires_in`` in seconds, trusted only as a positive number of at most a
    :data:`MAX_LIFETIME_S`: missing, negative, huge or not a number (a boolean, a
    string, a 400-digit integer, ``Infinity``) is the documented 24 hours. A 401
    renews a token whatever its announced lifetime."""
    if isinstance(expires_in, bool) or not isinstance(expires_in, (int, float)):
        return DEFAULT_LIFETIME_S
    if not 0 < expires_in <= MAX_LIFETIME_S:  # NaN fails too
        return DEFAULT_LIFETIME_S
    return float(expires_in)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body or b"null")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """``Retry-After`` in seconds (the numeric form), capped as the REST client caps it."""
    try:
        seconds = float(headers.get("Retry-After", ""))
    except ValueError:
        return None
    return min(max(seconds, 0.0), RETRY_AFTER_CAP_S) if seconds == seconds else None  # NaN: not a number
