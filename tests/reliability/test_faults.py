"""Fault injection against the embedded server, over real sockets, for both clients.

Every scenario counts the jobs on the server (by an ``item`` tag per requested job): how many
were requested, created, duplicated and lost. Nothing may be lost or duplicated; when the
retry budget runs out the error must be typed and still nothing duplicated. The counts land
in the ``scenarios`` log (see conftest) and from there in docs/reliability.md.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from gopherqueue import (
    APIConnectionError,
    APITimeoutError,
    BatchConflictError,
    JobState,
    RetryEvent,
    ServerError,
    UnexpectedResponseError,
)
from gopherqueue.testing import DevServer, JobContext, PermanentError
from tests.reliability.helpers import (
    FAST,
    Client,
    Gate,
    ScenarioLog,
    call,
    item_counts,
    raises,
    until_idle,
)

JOBS = "/api/v1/jobs"
BATCH = "/api/v1/jobs/batch"


def _tags(item: str) -> dict[str, str]:
    return {"item": item}


# ------------------------------------------------------------------------------------------
# submit: one fault, then recovery


@attrs.frozen
class Recover:
    name: str
    fault: dict[str, Any]
    replayed: bool
    """Whether the successful attempt found the job already stored by a failed one."""
    client_options: dict[str, Any] = attrs.field(factory=dict)
    min_elapsed: float = 0.0


RECOVER = [
    Recover("connection dropped before the server applies it", {"kind": "drop_before"}, False),
    Recover("connection dropped after it applied it (lost response)", {"kind": "drop_after"}, True),
    Recover("503, then success", {"kind": "status", "status": 503}, False),
    Recover(
        "503 with Retry-After: 1, then success",
        {"kind": "status", "status": 503, "retry_after": 1},
        False,
        min_elapsed=0.95,
    ),
    Recover("HTML 502 from a proxy, then success", {"kind": "html_502"}, False),
    Recover(
        "JSON body cut short and the connection closed",
        {"kind": "truncate", "incomplete": True},
        True,
    ),
    Recover(
        "JSON body cut short in a complete HTTP response",
        {"kind": "truncate", "truncate_at": 40},
        True,
    ),
    Recover(
        "response slower than the read timeout",
        {"kind": "delay", "delay": 0.4},
        False,
        client_options={"timeout": 0.15},
    ),
]


@pytest.mark.parametrize("case", RECOVER, ids=lambda c: c.name)
async def test_submit_recovers_without_duplicate(
    case: Recover,
    kind: str,
    server: DevServer,
    make_client: Callable[..., Client],
    scenarios: ScenarioLog,
) -> None:
    retries: list[RetryEvent] = []
    client = make_client(retry=attrs.evolve(FAST, on_retry=retries.append), **case.client_options)
    server.faults.add("POST", JOBS, **case.fault)

    started = time.monotonic()
    job = await call(client, "submit", "echo", {"n": 1}, tags=_tags("s0"))
    elapsed = time.monotonic() - started
    await until_idle(server)  # a delayed first attempt finishes on the server before counting

    assert server.get_job(job.id) is not None
    assert job.replayed is case.replayed
    assert server.faults.hits("POST", JOBS) == 2
    assert len(retries) == 1
    assert elapsed >= case.min_elapsed
    if case.min_elapsed:
        assert retries[0].delay == 1.0  # the Retry-After header, not the 10-50 ms backoff
    scenarios.record(
        server,
        scenario=f"submit: {case.name}",
        client=kind,
        items=["s0"],
        reported={"s0"},
        outcome="returned the job",
        attempts=2,
        expect_created=1,
    )


# ------------------------------------------------------------------------------------------
# submit: the retry budget runs out


@attrs.frozen
class Exhaust:
    name: str
    fault: dict[str, Any]
    error: type[Exception]
    created: int
    attempts: int = 3
    client_options: dict[str, Any] = attrs.field(factory=dict)


EXHAUST = [
    Exhaust("5 consecutive 503s", {"kind": "status", "status": 503}, ServerError, 0),
    Exhaust("5 consecutive HTML 502s", {"kind": "html_502"}, ServerError, 0),
    Exhaust(
        "5 connections dropped before applying", {"kind": "drop_before"}, APIConnectionError, 0
    ),
    Exhaust("5 lost responses", {"kind": "drop_after"}, APIConnectionError, 1),
    Exhaust(
        "5 responses slower than the read timeout",
        {"kind": "delay", "delay": 0.3},
        APITimeoutError,
        0,
        client_options={"timeout": 0.1},
    ),
    Exhaust(
        "5 truncated JSON bodies (complete HTTP responses)",
        {"kind": "truncate", "truncate_at": 40},
        UnexpectedResponseError,
        1,
    ),
]


@pytest.mark.parametrize("case", EXHAUST, ids=lambda c: c.name)
async def test_submit_budget_exhausted_raises_typed_error(
    case: Exhaust,
    kind: str,
    server: DevServer,
    make_client: Callable[..., Client],
    scenarios: ScenarioLog,
) -> None:
    client = make_client(retry=attrs.evolve(FAST, max_retries=2), **case.client_options)
    server.faults.add("POST", JOBS, times=5, **case.fault)

    error = await raises(client, "submit", "echo", {"n": 1}, tags=_tags("e0"))
    await until_idle(server)  # delayed attempts finish on the server before counting

    assert type(error) is case.error, repr(error)
    assert server.faults.hits("POST", JOBS) == case.attempts
    if isinstance(error, ServerError):
        assert error.status_code in (502, 503)
    if case.fault["kind"] == "drop_after":
        assert isinstance(error, APIConnectionError)
        assert error.after_ambiguous_attempt
    scenarios.record(
        server,
        scenario=f"submit, max_retries=2: {case.name}",
        client=kind,
        items=["e0"],
        reported=set(),
        outcome=f"raised {type(error).__name__}",
        attempts=case.attempts,
        expect_created=case.created,
    )


# ------------------------------------------------------------------------------------------
# The generated idempotency key is what prevents the duplicate


async def test_lost_response_without_generated_key_duplicates(
    kind: str, server: DevServer, make_client: Callable[..., Client], scenarios: ScenarioLog
) -> None:
    """The acceptance line: with ``auto_idempotency_key=False`` the lost-response scenario
    creates a second job (the retry is a new submission). The companion with the option on is
    ``test_submit_recovers_without_duplicate[...lost response...]`` and the test below."""
    client = make_client(auto_idempotency_key=False)
    server.faults.add("POST", JOBS, kind="drop_after")

    job = await call(client, "submit", "echo", {"n": 1}, tags=_tags("k0"))

    assert not job.replayed
    assert item_counts(server)["k0"] == 2
    scenarios.record(
        server,
        scenario="submit: lost response, auto_idempotency_key=False",
        client=kind,
        items=["k0"],
        reported={"k0"},
        outcome="returned a second job: DUPLICATE",
        attempts=2,
        expect_created=1,
        expect_duplicated=1,
    )


async def test_lost_response_with_generated_key_no_duplicate(
    server: DevServer, make_client: Callable[..., Client]
) -> None:
    client = make_client()  # auto_idempotency_key=True is the default
    server.faults.add("POST", JOBS, kind="drop_after")

    job = await call(client, "submit", "echo", {"n": 1}, tags=_tags("k1"))

    assert job.replayed
    assert item_counts(server)["k1"] == 1


async def test_user_key_also_survives_lost_response(
    server: DevServer, make_client: Callable[..., Client]
) -> None:
    client = make_client(auto_idempotency_key=False)
    server.faults.add("POST", JOBS, kind="drop_after")

    job = await call(client, "submit", "echo", tags=_tags("k2"), idempotency_key="order-42")

    assert job.replayed
    assert item_counts(server)["k2"] == 1


async def test_each_submit_call_gets_its_own_key(
    server: DevServer, make_client: Callable[..., Client]
) -> None:
    """Two identical submits are two jobs: the key is per call, not derived from content."""
    client = make_client()
    a = await call(client, "submit", "echo", {"n": 1}, tags=_tags("twice"))
    b = await call(client, "submit", "echo", {"n": 1}, tags=_tags("twice"))
    assert a.id != b.id
    assert not a.replayed
    assert not b.replayed


# ------------------------------------------------------------------------------------------
# submit_batch


def _batch(prefix: str, n: int, **extra: Any) -> list[dict[str, Any]]:
    return [
        {"type": "echo", "payload": {"i": i}, "tags": _tags(f"{prefix}{i}"), **extra}
        for i in range(n)
    ]


@attrs.frozen
class BatchCase:
    name: str
    atomic: bool
    fault: dict[str, Any]


BATCH_RECOVER = [
    BatchCase("non-atomic, lost response", False, {"kind": "drop_after"}),
    BatchCase("atomic, lost response", True, {"kind": "drop_after"}),
    BatchCase("non-atomic, 503 then success", False, {"kind": "status", "status": 503}),
    BatchCase("atomic, HTML 502 then success", True, {"kind": "html_502"}),
    BatchCase("non-atomic, JSON body cut short", False, {"kind": "truncate", "incomplete": True}),
    BatchCase(
        "atomic, JSON body cut short (complete response)",
        True,
        {"kind": "truncate", "truncate_at": 40},
    ),
]


@pytest.mark.parametrize("case", BATCH_RECOVER, ids=lambda c: c.name)
async def test_batch_recovers_exactly_one_job_per_item(
    case: BatchCase,
    kind: str,
    server: DevServer,
    client: Client,
    scenarios: ScenarioLog,
) -> None:
    items = _batch("b", 5)
    server.faults.add("POST", BATCH, **case.fault)

    result = await call(client, "submit_batch", items, atomic=case.atomic)

    assert (result.total, result.accepted, result.rejected) == (5, 5, 0)
    assert [r.index for r in result.results] == [0, 1, 2, 3, 4]
    assert all(r.success and r.job is not None for r in result.results)
    ids = [job.id for job in result.jobs]
    assert len(set(ids)) == 5
    assert all(server.get_job(i) is not None for i in ids)
    # Each returned job is the one stored for its own item.
    assert [job.tags["item"] for job in result.jobs] == [f"b{i}" for i in range(5)]
    scenarios.record(
        server,
        scenario=f"submit_batch (5 jobs), {case.name}",
        client=kind,
        items=[f"b{i}" for i in range(5)],
        reported={f"b{i}" for i in range(5)},
        outcome="returned 5 accepted items",
        attempts=server.faults.hits("POST", BATCH),
        expect_created=5,
    )


@pytest.mark.parametrize("atomic", [False, True], ids=["non-atomic", "atomic"])
async def test_batch_budget_exhausted_by_lost_responses(
    atomic: bool,
    kind: str,
    server: DevServer,
    client: Client,
    scenarios: ScenarioLog,
) -> None:
    server.faults.add("POST", BATCH, kind="drop_after", times=5)

    error = await raises(client, "submit_batch", _batch("x", 5), atomic=atomic)

    assert type(error) is APIConnectionError
    assert error.after_ambiguous_attempt
    assert server.faults.hits("POST", BATCH) == 3
    scenarios.record(
        server,
        scenario=f"submit_batch (5 jobs), {'atomic' if atomic else 'non-atomic'}, max_retries=2: 5 lost responses",
        client=kind,
        items=[f"x{i}" for i in range(5)],
        reported=set(),
        outcome="raised APIConnectionError",
        attempts=3,
        expect_created=5,
    )


async def test_batch_user_duplicate_key_is_a_rejected_item(
    kind: str, server: DevServer, client: Client, scenarios: ScenarioLog
) -> None:
    await call(client, "submit", "echo", idempotency_key="taken", tags=_tags("pre"))
    items = _batch("u", 3)
    items[1]["idempotency_key"] = "taken"

    result = await call(client, "submit_batch", items)

    assert (result.accepted, result.rejected) == (2, 1)
    rejected = result.errors
    assert [r.index for r in rejected] == [1]
    assert rejected[0].error == "job already exists"
    assert rejected[0].job is None
    assert item_counts(server)["pre"] == 1
    scenarios.record(
        server,
        scenario="submit_batch (3 jobs), non-atomic, one user key already taken",
        client=kind,
        items=["u0", "u1", "u2"],
        reported={"u0", "u2"},
        outcome="item 1 rejected: job already exists",
        attempts=1,
        expect_created=2,
    )


async def test_atomic_batch_user_key_conflict_raises_and_says_what_was_kept(
    kind: str, server: DevServer, client: Client, scenarios: ScenarioLog
) -> None:
    await call(client, "submit", "echo", idempotency_key="taken", tags=_tags("pre"))
    items = _batch("a", 4)
    items[2]["idempotency_key"] = "taken"

    error = await raises(client, "submit_batch", items, atomic=True)

    assert isinstance(error, BatchConflictError)
    assert error.index == 2
    assert "kept items 0..1" in str(error)
    counts = item_counts(server)
    # Upstream keeps items 0..index-1 (docs/protocol.md §3.3 [171, 172]); the embedded server stores
    # none of them (docs/testing.md, deliberate difference 7). Either way the items before the conflict are all kept or all not, the
    # conflicting item and those after it are never stored, and nothing is retried.
    assert counts["a0"] == counts["a1"] in (0, 1)
    assert (counts["a2"], counts["a3"]) == (0, 0)
    assert server.faults.hits("POST", BATCH) == 1
    kept = counts["a0"] + counts["a1"]
    scenarios.record(
        server,
        scenario="submit_batch (4 jobs), atomic, item 2's user key already taken",
        client=kind,
        items=["a0", "a1", "a2", "a3"],
        reported=set(),
        outcome=f"raised BatchConflictError(index=2); server kept {kept} items before it",
        attempts=1,
    )


async def test_batch_with_user_keys_after_lost_response(
    kind: str, server: DevServer, client: Client, scenarios: ScenarioLog
) -> None:
    """After a lost response every item is resolved, user-supplied keys included, the way
    single submit resolves a key in use (the server answers it with the existing job): the
    batch reports all four accepted, and nothing is duplicated or lost."""
    items = _batch("m", 4)
    items[0]["idempotency_key"] = "user-key-0"
    items[3]["idempotency_key"] = "user-key-3"
    server.faults.add("POST", BATCH, kind="drop_after")

    result = await call(client, "submit_batch", items)

    assert result.errors == []
    assert (result.accepted, result.rejected) == (4, 0)
    assert [j.tags["item"] for j in result.jobs] == ["m0", "m1", "m2", "m3"]
    # The resolved items are the jobs the lost attempt stored, handed back by key.
    assert [j.replayed for j in result.jobs] == [True, True, True, True]
    scenarios.record(
        server,
        scenario="submit_batch (4 jobs, 2 with user keys), non-atomic, lost response",
        client=kind,
        items=["m0", "m1", "m2", "m3"],
        reported={"m0", "m1", "m2", "m3"},
        outcome="4 accepted: every item resolved to the job the lost attempt stored",
        attempts=2,
        expect_created=4,
    )


async def test_atomic_batch_with_user_keys_after_lost_response(
    kind: str, server: DevServer, client: Client
) -> None:
    """The retry of an atomic batch whose response was lost conflicts on its own first item
    (500 ``failed to create job 0``); after such a loss the SDK resolves the items by key."""
    items = _batch("u", 3)
    for i, item in enumerate(items):
        item["idempotency_key"] = f"atomic-user-key-{i}"
    server.faults.add("POST", BATCH, kind="drop_after")

    result = await call(client, "submit_batch", items, atomic=True)

    assert (result.accepted, result.rejected) == (3, 0)
    assert [j.tags["item"] for j in result.jobs] == ["u0", "u1", "u2"]
    assert server.job_count() == 3


# ------------------------------------------------------------------------------------------
# cancel / delete / retry recognise their own earlier success


async def test_cancel_after_lost_response(
    kind: str, server: DevServer, client: Client, gate: Gate, scenarios: ScenarioLog
) -> None:
    # Two workers, both busy: the target job stays pending.
    for i in range(2):
        await call(client, "submit", "gate", tags=_tags(f"busy{i}"))
    job = await call(client, "submit", "echo", tags=_tags("c0"))
    path = f"{JOBS}/{job.id}/cancel"
    server.faults.add("POST", path, kind="drop_after")

    cancelled = await call(client, "cancel", job.id, reason="no longer needed")

    assert cancelled.id == job.id
    assert cancelled.state == JobState.CANCELLED
    assert server.faults.hits("POST", path) == 2
    stored = server.get_job(job.id)
    assert stored is not None
    assert stored["state"] == "cancelled"
    scenarios.record(
        server,
        scenario="cancel: lost response",
        client=kind,
        items=["c0"],
        reported={"c0"},
        outcome="returned the cancelled job (2nd attempt's 409 recognised)",
        attempts=2,
        expect_created=1,
    )


async def test_delete_after_lost_response(
    kind: str, server: DevServer, client: Client, scenarios: ScenarioLog
) -> None:
    job = await call(client, "submit", "echo", tags=_tags("d0"))
    path = f"{JOBS}/{job.id}"
    server.faults.add("DELETE", path, kind="drop_after")

    assert await call(client, "delete", job.id) is None

    assert server.faults.hits("DELETE", path) == 2
    assert server.get_job(job.id) is None
    scenarios.record(
        server,
        scenario="delete: lost response",
        client=kind,
        items=[],
        reported=set(),
        outcome="returned None (2nd attempt's 404 recognised); job gone",
        attempts=2,
    )


async def test_retry_after_lost_response(
    kind: str, server: DevServer, client: Client, gate: Gate, scenarios: ScenarioLog
) -> None:
    runs: list[int] = []

    async def fail_then_block(ctx: JobContext) -> None:
        runs.append(1)
        if len(runs) == 1:
            raise PermanentError("first run fails")
        await gate(ctx)

    server.register("flaky", fail_then_block)
    job = await call(client, "submit", "flaky", max_attempts=1, tags=_tags("r0"))
    done = await call(client, "wait", job.id, 5)
    assert done.state == JobState.DEAD_LETTER
    path = f"{JOBS}/{job.id}/retry"
    server.faults.add("POST", path, kind="drop_after")

    retried = await call(client, "retry", job.id)

    assert retried.id == job.id
    assert retried.state not in (JobState.FAILED, JobState.DEAD_LETTER)
    # Before re-sending, the SDK looked at the job, saw it moved on, and did not re-send.
    assert server.faults.hits("POST", path) == 1
    for _ in range(100):
        if len(runs) == 2:
            break
        await asyncio.sleep(0.01)
    assert len(runs) == 2  # retried exactly once
    scenarios.record(
        server,
        scenario="retry: lost response",
        client=kind,
        items=["r0"],
        reported={"r0"},
        outcome="returned the re-queued job (the job had moved on: not re-sent); ran once more",
        attempts=1,
        expect_created=1,
    )


async def test_cancel_of_finished_job_still_conflicts_after_lost_response(
    server: DevServer, client: Client
) -> None:
    """Recognising its own success must not hide a real refusal: a job that finished (not
    cancelled) before the cancel still raises ConflictError."""
    from gopherqueue import ConflictError

    job = await call(client, "submit", "echo", tags=_tags("f0"))
    await call(client, "wait", job.id, 5)
    server.faults.add("POST", f"{JOBS}/{job.id}/cancel", kind="drop_after")

    error = await raises(client, "cancel", job.id)

    assert isinstance(error, ConflictError)
    assert error.status_code == 409


# ------------------------------------------------------------------------------------------
# Server restarts: wait and events survive


async def test_wait_survives_server_restart(
    kind: str, server: DevServer, client: Client, gate: Gate, scenarios: ScenarioLog
) -> None:
    job = await call(client, "submit", "gate", tags=_tags("w0"))
    waiting = asyncio.ensure_future(call(client, "wait", job.id, 15))
    path = f"{JOBS}/{job.id}/wait"
    for _ in range(200):
        if server.faults.hits("POST", path):
            break
        await asyncio.sleep(0.01)
    assert server.faults.hits("POST", path) == 1
    assert not waiting.done()

    await asyncio.to_thread(server.restart)
    # The job is still gated, so the client must re-send the long-poll to the restarted server.
    for _ in range(500):
        if server.faults.hits("POST", path) >= 2:
            break
        await asyncio.sleep(0.01)
    assert server.faults.hits("POST", path) >= 2
    gate.open()
    outcome = await asyncio.wait_for(waiting, 10)

    assert outcome.completed
    assert outcome.success
    assert outcome.state == JobState.COMPLETED
    assert outcome.result is not None
    assert outcome.result.text == "gate-opened"
    assert server.faults.hits("POST", path) >= 2  # the long-poll was re-sent after the restart
    scenarios.record(
        server,
        scenario="wait: server restarted mid-wait",
        client=kind,
        items=["w0"],
        reported={"w0"},
        outcome="returned the completion",
        attempts=server.faults.hits("POST", path),
        expect_created=1,
    )


async def test_wait_survives_503s_and_dropped_polls(
    server: DevServer, client: Client, gate: Gate
) -> None:
    job = await call(client, "submit", "gate", tags=_tags("w1"))
    path = f"{JOBS}/{job.id}/wait"
    server.faults.add("POST", path, kind="status", status=503, times=3)
    server.faults.add("POST", path, kind="drop_before", times=3)
    server.faults.add("POST", path, kind="html_502", times=3)
    gate.open()

    outcome = await call(client, "wait", job.id, 10)

    assert outcome.completed
    assert outcome.success
    assert server.faults.hits("POST", path) == 10


class EventReader:
    """Reads either client's event stream with timeouts; a read that times out stays pending
    and is picked up by the next call (a sync iterator cannot be entered twice)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.pending: asyncio.Future[Any] | None = None

    async def next(self, timeout: float = 5.0) -> Any:
        if self.pending is None:
            if hasattr(self.stream, "__anext__"):
                self.pending = asyncio.ensure_future(self.stream.__anext__())
            else:
                self.pending = asyncio.ensure_future(asyncio.to_thread(next, self.stream))
        done, _ = await asyncio.wait({self.pending}, timeout=timeout)
        if not done:
            raise TimeoutError
        future, self.pending = self.pending, None
        return future.result()

    async def until_created(self, ids: set[str], timeout: float = 5.0) -> Any:
        end = time.monotonic() + timeout
        while True:
            event = await self.next(max(0.0, end - time.monotonic()))
            if event.event_type == "job.created" and event.job_id in ids:
                return event

    async def close(self, poke: Callable[[], Any]) -> None:
        if self.pending is not None:
            if hasattr(self.stream, "aclose"):
                self.pending.cancel()
                await asyncio.gather(self.pending, return_exceptions=True)
            else:
                # The worker thread sits in next(): give it an event so it returns.
                while not self.pending.done():
                    await poke()
                    await asyncio.wait({self.pending}, timeout=0.5)
            self.pending = None
        if hasattr(self.stream, "aclose"):
            await self.stream.aclose()
        else:
            self.stream.close()


async def test_events_stream_survives_server_restart(
    kind: str,
    server: DevServer,
    make_client: Callable[..., Client],
    scenarios: ScenarioLog,
) -> None:
    listener = make_client()
    submitter = make_client()
    reconnects: list[Any] = []
    reader = EventReader(listener.events(on_reconnect=reconnects.append))
    try:
        first = await reader.next()
        assert first.event_type == "connected"
        before = await call(submitter, "submit", "echo", tags=_tags("ev0"))
        assert (await reader.until_created({before.id})).job.id == before.id

        await asyncio.to_thread(server.restart)
        # No replay on the server: only events after the reconnection arrive. Keep submitting
        # until one does; the stream must deliver it without the caller doing anything.
        after_ids: set[str] = set()
        seen = None
        deadline = time.monotonic() + 10
        while seen is None and time.monotonic() < deadline:
            job = await call(submitter, "submit", "echo", tags=_tags(f"ev{len(after_ids) + 1}"))
            after_ids.add(job.id)
            try:
                seen = await reader.until_created(after_ids, timeout=0.3)
            except TimeoutError:
                continue
        assert seen is not None, "no event after the restart"
        assert seen.job is not None
        assert server.faults.hits("GET", "/api/v1/events") >= 2
        assert len(reconnects) >= 1
    finally:
        await reader.close(lambda: call(submitter, "submit", "echo"))
    scenarios.record(
        server,
        scenario="events: server restarted mid-stream",
        client=kind,
        items=["ev0"],
        reported={"ev0"},
        outcome="reconnected and kept delivering",
        attempts=server.faults.hits("GET", "/api/v1/events"),
        expect_created=1,
    )
