"""End-to-end fixtures: both clients over real sockets, against the embedded server or, when
``GOPHERQUEUE_URL`` is set, against that server (e.g. a real ``gq serve``).

* ``target``: where the tests go (:class:`Target`: ``url``, and ``server`` when embedded).
* ``server``: the embedded :class:`~gopherqueue.testing.DevServer`, reset before the test.
  Tests that need it (custom handlers, auth, fault injection, a short write timeout) carry
  ``@pytest.mark.needs_embedded("why")`` and are skipped, with that reason, when the suite
  targets an external server.
* ``gq``: the SYNC and the ASYNC client behind one awaitable facade (:class:`Api`); every test
  using it runs once per client with the same assertions, the async client once per backend
  (``async``: the default, aiohttp; ``async-httpx``), so no backend drifts.

Against an external server, tests use only what upstream ``gq serve`` can finish: ``echo``,
``sleep`` with payload ``0`` and ``error`` with ``max_attempts=1`` (its automatic retries never
run: docs/protocol.md §7), never assume an empty server, and clean up what they can.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from gopherqueue.testing import DevServer

from ._support import EXTERNAL_URL, Api, Target, make_client


def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("needs_embedded")
    if marker is not None and EXTERNAL_URL is not None:
        why = marker.args[0] if marker.args else "embedded-only features"
        pytest.skip(
            f"needs the embedded server ({why}); GOPHERQUEUE_URL={EXTERNAL_URL} targets an "
            "external server"
        )


@pytest.fixture
def target(request: pytest.FixtureRequest) -> Target:
    if EXTERNAL_URL is not None:
        return Target(url=EXTERNAL_URL, server=None)
    server: DevServer = request.getfixturevalue("gopherqueue_server")
    return Target(url=server.url, server=server)


@pytest.fixture
def server(target: Target) -> DevServer:
    if target.server is None:  # a test forgot its needs_embedded marker
        pytest.skip("needs the embedded server; GOPHERQUEUE_URL targets an external server")
    return target.server


@pytest.fixture(params=["sync", "async", "async-httpx"])
def client_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
async def gq(client_kind: str, target: Target) -> AsyncIterator[Api]:
    api = Api(make_client(client_kind, target.url))
    try:
        yield api
    finally:
        await api.close()


@pytest.fixture
def embedded_server_factory() -> Iterator[Callable[..., DevServer]]:
    """Start extra DevServers with custom options (write timeout, api key, workers); each is
    stopped after the test."""
    started: list[DevServer] = []

    def start(**options: Any) -> DevServer:
        server = DevServer(**options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
