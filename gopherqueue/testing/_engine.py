"""The job store, scheduler and workers of the embedded server.

Everything here is *loop-affine*: an :class:`Engine` belongs to one asyncio event loop and its
methods must be called from that loop's thread (the server classes marshal calls from other
threads). Jobs run as asyncio tasks, at most ``workers`` at a time, lowest priority number
first. Nothing polls: state changes wake waiters through per-job :class:`asyncio.Event` objects
and feed SSE subscribers through bounded queues.

The observable behaviour follows the real server (docs/protocol.md) except where the documentation
(``docs/testing.md``) lists a deliberate difference: retrying jobs really run again, ``delay`` and
``scheduled_at`` are honoured, progress is visible, a force-cancel sticks, and batches with
``atomic: true`` are all-or-nothing.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import heapq
import inspect
import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Optional, Union, cast

from .._ids import random_uuid
from ._durations import parse_go_duration
from ._wire import ZERO_TIME, format_local, format_time, format_utc, go_float, go_json

__all__ = [
    "BUILTIN_TYPES",
    "TERMINAL_STATES",
    "BatchItemResult",
    "Engine",
    "Handler",
    "JobContext",
    "PermanentError",
    "SubmitRequest",
]

#: States after which a job never changes on its own (wait answers on these).
TERMINAL_STATES = frozenset({"completed", "failed", "dead_letter", "cancelled"})
#: States a job can be cancelled from without force (PROTOCOL §3.6).
_CANCELLABLE = frozenset({"pending", "scheduled", "delayed", "retrying"})
#: States ``retry`` accepts (PROTOCOL §3.7).
_RETRYABLE = frozenset({"failed", "dead_letter"})
#: Job types the engine always has handlers for (restored by ``reset``).
BUILTIN_TYPES = ("echo", "error", "sleep")

DEFAULT_TIMEOUT_NS = 30 * 60 * 1_000_000_000
DEFAULT_PRIORITY = 2
DEFAULT_MAX_ATTEMPTS = 3
_SUBSCRIBER_BUFFER = 100
_DURATION_SAMPLES = 10_000


class PermanentError(Exception):
    """Raise from a handler to fail the attempt with the ``permanent`` error category.

    A permanent failure is never retried automatically: the job ends ``failed`` (or
    ``dead_letter`` when it has used all its attempts). Any other exception is ``temporary``.
    """


class _AttemptTimeout(Exception):
    """The per-attempt ``timeout`` elapsed (Go's ``context deadline exceeded``)."""


class JobContext:
    """What a handler receives: the job's identity, its payload and a progress reporter.

    Handlers may be ``async def`` (run on the server's event loop) or plain functions (run in a
    worker thread); both get this object as their only argument.

    Args:
        engine: The server's engine (the server makes contexts; handlers only receive them).
        job: The stored job the attempt runs.
    """

    def __init__(self, engine: Engine, job: _Job) -> None:
        self._engine = engine
        self._job = job
        self._cancelled = threading.Event()
        self._active = True
        #: The job's id (canonical lowercase UUID).
        self.job_id: str = job.id
        #: The job's type, as submitted.
        self.job_type: str = job.type
        #: The attempt number, 1 on the first run.
        self.attempt: int = job.attempt
        #: The job's ``max_attempts``.
        self.max_attempts: int = job.max_attempts
        #: The raw payload bytes as the client sent them (``b""`` when there was no payload).
        self.payload: bytes = job.payload or b""
        #: The job's tags (a copy).
        self.tags: dict[str, str] = dict(job.tags or {})

    def payload_json(self) -> Any:
        """The payload decoded as JSON, or ``None`` when the job has no payload."""
        if not self.payload:
            return None
        return json.loads(self.payload)

    @property
    def cancelled(self) -> bool:
        """True once this attempt was abandoned (force-cancel, timeout, reset or shutdown).

        Long-running *synchronous* handlers cannot be interrupted from outside their thread;
        they may poll this to stop early.
        """
        return self._cancelled.is_set()

    def report_progress(self, percent: float, message: Optional[str] = None) -> None:
        """Publish progress: ``progress`` (0-100) and ``progress_message`` appear in the job JSON.

        Safe to call from the handler's thread or from the event loop. Calls after the attempt
        has ended are ignored.

        Args:
            percent: How far the job is, from 0 to 100.
            message: What it is doing.
        """
        value = float(percent)
        self._engine._call_soon(lambda: self._engine._progress(self, value, message))

    def _close(self) -> None:
        self._active = False
        self._cancelled.set()


#: A job handler: ``fn(ctx)``, sync or async, returning output (bytes, str, JSON-able or None).
Handler = Callable[[JobContext], Any]
"""A job handler: called with the attempt's ``JobContext``, plain or ``async def``; what it
returns becomes the result's output, and raising fails the attempt."""


@dataclass(slots=True)
class SubmitRequest:
    """A parsed job submission (one ``POST /api/v1/jobs`` body or one batch item)."""

    type: str = ""
    payload: Optional[bytes] = None
    priority: Optional[int] = None
    idempotency_key: str = ""
    correlation_id: str = ""
    delay_ns: Optional[int] = None
    scheduled_at: Optional[tuple[int, int]] = None
    timeout_ns: Optional[int] = None
    max_attempts: Optional[int] = None
    tags: Optional[dict[str, str]] = None


@dataclass(slots=True)
class _Result:
    job_id: str
    success: bool
    output: Optional[bytes]
    error: str
    error_category: str
    duration_ns: int
    completed_ns: int


@dataclass(slots=True)
class _Job:
    id: str
    type: str
    state: str
    priority: int
    max_attempts: int
    created_at: int
    updated_at: int
    seq: int
    payload: Optional[bytes] = None
    tags: Optional[dict[str, str]] = None
    idempotency_key: str = ""
    correlation_id: str = ""
    timeout_ns: int = DEFAULT_TIMEOUT_NS
    attempt: int = 0
    progress: float = 0.0
    progress_message: str = ""
    scheduled_at: Optional[tuple[int, int]] = None
    started_at: Optional[int] = None
    completed_at: Optional[int] = None
    last_error: str = ""
    error_category: str = ""
    result: Optional[_Result] = None
    # Bumped whenever queue entries, timers or a running attempt of this job become stale.
    token: int = 0
    task: Optional[asyncio.Task[None]] = None
    context: Optional[JobContext] = None


@dataclass(slots=True)
class BatchItemResult:
    """One entry of a batch response: the job JSON plus the item's error, if rejected."""

    index: int
    success: bool
    job: dict[str, Any]
    error: str = ""


@dataclass(eq=False)
class _Subscriber:
    job_filter: str
    queue: asyncio.Queue[tuple[str, str, str]] = field(
        default_factory=lambda: asyncio.Queue(_SUBSCRIBER_BUFFER)
    )


# --------------------------------------------------------------------------------------------
# Wire shapes


def job_json(job: _Job) -> dict[str, Any]:
    """The Job object exactly as the server sends it (struct key order, omitempty fields)."""
    out: dict[str, Any] = {
        "id": job.id,
        "type": job.type,
        "state": job.state,
        "priority": job.priority,
        "attempt": job.attempt,
        "max_attempts": job.max_attempts,
    }
    if job.progress:
        out["progress"] = go_float(job.progress)
    if job.progress_message:
        out["progress_message"] = job.progress_message
    if job.tags:
        out["tags"] = {k: job.tags[k] for k in sorted(job.tags)}
    out["created_at"] = format_time(job.created_at)
    out["updated_at"] = format_time(job.updated_at)
    if job.scheduled_at is not None:
        out["scheduled_at"] = format_time(*job.scheduled_at)
    if job.started_at is not None:
        out["started_at"] = format_utc(job.started_at)
    if job.completed_at is not None:
        out["completed_at"] = format_utc(job.completed_at)
    if job.last_error:
        out["last_error"] = job.last_error
    return out


#: A rejected batch item's job: Go's zero-valued struct.
ZERO_JOB: dict[str, Any] = {
    "id": "",
    "type": "",
    "state": "",
    "priority": 0,
    "attempt": 0,
    "max_attempts": 0,
    "created_at": ZERO_TIME,
    "updated_at": ZERO_TIME,
}


def result_json(result: _Result) -> dict[str, Any]:
    """The JobResult object (``output`` base64, ``duration`` ns, local-offset timestamp)."""
    out: dict[str, Any] = {"job_id": result.job_id, "success": result.success}
    if result.output:
        out["output"] = base64.b64encode(result.output).decode("ascii")
    if result.error:
        out["error"] = result.error
    if result.error_category:
        out["error_category"] = result.error_category
    out["duration"] = result.duration_ns
    out["completed_at"] = format_local(result.completed_ns)
    return out


def _exception_message(exc: BaseException) -> str:
    text = str(exc)
    return text if text else type(exc).__name__


def _to_output(value: Any) -> Optional[bytes]:
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, memoryview):
        return cast(memoryview, value).tobytes()
    if isinstance(value, str):
        return value.encode("utf-8")
    return go_json(value)[:-1]


# --------------------------------------------------------------------------------------------
# Built-in handlers


async def _echo(ctx: JobContext) -> Optional[bytes]:
    return ctx.payload or None


def _sleep_seconds(payload: bytes) -> float:
    # Deliberate difference from upstream (which parses the raw bytes, so only 0 works): a JSON
    # number is seconds and a JSON string is a Go duration. Anything else sleeps 5 s as upstream.
    if not payload:
        return 5.0
    try:
        value = json.loads(payload)
    except ValueError:
        return 5.0
    if isinstance(value, bool):
        return 5.0
    if isinstance(value, (int, float)):
        return max(float(value), 0.0)
    if isinstance(value, str):
        try:
            return max(parse_go_duration(value), 0) / 1e9
        except ValueError:
            return 5.0
    return 5.0


async def _sleep(ctx: JobContext) -> None:
    total = _sleep_seconds(ctx.payload)
    if total <= 0:
        return
    for step in range(1, 11):
        await asyncio.sleep(total / 10)
        ctx.report_progress(step * 10, f"slept {step}/10 of {total:g}s")


async def _error(ctx: JobContext) -> None:
    raise RuntimeError("intentional error: " + ctx.payload.decode("utf-8", "replace"))


_BUILTINS: dict[str, Handler] = {"echo": _echo, "sleep": _sleep, "error": _error}


def _is_async(fn: Any) -> bool:
    while hasattr(fn, "func") and not inspect.isfunction(fn):
        fn = fn.func  # functools.partial
    # Callable objects with an ``async def __call__`` count as async too.
    return inspect.iscoroutinefunction(fn) or (
        not inspect.isroutine(fn) and inspect.iscoroutinefunction(type(fn).__call__)
    )


# --------------------------------------------------------------------------------------------
# Engine


class Engine:
    """Job store + scheduler + workers, bound to one event loop once :meth:`attach` ran."""

    def __init__(
        self,
        *,
        workers: int = 4,
        retry_backoff: float = 0.05,
        retry_backoff_max: float = 2.0,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        self.retry_backoff = retry_backoff
        self.retry_backoff_max = retry_backoff_max
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._loop_thread: Optional[int] = None
        self._executor: Optional[concurrent.futures.ThreadPoolExecutor] = None
        self._handlers: dict[str, Handler] = dict(_BUILTINS)
        self._jobs: dict[str, _Job] = {}
        self._keys: dict[str, str] = {}
        self._ready: list[tuple[int, int, str, int]] = []
        # Delayed and retrying jobs by due time, behind ONE loop timer for the earliest: a timer
        # per job cost more than storing the job when thousands arrive in a batch.
        self._due_heap: list[tuple[int, int, str, int]] = []
        self._due_timer: Optional[asyncio.TimerHandle] = None
        self._due_timer_at = 0
        self._seq = 0
        self._active: dict[asyncio.Task[None], str] = {}
        self._changed: dict[str, asyncio.Event] = {}
        self._subscribers: set[_Subscriber] = set()
        self._dispatch_pending = False
        self._reset_counters()

    # -- lifecycle -----------------------------------------------------------------------

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Bind to ``loop`` (call from the loop's thread) and start dispatching queued jobs."""
        self._loop = loop
        self._loop_thread = threading.get_ident()
        # Due times kept across a re-attach (a restart) get a timer on this loop.
        self._arm_due_timer()
        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=max(4, self.workers * 2), thread_name_prefix="gopherqueue-handler"
            )
        self._dispatch()

    def close(self) -> None:
        """Cancel running attempts and timers and release the handler threads."""
        self._abandon_all()
        if self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None

    def _reset_counters(self) -> None:
        self.started_ns = time.time_ns()
        self._started_mono = time.monotonic_ns()
        self.processed = 0
        self.succeeded = 0
        self.failed_attempts = 0
        self.retried = 0
        self.enqueued = 0
        self.by_type: dict[str, int] = {}
        self._durations: list[int] = []
        self._max_duration = 0

    def restart_counters(self) -> None:
        """Zero the per-process counters and uptime, as a real server restart does."""
        by_type = self.by_type
        self._reset_counters()
        # jobs_by_type is rebuilt from the store by the real server, so it survives a restart.
        self.by_type = by_type

    def _abandon_all(self) -> None:
        for job in self._jobs.values():
            job.token += 1
        for task in list(self._active):
            task.cancel()
        # Cancelled attempts finish on a later loop iteration; they no longer occupy a worker.
        self._active.clear()
        self._ready.clear()
        self._due_heap.clear()
        if self._due_timer is not None:
            self._due_timer.cancel()
            self._due_timer = None

    def reset(self) -> None:
        """Forget every job, key, counter and custom handler (built-ins are restored)."""
        self._abandon_all()
        jobs = list(self._jobs)
        self._jobs.clear()
        self._keys.clear()
        self._handlers = dict(_BUILTINS)
        for job_id in jobs:
            self._wake(job_id)
        self._reset_counters()

    def _call_soon(self, fn: Callable[[], None]) -> None:
        if self._loop is None or threading.get_ident() == self._loop_thread:
            fn()
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(fn)

    # -- handlers ------------------------------------------------------------------------

    def register(self, job_type: str, handler: Handler) -> None:
        """Run ``handler`` for jobs of ``job_type`` (replacing any previous handler)."""
        if not callable(handler):
            raise TypeError("handler must be callable")
        self._handlers[job_type] = handler

    def unregister(self, job_type: str) -> None:
        """Remove the handler for ``job_type``; its jobs then fail as unknown types."""
        self._handlers.pop(job_type, None)

    # -- queries -------------------------------------------------------------------------

    def get(self, job_id: str) -> Optional[_Job]:
        """The stored job, or ``None``."""
        return self._jobs.get(job_id)

    def all_jobs(self) -> list[_Job]:
        """Every stored job in creation order."""
        return list(self._jobs.values())

    def list_jobs(self, state: str = "", job_type: str = "", limit: int = 100) -> list[_Job]:
        """Jobs matching the exact filters, newest first, at most ``limit``."""
        out: list[_Job] = []
        for job in sorted(self._jobs.values(), key=lambda j: (j.created_at, j.seq), reverse=True):
            if state and job.state != state:
                continue
            if job_type and job.type != job_type:
                continue
            out.append(job)
            if len(out) >= limit:
                break
        return out

    # -- submission ----------------------------------------------------------------------

    def _build(self, req: SubmitRequest, now: int) -> _Job:
        self._seq += 1
        timeout = req.timeout_ns if req.timeout_ns and req.timeout_ns > 0 else DEFAULT_TIMEOUT_NS
        job = _Job(
            id=random_uuid(),
            type=req.type,
            state="pending",
            priority=DEFAULT_PRIORITY if req.priority is None else req.priority,
            max_attempts=DEFAULT_MAX_ATTEMPTS if req.max_attempts is None else req.max_attempts,
            created_at=now,
            updated_at=now,
            seq=self._seq,
            payload=req.payload,
            tags=dict(req.tags) if req.tags else None,
            idempotency_key=req.idempotency_key,
            correlation_id=req.correlation_id,
            timeout_ns=timeout,
        )
        if req.scheduled_at is not None:
            job.scheduled_at = req.scheduled_at
        elif req.delay_ns is not None:
            job.scheduled_at = (now + req.delay_ns, 0)
        if job.scheduled_at is not None:
            # Like upstream, any delay or scheduled_at makes the job "delayed"; unlike upstream
            # it then really waits for that time (a past time runs at once).
            job.state = "delayed"
        return job

    def _store(self, job: _Job) -> None:
        self._jobs[job.id] = job
        if job.idempotency_key:
            self._keys[job.idempotency_key] = job.id
        self.enqueued += 1
        self.by_type[job.type] = self.by_type.get(job.type, 0) + 1
        self._publish("job.created", job)
        if job.state == "delayed" and job.scheduled_at is not None:
            self._schedule(job, job.scheduled_at[0])
        else:
            self._enqueue(job)

    def _existing(self, key: str) -> Optional[_Job]:
        if not key:
            return None
        job_id = self._keys.get(key)
        return None if job_id is None else self._jobs.get(job_id)

    def submit(self, req: SubmitRequest) -> tuple[_Job, bool]:
        """Create a job. Returns ``(job, created)``; ``created`` is False for an idempotent
        replay, which returns the existing job in its current state and emits nothing."""
        existing = self._existing(req.idempotency_key)
        if existing is not None:
            return existing, False
        job = self._build(req, time.time_ns())
        self._store(job)
        self._dispatch_soon()
        return job, True

    def submit_batch(
        self, reqs: list[Optional[SubmitRequest]], atomic: bool
    ) -> Union[list[BatchItemResult], tuple[int, str, str]]:
        """Submit a batch. Returns the per-item results, or ``(status, code, message)`` when an
        atomic batch is refused as a whole (in which case nothing was stored)."""
        now = time.time_ns()
        if atomic:
            for index, req in enumerate(reqs):
                if req is None or not req.type:
                    return 400, "validation_error", f"job {index}: type is required"
            seen: set[str] = set()
            for index, req in enumerate(reqs):
                assert req is not None
                key = req.idempotency_key
                if key and (key in seen or self._existing(key) is not None):
                    return (
                        500,
                        "internal_error",
                        f"failed to create job {index}: job already exists",
                    )
                if key:
                    seen.add(key)
        results: list[BatchItemResult] = []
        batch_keys: set[str] = set()
        for index, req in enumerate(reqs):
            if req is None or not req.type:
                results.append(
                    BatchItemResult(index, False, dict(ZERO_JOB), "job type is required")
                )
                continue
            job = self._build(req, now)
            key = req.idempotency_key
            if key and (key in batch_keys or (key in self._keys and self._existing(key))):
                results.append(BatchItemResult(index, False, job_json(job), "job already exists"))
                continue
            if key:
                batch_keys.add(key)
            self._store(job)
            results.append(BatchItemResult(index, True, job_json(job)))
        self._dispatch_soon()
        return results

    # -- state changes -------------------------------------------------------------------

    def delete(self, job_id: str) -> bool:
        """Delete a job (frees its idempotency key). A running handler keeps running, but its
        result is discarded. Returns False when there is no such job."""
        job = self._jobs.pop(job_id, None)
        if job is None:
            return False
        job.token += 1
        if job.idempotency_key and self._keys.get(job.idempotency_key) == job_id:
            del self._keys[job.idempotency_key]
        self._publish_data("job.deleted", job_id, {"id": job_id})
        self._wake(job_id)
        return True

    def cancel(self, job_id: str, reason: str, force: bool) -> Optional[_Job]:
        """Cancel per PROTOCOL §3.6. Returns the job for a 200, ``None`` when it cannot be
        cancelled (409). A non-force cancel of a running job changes nothing but still emits
        ``job.cancelled``; a force cancel really stops the handler and the job stays cancelled."""
        job = self._jobs[job_id]
        now = time.time_ns()
        if job.state in _CANCELLABLE or (job.state == "running" and force):
            was_running = job.state == "running"
            job.token += 1
            job.state = "cancelled"
            job.completed_at = now
            job.updated_at = now
            if reason:
                job.last_error = reason
            if was_running and job.task is not None:
                job.task.cancel()
            self._wake(job_id)
        elif job.state != "running":
            return None
        self._publish("job.cancelled", job)
        return job

    def retry(self, job_id: str, reset_attempts: bool) -> Optional[_Job]:
        """Retry a failed or dead-lettered job (§3.7); ``None`` for any other state."""
        job = self._jobs[job_id]
        if job.state not in _RETRYABLE:
            return None
        job.token += 1
        job.state = "pending"
        job.completed_at = None
        job.last_error = ""
        job.error_category = ""
        job.progress = 0.0
        job.progress_message = ""
        if reset_attempts:
            job.attempt = 0
        job.updated_at = time.time_ns()
        self.retried += 1
        self._publish("job.retried", job)
        self._enqueue(job)
        self._dispatch_soon()
        return job

    def _progress(self, ctx: JobContext, percent: float, message: Optional[str]) -> None:
        job = ctx._job
        if not ctx._active or self._jobs.get(job.id) is not job or job.state != "running":
            return
        if not math.isfinite(percent):
            return  # NaN/inf could not be encoded as JSON (Go would fail the same way)
        job.progress = min(max(percent, 0.0), 100.0)
        job.progress_message = message or ""
        job.updated_at = time.time_ns()

    # -- scheduling ----------------------------------------------------------------------

    def _enqueue(self, job: _Job) -> None:
        self._seq += 1
        heapq.heappush(self._ready, (job.priority, self._seq, job.id, job.token))

    def _schedule(self, job: _Job, due_ns: int) -> None:
        if self._loop is None:
            # Not attached yet: attach() dispatches, and _due re-checks the time then.
            self._enqueue(job)
            return
        self._seq += 1
        heapq.heappush(self._due_heap, (due_ns, self._seq, job.id, job.token))
        if self._due_timer is None or due_ns < self._due_timer_at:
            self._arm_due_timer()

    def _arm_due_timer(self) -> None:
        if self._due_timer is not None:
            self._due_timer.cancel()
            self._due_timer = None
        if not self._due_heap or self._loop is None:
            return
        due_ns = self._due_heap[0][0]
        self._due_timer_at = due_ns
        delay = max(due_ns - time.time_ns(), 0) / 1e9
        self._due_timer = self._loop.call_later(delay, self._fire_due)

    def _fire_due(self) -> None:
        self._due_timer = None
        now = time.time_ns()
        heap = self._due_heap
        while heap and heap[0][0] <= now:
            _due_ns, _seq, job_id, token = heapq.heappop(heap)
            self._due(job_id, token)
        self._arm_due_timer()

    def _due(self, job_id: str, token: int) -> None:
        job = self._jobs.get(job_id)
        if job is None or job.token != token or job.state not in ("delayed", "retrying"):
            return
        job.state = "pending"
        job.updated_at = time.time_ns()
        self._enqueue(job)
        self._dispatch()

    def _dispatch_soon(self) -> None:
        # Deferred so the HTTP response (built right after submit/retry returns) shows the job
        # as upstream does, "pending", and never already "running".
        if self._loop is not None and not self._dispatch_pending:
            self._dispatch_pending = True
            self._loop.call_soon(self._dispatch)

    def _dispatch(self) -> None:
        self._dispatch_pending = False
        if self._loop is None:
            return
        while len(self._active) < self.workers and self._ready:
            _prio, _seq, job_id, token = heapq.heappop(self._ready)
            job = self._jobs.get(job_id)
            if job is None or job.token != token:
                continue
            if job.state == "delayed" and job.scheduled_at is not None:
                if job.scheduled_at[0] > time.time_ns():
                    self._schedule(job, job.scheduled_at[0])
                    continue
            elif job.state != "pending":
                continue
            self._start(job)

    def _start(self, job: _Job) -> None:
        assert self._loop is not None
        now = time.time_ns()
        job.state = "running"
        job.attempt += 1
        job.started_at = now
        job.updated_at = now
        job.progress = 0.0
        job.progress_message = ""
        ctx = JobContext(self, job)
        job.context = ctx
        task = self._loop.create_task(self._run(job, ctx, job.token))
        job.task = task
        self._active[task] = job.id
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._active.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            # A bug in the engine itself; surface it rather than losing a worker silently.
            self._loop_exception(task)
        self._dispatch()

    def _loop_exception(self, task: asyncio.Task[None]) -> None:
        if self._loop is not None:
            self._loop.call_exception_handler(
                {"message": "gopherqueue engine task failed", "exception": task.exception()}
            )

    async def _invoke(self, handler: Handler, ctx: JobContext) -> Optional[bytes]:
        assert self._loop is not None
        if _is_async(handler):
            value = await handler(ctx)
        else:
            value = await self._loop.run_in_executor(self._executor, handler, ctx)
            if inspect.isawaitable(value):
                value = await value
        return _to_output(value)

    async def _invoke_with_timeout(
        self, handler: Handler, ctx: JobContext, timeout_ns: int
    ) -> Optional[bytes]:
        inner = asyncio.ensure_future(self._invoke(handler, ctx))
        try:
            done, _pending = await asyncio.wait({inner}, timeout=timeout_ns / 1e9)
        except asyncio.CancelledError:
            inner.cancel()
            raise
        if not done:
            inner.cancel()
            raise _AttemptTimeout()
        return inner.result()

    async def _run(self, job: _Job, ctx: JobContext, token: int) -> None:
        handler = self._handlers.get(job.type)
        started = time.perf_counter_ns()
        output: Optional[bytes] = None
        error = ""
        category = ""
        try:
            if handler is None:
                error = f"no handler registered for job type: {job.type}"
                category = "permanent"
            else:
                try:
                    output = await self._invoke_with_timeout(handler, ctx, job.timeout_ns)
                except _AttemptTimeout:
                    error, category = "context deadline exceeded", "timeout"
                except PermanentError as exc:
                    error, category = _exception_message(exc), "permanent"
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    error, category = _exception_message(exc), "temporary"
        finally:
            ctx._close()
        self._finish(job, token, output, error, category, time.perf_counter_ns() - started)

    def _finish(
        self,
        job: _Job,
        token: int,
        output: Optional[bytes],
        error: str,
        category: str,
        duration: int,
    ) -> None:
        if self._jobs.get(job.id) is not job or job.token != token or job.state != "running":
            return  # deleted, force-cancelled or reset while running: the outcome is discarded
        now = time.time_ns()
        job.task = None
        job.context = None
        job.result = _Result(job.id, not error, output, error, category, duration, now)
        self.processed += 1
        self._durations.append(duration)
        if len(self._durations) > _DURATION_SAMPLES:
            del self._durations[: len(self._durations) - _DURATION_SAMPLES]
        self._max_duration = max(self._max_duration, duration)
        job.updated_at = now
        if not error:
            self.succeeded += 1
            job.state = "completed"
            job.completed_at = now
        else:
            self.failed_attempts += 1
            job.last_error = error
            job.error_category = category
            if job.attempt >= job.max_attempts:
                job.state = "dead_letter"
                job.completed_at = now
            elif category in ("permanent", "timeout"):
                job.state = "failed"
                job.completed_at = now
            else:
                job.state = "retrying"
                self.retried += 1
                backoff = min(
                    self.retry_backoff * (2 ** max(job.attempt - 1, 0)), self.retry_backoff_max
                )
                due = now + int(backoff * 1e9)
                job.scheduled_at = (due, 0)
                self._schedule(job, due)
        self._wake(job.id)

    # -- waiting and events --------------------------------------------------------------

    def _wake(self, job_id: str) -> None:
        event = self._changed.pop(job_id, None)
        if event is not None:
            event.set()

    async def wait(self, job_id: str, timeout: float) -> Optional[_Job]:
        """Wait until the job is terminal or ``timeout`` seconds passed; return it (whatever its
        state), or ``None`` if it does not exist (or was deleted meanwhile)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            job = self._jobs.get(job_id)
            if job is None or job.state in TERMINAL_STATES:
                return job
            remaining = deadline - loop.time()
            if remaining <= 0:
                return job
            event = self._changed.get(job_id)
            if event is None:
                event = self._changed[job_id] = asyncio.Event()
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass

    def subscribe(self, job_filter: str) -> _Subscriber:
        """Register an SSE subscriber (``""`` or ``"*"`` = all jobs, else one exact job id)."""
        sub = _Subscriber("" if job_filter == "*" else job_filter)
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: _Subscriber) -> None:
        """Remove an SSE subscriber."""
        self._subscribers.discard(sub)

    def _publish(self, name: str, job: _Job) -> None:
        if self._subscribers:  # most of the time nobody listens: skip formatting the job
            self._publish_data(name, job.id, job_json(job))

    def _publish_data(self, name: str, job_id: str, data: dict[str, Any]) -> None:
        if not self._subscribers:
            return
        text = go_json(data)[:-1].decode("utf-8")
        for sub in list(self._subscribers):
            if sub.job_filter and sub.job_filter != job_id:
                continue
            try:
                sub.queue.put_nowait((name, text, job_id))
            except asyncio.QueueFull:
                pass  # upstream drops events for a subscriber whose buffer is full

    # -- stats -----------------------------------------------------------------------------

    def _duration_stats(self) -> tuple[int, int, int]:
        samples = self._durations
        if not samples:
            return 0, 0, 0
        ordered = sorted(samples)
        p99 = ordered[max(0, -(-len(ordered) * 99 // 100) - 1)]
        return sum(ordered) // len(ordered), self._max_duration, p99

    def uptime_ns(self) -> int:
        """Nanoseconds since the engine (or the last simulated restart) started."""
        return time.monotonic_ns() - self._started_mono

    def running_ids(self) -> list[str]:
        """Ids of jobs whose handler is running now (deleted ones included)."""
        return list(self._active.values())

    def stats(self) -> dict[str, Any]:
        """The ``/api/v1/stats`` body, key order as upstream."""
        counts: dict[str, int] = {}
        for job in self._jobs.values():
            counts[job.state] = counts.get(job.state, 0) + 1
        avg, mx, p99 = self._duration_stats()
        active = len(self._active)
        ids = self.running_ids()
        return {
            "queue": {
                "pending": counts.get("pending", 0),
                "scheduled": counts.get("scheduled", 0),
                "running": counts.get("running", 0),
                "delayed": counts.get("delayed", 0),
                "completed": counts.get("completed", 0),
                "failed": counts.get("failed", 0),
                "dead_letter": counts.get("dead_letter", 0),
                "cancelled": counts.get("cancelled", 0),
                "total_jobs": len(self._jobs),
                "storage_bytes": 0,
                "timestamp": format_utc(time.time_ns()),
            },
            "workers": {
                "total_workers": self.workers,
                "active_workers": active,
                "idle_workers": max(self.workers - active, 0),
                "queued_jobs": counts.get("pending", 0),
                "processed_jobs": self.processed,
                "succeeded_jobs": self.succeeded,
                "failed_jobs": self.failed_attempts,
                "retried_jobs": self.retried,
                "avg_processing_time": avg,
                "max_processing_time": mx,
                "p99_processing_time": p99,
                "processing_ids": ids or None,
                "uptime": self.uptime_ns(),
                "healthy": True,
            },
        }

    def metrics(self) -> dict[str, Any]:
        """The ``/metrics`` body (JSON, key order as upstream)."""
        avg, mx, _p99 = self._duration_stats()
        queued = sum(1 for job in self._jobs.values() if job.state == "pending")
        return {
            "jobs_enqueued": self.enqueued,
            "jobs_completed": self.succeeded,
            "jobs_failed": self.failed_attempts,
            "jobs_retried": self.retried,
            "jobs_by_type": {k: self.by_type[k] for k in sorted(self.by_type)},
            "avg_processing_time": avg,
            "max_processing_time": mx,
            "queue_depth": queued,
            "uptime": self.uptime_ns(),
            "timestamp": format_local(time.time_ns()),
        }

    def health(self) -> dict[str, Any]:
        """The ``/health`` body."""
        probe = time.perf_counter_ns()
        len(self._jobs)
        latency = max(time.perf_counter_ns() - probe, 1)
        return {
            "healthy": True,
            "components": {
                "scheduler": {"healthy": True},
                "store": {"healthy": True, "latency": latency},
                "workers": {
                    "healthy": True,
                    "message": f"{len(self._active)}/{self.workers} active",
                },
            },
            "timestamp": format_local(time.time_ns()),
        }
