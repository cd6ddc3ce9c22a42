"""Fixtures for the client unit tests; the doubles they use live in ``fakes.py``.

* ``server``: a :class:`~tests.unit.fakes.FakeServer` (an ``httpx.MockTransport`` handler).
* ``make_client`` / ``gq``: the SYNC and the ASYNC client over that server, the async one on
  each backend (the aiohttp driver through ``fakes.AiohttpBridge``). Every test using them
  runs once per client and backend, with identical assertions (see ``fakes.call``).
* ``clock``: the SDK's pauses and deadlines on a virtual clock, so no test really sleeps.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

import gopherqueue._client
import gopherqueue._fanout
import gopherqueue._operations
import gopherqueue._retry
from gopherqueue import GopherQueue, GopherQueueSync
from gopherqueue._aiohttp import Session
from tests.unit.fakes import (
    BASE_URL,
    AiohttpBridge,
    Client,
    FakeServer,
    FakeTimeModule,
    VirtualClock,
)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> VirtualClock:
    """Make the SDK's pauses and deadlines virtual (and record the pauses)."""
    virtual = VirtualClock()
    fake_time = FakeTimeModule(virtual)
    monkeypatch.setattr(gopherqueue._operations, "time", fake_time)
    monkeypatch.setattr(gopherqueue._fanout, "time", fake_time)
    monkeypatch.setattr(gopherqueue._retry, "time", fake_time)
    # The drivers pause with time.sleep / asyncio.sleep.
    monkeypatch.setattr(time, "sleep", virtual.sleep)
    real_async_sleep = asyncio.sleep

    async def fake_async_sleep(seconds: float, result: Any = None) -> Any:
        virtual.sleep(seconds)
        await real_async_sleep(0)
        return result

    monkeypatch.setattr(asyncio, "sleep", fake_async_sleep)
    return virtual


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


@pytest.fixture(params=["sync", "async", "async-aiohttp"])
def kind(request: pytest.FixtureRequest) -> str:
    """Which client a test runs with; tests using ``make_client``/``gq`` run with each: the
    sync client, and the async client on each backend (httpx, aiohttp), so no backend drifts."""
    param: str = request.param
    return param


@pytest.fixture
def make_client(
    kind: str, server: FakeServer, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Client]]:
    """Build the client of ``kind`` over ``server``; keyword arguments go to the client."""
    opened: list[httpx.Client] = []
    if kind == "async-aiohttp":
        bridge = AiohttpBridge(server)
        monkeypatch.setattr(
            gopherqueue._client, "_new_session", lambda verify, url: Session(bridge, None, None)
        )

    def make(url: str = BASE_URL, **kwargs: Any) -> Client:
        transport = httpx.MockTransport(server)
        if kind == "sync":
            http = httpx.Client(transport=transport)
            opened.append(http)
            return GopherQueueSync(url, http_client=http, **kwargs)
        if kind == "async-aiohttp":
            return GopherQueue(url, http_backend="aiohttp", **kwargs)
        return GopherQueue(url, http_client=httpx.AsyncClient(transport=transport), **kwargs)

    yield make
    for http in opened:
        http.close()


@pytest.fixture
def gq(make_client: Callable[..., Client]) -> Client:
    """The client of the current ``kind`` with default options and an API key."""
    return make_client(api_key="secret-key")
