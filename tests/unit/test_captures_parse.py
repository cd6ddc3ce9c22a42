"""Every recorded real-server response (tests/captures) through the real client operation on
BOTH clients: the fake server answers the capture's status, headers and body, and

* a 2xx reply parses into the public models, field by field equal to the capture's JSON;
* an error reply maps to the exception class listed in ``EXPECTED_ERRORS``;
* a reply that never came (curl rc 52: the server's 30 s write timeout) is a connection error.

Responses no client operation reads (``/metrics``, ``/api/v1``) go through ``client.raw`` and
the generated endpoint functions.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from gopherqueue import (
    APIConnectionError,
    APIStatusError,
    BadRequestError,
    BatchConflictError,
    BatchResult,
    ConflictError,
    GopherQueueError,
    GopherQueueSync,
    Health,
    Job,
    JobNotFoundError,
    JobResult,
    NotFoundError,
    QueueStats,
    ResultNotReadyError,
    UnexpectedResponseError,
    WaitResult,
)
from gopherqueue_api.api.health import get_api_info, get_metrics
from gopherqueue_api.models.api_info import ApiInfo
from gopherqueue_api.models.metrics import Metrics
from tests.captures import Capture, load, load_all
from tests.unit.fakes import BASE_URL, JOB_ID, Client, FakeServer, call, finished_job_json, ok

CAPTURES = load_all()
RAW_ONLY = {"metrics", "api_info"}

# Every capture whose reply is not a 2xx, with the exception the client must raise for it.
EXPECTED_ERRORS: dict[str, type[GopherQueueError]] = {
    "007_unknown_api_path": NotFoundError,
    "008_unknown_root_path": UnexpectedResponseError,  # Go's text/plain 404
    "011_jobs_trailing_slash": BadRequestError,
    "012_malformed_uuid": BadRequestError,
    "013_unknown_uuid": JobNotFoundError,
    "031_result_before_completion": ResultNotReadyError,
    "036_submit_sleep_unquoted_2s_invalid_json": BadRequestError,
    "071_wait_default_no_body_on_stuck_retrying": APIConnectionError,
    "072_wait_timeout_45s_on_stuck_retrying": APIConnectionError,
    "074_wait_GET_timeout_31s_on_stuck_retrying": APIConnectionError,
    "079_wait_DELETE_method": APIStatusError,
    "080_wait_unknown_uuid": JobNotFoundError,
    "080b_wait_unknown_uuid_timeout_0s": JobNotFoundError,
    "092_submit_scheduled_at_bad_format": BadRequestError,
    "116_submit_priority_string": BadRequestError,
    "120_submit_missing_type": BadRequestError,
    "121_submit_empty_type": BadRequestError,
    "122_submit_invalid_json": BadRequestError,
    "123_submit_empty_body": BadRequestError,
    "128_jobs_PUT_method": APIStatusError,
    "130_submit_array_body": BadRequestError,
    "157_list_jobs_DELETE": APIStatusError,
    "162_batch_atomic_missing_type": BadRequestError,
    "164_batch_empty_jobs": BadRequestError,
    "165_batch_no_jobs_key": BadRequestError,
    "166_batch_invalid_json": BadRequestError,
    "167_batch_GET_method": APIStatusError,
    "168_batch_1001_jobs": BadRequestError,
    "169_batch_top_level_array": BadRequestError,
    "171_batch_atomic_idem_conflict_partial": BatchConflictError,
    "188_get_deleted_running_after_finish": JobNotFoundError,
    "189_result_deleted_running_after_finish": ResultNotReadyError,
    "206_cancel_already_cancelled_P": ConflictError,
    "207_cancel_completed_job": ConflictError,
    "208_cancel_unknown": JobNotFoundError,
    "209_cancel_GET_method": APIStatusError,
    "210_cancel_invalid_json_body": ConflictError,
    "222_retry_completed_job": ConflictError,  # the server's mislabelled 500
    "223_retry_retrying_stuck_job": ConflictError,
    "224_retry_unknown": JobNotFoundError,
    "225_retry_GET_method": APIStatusError,
    "226_retry_cancelled_job": ConflictError,
    "231_delete_again_404": JobNotFoundError,
    "232_get_deleted_404": JobNotFoundError,
    "233_result_deleted_404": ResultNotReadyError,
    "237_result_P_cancelled": ResultNotReadyError,
    "240_options_with_origin": APIStatusError,
    "241_options_no_origin": APIStatusError,
    "243_options_events": APIStatusError,
    "249_dotdot_path_as_is": UnexpectedResponseError,  # 301 text/html
    "250_encoded_slash_in_id": BadRequestError,
    "251_unknown_subresource": NotFoundError,
    "253_job_PUT_method": APIStatusError,
    "254_result_POST_method": APIStatusError,
    "255_stats_POST_method": APIStatusError,
    "256_events_POST_method": APIStatusError,
    "257_double_slash": UnexpectedResponseError,
    "259_dotdot_in_id": UnexpectedResponseError,
    "261_job_POST_method": APIStatusError,
}


def is_error(cap: Capture) -> bool:
    if cap.is_summary:
        return False  # 262: only the body was recorded (a created job)
    return cap.status is None or not 200 <= cap.status < 300


def status_of(cap: Capture) -> int:
    # 262 summarises an 11 MiB submit and records the body only: it was a created job.
    return 201 if cap.is_summary else int(cap.status or 0)


def reply_for(cap: Capture) -> Any:
    """What the fake server answers: the capture's reply, or a dropped connection."""
    if cap.status is None and not cap.is_summary:
        return httpx.RemoteProtocolError("Server disconnected without sending a response.")
    headers = [
        (k, v)
        for k, v in cap.response_headers.raw
        if k.lower() not in ("content-length", "transfer-encoding")
    ]
    if cap.is_summary:
        headers = [("Content-Type", "application/json")]
    return httpx.Response(status_of(cap), headers=headers, content=cap.response_body)


def batch_items(cap: Capture) -> tuple[list[dict[str, Any]], bool]:
    """As many items as the captured batch had (each with its own key, so the client never
    resolves "already exists" items through single submits), and its ``atomic`` flag."""
    atomic = False
    count = 2
    try:
        sent = cap.request_json()
    except ValueError:
        sent = None  # 174's 1000-item request body was recorded shortened
    if isinstance(sent, dict):
        atomic = bool(sent.get("atomic", False))
        if isinstance(sent.get("jobs"), list) and sent["jobs"]:
            count = len(sent["jobs"])
    if not is_error(cap):
        count = cap.json()["total"]
    return [{"type": "echo", "idempotency_key": f"cap-{i}"} for i in range(count)], atomic


def client_call(cap: Capture) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
    """The client operation that sends the capture's request."""
    op = cap.operation
    if op == "submit_job":
        return "submit", ("echo",), {}
    if op == "list_jobs":
        return "list", (), {}
    if op == "submit_batch":
        items, atomic = batch_items(cap)
        return "submit_batch", (items,), {"atomic": atomic}
    if op == "get_job" or op is None:
        # Captures of no operation (405s, redirects, unknown paths) answer a get here.
        return "get", (JOB_ID,), {"include_result": False}
    if op == "delete_job":
        return "delete", (JOB_ID,), {}
    if op == "wait_for_job":
        return "wait", (JOB_ID,), {"timeout": 0}
    if op == "cancel_job":
        return "cancel", (JOB_ID,), {}
    if op == "retry_job":
        return "retry", (JOB_ID,), {}
    if op == "get_job_result":
        return "result", (JOB_ID,), {}
    if op == "get_stats":
        return "stats", (), {}
    if op in ("health", "ready", "live"):
        return op, (), {}
    raise AssertionError(f"{cap.name}: no client operation for {op!r}")


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


def ns(value: int) -> timedelta:
    return timedelta(microseconds=value // 1000)


def check_job(job: Job | None, body: dict[str, Any]) -> None:
    assert isinstance(job, Job)
    assert job.id == body["id"]
    assert job.type == body["type"]
    assert job.state == body["state"]
    assert job.state.is_known
    assert (job.priority, job.attempt, job.max_attempts) == (
        body["priority"],
        body["attempt"],
        body["max_attempts"],
    )
    assert job.created_at == ts(body["created_at"])
    assert job.updated_at == ts(body["updated_at"])
    for name in ("scheduled_at", "started_at", "completed_at"):
        expected = ts(body[name]) if name in body else None
        assert getattr(job, name) == expected, name
    assert job.tags == body.get("tags", {})
    assert job.last_error == body.get("last_error")
    assert job.progress == body.get("progress", 0.0)


def check_result(res: JobResult | None, body: dict[str, Any]) -> None:
    assert isinstance(res, JobResult)
    assert res.job_id == body["job_id"]
    assert res.success is body["success"]
    assert res.output == base64.b64decode(body.get("output", ""))
    assert res.error == body.get("error")
    assert res.error_category == body.get("error_category")
    assert res.duration == ns(body["duration"])
    assert res.completed_at == ts(body["completed_at"])
    json.dumps(res.to_dict())


def check(cap: Capture, operation: str, value: Any) -> None:
    """The parsed ``value`` against the capture's JSON."""
    body = cap.json() if cap.response_body else None
    if operation in ("submit", "get", "cancel", "retry"):
        check_job(value, body)
        if operation == "submit":
            assert value.replayed is (status_of(cap) == 200)
    elif operation == "list":
        assert isinstance(value, list)
        assert len(value) == body["count"] == len(body["jobs"])
        for job, raw in zip(value, body["jobs"], strict=True):
            check_job(job, raw)
    elif operation == "submit_batch":
        assert isinstance(value, BatchResult)
        assert (value.total, value.accepted, value.rejected) == (
            body["total"],
            body["accepted"],
            body["rejected"],
        )
        for item, raw in zip(value.results, body["results"], strict=True):
            assert (item.index, item.success, item.error) == (
                raw["index"],
                raw["success"],
                raw.get("error"),
            )
            if raw["success"]:
                check_job(item.job, raw["job"])
            else:
                assert item.job is None  # never the zero-valued or never-stored job
    elif operation == "result":
        check_result(value, body)
    elif operation == "wait":
        assert isinstance(value, WaitResult)
        assert value.state == body["state"]
        assert value.completed is body["completed"]
        assert value.success is body.get("success", False)
        assert value.timed_out is (not body["completed"])
        if "result" in body:
            check_result(value.result, body["result"])
        else:
            assert value.result is None
    elif operation == "stats":
        assert isinstance(value, QueueStats)
        queue, workers = body["queue"], body["workers"]
        for name in ("pending", "running", "completed", "failed", "dead_letter", "total_jobs"):
            assert getattr(value, name) == queue[name], name
        assert value.timestamp == ts(queue["timestamp"])
        assert value.workers.uptime == ns(workers["uptime"])
        assert value.workers.processing_ids == (workers["processing_ids"] or [])
        assert value.workers.healthy is workers["healthy"]
    elif operation == "health":
        assert isinstance(value, Health)
        assert value.healthy is body["healthy"]
        assert set(value.components) == set(body["components"])
        for name, comp in body["components"].items():
            assert value.components[name].healthy is comp["healthy"]
            latency = comp.get("latency")
            assert value.components[name].latency == (None if latency is None else ns(latency))
            assert value.components[name].message == comp.get("message")
        assert value.timestamp == ts(body["timestamp"])
    elif operation in ("ready", "live"):
        assert value is True
    elif operation == "delete":
        assert value is None
    else:  # pragma: no cover
        raise AssertionError(operation)


CLIENT_CAPTURES = [c for c in CAPTURES if c.operation not in RAW_ONLY]


def test_every_error_capture_has_an_expected_exception() -> None:
    errors = {c.name for c in CAPTURES if is_error(c)}
    assert errors == set(EXPECTED_ERRORS)


def test_the_captures_cover_every_client_operation() -> None:
    covered = {client_call(c)[0] for c in CLIENT_CAPTURES if not is_error(c)}
    assert covered == {
        "submit",
        "list",
        "submit_batch",
        "get",
        "delete",
        "wait",
        "cancel",
        "retry",
        "result",
        "stats",
        "health",
        "ready",
        "live",
    }


@pytest.mark.parametrize("cap", CLIENT_CAPTURES, ids=lambda c: c.name)
async def test_capture_through_the_client(gq: Client, server: FakeServer, cap: Capture) -> None:
    server.default = reply_for(cap)
    operation, args, kwargs = client_call(cap)
    if operation == "retry":
        # retry() looks at the job before it posts (to recognise a lost retry's effect).
        server.script(ok(finished_job_json("failed")))

    if is_error(cap):
        expected = EXPECTED_ERRORS[cap.name]
        with pytest.raises(expected) as info:
            await call(gq, operation, *args, **kwargs)
        err = info.value
        if expected in (APIStatusError, NotFoundError):
            assert type(err) is expected  # not a more specific class
        if isinstance(err, APIStatusError):
            assert err.status_code == cap.status
            assert err.request_id == cap.response_headers.get("x-request-id")
            if cap.error_code is not None:
                assert err.code == cap.error_code
        return

    value = await call(gq, operation, *args, **kwargs)
    check(cap, operation, value)


# get() on a finished job also fetches its result: pairs of captures of the same job.
GET_WITH_RESULT = [
    ("021_get_echo_completed", "022_result_echo_completed"),
    ("061_get_error_max1_after_1_5s", "061_get_error_max1_result"),
    ("062_get_unknown_type_after_1_5s", "062_get_unknown_type_result"),
    ("063_get_unknown_type_max1_after_1_5s", "063_get_unknown_type_max1_result"),
    ("141_get_all_fields_later", "141_get_all_fields_result"),
    ("143_get_max_attempts_0_later", "143_get_max_attempts_0_result"),
    ("144_get_sleep_timeout_1s_later", "144_get_sleep_timeout_1s_result"),
    ("145_get_payload_string_with_ws_later", "145_get_payload_string_with_ws_result"),
    ("146_get_payload_null_later", "146_get_payload_null_result"),
    ("147_get_type_with_spaces_later", "147_get_type_with_spaces_result"),
    ("202_get_P_before_cancel", None),  # pending: no result is asked for
    ("234_get_X_after_force_cancel", "252_result_extra_segment"),
]


@pytest.mark.parametrize(("job_name", "result_name"), GET_WITH_RESULT, ids=lambda n: n or "-")
async def test_get_with_result_from_captures(
    gq: Client, server: FakeServer, job_name: str, result_name: str | None
) -> None:
    job_cap = load(job_name)
    server.script(reply_for(job_cap))
    if result_name is not None:
        server.script(reply_for(load(result_name)))

    job = await call(gq, "get", job_cap.json()["id"])

    check_job(job, job_cap.json())
    assert server.pending == 0
    assert server.sent[0].path == f"/api/v1/jobs/{job.id}"
    if result_name is None:
        assert len(server.sent) == 1
        assert job.result is None
    else:
        assert server.last.path == f"/api/v1/jobs/{job.id}/result"
        check_result(job.job_result, load(result_name).json())
        assert job.job_result is not None
        assert job.job_result.job_id == job.id
        assert isinstance(job.result, dict)
        json.dumps(job.result)
        if job.state in ("failed", "dead_letter"):
            assert job.result.get("error")


def test_cancelled_before_running_has_no_result() -> None:
    server = FakeServer()
    server.script(
        reply_for(load("203_cancel_pending_P")), reply_for(load("237_result_P_cancelled"))
    )
    with GopherQueueSync(
        BASE_URL, http_client=httpx.Client(transport=httpx.MockTransport(server))
    ) as gq:
        job = gq.get(load("203_cancel_pending_P").json()["id"])
    assert job.state == "cancelled"
    assert job.result is None


@pytest.mark.parametrize(
    "cap", [c for c in CAPTURES if c.operation in RAW_ONLY], ids=lambda c: c.name
)
def test_raw_only_captures_parse_with_the_generated_client(cap: Capture) -> None:
    server = FakeServer()
    server.default = reply_for(cap)
    http = httpx.Client(base_url=BASE_URL, transport=httpx.MockTransport(server))
    gq = GopherQueueSync(BASE_URL, http_client=http)
    if cap.operation == "metrics":
        metrics = get_metrics.sync(client=gq.raw)
        assert isinstance(metrics, Metrics)
        assert metrics.jobs_enqueued == cap.json()["jobs_enqueued"]
    else:
        info = get_api_info.sync(client=gq.raw)
        assert isinstance(info, ApiInfo)
        assert info.name == "GopherQueue API"
    http.close()
