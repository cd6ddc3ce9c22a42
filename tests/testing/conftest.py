"""Fixtures for the embedded server's own tests: one shared server, reset before each test.

Tests talk to it with plain httpx over real sockets on 127.0.0.1. The shared server uses a
short write timeout and keepalive so the timing behaviours can be observed in seconds.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from gopherqueue.testing import DevServer

from ._helpers import KEEPALIVE, WRITE_TIMEOUT


@pytest.fixture(scope="session")
def shared_server() -> Iterator[DevServer]:
    """One server for the whole session (not reset; use ``server``)."""
    with DevServer(
        write_timeout=WRITE_TIMEOUT, keepalive_interval=KEEPALIVE, retry_backoff=0.05
    ) as srv:
        yield srv


@pytest.fixture
def server(shared_server: DevServer) -> DevServer:
    """The shared server, reset: no jobs, faults or custom handlers."""
    shared_server.reset()
    return shared_server


@pytest.fixture(scope="session")
def shared_client(shared_server: DevServer) -> Iterator[httpx.Client]:
    """One httpx client for the session (creating one costs ~50 ms of TLS setup)."""
    with httpx.Client(base_url=shared_server.url, timeout=10.0) as c:
        yield c


@pytest.fixture
def client(server: DevServer, shared_client: httpx.Client) -> httpx.Client:
    """A plain httpx client for the (reset) shared server."""
    return shared_client
