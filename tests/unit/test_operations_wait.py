"""``wait`` on BOTH clients: long-poll chunks below the server's 30 s write timeout, the
client-side deadline, dropped long-polls, and the raise_on_* options.

Time is virtual (the ``clock`` fixture): a fake long-poll "takes" the timeout it was asked
for by advancing the clock, so minutes of waiting run in microseconds.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from gopherqueue import (
    APIConnectionError,
    BadRequestError,
    JobFailedError,
    JobNotFoundError,
    JobResult,
    JobState,
    ValidationError,
    WaitResult,
    WaitTimeoutError,
)
from tests.unit.fakes import (
    JOB_ID,
    Client,
    FakeServer,
    VirtualClock,
    call,
    error,
    go_seconds,
    not_found,
    ok,
    raw,
    result_json,
    user_agent_prefix,
    wait_json,
)

WAIT_PATH = f"/api/v1/jobs/{JOB_ID}/wait"


def long_poll(clock: VirtualClock, state: str = "running") -> Callable[[httpx.Request], Any]:
    """A wait that times out on the server after the timeout it was asked for."""

    def answer(request: httpx.Request) -> httpx.Response:
        clock.advance(go_seconds(json.loads(request.content)["timeout"]))
        return ok(wait_json(state))

    return answer


def dropped(clock: VirtualClock, seconds: float = 0.0) -> Callable[[httpx.Request], Any]:
    """The server closes the connection without a reply (after ``seconds``)."""

    def answer(request: httpx.Request) -> BaseException:
        clock.advance(seconds)
        return httpx.RemoteProtocolError("Server disconnected without sending a response.")

    return answer


def chunks(server: FakeServer) -> list[str]:
    return [s.json["timeout"] for s in server.sent]


async def test_wait_like_the_guide(gq: Client, server: FakeServer) -> None:
    server.script(ok(wait_json("completed")))

    outcome = await call(gq, "wait", JOB_ID, timeout=30)

    sent = server.last
    assert (sent.method, sent.path) == ("POST", WAIT_PATH)
    assert sent.json == {"timeout": "25s"}
    assert sent.headers["user-agent"].startswith(user_agent_prefix())
    assert sent.headers["x-api-key"] == "secret-key"
    assert isinstance(outcome, WaitResult)
    assert outcome.job_id == JOB_ID
    assert outcome.state is JobState.COMPLETED
    assert outcome.completed is True
    assert outcome.success is True
    assert outcome.timed_out is False
    assert isinstance(outcome.result, JobResult)
    assert outcome.result.json() == {"hello": "world", "n": 1}


async def test_wait_default_timeout_is_30_seconds_in_chunks(
    gq: Client, server: FakeServer, clock: VirtualClock
) -> None:
    server.default = long_poll(clock)
    started = clock.now

    outcome = await call(gq, "wait", JOB_ID)

    assert chunks(server) == ["25s", "5s"]
    assert clock.now - started == pytest.approx(30)
    assert outcome.completed is False
    assert outcome.timed_out is True


async def test_wait_without_timeout_loops_in_chunks_until_the_job_finishes(
    gq: Client, server: FakeServer, clock: VirtualClock
) -> None:
    poll = long_poll(clock, "running")
    server.script(poll, poll, poll, ok(wait_json("completed")))

    outcome = await call(gq, "wait", JOB_ID, timeout=None)

    assert chunks(server) == ["25s"] * 4
    assert outcome.completed is True
    assert outcome.success is True


async def test_wait_timeout_is_split_into_chunks_and_reports_timed_out(
    gq: Client, server: FakeServer, clock: VirtualClock
) -> None:
    server.default = long_poll(clock, "retrying")

    outcome = await call(gq, "wait", JOB_ID, timeout=60)

    assert chunks(server) == ["25s", "25s", "10s"]
    assert outcome == WaitResult(
        job_id=JOB_ID,
        state=JobState.RETRYING,
        completed=False,
        success=False,
        timed_out=True,
        result=None,
    )


@pytest.mark.parametrize("timeout", [None, 29, 30, 31, 45, 300, 3600.5, timedelta(hours=1)])
async def test_no_long_poll_reaches_the_servers_30s_write_timeout(
    gq: Client, server: FakeServer, clock: VirtualClock, timeout: Any
) -> None:
    poll = long_poll(clock)
    if timeout is None:
        server.script(*[poll] * 5, ok(wait_json("completed")))
    else:
        server.default = poll

    await call(gq, "wait", JOB_ID, timeout=timeout)

    assert len(server.sent) >= 2
    for sent in server.sent:
        seconds = go_seconds(sent.json["timeout"])
        assert 0 < seconds < 30
        # The client's read timeout leaves room for the server's answer.
        assert sent.read_timeout is not None
        assert sent.read_timeout > seconds


@pytest.mark.parametrize(
    ("timeout", "wire"),
    [
        (5, "5s"),
        (1.5, "1500ms"),
        (timedelta(seconds=5), "5s"),
        (timedelta(milliseconds=250), "250ms"),
        (0.0001, "1ms"),  # rounded up to whole milliseconds, never down to 0
        (0, "0s"),
    ],
)
async def test_short_timeouts_are_sent_as_is(
    gq: Client, server: FakeServer, clock: VirtualClock, timeout: Any, wire: str
) -> None:
    server.default = long_poll(clock)
    outcome = await call(gq, "wait", JOB_ID, timeout=timeout)
    assert chunks(server) == [wire]
    assert outcome.timed_out is True


async def test_wait_chunk_option(
    make_client: Callable[..., Client], server: FakeServer, clock: VirtualClock
) -> None:
    client = make_client(wait_chunk=5)
    server.default = long_poll(clock)

    await call(client, "wait", JOB_ID, timeout=12)
    assert chunks(server) == ["5s", "5s", "2s"]

    server.sent.clear()
    await call(client.with_options(wait_chunk=2.5), "wait", JOB_ID, timeout=5)
    assert chunks(server) == ["2500ms", "2500ms"]


async def test_a_server_that_answers_early_is_asked_again(
    gq: Client, server: FakeServer, clock: VirtualClock
) -> None:
    def early(request: httpx.Request) -> httpx.Response:
        clock.advance(1)
        return ok(wait_json("running"))

    server.script(early, early, ok(wait_json("failed")))

    outcome = await call(gq, "wait", JOB_ID, timeout=10)

    assert len(server.sent) == 3
    assert outcome.state is JobState.FAILED
    assert outcome.completed is True
    assert outcome.success is False
    assert outcome.result is not None
    assert outcome.result.error == 'intentional error: "boom"'


async def test_a_dropped_long_poll_is_retried(
    gq: Client, server: FakeServer, clock: VirtualClock
) -> None:
    server.script(dropped(clock, 30), ok(wait_json("completed")))

    outcome = await call(gq, "wait", JOB_ID, timeout=None)

    assert outcome.completed is True
    assert len(server.sent) == 2
    assert len(clock.sleeps) == 1
    assert 0 <= clock.sleeps[0] <= 0.5  # the policy's first backoff


@pytest.mark.parametrize(
    "failure",
    [
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectError("connection refused"),
        error(502, "bad_gateway", "upstream closed"),
        raw(502, b"<html><body>502 Bad Gateway</body></html>", "text/html"),
        error(503, "unavailable", "restarting"),
        raw(504, b"", None),
        error(429, "rate_limited", "slow down"),
    ],
    ids=lambda f: type(f).__name__ if isinstance(f, Exception) else str(f.status_code),
)
async def test_transient_failures_are_retried_until_the_deadline(
    gq: Client, server: FakeServer, clock: VirtualClock, failure: Any
) -> None:
    server.script(failure, failure, failure, failure, ok(wait_json("completed")))
    outcome = await call(gq, "wait", JOB_ID, timeout=120)
    assert outcome.completed is True
    assert len(server.sent) == 5


async def test_always_dropped_raises_the_connection_error_after_the_deadline(
    gq: Client, server: FakeServer, clock: VirtualClock
) -> None:
    server.default = dropped(clock, 1)
    started = clock.now

    with pytest.raises(APIConnectionError) as info:
        await call(gq, "wait", JOB_ID, timeout=10)

    assert clock.now - started >= 10
    assert len(server.sent) >= 2
    assert isinstance(info.value.__cause__, httpx.RemoteProtocolError)
    # Every attempt asked for no more than what was left.
    assert all(go_seconds(s.json["timeout"]) <= 10 for s in server.sent)


async def test_a_drop_after_a_timed_out_chunk_reports_the_last_state(
    gq: Client, server: FakeServer, clock: VirtualClock
) -> None:
    server.script(long_poll(clock, "running"), dropped(clock, 5))
    outcome = await call(gq, "wait", JOB_ID, timeout=30)
    assert outcome.timed_out is True
    assert outcome.state is JobState.RUNNING


async def test_raise_on_timeout(gq: Client, server: FakeServer, clock: VirtualClock) -> None:
    server.default = long_poll(clock, "running")

    with pytest.raises(WaitTimeoutError) as info:
        await call(gq, "wait", JOB_ID, timeout=3, raise_on_timeout=True)

    assert info.value.outcome.timed_out is True
    assert info.value.outcome.state is JobState.RUNNING
    assert JOB_ID in str(info.value)


async def test_raise_on_timeout_does_not_raise_when_finished(
    gq: Client, server: FakeServer
) -> None:
    server.script(ok(wait_json("completed")))
    outcome = await call(gq, "wait", JOB_ID, timeout=3, raise_on_timeout=True)
    assert outcome.success is True


@pytest.mark.parametrize("state", ["failed", "dead_letter", "cancelled"])
async def test_raise_on_failure(gq: Client, server: FakeServer, state: str) -> None:
    server.script(ok(wait_json(state)))

    with pytest.raises(JobFailedError) as info:
        await call(gq, "wait", JOB_ID, raise_on_failure=True)

    outcome = info.value.outcome
    assert outcome.state == state
    assert outcome.completed is True
    assert outcome.success is False
    if state == "cancelled":
        assert outcome.result is None
    else:
        assert outcome.result is not None
        assert "boom" in str(info.value)


@pytest.mark.parametrize("state", ["failed", "cancelled"])
async def test_failure_is_returned_without_raise_on_failure(
    gq: Client, server: FakeServer, state: str
) -> None:
    server.script(ok(wait_json(state)))
    outcome = await call(gq, "wait", JOB_ID)
    assert outcome.completed is True
    assert outcome.success is False


async def test_raise_on_failure_with_success(gq: Client, server: FakeServer) -> None:
    server.script(ok(wait_json("completed")))
    outcome = await call(gq, "wait", JOB_ID, raise_on_failure=True)
    assert outcome.success is True


async def test_wait_unknown_job(gq: Client, server: FakeServer) -> None:
    server.script(not_found("job"))
    with pytest.raises(JobNotFoundError):
        await call(gq, "wait", JOB_ID, timeout=None)
    assert len(server.sent) == 1


async def test_wait_bad_request_is_not_retried(gq: Client, server: FakeServer) -> None:
    server.script(error(400, "invalid_request", "invalid job ID format"))
    with pytest.raises(BadRequestError):
        await call(gq, "wait", JOB_ID, timeout=None)
    assert len(server.sent) == 1


@pytest.mark.parametrize(
    "timeout", [-1, -0.001, timedelta(seconds=-1), math.nan, math.inf, "30s", True, [30]]
)
async def test_wait_timeout_checks(gq: Client, server: FakeServer, timeout: Any) -> None:
    with pytest.raises(ValidationError) as info:
        await call(gq, "wait", JOB_ID, timeout=timeout)
    assert info.value.field == "timeout"
    assert server.sent == []


@pytest.mark.parametrize("state", ["completed", "cancelled"])
async def test_timed_out_reply_with_a_terminal_state_is_a_finished_job(
    gq: Client, server: FakeServer, state: str
) -> None:
    # The real server answers `"timeout":"0s"` with timed_out at once, without checking
    # whether the job has already finished (captures 084/085): the state still tells.
    server.script(
        ok({"id": JOB_ID, "state": state, "completed": False, "timed_out": True}),
        ok(result_json()) if state == "completed" else not_found("result"),
    )
    outcome = await call(gq, "wait", JOB_ID, timeout=0)
    assert outcome.completed
    assert not outcome.timed_out
    assert outcome.state == state
    assert outcome.success is (state == "completed")
    assert (outcome.result is not None) is (state == "completed")
    assert [s.path for s in server.sent] == [WAIT_PATH, f"/api/v1/jobs/{JOB_ID}/result"]
