"""The clients: :class:`GopherQueue` (async) and :class:`GopherQueueSync`.

Both are thin: each method picks the flow for its operation from ``_operations`` and runs it
with the client's driver. Configuration, the connection pool and secrets live here.
"""

from __future__ import annotations

import builtins
import copy
import functools
import ssl
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Literal, Self, TypeVar

import httpx

from . import _operations as ops
from . import _options as options
from ._events import events as events_flow
from ._exceptions import GopherQueueError
from ._generated import raw_client_type
from ._pool import Pool
from ._retry import RetryPolicy
from ._streams import AsyncEventStream, AsyncJobWatch, EventStream, JobWatch
from ._transport import (
    AsyncDriver,
    AsyncHttpxDriver,
    Defaults,
    iterate_async,
    iterate_sync,
    run_async,
    run_sync,
)

if TYPE_CHECKING:
    from ._aiohttp import Session
    from ._effects import Flow
    from ._events import ReconnectEvent
    from ._generated import RawClient
    from ._models import (
        BatchResult,
        Duration,
        Health,
        Job,
        JobResult,
        JobSpec,
        JobState,
        QueueStats,
        WaitResult,
    )

__all__ = ["GopherQueue", "GopherQueueSync"]

T = TypeVar("T")
H = TypeVar("H", httpx.Client, httpx.AsyncClient)

_DEFAULT_TIMEOUT = 30.0
_DEFAULT_WAIT_CHUNK = 25.0


def _wait_seconds(timeout: float | timedelta | None) -> float | None:
    return timeout.total_seconds() if isinstance(timeout, timedelta) else timeout


class _BaseClient(Generic[H]):
    _pool: Pool[H]
    _borrowed: bool = False
    # Whether the owned pool belongs to one event loop (async clients).
    _per_loop: bool = False
    # Frames between the user's constructor call and _BaseClient.__init__.
    _own_init_frames: int = 0

    def __init__(
        self,
        url: str | None = None,
        *,
        api_key: str | None = None,
        timeout: float | timedelta | httpx.Timeout | None = _DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        verify: bool | str | Any = True,
        http_client: H | None = None,
        wait_chunk: float = _DEFAULT_WAIT_CHUNK,
        auto_idempotency_key: bool = True,
    ) -> None:
        self._url = options.check_url(url)
        self._api_key = api_key = options.check_api_key(api_key)
        policy = options.check_policy(retry, max_retries, RetryPolicy())
        extra = options.check_headers(headers)
        self._verify = options.check_verify(verify)
        self._settings = options.Settings(
            base_url=self._url,
            headers=options.client_headers(extra, api_key),
            timeout=options.check_timeout(timeout),
            retry=policy,
            wait_chunk=options.check_wait_chunk(wait_chunk),
            auto_idempotency_key=bool(auto_idempotency_key),
        )
        self._pool = Pool(self._new_http_client, http_client, per_loop=self._per_loop)
        # What an owned httpx client is built with; requests carrying the same objects leave
        # them to the client instead of merging them again (see _transport._build).
        self._defaults = (
            Defaults(self._settings.headers, self._settings.timeout)
            if http_client is None
            else None
        )
        if api_key is not None:
            # The line that constructs the client (a subclass's own __init__ is one more frame).
            options.warn_if_insecure(self._url, stacklevel=3 + self._own_init_frames)

    def _new_http_client(self) -> H:
        raise NotImplementedError

    def _http_kwargs(self) -> dict[str, Any]:
        made = self._defaults or Defaults(self._settings.headers, self._settings.timeout)
        return options.http_client_kwargs(self._url, made.headers, made.timeout, self._verify)

    @property
    def url(self) -> str:
        """The server's base URL."""
        return self._url

    @property
    def timeout(self) -> httpx.Timeout:
        """The default timeouts of a request."""
        return self._settings.timeout

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy in force."""
        return self._settings.retry

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self._url!r})"

    def with_options(
        self,
        *,
        timeout: float | timedelta | httpx.Timeout | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        wait_chunk: float | None = None,
    ) -> Self:
        """A copy of this client with some options changed, sharing its connection pool.

        Options left as ``None`` keep their value (for no timeout at all pass
        ``httpx.Timeout(None)``). The copy does not close the pool; close the original.
        Nothing in this client changes.
        """
        clone = copy.copy(self)
        clone._settings = options.evolve(
            self._settings,
            self._api_key,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            headers=headers,
            wait_chunk=wait_chunk,
        )
        clone._borrowed = True
        return clone

    @property
    def raw(self) -> RawClient:
        """The generated client bound to this client's connection pool, URL, auth and timeouts,
        for calling the generated endpoint functions directly::

            from gopherqueue_api.api.jobs import get_job
            response = get_job.sync_detailed(job_id, client=gq.raw)

        With an injected ``http_client``, that client is used as given (give it a
        ``base_url`` for raw calls).

        On the async client the generated functions run over an httpx.AsyncClient of their
        own (opened on first use, closed by ``aclose()``), whichever backend the client's
        operations use.
        """
        raw = raw_client_type()(
            base_url=self._url, headers=self._settings.headers, timeout=self._settings.timeout
        )
        try:
            http = self._pool.get()
        except RuntimeError as exc:
            # An async client's pool belongs to the event loop that uses it.
            raise GopherQueueError(
                "GopherQueue.raw must be used inside a running event loop (use asyncio_detailed "
                "calls from async code), or use GopherQueueSync.raw"
            ) from exc
        if isinstance(http, httpx.AsyncClient):
            return raw.set_async_httpx_client(http)
        return raw.set_httpx_client(http)

    # Arguments are checked inside the flows, before their first request.

    def _submit_flow(self, job_type: object, payload: object, **options: Any) -> Flow[Job]:
        body, _ = ops.build_submit_body(self._settings, "", job_type, payload, options)
        return ops.submit(self._settings, body)


class GopherQueueSync(_BaseClient[httpx.Client]):
    """The synchronous GopherQueue client.

    ``url`` and ``api_key`` default to the ``GOPHERQUEUE_URL`` and ``GOPHERQUEUE_API_KEY``
    environment variables. Constructing a client does no I/O; connections open on first use.
    One client is safe to share between threads; close it (or use ``with``) to release its
    connections.
    """

    def _new_http_client(self) -> httpx.Client:
        return httpx.Client(**self._http_kwargs())

    def _run(self, flow: Flow[T]) -> T:
        return run_sync(flow, self._pool.get(), self._defaults, self._settings.sleep)

    def close(self) -> None:
        """Close the connection pool (unless it was injected or borrowed by ``with_options``)."""
        if self._pool.owned and not self._borrowed:
            client = self._pool.take()
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
        scheduled_at: Any = None,
        timeout: Duration | None = None,
        max_attempts: int | None = None,
        idempotency_key: str | None = None,
        correlation_id: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Job:
        """Submit a job and return it as created.

        ``priority`` is 0 (critical) to 4 (bulk) or a :class:`Priority`; ``delay`` and
        ``timeout`` take a timedelta, seconds, or a Go duration string (``"10m"``);
        ``scheduled_at`` an aware datetime. Without an ``idempotency_key`` one is generated, so
        retries never create a second job. ``job.replayed`` is true when the server answered
        with an existing job for the key (HTTP 200) instead of creating one (201).
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

    def submit_batch(
        self, jobs: Iterable[Mapping[str, Any] | JobSpec], *, atomic: bool = False
    ) -> BatchResult:
        """Submit many jobs. Items are dicts with the wire's field names (``type``, ``payload``,
        ``priority``, ...) or :class:`JobSpec`. Non-atomic batches of more than 1000 jobs are
        sent in chunks of 1000; an atomic batch may hold at most 1000.
        """
        return self._run(ops.submit_batch(self._settings, jobs, atomic=atomic))

    def get(self, job_id: str | Any, *, include_result: bool = True) -> Job:
        """Get a job. For a finished job the result is fetched too (``job.result``), unless
        ``include_result=False``."""
        return self._run(ops.get(self._settings, job_id, include_result=include_result))

    def wait(
        self,
        job_id: str | Any,
        timeout: float | timedelta | None = 30,
        *,
        raise_on_timeout: bool = False,
        raise_on_failure: bool = False,
    ) -> WaitResult:
        """Wait until the job finishes or ``timeout`` seconds pass (``None``: no limit).

        Long-polls in chunks below the server's 30 s write timeout and survives dropped
        long-polls. Returns ``completed=False, timed_out=True`` when time runs out, or raises
        :class:`WaitTimeoutError` with ``raise_on_timeout``; ``raise_on_failure`` raises
        :class:`JobFailedError` when the job ends without success.
        """
        flow = ops.wait(
            self._settings,
            job_id,
            _wait_seconds(timeout),
            raise_on_timeout=raise_on_timeout,
            raise_on_failure=raise_on_failure,
        )
        return self._run(flow)

    def cancel(self, job_id: str | Any, *, reason: str | None = None, force: bool = False) -> Job:
        """Cancel a job. The real server ignores a cancel of a running job unless ``force``."""
        return self._run(ops.cancel(self._settings, job_id, reason=reason, force=force))

    def retry(self, job_id: str | Any, *, reset_attempts: bool = False) -> Job:
        """Retry a failed or dead-lettered job; :class:`ConflictError` for any other state."""
        return self._run(ops.retry(self._settings, job_id, reset_attempts=reset_attempts))

    def result(self, job_id: str | Any) -> JobResult:
        """The result of the job's latest finished attempt; :class:`ResultNotReadyError` if none."""
        return self._run(ops.result(self._settings, job_id))

    def delete(self, job_id: str | Any) -> None:
        """Delete a job (a running one keeps running; its result is discarded)."""
        return self._run(ops.delete(self._settings, job_id))

    def list(
        self, *, state: JobState | str | None = None, job_type: str | None = None
    ) -> builtins.list[Job]:
        """Up to 100 jobs, newest first, optionally of one state and/or type. The server has no
        paging: older jobs beyond the newest 100 cannot be listed."""
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
        job_id: str | Any = None,
        event_types: Iterable[str] | None = None,
        max_reconnects: int | None = 10,
        on_reconnect: Callable[[ReconnectEvent], None] | None = None,
    ) -> EventStream:
        """Subscribe to the server's events: an iterator of :class:`Event`.

        ``job_id`` filters on the server; ``job_types`` and ``event_types`` on the client (the
        server cannot). The stream reconnects across the server's 30-second cuts (events sent
        while reconnecting are lost: the server has no replay) and ``connected`` is surfaced
        once. ``max_reconnects`` bounds consecutive failed reconnections (``None``: no bound).
        The server sends no start, progress or completion events: use :meth:`watch` or
        :meth:`wait` for those. Stops with a typed error on 401, 403 and 404.
        """
        flow = events_flow(
            self._settings,
            job_id=job_id,
            job_types=job_types,
            event_types=event_types,
            max_reconnects=max_reconnects,
            on_reconnect=on_reconnect,
        )
        return EventStream(
            iterate_sync(flow, self._pool.get(), self._defaults, self._settings.sleep)
        )

    def watch(
        self, job_id: str | Any, *, timeout: float | None = None, poll_interval: float = 1.0
    ) -> JobWatch:
        """Yield the job each time its state or progress changes, ending with its terminal
        state and result (or when ``timeout`` seconds pass).
        """
        flow = ops.watch(self._settings, job_id, timeout=timeout, poll_interval=poll_interval)
        return JobWatch(iterate_sync(flow, self._pool.get(), self._defaults, self._settings.sleep))


# aiohttp is imported with the first session (the first async request), never at
# `import gopherqueue` nor by the sync client: it costs ~60 ms of import time.
def _new_session(verify: bool | ssl.SSLContext, url: str) -> Session:
    from ._aiohttp import new_session

    return new_session(verify, url)


def _discard_session(session: Session) -> None:
    from ._aiohttp import discard_session

    discard_session(session)


class GopherQueue(_BaseClient[httpx.AsyncClient]):
    """The asyncio GopherQueue client; every operation is a coroutine.

    Same options and operations as :class:`GopherQueueSync`. Constructing it does no I/O and
    binds to no event loop, so it can be created at import time. One client is safe to share
    between tasks; ``aclose()`` it (or use ``async with``) to release its connections.

    Requests go through aiohttp by default (imported on the first request, not before): it
    keeps its throughput under concurrency. ``http_backend="httpx"``, or an injected
    ``http_client=httpx.AsyncClient(...)``, sends them with httpx instead; operations, errors,
    retries and the User-Agent are the same either way. ``raw`` always uses an httpx client.
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
        timeout: float | timedelta | httpx.Timeout | None = _DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        verify: bool | str | Any = True,
        http_client: httpx.AsyncClient | None = None,
        wait_chunk: float = _DEFAULT_WAIT_CHUNK,
        auto_idempotency_key: bool = True,
        http_backend: Literal["httpx", "aiohttp"] | None = None,
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

    async def _run(self, flow: Flow[T]) -> T:
        return await run_async(flow, self._driver())

    async def aclose(self) -> None:
        """Close the connection pool (unless it was injected or borrowed by ``with_options``)."""
        if self._borrowed:
            return
        if self._pool.owned:
            client = self._pool.take()
            if client is not None:
                await client.aclose()
        if self._sessions is not None:
            session = self._sessions.take()
            if session is not None:
                await session.http.close()

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
        scheduled_at: Any = None,
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

    async def submit_batch(
        self, jobs: Iterable[Mapping[str, Any] | JobSpec], *, atomic: bool = False
    ) -> BatchResult:
        """Submit many jobs; see :meth:`GopherQueueSync.submit_batch`."""
        return await self._run(ops.submit_batch(self._settings, jobs, atomic=atomic))

    async def get(self, job_id: str | Any, *, include_result: bool = True) -> Job:
        """Get a job; see :meth:`GopherQueueSync.get`."""
        return await self._run(ops.get(self._settings, job_id, include_result=include_result))

    async def wait(
        self,
        job_id: str | Any,
        timeout: float | timedelta | None = 30,
        *,
        raise_on_timeout: bool = False,
        raise_on_failure: bool = False,
    ) -> WaitResult:
        """Wait until the job finishes; see :meth:`GopherQueueSync.wait`."""
        flow = ops.wait(
            self._settings,
            job_id,
            _wait_seconds(timeout),
            raise_on_timeout=raise_on_timeout,
            raise_on_failure=raise_on_failure,
        )
        return await self._run(flow)

    async def cancel(
        self, job_id: str | Any, *, reason: str | None = None, force: bool = False
    ) -> Job:
        """Cancel a job; see :meth:`GopherQueueSync.cancel`."""
        return await self._run(ops.cancel(self._settings, job_id, reason=reason, force=force))

    async def retry(self, job_id: str | Any, *, reset_attempts: bool = False) -> Job:
        """Retry a failed or dead-lettered job; see :meth:`GopherQueueSync.retry`."""
        return await self._run(ops.retry(self._settings, job_id, reset_attempts=reset_attempts))

    async def result(self, job_id: str | Any) -> JobResult:
        """The result of the job's latest finished attempt; see :meth:`GopherQueueSync.result`."""
        return await self._run(ops.result(self._settings, job_id))

    async def delete(self, job_id: str | Any) -> None:
        """Delete a job; see :meth:`GopherQueueSync.delete`."""
        return await self._run(ops.delete(self._settings, job_id))

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
        job_id: str | Any = None,
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
        return AsyncEventStream(iterate_async(flow, self._driver))

    def watch(
        self, job_id: str | Any, *, timeout: float | None = None, poll_interval: float = 1.0
    ) -> AsyncJobWatch:
        """Yield the job each time its state or progress changes; see
        :meth:`GopherQueueSync.watch`. Use it with ``async for``.
        """
        flow = ops.watch(self._settings, job_id, timeout=timeout, poll_interval=poll_interval)
        return AsyncJobWatch(iterate_async(flow, self._driver))
