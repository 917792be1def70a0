"""One bounded POST, for the GraphQL endpoint and the token endpoint alike.

The REST transport's bounds, from the same modules, so that a hostile GraphQL server
(or a proxy on the way) can make the client do no more than a hostile REST one:

- a wall-clock deadline on connecting, sending and reading the whole reply
  (:mod:`rostersync.api.deadline`; ``ClientOptions.timeout``);
- at most :data:`~rostersync.api.body.MAX_REPLY_BYTES` of decoded body, inflated here
  in chunks (:mod:`rostersync.api.body`);
- redirects followed only to the same origin as the endpoint, only 307 and 308 (a
  POST is never turned into a GET), at most
  :data:`~rostersync.api.exchange.MAX_REDIRECTS` in a row (:mod:`rostersync.api.exchange`):
  the token and the password go nowhere else.

The session itself (``DeadlineAdapter``, no urllib3 retries, no environment proxies
over plain ``http://``) is the REST transport's too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
import urllib3.exceptions

from rostersync.api.body import ACCEPT_ENCODING, ReplyTooLarge, UnreadableBody, read_body
from rostersync.api.deadline import deadline
from rostersync.api.errors import ConfigError
from rostersync.api.exchange import REDIRECT_STATUSES, describe_network_error, next_url, origin_of
from rostersync.api.redaction import Redactor
from rostersync.api.replies import Failure

__all__ = ["BoundedEndpoint", "HttpReply", "NetworkFailure", "Unreadable"]

#: What sending or reading can raise below the API error tree.
_NETWORK_ERRORS = (requests.RequestException, urllib3.exceptions.HTTPError, OSError)

#: Called after each HTTP exchange (a redirect is one): status (None: no reply), when it
#: was sent (by the options' clock), and a short error.
ExchangeHook = Callable[[int | None, float, str | None], None]


@dataclass(frozen=True)
class HttpReply:
    status: int
    headers: Mapping[str, str]
    body: bytes  # decoded, at most MAX_REPLY_BYTES


class NetworkFailure(Exception):
    """No complete reply came (connection failed or dropped, the deadline passed).

    ``cause`` is what ``requests`` or urllib3 raised, for :func:`never_sent`;
    ``detail`` says it in a few words, redacted.
    """

    def __init__(self, cause: BaseException, detail: str) -> None:
        super().__init__(detail)
        self.cause = cause
        self.detail = detail


class Unreadable(Exception):
    """A reply whose body could not be read within the bounds (too large, unknown encoding)."""

    def __init__(self, status: int, problem: str) -> None:
        super().__init__(problem)
        self.status = status
        self.problem = problem


class BoundedEndpoint:
    """POSTs to one URL within the bounds above; thread-safe (the session is)."""

    def __init__(self, url: str, session: requests.Session, timeout: tuple[float, float], *,
                 clock: Callable[[], float], setting: str) -> None:
        """``timeout`` is ``(connect, deadline)``; ``setting`` names where the URL comes from
        (``IADVIZE_GRAPHQL_URL``), for the advice of a refused redirect."""
        self.url = url
        parts = urlsplit(url)
        origin = origin_of(parts)
        if origin is None:
            raise ConfigError(f"the URL for host {parts.hostname!r} has no usable host and port: check {setting}")
        self._origin = origin
        self._shown_origin = f"{parts.scheme}://{parts.netloc}"
        self._session = session
        self._connect, self._deadline = timeout
        self._clock = clock
        self._setting = setting

    @property
    def deadline_s(self) -> float:
        return self._deadline

    def post(self, *, data: bytes | Mapping[str, str], headers: Mapping[str, str], redact: Redactor,
             on_exchange: ExchangeHook) -> HttpReply | Failure:
        """The reply, or the :class:`Failure` of a redirect not followed.

        Raises :class:`NetworkFailure` when no complete reply came (the deadline
        included), and :class:`Unreadable` when its body cannot be read.
        """
        sent_headers = {**headers, "Accept-Encoding": ACCEPT_ENCODING}
        url = self.url
        with deadline(self._deadline):  # one deadline for the attempt, redirects included
            for hops in range(100):
                sent = self._clock()
                try:
                    response = self._session.post(url, data=data, headers=sent_headers,
                                                  timeout=(self._connect, self._deadline), allow_redirects=False,
                                                  stream=True)
                except _NETWORK_ERRORS as exc:
                    raise self._failed(exc, None, sent, redact, on_exchange) from None
                with response:
                    status = response.status_code
                    if status in REDIRECT_STATUSES:
                        on_exchange(status, sent, None)
                        target = next_url(url=url, location=response.headers.get("Location"), status=status,
                                          method="POST", hops=hops, origin=self._origin,
                                          shown_origin=self._shown_origin, redact=redact)
                        if isinstance(target, Failure):
                            target.advice = f"check {self._setting}"
                            return target
                        url = target
                        continue
                    try:
                        body = read_body(response.raw, response.headers.get("Content-Encoding"),
                                         response.headers.get("Content-Length"))
                    except (ReplyTooLarge, UnreadableBody) as exc:
                        on_exchange(status, sent, "unreadable reply")
                        raise Unreadable(status, str(exc)) from None
                    except _NETWORK_ERRORS as exc:
                        raise self._failed(exc, status, sent, redact, on_exchange) from None
                    on_exchange(status, sent, None)
                    return HttpReply(status, response.headers, body)
        raise AssertionError("unreachable: next_url refuses after MAX_REDIRECTS")

    def _failed(self, exc: BaseException, status: int | None, sent: float, redact: Redactor,
                on_exchange: ExchangeHook) -> NetworkFailure:
        detail = describe_network_error(exc, self._deadline, redact)
        on_exchange(status, sent, detail)
        return NetworkFailure(exc, detail)
