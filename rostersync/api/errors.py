"""Every way a call to the iAdvize REST API can fail, as one exception tree.

::

    ApiError
     ├── ConfigError              bad base URL, plain http:// to a remote host, missing key
     ├── TransportError           connection refused/reset, DNS, TLS, the deadline of a request passed
     │    └── OutcomeUnknownError a WRITE was sent but no reply came back (or none that
     │                            can be read): it may or may not have been committed
     ├── AuthError                401/403: the key was refused
     ├── NotFoundError            404, or meta "fail" with "Unknown ..."
     ├── RejectedError            any other 4xx (validation), or a 2xx whose meta says fail/error
     ├── RateLimitedError         429 still after the retries
     ├── ServerError              5xx still after the retries
     └── UnexpectedResponseError  not JSON, no meta, wrong shape; a reply too large or in an
                                  encoding not asked for; a redirect not followed (another
                                  origin, too many); a listing that cannot be trusted
                                  (lying pagination, an early end, an id or email twice)

Each message is written for a person: what was attempted, what the server said, and
what to do.  Each exception also carries the context as attributes (`method`, `path`
without any query string, `status`, `server_message`, `attempts`) so that callers can
branch on them.  The API key is never part of any of them: the transport redacts it
before an exception is built.
"""

from __future__ import annotations

__all__ = [
    "ApiError",
    "AuthError",
    "ConfigError",
    "NotFoundError",
    "OutcomeUnknownError",
    "RateLimitedError",
    "RejectedError",
    "ServerError",
    "TransportError",
    "UnexpectedResponseError",
]


class ApiError(Exception):
    """Base of every error raised by :mod:`rostersync.api`."""

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        server_message: str | None = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.server_message = server_message
        self.attempts = attempts

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r})"


class ConfigError(ApiError):
    """The client cannot be set up: bad base URL, insecure scheme, missing or bad key."""


class TransportError(ApiError):
    """The server could not be reached, or the connection broke before a reply."""


class OutcomeUnknownError(TransportError):
    """A write was sent but its reply was lost: it may or may not have been applied.

    Raised for a POST that met a dropped connection or a timeout after sending, or a
    502/503/504.  Retrying blindly could create a duplicate, so the caller must look
    the object up (e.g. by email) before deciding what to do.
    """


class AuthError(ApiError):
    """HTTP 401/403: the API refused the key."""


class NotFoundError(ApiError):
    """HTTP 404, or a reply whose meta says ``Unknown '<resource>' ...``.

    ``after_lost_reply`` is true when an earlier attempt of the same call was sent but
    its reply was lost: for a DELETE that means the first attempt probably did the job.
    """

    after_lost_reply: bool = False


class RejectedError(ApiError):
    """The API refused the request as invalid (400, 409, 422, ...); see ``server_message``."""


class RateLimitedError(ApiError):
    """HTTP 429 Too Many Requests, still after every retry allowed."""


class ServerError(ApiError):
    """HTTP 5xx, still after every retry allowed."""


class UnexpectedResponseError(ApiError):
    """The reply was not what the iAdvize API sends: not JSON, no ``meta``, wrong shape,
    too large, redirected elsewhere, or a listing that is incomplete or inconsistent."""
