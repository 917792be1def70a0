"""The sandbox's HTTP side: routing, auth, envelope, pagination, faults, threads.

``SandboxApp.handle`` turns one parsed request into a ``Reply`` and knows nothing
of sockets; ``_Handler`` is the thin ``http.server`` layer around it. ``Sandbox``
and ``start_sandbox`` run both in a background thread.

Choices where the documentation is silent:
- Order of checks: faults (latency, 429, 503), then the API key (403, for every
  path under ``/api/2``), then the route (404, or 405 for a known path).
- Unknown route: 404 with ``meta.status`` ``error``; a missing operator: 404 ``fail``.
- ``DELETE`` answers ``{"meta": {"status": "success", "message": ...}}`` with no data.
- ``page`` and ``limit`` of ``GET /operator`` must be positive integers (else 400);
  a page past the last one is empty.
- ``GET /operator/live`` is not paginated, as the documentation's example shows:
  every matching item in one reply, no ``pagination`` key; ``page`` and ``limit``
  are not used there and so are ignored, whatever their value.
- Query parameters a route does not use (``page`` and ``limit`` on a single
  object, the ``fields[...]`` copies of a write that iAdvize's PHP client adds)
  are ignored, never refused.
- ``connected`` of ``GET /operator/live`` is read as ``connected=0`` or
  ``filters[connected]=0`` (the docs call it a filter); ``connected=1`` is the default view.
- Bodies are read only as ``application/x-www-form-urlencoded`` (or no content
  type); JSON or anything else counts as an empty form. Query-string fields are
  never taken as body fields.
- HTTP/1.1 keep-alive, as a real HTTPS front end offers.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol
from urllib.parse import urlsplit

from rostersync.sandbox.faults import FaultInjector
from rostersync.sandbox.filters import FILTER_NAMES
from rostersync.sandbox.forms import parse_form
from rostersync.sandbox.http_server import ClosingHTTPServer
from rostersync.sandbox.store import OperatorNotFound, OperatorStore
from rostersync.sandbox.validation import InvalidFields, parse_bool

__all__ = ["API_PREFIX", "MAX_LIMIT", "Reply", "RequestLog", "SandboxApp", "SandboxHTTPServer"]

logger = logging.getLogger(__name__)

API_PREFIX = "/api/2"
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_BODY_BYTES = 1_000_000
WRITE_METHODS = frozenset({"POST", "PUT", "DELETE"})
_KEY_IN_QUERY = re.compile(r"([?&]key=)[^&\s]*")


class Headers(Protocol):
    """What the app needs of request headers: ``email.message.Message`` or a dict."""

    def get(self, name: str, /) -> str | None: ...


@dataclass
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without sending anything


def success(data: Any = None, *, status: int = 200, message: str | None = None,
            pagination: dict[str, int] | None = None) -> Reply:
    meta: dict[str, Any] = {"status": "success"}
    if message is not None:
        meta["message"] = message
    body: dict[str, Any] = {"meta": meta}
    if data is not None:
        body["data"] = data
    if pagination is not None:
        body["pagination"] = pagination
    return Reply(status, body)


def failure(status: int, message: str, *, kind: str = "fail",
            headers: dict[str, str] | None = None) -> Reply:
    """``kind`` is ``fail`` for a problem with the request, ``error`` for the rest."""
    return Reply(status, {"meta": {"status": kind, "message": message}}, headers or {})


class RequestLog:
    """Counts requests by ``"METHOD /path/{kind}"``, e.g. ``"PUT /operator/{id}"``, and the
    filter names ignored as unknown (the loose rule would hide a client's misspelling)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._ignored_filters: Counter[str] = Counter()

    def record(self, method: str, kind: str) -> None:
        with self._lock:
            self._counts[f"{method} {kind}"] += 1

    def record_ignored_filters(self, names: Iterable[str]) -> None:
        with self._lock:
            self._ignored_filters.update(names)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def ignored_filters(self) -> dict[str, int]:
        with self._lock:
            return dict(self._ignored_filters)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
            self._ignored_filters.clear()


@dataclass
class Request:
    method: str
    query: dict[str, Any]
    form: dict[str, Any]
    operator_id: int = 0


RouteHandler = Callable[[OperatorStore, Request], Reply]


# ---------------------------------------------------------------- actions

def _pagination(query: Mapping[str, Any]) -> tuple[int, int]:
    """``(page, limit)`` from the query; a limit above 100 is clamped, as the docs warn."""
    values = []
    for name, default in (("page", 1), ("limit", DEFAULT_LIMIT)):
        raw = query.get(name, default)
        try:
            number = int(raw) if isinstance(raw, (int, str)) else 0
        except ValueError:
            number = 0
        if number < 1:
            raise InvalidFields([f"Invalid value for {name!r}: must be a positive integer."])
        values.append(number)
    return values[0], min(values[1], MAX_LIMIT)


def _paginated(count: int, items: list[dict[str, Any]], page: int, limit: int) -> Reply:
    pages = max(1, math.ceil(count / limit))
    return success(items, pagination={"page": page, "pages": pages, "limit": limit,
                                      "count": count})


def _filters(query: Mapping[str, Any]) -> dict[str, Any]:
    filters = query.get("filters", {})
    if not isinstance(filters, dict):
        raise InvalidFields(["Invalid value for 'filters': use filters[NAME]=VALUE."])
    return dict(filters)


def _flag(query: Mapping[str, Any], name: str) -> bool:
    if name not in query:
        return False
    try:
        return parse_bool(query[name])
    except ValueError:
        raise InvalidFields([f"Invalid value for {name!r}: must be 1 or 0."]) from None


def list_operators(store: OperatorStore, request: Request) -> Reply:
    page, limit = _pagination(request.query)
    count, items = store.page(_filters(request.query), offset=(page - 1) * limit, limit=limit,
                              full=_flag(request.query, "full"))
    return _paginated(count, items, page, limit)


def create_operator(store: OperatorStore, request: Request) -> Reply:
    return success(store.create(request.form), status=201)


def get_operator(store: OperatorStore, request: Request) -> Reply:
    return success(store.get(request.operator_id))


def update_operator(store: OperatorStore, request: Request) -> Reply:
    return success(store.update(request.operator_id, request.form))


def delete_operator(store: OperatorStore, request: Request) -> Reply:
    store.delete(request.operator_id)
    return success(message=f"Operator {request.operator_id} deleted.")


def list_live(store: OperatorStore, request: Request) -> Reply:
    # Not paginated, as the documentation's example: page and limit are not read.
    filters = _filters(request.query)
    connected = filters.pop("connected", request.query.get("connected", "1"))
    if connected not in ("0", "1"):
        raise InvalidFields(["Invalid value for 'connected': must be 0 (offline operators "
                             "too) or 1 (the default: available operators)."])
    return success(store.list_live(filters, include_offline=connected == "0"))


def get_live(store: OperatorStore, request: Request) -> Reply:
    return success(store.live(request.operator_id))


def set_live(store: OperatorStore, request: Request) -> Reply:
    return success(message=store.set_live(request.operator_id, request.form))


def get_statistic(store: OperatorStore, request: Request) -> Reply:
    return success(store.statistic(request.operator_id))


def get_profile(store: OperatorStore, request: Request) -> Reply:
    return success(store.profile(request.operator_id))


def list_skills(store: OperatorStore, request: Request) -> Reply:
    filters = _filters(request.query)
    of_operator: list[int] | None = None
    if "operator_id" in filters:
        raw = str(filters["operator_id"]).strip()
        if not raw.isdigit():
            raise InvalidFields(["Invalid value for filter 'operator_id': must be an integer."])
        of_operator = list(store.get(int(raw)).get("skill_list") or [])
    return _catalog_page(store.catalog.list_skills(filters, of_operator), request)


def list_groups(store: OperatorStore, request: Request) -> Reply:
    return _catalog_page(store.catalog.list_groups(_filters(request.query)), request)


def list_websites(store: OperatorStore, request: Request) -> Reply:
    return _catalog_page(store.catalog.list_websites(), request)


def _catalog_page(items: list[dict[str, Any]], request: Request) -> Reply:
    page, limit = _pagination(request.query)
    offset = (page - 1) * limit
    return _paginated(len(items), items[offset:offset + limit], page, limit)


# (pattern, kind used in request counts, handlers by method)
ROUTES: tuple[tuple[re.Pattern[str], str, dict[str, RouteHandler]], ...] = (
    (re.compile(r"/operator"), "/operator",
     {"GET": list_operators, "POST": create_operator}),
    (re.compile(r"/operator/live"), "/operator/live", {"GET": list_live}),
    (re.compile(r"/operator/(\d+)"), "/operator/{id}",
     {"GET": get_operator, "PUT": update_operator, "DELETE": delete_operator}),
    (re.compile(r"/operator/(\d+)/live"), "/operator/{id}/live",
     {"GET": get_live, "PUT": set_live}),
    (re.compile(r"/operator/(\d+)/statistic"), "/operator/{id}/statistic",
     {"GET": get_statistic}),
    (re.compile(r"/operator/(\d+)/profile"), "/operator/{id}/profile", {"GET": get_profile}),
    (re.compile(r"/skill"), "/skill", {"GET": list_skills}),
    (re.compile(r"/group"), "/group", {"GET": list_groups}),
    (re.compile(r"/website"), "/website", {"GET": list_websites}),
)


# The listings that read filters[...], and the names each reads besides the operator filters.
FILTERED_ROUTES: dict[str, frozenset[str]] = {"/operator": frozenset(), "/operator/live": frozenset({"connected"})}


def match_route(path: str) -> tuple[str, dict[str, RouteHandler], int] | None:
    """``(kind, actions, operator_id)`` for a path below the API prefix, or None."""
    trimmed = path.rstrip("/") or "/"
    for pattern, kind, actions in ROUTES:
        found = pattern.fullmatch(trimmed)
        if found:
            return kind, actions, int(found.group(1)) if found.groups() else 0
    return None


# ---------------------------------------------------------------- the application

class SandboxApp:
    """Everything between a parsed HTTP request and its reply."""

    def __init__(self, store: OperatorStore, api_key: str, faults: FaultInjector,
                 log: RequestLog, stopping: threading.Event) -> None:
        self.store = store
        self.api_key = api_key
        self.faults = faults
        self.log = log
        self._stopping = stopping

    def handle(self, method: str, target: str, headers: Headers, body: bytes) -> Reply:
        url = urlsplit(target)
        query = parse_form(url.query)
        in_api = url.path == API_PREFIX or url.path.startswith(API_PREFIX + "/")
        route = match_route(url.path[len(API_PREFIX):]) if in_api else None
        self.log.record(method, route[0] if route else "(unknown)")

        decision = self.faults.decide(is_write=method in WRITE_METHODS and route is not None)
        if decision.latency_s:
            # An Event, not time.sleep: stopping the sandbox cuts the delay short.
            self._stopping.wait(decision.latency_s)
        if decision.reject_status is not None:
            extra = {"Retry-After": str(decision.retry_after_s)} if decision.retry_after_s else {}
            return failure(decision.reject_status, decision.reject_message, kind="error",
                           headers=extra)
        reply = self._dispatch(method, url.path, query, headers, body, route, in_api)
        if decision.drop and reply.status < 300:
            reply.drop = True
            self.faults.note_dropped()
        return reply

    def _dispatch(self, method: str, path: str, query: dict[str, Any],
                  headers: Headers, body: bytes,
                  route: tuple[str, dict[str, RouteHandler], int] | None, in_api: bool) -> Reply:
        if in_api and not self._authorized(query, headers):
            return failure(403, "Forbidden", kind="error")
        if route is None:
            return failure(404, f"Unknown route {method} {path}.", kind="error")
        kind, actions, operator_id = route
        action = actions.get(method)
        if action is None:
            allowed = ", ".join(actions)
            return failure(405, f"Method {method} is not allowed on {kind}: use {allowed}.",
                           kind="error", headers={"Allow": allowed})
        if method == "GET" and kind in FILTERED_ROUTES:
            self._note_ignored_filters(query, FILTERED_ROUTES[kind])
        request = Request(method, query, self.faults.without_ignored(method, _read_form(headers, body)), operator_id)
        try:
            return action(self.store, request)
        except OperatorNotFound as exc:
            return failure(404, str(exc))
        except InvalidFields as exc:
            return failure(400, str(exc))
        except Exception:
            logger.exception("Sandbox failed on %s %s", method, path)
            return failure(500, "Internal sandbox error.", kind="error")

    def _note_ignored_filters(self, query: Mapping[str, Any], also_read: frozenset[str]) -> None:
        filters = query.get("filters")
        if isinstance(filters, dict):
            self.log.record_ignored_filters(
                name for name in filters if name not in FILTER_NAMES and name not in also_read)

    def _authorized(self, query: Mapping[str, Any], headers: Headers) -> bool:
        candidates = [headers.get("X-API-Key"), query.get("key"), _basic_username(headers)]
        return any(isinstance(key, str) and hmac.compare_digest(key.encode(), self.api_key.encode())
                   for key in candidates)


def _basic_username(headers: Headers) -> str | None:
    scheme, _, encoded = (headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.partition(":")[0]


def _read_form(headers: Headers, body: bytes) -> dict[str, Any]:
    content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type not in ("", "application/x-www-form-urlencoded"):
        if body:
            logger.info("Ignoring a %s body: the API reads form bodies only", content_type)
        return {}
    return parse_form(body.decode("utf-8", errors="replace"))


# ---------------------------------------------------------------- the HTTP layer

class _Handler(BaseHTTPRequestHandler):
    server: SandboxHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "rostersync-sandbox"
    # Headers and body go out in separate writes; with Nagle's algorithm and delayed
    # ACKs each keep-alive reply would then wait 40 ms.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def _serve(self) -> None:
        body = self._read_body()
        if body is None:
            return
        reply = self.server.app.handle(self.command, self.path, self.headers, body)
        if reply.drop:
            # The lost reply: the write is done, the client gets a closed connection.
            self.close_connection = True
            return
        self._send(reply)

    def _read_body(self) -> bytes | None:
        """The request body, or None after answering a body we cannot read."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True
            self._send(failure(411, "Send a Content-Length: chunked bodies are not read.",
                               kind="error"))
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY_BYTES:
            self.close_connection = True
            self._send(failure(413 if length > 0 else 400, "Bad or too large Content-Length.",
                               kind="error"))
            return None
        return self.rfile.read(length) if length else b""

    def _send(self, reply: Reply) -> None:
        payload = json.dumps(reply.body, ensure_ascii=False).encode("utf-8")
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own errors (bad request line, unknown method) in the API's envelope."""
        self.close_connection = True
        self._send(failure(code, message or "Bad request.", kind="error"))

    def log_message(self, format: str, *args: Any) -> None:
        # Library code never prints: http.server would write every request to stderr.
        # The request line may carry the API key (?key=...): keep it out of the logs.
        if logger.isEnabledFor(logging.DEBUG):
            text = _KEY_IN_QUERY.sub(r"\1***", format % args)
            logger.debug("%s - %s", self.address_string(), text)


class SandboxHTTPServer(ClosingHTTPServer):
    """The REST sandbox's server: it serves `app`."""

    def __init__(self, address: tuple[str, int], app: SandboxApp) -> None:
        self.app = app
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-reply is normal here (drop faults, stop()).
        # socketserver calls this from inside its except block, so the exception is current.
        logger.debug("Connection from %s ended with an error", client_address, exc_info=True)  # noqa: LOG014
