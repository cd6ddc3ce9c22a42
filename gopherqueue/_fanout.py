"""Waiting on many jobs: ``wait_all`` and ``as_completed``.

The plan (:class:`WaitPlan`) is written once: it checks the arguments, keeps the shared
deadline, and hands out one long-poll ``wait`` flow at a time per job, never more than
``max_concurrency`` at once. The sync client runs those flows on a pool of that many threads,
the async client as that many tasks; both only feed the plan the outcomes.

``wait_all`` gives each long-poll the whole remaining time: every job has to finish anyway,
so it returns right after the last one does, having asked about each job once (plus one
request per 25 s chunk). ``as_completed`` wants each job the moment it finishes: while more
jobs are pending than may be polled at once, long-polls take turns of :data:`TURN` seconds.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterable,
    Iterator,
)
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from . import _convert as convert
from . import _operations as ops
from ._exceptions import JobFailedError, ValidationError, WaitTimeoutError
from ._models import BatchResult, Job, JobState, WaitResult

if TYPE_CHECKING:
    from ._effects import Flow
    from ._options import Settings

__all__ = [
    "DEFAULT_CONCURRENCY",
    "WaitPlan",
    "as_completed_async",
    "as_completed_sync",
    "job_id_of",
    "wait_all_async",
    "wait_all_sync",
]

DEFAULT_CONCURRENCY = 10
"""At most this many long-polls are open at once, by default."""

TURN = 1.0
"""Seconds of one long-poll turn in ``as_completed`` while jobs outnumber the open long-polls."""


def job_id_of(item: object, field: str = "job_id") -> str:
    """The canonical id of a job id, :class:`Job`, handle or :class:`WaitResult`."""
    if isinstance(item, Job):
        return item.id
    if isinstance(item, WaitResult):
        return item.job_id
    handle_id = getattr(type(item), "_handle_id", None)
    if handle_id is not None:
        return str(handle_id(item))
    return convert.check_job_id(item, field)


class WaitPlan:
    """Which job to long-poll next and for how long, under one deadline."""

    def __init__(
        self,
        settings: Settings,
        jobs: object,
        timeout: float | timedelta | None,
        *,
        max_concurrency: object,
        raise_on_failure: object,
        take_turns: bool,
    ) -> None:
        if isinstance(jobs, BatchResult):
            jobs = jobs.jobs
        if isinstance(jobs, (str, bytes, uuid.UUID)) or not isinstance(jobs, Iterable):
            raise ValidationError(
                "jobs must be an iterable of job ids, jobs or handles", field="jobs"
            )
        items: Iterable[object] = jobs  # pyright: ignore[reportUnknownVariableType]
        self.order = [job_id_of(item, f"jobs[{i}]") for i, item in enumerate(items)]
        timeout = convert.check_seconds(timeout)
        if (
            isinstance(max_concurrency, bool)
            or not isinstance(max_concurrency, int)
            or max_concurrency < 1
        ):
            raise ValidationError(
                f"max_concurrency must be an int >= 1, got {max_concurrency!r}",
                field="max_concurrency",
            )
        convert.check_bool(raise_on_failure, "raise_on_failure")
        self.settings = settings
        self.timeout = timeout
        self.limit = max_concurrency
        self.raise_on_failure = raise_on_failure
        self.take_turns = take_turns
        self.deadline = None if timeout is None else self.settings.clock() + timeout
        # Each job once (the first place it appears), polled in the caller's order.
        self.position: dict[str, int] = {}
        for index, job_id in enumerate(self.order):
            self.position.setdefault(job_id, index)
        self.queue = deque(self.position)
        self.last: dict[str, WaitResult] = {}
        self.running = 0
        self.results: dict[str, WaitResult] = {}
        self.stopped = False

    def next(self) -> tuple[str, Flow[WaitResult]] | None:
        """The next job to long-poll and its flow, or ``None`` when none is left to start
        (or every slot is taken)."""
        while self.queue and self.running < self.limit:
            job_id = self.queue.popleft()
            remaining = None if self.deadline is None else self.deadline - self.settings.clock()
            if remaining is not None and remaining <= 0 and job_id in self.last:
                self.queue.appendleft(job_id)
                return None
            if remaining is not None:
                remaining = max(0.0, remaining)
            span = remaining
            if self.take_turns and len(self.queue) + self.running >= self.limit:
                span = TURN if remaining is None else min(TURN, remaining)
            self.running += 1
            return job_id, self._stoppable(ops.wait(self.settings, job_id, span))
        return None

    def _stoppable(self, flow: Flow[WaitResult]) -> Flow[WaitResult]:
        # A sync long-poll cannot be interrupted: once the caller has stopped, end after the
        # current request instead of looping on to the deadline.
        outcome: Any = None
        while True:
            try:
                effect = flow.send(outcome)
            except StopIteration as stop:
                result: WaitResult = stop.value
                return result
            if self.stopped:
                flow.close()
                return WaitResult("", JobState.PENDING, False, False, True, None)
            outcome = yield effect

    def done(self, job_id: str, outcome: WaitResult) -> WaitResult | None:
        """Record a long-poll's outcome; the job's final outcome when it finished (or the
        deadline passed), else ``None`` (it is polled again later)."""
        self.running -= 1
        self.last[job_id] = outcome
        expired = self.deadline is not None and self.settings.clock() >= self.deadline
        if outcome.completed or expired:
            self.results[job_id] = outcome
            if outcome.completed and self.raise_on_failure and not outcome.success:
                raise JobFailedError(f"job {job_id} did not succeed", outcome=outcome)
            return outcome
        self.queue.append(job_id)
        return None

    def expire(self) -> None:
        """Settle the jobs left once the deadline passed with their last (timed-out) outcome."""
        while self.queue:
            job_id = self.queue.popleft()
            self.results[job_id] = self.last[job_id]

    def in_order(self) -> list[WaitResult]:
        """Every job's outcome, in the caller's order."""
        return [self.results[job_id] for job_id in self.order]

    def timeout_error(self, outcome: WaitResult) -> WaitTimeoutError:
        """What ``as_completed`` raises once the deadline passed with ``outcome``'s job (and
        perhaps others) unfinished."""
        left = len(self.position) - sum(r.completed for r in self.results.values())
        return WaitTimeoutError(
            f"{left} of {len(self.position)} jobs did not finish within {self.timeout} s "
            f"(job {outcome.job_id} is {outcome.state})",
            outcome=outcome,
        )


def _settle_order(plan: WaitPlan, job_id: str, future: Any) -> tuple[bool, int]:
    # Errors and finished jobs before timed-out ones, then the caller's order: as_completed
    # yields every job that finished before it raises for the deadline.
    unfinished = future.exception() is None and not future.result().completed
    return unfinished, plan.position[job_id]


def _iterate_sync(
    plan: WaitPlan, run: Callable[[Flow[WaitResult]], WaitResult]
) -> Generator[WaitResult, None, None]:
    from concurrent import futures

    pool = futures.ThreadPoolExecutor(max_workers=plan.limit, thread_name_prefix="gopherqueue-wait")
    running: dict[futures.Future[WaitResult], str] = {}
    try:
        while True:
            while (task := plan.next()) is not None:
                running[pool.submit(run, task[1])] = task[0]
            if not running:
                break
            finished, _ = futures.wait(running, return_when=futures.FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: _settle_order(plan, running[f], f)):
                outcome = plan.done(running.pop(future), future.result())
                if outcome is not None:
                    yield outcome
    finally:
        plan.stopped = True
        pool.shutdown(wait=False, cancel_futures=True)
    plan.expire()


async def _iterate_async(
    plan: WaitPlan, run: Callable[[Flow[WaitResult]], Awaitable[WaitResult]]
) -> AsyncGenerator[WaitResult, None]:
    import asyncio  # not at module level: it costs import time to sync-only users

    running: dict[asyncio.Future[WaitResult], str] = {}
    try:
        while True:
            while (task := plan.next()) is not None:
                running[asyncio.ensure_future(run(task[1]))] = task[0]
            if not running:
                break
            finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: _settle_order(plan, running[f], f)):
                outcome = plan.done(running.pop(future), future.result())
                if outcome is not None:
                    yield outcome
    finally:
        plan.stopped = True
        for future in running:
            future.cancel()
        if running:
            await asyncio.wait(running)
            for future in running:
                if not future.cancelled():
                    future.exception()  # retrieved: no "exception never retrieved" warning
    plan.expire()


def wait_all_sync(
    plan: WaitPlan, run: Callable[[Flow[WaitResult]], WaitResult]
) -> list[WaitResult]:
    """Run ``plan`` on threads; every outcome in the caller's order."""
    for _ in _iterate_sync(plan, run):
        pass
    return plan.in_order()


async def wait_all_async(
    plan: WaitPlan, run: Callable[[Flow[WaitResult]], Awaitable[WaitResult]]
) -> list[WaitResult]:
    """Run ``plan`` as tasks; every outcome in the caller's order."""
    async for _ in _iterate_async(plan, run):
        pass
    return plan.in_order()


def as_completed_sync(
    plan: WaitPlan, run: Callable[[Flow[WaitResult]], WaitResult]
) -> Iterator[WaitResult]:
    """Each finished job's outcome as it finishes; WaitTimeoutError at the deadline."""
    outcomes = _iterate_sync(plan, run)
    try:
        for outcome in outcomes:
            if not outcome.completed:
                raise plan.timeout_error(outcome)
            yield outcome
    finally:
        outcomes.close()


async def as_completed_async(
    plan: WaitPlan, run: Callable[[Flow[WaitResult]], Awaitable[WaitResult]]
) -> AsyncIterator[WaitResult]:
    """Async twin of :func:`as_completed_sync`."""
    outcomes = _iterate_async(plan, run)
    try:
        async for outcome in outcomes:
            if not outcome.completed:
                raise plan.timeout_error(outcome)
            yield outcome
    finally:
        await outcomes.aclose()
