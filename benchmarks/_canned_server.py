"""A minimal HTTP/1.1 server that answers with canned real responses, in its own process.

The overhead benchmarks need a server that costs little and costs the *same* for the SDK and for
the raw clients it is compared with, so it does no routing beyond the request line, no JSON and
no allocation per request beyond slicing its input buffer. It runs as a separate process (an
asyncio server: keep-alive, pipelining and hundreds of concurrent connections), so its work does
not share the GIL with the client being measured. It listens on 127.0.0.1 only.

Routes (anything else gets the recorded 404 ``endpoint not found``):

* ``POST /api/v1/jobs``: 201, capture 020 (a pending echo job);
* ``GET /api/v1/jobs/{id}``: 200, capture 032 (a running sleep job);
* ``GET /api/v1/jobs``: 200, a 100-job list built from the captures;
* ``POST /api/v1/jobs/batch``: 201, capture 174 (1,000 accepted jobs, the SDK's chunk size);
* ``GET /api/v1/events``: one long SSE stream (:data:`STREAM_EVENTS` job events from capture
  300, in 64 KiB chunks), then the end of the response.

Run ``python -m benchmarks._canned_server``: it prints ``PORT <n>`` and serves until its stdin
closes. :class:`CannedServer` does that for you.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import threading
from types import TracebackType
from typing import Optional

from ._common import ROOT
from ._data import GET_CAPTURE, SUBMIT_CAPTURE, list_body, raw_response, sse_long_stream

__all__ = ["STREAM_EVENTS", "CannedServer", "serve"]

#: Job events in the ``/api/v1/events`` stream.
STREAM_EVENTS = 50_000

_JOBS = b"/api/v1/jobs"
_BATCH = b"/api/v1/jobs/batch"


def _responses() -> dict[str, bytes]:
    listing = list_body(100)
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        "X-Request-Id: 20261128191224.667798\r\nDate: Sat, 28 Nov 2026 19:12:24 GMT\r\n"
        f"Transfer-Encoding: chunked\r\n\r\n{len(listing):x}\r\n"
    ).encode()
    return {
        "submit": raw_response(SUBMIT_CAPTURE),
        "get": raw_response(GET_CAPTURE),
        # Bodies over 2 KiB come chunked from Go's net/http; so does this one.
        "list": head + listing + b"\r\n0\r\n\r\n",
        "batch": raw_response("174_batch_exactly_1000"),
        "events": _stream(sse_long_stream(STREAM_EVENTS)[0]),
        "missing": raw_response("007_unknown_api_path"),
    }


def _stream(body: bytes, size: int = 65536) -> bytes:
    head = (
        b"HTTP/1.1 200 OK\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\n"
        b"Content-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunks = [body[at : at + size] for at in range(0, len(body), size)]
    return head + b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"


class _Protocol(asyncio.Protocol):
    """One connection: parse request heads, skip bodies, write a canned response each."""

    def __init__(self, responses: dict[str, bytes]) -> None:
        self._responses = responses
        self._buffer = bytearray()
        self._transport: Optional[asyncio.Transport] = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        transport = self._transport
        assert transport is not None
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buffer[:end]).lower()
            length = 0
            at = head.find(b"\r\ncontent-length:")
            if at >= 0:
                stop = head.find(b"\r\n", at + 2)
                length = int(head[at + 17 : stop if stop >= 0 else len(head)])
            total = end + 4 + length
            if len(buffer) < total:
                return
            del buffer[:total]
            line_end = head.find(b"\r\n")
            method, target, _ = (head if line_end < 0 else head[:line_end]).split(b" ", 2)
            path = target.split(b"?", 1)[0]
            if path == _JOBS:
                key = "submit" if method == b"post" else "list" if method == b"get" else "missing"
            elif path == b"/api/v1/events" and method == b"get":
                key = "events"
            elif path == _BATCH and method == b"post":
                key = "batch"
            elif path.startswith(b"/api/v1/jobs/") and method == b"get" and path.count(b"/") == 4:
                key = "get"
            else:
                key = "missing"
            transport.write(self._responses[key])
            if b"\r\nconnection: close" in head:
                transport.close()
                return


async def serve(port: int = 0, *, announce: bool = True) -> None:
    """Serve on 127.0.0.1 until cancelled (or, when run as a script, until stdin closes)."""
    responses = _responses()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: _Protocol(responses), "127.0.0.1", port, backlog=1024, reuse_address=True
    )
    if announce:
        bound = server.sockets[0].getsockname()[1]
        sys.stdout.write(f"PORT {bound}\n")
        sys.stdout.flush()
    stop = asyncio.Event()

    def watch_stdin() -> None:
        # The parent closes our stdin to stop us (and it closes by itself if the parent dies).
        with contextlib.suppress(OSError, ValueError):
            sys.stdin.buffer.read()
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=watch_stdin, daemon=True).start()
    async with server:
        await stop.wait()


class CannedServer:
    """Start the canned server in a child process; ``url`` is valid inside ``with``."""

    def __init__(self) -> None:
        self._process: Optional[subprocess.Popen[bytes]] = None
        self.url = ""

    def cpu_seconds(self) -> float:
        """The server process's CPU time so far (user + system), from /proc; 0 elsewhere."""
        import os

        if self._process is None:
            return 0.0
        try:
            with open(f"/proc/{self._process.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> CannedServer:
        process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks._canned_server"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._process = process
        assert process.stdout is not None
        line = process.stdout.readline().decode().strip()
        if not line.startswith("PORT "):
            self.__exit__(None, None, None)
            raise RuntimeError(f"canned server did not start (said {line!r})")
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None
        with contextlib.suppress(OSError):
            process.stdin.close()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        if process.stdout is not None:
            process.stdout.close()


if __name__ == "__main__":
    asyncio.run(serve())
