"""The guide's async view (myapp/async_views.py) uses the module-level async client.

Two ways Django runs it: Django's AsyncClient calls it on the test's event loop (as an ASGI
server would), the sync test client runs it in a fresh event loop per request (as runserver
and other WSGI servers do)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import AsyncClient, Client

from gopherqueue import GopherQueue
from gopherqueue.testing import DevServer

from .._helpers import Recorder, wait_for


@pytest.fixture
def submits(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The payloads GopherQueue.submit (the async client) was called with; the calls go through."""
    seen: list[Any] = []
    real = GopherQueue.submit

    async def spy(self: GopherQueue, job_type: str, payload: Any = None, **options: Any) -> Any:
        seen.append(payload)
        return await real(self, job_type, payload, **options)

    monkeypatch.setattr(GopherQueue, "submit", spy)
    return seen


@pytest.fixture
def process_item(gopherqueue_server: DevServer) -> Recorder:
    recorder = Recorder()
    gopherqueue_server.register("process_item", recorder)
    return recorder


@pytest.fixture
def app_async_client() -> GopherQueue:
    """myapp.queue.async_client. Not closed here: the guide's module never closes it, and a
    closed client stays closed (the later tests use it too). Its pool on this test's loop is
    dropped when the client is next used in another loop, and the session's teardown closes
    it (conftest.py)."""
    from myapp.queue import async_client

    return async_client


async def test_async_view_on_the_event_loop(
    async_client: AsyncClient,
    app_async_client: GopherQueue,
    gopherqueue_server: DevServer,
    process_item: Recorder,
    submits: list[Any],
) -> None:
    response = await async_client.post("/items/process/", {"item_ids": ["a-1", "b-2"]})

    assert response.status_code == 200
    queued = response.json()["queued_jobs"]
    jobs = gopherqueue_server.jobs()
    assert [job["id"] for job in jobs] == queued
    assert {job["type"] for job in jobs} == {"process_item"}
    assert submits == [{"item_id": "a-1"}, {"item_id": "b-2"}]
    assert wait_for(lambda: len(process_item.payloads) == 2)
    assert sorted(p["item_id"] for p in process_item.payloads) == ["a-1", "b-2"]


def test_async_view_under_wsgi(
    client: Client, gopherqueue_server: DevServer, process_item: Recorder, submits: list[Any]
) -> None:
    # Each request runs the view in a new event loop; the client must not reuse connections
    # from the previous (closed) loop.
    first = client.post("/items/process/", {"item_ids": ["x"]})
    second = client.post("/items/process/", {"item_ids": ["y", "z"]})

    assert (first.status_code, second.status_code) == (200, 200)
    queued = first.json()["queued_jobs"] + second.json()["queued_jobs"]
    assert [job["id"] for job in gopherqueue_server.jobs()] == queued
    assert submits == [{"item_id": "x"}, {"item_id": "y"}, {"item_id": "z"}]


def test_async_view_without_items(client: Client, gopherqueue_server: DevServer) -> None:
    response = client.post("/items/process/", {})

    assert response.json() == {"queued_jobs": []}
    assert gopherqueue_server.job_count() == 0
