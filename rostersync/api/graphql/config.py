"""Where the GraphQL API and its token endpoint are, and with which credentials.

Documented (shared file §1): the endpoint ``https://api.iadvize.com/graphql``, with
``?platform=sd`` on the standard platform; tokens from
``https://api.iadvize.com/oauth2/token``. Whether ``?platform=sd`` also applies to
the token endpoint is not documented (§8.12): it is not added there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from rostersync.api.config import is_loopback
from rostersync.api.errors import ConfigError

__all__ = [
    "ACCESS_TOKEN_ENV",
    "EMAIL_ENV",
    "GRAPHQL_URL",
    "GRAPHQL_URL_ENV",
    "PASSWORD_ENV",
    "TOKEN_URL",
    "TOKEN_URL_ENV",
    "Credentials",
    "resolve_credentials",
    "resolve_graphql_url",
    "resolve_token_url",
    "validate_endpoint",
]

GRAPHQL_URL = "https://api.iadvize.com/graphql"
TOKEN_URL = "https://api.iadvize.com/oauth2/token"  # noqa: S105 - a URL, not a password
GRAPHQL_URL_ENV = "IADVIZE_GRAPHQL_URL"
TOKEN_URL_ENV = "IADVIZE_TOKEN_URL"  # noqa: S105 - a variable name
EMAIL_ENV = "IADVIZE_EMAIL"
PASSWORD_ENV = "IADVIZE_PASSWORD"  # noqa: S105 - the variable's name, not a password
ACCESS_TOKEN_ENV = "IADVIZE_ACCESS_TOKEN"  # noqa: S105 - idem
_HA_PLATFORMS = frozenset({"ha", "high-availability"})
_STANDARD_PLATFORMS = frozenset({"standard", "sd"})


def resolve_graphql_url(url: str | None, platform: str | None, env: Mapping[str, str]) -> str:
    """``url`` (an option), else ``$IADVIZE_GRAPHQL_URL``, else the documented endpoint:
    with ``?platform=sd`` on the standard platform (the default, as for REST)."""
    explicit = (url or "").strip() or env.get(GRAPHQL_URL_ENV, "").strip()
    if explicit:
        return explicit
    name = (platform or "standard").strip().lower()
    if name in _HA_PLATFORMS:
        return GRAPHQL_URL
    if name in _STANDARD_PLATFORMS:
        return f"{GRAPHQL_URL}?platform=sd"
    raise ConfigError(f"unknown platform {platform!r}: use standard (sd) or ha")


def resolve_token_url(url: str | None, env: Mapping[str, str]) -> str:
    return (url or "").strip() or env.get(TOKEN_URL_ENV, "").strip() or TOKEN_URL


def validate_endpoint(url: str, *, what: str, insecure: bool = False) -> str:
    """Return ``url`` stripped, or raise :class:`ConfigError`.

    A ``platform`` query parameter is the only one allowed: credentials never travel
    in a URL. Plain ``http://`` is refused unless the host is this machine or
    ``insecure`` is set, as for REST.
    """
    text = url.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"the {what} {text!r} is not an http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise ConfigError(f"the {what} for host {parts.hostname!r} carries a user name or password: remove it")
    names = {name for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
    if parts.fragment or names - {"platform"}:
        raise ConfigError(f"the {what} for host {parts.hostname!r} has a fragment or a query parameter other "
                          "than platform: remove it (credentials never go in a URL)")
    if scheme == "http" and not insecure and not is_loopback(parts.hostname):
        raise ConfigError(f"refusing plain http:// to {parts.hostname}: the password or token would travel "
                          "unencrypted; use https:// (or allow it explicitly with --insecure)")
    return text


@dataclass(frozen=True)
class Credentials:
    """How to authenticate; the password and the token never show in a repr."""

    email: str | None = None
    password: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)

    @property
    def can_log_in(self) -> bool:
        return bool(self.email and self.password)


def resolve_credentials(env: Mapping[str, str], *, password_file: Path | None = None) -> Credentials:
    """``IADVIZE_EMAIL`` with ``IADVIZE_PASSWORD`` (or ``password_file``), and/or a ready
    ``IADVIZE_ACCESS_TOKEN``. With both, the token is used first and the login renews it."""
    email = env.get(EMAIL_ENV, "").strip() or None
    password = env.get(PASSWORD_ENV) or None
    if password_file is not None:
        try:
            password = password_file.read_text(encoding="utf-8").rstrip("\r\n") or None
        except OSError as exc:
            raise ConfigError(f"cannot read the password file {password_file}: {exc.strerror}") from None
    token = env.get(ACCESS_TOKEN_ENV, "").strip() or None
    if bool(email) != bool(password) and token is None:
        missing = PASSWORD_ENV if email else EMAIL_ENV
        raise ConfigError(f"{missing} is not set: the GraphQL API logs in with an email and a password")
    if not (email and password) and token is None:
        raise ConfigError(f"no GraphQL credentials: set {EMAIL_ENV} and {PASSWORD_ENV} (or a password file), "
                          f"or {ACCESS_TOKEN_ENV}")
    return Credentials(email, password, token)
