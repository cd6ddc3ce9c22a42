"""Helpers of the end-to-end suite: the server target, the two-client facade, background
event feeds and the embedded server's stream counter."""

from __future__ import annotations

import asyncio
import inspect
import os
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import attrs

from gopherqueue import Event, GopherQueue, GopherQueueSync
from gopherqueue.testing import DevServer

#: Set: the suite targets this server instead of the embedded one.
EXTERNAL_URL = (os.environ.get("GOPHERQUEUE_URL") or "").rstrip("/") or None


@attrs.frozen
class Target:
    """The server under test: its URL, and the embedded server object when there is one."""

    url: str
    server: DevServer | None

    @property
    def embedded(self) -> bool:
        return self.server is not None


def unique(prefix: str) -> str:
    """A value no earlier run used (idempotency keys on a persistent external server)."""
    return f"{prefix}-{uuid.uuid4()}"


def open_streams(server: DevServer) -> int:
    """How many SSE subscribers the embedded server holds right now.

    DevServer has no public counter yet, so this reads the engine's subscriber set on the
    server's own loop (``_call``). A subscriber is registered before the response headers are
    sent and removed once the server sees the client disconnect.
    """
    core: Any = server._core
    return int(server._call(lambda: len(core.engine._subscribers)))


def wait_for_streams(server: DevServer, expected: int, timeout: float = 3.0) -> int:
    """Poll :func:`open_streams` until it equals ``expected`` or ``timeout`` passes; returns
    the last count (a disconnect reaches the server asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        count = open_streams(server)
        if count == expected or time.monotonic() >= deadline:
            return count
        time.sleep(0.02)


class Feed:
    """An ``events()`` stream consumed in the background (a thread for the sync client, a task
    for the async one), so a test can act while subscribed and wait for events with a deadline.

    ``started()`` returns once the first event (``connected``) arrived, i.e. once the server
    has registered the subscription; ``finish()`` returns everything received up to and
    including the first event ``stop_when`` accepts.
    """

    def __init__(self, api: Api, stream: Any, stop_when: Callable[[Event], bool]) -> None:
        self._api = api
        self._stream = stream
        self._stop_when = stop_when
        self.events: list[Event] = []
        self._first = threading.Event()
        self._done = threading.Event()
        self._error: BaseException | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread: threading.Thread | None = None
        self._afirst: asyncio.Event | None = None

    def _take(self, event: Event) -> bool:
        self.events.append(event)
        self._first.set()
        if self._afirst is not None:
            self._afirst.set()
        return self._stop_when(event)

    def _run_sync(self) -> None:
        try:
            for event in self._stream:
                if self._take(event):
                    break
        except BaseException as exc:
            self._error = exc
        finally:
            self._stream.close()
            self._first.set()
            self._done.set()

    async def _run_async(self) -> None:
        try:
            async for event in self._stream:
                if self._take(event):
                    break
        except BaseException as exc:
            self._error = exc
        finally:
            await self._stream.aclose()
            self._first.set()
            if self._afirst is not None:
                self._afirst.set()
            self._done.set()

    async def started(self, timeout: float = 5.0) -> None:
        if self._api.is_async:
            self._afirst = asyncio.Event()
            self._task = asyncio.create_task(self._run_async())
            try:
                await asyncio.wait_for(self._afirst.wait(), timeout)
            except TimeoutError:
                pass
        else:
            self._thread = threading.Thread(target=self._run_sync, daemon=True)
            self._thread.start()
            self._first.wait(timeout)
        if self._error is not None:
            raise self._error
        assert self.events, f"no event within {timeout} s of subscribing"

    async def finish(self, timeout: float = 5.0) -> list[Event]:
        if self._task is not None:
            done, _ = await asyncio.wait({self._task}, timeout=timeout)
            if not done:
                self._task.cancel()
        elif self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                # The stream is blocked reading; closing the pool breaks its connection.
                await self._api.close()
        if self._error is not None:
            raise self._error
        got = [(e.event_type, e.job_id) for e in self.events]
        assert self._done.is_set(), f"the stop event did not arrive within {timeout} s; got {got}"
        return self.events


class Api:
    """One facade over both clients: ``await gq.submit(...)`` calls the sync client directly
    and awaits the async one, so a test body is written once for both."""

    def __init__(self, client: GopherQueueSync | GopherQueue) -> None:
        self.client = client
        self.is_async = isinstance(client, GopherQueue)
        self.kind = "async" if self.is_async else "sync"

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self.client, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            result = method(*args, **kwargs)
            if inspect.isawaitable(result):
                result = await result
            return result

        return call

    async def close(self) -> None:
        if isinstance(self.client, GopherQueue):
            await self.client.aclose()
        else:
            self.client.close()

    async def collect(self, stream: Any, limit: int = 1000) -> list[Any]:
        """Everything a finite stream (``watch()``) yields."""
        items: list[Any] = []
        if self.is_async:
            async with stream:
                async for item in stream:
                    items.append(item)
                    if len(items) >= limit:
                        break
        else:
            with stream:
                for item in stream:
                    items.append(item)
                    if len(items) >= limit:
                        break
        return items

    def feed(self, stream: Any, stop_when: Callable[[Event], bool]) -> Feed:
        return Feed(self, stream, stop_when)


def make_client(kind: str, url: str, **options: Any) -> GopherQueueSync | GopherQueue:
    """The client of ``kind``: ``sync``, ``async`` (the default backend) or ``async-httpx``."""
    if kind == "async":
        return GopherQueue(url, **options)
    if kind == "async-httpx":
        return GopherQueue(url, http_backend="httpx", **options)
    return GopherQueueSync(url, **options)
