"""events(): the acceptance tests of issue 5, for both clients, over real sockets.

* A long subscription survives the server's stream cuts (at 2 s here instead of upstream's
  30 s) without losing an event sent while it was connected, without duplicates, and with
  ``connected`` surfaced once.
* Abandoned subscriptions leave no stream open on the server.
* Filters: ``job_types`` (client side, ``job.deleted`` included), ``job_id`` (server side),
  ``event_types``; the reconnect hook; 401 ends the stream with ``AuthenticationError``.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Callable
from typing import Any

import attrs
import httpx
import pytest

from gopherqueue import (
    APIConnectionError,
    AuthenticationError,
    Event,
    GopherQueue,
    GopherQueueSync,
    JobState,
    ReconnectEvent,
)
from gopherqueue.testing import DevServer, _uvicorn

from ._support import Api, Target, make_client, open_streams, unique, wait_for_streams

pytestmark = pytest.mark.e2e

EVENTS_PATH = "/api/v1/events"

# -- issue 5: a long subscription across server cuts -----------------------------------------------

WRITE_TIMEOUT = 2.0  # the embedded server cuts every stream 2 s after its request arrived
DURATION = 10.0  # how long the subscription runs
INTERVAL = 0.25  # one job.created every quarter second, from another thread / task
MARGIN = 0.25  # an event published this close to a cut may legitimately be lost in the cut


@attrs.define
class Submitted:
    """A job created by the submitter: its id, index, and when its submit call ran."""

    job_id: str
    index: int
    sent: float
    answered: float


@attrs.define
class StreamWindows:
    """When each SSE connection was demonstrably subscribed, measured on the client.

    An httpx ``request`` hook notes when each ``GET /api/v1/events`` was sent and a ``response``
    hook when its headers arrived. The server registers the subscriber *before* it sends the
    headers, and cuts the stream ``WRITE_TIMEOUT`` after it *received* the request. So the
    server certainly held the subscription from the headers' arrival until
    ``sent + WRITE_TIMEOUT``; ``MARGIN`` is taken off the end for an event that is published
    just before the cut but not written in time.
    """

    requested: dict[int, float] = attrs.field(factory=dict)
    windows: list[tuple[float, float]] = attrs.field(factory=list)

    def on_request(self, request: httpx.Request) -> None:
        if request.url.path == EVENTS_PATH:
            self.requested[id(request)] = time.monotonic()

    def on_response(self, response: httpx.Response) -> None:
        if response.request.url.path == EVENTS_PATH and response.status_code == 200:
            sent = self.requested[id(response.request)]
            self.windows.append((time.monotonic(), sent + WRITE_TIMEOUT - MARGIN))

    async def on_request_async(self, request: httpx.Request) -> None:
        self.on_request(request)

    async def on_response_async(self, response: httpx.Response) -> None:
        self.on_response(response)

    def covers(self, job: Submitted) -> bool:
        """Whether the job was created entirely inside one window (its job.created event is
        published between the submit request being sent and its answer arriving)."""
        return any(start <= job.sent and job.answered <= end for start, end in self.windows)


def check_subscription(
    received: list[Event],
    submitted: list[Submitted],
    windows: StreamWindows,
    reconnects: list[ReconnectEvent],
) -> dict[str, int]:
    """The acceptance criteria; returns the figures for the report."""
    assert received[0].event_type == "connected"
    assert [e.event_type for e in received].count("connected") == 1, "connected resurfaced"
    assert len(reconnects) >= 4, f"only {len(reconnects)} reconnects in {DURATION} s"
    assert all(r.attempt == 1 for r in reconnects), "a reconnection failed"

    created = [e.job_id for e in received if e.event_type == "job.created"]
    assert len(created) == len(set(created)), "duplicate job.created events"
    by_id = {job.job_id: job for job in submitted}
    assert set(created) <= set(by_id), "events for jobs nobody submitted"
    # Jobs are submitted one after another and each stream delivers in order, so every job
    # submitted before the last one received, and inside a window, must have arrived.
    last = max(by_id[job_id].index for job_id in created)
    expected = {j.job_id for j in submitted if j.index <= last and windows.covers(j)}
    missing = sorted(by_id[j].index for j in expected - set(created))
    assert not missing, f"jobs created while connected but never received: {missing}"
    assert len(expected) >= 20, f"too few jobs inside the connected windows: {len(expected)}"
    return {
        "submitted": len(submitted),
        "received": len(created),
        "expected_while_connected": len(expected),
        "not_received": len(submitted) - len(created),
        "reconnects": len(reconnects),
        "streams": len(windows.windows),
        "duplicates": len(created) - len(set(created)),
    }


@pytest.mark.needs_embedded("a write timeout shortened to 2 s")
def test_sync_subscription_survives_server_cuts(
    embedded_server_factory: Callable[..., DevServer],
) -> None:
    """Method: the subscription runs ``DURATION`` seconds while another thread, sharing the
    client, submits an ``echo`` job every ``INTERVAL``; the server cuts the stream every
    ``WRITE_TIMEOUT``. The server has no replay, so events published between a cut and the
    next subscription are lost by design. What must hold: ``connected`` once, at least four
    reconnects (``on_reconnect``), no duplicates, only jobs we submitted, and every job whose
    submit call ran entirely inside a window in which the subscription demonstrably existed
    (:class:`StreamWindows`) was received.
    """
    server = embedded_server_factory(write_timeout=WRITE_TIMEOUT)
    windows = StreamWindows()
    http = httpx.Client(
        event_hooks={"request": [windows.on_request], "response": [windows.on_response]}
    )
    client = GopherQueueSync(server.url, http_client=http)
    submitted: list[Submitted] = []
    stop = threading.Event()

    def submitter() -> None:
        index = 0
        while not stop.is_set():
            sent = time.monotonic()
            job = client.submit("echo", {"n": index})
            submitted.append(Submitted(job.id, index, sent, time.monotonic()))
            index += 1
            stop.wait(INTERVAL)

    thread = threading.Thread(target=submitter, daemon=True)
    reconnects: list[ReconnectEvent] = []
    received: list[Event] = []
    try:
        started = time.monotonic()
        with client.events(on_reconnect=reconnects.append, max_reconnects=3) as stream:
            for event in stream:
                received.append(event)
                if not thread.is_alive() and len(received) == 1:
                    thread.start()
                if time.monotonic() - started >= DURATION:
                    break
        assert wait_for_streams(server, 0) == 0
    finally:
        stop.set()
        if thread.is_alive():
            thread.join(5)
        client.close()
        http.close()
    figures = check_subscription(received, submitted, windows, reconnects)
    print(f"\nsync subscription: {figures}")


@pytest.mark.needs_embedded("a write timeout shortened to 2 s")
async def test_async_subscription_survives_server_cuts(
    embedded_server_factory: Callable[..., DevServer],
) -> None:
    """As :func:`test_sync_subscription_survives_server_cuts`, with the submitter a task on
    the same event loop sharing the async client."""
    server = embedded_server_factory(write_timeout=WRITE_TIMEOUT)
    windows = StreamWindows()
    http = httpx.AsyncClient(
        event_hooks={"request": [windows.on_request_async], "response": [windows.on_response_async]}
    )
    client = GopherQueue(server.url, http_client=http)
    submitted: list[Submitted] = []
    stop = asyncio.Event()

    async def submitter() -> None:
        index = 0
        while not stop.is_set():
            sent = time.monotonic()
            job = await client.submit("echo", {"n": index})
            submitted.append(Submitted(job.id, index, sent, time.monotonic()))
            index += 1
            try:
                await asyncio.wait_for(stop.wait(), INTERVAL)
            except TimeoutError:
                pass

    task: asyncio.Task[None] | None = None
    reconnects: list[ReconnectEvent] = []
    received: list[Event] = []
    try:
        started = time.monotonic()
        async with client.events(on_reconnect=reconnects.append, max_reconnects=3) as stream:
            async for event in stream:
                received.append(event)
                if task is None:
                    task = asyncio.create_task(submitter())
                if time.monotonic() - started >= DURATION:
                    break
        assert await async_wait_for_streams(server, 0) == 0
    finally:
        stop.set()
        if task is not None:
            await task
        await client.aclose()
        await http.aclose()
    figures = check_subscription(received, submitted, windows, reconnects)
    print(f"\nasync subscription: {figures}")


# -- issue 5: no connection leaks ----------------------------------------------------------------

ABANDONED = 100
CLOSED = 20


async def async_wait_for_streams(server: DevServer, expected: int, timeout: float = 3.0) -> int:
    """:func:`wait_for_streams` that lets this event loop run (finalizers of abandoned async
    generators are scheduled on it)."""
    deadline = time.monotonic() + timeout
    while True:
        count = open_streams(server)
        if count == expected or time.monotonic() >= deadline:
            return count
        await asyncio.sleep(0.02)


def server_connections(server: DevServer) -> int:
    """Open TCP connections on the embedded server (uvicorn's connection set)."""
    core: Any = server._core
    return int(server._call(lambda: _uvicorn.open_connections(core._server)))


def wait_for_connections(server: DevServer, expected: int, timeout: float = 3.0) -> int:
    deadline = time.monotonic() + timeout
    while True:
        count = server_connections(server)
        if count <= expected or time.monotonic() >= deadline:
            return count
        time.sleep(0.02)


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


@pytest.mark.needs_embedded("counts the server's open event streams")
def test_sync_abandoned_subscriptions_leave_no_stream_open(
    embedded_server_factory: Callable[..., DevServer],
) -> None:
    # A server of its own: its connection count must not see other tests' pooled connections.
    server = embedded_server_factory()
    with GopherQueueSync(server.url) as client:
        # The counter sees a live stream.
        held = client.events()
        assert next(held).event_type == "connected"
        assert open_streams(server) == 1
        held.close()
        assert wait_for_streams(server, 0) == 0

        gc.disable()  # the streams must close without help from the cycle collector
        try:
            for _ in range(ABANDONED):
                for event in client.events():
                    assert event.event_type == "connected"
                    break
            for _ in range(CLOSED):
                with client.events() as stream:
                    next(stream)
            for _ in range(CLOSED):
                stream = client.events()
                next(stream)
                stream.close()
            assert wait_for_streams(server, 0) == 0
        finally:
            gc.enable()
        assert server.faults.hits("GET", EVENTS_PATH) == 1 + ABANDONED + 2 * CLOSED
        assert wait_for_connections(server, 0) == 0


@pytest.mark.needs_embedded("counts the server's open event streams")
async def test_async_abandoned_subscriptions_leave_no_stream_open(
    embedded_server_factory: Callable[..., DevServer],
) -> None:
    server = embedded_server_factory()
    async with GopherQueue(server.url) as client:
        held = client.events()
        assert (await held.__anext__()).event_type == "connected"
        assert open_streams(server) == 1
        await held.aclose()
        assert await async_wait_for_streams(server, 0) == 0

        for _ in range(ABANDONED):
            async for event in client.events():
                assert event.event_type == "connected"
                break
        for _ in range(CLOSED):
            async with client.events() as stream:
                await stream.__anext__()
        for _ in range(CLOSED):
            stream = client.events()
            await stream.__anext__()
            await stream.aclose()
        # An abandoned async generator is closed by a task the loop's finalizer hook creates.
        assert await async_wait_for_streams(server, 0) == 0
        assert server.faults.hits("GET", EVENTS_PATH) == 1 + ABANDONED + 2 * CLOSED
    await until(lambda: server_connections(server) == 0, timeout=3)


# -- filters, hook, auth ---------------------------------------------------------------------------


def ours(events: list[Event], *job_ids: str) -> list[tuple[str, str | None]]:
    """(event type, job id) of the events about the given jobs (an external server may have
    other traffic)."""
    return [(e.event_type, e.job_id) for e in events if e.job_id in job_ids]


async def test_job_types_filter_applies_to_created_and_deleted(gq: Api, target: Target) -> None:
    marker = unique("sentinel")
    feed = gq.feed(
        gq.client.events(job_types=["echo"]),
        stop_when=lambda e: e.job is not None and e.job.tags.get("sentinel") == marker,
    )
    await feed.started()
    try:
        echo = await gq.submit("echo", 1)
        other = await gq.submit("sleep", 0)
        await gq.wait(echo.id, timeout=10)
        await gq.wait(other.id, timeout=10)
        await gq.delete(other.id)  # job.deleted carries only the id: matched by what was seen
        await gq.delete(echo.id)
        sentinel = await gq.submit("echo", 2, tags={"sentinel": marker})
    finally:
        events = await feed.finish()
    assert events[0].event_type == "connected"
    assert ours(events, echo.id, other.id, sentinel.id) == [
        ("job.created", echo.id),
        ("job.deleted", echo.id),
        ("job.created", sentinel.id),
    ]
    deleted = next(e for e in events if e.event_type == "job.deleted")
    assert deleted.job is None
    assert deleted.data == {"id": echo.id}
    assert all(e.job is None or e.job.type == "echo" for e in events)
    if target.server is not None:  # nothing else happens on the embedded server
        assert len(events) == 4


async def test_job_id_filter_is_applied_by_the_server(gq: Api, target: Target) -> None:
    watched = await gq.submit("error", "watched", max_attempts=1)
    other = await gq.submit("error", "other", max_attempts=1)
    for job in (watched, other):
        assert (await gq.wait(job.id, timeout=10)).state is JobState.DEAD_LETTER
    feed = gq.feed(
        gq.client.events(job_id=watched.id),
        stop_when=lambda e: e.event_type == "job.deleted",
    )
    await feed.started()
    try:
        if target.server is not None:
            core: Any = target.server._core
            filters = target.server._call(lambda: [s.job_filter for s in core.engine._subscribers])
            assert filters == [watched.id]  # the filter travelled to the server
        await gq.retry(other.id)
        await gq.retry(watched.id, reset_attempts=True)
        await gq.wait(other.id, timeout=10)
        await gq.wait(watched.id, timeout=10)
        await gq.delete(other.id)
        await gq.delete(watched.id)
    finally:
        events = await feed.finish()
    assert [(e.event_type, e.job_id) for e in events] == [
        ("connected", None),
        ("job.retried", watched.id),
        ("job.deleted", watched.id),
    ]
    retried = events[1].job
    assert retried is not None
    assert retried.state is JobState.PENDING
    assert retried.attempt == 0


async def test_event_types_filter(gq: Api) -> None:
    failed = await gq.submit("error", "x", max_attempts=1)
    await gq.wait(failed.id, timeout=10)
    feed = gq.feed(
        gq.client.events(event_types=["connected", "job.retried", "job.deleted"]),
        stop_when=lambda e: e.event_type == "job.deleted" and e.job_id == failed.id,
    )
    await feed.started()
    try:
        echo = await gq.submit("echo", 1)  # job.created: filtered out
        await gq.wait(echo.id, timeout=10)
        await gq.retry(failed.id)
        await gq.wait(failed.id, timeout=10)
        await gq.delete(echo.id)
        await gq.delete(failed.id)
    finally:
        events = await feed.finish()
    assert events[0].event_type == "connected"
    assert {e.event_type for e in events} <= {"connected", "job.retried", "job.deleted"}
    assert ours(events, echo.id, failed.id) == [
        ("job.retried", failed.id),
        ("job.deleted", echo.id),
        ("job.deleted", failed.id),
    ]


@pytest.mark.needs_embedded("restarts the server to break the stream")
async def test_reconnect_hook_and_stream_resume_after_a_server_restart(
    gq: Api, server: DevServer
) -> None:
    reconnects: list[ReconnectEvent] = []
    marker = unique("after-restart")
    feed = gq.feed(
        gq.client.events(on_reconnect=reconnects.append),
        stop_when=lambda e: e.job is not None and e.job.tags.get("m") == marker,
    )
    await feed.started()
    try:
        before = await gq.submit("echo", 1)
        await until(lambda: any(e.job_id == before.id for e in feed.events))
        server.restart()  # drops every connection, listens again on the same port
        await until(lambda: bool(reconnects) and open_streams(server) == 1)
        after = await gq.submit("echo", 2, tags={"m": marker})
    finally:
        events = await feed.finish()
    assert [(e.event_type, e.job_id) for e in events] == [
        ("connected", None),
        ("job.created", before.id),
        ("job.created", after.id),
    ]
    # The first reconnection may hit the server while it restarts and be refused (a second
    # hook call, with backoff); the stream carries on either way.
    assert reconnects
    assert reconnects[0].attempt == 1
    assert all(isinstance(r.error, APIConnectionError) for r in reconnects)
    # One request per (re)connection; one refused while the server restarted never arrived.
    assert 2 <= server.faults.hits("GET", EVENTS_PATH) <= 1 + len(reconnects)


@pytest.mark.needs_embedded("a server with an API key")
async def test_401_ends_the_stream_with_authentication_error(
    client_kind: str,
    embedded_server_factory: Callable[..., DevServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GOPHERQUEUE_API_KEY", raising=False)
    server = embedded_server_factory(api_key="s3cret")
    keyless = Api(make_client(client_kind, server.url))
    try:
        feed = keyless.feed(keyless.client.events(), stop_when=lambda e: True)
        with pytest.raises(AuthenticationError) as info:
            await feed.started()
        assert info.value.status_code == 401
        assert server.faults.hits("GET", EVENTS_PATH) == 1  # no reconnection attempts
    finally:
        await keyless.close()

    keyed = Api(make_client(client_kind, server.url, api_key="s3cret"))
    try:
        feed = keyed.feed(keyed.client.events(), stop_when=lambda e: True)
        await feed.started()
        events = await feed.finish()
        assert [e.event_type for e in events] == ["connected"]
    finally:
        await keyed.close()
