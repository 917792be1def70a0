"""The GraphQL sandbox's HTTP side: ``POST /graphql``, ``POST /oauth2/token``, threads.

``GraphQLApp.handle`` turns one request into a ``Reply`` and knows nothing of
sockets; ``_Handler`` and ``GraphQLHTTPServer`` are the thin ``http.server`` layer.

As documented (shared file §1, §5): one endpoint, always POST, a JSON body with
``query``, ``variables`` and ``operationName``; ``Authorization: Bearer``; 400 for a
syntax or schema error, 401 for a bad or expired token, 415 for another content
type, 429, 500, 502; errors in the GraphQL spec's format with ``extensions.name``
and ``retryPolicy``; introspection allowed.

Choices where the documentation is silent (§5, §8.8):
- Order of checks: route and method (404, 405), faults (latency, 429, 502), the
  content type (415), the token (401), then the body (400).
- Error bodies are ``{"errors": [{"message", "extensions": {"name", "retryPolicy"}}]}``
  with the names ``UNAUTHENTICATED``, ``UNSUPPORTED_MEDIA_TYPE``, ``BAD_REQUEST``,
  ``GRAPHQL_VALIDATION_FAILED``, ``RATE_LIMITED``, ``SERVICE_UNAVAILABLE``; 429 and
  502 carry ``retryPolicy`` ``RETRY``, the others ``NO_RETRY``.
- Variables that do not fit their types make a 400 (a request error), as the
  reference implementation's HTTP servers do.
- The fault module's "error" (a 503 in the REST sandbox) is answered 502 here, the
  status the GraphQL documentation gives for "unable to process any request".
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from graphql import GraphQLError, GraphQLSchema, OperationDefinitionNode, OperationType, execute_sync, parse, validate

from rostersync.sandbox.faults import FaultInjector
from rostersync.sandbox.graphql.resolvers import Root
from rostersync.sandbox.graphql.tokens import TokenIssuer
from rostersync.sandbox.http_server import ClosingHTTPServer
from rostersync.sandbox.server import RequestLog

__all__ = ["GRAPHQL_PATH", "TOKEN_PATH", "GraphQLApp", "GraphQLHTTPServer", "Reply"]

logger = logging.getLogger(__name__)

GRAPHQL_PATH = "/graphql"
TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a path, not a password
AUTHENTICATED_PATH = "/_authenticated"
MAX_BODY_BYTES = 1_000_000
UNAVAILABLE_STATUS = 502


class Headers(Protocol):
    def get(self, name: str, /) -> str | None: ...


@dataclass
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering


def graphql_error(status: int, message: str, name: str, *, retry: bool = False,
                  headers: dict[str, str] | None = None) -> Reply:
    extensions = {"name": name, "retryPolicy": "RETRY" if retry else "NO_RETRY"}
    return Reply(status, {"errors": [{"message": message, "extensions": extensions}]}, headers or {})


def _media_type(headers: Headers) -> str:
    return (headers.get("Content-Type") or "").split(";")[0].strip().lower()


@dataclass
class _Operation:
    """A parsed request body, or what is wrong with it."""

    body: dict[str, Any] | None = None
    document: Any = None
    problem: Reply | None = None
    is_mutation: bool = False


class GraphQLApp:
    """Everything between a parsed HTTP request and its reply."""

    def __init__(self, schema: GraphQLSchema, root: Root, tokens: TokenIssuer, faults: FaultInjector,
                 stopping: threading.Event) -> None:
        self.schema = schema
        self.root = root
        self.tokens = tokens
        self.faults = faults
        self.log = RequestLog()  # "POST /graphql 200": by method, path and status
        self.operations = RequestLog()  # "RostersyncUserCreate 200": by operation name and status
        self._stopping = stopping

    def handle(self, method: str, target: str, headers: Headers, body: bytes, client_ip: str) -> Reply:
        url = urlsplit(target)
        path = url.path.rstrip("/") or "/"
        reply = self._route(method, path, headers, body, client_ip)
        # The query string is kept in the log (a client must never put a secret there).
        self.log.record(method, f"{path}{'?' + url.query if url.query else ''} {reply.status}")
        return reply

    def _route(self, method: str, path: str, headers: Headers, body: bytes, client_ip: str) -> Reply:
        if path == TOKEN_PATH:
            if method != "POST":
                return Reply(405, {"error": "invalid_request", "error_description": "use POST"}, {"Allow": "POST"})
            return self._login(headers, body, client_ip)
        if path == AUTHENTICATED_PATH:
            if self._token_ok(headers):
                return Reply(200, {"authenticated": True})
            return Reply(401, {"error_description": "access token not valid", "error": "invalid_token"})
        if path != GRAPHQL_PATH:
            return graphql_error(404, f"Unknown route {method} {path}", "NOT_FOUND")
        if method != "POST":
            return graphql_error(405, "Send GraphQL requests with POST", "METHOD_NOT_ALLOWED",
                                 headers={"Allow": "POST"})
        return self._graphql(headers, body)

    def _login(self, headers: Headers, body: bytes, client_ip: str) -> Reply:
        if _media_type(headers) != "application/x-www-form-urlencoded":
            return Reply(400, {"error": "invalid_request",
                               "error_description": "send the parameters as application/x-www-form-urlencoded"})
        form = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
        outcome = self.tokens.login(form, client_ip)
        extra = {"Retry-After": str(outcome.retry_after_s)} if outcome.retry_after_s else {}
        return Reply(outcome.status, dict(outcome.body), {"Cache-Control": "no-store", **extra})

    def _token_ok(self, headers: Headers) -> bool:
        scheme, _, token = (headers.get("Authorization") or "").partition(" ")
        return scheme.lower() == "bearer" and bool(token.strip()) and self.tokens.is_valid(token.strip())

    def _graphql(self, headers: Headers, body: bytes) -> Reply:
        operation = _read_operation(body, self.schema)
        decision = self.faults.decide(is_write=operation.is_mutation)
        if decision.latency_s:
            self._stopping.wait(decision.latency_s)  # an Event: stopping cuts the delay short
        if decision.reject_status == 429:
            return graphql_error(429, decision.reject_message, "RATE_LIMITED", retry=True,
                                 headers={"Retry-After": str(decision.retry_after_s or 1)})
        if decision.reject_status is not None:
            return graphql_error(UNAVAILABLE_STATUS, "The GraphQL server is currently unable to process any request.",
                                 "SERVICE_UNAVAILABLE", retry=True)
        if _media_type(headers) != "application/json":
            return graphql_error(415, "The content type must be application/json", "UNSUPPORTED_MEDIA_TYPE")
        if not self._token_ok(headers):
            return graphql_error(401, "The token in the Authorization header was invalid or expired.",
                                 "UNAUTHENTICATED")
        if operation.problem is not None:
            return operation.problem
        assert operation.body is not None
        reply = self._execute(operation)
        self.operations.record(str(operation.body.get("operationName") or "(anonymous)"), str(reply.status))
        if decision.drop and operation.is_mutation and _committed(reply):
            reply.drop = True
            self.faults.note_dropped()
        return reply

    def _execute(self, operation: _Operation) -> Reply:
        assert operation.body is not None
        variables = operation.body.get("variables")
        try:
            result = execute_sync(self.schema, operation.document, root_value=self.root,
                                  variable_values=variables, operation_name=operation.body.get("operationName"))
        except Exception:
            logger.exception("The GraphQL sandbox failed")
            return graphql_error(500, "There was an unexpected technical error.", "INTERNAL_SERVER_ERROR")
        errors = [error.formatted for error in result.errors or ()]
        if result.data is None and errors and not any("path" in error for error in errors):
            # Variables of the wrong type, an unknown operation name: request errors (a field
            # error has a path, and leaves "data": null when it reaches a non-null root).
            return Reply(400, {"errors": [_with_name(e, "BAD_REQUEST") for e in errors]})
        reply_body: dict[str, Any] = {"data": result.data}
        if errors:
            reply_body["errors"] = [_with_name(e, "INTERNAL_SERVER_ERROR") for e in errors]
        return Reply(200, reply_body)


def _committed(reply: Reply) -> bool:
    """Whether a mutation's reply says it wrote: 200, no errors, no ``userErrors``. Only
    then is losing the reply a fault worth simulating (a refusal changed nothing)."""
    data = reply.body.get("data")
    if reply.status != 200 or reply.body.get("errors") or not isinstance(data, dict):
        return False
    return all(isinstance(payload, dict) and not payload.get("userErrors") for payload in data.values())


def _with_name(error: Any, name: str) -> dict[str, Any]:
    formatted = dict(error)
    extensions = dict(formatted.get("extensions") or {})
    extensions.setdefault("name", name)
    extensions.setdefault("retryPolicy", "NO_RETRY")
    formatted["extensions"] = extensions
    return formatted


def _read_operation(body: bytes, schema: GraphQLSchema) -> _Operation:
    """Parse and validate the body; ``problem`` is the 400 to answer if it is wrong."""
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return _Operation(problem=graphql_error(400, "The body is not JSON", "BAD_REQUEST"))
    if not isinstance(data, dict) or not isinstance(data.get("query"), str):
        return _Operation(problem=graphql_error(400, "The body must be an object with a 'query' string",
                                                "BAD_REQUEST"))
    if data.get("variables") is not None and not isinstance(data["variables"], dict):
        return _Operation(problem=graphql_error(400, "'variables' must be an object", "BAD_REQUEST"))
    try:
        document = parse(data["query"])
    except GraphQLError as exc:
        return _Operation(problem=Reply(400, {"errors": [_with_name(exc.formatted, "GRAPHQL_PARSE_FAILED")]}))
    wanted = data.get("operationName")
    is_mutation = any(isinstance(node, OperationDefinitionNode) and node.operation is OperationType.MUTATION
                      and (wanted is None or (node.name is not None and node.name.value == wanted))
                      for node in document.definitions)
    problems = validate(schema, document)
    if problems:
        errors = [_with_name(error.formatted, "GRAPHQL_VALIDATION_FAILED") for error in problems]
        return _Operation(problem=Reply(400, {"errors": errors}), is_mutation=is_mutation)
    return _Operation(body=data, document=document, is_mutation=is_mutation)


# ---------------------------------------------------------------- the HTTP layer

class _Handler(BaseHTTPRequestHandler):
    server: GraphQLHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "rostersync-graphql-sandbox"
    disable_nagle_algorithm = True  # see the REST sandbox: keep-alive replies would wait 40 ms

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY_BYTES or "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True
            self._send(graphql_error(400, "Send a Content-Length of at most 1 MB", "BAD_REQUEST"))
            return
        body = self.rfile.read(length) if length else b""
        reply = self.server.app.handle(self.command, self.path, self.headers, body, self.client_address[0])
        if reply.drop:
            self.close_connection = True  # the write is done; its reply is lost
            return
        self._send(reply)

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
        self.close_connection = True
        self._send(graphql_error(code, message or "Bad request", "BAD_REQUEST"))

    def log_message(self, format: str, *args: Any) -> None:
        # Library code never prints; and a request line never carries a token here.
        logger.debug("%s - %s", self.address_string(), format % args)


class GraphQLHTTPServer(ClosingHTTPServer):
    """The GraphQL sandbox's server: it serves `app`."""

    def __init__(self, address: tuple[str, int], app: GraphQLApp) -> None:
        self.app = app
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("Connection from %s ended with an error", client_address,
                     exc_info=True)  # noqa: LOG014 - socketserver calls this from its except block
