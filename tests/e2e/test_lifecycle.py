"""Closing clients and streams from other threads, and one async client in several event loops
(issue 12 items 8, 9, 14 and 15), over real sockets against the embedded server."""

from __future__ import annotations

import asyncio
import threading
import time
import warnings
from typing import Any

import pytest

from gopherqueue import ClientClosedError, GopherQueue, GopherQueueSync
from gopherqueue.testing import DevServer, JobContext

from ._support import open_streams, wait_for_streams

JOIN = 30.0  # only a bound on a hang; each test ends as soon as its signal arrives


class Reader(threading.Thread):
    """Iterates a sync stream in its own thread, recording what it got and how it ended."""

    def __init__(self, stream: Any) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.first = threading.Event()
        self.items: list[Any] = []
        self.error: BaseException | None = None
        self.ended = False

    def run(self) -> None:
        try:
            for item in self.stream:
                self.items.append(item)
                self.first.set()
            self.ended = True
        except BaseException as exc:  # what the reader thread would see, kept for the assertion
            self.error = exc
        finally:
            self.first.set()


@pytest.mark.needs_embedded("counts the server's open event streams")
@pytest.mark.parametrize("closer", ["stream", "client"])
def test_sync_events_stop_when_closed_from_another_thread(server: DevServer, closer: str) -> None:
    client = GopherQueueSync(server.url)
    stream = client.events()
    reader = Reader(stream)
    reader.start()
    assert reader.first.wait(JOIN)  # the `connected` event: the reader now blocks on the socket
    assert open_streams(server) == 1

    if closer == "stream":
        stream.close()
    else:
        client.close()
    reader.join(JOIN)

    assert not reader.is_alive()
    assert reader.error is None, repr(reader.error)
    assert reader.ended
    assert [event.event_type for event in reader.items] == ["connected"]
    assert wait_for_streams(server, 0) == 0
    stream.close()  # closing again is harmless
    client.close()


@pytest.mark.needs_embedded("holds a job until the test releases it")
def test_sync_watch_stops_when_the_client_closes(server: DevServer) -> None:
    release = threading.Event()

    def held(ctx: JobContext) -> None:
        release.wait(JOIN)

    server.register("held-watch", held)
    client = GopherQueueSync(server.url)
    job = client.submit("held-watch")
    reader = Reader(client.watch(job.id, poll_interval=0.2))
    reader.start()
    assert reader.first.wait(JOIN)
    client.close()
    reader.join(JOIN)
    release.set()
    assert not reader.is_alive()
    assert reader.error is None, repr(reader.error)
    assert reader.ended


@pytest.mark.needs_embedded("holds a job until the test releases it")
def test_close_while_other_threads_are_mid_request(server: DevServer) -> None:
    release = threading.Event()
    started = threading.Semaphore(0)

    def held(ctx: JobContext) -> None:
        started.release()
        release.wait(JOIN)

    server.register("held-close", held)
    # A close does not cut a sync request in flight (httpx cannot wake a blocked read): each
    # wait sees it at its next long-poll, one chunk later.
    client = GopherQueueSync(server.url, wait_chunk=0.5)
    job_ids = [client.submit("held-close").id for _ in range(4)]
    outcomes: list[BaseException | None] = [None] * len(job_ids)
    in_flight = threading.Barrier(len(job_ids) + 1)

    def waiter(index: int) -> None:
        in_flight.wait(JOIN)
        try:
            client.wait(job_ids[index], timeout=JOIN)
        except BaseException as exc:
            outcomes[index] = exc

    threads = [threading.Thread(target=waiter, args=(i,), daemon=True) for i in range(4)]
    for thread in threads:
        thread.start()
    for _ in job_ids:
        assert started.acquire(timeout=JOIN)  # every job is running, so every wait long-polls
    in_flight.wait(JOIN)
    # Every long-poll has reached the server (its wait registered a wake-up for the job).
    core: Any = server._core
    deadline = time.monotonic() + JOIN
    while not set(job_ids) <= server._call(lambda: set(core.engine._changed)):
        assert time.monotonic() < deadline, "the long-polls never reached the server"
        time.sleep(0.01)
    client.close()
    for thread in threads:
        thread.join(JOIN)
    release.set()

    assert not any(thread.is_alive() for thread in threads)
    # A long-poll the close cut ends typed: never a transport error retried into httpx's
    # "Cannot send a request, as the client has been closed" RuntimeError.
    for outcome in outcomes:
        assert isinstance(outcome, ClientClosedError), repr(outcome)
    with pytest.raises(ClientClosedError):
        client.get(job_ids[0])


@pytest.mark.parametrize("backend", ["aiohttp", "httpx"])
def test_async_client_closed_in_another_event_loop(server: DevServer, backend: Any) -> None:
    client = GopherQueue(server.url, http_backend=backend)
    assert asyncio.run(client.live())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "Unclosed client session" either
        asyncio.run(client.aclose())  # its pool's loop is gone: dropped, not an error

    async def after_close() -> None:
        with pytest.raises(ClientClosedError):
            await client.live()

    asyncio.run(after_close())


@pytest.mark.parametrize("backend", ["aiohttp", "httpx"])
def test_one_async_client_in_several_live_loops_makes_one_pool_each(
    server: DevServer, backend: Any
) -> None:
    client = GopherQueue(server.url, http_backend=backend)
    pool: Any = client._sessions if backend == "aiohttp" else client._pool
    made: list[object] = []
    factory = pool._factory

    def counting() -> object:
        made.append(factory())
        return made[-1]

    pool._factory = counting
    threads_n, calls = 4, 50
    all_running = threading.Barrier(threads_n)
    done = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    async def work() -> None:
        all_running.wait(JOIN)  # every loop is alive at once: none replaces another's pool
        for _ in range(calls):
            assert await client.live()
        done.wait(JOIN)

    def thread_main() -> None:
        try:
            asyncio.run(work())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=thread_main, daemon=True) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN)

    assert errors == []
    assert len(made) == threads_n
    assert len(pool._entries) == threads_n
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        asyncio.run(client.aclose())  # the four loops have closed: their pools are dropped
    assert pool._entries == {}
