"""Every single-request operation on BOTH clients: the request sent and the parsed result.

``submit_batch`` and ``wait`` have their own files (test_operations_batch.py,
test_operations_wait.py). Each test here runs once with ``GopherQueueSync`` and once with
``GopherQueue`` (the ``gq`` fixture), through ``httpx.MockTransport``.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from gopherqueue import (
    APIStatusError,
    ConflictError,
    ErrorCategory,
    Health,
    Job,
    JobNotFoundError,
    JobResult,
    JobState,
    NotFoundError,
    OutputDecodeError,
    Priority,
    QueueStats,
    ResultNotReadyError,
    ServerError,
    UnexpectedResponseError,
    ValidationError,
)
from tests.unit.fakes import (
    HEALTH,
    JOB_ID,
    OTHER_ID,
    STATS,
    Client,
    FakeServer,
    Sent,
    call,
    error,
    failed_result_json,
    finished_job_json,
    job_json,
    not_found,
    ok,
    raw,
    result_json,
    user_agent_prefix,
)

JOB_PATH = f"/api/v1/jobs/{JOB_ID}"


def assert_common_headers(sent: Sent, api_key: str | None = "secret-key") -> None:
    assert sent.headers["user-agent"].startswith(user_agent_prefix())
    assert sent.headers["accept"] == "application/json"
    if api_key is None:
        assert "x-api-key" not in sent.headers
    else:
        assert sent.headers["x-api-key"] == api_key


# The failed job as retry() first sees it.
FAILED_BEFORE = finished_job_json("failed", updated_at="2026-11-28T19:12:17.323585895Z")


def lost() -> httpx.ReadTimeout:
    """A request that may have reached the server but whose response never came back."""
    return httpx.ReadTimeout("timed out waiting for the response")


# ------------------------------------------------------------------------------------------
# submit


async def test_submit_positional_like_the_guide(gq: Client, server: FakeServer) -> None:
    server.script(ok(job_json(type="email"), 201))

    job = await call(gq, "submit", "email", {"to": "user@example.com"})

    sent = server.last
    assert (sent.method, sent.path) == ("POST", "/api/v1/jobs")
    assert sent.headers["content-type"] == "application/json"
    assert_common_headers(sent)
    body = sent.json
    key = body.pop("idempotency_key")
    assert body == {"type": "email", "payload": {"to": "user@example.com"}}
    assert key.startswith("gq-")
    uuid.UUID(key.removeprefix("gq-"))
    assert isinstance(job, Job)
    assert job.id == JOB_ID
    assert job.type == "email"
    assert job.state is JobState.PENDING
    assert job.state == "pending"
    assert (job.priority, job.attempt, job.max_attempts) == (2, 0, 3)
    assert job.created_at == datetime(2026, 11, 28, 19, 12, 17, 246310, tzinfo=UTC)
    assert job.tags == {}
    assert job.progress == 0.0
    assert job.scheduled_at is job.started_at is job.completed_at is job.last_error is None
    assert job.replayed is False
    assert job.result is None


async def test_submit_keywords_like_the_django_guide(gq: Client, server: FakeServer) -> None:
    server.script(ok(job_json(type="send_email", priority=1), 201))

    job = await call(
        gq,
        "submit",
        job_type="send_email",
        payload={"template": "welcome", "user_id": 7},
        priority=1,
        idempotency_key="welcome-7",
    )

    assert server.last.json == {
        "type": "send_email",
        "payload": {"template": "welcome", "user_id": 7},
        "priority": 1,
        "idempotency_key": "welcome-7",
    }
    assert job.priority == 1


@pytest.mark.parametrize(("status", "replayed"), [(201, False), (200, True)])
async def test_submit_replayed_tells_200_from_201(
    gq: Client, server: FakeServer, status: int, replayed: bool
) -> None:
    server.script(ok(job_json(), status))
    job = await call(gq, "submit", "echo", idempotency_key="k1")
    assert job.replayed is replayed


@pytest.mark.parametrize(
    ("priority", "wire"),
    [(Priority.CRITICAL, 0), (Priority.HIGH, 1), (Priority.BULK, 4), (0, 0), (3, 3)],
)
async def test_submit_priority_enum_or_int(
    gq: Client, server: FakeServer, priority: int, wire: int
) -> None:
    server.script(ok(job_json(), 201))
    await call(gq, "submit", "echo", priority=priority)
    assert b'"priority":%d' % wire in server.last.content.replace(b" ", b"")
    assert server.last.json["priority"] == wire


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (timedelta(seconds=10), "10s"),
        (timedelta(minutes=10), "10m"),
        (timedelta(hours=2), "2h"),
        (timedelta(seconds=90), "90s"),
        (timedelta(milliseconds=1500), "1500ms"),
        (timedelta(microseconds=1), "1us"),
        (timedelta(0), "0s"),
        (10, "10s"),
        (1.5, "1500ms"),
        (0.25, "250ms"),
        (600, "10m"),
        (0, "0s"),
        ("10m", "10m"),
        ("1500ms", "1500ms"),
        ("1h2m3s", "1h2m3s"),
        ("0", "0"),
    ],
)
@pytest.mark.parametrize("field", ["delay", "timeout"])
async def test_submit_durations_go_out_as_go_strings(
    gq: Client, server: FakeServer, field: str, value: Any, wire: str
) -> None:
    server.script(ok(job_json(), 201))
    await call(gq, "submit", "echo", **{field: value})
    assert server.last.json[field] == wire


async def test_submit_scheduled_at_keeps_the_callers_offset(gq: Client, server: FakeServer) -> None:
    when = datetime(2030, 1, 1, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    server.script(ok(job_json(state="delayed", scheduled_at="2030-01-01T10:00:00+02:00"), 201))

    job = await call(gq, "submit", "echo", scheduled_at=when)

    assert server.last.json["scheduled_at"] == "2030-01-01T10:00:00+02:00"
    assert job.state is JobState.DELAYED
    assert job.scheduled_at == when
    assert job.scheduled_at.utcoffset() == timedelta(hours=2)


async def test_submit_all_fields(gq: Client, server: FakeServer) -> None:
    server.script(ok(job_json(priority=1, max_attempts=5, tags={"env": "test"}), 201))

    job = await call(
        gq,
        "submit",
        "echo",
        {"n": 1},
        priority=Priority.HIGH,
        delay="1s",
        timeout=timedelta(minutes=10),
        max_attempts=5,
        idempotency_key="key-1",
        correlation_id="corr-1",
        tags={"env": "test", "team": "core"},
    )

    assert server.last.json == {
        "type": "echo",
        "payload": {"n": 1},
        "priority": 1,
        "delay": "1s",
        "timeout": "10m",
        "max_attempts": 5,
        "idempotency_key": "key-1",
        "correlation_id": "corr-1",
        "tags": {"env": "test", "team": "core"},
    }
    assert job.tags == {"env": "test"}
    assert job.max_attempts == 5


async def test_submit_empty_tags_are_not_sent(gq: Client, server: FakeServer) -> None:
    server.script(ok(job_json(), 201))
    await call(gq, "submit", "echo", tags={})
    assert "tags" not in server.last.json


@pytest.mark.parametrize("payload", [0, "", [], {}, False, "2s", [1, "a", None], 1.5])
async def test_submit_falsy_and_scalar_payloads_are_sent(
    gq: Client, server: FakeServer, payload: Any
) -> None:
    # The sleep handler only understands the JSON number 0: it must not be dropped as falsy.
    server.script(ok(job_json(), 201))
    await call(gq, "submit", "sleep", payload)
    assert server.last.json["payload"] == payload
    assert type(server.last.json["payload"]) is type(payload)


async def test_submit_without_payload_sends_none(gq: Client, server: FakeServer) -> None:
    server.script(ok(job_json(), 201))
    await call(gq, "submit", "echo")
    assert "payload" not in server.last.json


async def test_submit_generated_key_is_reused_by_every_retry(
    gq: Client, server: FakeServer
) -> None:
    # The first attempt is stored but its response lost; the retry gets the job back (200).
    server.script(lost(), error(503, "unavailable", "try later"), ok(job_json(), 200))

    job = await call(gq, "submit", "echo", {"n": 1})

    assert len(server.sent) == 3
    keys = {s.json["idempotency_key"] for s in server.sent}
    assert len(keys) == 1
    assert all(s.json == server.sent[0].json for s in server.sent)
    assert job.id == JOB_ID
    assert job.replayed is True


async def test_submit_callers_key_is_reused_by_every_retry(gq: Client, server: FakeServer) -> None:
    server.script(lost(), ok(job_json(), 200))
    await call(gq, "submit", "echo", idempotency_key="mine")
    assert [s.json["idempotency_key"] for s in server.sent] == ["mine", "mine"]


async def test_each_submit_gets_its_own_generated_key(gq: Client, server: FakeServer) -> None:
    server.script(ok(job_json(), 201), ok(job_json(id=OTHER_ID), 201))
    await call(gq, "submit", "echo")
    await call(gq, "submit", "echo")
    assert server.sent[0].json["idempotency_key"] != server.sent[1].json["idempotency_key"]


async def test_submit_without_auto_key(make_client: Any, server: FakeServer) -> None:
    client = make_client(auto_idempotency_key=False)
    server.script(ok(job_json(), 201))
    await call(client, "submit", "echo")
    assert server.last.json == {"type": "echo"}
    assert_common_headers(server.last, api_key=None)


async def test_submit_server_400_is_bad_request(gq: Client, server: FakeServer) -> None:
    server.script(error(400, "validation_error", "job type is required"))
    with pytest.raises(ValidationError) as info:
        await call(gq, "submit", "   ")
    assert info.value.field is None
    assert isinstance(info.value, APIStatusError)
    assert info.value.status_code == 400
    assert len(server.sent) == 1


# ------------------------------------------------------------------------------------------
# get


async def test_get_unfinished_job_fetches_no_result(gq: Client, server: FakeServer) -> None:
    server.script(ok(job_json(state="running", attempt=1)))

    job = await call(gq, "get", JOB_ID)

    assert [(s.method, s.path) for s in server.sent] == [("GET", JOB_PATH)]
    assert server.last.content == b""
    assert_common_headers(server.last)
    assert job.state is JobState.RUNNING
    assert not job.is_finished
    assert job.result is None
    assert job.job_result is None


async def test_get_finished_job_fetches_its_result(gq: Client, server: FakeServer) -> None:
    server.script(ok(finished_job_json()), ok(result_json()))

    job = await call(gq, "get", JOB_ID)

    assert [(s.method, s.path) for s in server.sent] == [
        ("GET", JOB_PATH),
        ("GET", f"{JOB_PATH}/result"),
    ]
    assert job.is_finished
    assert job.completed_at == datetime(2026, 11, 28, 19, 12, 17, 323585, tzinfo=UTC)
    assert job.job_result is not None
    assert job.job_result.output == b'{"hello":"world","n":1}'
    result = job.result
    assert isinstance(result, dict)
    json.dumps(result)  # JSON-serialisable, as the Django guide returns it in a JsonResponse
    assert result["output"] == {"hello": "world", "n": 1}
    assert result["success"] is True
    assert result["error"] is None
    assert result["duration"] == pytest.approx(0.000289)


@pytest.mark.parametrize("state", ["failed", "dead_letter"])
async def test_get_failed_job_result_error(gq: Client, server: FakeServer, state: str) -> None:
    server.script(
        ok(finished_job_json(state, last_error='intentional error: "boom"')),
        ok(failed_result_json()),
    )

    job = await call(gq, "get", JOB_ID)

    assert job.state == state
    assert job.last_error == 'intentional error: "boom"'
    assert job.result.get("error") == 'intentional error: "boom"'
    assert job.result["error_category"] == "temporary"
    assert job.result["output"] is None
    assert job.job_result.error_category is ErrorCategory.TEMPORARY


async def test_get_include_result_false(gq: Client, server: FakeServer) -> None:
    server.script(ok(finished_job_json()))
    job = await call(gq, "get", JOB_ID, include_result=False)
    assert len(server.sent) == 1
    assert job.state is JobState.COMPLETED
    assert job.result is None


@pytest.mark.parametrize("missing", ["result", "job"])
async def test_get_cancelled_before_running_has_no_result(
    gq: Client, server: FakeServer, missing: str
) -> None:
    # Cancelled before it ran: "result not found"; deleted in between: "job not found".
    server.script(ok(finished_job_json("cancelled", attempt=0)), not_found(missing))
    job = await call(gq, "get", JOB_ID)
    assert job.state is JobState.CANCELLED
    assert job.result is None
    assert job.job_result is None
    assert len(server.sent) == 2


async def test_get_unknown_job(gq: Client, server: FakeServer) -> None:
    server.script(not_found("job"))
    with pytest.raises(JobNotFoundError) as info:
        await call(gq, "get", JOB_ID)
    err = info.value
    assert (err.status_code, err.code, err.message) == (404, "not_found", "job not found")
    assert err.request_id == "req-1"
    assert err.method == "GET"
    assert err.url == f"http://127.0.0.1:18080{JOB_PATH}"
    assert len(server.sent) == 1


async def test_get_unknown_state_from_a_newer_server(gq: Client, server: FakeServer) -> None:
    server.script(ok(job_json(state="paused")))
    job = await call(gq, "get", JOB_ID)
    assert job.state == "paused"
    assert not job.state.is_known
    assert not job.is_finished


# ------------------------------------------------------------------------------------------
# result


async def test_result_decodes_output_and_duration(gq: Client, server: FakeServer) -> None:
    server.script(ok(result_json(completed_at="2026-11-29T00:49:32.55045653+05:30")))

    res = await call(gq, "result", JOB_ID)

    assert (server.last.method, server.last.path) == ("GET", f"{JOB_PATH}/result")
    assert_common_headers(server.last)
    assert isinstance(res, JobResult)
    assert res.job_id == JOB_ID
    assert res.success is True
    assert res.output == b'{"hello":"world","n":1}'
    assert res.text == '{"hello":"world","n":1}'
    assert res.json() == {"hello": "world", "n": 1}
    assert res.duration == timedelta(microseconds=289)
    assert res.error is None
    assert res.error_category is None
    assert res.completed_at.utcoffset() == timedelta(hours=5, minutes=30)


async def test_result_without_output(gq: Client, server: FakeServer) -> None:
    server.script(ok(result_json(output=None, duration=5004520040)))
    res = await call(gq, "result", JOB_ID)
    assert res.output == b""
    assert res.text == ""
    assert res.json() is None
    assert res.duration == timedelta(seconds=5, microseconds=4520)


async def test_result_output_that_is_not_json(gq: Client, server: FakeServer) -> None:
    server.script(ok(result_json(output="aGVsbG8gd29ybGQ=")))  # "hello world"
    res = await call(gq, "result", JOB_ID)
    assert res.text == "hello world"
    with pytest.raises(OutputDecodeError):
        res.json()
    assert res.to_dict()["output"] == "hello world"


async def test_result_of_a_failed_attempt(gq: Client, server: FakeServer) -> None:
    server.script(ok(failed_result_json(error_category="permanent", error="no handler registered")))
    res = await call(gq, "result", JOB_ID)
    assert res.success is False
    assert res.error == "no handler registered"
    assert res.error_category is ErrorCategory.PERMANENT


async def test_result_not_ready(gq: Client, server: FakeServer) -> None:
    server.script(not_found("result"))
    with pytest.raises(ResultNotReadyError) as info:
        await call(gq, "result", JOB_ID)
    assert isinstance(info.value, NotFoundError)
    assert not isinstance(info.value, JobNotFoundError)
    assert len(server.sent) == 1


async def test_result_with_bad_base64_is_unexpected(gq: Client, server: FakeServer) -> None:
    server.script(ok(result_json(output="not base64!")))
    with pytest.raises(UnexpectedResponseError) as info:
        await call(gq, "result", JOB_ID)
    assert info.value.status_code == 200


# ------------------------------------------------------------------------------------------
# cancel


async def test_cancel_sends_force_false_by_default(gq: Client, server: FakeServer) -> None:
    server.script(ok(finished_job_json("cancelled", attempt=0)))

    job = await call(gq, "cancel", JOB_ID)

    assert (server.last.method, server.last.path) == ("POST", f"{JOB_PATH}/cancel")
    assert server.last.json == {"force": False}
    assert_common_headers(server.last)
    assert job.state is JobState.CANCELLED


async def test_cancel_with_reason_and_force(gq: Client, server: FakeServer) -> None:
    server.script(ok(finished_job_json("cancelled", last_error="user asked")))
    job = await call(gq, "cancel", JOB_ID, reason="user asked", force=True)
    assert server.last.json == {"reason": "user asked", "force": True}
    assert job.last_error == "user asked"


async def test_cancel_finished_job_is_a_conflict(gq: Client, server: FakeServer) -> None:
    server.script(error(409, "conflict", "job cannot be cancelled"))
    with pytest.raises(ConflictError) as info:
        await call(gq, "cancel", JOB_ID)
    assert info.value.status_code == 409
    assert info.value.code == "conflict"
    assert len(server.sent) == 1  # never retried, no follow-up get


async def test_cancel_conflict_after_a_lost_response_is_our_own_cancel(
    gq: Client, server: FakeServer
) -> None:
    server.script(
        lost(),
        error(409, "conflict", "job cannot be cancelled"),
        ok(finished_job_json("cancelled", attempt=0)),
    )

    job = await call(gq, "cancel", JOB_ID, reason="r")

    assert [(s.method, s.path) for s in server.sent] == [
        ("POST", f"{JOB_PATH}/cancel"),
        ("POST", f"{JOB_PATH}/cancel"),
        ("GET", JOB_PATH),
    ]
    assert job.state is JobState.CANCELLED


async def test_cancel_conflict_after_a_lost_response_on_a_job_that_finished(
    gq: Client, server: FakeServer
) -> None:
    server.script(
        lost(), error(409, "conflict", "job cannot be cancelled"), ok(finished_job_json())
    )
    with pytest.raises(ConflictError):
        await call(gq, "cancel", JOB_ID)
    assert len(server.sent) == 3


async def test_cancel_conflict_after_a_connect_error_is_a_conflict(
    gq: Client, server: FakeServer
) -> None:
    # A connect error means the first attempt never reached the server: nothing to recognise.
    server.script(httpx.ConnectError("refused"), error(409, "conflict", "job cannot be cancelled"))
    with pytest.raises(ConflictError):
        await call(gq, "cancel", JOB_ID)
    assert [s.method for s in server.sent] == ["POST", "POST"]


async def test_cancel_unknown_job(gq: Client, server: FakeServer) -> None:
    server.script(not_found("job"))
    with pytest.raises(JobNotFoundError):
        await call(gq, "cancel", JOB_ID)


@pytest.mark.parametrize(("kwargs", "field"), [({"reason": 5}, "reason"), ({"force": 1}, "force")])
async def test_cancel_argument_checks(
    gq: Client, server: FakeServer, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        await call(gq, "cancel", JOB_ID, **kwargs)
    assert info.value.field == field
    assert server.sent == []


# ------------------------------------------------------------------------------------------
# retry


@pytest.mark.parametrize("reset", [False, True])
async def test_retry_failed_job(gq: Client, server: FakeServer, reset: bool) -> None:
    # The job is looked at first (see the lost-response tests below), then retried.
    server.script(ok(FAILED_BEFORE), ok(job_json(attempt=0 if reset else 1)))

    job = await call(gq, "retry", JOB_ID, reset_attempts=reset)

    assert [(s.method, s.path) for s in server.sent] == [
        ("GET", JOB_PATH),
        ("POST", f"{JOB_PATH}/retry"),
    ]

    assert (server.last.method, server.last.path) == ("POST", f"{JOB_PATH}/retry")
    assert server.last.json == {"reset_attempts": reset}
    assert_common_headers(server.last)
    assert job.state is JobState.PENDING


async def test_retry_of_a_job_that_is_not_failed_is_a_conflict_with_status_500(
    gq: Client, server: FakeServer
) -> None:
    server.script(
        ok(finished_job_json("completed")),
        error(500, "internal_error", "job cannot be cancelled in current state"),
    )
    with pytest.raises(ConflictError) as info:
        await call(gq, "retry", JOB_ID)
    err = info.value
    assert err.status_code == 500
    assert err.code == "internal_error"
    assert not isinstance(err, ServerError)
    assert "retried" in err.message
    assert [s.method for s in server.sent] == ["GET", "POST"]  # a refusal is not retried


async def test_retry_refused_after_a_lost_response_is_our_own_retry(
    gq: Client, server: FakeServer
) -> None:
    # The lost retry was applied: the job changed since it was first looked at, so the SDK
    # returns it instead of re-sending (a re-send could run the job twice).
    server.script(ok(FAILED_BEFORE), lost(), ok(job_json(state="scheduled", attempt=1)))
    job = await call(gq, "retry", JOB_ID)
    assert [s.method for s in server.sent] == ["GET", "POST", "GET"]
    assert job.state is JobState.SCHEDULED


async def test_retry_lost_after_a_fast_rerun_failed_again_is_not_resent(
    gq: Client, server: FakeServer
) -> None:
    failed_again = finished_job_json("dead_letter", attempt=2, updated_at="2026-11-28T19:13:00Z")
    server.script(ok(FAILED_BEFORE), lost(), ok(failed_again))
    job = await call(gq, "retry", JOB_ID)
    assert [s.method for s in server.sent] == ["GET", "POST", "GET"]
    assert (job.state, job.attempt) == (JobState.DEAD_LETTER, 2)


async def test_retry_lost_before_the_server_acted_is_resent(gq: Client, server: FakeServer) -> None:
    server.script(ok(FAILED_BEFORE), lost(), ok(FAILED_BEFORE), ok(job_json(attempt=1)))
    job = await call(gq, "retry", JOB_ID)
    assert [s.method for s in server.sent] == ["GET", "POST", "GET", "POST"]
    assert job.state is JobState.PENDING


async def test_retry_refused_after_a_lost_response_but_still_failed(
    gq: Client, server: FakeServer
) -> None:
    # Unchanged at the re-check, re-sent, refused; and still failed afterwards: a conflict.
    server.script(
        ok(FAILED_BEFORE),
        lost(),
        ok(FAILED_BEFORE),
        error(500, "internal_error", "job cannot be cancelled in current state"),
        ok(FAILED_BEFORE),
    )
    with pytest.raises(ConflictError):
        await call(gq, "retry", JOB_ID)


async def test_retry_other_500_is_a_server_error_and_not_repeated(
    gq: Client, server: FakeServer
) -> None:
    server.script(ok(FAILED_BEFORE), error(500, "internal_error", "disk full"))
    with pytest.raises(ServerError) as info:
        await call(gq, "retry", JOB_ID)
    assert not isinstance(info.value, ConflictError)
    assert [s.method for s in server.sent] == ["GET", "POST"]


async def test_retry_unknown_job(gq: Client, server: FakeServer) -> None:
    server.script(not_found("job"))
    with pytest.raises(JobNotFoundError):
        await call(gq, "retry", JOB_ID)


async def test_retry_reset_attempts_must_be_bool(gq: Client, server: FakeServer) -> None:
    with pytest.raises(ValidationError) as info:
        await call(gq, "retry", JOB_ID, reset_attempts="yes")
    assert info.value.field == "reset_attempts"
    assert server.sent == []


# ------------------------------------------------------------------------------------------
# delete


async def test_delete_204(gq: Client, server: FakeServer) -> None:
    server.script(raw(204))
    assert await call(gq, "delete", JOB_ID) is None
    assert (server.last.method, server.last.path) == ("DELETE", JOB_PATH)
    assert_common_headers(server.last)


async def test_delete_answered_200_with_a_body_is_not_a_delete(
    gq: Client, server: FakeServer
) -> None:
    # DELETE /api/v1 answers 200 with the API info; only 204 means deleted.
    server.script(ok({"name": "GopherQueue API", "version": "1.0.0"}))
    with pytest.raises(UnexpectedResponseError) as info:
        await call(gq, "delete", JOB_ID)
    assert info.value.status_code == 200


async def test_delete_unknown_job(gq: Client, server: FakeServer) -> None:
    server.script(not_found("job"))
    with pytest.raises(JobNotFoundError):
        await call(gq, "delete", JOB_ID)
    assert len(server.sent) == 1


async def test_delete_404_after_a_lost_response_is_success(gq: Client, server: FakeServer) -> None:
    server.script(lost(), not_found("job"))
    assert await call(gq, "delete", JOB_ID) is None
    assert [s.method for s in server.sent] == ["DELETE", "DELETE"]


async def test_delete_404_after_a_connect_error_is_not_found(
    gq: Client, server: FakeServer
) -> None:
    server.script(httpx.ConnectError("refused"), not_found("job"))
    with pytest.raises(JobNotFoundError):
        await call(gq, "delete", JOB_ID)


# ------------------------------------------------------------------------------------------
# list


async def test_list_without_filters(gq: Client, server: FakeServer) -> None:
    server.script(
        ok({"count": 2, "jobs": [finished_job_json(), job_json(id=OTHER_ID, tags={"k": "v"})]})
    )

    jobs = await call(gq, "list")

    assert (server.last.method, server.last.path) == ("GET", "/api/v1/jobs")
    assert server.last.params == {}
    assert_common_headers(server.last)
    assert [j.id for j in jobs] == [JOB_ID, OTHER_ID]
    assert all(isinstance(j, Job) for j in jobs)
    assert jobs[1].tags == {"k": "v"}
    assert jobs[0].result is None  # list never fetches results


@pytest.mark.parametrize(
    ("kwargs", "params"),
    [
        ({"state": JobState.COMPLETED}, {"state": "completed"}),
        ({"state": "retrying"}, {"state": "retrying"}),
        ({"job_type": "sleep"}, {"type": "sleep"}),
        ({"state": "dead_letter", "job_type": "error"}, {"state": "dead_letter", "type": "error"}),
    ],
)
async def test_list_filters(
    gq: Client, server: FakeServer, kwargs: dict[str, Any], params: dict[str, str]
) -> None:
    server.script(ok({"count": 0, "jobs": []}))
    assert await call(gq, "list", **kwargs) == []
    assert server.last.params == params


@pytest.mark.parametrize(
    ("kwargs", "field"), [({"state": 3}, "state"), ({"job_type": ""}, "job_type")]
)
async def test_list_argument_checks(
    gq: Client, server: FakeServer, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        await call(gq, "list", **kwargs)
    assert info.value.field == field
    assert server.sent == []


# ------------------------------------------------------------------------------------------
# stats, health, ready, live


async def test_stats(gq: Client, server: FakeServer) -> None:
    server.script(ok(STATS))

    stats = await call(gq, "stats")

    assert (server.last.method, server.last.path) == ("GET", "/api/v1/stats")
    assert_common_headers(server.last)
    assert isinstance(stats, QueueStats)
    assert (stats.pending, stats.running, stats.dead_letter, stats.total_jobs) == (1, 3, 7, 40)
    assert stats.storage_bytes == 32768
    assert stats.timestamp.tzinfo is not None
    workers = stats.workers
    assert workers.processing_ids == []
    assert workers.uptime == timedelta(seconds=9, microseconds=268722)
    assert workers.avg_processing_time == timedelta(microseconds=1)
    assert workers.max_processing_time == timedelta(milliseconds=2)
    assert workers.healthy is True


async def test_stats_with_processing_ids(gq: Client, server: FakeServer) -> None:
    body = json.loads(json.dumps(STATS))
    body["workers"]["processing_ids"] = [JOB_ID]
    server.script(ok(body))
    stats = await call(gq, "stats")
    assert stats.workers.processing_ids == [JOB_ID]


async def test_health(gq: Client, server: FakeServer) -> None:
    server.script(ok(HEALTH))

    health = await call(gq, "health")

    assert (server.last.method, server.last.path) == ("GET", "/health")
    assert_common_headers(server.last)
    assert isinstance(health, Health)
    assert health.healthy is True
    assert set(health.components) == {"scheduler", "store", "workers"}
    assert health.components["store"].latency == timedelta(microseconds=21)
    assert health.components["scheduler"].latency is None
    assert health.components["workers"].message == "0/4 active"
    assert health.timestamp.utcoffset() == timedelta(hours=5, minutes=30)


async def test_unhealthy_503_report_is_returned(gq: Client, server: FakeServer) -> None:
    body = {**HEALTH, "healthy": False}
    body["components"] = {"store": {"healthy": False, "message": "bolt: timeout"}}
    server.script(ok(body, 503))

    health = await call(gq, "health")

    assert health.healthy is False
    assert health.components["store"].message == "bolt: timeout"
    assert len(server.sent) == 1  # not retried


@pytest.mark.parametrize(
    "response",
    [
        error(503, "unavailable", "shutting down"),
        raw(503, b"<html>Service Unavailable</html>", "text/html"),
        error(500, "internal_error", "boom"),
    ],
)
async def test_health_failure_without_a_report_raises(
    gq: Client, server: FakeServer, response: httpx.Response
) -> None:
    server.script(response)
    with pytest.raises(ServerError):
        await call(gq, "health")
    assert len(server.sent) == 1


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("ready", "/ready", {"ready": True}), ("live", "/live", {"alive": True})],
)
async def test_probes_true(
    gq: Client, server: FakeServer, method: str, path: str, body: dict[str, bool]
) -> None:
    server.script(ok(body))
    assert await call(gq, method) is True
    assert (server.last.method, server.last.path) == ("GET", path)
    assert_common_headers(server.last)


@pytest.mark.parametrize("method", ["ready", "live"])
@pytest.mark.parametrize(
    "response", [ok({"ready": False, "alive": False}, 503), raw(503, b"down", "text/plain")]
)
async def test_probes_false_on_503(
    gq: Client, server: FakeServer, method: str, response: httpx.Response
) -> None:
    server.script(response)
    assert await call(gq, method) is False
    assert len(server.sent) == 1


@pytest.mark.parametrize("method", ["ready", "live"])
async def test_probes_false_when_the_body_says_so(
    gq: Client, server: FakeServer, method: str
) -> None:
    server.script(ok({"ready": False, "alive": False}))
    assert await call(gq, method) is False


@pytest.mark.parametrize("method", ["ready", "live"])
async def test_probes_raise_on_other_errors(gq: Client, server: FakeServer, method: str) -> None:
    server.script(error(500, "internal_error", "boom"))
    with pytest.raises(ServerError):
        await call(gq, method)


# ------------------------------------------------------------------------------------------
# Job ids: refused before any request, or canonicalised in the URL

ID_OPERATIONS = ["get", "result", "wait", "cancel", "retry", "delete"]


@pytest.mark.parametrize(
    "bad_id",
    [
        "..",
        ".",
        "a/b",
        "",
        "../stats",
        f"{JOB_ID}/result",
        "not-a-uuid",
        f"{JOB_ID}?x=1",
        f"{JOB_ID}%2F",
        " " + JOB_ID + "/..",
        None,
        123,
        12.5,
        b"5e1b47c8-2930-4e1f-9181-200d59659ff0",
        [JOB_ID],
    ],
    ids=repr,
)
async def test_bad_job_ids_are_refused_before_any_request(
    gq: Client, server: FakeServer, bad_id: Any
) -> None:
    # The fake server fails the test on any request.
    for method in ID_OPERATIONS:
        with pytest.raises(ValidationError) as info:
            await call(gq, method, bad_id)
        assert info.value.field == "job_id", method
        assert not isinstance(info.value, APIStatusError)
    assert server.sent == []


ID_FORMS = [
    JOB_ID.upper(),
    "{" + JOB_ID + "}",
    "urn:uuid:" + JOB_ID,
    JOB_ID.replace("-", ""),
    uuid.UUID(JOB_ID),
]


@pytest.mark.parametrize(
    ("method", "answer", "suffix"),
    [
        ("get", ok(job_json()), ""),
        ("result", ok(result_json()), "/result"),
        ("wait", ok({"id": JOB_ID, "state": "completed", "completed": True}), "/wait"),
        ("cancel", ok(finished_job_json("cancelled")), "/cancel"),
        ("retry", ok(job_json()), "/retry"),
        ("delete", raw(204), ""),
    ],
)
async def test_job_ids_are_canonicalised_in_the_url(
    gq: Client, server: FakeServer, method: str, answer: httpx.Response, suffix: str
) -> None:
    # Uppercase, braced, urn:uuid:, undashed and uuid.UUID all reach the canonical URL.
    server.default = answer
    for given in ID_FORMS:
        await call(gq, method, given)
    # retry() looks at the job (GET) before it posts; only the POSTs matter here.
    sent = [s for s in server.sent if method != "retry" or s.method == "POST"]
    assert [s.request.url.raw_path.decode() for s in sent] == [f"{JOB_PATH}{suffix}"] * 5
    assert all(s.request.url.raw_path.decode().startswith(JOB_PATH) for s in server.sent)
