"""The threaded HTTP server both sandboxes (REST and GraphQL) serve from."""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["ClosingHTTPServer"]


class ClosingHTTPServer(ThreadingHTTPServer):
    """Threaded server that can close its idle keep-alive connections on stop."""

    daemon_threads = True
    # socketserver's default backlog of 5 makes a burst of parallel clients (an apply
    # reconnecting after dropped replies) wait a second for a retransmitted SYN.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def bound_address(self) -> tuple[str, int]:
        """``(host, port)`` actually bound: the port is the real one when 0 was asked."""
        host, port = self.server_address[0], self.server_address[1]
        return (host if isinstance(host, str) else bytes(host).decode("ascii")), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake the handler threads waiting on idle connections so they can end."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by its own thread
                connection.shutdown(socket.SHUT_RDWR)
