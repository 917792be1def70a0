"""A wall-clock deadline for each request: connecting, sending, headers and body.

``requests``' timeout bounds each read from the socket, not the reply: a server that
sends one byte a second never trips it, and a client waits for ever.  Here every
connection's socket is wrapped so that each read (and send) may wait only for what is
left of the deadline of the request in progress; once it has passed, the next read
fails at once with ``socket.timeout``, which urllib3 reports as a read timeout.

The deadline is per thread (:func:`deadline`): a connection is used by one request at
a time, in the thread that sends it.  It is real time (``time.monotonic``), whatever
clock a test injects for backoff: sockets wait in real time.

TLS reads need nothing more: for an ``ssl.SSLSocket`` Python already treats the
socket timeout as a deadline for the whole read, and for the handshake.
"""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests.adapters
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["DeadlineAdapter", "DeadlineExceeded", "deadline"]

_current = threading.local()


class DeadlineExceeded(socket.timeout):
    """The request's deadline passed while it was still being sent or answered."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Every socket operation of this thread, inside the block, ends by ``seconds`` from now."""
    previous = getattr(_current, "at", None)
    _current.at = time.monotonic() + seconds
    try:
        yield
    finally:
        _current.at = previous


def _time_left(per_operation: float | None) -> float | None:
    """How long the next socket operation may wait: the per-operation timeout, cut to
    what is left of the deadline; raises :class:`DeadlineExceeded` when none is left."""
    at: float | None = getattr(_current, "at", None)
    if at is None:
        return per_operation
    left = at - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded("the deadline of the request passed")
    return left if per_operation is None else min(per_operation, left)


class _DeadlineSocket:
    """A connected socket whose reads and sends respect the current deadline.

    Everything else is passed to the socket itself.  ``makefile`` (what http.client
    reads the reply from) is a buffered reader over :meth:`recv_into`; the socket is
    closed only when both it and every such reader are closed, as ``socket.makefile``
    does, since http.client keeps reading the body after it closes its connection.
    """

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._timeout = sock.gettimeout()
        self._readers = 0
        self._close_pending = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def settimeout(self, value: float | None) -> None:
        self._timeout = value
        self._sock.settimeout(value)

    def gettimeout(self) -> float | None:
        return self._timeout

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        self._sock.settimeout(_time_left(self._timeout))
        return self._sock.recv_into(buffer, nbytes, flags)

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        self._sock.settimeout(_time_left(self._timeout))
        return self._sock.recv(bufsize, flags)

    def sendall(self, data: Any, flags: int = 0) -> None:
        self._sock.settimeout(_time_left(self._timeout))
        self._sock.sendall(data, flags)

    def send(self, data: Any, flags: int = 0) -> int:
        self._sock.settimeout(_time_left(self._timeout))
        return self._sock.send(data, flags)

    def makefile(self, mode: str = "r", buffering: int | None = None, **_: Any) -> io.BufferedReader:
        if mode not in ("r", "rb"):
            raise ValueError(f"only reading through makefile is supported, not {mode!r}")
        self._readers += 1
        return io.BufferedReader(_Reader(self), buffering if buffering and buffering > 0 else io.DEFAULT_BUFFER_SIZE)

    def close(self) -> None:
        if self._readers > 0:
            self._close_pending = True
        else:
            self._sock.close()

    def _reader_closed(self) -> None:
        self._readers -= 1
        if self._readers <= 0 and self._close_pending:
            self._sock.close()


class _Reader(io.RawIOBase):
    def __init__(self, sock: _DeadlineSocket) -> None:
        super().__init__()
        self._sock: _DeadlineSocket | None = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._sock is None:
            raise ValueError("read from a closed reply stream")
        return self._sock.recv_into(buffer)

    def fileno(self) -> int:
        if self._sock is None:
            raise ValueError("closed reply stream")
        return int(self._sock.fileno())

    def close(self) -> None:
        if self._sock is not None:
            sock, self._sock = self._sock, None
            sock._reader_closed()
        super().close()


class _HTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        self.sock = _DeadlineSocket(self.sock)


class _HTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        self.sock = _DeadlineSocket(self.sock)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS: dict[str, type[HTTPConnectionPool]] = {"http": _HTTPPool, "https": _HTTPSPool}


class DeadlineAdapter(requests.adapters.HTTPAdapter):
    """An HTTPAdapter whose connections (direct or through a proxy) keep the deadline."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> urllib3.ProxyManager:
        manager: urllib3.ProxyManager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager
