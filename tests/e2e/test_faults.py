"""Lost responses and flaky networks, end to end (issue 4): the SDK's promise that a retry
never does the work twice, checked over real sockets with the embedded server's fault
injection (a response dropped after the server acted, a 503 with Retry-After, a cut long-poll,
a refused stream).
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator

import pytest

from gopherqueue import JobState, ReconnectEvent, RetryEvent, RetryPolicy, ServerError
from gopherqueue.testing import DevServer, JobContext

from ._support import Api, make_client

pytestmark = [pytest.mark.e2e, pytest.mark.needs_embedded("fault injection")]

FAST = RetryPolicy(max_retries=3, backoff_base=0.01, backoff_max=0.05)


@pytest.fixture
async def fast_gq(client_kind: str, server: DevServer) -> AsyncIterator[Api]:
    api = Api(make_client(client_kind, server.url, retry=FAST))
    try:
        yield api
    finally:
        await api.close()


async def test_a_lost_submit_response_creates_one_job(fast_gq: Api, server: DevServer) -> None:
    server.faults.add("POST", "/api/v1/jobs", kind="drop_after", times=1)
    job = await fast_gq.submit("echo", {"once": True})
    # The retry carried the same generated idempotency key: the server answered with the job
    # the first attempt had created.
    assert job.replayed is True
    assert server.faults.hits("POST", "/api/v1/jobs") == 2
    assert server.job_count() == 1
    assert (await fast_gq.wait(job.id, timeout=5)).result.json() == {"once": True}


async def test_a_lost_batch_response_creates_each_job_once(fast_gq: Api, server: DevServer) -> None:
    server.faults.add("POST", "/api/v1/jobs/batch", kind="drop_after", times=1)
    result = await fast_gq.submit_batch([{"type": "echo", "payload": n} for n in range(5)])
    assert (result.total, result.accepted, result.rejected) == (5, 5, 0)
    assert [item.index for item in result.results] == list(range(5))
    assert server.job_count() == 5
    assert len({job.id for job in result.jobs}) == 5


async def test_lost_cancel_retry_and_delete_responses_are_recognised(
    fast_gq: Api, server: DevServer
) -> None:
    delayed = await fast_gq.submit("echo", 1, delay=60)
    server.faults.add("POST", "/api/v1/jobs/{id}/cancel", kind="drop_after", times=1)
    # The retry gets 409 (already cancelled), and the SDK sees that it was its own doing.
    assert (await fast_gq.cancel(delayed.id)).state is JobState.CANCELLED

    # Fails its first run; a rerun holds until released, so the job is still running when the
    # SDK looks at it again after the retry's response was lost.
    runs: list[int] = []
    gate = threading.Event()

    def fail_then_hold(ctx: JobContext) -> None:
        runs.append(ctx.attempt)
        if len(runs) == 1:
            raise RuntimeError("first run fails")
        gate.wait(5)

    server.register("fail_then_hold", fail_then_hold)
    failed = await fast_gq.submit("fail_then_hold", max_attempts=1)
    assert (await fast_gq.wait(failed.id, timeout=5)).state is JobState.DEAD_LETTER
    server.faults.add("POST", "/api/v1/jobs/{id}/retry", kind="drop_after", times=1)
    try:
        retried = await fast_gq.retry(failed.id)
        assert retried.id == failed.id
        assert retried.state in (JobState.PENDING, JobState.SCHEDULED, JobState.RUNNING)
        # Before re-sending, the SDK re-reads the job, sees it moved on, and does not re-send.
        assert server.faults.hits("POST", "/api/v1/jobs/{id}/retry") == 1
    finally:
        gate.set()
    assert (await fast_gq.wait(failed.id, timeout=5)).success
    assert runs == [1, 2]  # retried once, not twice

    server.faults.add("DELETE", "/api/v1/jobs/{id}", kind="drop_after", times=1)
    assert await fast_gq.delete(delayed.id) is None
    assert server.faults.hits("DELETE", "/api/v1/jobs/{id}") == 2
    assert server.get_job(delayed.id) is None


async def test_a_503_with_retry_after_is_retried(fast_gq: Api, server: DevServer) -> None:
    job = await fast_gq.submit("echo", 1)
    server.faults.add("GET", "/api/v1/jobs/{id}", kind="status", status=503, retry_after=0)
    assert (await fast_gq.get(job.id, include_result=False)).id == job.id
    assert server.faults.hits("GET", "/api/v1/jobs/{id}") == 2


async def test_wait_survives_a_dropped_long_poll(fast_gq: Api, server: DevServer) -> None:
    job = await fast_gq.submit("sleep", 0.5)
    server.faults.add("POST", "/api/v1/jobs/{id}/wait", kind="drop_before", times=1)
    outcome = await fast_gq.wait(job.id, timeout=5)
    assert outcome.success
    assert server.faults.hits("POST", "/api/v1/jobs/{id}/wait") >= 2


async def test_the_stream_reopens_after_a_503(fast_gq: Api, server: DevServer) -> None:
    server.faults.add("GET", "/api/v1/events", kind="status", status=503, times=1)
    reconnects: list[ReconnectEvent] = []
    feed = fast_gq.feed(
        fast_gq.client.events(on_reconnect=reconnects.append),
        stop_when=lambda e: e.event_type == "job.created",
    )
    await feed.started()
    job = await fast_gq.submit("echo", 1)
    events = await feed.finish()
    assert [(e.event_type, e.job_id) for e in events] == [
        ("connected", None),
        ("job.created", job.id),
    ]
    assert len(reconnects) == 1
    assert isinstance(reconnects[0].error, ServerError)
    assert server.faults.hits("GET", "/api/v1/events") == 2


async def test_a_lost_retry_response_after_a_fast_rerun_retries_once(
    client_kind: str, server: DevServer
) -> None:
    job_id: list[str] = []

    def until_failed_again(event: RetryEvent) -> None:
        # Deterministic timing: re-send only once the first retry's rerun has failed again.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            snapshot = server.get_job(job_id[0])
            if snapshot is not None and snapshot["attempt"] == 2 and "completed_at" in snapshot:
                return
            time.sleep(0.01)

    policy = RetryPolicy(max_retries=1, backoff_base=0, on_retry=until_failed_again)
    gq = Api(make_client(client_kind, server.url, retry=policy))
    try:
        job = await gq.submit("error", "x", max_attempts=1)
        job_id.append(job.id)
        await gq.wait(job.id, timeout=5)
        server.faults.add("POST", "/api/v1/jobs/{id}/retry", kind="drop_after", times=1)
        await gq.retry(job.id)
        await gq.wait(job.id, timeout=5)
        assert (await gq.get(job.id)).attempt == 2  # one rerun, not two
        assert server.faults.hits("POST", "/api/v1/jobs/{id}/retry") == 1
    finally:
        await gq.close()
