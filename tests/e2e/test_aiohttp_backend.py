"""``GopherQueue(..., http_backend="aiohttp")`` over real sockets, against the embedded server.

Every operation, the long-poll past a shortened write timeout, events across the server's
stream cuts, watch; and the failure cases the flows must see exactly as with httpx: error
statuses, a refused connection, a read timeout, a lost response (one job, thanks to the
idempotency key; a lost DELETE recognised), redirects not followed, TLS verified, and the API
key in no exception.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import time
import traceback
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest

from gopherqueue import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    Event,
    GopherQueue,
    JobNotFoundError,
    JobState,
    ReconnectEvent,
    RetryPolicy,
    UnexpectedResponseError,
)
from gopherqueue.testing import DevServer
from tests.reliability.test_security import tls_server  # noqa: F401  (a fixture)

from .test_events import async_wait_for_streams

pytestmark = [pytest.mark.e2e, pytest.mark.needs_embedded("faults, auth and write timeouts")]

FAST = RetryPolicy(max_retries=3, backoff_base=0.01, backoff_max=0.05)
KEY = "aiohttp-s3cret-key"
MISSING = "3097c2bb-b3be-476f-9d4d-f97f9eae8aa9"


@pytest.fixture
async def gq(server: DevServer) -> AsyncIterator[GopherQueue]:
    client = GopherQueue(server.url, http_backend="aiohttp", retry=FAST)
    try:
        yield client
    finally:
        await client.aclose()


def _text(error: BaseException) -> str:
    """Everything an exception shows: its chain's tracebacks, messages and reprs."""
    chain: list[str] = []
    seen: BaseException | None = error
    while seen is not None:
        chain.append(repr(seen))
        seen = seen.__cause__ or seen.__context__
    return "".join(traceback.format_exception(error)) + "".join(chain)


async def _raises(call: Any) -> BaseException:
    try:
        await call
    except Exception as exc:
        return exc
    pytest.fail("no exception")


# -- every operation ------------------------------------------------------------------------------


async def test_every_operation(gq: GopherQueue, server: DevServer) -> None:
    created = await gq.submit("echo", {"n": 1, "text": "héllo"}, idempotency_key="aio-1")
    assert created.replayed is False  # 201
    replay = await gq.submit("echo", {"n": 1, "text": "héllo"}, idempotency_key="aio-1")
    assert (replay.replayed, replay.id) == (True, created.id)  # 200
    assert server.job_count() == 1

    outcome = await gq.wait(created.id, timeout=5)
    assert (outcome.completed, outcome.success, outcome.state) == (True, True, JobState.COMPLETED)
    assert outcome.result is not None
    assert outcome.result.json() == {"n": 1, "text": "héllo"}
    job = await gq.get(created.id)
    assert job.state is JobState.COMPLETED
    assert job.job_result is not None
    assert job.job_result.json() == {"n": 1, "text": "héllo"}
    assert (await gq.result(created.id)).success is True

    batch = await gq.submit_batch([{"type": "echo", "payload": n} for n in range(3)])
    assert (batch.total, batch.accepted, batch.rejected) == (3, 3, 0)
    for item in batch.jobs:
        await gq.wait(item.id, timeout=5)
    listed = await gq.list(state="completed", job_type="echo")
    assert {created.id, *(j.id for j in batch.jobs)} <= {j.id for j in listed}
    stats = await gq.stats()
    assert (stats.total_jobs, stats.completed) == (4, 4)
    assert (await gq.health()).healthy is True
    assert await gq.ready() is True
    assert await gq.live() is True

    delayed = await gq.submit("echo", 2, delay=60)
    cancelled = await gq.cancel(delayed.id, reason="not needed")
    assert (cancelled.state, cancelled.last_error) == (JobState.CANCELLED, "not needed")
    with pytest.raises(ConflictError):
        await gq.cancel(delayed.id)

    failing = await gq.submit("error", "boom", max_attempts=1)
    assert (await gq.wait(failing.id, timeout=5)).state is JobState.DEAD_LETTER
    retried = await gq.retry(failing.id, reset_attempts=True)
    assert (retried.id, retried.state, retried.attempt) == (failing.id, JobState.PENDING, 0)

    assert await gq.delete(created.id) is None
    with pytest.raises(JobNotFoundError):
        await gq.get(created.id)

    seen = [j async for j in gq.watch(batch.jobs[0].id, timeout=5, poll_interval=0.2)]
    assert seen[-1].state is JobState.COMPLETED
    assert seen[-1].job_result is not None
    assert seen[-1].job_result.json() == 0


async def test_a_wait_longer_than_the_write_timeout(
    embedded_server_factory: Callable[..., DevServer], caplog: pytest.LogCaptureFixture
) -> None:
    """A 5 s wait on a 4 s job, 2 s write timeout, 1.5 s chunks: it succeeds, and every
    long-poll got its reply (the driver logs each response it received)."""
    server = embedded_server_factory(write_timeout=2)
    caplog.set_level(logging.DEBUG, logger="gopherqueue")
    async with GopherQueue(server.url, http_backend="aiohttp", wait_chunk=1.5) as client:
        job = await client.submit("sleep", 4)
        started = time.monotonic()
        outcome = await client.wait(job.id, timeout=5)
        elapsed = time.monotonic() - started
    assert (outcome.completed, outcome.success, outcome.timed_out) == (True, True, False)
    assert 3.5 < elapsed < 5.0
    polls = server.faults.hits("POST", "/api/v1/jobs/{id}/wait")
    answered = [
        r for r in caplog.messages if re.fullmatch(r"POST /api/v1/jobs/\S+/wait -> 200 .*", r)
    ]
    assert polls >= 3
    assert len(answered) == polls


# -- events ---------------------------------------------------------------------------------------


async def test_events_across_server_cuts(
    embedded_server_factory: Callable[..., DevServer],
) -> None:
    server = embedded_server_factory(write_timeout=1.5)
    client = GopherQueue(server.url, http_backend="aiohttp")
    submitted: list[str] = []
    stop = asyncio.Event()

    async def submitter() -> None:
        while not stop.is_set():
            submitted.append((await client.submit("echo", len(submitted))).id)
            try:
                await asyncio.wait_for(stop.wait(), 0.15)
            except TimeoutError:
                pass

    reconnects: list[ReconnectEvent] = []
    received: list[Event] = []
    task: asyncio.Task[None] | None = None
    try:
        started = time.monotonic()
        async with client.events(on_reconnect=reconnects.append, max_reconnects=3) as stream:
            async for event in stream:
                received.append(event)
                if task is None:
                    task = asyncio.create_task(submitter())
                if time.monotonic() - started >= 4.8:
                    break
        stop.set()
        if task is not None:
            await task
        assert await async_wait_for_streams(server, 0) == 0  # the stream's connection closed
    finally:
        stop.set()
        await client.aclose()
    assert received[0].event_type == "connected"
    assert [e.event_type for e in received].count("connected") == 1
    assert len(reconnects) >= 2
    # Each cut ended a healthy stream (as with httpx, the cut reads as an incomplete body).
    assert all(r.attempt == 1 for r in reconnects)
    assert all(r.error is None or type(r.error) is APIConnectionError for r in reconnects)
    created = [e.job_id for e in received if e.event_type == "job.created"]
    assert len(created) == len(set(created)), "duplicates"
    assert set(created) <= set(submitted)
    # The server has no replay: events published between a cut and the next subscription
    # are lost by design; the reconnect is immediate, so nearly all arrive.
    assert len(created) >= len(submitted) // 2 >= 5


# -- failures -------------------------------------------------------------------------------------


async def test_error_statuses_are_typed(
    gq: GopherQueue, embedded_server_factory: Callable[..., DevServer]
) -> None:
    error = await _raises(gq.get(MISSING))
    assert isinstance(error, JobNotFoundError)
    assert error.status_code == 404
    assert error.response.request.url.path == f"/api/v1/jobs/{MISSING}"

    auth = embedded_server_factory(api_key="the-right-key")
    async with GopherQueue(auth.url, api_key=KEY, http_backend="aiohttp") as wrong:
        refused = await _raises(wrong.stats())
    assert isinstance(refused, AuthenticationError)
    assert refused.status_code == 401
    assert KEY not in _text(refused)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_a_refused_connection_is_an_api_connection_error() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    async with GopherQueue(url, api_key=KEY, http_backend="aiohttp", max_retries=0) as client:
        error = await _raises(client.stats())
    assert isinstance(error, APIConnectionError)
    assert not isinstance(error, APITimeoutError)
    assert isinstance(error.__cause__, httpx.ConnectError)
    assert isinstance(error.__cause__.__cause__, aiohttp.ClientConnectorError)
    assert KEY not in _text(error)


async def test_a_read_timeout_is_an_api_timeout_error(server: DevServer) -> None:
    async with GopherQueue(server.url, api_key=KEY, http_backend="aiohttp", timeout=0.3) as client:
        job = await client.submit("echo", 1, delay=60)
        server.faults.add("GET", "/api/v1/jobs/{id}", kind="delay", delay=1.0)
        started = time.monotonic()
        error = await _raises(client.with_options(max_retries=0).get(job.id))
        elapsed = time.monotonic() - started
    assert isinstance(error, APITimeoutError)
    assert isinstance(error.__cause__, httpx.ReadTimeout)
    assert 0.25 < elapsed < 0.9
    assert KEY not in _text(error)


async def test_a_lost_submit_response_creates_one_job(gq: GopherQueue, server: DevServer) -> None:
    server.faults.add("POST", "/api/v1/jobs", kind="drop_after", times=1)
    job = await gq.submit("echo", {"once": True})
    assert job.replayed is True  # the retry carried the same idempotency key
    assert server.faults.hits("POST", "/api/v1/jobs") == 2
    assert server.job_count() == 1


async def test_a_lost_delete_response_is_recognised(gq: GopherQueue, server: DevServer) -> None:
    """aiohttp would silently re-send a DELETE on a broken keep-alive connection; the flow must
    see the failure to recognise its own earlier success in the 404 that follows."""
    job = await gq.submit("echo", 1, delay=60)
    server.faults.add("DELETE", "/api/v1/jobs/{id}", kind="drop_after", times=1)
    assert await gq.delete(job.id) is None
    assert server.faults.hits("DELETE", "/api/v1/jobs/{id}") == 2
    assert server.get_job(job.id) is None


async def test_redirects_are_not_followed(
    gq: GopherQueue, server: DevServer, embedded_server_factory: Callable[..., DevServer]
) -> None:
    elsewhere = embedded_server_factory()
    server.faults.add(
        "*",
        "/api/v1/*",
        kind="status",
        status=302,
        times=None,
        headers={"Location": f"{elsewhere.url}/api/v1/jobs"},
    )
    for call in (gq.submit("echo"), gq.get(MISSING), gq.stats()):
        error = await _raises(call)
        assert isinstance(error, UnexpectedResponseError), repr(error)
        assert error.status_code == 302
    assert elsewhere.faults.hits() == 0
    assert server.faults.hits() == 3


async def test_tls_is_verified(
    tls_server: tuple[str, Path, list[dict[str, str]]],  # noqa: F811
) -> None:
    url, ca_path, seen = tls_server
    async with GopherQueue(url, api_key=KEY, http_backend="aiohttp", max_retries=0) as default:
        error = await _raises(default.live())
    assert isinstance(error, APIConnectionError)
    assert "CERTIFICATE_VERIFY_FAILED" in _text(error)
    assert seen == []  # the handshake failed: no request, no key
    async with GopherQueue(url, api_key=KEY, http_backend="aiohttp", verify=ca_path) as trusted:
        assert await trusted.live() is True
    assert seen[-1]["x-api-key"] == KEY
    async with GopherQueue(url, http_backend="aiohttp", verify=False) as unverified:
        assert await unverified.live() is True
