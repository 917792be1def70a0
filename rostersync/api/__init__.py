"""Client library for the iAdvize REST API v2 (operators).

>>> from rostersync.api import IAdvizeClient, resolve_base_url
>>> client = IAdvizeClient(resolve_base_url(None, "ha", {}), api_key)  # doctest: +SKIP
>>> client = IAdvizeClient(url, api_key, ClientOptions(max_rps=5))  # doctest: +SKIP

How the client behaves (timeouts, retries, pacing, the request hook) is one
:class:`rostersync.api.options.ClientOptions`.

Errors are one tree rooted at :class:`ApiError` (drawn in :mod:`rostersync.api.errors`).
The library never prints; it logs to the ``rostersync.api`` logger, and calls
``on_request`` after each HTTP attempt for verbose output.
"""

from rostersync.api.client import PAGE_LIMIT, IAdvizeClient
from rostersync.api.config import (
    BASE_URL_ENV,
    HA_BASE_URL,
    PLATFORMS,
    STANDARD_BASE_URL,
    resolve_base_url,
    validate_base_url,
)
from rostersync.api.errors import (
    ApiError,
    AuthError,
    ConfigError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitedError,
    RejectedError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
)
from rostersync.api.forms import encode_form, form_pairs
from rostersync.api.options import RequestEvent
from rostersync.api.records import (
    OPERATOR_FIELDS,
    SECRET_FIELDS,
    ChannelAvailability,
    LiveAvailability,
    OperatorProfile,
    OperatorRecord,
    OperatorStatistic,
)

__all__ = [
    "BASE_URL_ENV",
    "HA_BASE_URL",
    "OPERATOR_FIELDS",
    "PAGE_LIMIT",
    "PLATFORMS",
    "SECRET_FIELDS",
    "STANDARD_BASE_URL",
    "ApiError",
    "AuthError",
    "ChannelAvailability",
    "ConfigError",
    "IAdvizeClient",
    "LiveAvailability",
    "NotFoundError",
    "OperatorProfile",
    "OperatorRecord",
    "OperatorStatistic",
    "OutcomeUnknownError",
    "RateLimitedError",
    "RejectedError",
    "RequestEvent",
    "ServerError",
    "TransportError",
    "UnexpectedResponseError",
    "encode_form",
    "form_pairs",
    "resolve_base_url",
    "validate_base_url",
]
