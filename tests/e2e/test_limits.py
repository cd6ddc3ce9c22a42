"""Size limits against a hostile server, over real sockets, on both clients and both async
backends: an endless or huge body (``max_response_size``), an event stream that never ends a
line (``max_event_line_size``) or an event (``max_event_size``). Each is refused with
:class:`~gopherqueue.ResponseTooLargeError` naming the limit, after reading at most about the
limit: the endless bodies never end, so a client that buffered before checking would hang.
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gopherqueue import GopherQueueSync, ResponseTooLargeError, ValidationError
from tests.reliability import mock

from ._support import make_client

KINDS = ["sync", "async", "async-httpx"]
STATS = json.dumps(mock.STATS).encode()

Reply = Callable[[socket.socket], None]


def _endless(sock: socket.socket, head: bytes, piece: bytes) -> None:
    sock.sendall(head)
    try:
        while True:  # until the client hangs up
            sock.sendall(piece)
    except OSError:
        pass


def _chunked(piece: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(piece), piece)


class _Hostile(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    reply: Reply


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        sock: socket.socket = self.request
        data = b""
        while b"\r\n\r\n" not in data:
            more = sock.recv(65536)
            if not more:
                return
            data += more
        server: Any = self.server
        server.reply(sock)


@pytest.fixture
def hostile() -> Iterator[Callable[[Reply], str]]:
    server = _Hostile(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def serve(reply: Reply) -> str:
        server.reply = reply
        return f"http://127.0.0.1:{server.server_address[1]}"

    try:
        yield serve
    finally:
        server.shutdown()
        server.server_close()


async def _call(client: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    if isinstance(client, GopherQueueSync):
        import asyncio

        return await asyncio.to_thread(getattr(client, method), *args, **kwargs)
    return await getattr(client, method)(*args, **kwargs)


async def _first_event(client: Any) -> Any:
    stream = client.events(max_reconnects=0)
    if isinstance(client, GopherQueueSync):
        import asyncio

        try:
            return await asyncio.to_thread(next, stream)
        finally:
            stream.close()
    try:
        return await stream.__anext__()
    finally:
        await stream.aclose()


async def _refused(make: Callable[[], Any], call: Callable[[Any], Any]) -> ResponseTooLargeError:
    client = make()
    try:
        with pytest.raises(ResponseTooLargeError) as caught:
            await call(client)
    finally:
        if isinstance(client, GopherQueueSync):
            client.close()
        else:
            await client.aclose()
    return caught.value


SSE_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
)
JSON_CHUNKED = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
)


@pytest.mark.parametrize("kind", KINDS)
async def test_an_endless_body_is_refused_at_max_response_size(
    kind: str, hostile: Callable[[Reply], str]
) -> None:
    piece = _chunked(b" " * 65536)
    url = hostile(lambda sock: _endless(sock, JSON_CHUNKED, piece))
    error = await _refused(
        lambda: make_client(kind, url, max_response_size=1024 * 1024, max_retries=0),
        lambda c: _call(c, "stats"),
    )
    assert error.limit == "max_response_size"
    assert error.max_size == 1024 * 1024
    assert "max_response_size" in str(error)
    assert "1048576" in str(error)
    assert error.method == "GET"
    assert error.url == url + "/api/v1/stats"


@pytest.mark.parametrize("kind", KINDS)
async def test_the_default_cap_refuses_a_body_past_64_mib(
    kind: str, hostile: Callable[[Reply], str]
) -> None:
    piece = _chunked(b" " * 256 * 1024)
    url = hostile(lambda sock: _endless(sock, JSON_CHUNKED, piece))
    error = await _refused(
        lambda: make_client(kind, url, max_retries=0), lambda c: _call(c, "stats")
    )
    assert error.max_size == 64 * 1024 * 1024
    assert "max_response_size (67108864 bytes)" in str(error)


@pytest.mark.parametrize("kind", KINDS)
async def test_a_declared_length_past_the_cap_is_refused_before_reading(
    kind: str, hostile: Callable[[Reply], str]
) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400000000\r\n\r\n"
    url = hostile(lambda sock: _endless(sock, head, b" " * 65536))
    error = await _refused(
        lambda: make_client(kind, url, max_retries=0), lambda c: _call(c, "stats")
    )
    assert error.limit == "max_response_size"


@pytest.mark.parametrize("kind", KINDS)
async def test_a_body_at_the_cap_is_read(kind: str, hostile: Callable[[Reply], str]) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"

    def reply(sock: socket.socket) -> None:
        sock.sendall(head % len(STATS) + STATS)

    url = hostile(reply)
    for limit in (len(STATS), None):
        client = make_client(kind, url, max_response_size=limit)
        try:
            stats = await _call(client, "stats")
        finally:
            if isinstance(client, GopherQueueSync):
                client.close()
            else:
                await client.aclose()
        assert stats.completed == mock.STATS["queue"]["completed"]


@pytest.mark.parametrize("kind", KINDS)
async def test_an_event_stream_that_never_sends_a_newline_is_refused(
    kind: str, hostile: Callable[[Reply], str]
) -> None:
    piece = _chunked(b"x" * 65536)
    url = hostile(lambda sock: _endless(sock, SSE_HEAD + _chunked(b"data: "), piece))
    error = await _refused(lambda: make_client(kind, url), _first_event)
    assert error.limit == "max_event_line_size"
    assert error.max_size == 1024 * 1024
    assert "max_event_line_size (1048576 characters)" in str(error)


@pytest.mark.parametrize("kind", KINDS)
async def test_an_event_stream_that_never_ends_an_event_is_refused(
    kind: str, hostile: Callable[[Reply], str]
) -> None:
    piece = _chunked(b"data: " + b"y" * 1000 + b"\n")
    url = hostile(lambda sock: _endless(sock, SSE_HEAD, piece))
    error = await _refused(lambda: make_client(kind, url, max_event_size=200_000), _first_event)
    assert error.limit == "max_event_size"
    assert "max_event_size (200000 characters)" in str(error)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("option", ["max_response_size", "max_event_line_size", "max_event_size"])
@pytest.mark.parametrize("value", [0, -1, 1.5, True, "64"])
def test_bad_limits_are_refused_by_name(kind: str, option: str, value: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        make_client(kind, "http://127.0.0.1:1", **{option: value})
    assert caught.value.field == option
