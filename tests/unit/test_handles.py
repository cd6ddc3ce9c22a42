"""Job handles, ``submit_and_wait``, ``wait_all`` and ``as_completed`` on BOTH clients (and
each async backend), over the scripted fake server with virtual time."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from gopherqueue import (
    AsyncJobHandle,
    BatchResult,
    GopherQueueError,
    JobFailedError,
    JobHandle,
    JobNotFoundError,
    JobState,
    ValidationError,
    WaitResult,
    WaitTimeoutError,
)
from tests.unit.fakes import (
    JOB_ID,
    OTHER_ID,
    Client,
    FakeServer,
    VirtualClock,
    call,
    finished_job_json,
    go_seconds,
    job_json,
    not_found,
    ok,
    result_json,
    wait_json,
)

THIRD_ID = "0b8f1f38-7c0e-4b7e-9d7e-3f2a64b1c0de"
Answer = Callable[[httpx.Request], httpx.Response]


def done(job_id: str, state: str = "completed") -> Answer:
    """A wait answered at once with the job finished."""

    def answer(request: httpx.Request) -> httpx.Response:
        body = wait_json(state, id=job_id)
        if "result" in body:
            body["result"]["job_id"] = job_id
        return ok(body)

    return answer


def running(clock: VirtualClock, job_id: str) -> Answer:
    """A wait that times out on the server after the timeout it was asked for."""

    def answer(request: httpx.Request) -> httpx.Response:
        clock.advance(go_seconds(json.loads(request.content)["timeout"]))
        return ok(wait_json("running", id=job_id))

    return answer


def per_job(server: FakeServer, answers: dict[str, list[Any]]) -> None:
    """Answer each job's requests from its own list (the last answer repeats): requests for
    different jobs may arrive in any order."""

    def answer(request: httpx.Request) -> Any:
        queue = answers[request.url.path.split("/")[4]]
        return queue.pop(0) if len(queue) > 1 else queue[0]

    server.default = answer


def waited(server: FakeServer) -> list[tuple[str, str]]:
    """(job id, long-poll timeout) of every wait request, in order."""
    return [
        (s.path.split("/")[4], s.json["timeout"]) for s in server.sent if s.path.endswith("/wait")
    ]


# ------------------------------------------------------------------------------------------
# Handles


async def test_job_makes_a_handle_without_io(gq: Client, server: FakeServer) -> None:
    handle = gq.job(JOB_ID.upper())
    assert isinstance(handle, JobHandle | AsyncJobHandle)
    assert handle.id == JOB_ID
    assert handle.snapshot is None
    assert server.sent == []
    assert handle == gq.job(JOB_ID)
    assert len({handle, gq.job(JOB_ID), gq.job(OTHER_ID)}) == 2
    assert JOB_ID in repr(handle)
    with pytest.raises(ValidationError) as info:
        gq.job("../stats")
    assert info.value.field == "job_id"


async def test_submit_result_is_one_call_from_a_handle(gq: Client, server: FakeServer) -> None:
    server.script(ok(job_json(), 201))
    job = await call(gq, "submit", "echo", {"a": 1})
    handle = gq.job(job)
    assert (handle.id, handle.snapshot) == (job.id, job)
    assert job.state == JobState.PENDING  # the returned job is still the guide's Job


async def test_refresh_and_get_remember_the_job(gq: Client, server: FakeServer) -> None:
    server.script(ok(job_json(state="running")), ok(finished_job_json()), ok(result_json()))
    handle = gq.job(JOB_ID)
    first = await call(handle, "refresh")
    assert first.state == "running"
    assert handle.snapshot is first
    second = await call(handle, "get")
    assert second.state == "completed"
    assert second.job_result is not None
    assert handle.snapshot is second


async def test_wait_result_and_output(gq: Client, server: FakeServer) -> None:
    server.script(ok(wait_json()), ok(result_json()), ok(wait_json()))
    handle = gq.job(JOB_ID)
    outcome = await call(handle, "wait", timeout=5, raise_on_failure=True)
    assert outcome.success
    assert server.sent[0].json == {"timeout": "5s"}
    assert (await call(handle, "result")).json() == {"hello": "world", "n": 1}
    assert await call(handle, "output", timeout=5) == {"hello": "world", "n": 1}


async def test_output_of_non_json_is_bytes_and_none_when_empty(
    gq: Client, server: FakeServer
) -> None:
    raw = wait_json(result=result_json(output="AAEC"))  # b"\x00\x01\x02"
    server.script(ok(raw), ok(wait_json(result=result_json(output=None))))
    assert await call(gq.job(JOB_ID), "output") == b"\x00\x01\x02"
    assert await call(gq.job(JOB_ID), "output") is None


async def test_output_of_a_failed_job_raises(gq: Client, server: FakeServer) -> None:
    server.script(ok(wait_json("dead_letter")))
    with pytest.raises(JobFailedError) as info:
        await call(gq.job(JOB_ID), "output")
    assert info.value.outcome.state == "dead_letter"


async def test_output_timeout_raises(gq: Client, server: FakeServer, clock: VirtualClock) -> None:
    server.default = running(clock, JOB_ID)
    with pytest.raises(WaitTimeoutError) as info:
        await call(gq.job(JOB_ID), "output", timeout=3)
    assert info.value.outcome.job_id == JOB_ID


async def test_cancel_retry_delete_watch(gq: Client, server: FakeServer) -> None:
    server.script(
        ok(job_json(state="cancelled")),
        ok(job_json(state="failed", updated_at="2026-11-28T19:12:18Z")),  # retry looks first
        ok(job_json(state="pending")),
        httpx.Response(204),
        ok(finished_job_json()),
        ok(result_json()),
    )
    handle = gq.job(JOB_ID)
    cancelled = await call(handle, "cancel", reason="no longer needed", force=True)
    assert cancelled.state == "cancelled"
    assert server.sent[0].json == {"force": True, "reason": "no longer needed"}
    assert handle.snapshot is cancelled
    retried = await call(handle, "retry", reset_attempts=True)
    assert retried.state == "pending"
    assert handle.snapshot is retried
    assert await call(handle, "delete") is None
    assert server.sent[3].method == "DELETE"
    stream = handle.watch(timeout=10)
    seen = [job async for job in stream] if isinstance(handle, AsyncJobHandle) else list(stream)
    assert [job.state for job in seen] == ["completed"]


async def test_handles_pickle_without_the_client(gq: Client, server: FakeServer) -> None:
    server.script(ok(job_json()), ok(job_json(state="running")))
    handle = gq.job(JOB_ID)
    await call(handle, "refresh")
    data = pickle.dumps(handle)
    assert b"secret-key" not in data
    assert b"X-API-Key" not in data
    back = pickle.loads(data)
    assert back == handle
    assert back.snapshot == handle.snapshot
    with pytest.raises(GopherQueueError, match=r"client\.job\(handle\)") as info:
        await call(back, "refresh")
    assert "secret-key" not in str(info.value)
    rebound = gq.job(back)
    assert rebound.snapshot == handle.snapshot
    assert (await call(rebound, "refresh")).state == "running"


# ------------------------------------------------------------------------------------------
# submit_and_wait


async def test_submit_and_wait(gq: Client, server: FakeServer) -> None:
    server.script(ok(job_json(), 201), ok(wait_json()))
    outcome = await call(
        gq, "submit_and_wait", "echo", {"a": 1}, timeout=20, priority=1, job_timeout="10m"
    )
    assert isinstance(outcome, WaitResult)
    assert outcome.result is not None
    assert outcome.result.json() == {"hello": "world", "n": 1}
    submitted = server.sent[0].json
    assert (submitted["type"], submitted["priority"], submitted["timeout"]) == ("echo", 1, "10m")
    assert server.sent[1].path == f"/api/v1/jobs/{JOB_ID}/wait"
    assert server.sent[1].json == {"timeout": "20s"}


async def test_submit_and_wait_failure(gq: Client, server: FakeServer) -> None:
    server.script(ok(job_json(), 201), ok(wait_json("failed")))
    with pytest.raises(JobFailedError):
        await call(gq, "submit_and_wait", "error", timeout=5)
    server.script(ok(job_json(), 201), ok(wait_json("failed")))
    outcome = await call(gq, "submit_and_wait", "error", timeout=5, raise_on_failure=False)
    assert (outcome.completed, outcome.success) == (True, False)


async def test_submit_and_wait_timeout(gq: Client, server: FakeServer, clock: VirtualClock) -> None:
    server.script(ok(job_json(), 201))
    server.default = running(clock, JOB_ID)
    with pytest.raises(WaitTimeoutError) as info:
        await call(gq, "submit_and_wait", "sleep", 5, timeout=2)
    assert info.value.outcome.job_id == JOB_ID


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timeout": -1}, "timeout"),
        ({"timeout": 1, "bogus": 1}, "bogus"),
        ({"timeout": 1, "priority": "high"}, "priority"),
        ({"timeout": 1, "raise_on_failure": "yes"}, "raise_on_failure"),
    ],
)
async def test_submit_and_wait_refuses_bad_input_before_any_request(
    gq: Client, server: FakeServer, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        await call(gq, "submit_and_wait", "echo", None, **kwargs)
    assert info.value.field == field
    assert server.sent == []


# ------------------------------------------------------------------------------------------
# wait_all


async def test_wait_all_returns_outcomes_in_input_order(
    gq: Client, server: FakeServer, clock: VirtualClock
) -> None:
    # OTHER finishes first, JOB after one more long-poll chunk.
    per_job(
        server,
        {
            JOB_ID: [running(clock, JOB_ID), done(JOB_ID)],
            OTHER_ID: [done(OTHER_ID)],
            THIRD_ID: [done(THIRD_ID, "failed")],
        },
    )
    handle = gq.job(THIRD_ID)
    outcomes = await call(gq, "wait_all", [JOB_ID, OTHER_ID, handle, JOB_ID], timeout=None)
    assert [o.job_id for o in outcomes] == [JOB_ID, OTHER_ID, THIRD_ID, JOB_ID]
    assert [o.success for o in outcomes] == [True, True, False, True]
    # Each job asked about once (JOB twice: its first chunk ran out), never a duplicate poll.
    assert sorted(job for job, _ in waited(server)) == sorted([JOB_ID, JOB_ID, OTHER_ID, THIRD_ID])


async def test_wait_all_shares_one_deadline(
    gq: Client, server: FakeServer, clock: VirtualClock
) -> None:
    per_job(server, {JOB_ID: [running(clock, JOB_ID)], OTHER_ID: [done(OTHER_ID)]})
    started = clock.now
    outcomes = await call(gq, "wait_all", [JOB_ID, OTHER_ID], timeout=10)
    assert [(o.completed, o.timed_out) for o in outcomes] == [(False, True), (True, False)]
    assert clock.now - started == pytest.approx(10)
    # The unfinished job got the whole remaining time in one long-poll, not a loop of them
    # (the other's timeout depends on when its thread started against the virtual clock).
    polls = waited(server)
    assert sorted(job for job, _ in polls) == sorted([JOB_ID, OTHER_ID])
    assert (JOB_ID, "10s") in polls


async def test_wait_all_with_a_failed_job_and_raise_on_failure(
    gq: Client, server: FakeServer
) -> None:
    per_job(server, {JOB_ID: [done(JOB_ID, "failed")], OTHER_ID: [done(OTHER_ID)]})
    with pytest.raises(JobFailedError) as info:
        await call(gq, "wait_all", [OTHER_ID, JOB_ID], raise_on_failure=True)
    assert info.value.outcome.job_id == JOB_ID


async def test_wait_all_with_an_unknown_id(gq: Client, server: FakeServer) -> None:
    per_job(server, {JOB_ID: [done(JOB_ID)], OTHER_ID: [not_found()]})
    with pytest.raises(JobNotFoundError):
        await call(gq, "wait_all", [JOB_ID, OTHER_ID])


async def test_wait_all_takes_a_batch_result(gq: Client, server: FakeServer) -> None:
    server.script(
        ok(
            {
                "total": 2,
                "accepted": 2,
                "rejected": 0,
                "results": [
                    {"index": 0, "success": True, "job": job_json()},
                    {"index": 1, "success": True, "job": job_json(id=OTHER_ID)},
                ],
            },
            201,
        )
    )
    batch = await call(gq, "submit_batch", [{"type": "echo"}, {"type": "echo"}])
    assert isinstance(batch, BatchResult)
    per_job(server, {JOB_ID: [done(JOB_ID)], OTHER_ID: [done(OTHER_ID)]})
    outcomes = await call(gq, "wait_all", batch)
    assert [o.job_id for o in outcomes] == [JOB_ID, OTHER_ID]


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ((JOB_ID,), {}, "jobs"),
        (([JOB_ID, "nope"],), {}, "jobs[1]"),
        (([JOB_ID],), {"timeout": -1}, "timeout"),
        (([JOB_ID],), {"max_concurrency": 0}, "max_concurrency"),
        (([JOB_ID],), {"raise_on_failure": 1}, "raise_on_failure"),
    ],
)
async def test_wait_all_refuses_bad_input_before_any_request(
    gq: Client, server: FakeServer, args: tuple[Any, ...], kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        await call(gq, "wait_all", *args, **kwargs)
    assert info.value.field == field
    with pytest.raises(ValidationError):
        gq.as_completed(*args, **kwargs)
    assert server.sent == []


# ------------------------------------------------------------------------------------------
# as_completed


async def collect(
    client: Client, *args: Any, into: list[WaitResult] | None = None, **kwargs: Any
) -> list[WaitResult]:
    """Everything ``as_completed`` yields (also appended to ``into`` as it comes)."""
    seen = [] if into is None else into
    stream = client.as_completed(*args, **kwargs)
    if hasattr(stream, "__aiter__"):
        async for outcome in stream:
            seen.append(outcome)
    else:
        for outcome in stream:
            seen.append(outcome)
    return seen


async def test_as_completed_yields_in_finishing_order(
    gq: Client, server: FakeServer, clock: VirtualClock
) -> None:
    # One long-poll at a time, so they take turns: JOB is still running at its first turn,
    # OTHER has finished by its own.
    per_job(
        server,
        {JOB_ID: [running(clock, JOB_ID), done(JOB_ID)], OTHER_ID: [done(OTHER_ID)]},
    )
    outcomes = await collect(gq, [JOB_ID, OTHER_ID], timeout=60, max_concurrency=1)
    assert [o.job_id for o in outcomes] == [OTHER_ID, JOB_ID]
    assert waited(server) == [(JOB_ID, "1s"), (OTHER_ID, "1s"), (JOB_ID, "25s")]


async def test_as_completed_raises_at_the_deadline(
    gq: Client, server: FakeServer, clock: VirtualClock
) -> None:
    per_job(server, {JOB_ID: [running(clock, JOB_ID)], OTHER_ID: [done(OTHER_ID)]})
    seen: list[WaitResult] = []
    with pytest.raises(WaitTimeoutError, match="1 of 2 jobs") as info:
        await collect(gq, [JOB_ID, OTHER_ID], timeout=5, max_concurrency=1, into=seen)
    assert [o.job_id for o in seen] == [OTHER_ID]
    assert info.value.outcome.job_id == JOB_ID


async def test_as_completed_with_a_failed_job_and_an_unknown_id(
    gq: Client, server: FakeServer
) -> None:
    per_job(server, {JOB_ID: [done(JOB_ID, "failed")], OTHER_ID: [done(OTHER_ID)]})
    outcomes = await collect(gq, [JOB_ID, OTHER_ID])
    assert {o.job_id: o.success for o in outcomes} == {JOB_ID: False, OTHER_ID: True}
    per_job(server, {JOB_ID: [done(JOB_ID)], THIRD_ID: [not_found()]})
    with pytest.raises(JobNotFoundError):
        await collect(gq, [JOB_ID, THIRD_ID], max_concurrency=1)
