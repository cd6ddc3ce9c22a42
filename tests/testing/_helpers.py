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
