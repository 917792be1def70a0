"""HTTP to a code forge's REST API (GitHub or GitLab): JSON in and out, listings
followed page by page, every error reply an error.

    ForgeError          the forge could not be reached, or answered with an error

Plain ``http://`` is refused but to this machine (a test's stand-in). A listing
follows the ``Link: <...>; rel="next"`` header both forges send (GitLab also sends
``X-Next-Page``, used when there is no Link), up to `MAX_PAGES` pages, and only to
the origin of the base URL: a next link elsewhere would take the token with it, so
it is refused. The token travels in a header only; it is never part of a message,
and a reply that quotes it has it replaced by ``***``. There are no retries: a CI
job that fails on a forge error is run again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from rostersync import __version__

__all__ = ["MAX_PAGES", "MAX_REPLY_BYTES", "ForgeClient", "ForgeError"]

MAX_PAGES = 100  # 10,000 comments at 100 a page: far more than any pull request has
MAX_REPLY_BYTES = 16 * 1024 * 1024
TIMEOUT_S = (10.0, 60.0)  # connect, read
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class ForgeError(Exception):
    """The forge could not be reached or refused a request; the message says which
    request and what the forge said (never the token)."""


class ForgeClient:
    """Requests to one forge's API under `base_url`, authenticated by `headers`."""

    def __init__(self, base_url: str, headers: Mapping[str, str], *, secret: str) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ForgeError(f"the API URL must be an http(s) URL, got {base_url!r}")
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
            raise ForgeError(f"refusing to send the token over plain http to {parts.hostname}: use https")
        self.base_url = base_url.rstrip("/")
        self._origin = (parts.scheme, parts.netloc.lower())
        self._secret = secret
        self._session = requests.Session()
        self._session.headers.update({"User-Agent": f"rostersync/{__version__}", **headers})

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> ForgeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, path: str, params: Mapping[str, str | int] | None = None) -> Any:
        return self._request("GET", self._url(path, params))[0]

    def post(self, path: str, payload: Mapping[str, Any]) -> Any:
        return self._request("POST", self._url(path), payload)[0]

    def patch(self, path: str, payload: Mapping[str, Any]) -> Any:
        return self._request("PATCH", self._url(path), payload)[0]

    def put(self, path: str, payload: Mapping[str, Any]) -> Any:
        return self._request("PUT", self._url(path), payload)[0]

    def pages(self, path: str, params: Mapping[str, str | int] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a listing, page after page."""
        url: str | None = self._url(path, {"per_page": 100, **(params or {})})
        for _ in range(MAX_PAGES):
            if url is None:
                return
            items, reply = self._request("GET", url)
            if not isinstance(items, list):
                raise ForgeError(f"GET {self._shown(url)}: expected a list, got {type(items).__name__}")
            yield from (item for item in items if isinstance(item, dict))
            url = self._next(url, reply)
        if url is not None:
            raise ForgeError(f"GET {self._shown(path)}: more than {MAX_PAGES} pages; giving up")

    def _url(self, path: str, params: Mapping[str, str | int] | None = None) -> str:
        query = f"?{urlencode(params)}" if params else ""
        return f"{self.base_url}/{path.lstrip('/')}{query}"

    def _next(self, url: str, reply: requests.Response) -> str | None:
        link = reply.links.get("next", {}).get("url")
        if not link:
            page = reply.headers.get("X-Next-Page", "").strip()
            if not page.isdigit():
                return None
            parts = urlsplit(url)
            query = [pair for pair in parts.query.split("&") if pair and not pair.startswith("page=")]
            link = parts._replace(query="&".join([*query, f"page={page}"])).geturl()
        parts = urlsplit(link)
        if (parts.scheme, parts.netloc.lower()) != self._origin:
            raise ForgeError(f"GET {self._shown(url)}: the next page is on another host "
                             f"({parts.scheme}://{parts.netloc}); refusing to send the token there")
        return link

    def _request(self, method: str, url: str,
                 payload: Mapping[str, Any] | None = None) -> tuple[Any, requests.Response]:
        where = f"{method} {self._shown(url)}"
        try:
            reply = self._session.request(method, url, json=payload, timeout=TIMEOUT_S, stream=True,
                                          allow_redirects=False)
            body = _read(reply)
        except requests.RequestException as exc:
            raise ForgeError(f"{where}: no reply ({type(exc).__name__})") from None
        if reply.status_code >= 300:
            raise ForgeError(f"{where}: HTTP {reply.status_code}{self._said(body)}")
        try:
            return (json.loads(body) if body.strip() else None), reply
        except ValueError:
            raise ForgeError(f"{where}: HTTP {reply.status_code} but the reply is not JSON") from None

    def _shown(self, url: str) -> str:
        """A URL as messages show it: its path, without the query."""
        return self._redact(urlsplit(url).path or "/")

    def _said(self, body: bytes) -> str:
        """What an error reply says, shortened: GitHub's and GitLab's ``message`` or ``error``."""
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        said: Any = None
        if isinstance(data, dict):
            said = data.get("message") or data.get("error")
        if said is None:
            said = body.decode("utf-8", "replace").strip()
        text = said if isinstance(said, str) else json.dumps(said, ensure_ascii=False)
        text = self._redact(" ".join(text.split()))
        return f": {text[:300]}{'…' if len(text) > 300 else ''}" if text else ""

    def _redact(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text


def _read(reply: requests.Response) -> bytes:
    data = bytearray()
    for chunk in reply.iter_content(64 * 1024):
        data += chunk
        if len(data) > MAX_REPLY_BYTES:
            reply.close()
            raise ForgeError(f"the reply to {reply.request.method} is larger than {MAX_REPLY_BYTES} bytes")
    return bytes(data)
