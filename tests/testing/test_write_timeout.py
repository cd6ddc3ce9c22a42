"""Upstream's 30 s WriteTimeout: responses written at or after the deadline are lost."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from gopherqueue.testing import DevServer

from ._helpers import RawStream, submit

WRITE_TIMEOUT = 0.5


@pytest.fixture(scope="module")
def fast_server() -> Iterator[DevServer]:
    with DevServer(write_timeout=WRITE_TIMEOUT) as srv:
        yield srv


@pytest.fixture
def blocked_job(fast_server: DevServer) -> Iterator[str]:
    fast_server.reset()
    gate = threading.Event()
    fast_server.register("gated", lambda ctx: gate.wait(5))
    with httpx.Client(base_url=fast_server.url) as client:
        yield submit(client, type="gated")["id"]
    gate.set()


def test_long_poll_answered_after_the_deadline_is_lost(
    fast_server: DevServer, blocked_job: str
) -> None:
    started = time.monotonic()
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        httpx.post(f"{fast_server.url}/api/v1/jobs/{blocked_job}/wait", json={"timeout": "700ms"})
    # Lost when the answer is written (after the 0.7 s wait), not at the deadline: as upstream.
    assert 0.65 < time.monotonic() - started < 1.2


def test_long_poll_answered_before_the_deadline_arrives(
    fast_server: DevServer, blocked_job: str
) -> None:
    response = httpx.post(
        f"{fast_server.url}/api/v1/jobs/{blocked_job}/wait", json={"timeout": "300ms"}
    )
    assert response.status_code == 200
    assert response.json()["timed_out"] is True


def test_lost_response_is_an_empty_reply_on_the_wire(
    fast_server: DevServer, blocked_job: str
) -> None:
    body = b'{"timeout":"550ms"}'
    request = (
        f"POST /api/v1/jobs/{blocked_job}/wait HTTP/1.1\r\nHost: x\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    stream = RawStream(fast_server.host, fast_server.port, request)
    elapsed = stream.wait_closed()
    assert stream.data == b""
    assert 0.5 < elapsed < 1.0


def test_keep_alive_connection_gets_a_fresh_deadline_per_request(
    fast_server: DevServer, blocked_job: str
) -> None:
    with httpx.Client(base_url=fast_server.url) as client:
        for _ in range(2):
            response = client.post(f"/api/v1/jobs/{blocked_job}/wait", json={"timeout": "300ms"})
            assert response.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            client.post(f"/api/v1/jobs/{blocked_job}/wait", json={"timeout": "550ms"})
        assert client.get("/live").status_code == 200


def test_write_timeout_can_be_disabled() -> None:
    with DevServer(write_timeout=None) as srv, httpx.Client(base_url=srv.url) as client:
        gate = threading.Event()
        srv.register("gated", lambda ctx: gate.wait(5))
        job = submit(client, type="gated")
        assert client.get(f"/api/v1/jobs/{job['id']}/wait?timeout=300ms").status_code == 200
        gate.set()
