"""Every call has a total deadline (issue 12, item 6): a server that drips a valid reply one
byte every 0.5 s keeps each read alive, so only the call's own deadline can end it.

The drip server is a plain socket server: it answers every request with a complete, valid
job (a few hundred bytes, so minutes of dripping), sending the status line and headers at
once and the body a byte at a time (for the async clients, also the headers). The assertions
only say the call ended, with ``APITimeoutError``, well before the drip could have finished.
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from gopherqueue import APITimeoutError, GopherQueue, GopherQueueSync
from tests.unit.fakes import JOB_ID, job_json

DRIP_SECONDS = 0.5
BODY = json.dumps(job_json(tags={"padding": "x" * 200})).encode()
# Without a total deadline the drip takes minutes; "ended before" this is generous.
ENDED_BEFORE = 40.0


class _Drip(socketserver.BaseRequestHandler):
    server: _DripServer

    def handle(self) -> None:
        sock: socket.socket = self.request
        buffer = b""
        while True:
            while b"\r\n\r\n" not in buffer:
                data = sock.recv(65536)
                if not data:
                    return
                buffer += data
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            while len(buffer) < length:
                data = sock.recv(65536)
                if not data:
                    return
                buffer += data
            buffer = buffer[length:]
            headers = (
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(BODY)}\r\n\r\n".encode()
            )
            dripped = BODY if not self.server.drip_headers else headers + BODY
            try:
                if not self.server.drip_headers:
                    sock.sendall(headers)
                for i in range(len(dripped)):
                    # Pacing, not synchronisation: the stop event only ends the drip early.
                    if self.server.stop.wait(DRIP_SECONDS):
                        return
                    sock.sendall(dripped[i : i + 1])
            except OSError:
                return  # the client gave up: what the test wants


class _DripServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, drip_headers: bool) -> None:
        super().__init__(("127.0.0.1", 0), _Drip)
        self.drip_headers = drip_headers
        self.stop = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


def _serve(drip_headers: bool) -> Iterator[_DripServer]:
    server = _DripServer(drip_headers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def drip() -> Iterator[_DripServer]:
    yield from _serve(drip_headers=False)


@pytest.fixture
def drip_all() -> Iterator[_DripServer]:
    yield from _serve(drip_headers=True)


def _client(kind: str, url: str, **kwargs: Any) -> GopherQueueSync | GopherQueue:
    if kind == "sync":
        return GopherQueueSync(url, **kwargs)
    return GopherQueue(url, http_backend=kind, **kwargs)


async def _call(client: GopherQueueSync | GopherQueue, method: str, *args: Any) -> Any:
    try:
        result = getattr(client, method)(*args)
        if not isinstance(client, GopherQueueSync):
            result = await result
        return result
    finally:
        if isinstance(client, GopherQueueSync):
            client.close()
        else:
            await client.aclose()


@pytest.mark.parametrize("kind", ["sync", "httpx", "aiohttp"])
async def test_get_ends_at_its_timeout_against_a_dripping_reply(
    drip: _DripServer, kind: str
) -> None:
    client = _client(kind, drip.url, timeout=2, max_retries=0)
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        await _call(client, "get", JOB_ID)
    assert time.monotonic() - started < ENDED_BEFORE


@pytest.mark.parametrize("kind", ["sync", "httpx", "aiohttp"])
async def test_wait_ends_near_its_deadline_against_a_dripping_reply(
    drip: _DripServer, kind: str
) -> None:
    # The long-poll's deadline is its chunk (1 s) plus a margin; then the wait is over.
    client = _client(kind, drip.url, timeout=2, max_retries=0)
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        await _call(client, "wait", JOB_ID, 1)
    assert time.monotonic() - started < ENDED_BEFORE


@pytest.mark.parametrize("kind", ["httpx", "aiohttp"])
async def test_async_get_ends_at_its_timeout_when_the_headers_drip_too(
    drip_all: _DripServer, kind: str
) -> None:
    client = _client(kind, drip_all.url, timeout=2, max_retries=0)
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        await _call(client, "get", JOB_ID)
    assert time.monotonic() - started < ENDED_BEFORE
