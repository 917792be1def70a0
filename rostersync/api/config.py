"""Where the API is and with which key: base-URL resolution and the checks on both;
and the one reader of a file holding a secret (an API key, a password)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from rostersync.api.errors import ConfigError

__all__ = [
    "BASE_URL_ENV",
    "HA_BASE_URL",
    "MAX_KEY_FILE_BYTES",
    "PLATFORMS",
    "STANDARD_BASE_URL",
    "check_api_key",
    "read_secret_file",
    "resolve_base_url",
    "validate_base_url",
]

STANDARD_BASE_URL = "https://sd.iadvize.com/api/2"
HA_BASE_URL = "https://ha.iadvize.com/api/2"
BASE_URL_ENV = "IADVIZE_BASE_URL"
MAX_KEY_FILE_BYTES = 4096  # an API key or a password is tens of characters; this is room for any of them

#: ``--platform`` names (case-insensitive) and the base URL each stands for.
PLATFORMS: Mapping[str, str] = {
    "standard": STANDARD_BASE_URL,
    "sd": STANDARD_BASE_URL,
    "ha": HA_BASE_URL,
    "high-availability": HA_BASE_URL,
}


def resolve_base_url(base_url: str | None, platform: str | None, env: Mapping[str, str]) -> str:
    """Pick the base URL: ``base_url``, else ``platform``, else ``$IADVIZE_BASE_URL``,
    else the standard platform.

    The two arguments come from command-line options, which beat the environment;
    pass ``None`` for an option the user did not give.  Only the syntax is checked
    here: whether plain http:// is allowed is decided by :func:`validate_base_url`.
    """
    if base_url:
        return _strip(base_url)
    if platform:
        try:
            return PLATFORMS[platform.strip().lower()]
        except KeyError:
            names = ", ".join(sorted(PLATFORMS))
            raise ConfigError(f"unknown platform {platform!r}: use one of {names}") from None
    from_env = env.get(BASE_URL_ENV, "").strip()
    if from_env:
        return _strip(from_env)
    return STANDARD_BASE_URL


def _strip(url: str) -> str:
    # The old PHP client's base ended with a slash; paths are appended as "/operator".
    return url.strip().rstrip("/")


def validate_base_url(base_url: str, *, insecure: bool = False) -> str:
    """Return ``base_url`` normalised, or raise :class:`ConfigError` saying what is wrong.

    Plain ``http://`` would send the API key in clear text, so it is refused unless the
    host is this machine (the sandbox) or ``insecure`` is set.
    """
    url = _strip(base_url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"the base URL {url!r} is not an http(s) URL: "
            f"use e.g. {STANDARD_BASE_URL} (or --platform ha for {HA_BASE_URL})"
        )
    if parts.username is not None or parts.password is not None:
        # Shown without the credentials, which must not reach a log.
        raise ConfigError(
            f"the base URL for host {parts.hostname!r} carries a user name or password: "
            "remove it; the API key goes in IADVIZE_API_KEY"
        )
    if parts.query or parts.fragment:
        raise ConfigError(
            f"the base URL for host {parts.hostname!r} has a query string or fragment: "
            "remove it (the API key goes in IADVIZE_API_KEY, never in a URL)"
        )
    if scheme == "http" and not insecure and not is_loopback(parts.hostname):
        raise ConfigError(
            f"refusing plain http:// to {parts.hostname}: the API key would travel "
            "unencrypted; use https:// (or allow it explicitly with --insecure)"
        )
    return url


def is_loopback(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ::1."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_api_key(api_key: str | None) -> str:
    """Return the key without surrounding whitespace, or raise :class:`ConfigError`.

    The key goes in a header: a control character or space in it would make requests
    raise an error that quotes the header value, i.e. the key.  Refuse it here with a
    message that does not repeat it.
    """
    key = (api_key or "").strip()
    if not key:
        raise ConfigError("no API key given: set IADVIZE_API_KEY")
    if not all(33 <= ord(char) <= 126 for char in key):
        raise ConfigError(
            "the API key contains spaces, control or non-ASCII characters: "
            "check IADVIZE_API_KEY (copy the key again from the iAdvize administration)"
        )
    return key


def read_secret_file(path: Path, *, what: str, option: str) -> str:
    """The text of a file holding a secret (``what``: "API key", "password"): at most
    MAX_KEY_FILE_BYTES of UTF-8, or a ConfigError that names ``option``.

    Read in pieces up to one byte past the limit, so that `/dev/zero` or a pipe that
    never ends costs 4 KiB; the message never quotes the content.
    """
    data = bytearray()
    try:
        with path.open("rb") as file:
            while len(data) <= MAX_KEY_FILE_BYTES:
                piece = file.read(MAX_KEY_FILE_BYTES + 1 - len(data))
                if not piece:
                    break
                data += piece
    except OSError as exc:
        raise ConfigError(f"cannot read the {what} file {str(path)!r}: {exc.strerror or exc}") from None
    if len(data) > MAX_KEY_FILE_BYTES:
        raise ConfigError(f"the {what} file {str(path)!r} holds more than {MAX_KEY_FILE_BYTES // 1024} KiB "
                          f"(MAX_KEY_FILE_BYTES): it is not {_article(what)} {what}; check {option}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"the {what} file {str(path)!r} is not UTF-8 text: check {option}") from None


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"
