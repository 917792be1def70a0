"""Reading a reply's body with a bound on its size, decompressed here, in chunks.

A page of 100 operators is a few hundred kilobytes; :data:`MAX_REPLY_BYTES` (32 MiB)
leaves room for a hundred times that and still stops a server (or a proxy) that sends
without end.  The bound is on the *decoded* size: the client asks for ``gzip`` or
``deflate`` only and inflates them itself with ``max_length``, so a gzip bomb (a few
megabytes that inflate to gigabytes) costs at most the bound in memory, never more.

The body is read from the raw stream (``decode_content=False``); the deadline on each
request (:mod:`rostersync.api.deadline`) bounds the time it may take.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Protocol

__all__ = ["ACCEPT_ENCODING", "MAX_REPLY_BYTES", "ReplyTooLarge", "UnreadableBody", "read_body"]

MAX_REPLY_BYTES = 32 * 1024 * 1024  # 32 MiB, decoded
ACCEPT_ENCODING = "gzip, deflate"  # what read_body can inflate; nothing else is asked for
_CHUNK = 64 * 1024


class ReplyTooLarge(ValueError):
    """The decoded body would exceed the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the reply is larger than {_size(limit)}, the most rostersync reads of one reply "
            "(MAX_REPLY_BYTES); the server or a proxy on the way sends more than the API does"
        )


class UnreadableBody(ValueError):
    """The body's encoding is unknown or its compressed data is corrupt."""


class _RawStream(Protocol):
    def read(self, amt: int | None = None, decode_content: bool | None = None) -> bytes: ...


def read_body(raw: _RawStream, content_encoding: str | None, content_length: str | None,
              limit: int = MAX_REPLY_BYTES) -> bytes:
    """The whole body, decoded; raises :class:`ReplyTooLarge` or :class:`UnreadableBody`."""
    encodings = [part.strip().lower() for part in (content_encoding or "").split(",") if part.strip()]
    encodings = [name for name in encodings if name != "identity"]
    if len(encodings) > 1 or (encodings and encodings[0] not in ("gzip", "x-gzip", "deflate")):
        raise UnreadableBody(f"the reply is encoded as {content_encoding!r}, which rostersync did not ask for "
                             f"(it accepts {ACCEPT_ENCODING})")
    if not encodings and _declared_length(content_length) > limit:
        raise ReplyTooLarge(limit)  # said up front: nothing need be read
    chunks = _chunks(raw)
    decoded = _inflate(chunks, encodings[0]) if encodings else chunks
    out = bytearray()
    for piece in decoded:
        if len(out) + len(piece) > limit:
            raise ReplyTooLarge(limit)
        out += piece
    return bytes(out)


def _declared_length(header: str | None) -> int:
    try:
        return int((header or "").strip())
    except ValueError:
        return -1


def _chunks(raw: _RawStream) -> Iterator[bytes]:
    while True:
        chunk = raw.read(_CHUNK, decode_content=False)
        if not chunk:
            return
        yield chunk


def _inflate(chunks: Iterator[bytes], encoding: str) -> Iterator[bytes]:
    """The decompressed pieces, none larger than one chunk, so memory follows the bound.

    gzip may hold several members one after another (each is inflated in turn);
    ``deflate`` is zlib-wrapped as the RFC says, or raw as some servers send it.
    ``flush()``, which would inflate without a bound, is never called: a piece shorter
    than a chunk with no input left means zlib holds nothing more.
    """
    inflater: zlib._Decompress | None = None
    wbits = 16 + zlib.MAX_WBITS if encoding != "deflate" else 0
    try:
        for chunk in chunks:
            data = chunk
            while data or inflater is not None:
                if inflater is None:
                    if wbits == 0:  # deflate: zlib header or not?
                        wbits = zlib.MAX_WBITS if _zlib_header(data) else -zlib.MAX_WBITS
                    inflater = zlib.decompressobj(wbits)
                piece = inflater.decompress(data, _CHUNK)
                data = inflater.unconsumed_tail
                if piece:
                    yield piece
                if inflater.eof:
                    data = inflater.unused_data  # what follows this member
                    inflater = None  # another gzip member may follow
                    if encoding == "deflate" or not data.strip(b"\0"):
                        return
                elif not data and len(piece) < _CHUNK:
                    break  # this chunk is used up: read the next
    except zlib.error as exc:
        raise UnreadableBody(f"the reply's {encoding} data is corrupt ({exc})") from None


def _zlib_header(data: bytes) -> bool:
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


def _size(limit: int) -> str:
    if limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    if limit % 1024 == 0:
        return f"{limit // 1024} KiB"
    return f"{limit} bytes"
