"""The guide's management command (``manage.py job_status <id>``) and its Celery-migration
snippet (myapp/celery_migration.py)."""

from __future__ import annotations

import importlib
import io
import sys
import threading

import pytest
from django.core.management import call_command

from gopherqueue import GopherQueueSync, JobNotFoundError
from gopherqueue.testing import DevServer, JobContext

from .._helpers import Recorder, wait_for


def job_status(job_id: str) -> list[str]:
    out = io.StringIO()
    call_command("job_status", job_id, stdout=out)
    return out.getvalue().splitlines()


def test_job_status_of_a_finished_job(
    gopherqueue_server: DevServer, gopherqueue_client: GopherQueueSync
) -> None:
    def render(ctx: JobContext) -> dict[str, str]:
        ctx.report_progress(100, "done")
        return {"pages": "12"}

    gopherqueue_server.register("render", render)
    job = gopherqueue_client.submit("render", {"doc": 1})
    assert gopherqueue_client.wait(job.id, timeout=5).success
    result = gopherqueue_client.get(job.id).result
    assert result is not None

    lines = job_status(job.id)

    assert lines == [
        f"Job: {job.id}",
        "State: completed",
        "Progress: 100.0%",
        f"Result: {result}",
    ]
    assert "'output': {'pages': '12'}" in lines[3]


def test_job_status_of_a_running_job(
    gopherqueue_server: DevServer, gopherqueue_client: GopherQueueSync
) -> None:
    started, release = threading.Event(), threading.Event()

    def export(ctx: JobContext) -> None:
        ctx.report_progress(30)
        started.set()
        release.wait(10)

    gopherqueue_server.register("export", export)
    job = gopherqueue_client.submit("export", {})
    try:
        assert started.wait(5)
        assert wait_for(lambda: (gopherqueue_server.get_job(job.id) or {}).get("progress") == 30)
        lines = job_status(job.id)
    finally:
        release.set()

    assert lines == [f"Job: {job.id}", "State: running", "Progress: 30.0%"]


def test_job_status_of_an_unknown_job(gopherqueue_server: DevServer) -> None:
    # The guide's command does not catch it: the SDK's error surfaces (a traceback in a shell).
    with pytest.raises(JobNotFoundError):
        job_status("00000000-0000-4000-8000-000000000000")


def test_celery_migration_snippet_submits_send_email(gopherqueue_server: DevServer) -> None:
    send_email = Recorder()
    gopherqueue_server.register("send_email", send_email)
    sys.modules.pop("myapp.celery_migration", None)
    try:
        importlib.import_module("myapp.celery_migration")  # the snippet is module-level code
    finally:
        sys.modules.pop("myapp.celery_migration", None)

    [job] = gopherqueue_server.jobs()
    assert job["type"] == "send_email"
    assert wait_for(lambda: send_email.payloads)
    assert send_email.payloads == [{"user_id": 123, "template": "welcome"}]
