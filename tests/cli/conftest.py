"""The embedded server for the command's tests: one per session, requiring the test key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gopherqueue.testing import DevServer

from ._support import SECRET


@pytest.fixture(scope="session")
def _cli_server() -> Iterator[DevServer]:
    with DevServer(api_key=SECRET) as server:
        yield server


@pytest.fixture
def server(_cli_server: DevServer) -> DevServer:
    """The session's key-protected server, reset: no jobs, faults, requests or handlers."""
    _cli_server.reset()
    return _cli_server
