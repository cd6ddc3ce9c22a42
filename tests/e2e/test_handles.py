"""Handles, ``submit_and_wait``, ``wait_all`` and ``as_completed`` against the embedded
server, with jobs that finish in an order the test decides (both clients)."""

from __future__ import annotations

import asyncio
import pickle
import threading
import time
from typing import Any

import pytest

from gopherqueue import (
    AsyncJobHandle,
    JobFailedError,
    JobHandle,
    JobNotFoundError,
    JobState,
    WaitResult,
)
from gopherqueue.testing import DevServer, JobContext

from ._support import Api, make_client

pytestmark = pytest.mark.e2e

UNKNOWN = "00000000-0000-4000-8000-000000000000"


class Gates:
    """A ``gated`` job type: each job runs until the test opens the gate named by its payload."""

    def __init__(self, server: DevServer) -> None:
        self.gates: dict[str, threading.Event] = {}
        server.register("gated", self._run)

    def add(self, name: str) -> str:
        self.gates[name] = threading.Event()
        return name

    def open(self, name: str) -> None:
        self.gates[name].set()

    def open_all(self) -> None:
        for gate in self.gates.values():
            gate.set()

    def _run(self, ctx: JobContext) -> dict[str, Any]:
        name = ctx.payload_json()
        assert self.gates[name].wait(30), f"gate {name} never opened"
        return {"gate": name}


@pytest.mark.needs_embedded("a handler that finishes when the test says")
async def test_as_completed_follows_the_finishing_order(gq: Api, server: DevServer) -> None:
    gates = Gates(server)
    try:
        jobs = [await gq.submit("gated", gates.add(name)) for name in ("a", "b", "c")]
        order = ["c", "a", "b"]
        gates.open(order[0])
        seen: list[WaitResult] = []
        stream = gq.client.as_completed(jobs, timeout=30)
        iterator: Any = stream if gq.is_async else iter(stream)
        while len(seen) < 3:
            outcome = await anext(iterator) if gq.is_async else next(iterator)
            seen.append(outcome)
            if len(seen) < 3:
                gates.open(order[len(seen)])
        by_id = {job.id: name for job, name in zip(jobs, "abc", strict=True)}
        assert [by_id[o.job_id] for o in seen] == order
        assert all(o.success for o in seen)
        assert seen[0].result is not None
        assert seen[0].result.json() == {"gate": "c"}
    finally:
        gates.open_all()


@pytest.mark.needs_embedded("a handler that finishes when the test says")
async def test_wait_all_keeps_the_input_order(gq: Api, server: DevServer) -> None:
    gates = Gates(server)
    try:
        jobs = [await gq.submit("gated", gates.add(name)) for name in ("a", "b", "c")]
        failing = await gq.submit("error", {}, max_attempts=1)
        for name in ("c", "b", "a"):
            gates.open(name)
        outcomes = await gq.wait_all([*jobs, failing], timeout=30)
        assert [o.job_id for o in outcomes] == [j.id for j in jobs] + [failing.id]
        assert [o.success for o in outcomes] == [True, True, True, False]
        assert outcomes[3].state in (JobState.FAILED, JobState.DEAD_LETTER)
        with pytest.raises(JobFailedError):
            await gq.wait_all([*jobs, failing], timeout=30, raise_on_failure=True)
        with pytest.raises(JobNotFoundError):
            await gq.wait_all([jobs[0], UNKNOWN], timeout=30)
    finally:
        gates.open_all()


async def test_handle_round_trip(gq: Api) -> None:
    job = await gq.submit("echo", {"hello": "handle"})
    handle = gq.client.job(job)
    assert isinstance(handle, AsyncJobHandle if gq.is_async else JobHandle)
    result = handle.output(timeout=30)
    output = await result if gq.is_async else result
    assert output == {"hello": "handle"}
    refreshed = handle.refresh()
    job_now = await refreshed if gq.is_async else refreshed
    assert job_now.state is JobState.COMPLETED
    copy = pickle.loads(pickle.dumps(handle))
    assert copy == handle
    assert copy.snapshot == job_now
    outcome = await gq.submit_and_wait("echo", {"n": 2}, timeout=30)
    assert outcome.result is not None
    assert outcome.result.json() == {"n": 2}
    assert outcome.to_dict()["result"]["output"] == {"n": 2}


@pytest.mark.needs_embedded("counts the server's open long-polls")
@pytest.mark.parametrize("kind", ["async", "async-httpx"])
async def test_wait_all_over_200_jobs_bounds_its_long_polls(kind: str, server: DevServer) -> None:
    gate = threading.Event()
    server.register("held", lambda ctx: gate.wait(30) and "ok")
    engine: Any = server._core.engine
    original = engine.wait
    open_polls = 0
    most = 0
    all_slots_taken = threading.Event()

    async def counted_wait(job_id: str, timeout: float) -> Any:
        nonlocal open_polls, most
        open_polls += 1
        most = max(most, open_polls)
        if open_polls >= 10:
            all_slots_taken.set()
        try:
            return await original(job_id, timeout)
        finally:
            open_polls -= 1

    server._call(lambda: setattr(engine, "wait", counted_wait))
    client = make_client(kind, server.url)
    try:
        batch = await client.submit_batch([{"type": "held"} for _ in range(200)])
        assert batch.accepted == 200
        task = asyncio.ensure_future(client.wait_all(batch, timeout=60))
        assert await asyncio.to_thread(all_slots_taken.wait, 30)
        gate.set()
        outcomes = await task
        returned = time.time()
        assert [o.job_id for o in outcomes] == [j.id for j in batch.jobs]
        assert all(o.success for o in outcomes)
        assert most == 10  # DEFAULT max_concurrency: never more long-polls at once
        last_finished = max(o.result.completed_at.timestamp() for o in outcomes if o.result)
        assert returned - last_finished < 2.0
    finally:
        gate.set()
        server._call(lambda: setattr(engine, "wait", original))
        await client.aclose()
