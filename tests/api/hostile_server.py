"""A hostile iAdvize API on loopback: a real HTTP server in a thread that lies.

Each test gives it a *behaviour*, a function from the request to an :class:`Answer`,
built by the helpers below: a listing whose pagination lies (a billion pages, the
same page again, an early end), a body dripped a byte at a time (headers or body),
a gzip bomb, a bad ``Retry-After``, redirects within or across origins, an error body
echoing the key, duplicate ids or emails, ids as ``{"id": N}``.  Nothing of
``requests`` is mocked: the client meets these over a socket.

Dripping stops when the client hangs up or the server is stopped, so a test that
fails cannot leave a thread writing for ever.
"""

from __future__ import annotations

import functools
import gzip
import json
import threading
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

DRIP_INTERVAL_S = 0.02  # between two bytes of a dripped reply: the server's pace, not the test's timing


@dataclass
class Request:
    method: str
    path: str  # without the query
    query: dict[str, str]
    headers: dict[str, str]
    target: str  # the request line's target as sent (absolute-form through a proxy)
    body: bytes = b""

    @property
    def page(self) -> int:
        return int(self.query.get("page", "1"))

    @property
    def limit(self) -> int:
        return int(self.query.get("limit", "20"))


@dataclass
class Answer:
    status: int = 200
    body: bytes | Any = None  # bytes as is; anything else as JSON; None: {"meta": success}
    headers: dict[str, str] = field(default_factory=dict)
    drip: str | None = None  # "headers" or "body": sent one byte at a time, for ever
    length: bool = True  # send Content-Length (else close the connection to end the body)


Behaviour = Callable[[Request], Answer]


def success(data: Any = None, **extra: Any) -> Answer:
    body: dict[str, Any] = {"meta": {"status": "success"}, **extra}
    if data is not None:
        body["data"] = data
    return Answer(200, body)


class HostileServer:
    """``behaviour`` answers every request; ``seen`` records them (at most 10,000)."""

    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.behaviour: Behaviour = behaviour or (lambda request: success([]))
        self.seen: list[Request] = []
        self.stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        self.port = self._server.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.origin}/api/2"

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def requests_to(self, path: str) -> list[Request]:
        return [r for r in self.seen if r.path == path]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
                request = Request(self.command, parts.path, query, dict(self.headers), self.path, body)
                if len(server.seen) < 10_000:
                    server.seen.append(request)
                self._write(server.behaviour(request))

            def _write(self, answer: Answer) -> None:
                payload = answer.body
                if payload is None:
                    payload = {"meta": {"status": "success"}}
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                head = f"HTTP/1.1 {answer.status} Hostile\r\nContent-Type: application/json\r\n"
                if answer.length and answer.drip is None:
                    head += f"Content-Length: {len(data)}\r\n"
                else:
                    self.close_connection = True
                head += "".join(f"{name}: {value}\r\n" for name, value in answer.headers.items()) + "\r\n"
                try:
                    if answer.drip == "headers":  # a header line that never ends
                        self._drip(f"HTTP/1.1 {answer.status} Hostile\r\nX-Slow: ".encode(), b"a")
                    self.wfile.write(head.encode())
                    if answer.drip == "body":  # JSON may start with any amount of blank space
                        self.wfile.flush()
                        self._drip(b"", b" ")
                    self.wfile.write(data)
                    self.wfile.flush()
                except OSError:
                    pass  # the client hung up: what a deadline does

            def _drip(self, start: bytes, then_for_ever: bytes) -> None:
                """``start``, then ``then_for_ever`` again and again, one byte at a time, until
                the client hangs up or the server stops."""
                index = 0
                while not server.stopping.wait(DRIP_INTERVAL_S):
                    byte = start[index:index + 1] or then_for_ever
                    index += 1
                    self.wfile.write(byte)
                    self.wfile.flush()
                raise OSError("server stopped")

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        return Handler


@contextmanager
def hostile(behaviour: Behaviour | None = None) -> Iterator[HostileServer]:
    server = HostileServer(behaviour)
    try:
        yield server
    finally:
        server.stop()


# --- behaviours ---------------------------------------------------------------------------

def operators(count: int, start: int = 1) -> list[dict[str, Any]]:
    return [{"id": start + n, "email": f"op{start + n}@example.com", "group_id": 7} for n in range(count)]


def listing(items: Sequence[Mapping[str, Any]], *, pages: Callable[[int], int] | None = None,
            count: int | str | None = "true", ignore_page: bool = False, stop_at: int | None = None,
            echo_page: bool = True) -> Behaviour:
    """``GET /operator`` served from ``items``, paginated by the request's page and limit
    (at most 100), with lies on demand:

    - ``pages(true_pages)`` is the page total announced; ``count`` the count announced
      (``"true"``: the real one; None: left out);
    - ``ignore_page``: page 1 whatever is asked; ``stop_at``: pages after it are empty;
    - ``echo_page=False``: no ``page`` in the pagination.
    """
    def answer(request: Request) -> Answer:
        if request.path != "/api/2/operator":
            return Answer(404, {"meta": {"status": "fail", "message": "No route"}})
        limit = min(request.limit, 100)
        number = 1 if ignore_page else request.page
        true_pages = max(1, -(-len(items) // limit))
        chunk = [] if stop_at is not None and number > stop_at else list(items[(number - 1) * limit:number * limit])
        pagination: dict[str, Any] = {"pages": pages(true_pages) if pages else true_pages, "limit": limit}
        if echo_page:
            pagination["page"] = number
        if count is not None:
            pagination["count"] = len(items) if count == "true" else count
        return success(chunk, pagination=pagination)

    return answer


def drip(where: str) -> Behaviour:
    """Every reply dripped one byte at a time, in its headers or its body."""
    return lambda request: Answer(200, None, drip=where)


@functools.lru_cache(maxsize=4)
def _compressed_zeros(mib: int, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.compress(b"\0" * (mib << 20), 9)
    return zlib.compress(b"\0" * (mib << 20), 9)


def gzip_bomb(decoded_mib: int, encoding: str = "gzip") -> Behaviour:
    """A small gzip (or deflate) body that inflates to ``decoded_mib`` MiB of zeros: for
    gzip, members of 16 MiB one after another (about 16 KiB each)."""
    if encoding == "gzip":
        data = _compressed_zeros(16, "gzip") * max(1, decoded_mib // 16)
    else:
        data = _compressed_zeros(decoded_mib, "deflate")
    return lambda request: Answer(200, data, {"Content-Encoding": encoding})


def then(first: Sequence[Answer], after: Behaviour) -> Behaviour:
    """The answers of ``first`` in turn (one per request), then ``after`` for the rest."""
    queue = list(first)
    lock = threading.Lock()

    def answer(request: Request) -> Answer:
        with lock:
            if queue:
                return queue.pop(0)
        return after(request)

    return answer


def redirect(location: str, status: int = 302) -> Answer:
    return Answer(status, b"", {"Location": location})


def by_path(routes: Mapping[str, Behaviour], default: Behaviour | None = None) -> Behaviour:
    def answer(request: Request) -> Answer:
        route = routes.get(request.path, default)
        if route is None:
            return Answer(404, {"meta": {"status": "fail", "message": "No route"}})
        return route(request)

    return answer
