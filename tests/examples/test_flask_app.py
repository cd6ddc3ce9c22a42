"""examples/flask_app: the guide's Flask app, through Flask's test client, against the
embedded server (the app reads GOPHERQUEUE_URL when its module is loaded)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from types import ModuleType

import pytest
from flask.testing import FlaskClient

from gopherqueue import GopherQueueSync
from gopherqueue.testing import DevServer, JobContext

from ._helpers import EXAMPLES, Recorder, load_module, refused_url, wait_for


@pytest.fixture
def flask_module(
    gopherqueue_server: DevServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ModuleType]:
    monkeypatch.setenv("GOPHERQUEUE_URL", gopherqueue_server.url)
    module = load_module(EXAMPLES / "flask_app" / "app.py", "flask_example_app")
    module.app.testing = True  # exceptions propagate to the test instead of becoming 500s
    yield module
    module.queue.close()


@pytest.fixture
def client(flask_module: ModuleType) -> FlaskClient:
    return flask_module.app.test_client()


def test_create_job_submits_a_real_job(
    client: FlaskClient, gopherqueue_server: DevServer, gopherqueue_client: GopherQueueSync
) -> None:
    recorder = Recorder({"rendered": "invoice-7.pdf"})
    gopherqueue_server.register("render_invoice", recorder)

    response = client.post("/api/jobs", json={"type": "render_invoice", "payload": {"id": 7}})

    assert response.status_code == 200
    job_id = response.get_json()["job_id"]
    stored = gopherqueue_server.get_job(job_id)
    assert stored is not None
    assert stored["type"] == "render_invoice"
    outcome = gopherqueue_client.wait(job_id, timeout=5)
    assert outcome.success
    assert recorder.payloads == [{"id": 7}]
    assert gopherqueue_server.job_count() == 1


def test_get_job_reports_state_and_progress(
    client: FlaskClient, gopherqueue_server: DevServer, gopherqueue_client: GopherQueueSync
) -> None:
    started, release = threading.Event(), threading.Event()

    def export(ctx: JobContext) -> None:
        ctx.report_progress(40, "halfway")
        started.set()
        release.wait(10)

    gopherqueue_server.register("export", export)
    job = gopherqueue_client.submit("export", {})
    try:
        assert started.wait(5)
        # report_progress is applied on the server's loop; wait until it is visible.
        assert wait_for(lambda: (gopherqueue_server.get_job(job.id) or {}).get("progress") == 40)

        running = client.get(f"/api/jobs/{job.id}")
        assert running.status_code == 200
        assert running.get_json() == {"state": "running", "progress": 40.0}
    finally:
        release.set()
    assert gopherqueue_client.wait(job.id, timeout=5).success

    done = client.get(f"/api/jobs/{job.id}")
    assert done.get_json()["state"] == "completed"


def test_get_unknown_job_is_a_404(client: FlaskClient) -> None:
    response = client.get("/api/jobs/00000000-0000-4000-8000-000000000000")

    assert response.status_code == 404
    assert response.get_json() == {"error": "job not found"}


def test_get_malformed_job_id_is_a_400(client: FlaskClient) -> None:
    response = client.get("/api/jobs/not-a-uuid")

    assert response.status_code == 400
    assert "job_id must be a UUID" in response.get_json()["error"]


def test_unreachable_queue_is_a_503(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOPHERQUEUE_URL", refused_url())
    module = load_module(EXAMPLES / "flask_app" / "app.py", "flask_example_refused")
    module.queue = module.queue.with_options(max_retries=0)
    try:
        response = module.app.test_client().get("/api/jobs/00000000-0000-4000-8000-000000000000")
    finally:
        module.queue.close()

    assert response.status_code == 503
    assert response.get_json() == {"error": "the job queue is unreachable"}
