"""``submit_batch`` on BOTH clients: request shape, rejected items, chunking of big batches,
the atomic limit, and resolving items that a lost first attempt already stored."""

from __future__ import annotations

import json
import uuid
import weakref
from datetime import timedelta
from typing import Any

import httpx
import pytest

from gopherqueue import (
    BadRequestError,
    BatchConflictError,
    BatchItem,
    BatchResult,
    ConflictError,
    Job,
    JobSpec,
    Priority,
    ValidationError,
)
from gopherqueue import _operations as ops
from tests.unit.fakes import (
    Client,
    FakeServer,
    call,
    error,
    job_json,
    ok,
    user_agent_prefix,
)

BATCH_PATH = "/api/v1/jobs/batch"
ZERO_JOB = {
    "id": "",
    "type": "",
    "state": "",
    "priority": 0,
    "attempt": 0,
    "max_attempts": 0,
    "created_at": "0001-01-01T00:00:00Z",
    "updated_at": "0001-01-01T00:00:00Z",
}


def id_for(item: dict[str, Any]) -> str:
    """The id the fake server gives the job of ``item`` (stable, from its payload)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, json.dumps(item.get("payload"))))


def batch_reply(
    request: httpx.Request, rejected: dict[int, tuple[str, dict[str, Any]]] | None = None
) -> httpx.Response:
    """The server's answer to a batch: every item accepted unless listed in ``rejected``
    (local index -> (error, job object))."""
    items = json.loads(request.content)["jobs"]
    rejected = rejected or {}
    results = []
    for i, item in enumerate(items):
        if i in rejected:
            message, job = rejected[i]
            results.append({"index": i, "success": False, "job": job, "error": message})
        else:
            job = job_json(id=id_for(item), type=item["type"])
            results.append({"index": i, "success": True, "job": job})
    return ok(
        {
            "total": len(items),
            "accepted": len(items) - len(rejected),
            "rejected": len(rejected),
            "results": results,
        },
        201,
    )


def accept_all(request: httpx.Request) -> httpx.Response:
    return batch_reply(request)


def replay_submit(request: httpx.Request) -> httpx.Response:
    """A single submit whose idempotency key exists already: 200 with the existing job."""
    item = json.loads(request.content)
    return ok(job_json(id=id_for(item), type=item["type"]), 200)


async def test_batch_of_dicts_like_the_guide(gq: Client, server: FakeServer) -> None:
    server.script(accept_all)
    jobs = [
        {"type": "email", "payload": {"to": "user1@example.com"}},
        {"type": "email", "payload": {"to": "user2@example.com"}},
    ]

    result = await call(gq, "submit_batch", jobs, atomic=True)

    sent = server.last
    assert (sent.method, sent.path) == ("POST", BATCH_PATH)
    assert sent.headers["user-agent"].startswith(user_agent_prefix())
    assert sent.headers["x-api-key"] == "secret-key"
    body = sent.json
    assert body["atomic"] is True
    keys = [item.pop("idempotency_key") for item in body["jobs"]]
    assert body["jobs"] == jobs
    assert len(set(keys)) == 2
    assert all(k.startswith("gq-") for k in keys)
    assert isinstance(result, BatchResult)
    assert (result.total, result.accepted, result.rejected) == (2, 2, 0)
    assert [item.index for item in result.results] == [0, 1]
    assert all(item.success and item.error is None for item in result.results)
    assert [j.id for j in result.jobs] == [id_for(j) for j in jobs]
    assert all(isinstance(j, Job) for j in result.jobs)
    assert result.errors == []


async def test_batch_defaults_to_non_atomic(gq: Client, server: FakeServer) -> None:
    server.script(accept_all)
    await call(gq, "submit_batch", [{"type": "echo"}])
    assert server.last.json["atomic"] is False


async def test_batch_of_job_specs(gq: Client, server: FakeServer) -> None:
    server.script(accept_all)
    specs = [
        JobSpec(
            type="report",
            payload={"n": 1},
            priority=Priority.LOW,
            delay=timedelta(seconds=5),
            timeout="10m",
            max_attempts=2,
            idempotency_key="report-1",
            correlation_id="c-1",
            tags={"team": "core"},
        ),
        {"type": "echo", "payload": 0, "priority": 1, "timeout": 1.5},
    ]

    result = await call(gq, "submit_batch", specs)

    first, second = server.last.json["jobs"]
    assert first == {
        "type": "report",
        "payload": {"n": 1},
        "priority": 3,
        "delay": "5s",
        "timeout": "10m",
        "max_attempts": 2,
        "idempotency_key": "report-1",
        "correlation_id": "c-1",
        "tags": {"team": "core"},
    }
    second.pop("idempotency_key")
    assert second == {"type": "echo", "payload": 0, "priority": 1, "timeout": "1500ms"}
    assert result.accepted == 2


async def test_batch_accepts_any_iterable(gq: Client, server: FakeServer) -> None:
    server.script(accept_all)
    result = await call(gq, "submit_batch", ({"type": "echo", "payload": i} for i in range(3)))
    assert result.total == 3
    assert len(server.last.json["jobs"]) == 3


@pytest.mark.parametrize(
    "rejected_job",
    [ZERO_JOB, job_json(id="d8ccc12f-3ab1-41a1-bcbc-94e3b21c7bc1")],
    ids=["zero-valued job", "never-stored job"],
)
async def test_rejected_items_have_no_job(
    gq: Client, server: FakeServer, rejected_job: dict[str, Any]
) -> None:
    # The server sends a job object for rejected items too: zero-valued for a validation
    # failure, the never-stored job for a store failure. Neither may be shown as a job.
    server.script(lambda r: batch_reply(r, {1: ("job already exists", rejected_job)}))
    items = [
        {"type": "echo", "payload": 1},
        {"type": "echo", "payload": 2, "idempotency_key": "taken"},
        {"type": "echo", "payload": 3},
    ]

    result = await call(gq, "submit_batch", items)

    assert (result.total, result.accepted, result.rejected) == (3, 2, 1)
    bad = result.results[1]
    assert bad == BatchItem(index=1, success=False, job=None, error="job already exists")
    assert result.errors == [bad]
    assert [j.id for j in result.jobs] == [id_for(items[0]), id_for(items[2])]
    assert len(server.sent) == 1  # the caller's own key is not "resolved"


async def test_all_items_rejected(gq: Client, server: FakeServer) -> None:
    server.script(
        ok(
            {
                "total": 1,
                "accepted": 0,
                "rejected": 1,
                "results": [
                    {"index": 0, "success": False, "job": ZERO_JOB, "error": "job type is required"}
                ],
            },
            201,
        )
    )
    result = await call(gq, "submit_batch", [{"type": "echo"}])
    assert (result.accepted, result.rejected) == (0, 1)
    assert result.jobs == []
    assert result.results[0].job is None


async def test_2500_items_go_in_chunks_of_1000_with_global_indexes(
    gq: Client, server: FakeServer
) -> None:
    # One item of the second chunk is rejected: its index must be global (1005, not 5).
    def answer(request: httpx.Request) -> httpx.Response:
        if len(server.sent) == 2:
            return batch_reply(request, {5: ("job type is required", ZERO_JOB)})
        return batch_reply(request)

    server.default = answer
    items = [{"type": "echo", "payload": i} for i in range(2500)]

    result = await call(gq, "submit_batch", items)

    assert [len(s.json["jobs"]) for s in server.sent] == [1000, 1000, 500]
    assert all(s.path == BATCH_PATH and s.json["atomic"] is False for s in server.sent)
    sent_payloads = [item["payload"] for s in server.sent for item in s.json["jobs"]]
    assert sent_payloads == list(range(2500))
    assert (result.total, result.accepted, result.rejected) == (2500, 2499, 1)
    assert [item.index for item in result.results] == list(range(2500))
    assert [item.index for item in result.errors] == [1005]
    for item in result.results:
        if item.index != 1005:
            assert item.job is not None
            assert item.job.id == id_for(items[item.index])


async def test_each_chunk_is_released_once_answered(
    gq: Client, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 100k-job batch must not keep every request body alive (and walked by the garbage
    # collector) until its last chunk is answered.
    bodies: list[weakref.ref[Any]] = []
    build = ops.submit_body_from_item

    def recording(settings: Any, index: int, item: object) -> Any:
        body, own_key = build(settings, index, item)
        bodies.append(weakref.ref(body))
        return body, own_key

    monkeypatch.setattr(ops, "submit_body_from_item", recording)
    alive_at_each_request: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        alive_at_each_request.append(sum(ref() is not None for ref in bodies))
        return batch_reply(request)

    server.default = answer
    result = await call(gq, "submit_batch", [{"type": "echo", "payload": i} for i in range(2500)])

    assert result.accepted == 2500
    assert alive_at_each_request == [2500, 1500, 500]


@pytest.mark.parametrize(("count", "sizes"), [(1000, [1000]), (1001, [1000, 1]), (1, [1])])
async def test_chunk_boundaries(
    gq: Client, server: FakeServer, count: int, sizes: list[int]
) -> None:
    server.default = accept_all
    result = await call(gq, "submit_batch", [{"type": "echo", "payload": i} for i in range(count)])
    assert [len(s.json["jobs"]) for s in server.sent] == sizes
    assert result.total == count


async def test_atomic_batch_of_1000_is_one_request(gq: Client, server: FakeServer) -> None:
    server.script(accept_all)
    await call(gq, "submit_batch", [{"type": "echo"}] * 1000, atomic=True)
    assert len(server.sent) == 1


async def test_atomic_batch_over_1000_is_refused_before_any_request(
    gq: Client, server: FakeServer
) -> None:
    with pytest.raises(ValidationError) as info:
        await call(gq, "submit_batch", [{"type": "echo"}] * 1001, atomic=True)
    assert info.value.field == "jobs"
    assert server.sent == []


@pytest.mark.parametrize(
    ("jobs", "atomic", "field"),
    [
        ([], False, "jobs"),
        ("echo", False, "jobs"),
        ({"type": "echo"}, False, "jobs"),
        (None, False, "jobs"),
        (5, False, "jobs"),
        ([{"type": "echo"}], "yes", "atomic"),
        ([{"type": "echo"}, {"payload": 1}], False, "jobs[1].type"),
        ([{"type": ""}], False, "jobs[0].type"),
        ([{"type": 5}], False, "jobs[0].type"),
        ([{"type": "echo", "bogus": 1}], False, "jobs[0].bogus"),
        ([{"type": "echo"}, {"type": "echo"}, "echo"], False, "jobs[2]"),
        ([{"type": "echo", "priority": 9}], False, "jobs[0].priority"),
        ([{"type": "echo", "delay": "soon"}], False, "jobs[0].delay"),
        ([{"type": "echo", "timeout": -1}], False, "jobs[0].timeout"),
        ([{"type": "echo", "payload": {1, 2}}], False, "jobs[0].payload"),
        ([{"type": "echo", "tags": {"a": 1}}], False, "jobs[0].tags"),
        ([{"type": "echo", "max_attempts": 0}], False, "jobs[0].max_attempts"),
        ([{"type": "echo", "idempotency_key": ""}], False, "jobs[0].idempotency_key"),
        ([JobSpec(type="echo", scheduled_at="tomorrow")], False, "jobs[0].scheduled_at"),  # type: ignore[arg-type]
    ],
)
async def test_batch_argument_checks(
    gq: Client, server: FakeServer, jobs: Any, atomic: Any, field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        await call(gq, "submit_batch", jobs, atomic=atomic)
    assert info.value.field == field
    assert server.sent == []


async def test_refused_item_in_a_later_chunk_sends_nothing(gq: Client, server: FakeServer) -> None:
    items: list[Any] = [{"type": "echo"}] * 1500 + [{"type": ""}]
    with pytest.raises(ValidationError) as info:
        await call(gq, "submit_batch", items)
    assert info.value.field == "jobs[1500].type"
    assert server.sent == []


@pytest.mark.parametrize("bad", [float("nan"), {1, 2}, object()])
async def test_bad_payload_in_a_later_chunk_is_named_and_sends_nothing(
    gq: Client, server: FakeServer, bad: Any
) -> None:
    # Batch payloads are checked by encoding each chunk once, all chunks before the first send.
    items: list[Any] = [{"type": "echo", "payload": {"i": i}} for i in range(2500)]
    items[2400] = {"type": "echo", "payload": {"deep": [1, bad]}}
    with pytest.raises(ValidationError) as info:
        await call(gq, "submit_batch", items)
    assert info.value.field == "jobs[2400].payload"
    assert server.sent == []


async def test_batch_retry_after_a_lost_response_sends_the_same_keys(
    gq: Client, server: FakeServer
) -> None:
    server.script(httpx.ReadTimeout("lost"), accept_all)
    await call(gq, "submit_batch", [{"type": "echo", "payload": i} for i in range(3)])
    assert len(server.sent) == 2
    assert server.sent[0].json == server.sent[1].json


async def test_items_stored_by_a_lost_first_attempt_are_resolved_through_single_submits(
    gq: Client, server: FakeServer
) -> None:
    # Attempt 1 stores every item but its response is lost; attempt 2 finds every generated
    # key taken. Those items are ours: single submit answers each with the existing job.
    items = [{"type": "echo", "payload": i} for i in range(3)]
    server.script(
        httpx.ReadTimeout("lost"),
        lambda r: batch_reply(r, {i: ("job already exists", ZERO_JOB) for i in range(3)}),
        replay_submit,
        replay_submit,
        replay_submit,
    )

    result = await call(gq, "submit_batch", items)

    batch_keys = [item["idempotency_key"] for item in server.sent[1].json["jobs"]]
    singles = server.sent[2:]
    assert [(s.method, s.path) for s in singles] == [("POST", "/api/v1/jobs")] * 3
    assert [s.json["idempotency_key"] for s in singles] == batch_keys
    assert [s.json["payload"] for s in singles] == [0, 1, 2]
    assert (result.total, result.accepted, result.rejected) == (3, 3, 0)
    assert [item.index for item in result.results] == [0, 1, 2]
    assert all(item.success and item.error is None for item in result.results)
    assert [j.id for j in result.jobs] == [id_for(i) for i in items]
    assert all(j.replayed for j in result.jobs)


async def test_only_generated_keys_are_resolved(gq: Client, server: FakeServer) -> None:
    items = [
        {"type": "echo", "payload": 0},
        {"type": "echo", "payload": 1, "idempotency_key": "callers-own"},
        {"type": "echo", "payload": 2},
    ]
    server.script(
        lambda r: batch_reply(
            r, {0: ("job already exists", ZERO_JOB), 1: ("job already exists", ZERO_JOB)}
        ),
        replay_submit,
    )

    result = await call(gq, "submit_batch", items)

    assert len(server.sent) == 2
    assert server.sent[1].json["payload"] == 0
    assert (result.accepted, result.rejected) == (2, 1)
    assert result.results[0].success is True
    assert result.results[0].job is not None
    assert result.results[1] == BatchItem(
        index=1, success=False, job=None, error="job already exists"
    )


async def test_resolution_in_a_later_chunk_keeps_global_indexes(
    gq: Client, server: FakeServer
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/jobs":
            return replay_submit(request)
        if len(server.sent) == 2:  # the second chunk
            return batch_reply(request, {3: ("job already exists", ZERO_JOB)})
        return batch_reply(request)

    server.default = answer
    items = [{"type": "echo", "payload": i} for i in range(1010)]

    result = await call(gq, "submit_batch", items)

    assert server.sent[-1].path == "/api/v1/jobs"
    assert server.sent[-1].json["payload"] == 1003
    assert (result.total, result.accepted, result.rejected) == (1010, 1010, 0)
    item = result.results[1003]
    assert item.index == 1003
    assert item.job is not None
    assert item.job.id == id_for(items[1003])


async def test_atomic_conflict_on_a_generated_key_is_resolved(
    gq: Client, server: FakeServer
) -> None:
    items = [{"type": "echo", "payload": i} for i in range(2)]
    server.script(
        httpx.ReadTimeout("lost"),
        error(500, "internal_error", "failed to create job 0: job already exists"),
        replay_submit,
        replay_submit,
    )

    result = await call(gq, "submit_batch", items, atomic=True)

    assert [s.path for s in server.sent] == [BATCH_PATH, BATCH_PATH, "/api/v1/jobs", "/api/v1/jobs"]
    batch_keys = [item["idempotency_key"] for item in server.sent[1].json["jobs"]]
    assert [s.json["idempotency_key"] for s in server.sent[2:]] == batch_keys
    assert (result.total, result.accepted, result.rejected) == (2, 2, 0)
    assert [j.id for j in result.jobs] == [id_for(i) for i in items]


async def test_atomic_conflict_on_a_callers_key_raises(gq: Client, server: FakeServer) -> None:
    server.script(error(500, "internal_error", "failed to create job 1: job already exists"))
    items = [{"type": "echo"}, {"type": "echo", "idempotency_key": "taken"}]

    with pytest.raises(BatchConflictError) as info:
        await call(gq, "submit_batch", items, atomic=True)

    assert info.value.index == 1
    assert info.value.status_code == 500
    assert isinstance(info.value, ConflictError)
    assert len(server.sent) == 1


async def test_atomic_validation_refusal(gq: Client, server: FakeServer) -> None:
    server.script(error(400, "validation_error", "job 0: type is required"))
    with pytest.raises(BadRequestError):
        await call(gq, "submit_batch", [{"type": "echo"}], atomic=True)
    assert len(server.sent) == 1
