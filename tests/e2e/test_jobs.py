"""Every job operation, through both clients, over real sockets (issue 4).

Each test runs once with ``GopherQueueSync`` and once with ``GopherQueue`` (the ``gq`` facade).
Against an external server (``GOPHERQUEUE_URL``) only ``echo``, ``sleep`` with payload ``0`` and
``error`` with ``max_attempts=1`` are used; tests that need more are marked ``needs_embedded``.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from gopherqueue import (
    BatchConflictError,
    ConflictError,
    ErrorCategory,
    Job,
    JobFailedError,
    JobNotFoundError,
    JobSpec,
    JobState,
    NotFoundError,
    ResultNotReadyError,
    ValidationError,
    WaitTimeoutError,
)
from gopherqueue.testing import DevServer, JobContext

from ._support import Api, Target, unique

pytestmark = pytest.mark.e2e


# -- submit, get, wait, result ------------------------------------------------------------------


async def test_submit_wait_get_and_result(gq: Api) -> None:
    payload = {"to": "user@example.com", "n": 1}
    job = await gq.submit("echo", payload, priority=1, tags={"suite": "e2e"})
    assert isinstance(job, Job)
    assert job.type == "echo"
    assert job.replayed is False  # 201: created
    assert job.priority == 1
    assert job.tags == {"suite": "e2e"}
    uuid.UUID(job.id)

    outcome = await gq.wait(job.id, timeout=10)
    assert (outcome.completed, outcome.success, outcome.timed_out) == (True, True, False)
    assert outcome.state is JobState.COMPLETED
    assert outcome.result is not None
    assert outcome.result.json() == payload  # echo's output: the payload (base64 on the wire)

    fetched = await gq.get(job.id)
    assert fetched.id == job.id
    assert fetched.state is JobState.COMPLETED
    assert fetched.is_finished
    assert fetched.job_result is not None
    assert fetched.job_result.success is True
    assert fetched.job_result.json() == payload
    assert fetched.result is not None
    assert fetched.result["output"] == payload
    assert fetched.completed_at is not None

    bare = await gq.get(job.id, include_result=False)
    assert bare.job_result is None

    result = await gq.result(job.id)
    assert result.job_id == job.id
    assert result.success is True
    assert result.json() == payload
    assert result.error is None


async def test_idempotency_key_replays_the_existing_job(gq: Api) -> None:
    key = unique("e2e-idem")
    first = await gq.submit("echo", {"first": True}, idempotency_key=key)
    assert first.replayed is False

    # 200 with the existing job: type and payload of the second request are ignored.
    again = await gq.submit("sleep", 0, idempotency_key=key)
    assert again.replayed is True
    assert again.id == first.id
    assert again.type == "echo"
    assert (await gq.wait(first.id, timeout=10)).result.json() == {"first": True}

    # Deleting the job frees its key.
    await gq.delete(first.id)
    fresh = await gq.submit("echo", {"second": True}, idempotency_key=key)
    assert fresh.replayed is False
    assert fresh.id != first.id
    await gq.wait(fresh.id, timeout=10)
    await gq.delete(fresh.id)


async def test_sleep_zero_completes_without_output(gq: Api) -> None:
    job = await gq.submit("sleep", 0)
    outcome = await gq.wait(job.id, timeout=10)
    assert outcome.success
    assert outcome.result is not None
    assert outcome.result.output == b""
    assert outcome.result.json() is None


# -- delete, list, stats, probes ----------------------------------------------------------------


async def test_delete_then_everything_is_not_found(gq: Api) -> None:
    job = await gq.submit("echo", "bye")
    await gq.wait(job.id, timeout=10)
    assert await gq.delete(job.id) is None
    with pytest.raises(JobNotFoundError):
        await gq.get(job.id)
    with pytest.raises(NotFoundError):
        await gq.result(job.id)
    with pytest.raises(JobNotFoundError):
        await gq.delete(job.id)


async def test_list_finds_new_jobs_by_type_and_state(gq: Api) -> None:
    job = await gq.submit("echo", {"listed": True})
    await gq.wait(job.id, timeout=10)
    by_type = await gq.list(job_type="echo")
    assert job.id in [j.id for j in by_type]
    assert all(j.type == "echo" for j in by_type)
    assert len(by_type) <= 100
    done = await gq.list(state="completed")
    assert job.id in [j.id for j in done]
    assert all(j.state is JobState.COMPLETED for j in done)
    assert await gq.list(state="no-such-state") == []


async def test_stats_health_ready_live(gq: Api, target: Target) -> None:
    job = await gq.submit("echo", 1)
    await gq.wait(job.id, timeout=10)
    stats = await gq.stats()
    assert stats.completed >= 1
    assert stats.total_jobs >= 1
    assert stats.workers.total_workers >= 1
    assert stats.workers.healthy is True
    if target.server is not None:
        assert (stats.completed, stats.total_jobs) == (1, 1)
        assert stats.workers.succeeded_jobs == 1
    health = await gq.health()
    assert health.healthy is True
    assert set(health.components) >= {"scheduler", "store", "workers"}
    assert await gq.ready() is True
    assert await gq.live() is True


# -- cancel and retry ----------------------------------------------------------------------------


async def test_dead_letter_then_retry(gq: Api) -> None:
    # max_attempts=1: the one failure dead-letters at once (upstream's automatic retries never
    # run, so an error job with attempts left would stay `retrying` forever).
    job = await gq.submit("error", "boom", max_attempts=1)
    outcome = await gq.wait(job.id, timeout=10)
    assert (outcome.completed, outcome.success) == (True, False)
    assert outcome.state is JobState.DEAD_LETTER
    assert outcome.result is not None
    assert outcome.result.error == 'intentional error: "boom"'
    assert outcome.result.error_category is ErrorCategory.TEMPORARY

    failed = await gq.get(job.id)
    assert failed.state is JobState.DEAD_LETTER
    assert failed.attempt == 1
    assert failed.last_error == 'intentional error: "boom"'
    assert (await gq.result(job.id)).success is False

    retried = await gq.retry(job.id, reset_attempts=True)
    assert retried.id == job.id
    assert retried.state is JobState.PENDING
    assert retried.attempt == 0
    assert retried.last_error is None
    assert retried.completed_at is None
    again = await gq.wait(job.id, timeout=10)
    assert again.state is JobState.DEAD_LETTER
    assert (await gq.get(job.id)).attempt == 1

    # Without reset the attempt count carries on.
    kept = await gq.retry(job.id)
    assert kept.attempt == 1
    with pytest.raises(JobFailedError, match="intentional error") as info:
        await gq.wait(job.id, timeout=10, raise_on_failure=True)
    assert info.value.outcome.state is JobState.DEAD_LETTER
    assert (await gq.get(job.id)).attempt == 2


async def test_retrying_a_completed_job_is_a_conflict(gq: Api) -> None:
    job = await gq.submit("echo", 1)
    await gq.wait(job.id, timeout=10)
    # Upstream answers 500 internal_error "job cannot be cancelled in current state".
    with pytest.raises(ConflictError) as info:
        await gq.retry(job.id)
    assert info.value.status_code in (409, 500)
    assert "retried" in str(info.value)


async def test_cancelling_a_finished_job_is_a_conflict(gq: Api) -> None:
    job = await gq.submit("sleep", 0)
    await gq.wait(job.id, timeout=10)
    with pytest.raises(ConflictError) as info:
        await gq.cancel(job.id, reason="too late")
    assert info.value.status_code == 409
    assert info.value.code == "conflict"
    assert (await gq.get(job.id)).state is JobState.COMPLETED


@pytest.mark.needs_embedded("`delay` is honoured only by the embedded server")
async def test_cancel_a_delayed_job(gq: Api) -> None:
    job = await gq.submit("echo", 1, delay=60)
    assert job.state is JobState.DELAYED
    cancelled = await gq.cancel(job.id, reason="changed my mind")
    assert cancelled.state is JobState.CANCELLED
    assert cancelled.last_error == "changed my mind"
    outcome = await gq.wait(job.id, timeout=5)
    assert (outcome.completed, outcome.success, outcome.state) == (
        True,
        False,
        JobState.CANCELLED,
    )
    assert outcome.result is None
    assert (await gq.get(job.id)).job_result is None
    with pytest.raises(ResultNotReadyError):
        await gq.result(job.id)
    with pytest.raises(ConflictError):
        await gq.cancel(job.id)


# -- errors --------------------------------------------------------------------------------------


async def test_unknown_job_is_job_not_found_everywhere(gq: Api) -> None:
    missing = str(uuid.uuid4())
    with pytest.raises(JobNotFoundError) as info:
        await gq.get(missing)
    assert info.value.status_code == 404
    assert info.value.code == "not_found"
    for operation in ("cancel", "retry", "delete"):
        with pytest.raises(JobNotFoundError):
            await getattr(gq, operation)(missing)
    with pytest.raises(JobNotFoundError):
        await gq.wait(missing, timeout=2)


async def test_invalid_arguments_fail_before_any_request(gq: Api, target: Target) -> None:
    before = None if target.server is None else len(target.server.faults.requests)
    for bad in ("not-a-uuid", "../stats", ""):
        with pytest.raises(ValidationError):
            await gq.get(bad)
    with pytest.raises(ValidationError):
        await gq.submit("", {})
    with pytest.raises(ValidationError):
        await gq.submit_batch([])
    if target.server is not None:
        assert len(target.server.faults.requests) == before


@pytest.mark.needs_embedded("a custom handler that holds a job running")
async def test_wait_and_watch_time_out_and_result_is_not_ready_while_running(
    gq: Api, server: DevServer
) -> None:
    gate = threading.Event()

    def held(ctx: JobContext) -> str:
        gate.wait(10)
        return "released"

    server.register("held", held)
    try:
        job = await gq.submit("held")
        outcome = await gq.wait(job.id, timeout=0.4)
        assert (outcome.completed, outcome.timed_out, outcome.success) == (False, True, False)
        assert outcome.state is JobState.RUNNING
        with pytest.raises(WaitTimeoutError) as info:
            await gq.wait(job.id, timeout=0.2, raise_on_timeout=True)
        assert info.value.outcome.timed_out
        with pytest.raises(ResultNotReadyError):
            await gq.result(job.id)
        assert (await gq.get(job.id)).job_result is None
        started = time.monotonic()
        seen = await gq.collect(gq.client.watch(job.id, timeout=0.3, poll_interval=0.1))
        assert 0.25 < time.monotonic() - started < 2
        assert [j.state for j in seen] == [JobState.RUNNING]
    finally:
        gate.set()
    done = await gq.wait(job.id, timeout=5)
    assert done.success
    assert done.result is not None
    assert done.result.text == "released"


# -- batches -------------------------------------------------------------------------------------


async def test_batch_of_dicts_and_specs(gq: Api) -> None:
    result = await gq.submit_batch(
        [
            {"type": "echo", "payload": {"to": "a@example.com"}},
            JobSpec(type="echo", payload={"to": "b@example.com"}, priority=0),
            {"type": "sleep", "payload": 0},
        ]
    )
    assert (result.total, result.accepted, result.rejected) == (3, 3, 0)
    assert [item.index for item in result.results] == [0, 1, 2]
    assert [job.type for job in result.jobs] == ["echo", "echo", "sleep"]
    outputs = []
    for job in result.jobs:
        outcome = await gq.wait(job.id, timeout=10)
        assert outcome.success
        outputs.append(outcome.result.json())
    assert outputs == [{"to": "a@example.com"}, {"to": "b@example.com"}, None]


async def test_atomic_batch(gq: Api) -> None:
    result = await gq.submit_batch(
        [{"type": "echo", "payload": 1}, {"type": "echo", "payload": 2}], atomic=True
    )
    assert (result.total, result.accepted, result.rejected) == (2, 2, 0)
    for job in result.jobs:
        assert (await gq.wait(job.id, timeout=10)).success


async def test_batch_with_a_taken_key(gq: Api, target: Target) -> None:
    key = unique("e2e-batch-key")
    existing = await gq.submit("echo", 0, idempotency_key=key)
    items = [
        {"type": "echo", "payload": 1},
        {"type": "echo", "payload": 2, "idempotency_key": key},
        {"type": "echo", "payload": 3},
    ]
    # Non-atomic: the item with the taken key is rejected, the others stored.
    result = await gq.submit_batch(items)
    assert (result.total, result.accepted, result.rejected) == (3, 2, 1)
    assert [i.success for i in result.results] == [True, False, True]
    assert result.results[1].error == "job already exists"
    assert [e.index for e in result.errors] == [1]
    # Atomic: refused, pointing at the item.
    count = None if target.server is None else target.server.job_count()
    with pytest.raises(BatchConflictError) as info:
        await gq.submit_batch(items, atomic=True)
    assert info.value.index == 1
    if target.server is not None:  # upstream keeps item 0 anyway; the embedded server does not
        assert target.server.job_count() == count
    await gq.delete(existing.id)


async def test_batch_over_1000_is_sent_in_chunks(gq: Api, target: Target) -> None:
    jobs = [{"type": "echo", "payload": {"i": i}} for i in range(1500)]
    result = await gq.submit_batch(jobs)
    assert (result.total, result.accepted, result.rejected) == (1500, 1500, 0)
    assert [item.index for item in result.results] == list(range(1500))
    ids = [job.id for job in result.jobs]
    assert len(set(ids)) == 1500
    if target.server is not None:
        assert target.server.faults.hits("POST", "/api/v1/jobs/batch") == 2
        assert target.server.job_count() == 1500
    for index in (0, 999, 1000, 1499):
        assert (await gq.wait(ids[index], timeout=10)).result.json() == {"i": index}


async def test_atomic_batch_over_1000_is_refused_before_sending(gq: Api, target: Target) -> None:
    before = None if target.server is None else len(target.server.faults.requests)
    with pytest.raises(ValidationError, match="at most 1000"):
        await gq.submit_batch([{"type": "echo"}] * 1001, atomic=True)
    if target.server is not None:
        assert len(target.server.faults.requests) == before


# -- watch ---------------------------------------------------------------------------------------


async def test_watch_ends_with_the_terminal_state_and_result(gq: Api) -> None:
    job = await gq.submit("echo", {"watched": True})
    seen = await gq.collect(gq.client.watch(job.id, timeout=10, poll_interval=0.2))
    assert seen
    assert seen[-1].state is JobState.COMPLETED
    assert seen[-1].job_result is not None
    assert seen[-1].job_result.json() == {"watched": True}
    assert [j.state for j in seen].count(JobState.COMPLETED) == 1

    failing = await gq.submit("error", "x", max_attempts=1)
    last = (await gq.collect(gq.client.watch(failing.id, timeout=10, poll_interval=0.2)))[-1]
    assert last.state is JobState.DEAD_LETTER
    assert last.job_result is not None
    assert last.job_result.success is False


@pytest.mark.needs_embedded("a custom handler that reports progress")
async def test_watch_reports_progress(gq: Api, server: DevServer) -> None:
    def send_email(ctx: JobContext) -> dict[str, object]:
        path = f"/api/v1/jobs/{ctx.job_id}"
        for percent in (25, 50, 75):
            ctx.report_progress(percent, f"step {percent}")
            # The next step waits until the watcher has read this one: its second GET from now
            # is sent after the first one's answer, so after the progress landed.
            seen = server.faults.hits("GET", path) + 2
            deadline = time.monotonic() + 10
            while server.faults.hits("GET", path) < seen and time.monotonic() < deadline:
                time.sleep(0.01)
        return {"sent_to": ctx.payload_json()["to"]}

    server.register("send_email", send_email)
    job = await gq.submit("send_email", {"to": "user@example.com"})
    seen = await gq.collect(gq.client.watch(job.id, timeout=10, poll_interval=0.1))
    progress = [j.progress for j in seen if j.state is JobState.RUNNING]
    assert {p for p in progress if p} == {25, 50, 75}, [(j.state, j.progress) for j in seen]
    assert progress == sorted(progress)
    assert {j.progress_message for j in seen if j.progress} <= {"step 25", "step 50", "step 75"}
    final = seen[-1]
    assert final.state is JobState.COMPLETED
    assert final.job_result is not None
    assert final.job_result.json() == {"sent_to": "user@example.com"}
