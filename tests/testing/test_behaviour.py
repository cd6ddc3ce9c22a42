"""Job engine behaviour over HTTP: scheduling, retries, cancel/retry, batches, stats, wait,
handlers, progress and auth, including the deliberate improvements over upstream."""

from __future__ import annotations

import asyncio
import base64
import math
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gopherqueue.testing import DevServer, JobContext, PermanentError
from gopherqueue.testing._wire import parse_rfc3339

from ._helpers import get_job, poll, submit, wait_for


def _ts(text: str) -> float:
    return parse_rfc3339(text)[0] / 1e9


def _result(client: httpx.Client, job_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/jobs/{job_id}/result")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(scope="module")
def one_worker() -> Iterator[DevServer]:
    with DevServer(workers=1) as srv:
        yield srv


def test_lower_priority_number_runs_first(one_worker: DevServer) -> None:
    one_worker.reset()
    gate = threading.Event()
    order: list[int] = []
    one_worker.register("block", lambda ctx: gate.wait(5))

    async def record(ctx: JobContext) -> None:
        order.append(ctx.payload_json())

    one_worker.register("record", record)
    with httpx.Client(base_url=one_worker.url) as client:
        submit(client, type="block")
        ids = [submit(client, type="record", payload=p, priority=p)["id"] for p in (5, 1, 3, -2, 2)]
        gate.set()
        for job_id in ids:
            wait_for(client, job_id)
    assert order == [-2, 1, 2, 3, 5]


def test_workers_limit_concurrency(one_worker: DevServer) -> None:
    one_worker.reset()
    gate = threading.Event()
    one_worker.register("block", lambda ctx: gate.wait(5))
    with httpx.Client(base_url=one_worker.url) as client:
        first = submit(client, type="block")["id"]
        second = submit(client, type="block")["id"]
        poll(lambda: get_job(client, first)["state"] == "running")
        assert get_job(client, second)["state"] == "pending"
        stats = client.get("/api/v1/stats").json()["workers"]
        assert (stats["active_workers"], stats["idle_workers"]) == (1, 0)
        assert stats["processing_ids"] == [first]
        assert stats["queued_jobs"] == 1
        gate.set()
        assert wait_for(client, second)["state"] == "completed"


def test_temporary_failures_are_really_retried_until_dead_letter(
    server: DevServer, client: httpx.Client
) -> None:
    job = submit(client, type="error", payload="boom")
    done = wait_for(client, job["id"])
    assert done["state"] == "dead_letter"
    final = get_job(client, job["id"])
    assert final["attempt"] == 3
    assert final["last_error"] == 'intentional error: "boom"'
    assert done["result"]["error_category"] == "temporary"
    stats = client.get("/api/v1/stats").json()["workers"]
    assert (stats["processed_jobs"], stats["failed_jobs"], stats["retried_jobs"]) == (3, 3, 2)


def test_a_job_that_succeeds_on_its_third_attempt(server: DevServer, client: httpx.Client) -> None:
    def flaky(ctx: JobContext) -> str:
        if ctx.attempt < 3:
            raise RuntimeError(f"attempt {ctx.attempt} failed")
        return "ok"

    server.register("flaky", flaky)
    job = submit(client, type="flaky")
    done = wait_for(client, job["id"])
    assert done["state"] == "completed"
    assert done["success"] is True
    assert base64.b64decode(done["result"]["output"]) == b"ok"
    assert get_job(client, job["id"])["attempt"] == 3


def test_retrying_state_has_backoff_schedule() -> None:
    with DevServer(retry_backoff=0.4) as srv, httpx.Client(base_url=srv.url) as client:
        job = submit(client, type="error", max_attempts=2)
        poll(lambda: get_job(client, job["id"])["state"] == "retrying")
        retrying = get_job(client, job["id"])
        gap = _ts(retrying["scheduled_at"]) - _ts(retrying["updated_at"])
        assert 0.35 < gap < 0.45
        assert "completed_at" not in retrying
        stats = client.get("/api/v1/stats").json()["queue"]
        assert stats["total_jobs"] == 1
        assert (
            sum(
                v for k, v in stats.items() if k not in ("total_jobs", "storage_bytes", "timestamp")
            )
            == 0
        )
        assert wait_for(client, job["id"])["state"] == "dead_letter"


def test_permanent_error_with_attempts_left_fails(server: DevServer, client: httpx.Client) -> None:
    def handler(ctx: JobContext) -> None:
        raise PermanentError("bad input")

    server.register("strict", handler)
    job = submit(client, type="strict", max_attempts=5)
    done = wait_for(client, job["id"])
    assert done["state"] == "failed"
    assert done["result"]["error"] == "bad input"
    assert done["result"]["error_category"] == "permanent"
    assert get_job(client, job["id"])["attempt"] == 1


def test_max_attempts_one_dead_letters_at_once(client: httpx.Client) -> None:
    job = submit(client, type="error", max_attempts=1)
    assert wait_for(client, job["id"])["state"] == "dead_letter"


def test_delay_is_honoured(client: httpx.Client) -> None:
    # Long enough that the reads below come well before the job is due, even on a busy machine.
    job = submit(client, type="echo", payload=1, delay="1s")
    assert job["state"] == "delayed"
    assert abs(_ts(job["scheduled_at"]) - _ts(job["created_at"]) - 1.0) < 0.01
    assert get_job(client, job["id"])["state"] == "delayed"
    assert client.get("/api/v1/stats").json()["queue"]["delayed"] == 1
    done = wait_for(client, job["id"])
    assert done["state"] == "completed"
    assert _ts(get_job(client, job["id"])["started_at"]) >= _ts(job["scheduled_at"])


def test_scheduled_at_is_honoured_and_echoed_with_offset(client: httpx.Client) -> None:
    # A fraction without trailing zeros: the server trims them when it echoes the time (Go's
    # RFC3339Nano), so a random one ending in 0 would not come back as sent.
    due = math.floor(time.time() + 0.3) + 1.125
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(math.floor(due) + 3600))
    frac = ".125"
    job = submit(client, type="echo", scheduled_at=f"{stamp}{frac}+01:00")
    assert job["scheduled_at"] == f"{stamp}{frac}+01:00"
    assert job["state"] == "delayed"
    done = wait_for(client, job["id"])
    assert done["state"] == "completed"
    assert _ts(get_job(client, job["id"])["started_at"]) >= due - 0.001


def test_past_scheduled_at_runs_at_once(client: httpx.Client) -> None:
    job = submit(client, type="echo", scheduled_at="2001-01-01T00:00:00Z")
    assert job["state"] == "delayed"
    assert wait_for(client, job["id"], "2s")["state"] == "completed"


def test_cancel_delayed_job_prevents_running(client: httpx.Client) -> None:
    job = submit(client, type="echo", delay="200ms")
    response = client.post(f"/api/v1/jobs/{job['id']}/cancel", json={"reason": "nope"})
    assert response.status_code == 200
    assert response.json()["state"] == "cancelled"
    assert response.json()["last_error"] == "nope"
    # A job due later than the cancelled one has run, so the scheduler is past its due time.
    later = submit(client, type="echo", delay="250ms")
    assert wait_for(client, later["id"])["state"] == "completed"
    assert get_job(client, job["id"])["state"] == "cancelled"
    assert client.get(f"/api/v1/jobs/{job['id']}/result").status_code == 404


def test_force_cancel_interrupts_the_handler_and_sticks(
    server: DevServer, client: httpx.Client
) -> None:
    events: list[str] = []

    async def slow(ctx: JobContext) -> str:
        events.append("started")
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            events.append("interrupted")
            raise
        return "finished"

    server.register("slow", slow)
    job = submit(client, type="slow")
    poll(lambda: events == ["started"])
    soft = client.post(f"/api/v1/jobs/{job['id']}/cancel")
    assert (soft.status_code, soft.json()["state"]) == (200, "running")
    forced = client.post(f"/api/v1/jobs/{job['id']}/cancel", json={"force": True, "reason": "stop"})
    assert forced.json()["state"] == "cancelled"
    poll(lambda: events == ["started", "interrupted"])
    assert client.get("/api/v1/stats").json()["workers"]["active_workers"] == 0
    done = wait_for(client, job["id"])
    assert (done["state"], done["completed"]) == ("cancelled", True)
    assert "result" not in done
    assert get_job(client, job["id"])["last_error"] == "stop"


def test_soft_cancel_of_running_job_lets_it_finish(server: DevServer, client: httpx.Client) -> None:
    gate = threading.Event()
    server.register("gated", lambda ctx: gate.wait(5) and "done")
    job = submit(client, type="gated")
    poll(lambda: get_job(client, job["id"])["state"] == "running")
    assert client.post(f"/api/v1/jobs/{job['id']}/cancel").json()["state"] == "running"
    gate.set()
    assert wait_for(client, job["id"])["state"] == "completed"


def test_retry_rules(client: httpx.Client) -> None:
    failed = submit(client, type="nope")
    assert wait_for(client, failed["id"])["state"] == "failed"
    again = client.post(f"/api/v1/jobs/{failed['id']}/retry")
    assert again.status_code == 200
    body = again.json()
    assert body["state"] == "pending"
    assert "last_error" not in body
    assert "completed_at" not in body
    assert body["attempt"] == 1
    assert wait_for(client, failed["id"])["state"] == "failed"
    assert get_job(client, failed["id"])["attempt"] == 2
    reset = client.post(f"/api/v1/jobs/{failed['id']}/retry", json={"reset_attempts": True})
    assert reset.json()["attempt"] == 0
    wait_for(client, failed["id"])
    done = submit(client, type="echo")
    wait_for(client, done["id"])
    quirk = client.post(f"/api/v1/jobs/{done['id']}/retry")
    assert quirk.status_code == 500
    assert quirk.json() == {
        "error": {"code": "internal_error", "message": "job cannot be cancelled in current state"}
    }


def test_wait_answers_as_soon_as_the_job_finishes(server: DevServer, client: httpx.Client) -> None:
    gate = threading.Event()
    server.register("quick", lambda ctx: gate.wait(5))
    job = submit(client, type="quick")
    wait_path = f"/api/v1/jobs/{job['id']}/wait"
    waits_before = server.faults.hits("POST", wait_path)
    answers: list[dict[str, object]] = []
    waiter = threading.Thread(target=lambda: answers.append(wait_for(client, job["id"], "60s")))
    waiter.start()
    poll(lambda: server.faults.hits("POST", wait_path) > waits_before)
    assert answers == []
    gate.set()
    # A wait that ignored the finish would hold the thread for the full 60 s.
    waiter.join(10)
    assert answers
    assert answers[0]["state"] == "completed"
    # On a finished job a long wait answers at once (the client would time out otherwise).
    response = client.post(wait_path, json={"timeout": "60s"}, timeout=10)
    assert response.json()["state"] == "completed"


def test_wait_timeout_and_zero_timeout(server: DevServer, client: httpx.Client) -> None:
    gate = threading.Event()
    server.register("gated", lambda ctx: gate.wait(5))
    job = submit(client, type="gated")
    started = time.monotonic()
    body = client.get(f"/api/v1/jobs/{job['id']}/wait", params={"timeout": "300ms"}).json()
    assert 0.3 <= time.monotonic() - started < 0.5
    assert body == {"id": job["id"], "state": "running", "completed": False, "timed_out": True}
    assert wait_for(client, job["id"], "0s")["timed_out"] is True
    assert wait_for(client, job["id"], "-5m")["timed_out"] is True
    gate.set()
    assert wait_for(client, job["id"])["completed"] is True
    # Improvement: timeout <= 0 on an already finished job reports the finished job.
    assert wait_for(client, job["id"], "0s")["completed"] is True


def test_wait_on_a_job_deleted_meanwhile_is_404(server: DevServer, client: httpx.Client) -> None:
    gate = threading.Event()
    server.register("gated", lambda ctx: gate.wait(5))
    job = submit(client, type="gated")
    result: list[httpx.Response] = []
    waiter = threading.Thread(
        target=lambda: result.append(
            httpx.post(f"{server.url}/api/v1/jobs/{job['id']}/wait", json={"timeout": "5s"})
        )
    )
    waits_before = server.faults.hits("POST", f"/api/v1/jobs/{job['id']}/wait")
    waiter.start()
    poll(lambda: server.faults.hits("POST", f"/api/v1/jobs/{job['id']}/wait") > waits_before)
    assert client.delete(f"/api/v1/jobs/{job['id']}").status_code == 204
    waiter.join(5)
    gate.set()
    assert result[0].status_code == 404
    assert result[0].json()["error"]["message"] == "job not found"


def test_wait_initial_delay_option() -> None:
    with DevServer(wait_initial_delay=0.3) as srv, httpx.Client(base_url=srv.url) as client:
        job = submit(client, type="echo")
        poll(lambda: srv.get_job(job["id"])["state"] == "completed")  # type: ignore[index]
        started = time.monotonic()
        assert wait_for(client, job["id"])["state"] == "completed"
        assert time.monotonic() - started >= 0.3


def test_progress_is_visible(server: DevServer, client: httpx.Client) -> None:
    gate = threading.Event()

    def work(ctx: JobContext) -> None:
        ctx.report_progress(42.5, "almost half")
        gate.wait(5)

    server.register("work", work)
    job = submit(client, type="work")
    poll(lambda: "progress" in get_job(client, job["id"]))
    running = get_job(client, job["id"])
    assert (running["progress"], running["progress_message"]) == (42.5, "almost half")
    keys = list(running)
    assert keys.index("max_attempts") < keys.index("progress") < keys.index("created_at")
    gate.set()
    wait_for(client, job["id"])


def test_builtin_sleep_payload_forms_and_progress(client: httpx.Client) -> None:
    number = submit(client, type="sleep", payload=0.3)
    text = submit(client, type="sleep", payload="200ms")
    fallback = submit(client, type="sleep", payload="bogus")
    poll(lambda: get_job(client, number["id"]).get("progress", 0) >= 10)
    assert wait_for(client, text["id"])["state"] == "completed"
    assert wait_for(client, number["id"])["state"] == "completed"
    assert 0.25 < _result(client, number["id"])["duration"] / 1e9 < 0.6
    assert get_job(client, number["id"])["progress"] == 100
    assert get_job(client, fallback["id"])["state"] == "running"  # 5 s, as upstream


def test_echo_and_error_builtins(client: httpx.Client) -> None:
    bare = submit(client, type="echo")
    wait_for(client, bare["id"])
    assert "output" not in _result(client, bare["id"])
    failing = submit(client, type="error", payload={"why": "x"}, max_attempts=1)
    done = wait_for(client, failing["id"])
    assert done["result"]["error"] == 'intentional error: {"why":"x"}'
    assert "success" not in done


@pytest.mark.parametrize(
    ("returned", "output"),
    [
        ({"a": [1, "é"]}, '{"a":[1,"é"]}'.encode()),
        ("text", b"text"),
        (b"\x00\xff", b"\x00\xff"),
        (bytearray(b"ba"), b"ba"),
        ([1, 2], b"[1,2]"),
        (7, b"7"),
        (None, None),
    ],
)
def test_handler_return_values(
    server: DevServer, client: httpx.Client, returned: object, output: bytes | None
) -> None:
    server.register("ret", lambda ctx: returned)
    job = submit(client, type="ret")
    wait_for(client, job["id"])
    result = _result(client, job["id"])
    if output is None:
        assert "output" not in result
    else:
        assert base64.b64decode(result["output"]) == output


def test_handler_context_and_registration_forms(server: DevServer, client: httpx.Client) -> None:
    seen: list[Any] = []

    @server.register("inspect")
    async def inspect_job(ctx: JobContext) -> None:
        seen.append(
            (ctx.job_id, ctx.job_type, ctx.attempt, ctx.max_attempts, ctx.payload, ctx.tags)
        )
        seen.append(ctx.payload_json())

    job = submit(client, type="inspect", payload={"k": [1, 2]}, tags={"t": "v"}, max_attempts=4)
    wait_for(client, job["id"])
    assert seen == [(job["id"], "inspect", 1, 4, b'{"k":[1,2]}', {"t": "v"}), {"k": [1, 2]}]
    server.unregister("inspect")
    gone = submit(client, type="inspect")
    done = wait_for(client, gone["id"])
    assert done["result"]["error"] == "no handler registered for job type: inspect"
    assert done["result"]["error_category"] == "permanent"


def test_reset_removes_handlers_and_restores_builtins(
    server: DevServer, client: httpx.Client
) -> None:
    server.register("echo", lambda ctx: "overridden")
    server.register("custom", lambda ctx: None)
    job = submit(client, type="echo", payload=1)
    wait_for(client, job["id"])
    assert base64.b64decode(_result(client, job["id"])["output"]) == b"overridden"
    server.reset()
    assert server.job_count() == 0
    job = submit(client, type="echo", payload=1)
    wait_for(client, job["id"])
    assert base64.b64decode(_result(client, job["id"])["output"]) == b"1"
    custom = submit(client, type="custom")
    assert wait_for(client, custom["id"])["state"] == "failed"


def test_sync_handler_timeout_sets_cancelled(server: DevServer, client: httpx.Client) -> None:
    flags: list[bool] = []

    def stubborn(ctx: JobContext) -> None:
        deadline = time.monotonic() + 3
        while not ctx.cancelled and time.monotonic() < deadline:
            time.sleep(0.01)
        flags.append(ctx.cancelled)

    server.register("stubborn", stubborn)
    job = submit(client, type="stubborn", timeout="150ms")
    done = wait_for(client, job["id"])
    assert (done["state"], done["result"]["error"]) == ("failed", "context deadline exceeded")
    poll(lambda: flags == [True])


def test_non_atomic_batch_reports_each_item_at_its_own_index(client: httpx.Client) -> None:
    existing = submit(client, type="echo", idempotency_key="taken")
    response = client.post(
        "/api/v1/jobs/batch",
        json={
            "jobs": [
                {"payload": "no type"},
                {"type": "echo", "idempotency_key": "taken"},
                {"type": "echo", "payload": "ok"},
            ]
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["total"], body["accepted"], body["rejected"]) == (3, 1, 2)
    first, second, third = body["results"]
    assert (first["index"], first["success"], first["error"]) == (0, False, "job type is required")
    assert first["job"]["id"] == ""
    assert (second["index"], second["success"], second["error"]) == (1, False, "job already exists")
    assert second["job"]["id"] not in ("", existing["id"])
    assert client.get(f"/api/v1/jobs/{second['job']['id']}").status_code == 404
    assert (third["index"], third["success"]) == (2, True)
    assert "error" not in third
    assert client.get(f"/api/v1/jobs/{third['job']['id']}").status_code == 200


def test_atomic_batch_is_all_or_nothing(server: DevServer, client: httpx.Client) -> None:
    submit(client, type="echo", idempotency_key="k1")
    before = server.job_count()
    conflict = client.post(
        "/api/v1/jobs/batch",
        json={
            "atomic": True,
            "jobs": [{"type": "echo"}, {"type": "echo", "idempotency_key": "k1"}],
        },
    )
    assert conflict.status_code == 500
    assert conflict.json()["error"] == {
        "code": "internal_error",
        "message": "failed to create job 1: job already exists",
    }
    twice = client.post(
        "/api/v1/jobs/batch",
        json={
            "atomic": True,
            "jobs": [
                {"type": "echo", "idempotency_key": "new"},
                {"type": "echo"},
                {"type": "echo", "idempotency_key": "new"},
            ],
        },
    )
    assert twice.json()["error"]["message"] == "failed to create job 2: job already exists"
    assert server.job_count() == before
    ok = client.post("/api/v1/jobs/batch", json={"atomic": True, "jobs": [{"type": "echo"}] * 3})
    assert ok.status_code == 201
    assert server.job_count() == before + 3


def test_list_caps_at_100_newest_first_and_filters(server: DevServer, client: httpx.Client) -> None:
    client.post(
        "/api/v1/jobs/batch", json={"jobs": [{"type": "nope", "payload": i} for i in range(5)]}
    )
    client.post(
        "/api/v1/jobs/batch", json={"jobs": [{"type": "echo", "payload": i} for i in range(100)]}
    )
    listing = client.get("/api/v1/jobs", params={"limit": 5}).json()
    assert listing["count"] == 100
    created = [_ts(j["created_at"]) for j in listing["jobs"]]
    assert created == sorted(created, reverse=True)
    assert {j["type"] for j in listing["jobs"]} == {"echo"}
    poll(lambda: client.get("/api/v1/jobs?state=failed&type=nope").json()["count"] == 5)
    assert client.get("/api/v1/jobs?state=failed&type=echo").json()["count"] == 0
    assert server.job_count() == 105


def test_stats_and_metrics_count_correctly(server: DevServer, client: httpx.Client) -> None:
    ok = [submit(client, type="echo", payload=i)["id"] for i in range(3)]
    bad = submit(client, type="error", max_attempts=2)["id"]
    replay = client.post("/api/v1/jobs", json={"type": "echo", "idempotency_key": "x"})
    client.post("/api/v1/jobs", json={"type": "echo", "idempotency_key": "x"})
    for job_id in [*ok, bad, replay.json()["id"]]:
        wait_for(client, job_id)
    stats = client.get("/api/v1/stats").json()
    assert stats["queue"]["completed"] == 4
    assert stats["queue"]["dead_letter"] == 1
    assert stats["queue"]["total_jobs"] == 5
    workers = stats["workers"]
    assert (workers["processed_jobs"], workers["succeeded_jobs"], workers["failed_jobs"]) == (
        6,
        4,
        2,
    )
    assert workers["retried_jobs"] == 1
    assert workers["processing_ids"] is None
    assert 0 < workers["avg_processing_time"] <= workers["max_processing_time"]
    assert workers["p99_processing_time"] <= workers["max_processing_time"]
    metrics = client.get("/metrics").json()
    assert metrics["jobs_enqueued"] == 5
    assert metrics["jobs_by_type"] == {"echo": 4, "error": 1}
    assert (metrics["jobs_completed"], metrics["jobs_failed"], metrics["jobs_retried"]) == (4, 2, 1)


def test_health_reports_active_workers(server: DevServer, client: httpx.Client) -> None:
    gate = threading.Event()
    server.register("gated", lambda ctx: gate.wait(5))
    job = submit(client, type="gated")
    poll(lambda: get_job(client, job["id"])["state"] == "running")
    assert client.get("/health").json()["components"]["workers"]["message"] == "1/4 active"
    gate.set()


def test_body_quirks(client: httpx.Client) -> None:
    null_body = client.post("/api/v1/jobs", content=b"null")
    assert null_body.json()["error"] == {
        "code": "validation_error",
        "message": "job type is required",
    }
    folded = client.post("/api/v1/jobs", content=b'{"TYPE":"echo","Priority":7}')
    assert (folded.status_code, folded.json()["priority"]) == (201, 7)
    for bad in (b'{"type":"echo","tags":{"a":1}}', b'{"type":"echo","delay":5}', b'"echo"'):
        response = client.post("/api/v1/jobs", content=bad)
        assert response.json()["error"]["message"] == "invalid JSON body", bad
    batch = client.post("/api/v1/jobs/batch", content=b'{"jobs":[{"type":"echo"}, 3]}')
    assert batch.json()["error"]["message"] == "invalid JSON body"
    null_item = client.post("/api/v1/jobs/batch", content=b'{"jobs":[null]}')
    assert null_item.json()["results"][0]["error"] == "job type is required"


def test_html_escaping_and_unicode_in_json(client: httpx.Client) -> None:
    response = client.post("/api/v1/jobs", json={"type": "<b>&é"})
    assert b'"type":"\\u003cb\\u003e\\u0026\xc3\xa9"' in response.content


@pytest.fixture(scope="module")
def auth_server() -> Iterator[DevServer]:
    with DevServer(api_key="s3cret") as srv:
        yield srv


@pytest.mark.parametrize(
    ("headers", "status", "message"),
    [
        ({}, 401, "missing credentials"),
        ({"X-API-Key": "wrong"}, 401, "invalid credentials"),
        ({"Authorization": "Bearer wrong"}, 401, "invalid credentials"),
        ({"Authorization": "Basic s3cret"}, 401, "missing credentials"),
        ({"X-API-Key": "s3cret"}, 200, None),
        ({"Authorization": "Bearer s3cret"}, 200, None),
    ],
)
def test_api_key_auth(
    auth_server: DevServer, headers: dict[str, str], status: int, message: str | None
) -> None:
    response = httpx.get(f"{auth_server.url}/api/v1/stats", headers=headers)
    assert response.status_code == status
    if message is not None:
        assert response.json() == {"error": {"code": "unauthorized", "message": message}}


def test_probes_are_exempt_from_auth(auth_server: DevServer) -> None:
    for path in ("/health", "/ready", "/live", "/metrics"):
        assert httpx.get(auth_server.url + path).status_code == 200
    assert httpx.get(auth_server.url + "/nope").status_code == 404
    assert httpx.post(auth_server.url + "/api/v1/jobs", json={"type": "echo"}).status_code == 401
    assert auth_server.job_count() == 0
