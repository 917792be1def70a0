"""The transport against a hostile server: replies dripped a byte at a time (headers or
body), decompression bombs, bodies too large, encodings not asked for.  Each case is a
clear ApiError within the deadline and the size bound, never a hang or a MemoryError.
Backoff runs on a FakeClock; deadlines are real time."""

from __future__ import annotations

import random
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from hostile_server import Answer, HostileServer, drip, gzip_bomb, hostile, success
from iadvize_support import SECRET_KEY, FakeClock

from rostersync.api import IAdvizeClient, OutcomeUnknownError, TransportError, UnexpectedResponseError
from rostersync.api.body import MAX_REPLY_BYTES
from rostersync.api.options import ClientOptions


def client_of(server: HostileServer, clock: FakeClock, **options: Any) -> IAdvizeClient:
    defaults: dict[str, Any] = {"sleep": clock.sleep, "clock": clock, "rng": random.Random(1), "max_attempts": 1}
    return IAdvizeClient(server.url, SECRET_KEY, ClientOptions(**{**defaults, **options}))


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with hostile() as running:
        yield running


# --- a wall-clock deadline on each request -------------------------------------------------

@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_server_dripping_a_byte_at_a_time_meets_the_deadline(server: HostileServer, clock: FakeClock,
                                                               where: str) -> None:
    server.behaviour = drip(where)
    started = time.monotonic()
    with client_of(server, clock, timeout=0.5) as api, pytest.raises(TransportError) as caught:
        api.get_operator(5)
    assert time.monotonic() - started < 5  # the drip goes on for ever; the call does not
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert str(caught.value) == (
        f"get operator 5 (GET /operator/5): could not reach {server.origin}: no complete reply within 0.5s, "
        "the deadline of one request: check the network, any proxy, and --base-url")


def test_a_dripped_reply_to_a_create_is_an_unknown_outcome(server: HostileServer, clock: FakeClock) -> None:
    server.behaviour = drip("body")
    with client_of(server, clock, timeout=0.5, max_attempts=5) as api, pytest.raises(OutcomeUnknownError) as caught:
        api.create_operator({"email": "a@x.com"})
    assert "no complete reply within 0.5s" in str(caught.value)
    assert len(server.seen) == 1  # never sent twice


def test_a_dripped_get_is_retried_each_time_with_its_own_deadline(server: HostileServer, clock: FakeClock) -> None:
    server.behaviour = drip("body")
    with client_of(server, clock, timeout=0.3, max_attempts=3) as api, pytest.raises(TransportError) as caught:
        api.get_operator(5)
    assert caught.value.attempts == 3 and len(server.seen) == 3


# --- the size of a reply --------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_decompression_bomb_is_stopped_at_the_limit(server: HostileServer, clock: FakeClock, encoding: str) -> None:
    server.behaviour = gzip_bomb(1024 if encoding == "gzip" else 64, encoding)  # 1 GiB / 64 MiB of zeros
    tracemalloc.start()
    try:
        with client_of(server, clock) as api, pytest.raises(UnexpectedResponseError) as caught:
            api.get_operator(5)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "the reply is larger than 32 MiB, the most rostersync reads of one reply (MAX_REPLY_BYTES)" in str(
        caught.value)
    assert peak < MAX_REPLY_BYTES * 2.5  # the bound, not the bomb


def test_a_body_too_large_by_its_length_is_not_read(server: HostileServer, clock: FakeClock) -> None:
    server.behaviour = lambda request: Answer(200, b" " * (MAX_REPLY_BYTES + 1))
    with client_of(server, clock) as api, pytest.raises(UnexpectedResponseError, match="larger than 32 MiB"):
        api.get_operator(5)
    server.behaviour = lambda request: Answer(200, b" " * (MAX_REPLY_BYTES + 1), length=False)
    with client_of(server, clock) as api, pytest.raises(UnexpectedResponseError, match="larger than 32 MiB"):
        api.get_operator(5)


def test_a_bomb_in_reply_to_a_create_is_an_unknown_outcome(server: HostileServer, clock: FakeClock) -> None:
    server.behaviour = gzip_bomb(64)
    with client_of(server, clock) as api, pytest.raises(OutcomeUnknownError, match="larger than 32 MiB"):
        api.create_operator({"email": "a@x.com"})


def test_an_encoding_not_asked_for_is_refused(server: HostileServer, clock: FakeClock) -> None:
    server.behaviour = lambda request: Answer(200, b"\x1b\x00", {"Content-Encoding": "br"})
    with client_of(server, clock) as api, pytest.raises(UnexpectedResponseError) as caught:
        api.get_operator(5)
    assert "the reply is encoded as 'br', which rostersync did not ask for (it accepts gzip, deflate)" in str(
        caught.value)
    assert server.seen[0].headers["Accept-Encoding"] == "gzip, deflate"


def test_a_compressed_honest_reply_is_read(server: HostileServer, clock: FakeClock) -> None:
    import gzip
    import json

    body = gzip.compress(json.dumps({"meta": {"status": "success"}, "data": {"id": 5}}).encode())
    server.behaviour = lambda request: Answer(200, body, {"Content-Encoding": "gzip"})
    with client_of(server, clock) as api:
        assert api.get_operator(5).id == 5


def test_success_helper_answers_an_empty_listing(server: HostileServer, clock: FakeClock) -> None:
    server.behaviour = lambda request: success([], pagination={"page": 1, "pages": 1, "count": 0})
    with client_of(server, clock) as api:
        assert api.list_operators() == []


# --- the same over TLS, as against the real service ----------------------------------------

@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A throwaway self-signed certificate for 127.0.0.1, made with the openssl tool."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("no openssl tool to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture
def tls_server(certificate: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[HostileServer]:
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certificate[0])  # verified, as any https:// base URL is
    with hostile() as running:
        running._server.socket = context.wrap_socket(running._server.socket, server_side=True)
        running.url = running.url.replace("http://", "https://")
        yield running


def test_over_tls_the_deadline_and_the_bound_hold_and_connections_are_reused(tls_server: HostileServer,
                                                                             clock: FakeClock) -> None:
    tls_server.behaviour = lambda request: success({"id": 5})
    with client_of(tls_server, clock, timeout=0.5) as api:
        assert [api.get_operator(5).id for _ in range(3)] == [5, 5, 5]
        for where in ("headers", "body"):
            tls_server.behaviour = drip(where)
            started = time.monotonic()
            with pytest.raises(TransportError, match="no complete reply within 0.5s"):
                api.get_operator(5)
            assert time.monotonic() - started < 5
    # The bound, on a client with the default deadline: inflating 32 MiB within 0.5 s
    # was a race with the machine's speed (a busy one met the deadline first).
    tls_server.behaviour = gzip_bomb(256)
    with client_of(tls_server, clock) as api, pytest.raises(UnexpectedResponseError, match="larger than 32 MiB"):
        api.get_operator(5)
