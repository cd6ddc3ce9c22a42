# pyright: reportUnnecessaryTypeIgnoreComment=true
"""Code that mypy --strict and pyright check, never run: the public API's types as users see them.

If a signature or return type changes in a way that breaks typed user code, the type checkers
fail on this file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, assert_type

import gopherqueue
from gopherqueue import (
    BatchResult,
    Event,
    GopherQueue,
    GopherQueueSync,
    Job,
    JobResult,
    JobState,
    Priority,
    QueueStats,
    RetryPolicy,
    WaitResult,
)


def sync_usage(client: GopherQueueSync) -> None:
    job = client.submit("email", {"to": "user@example.com"}, priority=Priority.HIGH, delay="10m")
    assert_type(job, Job)
    assert_type(job.id, str)
    assert_type(job.state, JobState)
    assert_type(job.result, dict[str, Any] | None)
    job = client.submit(
        job_type="report",
        payload=[1, 2],
        priority=3,
        timeout=timedelta(minutes=10),
        scheduled_at=datetime.now(UTC),
        max_attempts=2,
        idempotency_key="k",
        tags={"team": "core"},
    )
    assert_type(client.wait(job.id, timeout=30), WaitResult)
    assert_type(client.wait(job.id, timeout=None).result, JobResult | None)
    assert_type(client.get(job.id), Job)
    assert_type(client.result(job.id).output, bytes)
    assert_type(client.list(state="completed"), list[Job])
    assert_type(client.stats(), QueueStats)
    assert_type(client.submit_batch([{"type": "email"}], atomic=True), BatchResult)
    assert_type(client.delete(job.id), None)
    assert_type(client.ready(), bool)
    for event in client.events(job_types=["email"]):
        assert_type(event, Event)
    for seen in client.watch(job.id):
        assert_type(seen, Job)
    faster = client.with_options(timeout=5, retry=RetryPolicy(max_retries=0))
    assert_type(faster, GopherQueueSync)
    try:
        client.cancel(job.id, force=True)
    except gopherqueue.ConflictError as exc:
        assert_type(exc.status_code, int)
        assert_type(exc.code, str | None)


async def async_usage(client: GopherQueue) -> None:
    job = await client.submit("email", {"to": "user@example.com"})
    assert_type(job, Job)
    assert_type(await client.wait(job.id, timeout=30), WaitResult)
    assert_type(await client.stats(), QueueStats)
    async for event in client.events(job_types=["email"]):
        assert_type(event, Event)
    async for seen in client.watch(job.id):
        assert_type(seen, Job)
    async with GopherQueue("http://localhost:8080") as scoped:
        assert_type(await scoped.retry(job.id, reset_attempts=True), Job)


async def loose_arguments_do_not_type_check(client: GopherQueueSync, aclient: GopherQueue) -> None:
    """Each line is an error the checkers must report: an unused ignore fails mypy (strict
    warns on unused ignores) and pyright (this file reports unnecessary ignores)."""
    client.get(123)  # type: ignore[arg-type]
    client.submit("x", scheduled_at="tomorrow")  # type: ignore[arg-type]
    GopherQueueSync("http://x", verify=object())  # type: ignore[arg-type]
    client.job(3.5)  # type: ignore[arg-type]
    client.wait_all([object()])  # type: ignore[list-item]
    client.events(job_id=7)  # type: ignore[arg-type]
    await aclient.cancel(b"id")  # type: ignore[arg-type]


def precise_arguments_type_check(client: GopherQueueSync) -> None:
    import uuid

    client.get(uuid.uuid4())
    client.submit("x", scheduled_at=datetime.now(UTC))
    job = client.submit("x")
    client.job(job)
    client.job(client.job(job.id))
    client.wait_all([job, job.id, uuid.UUID(job.id)])
