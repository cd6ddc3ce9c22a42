"""The clients' own connection pool (no injected httpx client) over a real socket.

An owned httpx client is built with the API key, User-Agent and timeouts, and requests that
carry exactly those leave them to it (see ``_transport._build``); ``with_options`` copies
share the pool but send their own headers and timeouts. These tests check what arrives.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from gopherqueue import APITimeoutError, GopherQueue, GopherQueueSync

JOB_ID = "be36136c-ca44-46fd-88ef-9c69c6eaa9ff"
JOB = {
    "id": JOB_ID,
    "type": "echo",
    "state": "running",
    "priority": 2,
    "attempt": 1,
    "max_attempts": 3,
    "created_at": "2026-11-28T19:12:17.24631043Z",
    "updated_at": "2026-11-28T19:12:17.24631048Z",
}


class _Recorder(BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []
    release = threading.Event()

    def do_GET(self) -> None:
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        if self.headers.get("X-Slow"):
            type(self).release.wait(10)  # answers only after the client timed out
        body = json.dumps(JOB).encode() + b"\n"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[str]:
    _Recorder.seen = []
    _Recorder.release = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        _Recorder.release.set()
        server.shutdown()
        server.server_close()


def test_sync_owned_pool_sends_defaults_and_per_copy_options(recorder: str) -> None:
    with GopherQueueSync(recorder, api_key="key-1", headers={"X-A": "1"}, timeout=5) as client:
        assert client.get(JOB_ID).id == JOB_ID
        copy = client.with_options(headers={"X-B": "2"})
        copy.get(JOB_ID)
        client.get(JOB_ID)
        slow = client.with_options(timeout=0.2, max_retries=0, headers={"X-Slow": "1"})
        with pytest.raises(APITimeoutError):
            slow.get(JOB_ID)
    first, second, third = _Recorder.seen[:3]
    for seen in (first, second, third):
        assert seen["x-api-key"] == "key-1"
        assert seen["x-a"] == "1"
        assert seen["user-agent"].startswith("gopherqueue-python/")
    assert "x-b" not in first
    assert second["x-b"] == "2"
    assert "x-b" not in third


async def test_async_owned_pool_sends_defaults_and_per_copy_options(recorder: str) -> None:
    async with GopherQueue(recorder, api_key="key-2", headers={"X-A": "1"}, timeout=5) as client:
        assert (await client.get(JOB_ID)).id == JOB_ID
        await client.with_options(headers={"X-B": "2"}).get(JOB_ID)
        await client.get(JOB_ID)
        slow = client.with_options(timeout=0.2, max_retries=0, headers={"X-Slow": "1"})
        with pytest.raises(APITimeoutError):
            await slow.get(JOB_ID)
    first, second, third = _Recorder.seen[:3]
    assert [s["x-api-key"] for s in (first, second, third)] == ["key-2"] * 3
    assert [s.get("x-b") for s in (first, second, third)] == [None, "2", None]
