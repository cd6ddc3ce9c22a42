"""A guided tour of the GopherQueue Python SDK, against the embedded server.

Starts a GopherQueue-compatible server in this process (``gopherqueue.testing.DevServer``,
loopback, ephemeral port), registers two job handlers, then walks through what the SDK guide
shows: submit, wait, get with the result, a batch, events, watching a job's progress, stats,
cancel and retry, and the error classes. Takes a few seconds and needs nothing else running::

    python3 -m pip install nox uv && python3 -m nox -s demo
    # or, with the package installed with its `testing` extra:
    python examples/demo.py

Point a client at your own server instead with ``GopherQueueSync("http://localhost:8080")``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from gopherqueue import (
    ConflictError,
    GopherQueue,
    GopherQueueSync,
    JobNotFoundError,
    Priority,
)
from gopherqueue.testing import DevServer, JobContext


def section(title: str) -> None:
    print(f"\n== {title} ==")


# -- job handlers for the embedded server (a real deployment has its own workers) --------------


def send_email(ctx: JobContext) -> dict[str, Any]:
    """Pretends to send an email in four steps, reporting progress after each."""
    to = ctx.payload_json()["to"]
    for step in range(1, 5):
        time.sleep(0.15)
        ctx.report_progress(step * 25, f"sent part {step}/4 to {to}")
    return {"delivered_to": to, "message_id": f"msg-{ctx.job_id[:8]}"}


class Flaky:
    """Fails its first attempt, succeeds afterwards: shows a retry that helps."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, ctx: JobContext) -> dict[str, Any]:
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("payment gateway timed out")
        return {"charged": ctx.payload_json()["amount"]}


# -- the tour ------------------------------------------------------------------------------------


def tour(client: GopherQueueSync) -> None:
    section("1. Health")
    health = client.health()
    print(f"server healthy: {health.healthy} (components: {', '.join(sorted(health.components))})")

    section("2. Submit a job and wait for it")
    job = client.submit("echo", {"hello": "world"}, priority=Priority.HIGH)
    print(f"Created job: {job.id} (type {job.type}, state {job.state})")
    outcome = client.wait(job.id, timeout=30)
    print(f"wait: completed={outcome.completed} success={outcome.success} state={outcome.state}")
    if outcome.success:
        print("Job completed successfully!")

    section("3. Get the job with its result")
    fetched = client.get(job.id)
    assert fetched.job_result is not None
    print(f"state: {fetched.state}, attempt {fetched.attempt}/{fetched.max_attempts}")
    took_ms = fetched.job_result.duration.total_seconds() * 1000
    print(f"result output: {fetched.job_result.json()} (handler took {took_ms:.2f} ms)")

    section("4. Idempotent submit")
    first = client.submit("echo", {"order": 42}, idempotency_key="order-42")
    again = client.submit("echo", {"order": 42}, idempotency_key="order-42")
    print(f"first submit created {first.id} (replayed={first.replayed})")
    print(f"same key again returned {again.id} (replayed={again.replayed})")

    section("5. A batch, submitted atomically")
    batch = client.submit_batch(
        [
            {"type": "send_email", "payload": {"to": "user1@example.com"}},
            {"type": "send_email", "payload": {"to": "user2@example.com"}},
        ],
        atomic=True,
    )
    print(f"Batch: {batch.accepted} accepted, {batch.rejected} rejected")
    for item in batch.results:
        assert item.job is not None
        result = client.wait(item.job.id, timeout=30).result
        assert result is not None
        print(f"  item {item.index}: {item.job.id} -> {result.json()}")

    section("6. Real-time events (job_types=['send_email'])")
    with client.events(job_types=["send_email"]) as events:
        print(f"event: {next(events).event_type}")
        client.submit("echo", "not an email: filtered out")
        emails = [client.submit("send_email", {"to": f"user{n}@example.com"}) for n in (3, 4)]
        for _ in emails:
            event = next(events)
            assert event.job is not None
            print(f"event: {event.event_type} {event.job.type} {event.job_id}")
    print(
        "(the server publishes created/cancelled/retried/deleted; use watch() or wait() for completion)"
    )
    for email in emails:
        client.wait(email.id, timeout=30)

    section("7. Watch a job's progress")
    job = client.submit("send_email", {"to": "watcher@example.com"})
    for update in client.watch(job.id, timeout=30, poll_interval=0.05):
        message = update.progress_message or ""
        print(f"  {update.state:<10} {update.progress:5.0f}%  {message}".rstrip())
        if update.job_result is not None:
            print(f"  result: {update.job_result.json()}")

    section("8. Cancel a delayed job")
    later = client.submit("echo", "for later", delay=60)
    print(f"submitted {later.id} with a 60 s delay: state {later.state}")
    cancelled = client.cancel(later.id, reason="no longer needed")
    print(f"cancelled: state {cancelled.state}, reason {cancelled.last_error!r}")
    try:
        client.cancel(job.id)
    except ConflictError as exc:
        print(f"cancelling a finished job -> ConflictError ({exc.status_code})")

    section("9. Dead letter and retry")
    failing = client.submit("error", "boom", max_attempts=1)
    outcome = client.wait(failing.id, timeout=30)
    assert outcome.result is not None
    print(f"error job: state {outcome.state}, error {outcome.result.error!r}")
    retried = client.retry(failing.id, reset_attempts=True)
    print(f"retry(reset_attempts=True): state {retried.state}, attempt {retried.attempt}")
    outcome = client.wait(failing.id, timeout=30)
    print(f"ran again: state {outcome.state} (the built-in error handler always fails)")
    charge = client.submit("charge_card", {"amount": 990}, max_attempts=1)
    print(f"charge_card: {client.wait(charge.id, timeout=30).state} on its first attempt")
    client.retry(charge.id, reset_attempts=True)
    outcome = client.wait(charge.id, timeout=30)
    assert outcome.result is not None
    print(f"charge_card after retry: {outcome.state}, result {outcome.result.json()}")

    section("10. Errors")
    try:
        client.get("00000000-0000-4000-8000-000000000000")
    except JobNotFoundError as exc:
        print(f"unknown job -> JobNotFoundError: {exc}")

    section("11. Queue statistics")
    stats = client.stats()
    print(f"Pending: {stats.pending}, Running: {stats.running}")
    print(
        f"Completed: {stats.completed}, Dead letter: {stats.dead_letter}, "
        f"Cancelled: {stats.cancelled}, Total: {stats.total_jobs}"
    )
    print(f"workers: {stats.workers.total_workers}, processed: {stats.workers.processed_jobs}")


async def async_tour(url: str) -> None:
    section("12. The asyncio client")
    async with GopherQueue(url) as client:
        job = await client.submit("send_email", {"to": "async@example.com"})
        print(f"Created job: {job.id}")
        result = await client.wait(job.id, timeout=30)
        if result.success:
            print("Job completed successfully!")


def main() -> None:
    started = time.monotonic()
    with DevServer() as server:
        server.register("send_email", send_email)
        server.register("charge_card", Flaky())
        print(f"Embedded GopherQueue server listening on {server.url}")
        with GopherQueueSync(server.url) as client:
            tour(client)
        asyncio.run(async_tour(server.url))
    print(f"\nDemo finished in {time.monotonic() - started:.1f} s.")


if __name__ == "__main__":
    main()
