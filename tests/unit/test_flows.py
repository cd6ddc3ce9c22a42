"""The flows as the sans-I/O code they are: ``events``, ``wait`` and ``watch`` driven by
scripted replies (``tests/unit/flows.py``), on a virtual clock, with no transport."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from gopherqueue import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    JobNotFoundError,
    RetryEvent,
    RetryPolicy,
    ServerError,
    UnexpectedResponseError,
    ValidationError,
)
from gopherqueue import _events as ev
from gopherqueue import _operations as ops
from gopherqueue._events import HEALTHY_AFTER, SERVER_RETRY_MAX, ReconnectEvent
from gopherqueue._models import JobState
from tests.unit.fakes import (
    JOB_ID,
    OTHER_ID,
    VirtualClock,
    error,
    finished_job_json,
    job_json,
    not_found,
    ok,
    result_json,
    wait_json,
)
from tests.unit.flows import Scripted, Tick, drive, settings, sse

CONNECTED = sse("connected", '{"client_id": "c1"}')


def created(job_id: str = JOB_ID, job_type: str = "echo") -> bytes:
    return sse("job.created", json.dumps(job_json(id=job_id, type=job_type)), id=job_id)


def refusal(status: int, code: str = "refused") -> Scripted:
    """A stream request answered with the server's JSON error envelope."""
    body = json.dumps({"error": {"code": code, "message": "no"}}).encode()
    return Scripted([body], status=status, content_type="application/json")


def refused(request: Any = None) -> httpx.ConnectError:
    return httpx.ConnectError("[Errno 111] Connection refused")


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


# ------------------------------------------------------------------------------------------
# events


def test_events_emit_connected_and_job_events_then_end_without_reconnect(
    clock: VirtualClock,
) -> None:
    flow = ev.events(settings(clock), reconnect=False)
    driven = drive(flow, [Scripted([CONNECTED, created()])], clock)
    assert driven.error is None
    assert [e.event_type for e in driven.emitted] == ["connected", "job.created"]
    assert driven.emitted[1].job.id == JOB_ID
    assert driven.emitted[1].job_id == JOB_ID
    assert driven.closed == 1
    request = driven.requests[0]
    assert request.headers["Accept"] == "text/event-stream"
    assert "Last-Event-ID" not in request.headers


def test_stream_that_connects_and_closes_at_once_backs_off_and_stops(clock: VirtualClock) -> None:
    # Issue 12 item 7: `connected` alone is not health; max_reconnects=3 ends it.
    seen: list[ReconnectEvent] = []
    flow = ev.events(settings(clock), max_reconnects=3, on_reconnect=seen.append)
    driven = drive(flow, [Scripted([CONNECTED]) for _ in range(4)], clock)
    assert isinstance(driven.error, APIConnectionError)
    assert "after 3 attempts" in str(driven.error)
    assert len(driven.requests) == 4
    # rng is 0.5: half of 0.5, 1 and 2 seconds.
    assert driven.sleeps == [0.25, 0.5, 1.0]
    assert [r.attempt for r in seen] == [1, 2, 3]
    assert [e.event_type for e in driven.emitted] == ["connected"]  # surfaced once


def test_stream_that_lived_long_enough_is_healthy_and_reconnects_at_once(
    clock: VirtualClock,
) -> None:
    # The real server's routine 30 s cut: reconnect at once, the count never grows.
    long_lived = [Scripted([CONNECTED, Tick(HEALTHY_AFTER + 1)]) for _ in range(5)]
    flow = ev.events(settings(clock), max_reconnects=0)
    driven = drive(flow, [*long_lived, refusal(401)], clock)
    assert isinstance(driven.error, AuthenticationError)
    assert driven.sleeps == []
    assert len(driven.requests) == 6


def test_job_event_makes_a_short_stream_healthy_and_last_event_id_is_sent(
    clock: VirtualClock,
) -> None:
    flow = ev.events(settings(clock), max_reconnects=0)
    replies = [Scripted([CONNECTED, created()]), Scripted([CONNECTED, created(OTHER_ID)])]
    driven = drive(flow, [*replies, refusal(404)], clock)
    assert isinstance(driven.error, ev.NotFoundError)
    assert driven.sleeps == []
    assert driven.requests[1].headers["Last-Event-ID"] == JOB_ID
    assert driven.requests[2].headers["Last-Event-ID"] == OTHER_ID
    assert [e.event_type for e in driven.emitted] == ["connected", "job.created", "job.created"]


def test_server_retry_is_honoured_and_capped_with_a_log_line(
    clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    day = sse("connected", "{}", retry="86400000")
    flow = ev.events(settings(clock), max_reconnects=0)
    short = sse("connected", "{}", retry="1500")
    replies = [Scripted([day, created()]), Scripted([short, created()]), refused]
    with caplog.at_level(logging.WARNING, logger="gopherqueue"):
        driven = drive(flow, replies, clock)
    assert driven.sleeps == [SERVER_RETRY_MAX, 1.5]
    assert "86400s" in caplog.text
    assert isinstance(driven.error, APIConnectionError)


def test_connection_failures_back_off_and_report_their_error(clock: VirtualClock) -> None:
    seen: list[ReconnectEvent] = []
    flow = ev.events(settings(clock), max_reconnects=5, on_reconnect=seen.append)
    broken = Scripted([CONNECTED, httpx.ReadError("reset by peer")])
    healthy = Scripted([CONNECTED, created()])
    driven = drive(flow, [refused, broken, healthy, refused, refusal(401)], clock)
    assert [type(r.error).__name__ for r in seen] == [
        "APIConnectionError",
        "APIConnectionError",
        "NoneType",
        "APIConnectionError",
    ]
    # The healthy third stream resets the count: the fourth failure is attempt 1 again.
    assert [r.attempt for r in seen] == [1, 2, 1, 1]
    assert driven.sleeps == [0.25, 0.5, 0.25]
    assert isinstance(driven.error, AuthenticationError)


def test_stream_error_while_reading_is_a_connection_error(clock: VirtualClock) -> None:
    flow = ev.events(settings(clock), reconnect=False)
    driven = drive(flow, [Scripted([CONNECTED, httpx.StreamClosed()])], clock)
    assert isinstance(driven.error, APIConnectionError)


def test_reconnect_false_raises_the_connection_error(clock: VirtualClock) -> None:
    driven = drive(ev.events(settings(clock), reconnect=False), [refused], clock)
    assert isinstance(driven.error, APIConnectionError)
    assert "Connection refused" in str(driven.error)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (refusal(401), AuthenticationError),
        (refusal(400), BadRequestError),
        (Scripted(status=401), AuthenticationError),  # no envelope: still typed by status
        (Scripted([b"<html>hi</html>"], content_type="text/html"), UnexpectedResponseError),
        (Scripted([b"{}"], content_type=""), UnexpectedResponseError),
    ],
)
def test_fatal_answers_stop_the_stream(
    clock: VirtualClock, reply: Scripted, expected: type[Exception]
) -> None:
    driven = drive(ev.events(settings(clock)), [reply], clock)
    assert isinstance(driven.error, expected)
    assert len(driven.requests) == 1


def test_a_503_or_429_is_retried_with_backoff(clock: VirtualClock) -> None:
    replies = [refusal(503), refusal(429), Scripted([CONNECTED, created()]), refusal(403)]
    driven = drive(ev.events(settings(clock)), replies, clock)
    assert driven.sleeps == [0.25, 0.5]
    assert isinstance(driven.error, ev.PermissionDeniedError)


def test_job_types_filter_follows_matching_jobs_to_their_deletion(clock: VirtualClock) -> None:
    deleted_mine = sse("job.deleted", json.dumps({"id": JOB_ID}), id=JOB_ID)
    deleted_other = sse("job.deleted", json.dumps({"id": OTHER_ID}), id=OTHER_ID)
    chunks: list[Any] = [
        CONNECTED,
        created(JOB_ID, "echo"),
        created(OTHER_ID, "email"),
        deleted_other,
        deleted_mine,
    ]
    flow = ev.events(settings(clock), job_types=["echo"], reconnect=False)
    driven = drive(flow, [Scripted(chunks)], clock)
    assert [(e.event_type, e.job_id) for e in driven.emitted] == [
        ("connected", None),
        ("job.created", JOB_ID),
        ("job.deleted", JOB_ID),
    ]


def test_event_types_filter_and_undecodable_data(clock: VirtualClock) -> None:
    chunks: list[Any] = [
        CONNECTED,
        sse("job.created", "not json"),
        sse("job.retried", '{"id": 5}'),
        sse("job.cancelled", '"text"'),
    ]
    flow = ev.events(settings(clock), event_types=["job.created", "job.retried"], reconnect=False)
    driven = drive(flow, [Scripted(chunks)], clock)
    assert [(e.event_type, e.data, e.job) for e in driven.emitted] == [
        ("job.created", "not json", None),
        ("job.retried", {"id": 5}, None),
    ]
    assert driven.emitted[1].job_id is None


def test_server_side_job_filter_goes_into_the_query(clock: VirtualClock) -> None:
    flow = ev.events(settings(clock), job_id=JOB_ID, reconnect=False)
    driven = drive(flow, [Scripted([CONNECTED])], clock)
    assert driven.requests[0].kwargs["params"] == {"job_id": JOB_ID}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_reconnects": -1}, "max_reconnects"),
        ({"max_reconnects": True}, "max_reconnects"),
        ({"job_types": "echo"}, "job_types"),
        ({"event_types": [""]}, "event_types"),
        ({"job_id": "nope"}, "job_id"),
    ],
)
def test_bad_arguments_are_refused_before_any_request(
    clock: VirtualClock, kwargs: dict[str, Any], field: str
) -> None:
    driven = drive(ev.events(settings(clock), **kwargs), [], clock)
    assert isinstance(driven.error, ValidationError)
    assert driven.error.field == field
    assert driven.requests == []


# ------------------------------------------------------------------------------------------
# wait


def long_poll(clock: VirtualClock, seconds: float, body: dict[str, Any]) -> Any:
    def answer(request: Any) -> httpx.Response:
        clock.advance(seconds)
        return ok(body)

    return answer


def test_wait_without_timeout_logs_each_failed_poll_and_calls_on_retry(
    clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    # Issue 13: a refused port used to loop silently; every re-poll is now visible.
    seen: list[RetryEvent] = []
    config = settings(clock, retry=RetryPolicy(on_retry=seen.append))
    replies = [refused, refused, refused, ok(wait_json("completed"))]
    with caplog.at_level(logging.INFO, logger="gopherqueue"):
        driven = drive(ops.wait(config, JOB_ID, None), replies, clock)
    assert driven.error is None
    assert driven.result.success
    assert [(e.operation, e.attempt) for e in seen] == [
        ("wait_for_job", 1),
        ("wait_for_job", 2),
        ("wait_for_job", 3),
    ]
    assert all(isinstance(e.error, APIConnectionError) for e in seen)
    polls = [r for r in caplog.records if "long-poll" in r.getMessage()]
    assert len(polls) == 3
    assert "retry 3 of no limit" in polls[-1].getMessage()
    assert driven.sleeps == [e.delay for e in seen]


def test_wait_without_timeout_stops_at_the_policys_deadline(clock: VirtualClock) -> None:
    config = settings(clock, retry=RetryPolicy(deadline=2.0))
    driven = drive(ops.wait(config, JOB_ID, None), [refused] * 6, clock)
    assert isinstance(driven.error, APIConnectionError)
    assert sum(driven.sleeps) <= 2.0


def test_wait_times_out_on_its_deadline_in_chunks(clock: VirtualClock) -> None:
    config = settings(clock, wait_chunk=10.0)
    running = wait_json("running")
    replies = [
        long_poll(clock, 10, running),
        long_poll(clock, 10, running),
        long_poll(clock, 5, running),
    ]
    driven = drive(ops.wait(config, JOB_ID, 25), replies, clock)
    assert driven.result.timed_out
    assert driven.result.state == JobState.RUNNING
    bodies = [r.kwargs["json"]["timeout"] for r in driven.requests]
    assert bodies == ["10s", "10s", "5s"]
    # Each long-poll's timeout is its chunk plus a margin: the driver's total deadline.
    assert [r.timeout.read for r in driven.requests] == [15.0, 15.0, 10.0]


def test_wait_retries_until_its_deadline_then_raises_the_last_error(clock: VirtualClock) -> None:
    def slow_refusal(request: Any) -> httpx.ConnectError:
        clock.advance(1.0)
        return refused()

    driven = drive(ops.wait(settings(clock), JOB_ID, 3), [slow_refusal] * 3, clock)
    assert isinstance(driven.error, APIConnectionError)


def test_wait_does_not_retry_what_a_get_would_not(clock: VirtualClock) -> None:
    driven = drive(ops.wait(settings(clock), JOB_ID, None), [not_found()], clock)
    assert isinstance(driven.error, JobNotFoundError)
    server_error = error(501, "not_implemented", "no")
    driven = drive(ops.wait(settings(clock), JOB_ID, None), [server_error], clock)
    assert isinstance(driven.error, ServerError)
    assert driven.sleeps == []


def test_wait_reads_the_result_of_a_job_reported_terminal_on_timeout(clock: VirtualClock) -> None:
    terminal = wait_json("completed", completed=False, success=None, result=None, timed_out=True)
    replies = [ok(terminal), ok(result_json())]
    driven = drive(ops.wait(settings(clock), JOB_ID, 0), replies, clock)
    assert driven.result.completed
    assert driven.result.result is not None


# ------------------------------------------------------------------------------------------
# watch


def test_watch_emits_each_change_and_ends_with_the_terminal_job(clock: VirtualClock) -> None:
    running = wait_json("running")
    replies = [
        ok(job_json(state="running", progress=0.1)),
        long_poll(clock, 1, running),
        ok(job_json(state="running", progress=0.1)),  # no change: not emitted
        long_poll(clock, 1, running),
        ok(job_json(state="running", progress=0.5)),
        long_poll(clock, 1, wait_json("completed")),
        ok(finished_job_json()),
        ok(result_json()),
    ]
    driven = drive(ops.watch(settings(clock), JOB_ID), replies, clock)
    assert driven.error is None
    assert [(j.state, j.progress) for j in driven.emitted] == [
        (JobState.RUNNING, 0.1),
        (JobState.RUNNING, 0.5),
        (JobState.COMPLETED, pytest.approx(driven.emitted[-1].progress)),
    ]


def test_watch_ends_at_its_timeout(clock: VirtualClock) -> None:
    running = wait_json("running")
    replies = [
        ok(job_json(state="running")),
        long_poll(clock, 1, running),
        ok(job_json(state="running")),
        long_poll(clock, 1, running),
        ok(job_json(state="running")),
    ]
    driven = drive(ops.watch(settings(clock), JOB_ID, timeout=2), replies, clock)
    assert driven.error is None
    assert len(driven.emitted) == 1
