"""Fixtures for the reliability suite (helpers are in helpers.py).

* ``server``: an embedded :class:`~gopherqueue.testing.DevServer` (real sockets, its own thread,
  2 workers), shared by the session and reset before each test; ``gate`` registers the
  :class:`~tests.reliability.helpers.Gate` job type and opens it at teardown.
* ``kind`` / ``make_client`` / ``client``: every test using them runs once with
  ``GopherQueueSync`` and once with ``GopherQueue``.
* ``scenarios``: the per-scenario job counts, written as JSON to the path in the
  ``GQ_RELIABILITY_REPORT`` environment variable (if set) when the session ends. Render them
  with ``python -m tests.reliability.report <file>``.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from gopherqueue import GopherQueue, GopherQueueSync
from gopherqueue.testing import DevServer
from tests.reliability.helpers import FAST, Client, Gate, ScenarioLog


@pytest.fixture(scope="session")
def _session_server() -> Iterator[DevServer]:
    with DevServer(workers=2) as srv:
        yield srv


@pytest.fixture
def server(_session_server: DevServer) -> Iterator[DevServer]:
    _session_server.reset()
    yield _session_server
    _session_server.faults.clear()


@pytest.fixture
def gate(server: DevServer) -> Iterator[Gate]:
    g = Gate()
    server.register("gate", g)
    yield g
    g.open()


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    param: str = request.param
    return param


@pytest.fixture
async def make_client(kind: str, server: DevServer) -> AsyncIterator[Callable[..., Client]]:
    """Build the client of ``kind`` for ``server``; keyword arguments go to the client
    (``retry`` defaults to :data:`FAST`)."""
    made: list[Client] = []

    def make(**kwargs: Any) -> Client:
        kwargs.setdefault("retry", FAST)
        client: Client = (
            GopherQueueSync(server.url, **kwargs)
            if kind == "sync"
            else GopherQueue(server.url, **kwargs)
        )
        made.append(client)
        return client

    yield make
    for client in made:
        if isinstance(client, GopherQueue):
            await client.aclose()
        else:
            client.close()


@pytest.fixture
def client(make_client: Callable[..., Client]) -> Client:
    return make_client()


@pytest.fixture(scope="session")
def _scenario_log() -> Iterator[ScenarioLog]:
    log = ScenarioLog()
    yield log
    path = os.environ.get("GQ_RELIABILITY_REPORT")
    if path:
        rows = sorted(log.rows, key=lambda r: (r["scenario"], r["client"]))
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(rows, fh, indent=2)
            fh.write("\n")


@pytest.fixture
def scenarios(_scenario_log: ScenarioLog) -> ScenarioLog:
    return _scenario_log
