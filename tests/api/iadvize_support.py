"""Helpers shared by the API client tests (imported by conftest.py and the tests).

- ``FakeClock``: an injectable clock whose ``sleep`` advances time, so backoff and
  rate-limit waits cost no real time.
- ``ScriptedServer``: a tiny real HTTP server on loopback that answers with replies
  queued by the test, for what the sandbox cannot easily produce (a reply that is not
  JSON, a redirect, a connection closed on a GET...).  Nothing of ``requests`` is mocked.
"""

from __future__ import annotations

import json
import queue
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# A key long enough to be searched for as a substring in every message and log line.
SECRET_KEY = "sk-TEST-0123456789abcdef-SECRET"


class FakeClock:
    """``clock()`` and ``sleep()`` on a shared fake timeline, safe across threads."""

    def __init__(self) -> None:
        self._now = 1000.0
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._now += max(seconds, 0.0)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


# --- scripted loopback server ---------------------------------------------------------

@dataclass
class Scripted:
    """One queued reply.  ``drop=True`` closes the connection without answering."""

    status: int = 200
    body: Any = None  # dict/list → JSON; str/bytes as is; None → {"meta": success}
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    hold: bool = False  # never answer (until the server stops): the client's read deadline passes


@dataclass
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: str


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (read timeout) leaves a broken pipe: expected here


class ScriptedServer:
    def __init__(self) -> None:
        self.replies: queue.Queue[Scripted] = queue.Queue()
        self.seen: list[SeenRequest] = []
        self.stopping = threading.Event()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/api/2"

    def queue(self, *replies: Scripted) -> None:
        for reply in replies:
            self.replies.put(reply)

    def stop(self) -> None:
        self.stopping.set()  # a held reply ends
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                server.seen.append(SeenRequest(self.command, self.path, dict(self.headers), body))
                try:
                    reply = server.replies.get_nowait()
                except queue.Empty:
                    reply = Scripted(500, {"meta": {"status": "error", "message": "nothing scripted"}})
                if reply.hold:
                    # Not a sleep: how long a sleep outlasts the deadline is timing, and a
                    # client held up long enough would find the reply there.
                    server.stopping.wait()
                    self.close_connection = True
                    return
                if reply.drop:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                payload = reply.body
                if payload is None:
                    payload = {"meta": {"status": "success"}}
                if isinstance(payload, (dict, list)):
                    payload = json.dumps(payload)
                data = payload.encode() if isinstance(payload, str) else payload
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        return Handler


def ok(data: Any = None, **extra: Any) -> Scripted:
    """A success reply carrying ``data``."""
    body: dict[str, Any] = {"meta": {"status": "success"}, **extra}
    if data is not None:
        body["data"] = data
    return Scripted(200, body)

