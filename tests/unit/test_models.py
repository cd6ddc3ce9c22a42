"""The public models (``_models``): built from the generated models, with ``None`` for omitted
fields, decoded output, timedeltas for nanoseconds, and enums that accept unknown values."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from gopherqueue import (
    BatchItem,
    BatchResult,
    ErrorCategory,
    Health,
    Job,
    JobResult,
    JobState,
    OutputDecodeError,
    Priority,
    QueueStats,
    WaitResult,
)
from gopherqueue_api.models.batch_response import BatchResponse as RawBatchResponse
from gopherqueue_api.models.health import Health as RawHealth
from gopherqueue_api.models.job import Job as RawJob
from gopherqueue_api.models.job_result import JobResult as RawJobResult
from gopherqueue_api.models.stats import Stats as RawStats
from gopherqueue_api.models.wait_response import WaitResponse as RawWaitResponse
from tests.unit.fakes import (
    HEALTH,
    JOB_ID,
    OTHER_ID,
    STATS,
    failed_result_json,
    finished_job_json,
    job_json,
    result_json,
    wait_json,
)


def job(**overrides: object) -> Job:
    return Job.from_api(RawJob.from_dict(job_json(**overrides)))


def job_result(**overrides: object) -> JobResult:
    return JobResult.from_api(RawJobResult.from_dict(result_json(**overrides)))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# ------------------------------------------------------------------------------------------
# Enums


def test_job_state_values_and_terminal_states() -> None:
    assert [s.value for s in JobState] == [
        "pending",
        "scheduled",
        "running",
        "delayed",
        "retrying",
        "completed",
        "failed",
        "dead_letter",
        "cancelled",
    ]
    terminal = {s for s in JobState if s.is_terminal}
    assert terminal == {
        JobState.COMPLETED,
        JobState.FAILED,
        JobState.DEAD_LETTER,
        JobState.CANCELLED,
    }
    assert all(s.is_known for s in JobState)
    assert JobState("completed") is JobState.COMPLETED
    assert JobState.COMPLETED == "completed"
    assert str(JobState.DEAD_LETTER) == "dead_letter"


def test_unknown_job_state_from_a_newer_server() -> None:
    state = JobState("paused")
    assert state == "paused"
    assert state.value == "paused"
    assert state.name == "PAUSED"
    assert not state.is_known
    assert not state.is_terminal
    assert JobState("") == ""
    assert JobState("").name == "EMPTY"
    with pytest.raises(ValueError, match="JobState"):
        JobState(5)  # type: ignore[arg-type]


def test_error_category() -> None:
    assert {c.value for c in ErrorCategory} == {"temporary", "permanent", "timeout"}
    assert ErrorCategory("temporary") is ErrorCategory.TEMPORARY
    assert ErrorCategory("fatal") == "fatal"
    assert not ErrorCategory("fatal").is_known


def test_priority() -> None:
    assert [(p.name, int(p)) for p in Priority] == [
        ("CRITICAL", 0),
        ("HIGH", 1),
        ("NORMAL", 2),
        ("LOW", 3),
        ("BULK", 4),
    ]
    assert Priority.CRITICAL < Priority.BULK  # lower runs first
    assert Priority(1) is Priority.HIGH


# ------------------------------------------------------------------------------------------
# Job


def test_job_minimal_has_none_for_omitted_fields() -> None:
    j = job()
    assert (j.id, j.type, j.state) == (JOB_ID, "echo", JobState.PENDING)
    assert j.progress == 0.0
    assert j.progress_message is None
    assert j.tags == {}
    assert j.scheduled_at is None
    assert j.started_at is None
    assert j.completed_at is None
    assert j.last_error is None
    assert j.job_result is None
    assert j.result is None
    assert j.replayed is False
    assert j.raw is not None
    assert j.created_at == datetime(2026, 11, 28, 19, 12, 17, 246310, tzinfo=UTC)
    assert j.updated_at.tzinfo is not None


def test_job_with_every_field() -> None:
    j = job(
        state="failed",
        progress=42.5,
        progress_message="half way",
        tags={"env": "prod"},
        scheduled_at="2030-01-01T10:00:00+02:00",
        started_at="2026-11-28T19:12:17.323284515Z",
        completed_at="2026-11-28T19:12:18Z",
        last_error="boom",
        attempt=3,
        max_attempts=3,
    )
    assert j.progress == 42.5
    assert j.progress_message == "half way"
    assert j.tags == {"env": "prod"}
    assert j.scheduled_at is not None
    assert j.scheduled_at.utcoffset() == timedelta(hours=2)
    assert j.started_at == datetime(2026, 11, 28, 19, 12, 17, 323284, tzinfo=UTC)
    assert j.completed_at == datetime(2026, 11, 28, 19, 12, 18, tzinfo=UTC)
    assert j.last_error == "boom"
    assert j.is_finished


def test_job_keeps_fields_a_newer_server_adds() -> None:
    j = job(worker_id="w-1")
    assert j.raw is not None
    assert j.raw.additional_properties == {"worker_id": "w-1"}


def test_job_equality_ignores_the_raw_model_and_models_are_frozen() -> None:
    assert job() == job()
    assert job() != job(id=OTHER_ID)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        job().state = JobState.RUNNING  # type: ignore[misc]


def test_job_result_property_is_a_json_serialisable_dict() -> None:
    finished = Job.from_api(RawJob.from_dict(finished_job_json()), job_result=job_result())
    assert finished.result == {
        "job_id": JOB_ID,
        "success": True,
        "output": {"hello": "world", "n": 1},
        "error": None,
        "error_category": None,
        "duration": 0.000289,
        "completed_at": "2026-11-28T19:12:17.323503+00:00",
    }
    json.dumps(finished.result)


# ------------------------------------------------------------------------------------------
# JobResult


@pytest.mark.parametrize(
    ("output", "as_json", "in_dict"),
    [
        (b'{"a":[1,2]}', {"a": [1, 2]}, {"a": [1, 2]}),
        (b"42", 42, 42),
        (b'"text"', "text", "text"),
        (b"null", None, None),
    ],
)
def test_json_output(output: bytes, as_json: object, in_dict: object) -> None:
    res = job_result(output=b64(output))
    assert res.output == output
    assert res.json() == as_json
    assert res.to_dict()["output"] == in_dict


def test_text_output_that_is_not_json() -> None:
    res = job_result(output=b64("h\u00e9llo".encode()))
    assert res.text == "h\u00e9llo"
    with pytest.raises(OutputDecodeError, match=JOB_ID):
        res.json()
    assert res.to_dict()["output"] == "h\u00e9llo"


def test_binary_output() -> None:
    data = bytes(range(256))
    res = job_result(output=b64(data))
    assert res.output == data
    assert "\ufffd" in res.text
    with pytest.raises(ValueError, match="not JSON"):
        res.json()
    assert res.to_dict()["output"] == b64(data)
    json.dumps(res.to_dict())


def test_no_output() -> None:
    res = job_result(output=None)
    assert res.output == b""
    assert res.text == ""
    assert res.json() is None
    assert res.to_dict()["output"] is None


def test_failed_result() -> None:
    res = JobResult.from_api(RawJobResult.from_dict(failed_result_json()))
    assert res.success is False
    assert res.error == 'intentional error: "boom"'
    assert res.error_category is ErrorCategory.TEMPORARY
    assert res.duration == timedelta(microseconds=5449)
    assert res.to_dict()["error_category"] == "temporary"


def test_result_keeps_the_servers_offset() -> None:
    res = job_result(completed_at="2026-11-29T00:49:32.55045653+05:30")
    assert res.completed_at.utcoffset() == timedelta(hours=5, minutes=30)
    assert res.to_dict()["completed_at"] == "2026-11-29T00:49:32.550456+05:30"


def test_bad_base64_output_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="base64"):
        job_result(output="not base64!")


# ------------------------------------------------------------------------------------------
# WaitResult


def test_wait_result_completed() -> None:
    w = WaitResult.from_api(RawWaitResponse.from_dict(wait_json("completed")))
    assert (w.job_id, w.state, w.completed, w.success, w.timed_out) == (
        JOB_ID,
        JobState.COMPLETED,
        True,
        True,
        False,
    )
    assert w.result is not None
    assert w.result.output == b'{"hello":"world","n":1}'


def test_wait_result_omitted_fields_are_false_or_none() -> None:
    # The server omits success/timed_out when false and result when there is none.
    w = WaitResult.from_api(
        RawWaitResponse.from_dict({"id": JOB_ID, "state": "cancelled", "completed": True})
    )
    assert (w.success, w.timed_out, w.result) == (False, False, None)
    t = WaitResult.from_api(RawWaitResponse.from_dict(wait_json("running")))
    assert (t.completed, t.success, t.timed_out, t.result) == (False, False, True, None)


# ------------------------------------------------------------------------------------------
# BatchResult

ZERO_JOB = job_json(
    id="",
    type="",
    state="",
    priority=0,
    max_attempts=0,
    created_at="0001-01-01T00:00:00Z",
    updated_at="0001-01-01T00:00:00Z",
)


def test_batch_result_from_api_with_offset() -> None:
    raw = RawBatchResponse.from_dict(
        {
            "total": 3,
            "accepted": 1,
            "rejected": 2,
            "results": [
                {"index": 0, "success": True, "job": job_json()},
                {"index": 1, "success": False, "job": ZERO_JOB, "error": "job type is required"},
                {
                    "index": 2,
                    "success": False,
                    "job": job_json(id=OTHER_ID),
                    "error": "job already exists",
                },
            ],
        }
    )

    result = BatchResult.from_api(raw, offset=1000)

    assert (result.total, result.accepted, result.rejected) == (3, 1, 2)
    assert [i.index for i in result.results] == [1000, 1001, 1002]
    assert result.results[1] == BatchItem(
        index=1001, success=False, job=None, error="job type is required"
    )
    assert result.results[2].job is None  # the never-stored job is not shown either
    assert [j.id for j in result.jobs] == [JOB_ID]
    assert [i.index for i in result.errors] == [1001, 1002]
    assert result.results[0].error is None


# ------------------------------------------------------------------------------------------
# QueueStats, Health


def test_queue_stats_from_api() -> None:
    stats = QueueStats.from_api(RawStats.from_dict(STATS))
    assert stats.total_jobs == 40
    assert stats.workers.uptime == timedelta(seconds=9, microseconds=268722)
    assert stats.workers.processing_ids == []
    assert stats.raw is not None


def test_health_from_api() -> None:
    health = Health.from_api(RawHealth.from_dict(HEALTH))
    assert health.healthy is True
    assert health.components["store"].latency == timedelta(microseconds=21)
    assert health.components["store"].message is None
    assert health.components["workers"].message == "0/4 active"
    assert health.components["workers"].latency is None
