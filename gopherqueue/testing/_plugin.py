"""pytest plugin (entry point ``gopherqueue``): an embedded GopherQueue server and clients.

Fixtures:

``gopherqueue_server``
    A :class:`~gopherqueue.testing.DevServer` shared by the whole session and ``reset()``
    before each test, so every test starts with no jobs, no faults and only the built-in
    handlers. Register handlers with ``gopherqueue_server.register("type", fn)``.
``gopherqueue_client``
    A ``gopherqueue.GopherQueueSync`` pointed at the server, closed after the test.
``gopherqueue_async_client``
    A ``gopherqueue.GopherQueue`` pointed at the server, ``aclose()``-d after the test (needs
    an async test runner such as pytest-asyncio or anyio).

This module is loaded by every pytest run in an environment where ``gopherqueue`` is installed,
with or without the ``testing`` extra, so it imports nothing heavy at import time: the server
(starlette, uvicorn) and the clients are imported inside the fixtures.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from gopherqueue import GopherQueue, GopherQueueSync

    from ._server import DevServer

__all__ = [
    "gopherqueue_async_client",
    "gopherqueue_client",
    "gopherqueue_dev_server",
    "gopherqueue_server",
]


def _async_fixture() -> Callable[[Callable[..., Any]], Any]:
    # pytest-asyncio's decorator works in both its strict and auto modes; without it, a plain
    # fixture still works under runners that handle async fixtures themselves (anyio).
    try:
        import pytest_asyncio
    except ImportError:  # pragma: no cover - depends on the user's environment
        return pytest.fixture
    decorator: Callable[[Callable[..., Any]], Any] = pytest_asyncio.fixture
    return decorator


@pytest.fixture(scope="session")
def gopherqueue_dev_server() -> Iterator[DevServer]:
    """The session-wide server behind :func:`gopherqueue_server` (not reset between tests)."""
    from ._server import DevServer

    with DevServer() as server:
        yield server


@pytest.fixture
def gopherqueue_server(gopherqueue_dev_server: DevServer) -> DevServer:
    """The session's server, reset: no jobs, faults, request log or custom handlers."""
    gopherqueue_dev_server.reset()
    return gopherqueue_dev_server


@pytest.fixture
def gopherqueue_client(gopherqueue_server: DevServer) -> Iterator[GopherQueueSync]:
    """A ``gopherqueue.GopherQueueSync`` for the embedded server, closed afterwards."""
    from gopherqueue import GopherQueueSync

    client = GopherQueueSync(gopherqueue_server.url, api_key=gopherqueue_server.api_key)
    try:
        yield client
    finally:
        client.close()


@_async_fixture()
async def gopherqueue_async_client(gopherqueue_server: DevServer) -> AsyncIterator[GopherQueue]:
    """A ``gopherqueue.GopherQueue`` for the embedded server, ``aclose()``-d afterwards."""
    from gopherqueue import GopherQueue

    client = GopherQueue(gopherqueue_server.url, api_key=gopherqueue_server.api_key)
    try:
        yield client
    finally:
        await client.aclose()
