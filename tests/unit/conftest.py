"""Fixtures for the client unit tests; the doubles they use live in ``fakes.py``.

* ``server``: a :class:`~tests.unit.fakes.FakeServer` (an ``httpx.MockTransport`` handler).
* ``make_client`` / ``gq``: the SYNC and the ASYNC client over that server, the async one on
  each backend (the aiohttp driver through ``fakes.AiohttpBridge``). Every test using them
  runs once per client and backend, with identical assertions (see ``fakes.call``).
* ``clock``: the SDK's pauses and deadlines on a virtual clock, so no test really sleeps. It is
  injected into the clients' settings (their clock and sleeps), not patched into ``time``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import attrs
import httpx
import pytest

import gopherqueue._client
from gopherqueue import GopherQueue, GopherQueueSync
from gopherqueue._aiohttp import Session
from tests.unit.fakes import (
    BASE_URL,
    AiohttpBridge,
    Client,
    FakeServer,
    VirtualClock,
)


@pytest.fixture
def clock() -> VirtualClock:
    """A virtual clock that records the SDK's pauses (``make_client`` injects it)."""
    return VirtualClock()


def on_clock(client: Client, clock: VirtualClock) -> Client:
    """``client`` with its deadlines and pauses on ``clock`` (through its settings)."""
    client._settings = attrs.evolve(  # pyright: ignore[reportPrivateUsage]
        client._settings,  # pyright: ignore[reportPrivateUsage]
        clock=clock.monotonic,
        sleep=clock.sleep,
        async_sleep=clock.async_sleep,
    )
    return client


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
            return on_clock(GopherQueueSync(url, http_client=http, **kwargs), clock)
        if kind == "async-aiohttp":
            return on_clock(GopherQueue(url, http_backend="aiohttp", **kwargs), clock)
        client = GopherQueue(url, http_client=httpx.AsyncClient(transport=transport), **kwargs)
        return on_clock(client, clock)

    yield make
    for http in opened:
        http.close()


@pytest.fixture
def gq(make_client: Callable[..., Client]) -> Client:
    """The client of the current ``kind`` with default options and an API key."""
    return make_client(api_key="secret-key")
