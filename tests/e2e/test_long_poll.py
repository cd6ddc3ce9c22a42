"""wait() longer than the server's write timeout (issue 4).

Upstream drops any reply written 30 s or more after its request (docs/protocol.md §3.9): a single
long-poll cannot outlast that. The embedded server emulates the cut with a configurable write
timeout; at 2 s the premise and the fix can both be shown in a few seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from gopherqueue import GopherQueue, GopherQueueSync, JobState
from gopherqueue.testing import DevServer

from ._support import Api

pytestmark = [pytest.mark.e2e, pytest.mark.needs_embedded("a write timeout shortened to 2 s")]

WRITE_TIMEOUT = 2.0
WAIT_PATH = "/api/v1/jobs/{id}/wait"


def test_a_single_long_poll_past_the_write_timeout_is_dropped(
    embedded_server_factory: Callable[..., DevServer],
) -> None:
    """The premise: a 2.2 s long-poll on a 2 s write-timeout server gets no reply at all (the
    connection closes when the server tries to answer, past its deadline)."""
    server = embedded_server_factory(write_timeout=WRITE_TIMEOUT)
    with httpx.Client(base_url=server.url) as http:
        job = http.post("/api/v1/jobs", json={"type": "sleep", "payload": 5}).json()
        started = time.monotonic()
        with pytest.raises(httpx.RemoteProtocolError):
            http.post(f"/api/v1/jobs/{job['id']}/wait", json={"timeout": "2.2s"})
        assert 2.1 < time.monotonic() - started < 3.5


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_wait_longer_than_the_write_timeout(
    kind: str, embedded_server_factory: Callable[..., DevServer]
) -> None:
    """A 5 s wait on a job that takes 4 s, against a 2 s write timeout, with 1.5 s chunks:
    it succeeds, and every long-poll it sent got its reply (none was cut)."""
    server = embedded_server_factory(write_timeout=WRITE_TIMEOUT)
    sent: list[str] = []
    answered: list[int] = []

    def on_request(request: httpx.Request) -> None:
        if request.url.path.endswith("/wait"):
            sent.append(request.url.path)

    def on_response(response: httpx.Response) -> None:
        if response.request.url.path.endswith("/wait"):
            answered.append(response.status_code)

    async def on_request_async(request: httpx.Request) -> None:
        on_request(request)

    async def on_response_async(response: httpx.Response) -> None:
        on_response(response)

    http: Any
    if kind == "async":
        http = httpx.AsyncClient(
            event_hooks={"request": [on_request_async], "response": [on_response_async]}
        )
        client: GopherQueueSync | GopherQueue = GopherQueue(
            server.url, wait_chunk=1.5, http_client=http
        )
    else:
        http = httpx.Client(event_hooks={"request": [on_request], "response": [on_response]})
        client = GopherQueueSync(server.url, wait_chunk=1.5, http_client=http)
    api = Api(client)
    try:
        job = await api.submit("sleep", 4)  # the embedded sleep reads a JSON number as seconds
        started = time.monotonic()
        outcome = await api.wait(job.id, timeout=5)
        elapsed = time.monotonic() - started
    finally:
        await api.close()
        if kind == "async":
            await http.aclose()
        else:
            http.close()

    assert (outcome.completed, outcome.success, outcome.timed_out) == (True, True, False)
    assert outcome.state is JobState.COMPLETED
    assert 3.5 < elapsed < 5.0
    # Chunked: at least three long-polls (0-1.5, 1.5-3, 3-4 s), each answered with a 200.
    assert len(sent) >= 3
    assert answered == [200] * len(sent)
    assert server.faults.hits("POST", WAIT_PATH) == len(sent)
