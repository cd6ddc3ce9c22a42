"""The guide's synchronous views and status endpoint (myapp/views.py), through Django's test
client, against the embedded server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from gopherqueue import GopherQueueSync, Priority
from gopherqueue.testing import DevServer, PermanentError

from .._helpers import Recorder, refused_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("ada", "ada@example.com", "correct horse")


@pytest.fixture
def logged_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def send_email(gopherqueue_server: DevServer) -> Recorder:
    recorder = Recorder({"delivered": True})
    gopherqueue_server.register("send_email", recorder)
    return recorder


def test_send_welcome_email_submits_a_real_job(
    logged_in: Client,
    user: Any,
    send_email: Recorder,
    gopherqueue_server: DevServer,
    gopherqueue_client: GopherQueueSync,
) -> None:
    response = logged_in.post("/emails/welcome/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "queued"
    assert body["message"] == "Email will be sent shortly"
    [job] = gopherqueue_server.jobs()
    assert job["id"] == body["job_id"]
    assert job["type"] == "send_email"
    assert job["priority"] == Priority.HIGH
    assert gopherqueue_client.wait(job["id"], timeout=5).success
    assert send_email.payloads == [
        {"template": "welcome", "user_id": user.id, "email": "ada@example.com"}
    ]


def test_send_welcome_email_twice_gives_the_same_job(
    logged_in: Client, send_email: Recorder, gopherqueue_server: DevServer
) -> None:
    # The guide's idempotency key ("welcome-<user id>") prevents a second email.
    first = logged_in.post("/emails/welcome/").json()["job_id"]
    second = logged_in.post("/emails/welcome/").json()["job_id"]

    assert first == second
    assert gopherqueue_server.job_count() == 1


def test_views_need_login_and_post(
    client: Client, user: Any, gopherqueue_server: DevServer
) -> None:
    assert client.post("/emails/welcome/").status_code == 302  # to the login page
    assert client.post("/reports/", "{}", content_type="application/json").status_code == 302
    client.force_login(user)
    assert client.get("/emails/welcome/").status_code == 405
    assert client.get("/reports/").status_code == 405
    assert gopherqueue_server.job_count() == 0


def test_generate_report_submits_a_real_job(
    logged_in: Client,
    user: Any,
    gopherqueue_server: DevServer,
    gopherqueue_client: GopherQueueSync,
) -> None:
    reports = Recorder({"url": "/media/reports/weekly.pdf"})
    gopherqueue_server.register("generate_report", reports)

    response = logged_in.post(
        "/reports/",
        json.dumps({"type": "weekly", "filters": {"team": "core"}}),
        content_type="application/json",
    )

    assert response.status_code == 200
    job_id = response.json()["job_id"]
    job = gopherqueue_server.get_job(job_id)
    assert job is not None
    assert (job["type"], job["priority"]) == ("generate_report", Priority.LOW)
    assert gopherqueue_client.wait(job_id, timeout=5).success
    assert reports.payloads == [
        {"report_type": "weekly", "user_id": user.id, "filters": {"team": "core"}}
    ]

    status = logged_in.get(f"/jobs/{job_id}/")

    assert status.status_code == 200
    body = status.json()
    assert (body["id"], body["state"], body["progress"], body["error"]) == (
        job_id,
        "completed",
        0.0,
        None,
    )
    assert body["result"]["success"] is True
    assert body["result"]["output"] == {"url": "/media/reports/weekly.pdf"}
    assert body["result"]["job_id"] == job_id


def test_generate_report_defaults(
    logged_in: Client, gopherqueue_server: DevServer, gopherqueue_client: GopherQueueSync
) -> None:
    reports = Recorder()
    gopherqueue_server.register("generate_report", reports)

    job_id = logged_in.post("/reports/", "{}", content_type="application/json").json()["job_id"]

    assert gopherqueue_client.wait(job_id, timeout=5).success
    assert reports.payloads[0]["report_type"] == "monthly"
    assert reports.payloads[0]["filters"] == {}


def test_job_status_reports_a_failed_job(
    client: Client, gopherqueue_server: DevServer, gopherqueue_client: GopherQueueSync
) -> None:
    def broken(ctx: object) -> None:
        raise PermanentError("renderer crashed")

    gopherqueue_server.register("generate_report", broken)
    job = gopherqueue_client.submit("generate_report", {"report_type": "monthly"})
    assert not gopherqueue_client.wait(job.id, timeout=5).success

    body = client.get(f"/jobs/{job.id}/").json()

    assert body == {
        "id": job.id,
        "state": "failed",
        "progress": 0.0,
        "result": None,
        "error": "renderer crashed",
    }


def test_job_status_of_a_pending_job(client: Client, gopherqueue_client: GopherQueueSync) -> None:
    # Delayed a minute on the embedded server (`gq serve` would run it at once), so the job
    # is unfinished when the view asks.
    job = gopherqueue_client.submit("echo", {}, delay=60)

    body = client.get(f"/jobs/{job.id}/").json()

    assert body["state"] == "delayed"
    assert (body["result"], body["error"]) == (None, None)


def test_job_status_of_an_unknown_job(client: Client) -> None:
    response = client.get("/jobs/00000000-0000-4000-8000-000000000000/")

    assert response.status_code == 404
    assert "job not found" in response.json()["error"]


def test_job_status_of_a_malformed_id_is_a_400(client: Client) -> None:
    response = client.get("/jobs/not-a-uuid/")

    assert response.status_code == 400
    assert "job_id must be a UUID" in response.json()["error"]


def test_job_status_with_the_queue_unreachable_is_a_503(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from myapp import views

    dead = GopherQueueSync(refused_url(), max_retries=0)
    monkeypatch.setattr(views, "sync_client", dead)
    try:
        response = client.get("/jobs/00000000-0000-4000-8000-000000000000/")
    finally:
        dead.close()

    assert response.status_code == 503
    assert response.json() == {"error": "the job queue is unreachable"}
