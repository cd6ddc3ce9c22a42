"""Small HTTP helpers shared by the embedded server's tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

#: Write timeout of the shared test server (upstream: 30 s).
WRITE_TIMEOUT = 3.0
#: SSE keepalive period of the shared test server.
KEEPALIVE = 1.0


def submit(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    """POST a job and return its JSON (asserting 201)."""
    response = client.post("/api/v1/jobs", json=fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def wait_for(client: httpx.Client, job_id: str, timeout: str = "5s") -> dict[str, Any]:
    """Long-poll the wait endpoint and return its JSON (asserting 200)."""
    response = client.post(f"/api/v1/jobs/{job_id}/wait", json={"timeout": timeout})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def poll(predicate: Callable[[], bool], timeout: float = 5.0, interval: float = 0.01) -> None:
    """Wait until ``predicate()`` is true (fails the test after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


def get_job(client: httpx.Client, job_id: str) -> dict[str, Any]:
    """GET a job's JSON (asserting 200)."""
    response = client.get(f"/api/v1/jobs/{job_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class RawStream:
    """Reads one HTTP response from a raw socket on a background thread (exact bytes)."""

    def __init__(self, host: str, port: int, request: bytes) -> None:
        import socket
        import threading

        self.data = b""
        self.closed_at: float | None = None
        self.started = time.monotonic()
        self._sock = socket.create_connection((host, port))
        self._sock.sendall(request)
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = self._sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                self.closed_at = time.monotonic()
                return
            with self._lock:
                self.data += chunk

    def text(self) -> str:
        with self._lock:
            return self.data.decode("utf-8", "replace")

    def wait_for(self, needle: str, timeout: float = 5.0) -> None:
        poll(lambda: needle in self.text(), timeout)

    def wait_closed(self, timeout: float = 5.0) -> float:
        """Wait for the server to close; returns seconds from connect to close."""
        self._thread.join(timeout)
        assert self.closed_at is not None, "server did not close the connection"
        return self.closed_at - self.started

    def close(self) -> None:
        import socket

        try:
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the reader; close() alone does not
        except OSError:
            pass
        self._sock.close()
        self._thread.join(2)


def events_request(host: str, port: int, query: str = "") -> bytes:
    """The raw bytes of a GET /api/v1/events request."""
    return f"GET /api/v1/events{query} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
