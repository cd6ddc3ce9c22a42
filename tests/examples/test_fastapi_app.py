"""examples/fastapi_app: the guide's app (``main.py``, with ``@app.on_event``) and its
``lifespan`` variant (``main_lifespan.py``), through FastAPI's TestClient, against the
embedded server. Every route test runs against both apps."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import aiohttp
import httpx
import pytest
from fastapi.testclient import TestClient

from gopherqueue import GopherQueue, GopherQueueSync
from gopherqueue.testing import DevServer, JobContext

from ._helpers import EXAMPLES, Recorder, load_module, refused_url, wait_for

APP_DIR = EXAMPLES / "fastapi_app"


class AsyncCalls:
    """Records which async-client methods ran (the real methods still run)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str] = []
        for name in ("submit", "get", "wait", "aclose"):
            real = getattr(GopherQueue, name)

            def spy(
                self_: GopherQueue, *args: Any, _real: Any = real, _name: str = name, **kw: Any
            ) -> Any:
                self.names.append(_name)
                return _real(self_, *args, **kw)

            monkeypatch.setattr(GopherQueue, name, spy)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> AsyncCalls:
    return AsyncCalls(monkeypatch)


@pytest.fixture(params=["main", "main_lifespan"])
def client(
    request: pytest.FixtureRequest,
    gopherqueue_server: DevServer,
    monkeypatch: pytest.MonkeyPatch,
    calls: AsyncCalls,
) -> Iterator[TestClient]:
    monkeypatch.setenv("GOPHERQUEUE_URL", gopherqueue_server.url)
    path = APP_DIR / f"{request.param}.py"
    if request.param == "main":
        # The guide's @app.on_event("startup") still works, but FastAPI deprecates it.
        with pytest.warns(DeprecationWarning, match="on_event is deprecated"):
            module = load_module(path, "fastapi_example_main")
    else:
        module = load_module(path, "fastapi_example_lifespan")
    with TestClient(module.app) as test_client:
        yield test_client
        if request.param == "main":
            # The guide's app never closes its module-level client; close it on the loop it
            # used, as a shutdown handler would.
            test_client.portal.call(module.queue.aclose)


def test_create_job_submits_a_real_job(
    client: TestClient,
    gopherqueue_server: DevServer,
    gopherqueue_client: GopherQueueSync,
    calls: AsyncCalls,
) -> None:
    recorder = Recorder({"thumbnail": "cat-128.png"})
    gopherqueue_server.register("resize_image", recorder)

    response = client.post(
        "/api/jobs", params={"job_type": "resize_image"}, json={"image": "cat.png", "size": 128}
    )

    assert response.status_code == 200
    job_id = response.json()["job_id"]
    stored = gopherqueue_server.get_job(job_id)
    assert stored is not None
    assert stored["type"] == "resize_image"
    assert gopherqueue_server.job_count() == 1
    assert gopherqueue_client.wait(job_id, timeout=5).success
    assert recorder.payloads == [{"image": "cat.png", "size": 128}]
    assert calls.names == ["submit"]


def test_get_job_reports_state_and_progress(
    client: TestClient,
    gopherqueue_server: DevServer,
    gopherqueue_client: GopherQueueSync,
    calls: AsyncCalls,
) -> None:
    started, release = threading.Event(), threading.Event()

    def transcode(ctx: JobContext) -> None:
        ctx.report_progress(25)
        started.set()
        release.wait(10)

    gopherqueue_server.register("transcode", transcode)
    job = gopherqueue_client.submit("transcode", {"file": "a.mov"})
    try:
        assert started.wait(5)
        assert wait_for(lambda: (gopherqueue_server.get_job(job.id) or {}).get("progress") == 25)
        running = client.get(f"/api/jobs/{job.id}")
    finally:
        release.set()
    assert running.status_code == 200
    assert running.json() == {"state": "running", "progress": 25.0}
    assert gopherqueue_client.wait(job.id, timeout=5).success
    assert client.get(f"/api/jobs/{job.id}").json() == {"state": "completed", "progress": 25.0}
    assert calls.names == ["get", "get"]


def test_wait_route_reports_success(
    client: TestClient, gopherqueue_server: DevServer, calls: AsyncCalls
) -> None:
    gopherqueue_server.register("ok", Recorder())
    ok = client.post("/api/jobs", params={"job_type": "ok"}, json={}).json()["job_id"]

    response = client.get(f"/api/jobs/{ok}/wait", params={"timeout": 5})

    assert response.json() == {"completed": True, "success": True}
    assert calls.names == ["submit", "wait"]


def test_wait_route_reports_failure(client: TestClient, gopherqueue_server: DevServer) -> None:
    # No handler for this type: like the real server, the job fails (permanent error).
    job_id = client.post("/api/jobs", params={"job_type": "no_such_type"}, json={}).json()["job_id"]

    response = client.get(f"/api/jobs/{job_id}/wait", params={"timeout": 5})

    assert response.json() == {"completed": True, "success": False}
    stored = gopherqueue_server.get_job(job_id)
    assert stored is not None
    assert stored["state"] == "failed"


def test_wait_route_times_out(client: TestClient, gopherqueue_server: DevServer) -> None:
    release = threading.Event()
    gopherqueue_server.register("slow", lambda ctx: release.wait(10))
    job_id = client.post("/api/jobs", params={"job_type": "slow"}, json={}).json()["job_id"]
    try:
        response = client.get(f"/api/jobs/{job_id}/wait", params={"timeout": 1})
    finally:
        release.set()
    assert response.json() == {"completed": False, "success": False}


def test_lifespan_app_closes_its_client_on_shutdown(
    gopherqueue_server: DevServer, monkeypatch: pytest.MonkeyPatch, calls: AsyncCalls
) -> None:
    monkeypatch.setenv("GOPHERQUEUE_URL", gopherqueue_server.url)
    module = load_module(APP_DIR / "main_lifespan.py", "fastapi_example_lifespan")
    gopherqueue_server.register("ok", Recorder())

    # The default async backend is aiohttp; an httpx pool would be closed through aclose.
    closed: list[object] = []
    real_aclose = httpx.AsyncClient.aclose
    real_close = aiohttp.ClientSession.close

    async def record_aclose(self: httpx.AsyncClient) -> None:
        closed.append(self)
        await real_aclose(self)

    async def record_close(self: aiohttp.ClientSession) -> None:
        closed.append(self)
        await real_close(self)

    monkeypatch.setattr(httpx.AsyncClient, "aclose", record_aclose)
    monkeypatch.setattr(aiohttp.ClientSession, "close", record_close)

    with TestClient(module.app) as client:
        queue = module.app.state.queue
        assert isinstance(queue, GopherQueue)
        assert queue.url == gopherqueue_server.url
        assert client.post("/api/jobs", params={"job_type": "ok"}, json={}).status_code == 200
        assert calls.names == ["submit"]
        assert closed == []

    assert calls.names == ["submit", "aclose"]
    # The SDK closed the one session it had opened for the request.
    assert len(closed) == 1
    assert isinstance(closed[0], aiohttp.ClientSession)
    assert closed[0].closed


def test_get_unknown_job_is_a_404(client: TestClient) -> None:
    response = client.get("/api/jobs/00000000-0000-4000-8000-000000000000")

    assert response.status_code == 404
    assert response.json() == {"error": "job not found"}


def test_get_malformed_job_id_is_a_400(client: TestClient) -> None:
    response = client.get("/api/jobs/not-a-uuid")

    assert response.status_code == 400
    assert "job_id must be a UUID" in response.json()["error"]


@pytest.mark.parametrize("app_name", ["main", "main_lifespan"])
def test_unreachable_queue_is_a_503(app_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOPHERQUEUE_URL", refused_url())
    if app_name == "main":
        with pytest.warns(DeprecationWarning, match="on_event is deprecated"):
            module = load_module(APP_DIR / "main.py", "fastapi_example_refused")
    else:
        module = load_module(APP_DIR / "main_lifespan.py", "fastapi_example_refused_lifespan")

    with TestClient(module.app) as client:
        response = client.get("/api/jobs/00000000-0000-4000-8000-000000000000")
        if app_name == "main":
            client.portal.call(module.queue.aclose)

    assert response.status_code == 503
    assert response.json() == {"error": "the job queue is unreachable"}
