"""``POST /oauth2/token`` of the GraphQL sandbox: logins, access tokens, their expiry.

As documented (shared file §1.2): a form body with ``username``, ``password`` and
``grant_type=password``; the reply ``{"access_token", "expires_in", "token_type":
"Bearer", "refresh_token": "none"}``; tokens live 24 hours (here configurable, to
test expiry); 10 logins a minute per user and 100 per IP address.

Choices where the documentation is silent (§1.2, §8.12):
- Past a login limit: 429, ``Retry-After`` in whole seconds, and an OAuth2-style
  body ``{"error": "too_many_requests", "error_description": ...}``. Every attempt
  counts, refused ones included, in a sliding window of 60 seconds.
- A wrong email or password: 400 ``invalid_grant``; a missing field: 400
  ``invalid_request``; another grant type: 400 ``unsupported_grant_type``; a body
  that is not a form: 400 ``invalid_request``.
- Tokens are opaque random strings. The clock is injected so that tests can make
  every token expire without waiting.
"""

from __future__ import annotations

import hmac
import math
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["LOGINS_PER_MINUTE_PER_IP", "LOGINS_PER_MINUTE_PER_USER", "LoginOutcome", "TokenIssuer"]

LOGINS_PER_MINUTE_PER_USER = 10
LOGINS_PER_MINUTE_PER_IP = 100
WINDOW_S = 60.0


@dataclass(frozen=True)
class LoginOutcome:
    """What ``/oauth2/token`` answers: a status, an OAuth2 body, maybe ``Retry-After``."""

    status: int
    body: dict[str, object]
    retry_after_s: int | None = None


class TokenIssuer:
    """Checks logins, hands out tokens, says whether a token is still valid; thread-safe."""

    def __init__(self, credentials: Mapping[str, str], *, lifetime_s: float = 86_400.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if lifetime_s <= 0:
            raise ValueError("lifetime_s must be positive")
        self._credentials = {email.casefold(): password for email, password in credentials.items()}
        self.lifetime_s = lifetime_s
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, float] = {}  # token -> expiry time
        self._attempts: defaultdict[str, deque[float]] = defaultdict(deque)
        self.logins = 0  # logins that gave a token
        self.refused = 0  # logins answered 429
        self.issued: list[str] = []  # every token handed out, for tests that look for leaks

    def __repr__(self) -> str:
        return f"<TokenIssuer users={len(self._credentials)} tokens={len(self._tokens)}>"

    def login(self, form: Mapping[str, str], client_ip: str) -> LoginOutcome:
        grant_type = form.get("grant_type", "")
        username = form.get("username", "").strip()
        password = form.get("password", "")
        if not grant_type or not username or not password:
            return _oauth_error(400, "invalid_request", "username, password and grant_type are required")
        if grant_type != "password":
            return _oauth_error(400, "unsupported_grant_type", "only the password grant type is supported")
        with self._lock:
            now = self._clock()
            wait = max(self._over_limit(f"user:{username.casefold()}", LOGINS_PER_MINUTE_PER_USER, now),
                       self._over_limit(f"ip:{client_ip}", LOGINS_PER_MINUTE_PER_IP, now))
            if wait > 0:
                self.refused += 1
                retry_after = max(1, math.ceil(wait))
                outcome = _oauth_error(429, "too_many_requests", f"too many logins: retry in {retry_after} s")
                return LoginOutcome(429, outcome.body, retry_after)
            self._attempts[f"user:{username.casefold()}"].append(now)
            self._attempts[f"ip:{client_ip}"].append(now)
            expected = self._credentials.get(username.casefold())
            if expected is None or not hmac.compare_digest(expected.encode(), password.encode()):
                return _oauth_error(400, "invalid_grant", "Invalid username and password combination")
            token = secrets.token_urlsafe(32)
            self._tokens[token] = now + self.lifetime_s
            self.issued.append(token)
            self.logins += 1
        return LoginOutcome(200, {"access_token": token, "expires_in": math.ceil(self.lifetime_s),
                                  "token_type": "Bearer", "refresh_token": "none"})

    def _over_limit(self, key: str, limit: int, now: float) -> float:
        """Seconds until one more attempt is allowed for ``key``; 0 if allowed now."""
        attempts = self._attempts[key]
        while attempts and attempts[0] <= now - WINDOW_S:
            attempts.popleft()
        return attempts[0] + WINDOW_S - now if len(attempts) >= limit else 0.0

    def issue(self) -> str:
        """A valid token without a login (for tests that give the client a ready token)."""
        with self._lock:
            token = secrets.token_urlsafe(32)
            self._tokens[token] = self._clock() + self.lifetime_s
            self.issued.append(token)
            return token

    def is_valid(self, token: str) -> bool:
        with self._lock:
            expiry = self._tokens.get(token)
            if expiry is None:
                return False
            if expiry <= self._clock():
                del self._tokens[token]
                return False
            return True

    def expire_all(self) -> None:
        """Make every token issued so far invalid, as if its lifetime had passed."""
        with self._lock:
            self._tokens.clear()

    def reset(self) -> None:
        """Forget tokens, login attempts and counts."""
        with self._lock:
            self._tokens.clear()
            self._attempts.clear()
            self.issued.clear()
            self.logins = self.refused = 0


def _oauth_error(status: int, error: str, description: str) -> LoginOutcome:
    return LoginOutcome(status, {"error": error, "error_description": description})
