"""Client library for the iAdvize REST API v2 (operators).

>>> from rostersync.api import IAdvizeClient, resolve_base_url
>>> client = IAdvizeClient(resolve_base_url(None, "ha", {}), api_key)  # doctest: +SKIP
>>> client = IAdvizeClient(url, api_key, ClientOptions(max_rps=5))  # doctest: +SKIP

How the client behaves (timeouts, retries, pacing, the request hook) is one
:class:`rostersync.api.options.ClientOptions`.

Errors are one tree rooted at :class:`ApiError` (drawn in :mod:`rostersync.api.errors`).
The library never prints; it logs to the ``rostersync.api`` logger, and calls
``on_request`` after each HTTP attempt for verbose output.

The names below are imported on first use (PEP 562): `import rostersync.api.errors`,
which the CLI does for every command, does not load HTTP (requests, urllib3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rostersync._lazy_exports import lazy_exports

# Each public name and the module it is defined in; the imports below give type
# checkers the same names, and tests/api/test_public_api.py checks that they agree.
_EXPORTS: dict[str, str] = {
    "IAdvizeClient": "rostersync.api.client",
    "PAGE_LIMIT": "rostersync.api.client",
    "BASE_URL_ENV": "rostersync.api.config",
    "HA_BASE_URL": "rostersync.api.config",
    "PLATFORMS": "rostersync.api.config",
    "STANDARD_BASE_URL": "rostersync.api.config",
    "resolve_base_url": "rostersync.api.config",
    "validate_base_url": "rostersync.api.config",
    "ApiError": "rostersync.api.errors",
    "AuthError": "rostersync.api.errors",
    "ConfigError": "rostersync.api.errors",
    "NotFoundError": "rostersync.api.errors",
    "OutcomeUnknownError": "rostersync.api.errors",
    "RateLimitedError": "rostersync.api.errors",
    "RejectedError": "rostersync.api.errors",
    "ServerError": "rostersync.api.errors",
    "TransportError": "rostersync.api.errors",
    "UnexpectedResponseError": "rostersync.api.errors",
    "encode_form": "rostersync.api.forms",
    "form_pairs": "rostersync.api.forms",
    "RequestEvent": "rostersync.api.options",
    "OPERATOR_FIELDS": "rostersync.api.records",
    "SECRET_FIELDS": "rostersync.api.records",
    "ChannelAvailability": "rostersync.api.records",
    "LiveAvailability": "rostersync.api.records",
    "OperatorProfile": "rostersync.api.records",
    "OperatorRecord": "rostersync.api.records",
    "OperatorStatistic": "rostersync.api.records",
}

if TYPE_CHECKING:
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


_load, __dir__ = lazy_exports(globals(), _EXPORTS)

if not TYPE_CHECKING:  # hidden from type checkers, which then flag a name that is not public
    __getattr__ = _load
