"""The clients: :class:`GopherQueue` (async) and :class:`GopherQueueSync`.

Both are thin: each method picks the flow for its operation from ``_operations`` and runs it
with the client's driver. What they share (configuration, the connection pool, secrets) is
``_base.BaseClient``; this module is the public API.
"""

from __future__ import annotations

import builtins
import functools
import inspect
import re
import ssl
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self, TypeAlias, TypeVar
from uuid import UUID

import httpx

from . import _fanout as fanout
from . import _operations as ops
from . import _options as options
from ._base import DEFAULT_TIMEOUT, DEFAULT_WAIT_CHUNK, BaseClient
from ._events import events as events_flow
from ._handles import AsyncJobHandle, JobHandle
from ._models import Job
from ._pool import Pool, close_pool
from ._retry import RetryPolicy
from ._streams import AsyncEventStream, AsyncJobWatch, EventStream, JobWatch
from ._transport import (
    AsyncDriver,
    AsyncHttpxDriver,
    SyncIteration,
    iterate_async,
    run_async,
    run_sync,
    stop_iterations,
)

if TYPE_CHECKING:
    from ._aiohttp import Session
    from ._effects import Flow
    from ._events import ReconnectEvent
    from ._models import (
        BatchResult,
        Duration,
        Health,
        JobResult,
        JobSpec,
        JobState,
        QueueStats,
        WaitResult,
    )
    from ._observe import RequestEvent

__all__ = ["GopherQueue", "GopherQueueSync"]

T = TypeVar("T")

JobRef: TypeAlias = "str | UUID | Job | WaitResult | JobHandle | AsyncJobHandle"
"""What names a job: its id (a UUID string or :class:`uuid.UUID`), the :class:`Job` or
:class:`WaitResult` a call returned, or a handle."""


class GopherQueueSync(BaseClient[httpx.Client]):
    """The synchronous GopherQueue client.

    ``url`` and ``api_key`` default to the ``GOPHERQUEUE_URL`` and ``GOPHERQUEUE_API_KEY``
    environment variables. Constructing a client does no I/O; connections open on first use.
    One client is safe to share between threads; close it (or use ``with``) to release its
    connections.

    Size limits bound what a misbehaving server or proxy can make the client hold in memory;
    a reply beyond one raises :class:`ResponseTooLargeError`.

    A client made before ``os.fork()`` (gunicorn ``--preload``, Celery prefork,
    ``multiprocessing``) works in the child: the child opens connections of its own and never
    touches the parent's, and the parent keeps using its own.

    Args:
        url: The server's base URL, such as ``"http://localhost:8080"``.
        api_key: Sent as ``X-API-Key``; never shown in reprs, logs or errors.
        timeout: Seconds (or a timedelta) for every phase of a request, an ``httpx.Timeout``,
            or ``None`` for no limit.
        max_retries: How many times a failed request is retried, overriding the policy's.
        retry: Which failures are retried and how long to wait between attempts.
        headers: Extra headers sent with every request.
        verify: TLS verification: ``True`` (the default CAs), ``False``, an
            ``ssl.SSLContext``, or the path of a CA bundle.
        http_client: An httpx client to send requests with; the caller keeps closing it.
        wait_chunk: Seconds per long-poll of ``wait``, at most 28 (below the server's 30 s
            write timeout).
        auto_idempotency_key: Whether a submit without an idempotency key gets a generated
            one, so a retried submit never creates a second job.
        max_response_size: Bytes a reply's body may hold after content decoding (64 MiB);
            ``None`` for no limit.
        max_event_line_size: Characters one line of the event stream may hold (1 MiB).
        max_event_size: Characters the data of one event may hold (16 MiB).
        on_request: Called after every HTTP request (each attempt) with a
            :class:`RequestEvent`: operation, status, duration and attempt, for metrics.

    Raises:
        ValidationError: An option is of the wrong type or out of range, or no URL is given.
    """

    def _new_http_client(self) -> httpx.Client:
        return httpx.Client(**self._http_kwargs())

    def _run(self, flow: Flow[T], job_id: object = None) -> T:
        return run_sync(
            self._observed(flow, job_id), self._pool.get(), self._defaults, self._settings.sleep
        )

    def _iterate(self, flow: Flow[None]) -> SyncIteration:
        iteration = SyncIteration(
            self._observed(flow), self._pool.get(), self._defaults, self._settings.sleep
        )
        self._iterations.add(iteration)
        return iteration

    def close(self) -> None:
        """Close the client and its connection pool (an injected ``http_client`` stays open).

        Safe from any thread: calls in flight end with :class:`ClientClosedError`, open
        ``events()`` and ``watch()`` iterations end, and later calls raise
        :class:`ClientClosedError`. On a ``with_options`` copy it does nothing; close the
        original.
        """
        if self._borrowed:
            return
        client, _ = self._pool.close()
        stop_iterations(self._iterations)
        if client is not None:
            client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def submit(
        self,
        job_type: str,
        payload: Any = None,
        *,
        priority: int | None = None,
        delay: Duration | None = None,
        scheduled_at: datetime | None = None,
        timeout: Duration | None = None,
        max_attempts: int | None = None,
        idempotency_key: str | None = None,
        correlation_id: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Job:
        """Submit a job and return it as created.

        ``job.replayed`` is true when the server answered with an existing job for the
        idempotency key (HTTP 200) instead of creating one (201).

        Args:
            job_type: The handler to run.
            payload: Any JSON value, or ``bytes`` holding JSON, handed to the handler.
            priority: 0 (critical) to 4 (bulk), or a :class:`Priority`.
            delay: How long to wait before running: a timedelta, seconds, or a Go duration
                string (``"10m"``).
            scheduled_at: When to run, as an aware datetime.
            timeout: The limit of one attempt, in the same forms as ``delay``.
            max_attempts: How many attempts before the job is dead-lettered.
            idempotency_key: A key that makes a repeated submit return the first job. Without
                one a key is generated, so retries never create a second job.
            correlation_id: Stored by the server with the job.
            tags: String labels stored with the job.

        Returns:
            The job as the server created it.

        Raises:
            ValidationError: An argument is invalid (nothing is sent).
            APIError: The server refused the job or could not be reached.
        """
        return self._run(
            self._submit_flow(
                job_type,
                payload,
                priority=priority,
                delay=delay,
                scheduled_at=scheduled_at,
                timeout=timeout,
                max_attempts=max_attempts,
                idempotency_key=idempotency_key,
                correlation_id=correlation_id,
                tags=tags,
            )
        )

    def job(self, job: JobRef) -> JobHandle:
        """A handle of the job, bound to this client. No request is made.

        Args:
            job: The job's id, the :class:`Job` ``submit`` returned (it becomes the handle's
                snapshot), or a handle to bind again (after unpickling).

        Returns:
            A :class:`JobHandle`.

        Raises:
            ValidationError: ``job`` is not a job id, job or handle.
        """
        if isinstance(job, Job):
            return JobHandle(self, job.id, job)
        if isinstance(job, (JobHandle, AsyncJobHandle)):
            return JobHandle(self, job.id, job.snapshot)
        return JobHandle(self, fanout.job_id_of(job))

    def submit_and_wait(
        self,
        job_type: str,
        payload: Any = None,
        *,
        timeout: float | timedelta | None = 30,
        raise_on_failure: bool = True,
        **submit_options: Any,
    ) -> WaitResult:
        """Submit a job and wait for it to finish.

        Args:
            job_type: The job's type, as for :meth:`submit`.
            payload: The job's JSON payload.
            timeout: Seconds to wait for it (``None``: no limit).
            raise_on_failure: Raise :class:`JobFailedError` when the job ends without success.
            **submit_options: The options of :meth:`submit` (``priority``, ``delay``,
                ``tags``, ...); the job's own timeout is ``job_timeout`` here.

        Returns:
            The :class:`WaitResult` of the finished job.

        Raises:
            WaitTimeoutError: The job did not finish in time (``exc.outcome.job_id`` names
                it; it keeps running).
            JobFailedError: The job failed, unless ``raise_on_failure=False``.
            ValidationError: An argument is invalid (nothing was sent).
        """
        flow = self._submit_and_wait_flow(
            job_type, payload, timeout, raise_on_failure, submit_options
        )
        return self._run(flow)

    def wait_all(
        self,
        jobs: Iterable[JobRef] | BatchResult,
        timeout: float | timedelta | None = 30,
        *,
        raise_on_failure: bool = False,
        max_concurrency: int = fanout.DEFAULT_CONCURRENCY,
    ) -> builtins.list[WaitResult]:
        """Wait for every job under one deadline.

        At most ``max_concurrency`` long-polls are open at once (on as many threads); each
        job is asked about once, plus once per 25 s of waiting. So the call returns right
        after the last job finishes.

        Args:
            jobs: Job ids, jobs, handles, or a :class:`BatchResult`.
            timeout: Seconds for the whole set (``None``: no limit).
            raise_on_failure: Raise :class:`JobFailedError` for the first job seen failed.
            max_concurrency: Long-polls open at once (10 by default).

        Returns:
            One :class:`WaitResult` per job, in the order given; a job unfinished at the
            deadline has ``timed_out=True``.

        Raises:
            JobNotFoundError: A job does not exist.
            JobFailedError: With ``raise_on_failure``, a job failed.
        """
        plan = self._plan(jobs, timeout, max_concurrency, raise_on_failure, take_turns=False)
        return fanout.wait_all_sync(plan, self._run)

    def as_completed(
        self,
        jobs: Iterable[JobRef] | BatchResult,
        timeout: float | timedelta | None = 30,
        *,
        raise_on_failure: bool = False,
        max_concurrency: int = fanout.DEFAULT_CONCURRENCY,
    ) -> Iterator[WaitResult]:
        """Yield each job's outcome as it finishes, under one deadline.

        At most ``max_concurrency`` long-polls are open at once (on as many threads). While
        more jobs are unfinished than that, the long-polls take turns of 1 s each. Stopping
        early (``break``) lets each open long-poll end within its turn in the background.

        Args:
            jobs: Job ids, jobs, handles, or a :class:`BatchResult`.
            timeout: Seconds for the whole set (``None``: no limit).
            raise_on_failure: Raise :class:`JobFailedError` for the first job seen failed.
            max_concurrency: Long-polls open at once (10 by default).

        Returns:
            An iterator of :class:`WaitResult`, in the order the jobs finish.

        Raises:
            WaitTimeoutError: The deadline passed with jobs unfinished (after every job that
                finished was yielded).
            JobNotFoundError: A job does not exist.
        """
        plan = self._plan(jobs, timeout, max_concurrency, raise_on_failure, take_turns=True)
        return fanout.as_completed_sync(plan, self._run)

    def submit_batch(
        self, jobs: Iterable[Mapping[str, Any] | JobSpec], *, atomic: bool = False
    ) -> BatchResult:
        """Submit many jobs in one request (or in chunks of 1000).

        Non-atomic batches of more than 1000 jobs are sent in chunks of 1000; an atomic batch
        may hold at most 1000.

        Args:
            jobs: Dicts with the wire's field names (``type``, ``payload``, ``priority``, ...)
                or :class:`JobSpec` objects.
            atomic: Whether the server accepts all jobs or none.

        Returns:
            Which jobs were accepted and why the others were rejected.

        Raises:
            ValidationError: An item is invalid, or an atomic batch holds more than 1000.
            BatchConflictError: An atomic batch hit an idempotency key in use.
        """
        return self._run(ops.submit_batch(self._settings, jobs, atomic=atomic))

    def get(self, job_id: str | UUID, *, include_result: bool = True) -> Job:
        """Get a job.

        Args:
            job_id: The job's id.
            include_result: Whether to fetch a finished job's result too (``job.result``).

        Returns:
            The job.

        Raises:
            JobNotFoundError: No job has this id.
        """
        return self._run(ops.get(self._settings, job_id, include_result=include_result), job_id)

    def wait(
        self,
        job_id: str | UUID,
        timeout: float | timedelta | None = 30,
        *,
        raise_on_timeout: bool = False,
        raise_on_failure: bool = False,
    ) -> WaitResult:
        """Wait until the job finishes or the timeout passes.

        Long-polls in chunks below the server's 30 s write timeout and survives dropped
        long-polls.

        Args:
            job_id: The job's id.
            timeout: Seconds (or a timedelta) to wait; ``None`` waits without a limit.
            raise_on_timeout: Raise :class:`WaitTimeoutError` instead of returning
                ``completed=False, timed_out=True`` when time runs out.
            raise_on_failure: Raise :class:`JobFailedError` when the job ends without success.

        Returns:
            The job's state when the wait ended, with its result if it finished.

        Raises:
            WaitTimeoutError: Time ran out and ``raise_on_timeout`` is set.
            JobFailedError: The job failed and ``raise_on_failure`` is set.
            JobNotFoundError: No job has this id.
        """
        flow = ops.wait(
            self._settings,
            job_id,
            timeout,
            raise_on_timeout=raise_on_timeout,
            raise_on_failure=raise_on_failure,
        )
        return self._run(flow, job_id)

    def cancel(self, job_id: str | UUID, *, reason: str | None = None, force: bool = False) -> Job:
        """Cancel a job.

        Args:
            job_id: The job's id.
            reason: Why, stored by the server.
            force: Cancel a running job too; the real server ignores a cancel of a running
                job without it.

        Returns:
            The job after the cancel.

        Raises:
            ConflictError: The job has already finished.
        """
        return self._run(ops.cancel(self._settings, job_id, reason=reason, force=force), job_id)

    def retry(self, job_id: str | UUID, *, reset_attempts: bool = False) -> Job:
        """Retry a failed or dead-lettered job.

        Args:
            job_id: The job's id.
            reset_attempts: Start counting attempts from zero again.

        Returns:
            The job, queued again.

        Raises:
            ConflictError: The job is in any other state.
        """
        return self._run(ops.retry(self._settings, job_id, reset_attempts=reset_attempts), job_id)

    def result(self, job_id: str | UUID) -> JobResult:
        """The result of the job's latest finished attempt.

        Args:
            job_id: The job's id.

        Returns:
            The result, with its output as ``bytes``.

        Raises:
            ResultNotReadyError: No attempt has finished yet.
        """
        return self._run(ops.result(self._settings, job_id), job_id)

    def delete(self, job_id: str | UUID) -> None:
        """Delete a job (a running one keeps running; its result is discarded).

        Args:
            job_id: The job's id.

        Raises:
            JobNotFoundError: No job has this id.
        """
        return self._run(ops.delete(self._settings, job_id), job_id)

    def list(
        self, *, state: JobState | str | None = None, job_type: str | None = None
    ) -> builtins.list[Job]:
        """Up to 100 jobs, newest first.

        The server has no paging: older jobs beyond the newest 100 cannot be listed.

        Args:
            state: Only jobs in this state.
            job_type: Only jobs of this type.

        Returns:
            The jobs.
        """
        return self._run(ops.list_jobs(self._settings, state=state, job_type=job_type))

    def stats(self) -> QueueStats:
        """Queue counts and worker figures."""
        return self._run(ops.stats(self._settings))

    def health(self) -> Health:
        """The server's health report (an unhealthy server's report is returned, not raised)."""
        return self._run(ops.health(self._settings))

    def ready(self) -> bool:
        """Whether the server is ready to take work."""
        return self._run(ops.probe(self._settings, "get_ready"))

    def live(self) -> bool:
        """Whether the server is alive."""
        return self._run(ops.probe(self._settings, "get_live"))

    def events(
        self,
        *,
        job_types: Iterable[str] | None = None,
        job_id: str | UUID | None = None,
        event_types: Iterable[str] | None = None,
        max_reconnects: int | None = 10,
        on_reconnect: Callable[[ReconnectEvent], None] | None = None,
    ) -> EventStream:
        """Subscribe to the server's events: an iterator of :class:`Event`.

        The stream reconnects across the server's 30-second cuts (events sent while
        reconnecting are lost: the server has no replay) and ``connected`` is surfaced once.
        The server sends no start, progress or completion events: use :meth:`watch` or
        :meth:`wait` for those.

        Args:
            job_types: Only events about jobs of these types (filtered on the client).
            job_id: Only events about this job (filtered on the server).
            event_types: Only these event names (filtered on the client).
            max_reconnects: How many consecutive failed reconnections end the stream
                (``None``: no bound).
            on_reconnect: Called with a :class:`ReconnectEvent` before each reconnection.

        Returns:
            The stream; close it (or use ``with``) to disconnect.

        Raises:
            AuthenticationError: The server answered 401.
            PermissionDeniedError: The server answered 403.
        """
        flow = events_flow(
            self._settings,
            job_id=job_id,
            job_types=job_types,
            event_types=event_types,
            max_reconnects=max_reconnects,
            on_reconnect=on_reconnect,
        )
        return EventStream(self._iterate(flow))

    def watch(
        self,
        job_id: str | UUID,
        *,
        timeout: float | timedelta | None = None,
        poll_interval: float = 1.0,
    ) -> JobWatch:
        """Yield the job each time its state or progress changes.

        The last job yielded has its terminal state and result, unless the timeout passed.

        Args:
            job_id: The job's id.
            timeout: Seconds (or a timedelta) to watch; ``None`` watches until the job
                finishes.
            poll_interval: Seconds between looks at a job that is not running yet.

        Returns:
            An iterator of the job's successive versions.
        """
        flow = ops.watch(self._settings, job_id, timeout=timeout, poll_interval=poll_interval)
        return JobWatch(self._iterate(flow))


# aiohttp is imported with the first session (the first async request), never at
# `import gopherqueue` nor by the sync client: it costs ~60 ms of import time.
def _new_session(verify: bool | ssl.SSLContext, url: str) -> Session:
    from ._aiohttp import new_session

    return new_session(verify, url)


def _discard_session(session: Session) -> None:
    from ._aiohttp import discard_session

    discard_session(session)


class GopherQueue(BaseClient[httpx.AsyncClient]):
    """The asyncio GopherQueue client; every operation is a coroutine.

    Same options and operations as :class:`GopherQueueSync`, plus ``http_backend``.
    Constructing it does no I/O and
    binds to no event loop, so it can be created at import time. One client is safe to share
    between tasks; ``aclose()`` it (or use ``async with``) to release its connections.

    Requests go through aiohttp by default (imported on the first request, not before): it
    keeps its throughput under concurrency. ``http_backend="httpx"``, or an injected
    ``http_client=httpx.AsyncClient(...)``, sends them with httpx instead; operations, errors,
    retries and the User-Agent are the same either way. ``raw`` always uses an httpx client.

    Args:
        url: The server's base URL, such as ``"http://localhost:8080"``.
        api_key: Sent as ``X-API-Key``; never shown in reprs, logs or errors.
        timeout: Seconds (or a timedelta) for every phase of a request, an ``httpx.Timeout``,
            or ``None`` for no limit.
        max_retries: How many times a failed request is retried, overriding the policy's.
        retry: Which failures are retried and how long to wait between attempts.
        headers: Extra headers sent with every request.
        verify: TLS verification: ``True`` (the default CAs), ``False``, an
            ``ssl.SSLContext``, or the path of a CA bundle.
        http_client: An ``httpx.AsyncClient`` to send requests with (selects httpx); the
            caller keeps closing it.
        wait_chunk: Seconds per long-poll of ``wait``, at most 28.
        auto_idempotency_key: Whether a submit without an idempotency key gets a generated one.
        max_response_size: Bytes a reply's body may hold after content decoding (64 MiB).
        max_event_line_size: Characters one line of the event stream may hold (1 MiB).
        max_event_size: Characters the data of one event may hold (16 MiB).
        http_backend: ``"aiohttp"`` (the default) or ``"httpx"``.
        on_request: Called after every HTTP request with a :class:`RequestEvent`.

    Raises:
        ValidationError: An option is of the wrong type or out of range, or no URL is given.
    """

    _per_loop = True
    _own_init_frames = 1
    # One aiohttp session per event loop, with the aiohttp backend (the default).
    _sessions: Pool[Session] | None = None

    def __init__(
        self,
        url: str | None = None,
        *,
        api_key: str | None = None,
        timeout: float | timedelta | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        verify: bool | str | ssl.SSLContext = True,
        http_client: httpx.AsyncClient | None = None,
        wait_chunk: float = DEFAULT_WAIT_CHUNK,
        auto_idempotency_key: bool = True,
        max_response_size: int | None = options.MAX_RESPONSE_SIZE,
        max_event_line_size: int | None = options.MAX_EVENT_LINE_SIZE,
        max_event_size: int | None = options.MAX_EVENT_SIZE,
        http_backend: Literal["httpx", "aiohttp"] | None = None,
        on_request: Callable[[RequestEvent], None] | None = None,
    ) -> None:
        backend = options.check_backend(http_backend, http_client)
        super().__init__(
            url,
            api_key=api_key,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            headers=headers,
            verify=verify,
            http_client=http_client,
            wait_chunk=wait_chunk,
            auto_idempotency_key=auto_idempotency_key,
            max_response_size=max_response_size,
            max_event_line_size=max_event_line_size,
            max_event_size=max_event_size,
            on_request=on_request,
        )
        if backend == "aiohttp":
            self._sessions = Pool(
                functools.partial(_new_session, self._verify, self._url),
                None,
                per_loop=True,
                discard=_discard_session,
            )

    def _new_http_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(**self._http_kwargs())

    def _driver(self) -> AsyncDriver:
        """A driver for one operation, on this event loop's connection pool."""
        sessions = self._sessions
        if sessions is None:
            return AsyncHttpxDriver(self._pool.get(), self._defaults, self._settings.async_sleep)
        from ._aiohttp import AiohttpDriver

        return AiohttpDriver(sessions.get(), self._settings.async_sleep)

    async def _run(self, flow: Flow[T], job_id: object = None) -> T:
        return await run_async(self._observed(flow, job_id), self._driver())

    async def aclose(self) -> None:
        """Close the client and its connection pools (an injected ``http_client`` stays open).

        Later calls raise :class:`ClientClosedError`. The pools this client opened in other
        event loops are closed in their loops (or dropped, when a loop has closed already). On
        a ``with_options`` copy it does nothing; close the original.
        """
        if self._borrowed:
            return
        await close_pool(self._pool, lambda http: http.aclose())
        if self._sessions is not None:
            await close_pool(self._sessions, lambda session: session.http.close())

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def submit(
        self,
        job_type: str,
        payload: Any = None,
        *,
        priority: int | None = None,
        delay: Duration | None = None,
        scheduled_at: datetime | None = None,
        timeout: Duration | None = None,
        max_attempts: int | None = None,
        idempotency_key: str | None = None,
        correlation_id: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Job:
        """Submit a job; see :meth:`GopherQueueSync.submit`."""
        return await self._run(
            self._submit_flow(
                job_type,
                payload,
                priority=priority,
                delay=delay,
                scheduled_at=scheduled_at,
                timeout=timeout,
                max_attempts=max_attempts,
                idempotency_key=idempotency_key,
                correlation_id=correlation_id,
                tags=tags,
            )
        )

    def job(self, job: JobRef) -> AsyncJobHandle:
        """A handle of the job bound to this client; see :meth:`GopherQueueSync.job`."""
        if isinstance(job, Job):
            return AsyncJobHandle(self, job.id, job)
        if isinstance(job, (JobHandle, AsyncJobHandle)):
            return AsyncJobHandle(self, job.id, job.snapshot)
        return AsyncJobHandle(self, fanout.job_id_of(job))

    async def submit_and_wait(
        self,
        job_type: str,
        payload: Any = None,
        *,
        timeout: float | timedelta | None = 30,
        raise_on_failure: bool = True,
        **submit_options: Any,
    ) -> WaitResult:
        """Submit a job and wait for it; see :meth:`GopherQueueSync.submit_and_wait`."""
        flow = self._submit_and_wait_flow(
            job_type, payload, timeout, raise_on_failure, submit_options
        )
        return await self._run(flow)

    async def wait_all(
        self,
        jobs: Iterable[JobRef] | BatchResult,
        timeout: float | timedelta | None = 30,
        *,
        raise_on_failure: bool = False,
        max_concurrency: int = fanout.DEFAULT_CONCURRENCY,
    ) -> builtins.list[WaitResult]:
        """Wait for every job under one deadline, at most ``max_concurrency`` long-polls
        (tasks) at once; see :meth:`GopherQueueSync.wait_all`."""
        plan = self._plan(jobs, timeout, max_concurrency, raise_on_failure, take_turns=False)
        return await fanout.wait_all_async(plan, self._run)

    def as_completed(
        self,
        jobs: Iterable[JobRef] | BatchResult,
        timeout: float | timedelta | None = 30,
        *,
        raise_on_failure: bool = False,
        max_concurrency: int = fanout.DEFAULT_CONCURRENCY,
    ) -> AsyncIterator[WaitResult]:
        """Yield each job's outcome as it finishes; see :meth:`GopherQueueSync.as_completed`.
        Use it with ``async for``; stopping early cancels the open long-polls (wrap it in
        ``contextlib.aclosing`` to have that happen at once on ``break``).
        """
        plan = self._plan(jobs, timeout, max_concurrency, raise_on_failure, take_turns=True)
        return fanout.as_completed_async(plan, self._run)

    async def submit_batch(
        self, jobs: Iterable[Mapping[str, Any] | JobSpec], *, atomic: bool = False
    ) -> BatchResult:
        """Submit many jobs; see :meth:`GopherQueueSync.submit_batch`."""
        return await self._run(ops.submit_batch(self._settings, jobs, atomic=atomic))

    async def get(self, job_id: str | UUID, *, include_result: bool = True) -> Job:
        """Get a job; see :meth:`GopherQueueSync.get`."""
        return await self._run(
            ops.get(self._settings, job_id, include_result=include_result), job_id
        )

    async def wait(
        self,
        job_id: str | UUID,
        timeout: float | timedelta | None = 30,
        *,
        raise_on_timeout: bool = False,
        raise_on_failure: bool = False,
    ) -> WaitResult:
        """Wait until the job finishes; see :meth:`GopherQueueSync.wait`."""
        flow = ops.wait(
            self._settings,
            job_id,
            timeout,
            raise_on_timeout=raise_on_timeout,
            raise_on_failure=raise_on_failure,
        )
        return await self._run(flow, job_id)

    async def cancel(
        self, job_id: str | UUID, *, reason: str | None = None, force: bool = False
    ) -> Job:
        """Cancel a job; see :meth:`GopherQueueSync.cancel`."""
        return await self._run(
            ops.cancel(self._settings, job_id, reason=reason, force=force), job_id
        )

    async def retry(self, job_id: str | UUID, *, reset_attempts: bool = False) -> Job:
        """Retry a failed or dead-lettered job; see :meth:`GopherQueueSync.retry`."""
        return await self._run(
            ops.retry(self._settings, job_id, reset_attempts=reset_attempts), job_id
        )

    async def result(self, job_id: str | UUID) -> JobResult:
        """The result of the job's latest finished attempt; see :meth:`GopherQueueSync.result`."""
        return await self._run(ops.result(self._settings, job_id), job_id)

    async def delete(self, job_id: str | UUID) -> None:
        """Delete a job; see :meth:`GopherQueueSync.delete`."""
        return await self._run(ops.delete(self._settings, job_id), job_id)

    async def list(
        self, *, state: JobState | str | None = None, job_type: str | None = None
    ) -> builtins.list[Job]:
        """Up to 100 jobs, newest first; see :meth:`GopherQueueSync.list`."""
        return await self._run(ops.list_jobs(self._settings, state=state, job_type=job_type))

    async def stats(self) -> QueueStats:
        """Queue counts and worker figures."""
        return await self._run(ops.stats(self._settings))

    async def health(self) -> Health:
        """The server's health report."""
        return await self._run(ops.health(self._settings))

    async def ready(self) -> bool:
        """Whether the server is ready to take work."""
        return await self._run(ops.probe(self._settings, "get_ready"))

    async def live(self) -> bool:
        """Whether the server is alive."""
        return await self._run(ops.probe(self._settings, "get_live"))

    def events(
        self,
        *,
        job_types: Iterable[str] | None = None,
        job_id: str | UUID | None = None,
        event_types: Iterable[str] | None = None,
        max_reconnects: int | None = 10,
        on_reconnect: Callable[[ReconnectEvent], None] | None = None,
    ) -> AsyncEventStream:
        """Subscribe to the server's events: an async iterator of :class:`Event`; see
        :meth:`GopherQueueSync.events`. Use it with ``async for`` (it is not awaited).
        """
        flow = events_flow(
            self._settings,
            job_id=job_id,
            job_types=job_types,
            event_types=event_types,
            max_reconnects=max_reconnects,
            on_reconnect=on_reconnect,
        )
        return AsyncEventStream(iterate_async(self._observed(flow), self._driver))

    def watch(
        self,
        job_id: str | UUID,
        *,
        timeout: float | timedelta | None = None,
        poll_interval: float = 1.0,
    ) -> AsyncJobWatch:
        """Yield the job each time its state or progress changes; see
        :meth:`GopherQueueSync.watch`. Use it with ``async for``.
        """
        flow = ops.watch(self._settings, job_id, timeout=timeout, poll_interval=poll_interval)
        return AsyncJobWatch(iterate_async(self._observed(flow), self._driver))


_SEE_SYNC = re.compile(r";?\s*see\s+:meth:`GopherQueueSync\.(\w+)`")
_SECTIONS = re.compile(r"^(Args|Returns|Yields|Raises):$", re.M)


def _share_docstrings() -> None:
    """Give the async client's methods the sync client's full documentation (its Args,
    Returns and Raises) at run time, so ``help()`` reads the same on both clients.

    The async source keeps a one-line summary that points to the sync method, and any notes
    of its own (``async for``, task limits); the sections are written once, on the sync side.
    """
    for name, method in vars(GopherQueue).items():
        doc = getattr(method, "__doc__", None)
        if name.startswith("_") or not doc or not _SEE_SYNC.search(doc):
            continue
        sync_doc = inspect.getdoc(getattr(GopherQueueSync, name)) or ""
        # The sections only: the sync prose may be about threads.
        start = _SECTIONS.search(sync_doc)
        sections = sync_doc[start.start() :] if start else ""
        own = _SEE_SYNC.sub("", inspect.cleandoc(doc)).strip()
        if not own.endswith("."):
            own += "."
        method.__doc__ = f"{own}\n\n{sections}" if sections else own
    # Both constructors take the options their class documents.
    GopherQueueSync.__init__.__doc__ = GopherQueueSync.__doc__  # BaseClient's own
    GopherQueue.__init__.__doc__ = GopherQueue.__doc__


_share_docstrings()
