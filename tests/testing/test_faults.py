"""Fault injection: each kind, matching, counting, consumption and reset."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from gopherqueue.testing import DevServer

from ._helpers import submit


def test_status_fault_with_retry_after_is_not_applied(
    server: DevServer, client: httpx.Client
) -> None:
    fault = server.faults.add("POST", "/api/v1/jobs", kind="status", status=503, retry_after=2)
    refused = client.post("/api/v1/jobs", json={"type": "echo"})
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "2"
    assert refused.headers["content-type"] == "application/json"
    assert refused.json() == {
        "error": {"code": "service_unavailable", "message": "service unavailable"}
    }
    assert server.job_count() == 0
    assert client.post("/api/v1/jobs", json={"type": "echo"}).status_code == 201
    assert (fault.triggered, fault.remaining) == (1, 0)
    assert server.faults.hits("POST", "/api/v1/jobs") == 2
    assert server.job_count() == 1


def test_status_fault_overrides(server: DevServer, client: httpx.Client) -> None:
    server.faults.add(
        "GET",
        "/api/v1/stats",
        status=429,
        code="rate_limited",
        message="slow down",
        headers={"X-Extra": "1"},
    )
    response = client.get("/api/v1/stats")
    assert response.status_code == 429
    assert response.json()["error"] == {"code": "rate_limited", "message": "slow down"}
    assert response.headers["x-extra"] == "1"
    server.faults.add("GET", "/api/v1/stats", status=500, body="oops", content_type="text/plain")
    raw = client.get("/api/v1/stats")
    assert (raw.status_code, raw.text, raw.headers["content-type"]) == (500, "oops", "text/plain")


def test_html_502_like_a_proxy(server: DevServer, client: httpx.Client) -> None:
    server.faults.add("*", "/api/v1/*", kind="html_502")
    response = client.get("/api/v1/jobs")
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html"
    assert "<title>502 Bad Gateway</title>" in response.text


def test_drop_before_does_not_apply_the_request(server: DevServer, client: httpx.Client) -> None:
    server.faults.add("POST", "/api/v1/jobs", kind="drop_before")
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        client.post("/api/v1/jobs", json={"type": "echo"})
    assert server.job_count() == 0


def test_drop_after_applies_the_request_and_loses_the_response(
    server: DevServer, client: httpx.Client
) -> None:
    server.faults.add("POST", "/api/v1/jobs", kind="drop_after")
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        client.post("/api/v1/jobs", json={"type": "echo", "idempotency_key": "once"})
    assert server.job_count() == 1
    replay = client.post("/api/v1/jobs", json={"type": "echo", "idempotency_key": "once"})
    assert replay.status_code == 200
    assert server.jobs()[0]["id"] == replay.json()["id"]


def test_delay_fault(server: DevServer, client: httpx.Client) -> None:
    server.faults.add("GET", "/live", kind="delay", delay=0.3)
    started = time.monotonic()
    assert client.get("/live").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_truncate_sends_broken_json(server: DevServer, client: httpx.Client) -> None:
    server.faults.add("POST", "/api/v1/jobs", kind="truncate")
    response = client.post("/api/v1/jobs", json={"type": "echo"})
    assert response.status_code == 201
    assert response.headers["content-length"] == str(len(response.content))
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    full = server.jobs()[0]
    assert response.content.startswith(b'{"id":"' + full["id"].encode())
    server.faults.add("GET", "/api/v1/jobs/{id}", kind="truncate", truncate_at=5)
    assert client.get(f"/api/v1/jobs/{full['id']}").content == b'{"id"'


def test_truncate_incomplete_breaks_the_http_message(
    server: DevServer, client: httpx.Client
) -> None:
    server.faults.add("POST", "/api/v1/jobs", kind="truncate", incomplete=True)
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/api/v1/jobs", json={"type": "echo"})
    assert server.job_count() == 1


def test_patterns_methods_times_and_removal(server: DevServer, client: httpx.Client) -> None:
    job = submit(client, type="echo")
    forever = server.faults.add("GET", "/api/v1/jobs/{id}/result", status=503, times=None)
    for _ in range(3):
        assert client.get(f"/api/v1/jobs/{job['id']}/result").status_code == 503
    assert client.get(f"/api/v1/jobs/{job['id']}").status_code == 200  # {id} is one segment
    assert client.post(f"/api/v1/jobs/{job['id']}/cancel").status_code != 503  # method differs
    server.faults.remove(forever)
    assert client.get(f"/api/v1/jobs/{job['id']}/result").status_code == 200
    twice = server.faults.add("*", "*", status=500, times=2)
    assert [client.get("/live").status_code for _ in range(3)] == [500, 500, 200]
    assert twice.remaining == 0
    assert server.faults.hits("GET", "/api/v1/jobs/{id}/result") == 4
    assert server.faults.hits("*", "/api/v1/jobs/*") == 6
    assert server.faults.hits("*", "/api/v1/jobs*") == 7
    assert server.faults.hits("get", "/live") == 3
    assert ("POST", f"/api/v1/jobs/{job['id']}/cancel") in server.faults.requests


def test_first_matching_fault_wins_and_reset_clears(
    server: DevServer, client: httpx.Client
) -> None:
    server.faults.add("GET", "/live", status=501)
    server.faults.add("GET", "/live", status=502)
    assert [client.get("/live").status_code for _ in range(3)] == [501, 502, 200]
    server.faults.add("GET", "/live", status=503, times=None)
    server.reset()
    assert client.get("/live").status_code == 200
    assert server.faults.hits() == 1
    assert server.faults.faults == []


def test_invalid_fault_arguments(server: DevServer) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        server.faults.add("GET", "/live", kind="explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="times"):
        server.faults.add("GET", "/live", times=-1)
