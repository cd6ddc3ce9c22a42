"""The clients: :class:`GopherQueue` (async) and :class:`GopherQueueSync`.

Both are thin: each method picks the flow for its operation from ``_operations`` and runs it
with the client's driver. Configuration, the connection pool and secrets live here.
"""

from __future__ import annotations

import builtins
import copy
import functools
import ipaddress
import os
import platform
import re
import ssl
import threading
import warnings
import weakref
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Literal, Self, TypeVar, cast
from urllib.parse import urlsplit

import attrs
import httpx

from . import _operations as ops
from ._events import AsyncEventStream, Event, EventStream, ReconnectEvent
from ._events import events as events_flow
from ._events import watch as watch_flow
from ._exceptions import GopherQueueError, ValidationError
from ._retry import RetryPolicy
from ._transport import (
    AsyncDriver,
    AsyncHttpxDriver,
    Defaults,
    Flow,
    iterate_async,
    iterate_sync,
    run_async,
    run_sync,
)
from ._version import __version__

if TYPE_CHECKING:
    import asyncio

    from gopherqueue_api.client import Client as RawClient

    from ._aiohttp import Session
    from ._convert import Duration
    from ._models import BatchResult, Health, Job, JobResult, JobState, QueueStats, WaitResult

__all__ = ["GopherQueue", "GopherQueueSync", "InsecureTransportWarning"]

T = TypeVar("T")
H = TypeVar("H", httpx.Client, httpx.AsyncClient)
R = TypeVar("R")

_DEFAULT_TIMEOUT = 30.0
_DEFAULT_WAIT_CHUNK = 25.0
_warned_hosts: set[str] = set()
_warned_lock = threading.Lock()


class InsecureTransportWarning(UserWarning):
    """An API key is about to travel unencrypted to a host that is not this machine.

    .. versionadded:: 0.1.0
    """


def _user_agent(transport: str = f"httpx/{httpx.__version__}") -> str:
    return f"gopherqueue-python/{__version__} {transport} python/{platform.python_version()}"


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_url(url: object) -> str:
    if url is None:
        url = os.environ.get("GOPHERQUEUE_URL")
        if not url:
            raise ValidationError(
                "url is required: pass the server's URL (e.g. 'http://localhost:8080') "
                "or set GOPHERQUEUE_URL",
                field="url",
            )
    if not isinstance(url, str):
        raise ValidationError(f"url must be a str, got {type(url).__name__}", field="url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            f"url must be an http:// or https:// URL with a host, got {url!r}", field="url"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValidationError(
            "url must not carry a query, fragment or credentials (use api_key for credentials)",
            field="url",
        )
    return url.rstrip("/")


# RFC 9110: a header name is a token; a value here is printable ASCII (httpx encodes str values
# as ASCII, and CR/LF would split the header).
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")


def _check_headers(headers: object) -> dict[str, str]:
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        raise ValidationError(
            f"headers must be a mapping of str to str, got {type(headers).__name__}",
            field="headers",
        )
    checked: dict[str, str] = {}
    items: Mapping[object, object] = headers  # pyright: ignore[reportUnknownVariableType]
    for key, value in items.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise ValidationError("headers must map str to str", field="headers")
        # Values are not shown: a header may carry a credential.
        if not _HEADER_NAME.fullmatch(key):
            raise ValidationError(f"headers: {key!r} is not a valid header name", field="headers")
        if not _HEADER_VALUE.fullmatch(value):
            raise ValidationError(
                f"headers[{key!r}] must be printable ASCII (no line breaks)", field="headers"
            )
        checked[key] = value
    return checked


def _check_verify(verify: object) -> bool | ssl.SSLContext:
    """``verify``: True (the default: verify against certifi's CAs), False, an SSLContext, or the
    path of a CA bundle file or directory (made into an SSLContext here: httpx deprecates paths).
    """
    if isinstance(verify, (bool, ssl.SSLContext)):
        return verify
    if isinstance(verify, os.PathLike):
        verify = os.fspath(cast("os.PathLike[str]", verify))
    if isinstance(verify, str):
        path = verify
        try:
            if os.path.isdir(path):
                return ssl.create_default_context(capath=path)
            return ssl.create_default_context(cafile=path)
        except (OSError, ValueError, TypeError) as exc:
            raise ValidationError(
                f"verify: cannot load CA certificates from {path!r}: {exc}", field="verify"
            ) from None
    raise ValidationError(
        "verify must be True, False, an ssl.SSLContext or the path of a CA bundle, "
        f"got {type(verify).__name__}",
        field="verify",
    )


@functools.cache
def _raw_client_type() -> type[RawClient]:
    """The generated client, with a repr that does not show its headers (the API key)."""
    from gopherqueue_api.client import Client as RawClient

    class Client(RawClient):
        __slots__ = ()

        def __repr__(self) -> str:
            return f"Client(base_url={self._base_url!r}, headers=<not shown>)"

    return Client


def _check_timeout(timeout: object) -> httpx.Timeout:
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout is None:
        return httpx.Timeout(None)
    if isinstance(timeout, timedelta):
        timeout = timeout.total_seconds()
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValidationError(
            f"timeout must be a positive number of seconds, an httpx.Timeout or None, got {timeout!r}",
            field="timeout",
        )
    return httpx.Timeout(float(timeout))


def _check_policy(retry: object, max_retries: object, default: RetryPolicy) -> RetryPolicy:
    """The retry policy from the ``retry`` and ``max_retries`` options (``None``: ``default``)."""
    policy = default if retry is None else retry
    if not isinstance(policy, RetryPolicy):
        raise ValidationError(
            f"retry must be a RetryPolicy, got {type(policy).__name__}", field="retry"
        )
    if max_retries is None:
        return policy
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValidationError(
            f"max_retries must be an int >= 0, got {max_retries!r}", field="max_retries"
        )
    return attrs.evolve(policy, max_retries=max_retries)


def _check_wait_chunk(value: object) -> float:
    """Seconds per long-poll: positive and clear of the server's 30 s write timeout."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 < value <= ops.WAIT_CHUNK_MAX
    ):
        raise ValidationError(
            f"wait_chunk must be a number of seconds in (0, {ops.WAIT_CHUNK_MAX}] (the server drops "
            f"replies due 30 s after the request), got {value!r}",
            field="wait_chunk",
        )
    return float(value)


def _wait_seconds(timeout: float | timedelta | None) -> float | None:
    return timeout.total_seconds() if isinstance(timeout, timedelta) else timeout


class _Pool(Generic[R]):
    """The lazily created connection pool (an httpx client, or an aiohttp session), shared by a
    client and its ``with_options`` copies.

    ``per_loop``: the pool belongs to the event loop that created it (async clients), and a
    new one is made for another loop; ``discard`` is then called with a replaced pool whose
    loop has closed.
    """

    def __init__(
        self,
        factory: Callable[[], R],
        injected: R | None,
        *,
        per_loop: bool = False,
        discard: Callable[[R], None] | None = None,
    ) -> None:
        self._factory: Callable[[], R] = factory
        self._client: R | None = injected
        self.owned = injected is None
        self._per_loop = per_loop and injected is None
        self._discard = discard
        self._lock = threading.Lock()
        # Set for an owned async pool: the event loop its connections belong to.
        self._loop: weakref.ReferenceType[asyncio.AbstractEventLoop] | None = None

    def _current(self) -> R | None:
        client = self._client
        if client is None or self._loop is None:
            return client
        # A module-level async client used from several event loops (Django async views under
        # WSGI run each request in a new loop) gets a fresh pool in each loop, because an
        # AsyncClient's connections cannot move between loops.
        import asyncio  # not at module level: it costs import time to sync-only users

        return client if self._loop() is asyncio.get_running_loop() else None

    def get(self) -> R:
        client = self._current()
        if client is not None:
            return client
        with self._lock:
            client = self._current()
            if client is None:
                stale, old_loop = self._client, self._loop
                client = self._factory()
                self._client = client
                if self._per_loop:
                    import asyncio

                    self._loop = weakref.ref(asyncio.get_running_loop())
                if stale is not None and self._discard is not None and old_loop is not None:
                    loop = old_loop()
                    if loop is None or loop.is_closed():
                        self._discard(stale)
            return client

    def take(self) -> R | None:
        with self._lock:
            client, self._client = self._client, None
            return client


class _BaseClient(Generic[H]):
    _pool: _Pool[H]
    _borrowed: bool = False
    # Whether the owned pool belongs to one event loop (async clients).
    _per_loop: bool = False
    # The HTTP library requests go through, as named in the User-Agent (None: httpx).
    _transport_name: str | None = None
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
        self._url = _check_url(url)
        if api_key is None:
            api_key = os.environ.get("GOPHERQUEUE_API_KEY") or None
        if api_key is not None and (
            not isinstance(api_key, str) or not api_key or not _HEADER_VALUE.fullmatch(api_key)
        ):
            # Never echo the key itself.
            raise ValidationError(
                "api_key must be a non-empty str of printable ASCII characters, or None",
                field="api_key",
            )
        policy = _check_policy(retry, max_retries, RetryPolicy())
        extra = _check_headers(headers)
        self._api_key = api_key
        self._verify = _check_verify(verify)
        self._extra_headers = extra
        self._settings = ops.Settings(
            base_url=self._url,
            headers=self._headers(),
            timeout=_check_timeout(timeout),
            retry=policy,
            wait_chunk=_check_wait_chunk(wait_chunk),
            auto_idempotency_key=bool(auto_idempotency_key),
        )
        self._pool = _Pool(self._new_http_client, http_client, per_loop=self._per_loop)
        # What an owned httpx client is built with; requests carrying the same objects leave
        # them to the client instead of merging them again (see _transport._build).
        self._defaults = (
            Defaults(self._settings.headers, self._settings.timeout)
            if http_client is None
            else None
        )
        if api_key is not None:
            self._warn_if_insecure()

    def _headers(self) -> dict[str, str]:
        agent = _user_agent() if self._transport_name is None else _user_agent(self._transport_name)
        headers = {"User-Agent": agent, "Accept": "application/json"}
        headers.update(self._extra_headers)
        if self._api_key is not None:
            headers["X-API-Key"] = self._api_key
        return headers

    def _warn_if_insecure(self) -> None:
        parts = urlsplit(self._url)
        host = parts.hostname or ""
        if parts.scheme != "http" or _is_loopback(host):
            return
        with _warned_lock:
            if host in _warned_hosts:
                return
            _warned_hosts.add(host)
        warnings.warn(
            f"an API key will be sent over plain HTTP to {host}; use https:// outside this machine",
            InsecureTransportWarning,
            # The line that constructs the client (a subclass's own __init__ is one more frame).
            stacklevel=3 + self._own_init_frames,
        )

    def _new_http_client(self) -> H:
        raise NotImplementedError

    def _http_kwargs(self) -> dict[str, Any]:
        return {
            "base_url": self._url,
            "headers": self._defaults.headers if self._defaults else self._settings.headers,
            "timeout": self._defaults.timeout if self._defaults else self._settings.timeout,
            "verify": self._verify,
            # Redirects are never followed: the server's only redirects come from unclean paths,
            # and following one with the API key could leak it.
            "follow_redirects": False,
        }

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

    def _copy(self, **changes: Any) -> Self:
        clone = copy.copy(self)
        clone._settings = attrs.evolve(self._settings, **changes)
        clone._borrowed = True
        return clone

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

        .. versionadded:: 0.1.0
        """
        changes: dict[str, Any] = {}
        if timeout is not None:
            changes["timeout"] = _check_timeout(timeout)
        policy = _check_policy(retry, max_retries, self._settings.retry)
        changes["retry"] = policy
        if headers is not None:
            merged = {**self._settings.headers, **_check_headers(headers)}
            if self._api_key is not None:
                merged["X-API-Key"] = self._api_key
            changes["headers"] = merged
        if wait_chunk is not None:
            changes["wait_chunk"] = _check_wait_chunk(wait_chunk)
        return self._copy(**changes)

    @property
    def raw(self) -> RawClient:
        """The generated client bound to this client's connection pool, URL, auth and timeouts,
        for calling the generated endpoint functions directly::

            from gopherqueue_api.api.jobs import get_job
            response = get_job.sync_detailed(job_id, client=gq.raw)

        With an injected ``http_client``, that client is used as given (give it a
        ``base_url`` for raw calls).

        Not available with ``http_backend="aiohttp"``: the generated functions need httpx.

        .. versionadded:: 0.1.0
        """
        if self._transport_name is not None:
            raise GopherQueueError(
                "raw is not available with http_backend='aiohttp': the generated endpoint "
                "functions need an httpx client (create a GopherQueue with the default "
                "http_backend='httpx' for raw calls)"
            )
        raw = _raw_client_type()(
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

    .. versionadded:: 0.1.0
    """

    def _new_http_client(self) -> httpx.Client:
        return httpx.Client(**self._http_kwargs())

    def _run(self, flow: Flow[T]) -> T:
        return run_sync(flow, self._pool.get(), self._defaults)

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
        self, jobs: Iterable[Mapping[str, Any] | ops.JobSpec], *, atomic: bool = False
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
    ) -> EventStream[Event]:
        """Subscribe to the server's events: an iterator of :class:`Event`.

        ``job_id`` filters on the server; ``job_types`` and ``event_types`` on the client (the
        server cannot). The stream reconnects across the server's 30-second cuts (events sent
        while reconnecting are lost: the server has no replay) and ``connected`` is surfaced
        once. ``max_reconnects`` bounds consecutive failed reconnections (``None``: no bound).
        The server sends no start, progress or completion events: use :meth:`watch` or
        :meth:`wait` for those. Stops with a typed error on 401, 403 and 404.

        .. versionadded:: 0.1.0
        """
        flow = events_flow(
            self._settings,
            job_id=job_id,
            job_types=job_types,
            event_types=event_types,
            max_reconnects=max_reconnects,
            on_reconnect=on_reconnect,
        )
        return EventStream(iterate_sync(flow, self._pool.get(), self._defaults))

    def watch(
        self, job_id: str | Any, *, timeout: float | None = None, poll_interval: float = 1.0
    ) -> EventStream[Job]:
        """Yield the job each time its state or progress changes, ending with its terminal
        state and result (or when ``timeout`` seconds pass).

        .. versionadded:: 0.1.0
        """
        flow = watch_flow(self._settings, job_id, timeout=timeout, poll_interval=poll_interval)
        return EventStream(iterate_sync(flow, self._pool.get(), self._defaults))


def _check_backend(http_backend: object, http_client: object) -> str:
    if http_backend not in ("httpx", "aiohttp"):
        raise ValidationError(
            f"http_backend must be 'httpx' or 'aiohttp', got {http_backend!r}",
            field="http_backend",
        )
    if http_backend == "aiohttp" and http_client is not None:
        raise ValidationError(
            "http_client (an httpx.AsyncClient) cannot be combined with http_backend='aiohttp': "
            "pass one or the other",
            field="http_client",
        )
    return http_backend


class GopherQueue(_BaseClient[httpx.AsyncClient]):
    """The asyncio GopherQueue client; every operation is a coroutine.

    Same options and operations as :class:`GopherQueueSync`. Constructing it does no I/O and
    binds to no event loop, so it can be created at import time. One client is safe to share
    between tasks; ``aclose()`` it (or use ``async with``) to release its connections.

    ``http_backend="aiohttp"`` sends requests with aiohttp instead of httpx (install
    ``gopherqueue[aiohttp]``): much higher throughput at high concurrency, same operations,
    errors and retries. ``http_client`` and ``raw`` need the default ``"httpx"`` backend.

    .. versionadded:: 0.1.0
    """

    _per_loop = True
    _own_init_frames = 1
    # One aiohttp session per event loop, with http_backend="aiohttp".
    _sessions: _Pool[Session] | None = None

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
        http_backend: Literal["httpx", "aiohttp"] = "httpx",
    ) -> None:
        backend = _check_backend(http_backend, http_client)
        if backend == "aiohttp":
            try:
                import aiohttp
            except ImportError:
                raise ValidationError(
                    "http_backend='aiohttp' needs aiohttp, which is not installed: "
                    "pip install 'gopherqueue[aiohttp]'",
                    field="http_backend",
                ) from None
            self._transport_name = f"aiohttp/{aiohttp.__version__}"
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
            from ._aiohttp import discard_session, new_session

            verify_, url_ = self._verify, self._url
            self._sessions = _Pool(
                lambda: new_session(verify_, url_), None, per_loop=True, discard=discard_session
            )

    def _new_http_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(**self._http_kwargs())

    def _driver(self) -> AsyncDriver:
        """A driver for one operation, on this event loop's connection pool."""
        sessions = self._sessions
        if sessions is None:
            return AsyncHttpxDriver(self._pool.get(), self._defaults)
        from ._aiohttp import AiohttpDriver

        return AiohttpDriver(sessions.get())

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
        self, jobs: Iterable[Mapping[str, Any] | ops.JobSpec], *, atomic: bool = False
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
    ) -> AsyncEventStream[Event]:
        """Subscribe to the server's events: an async iterator of :class:`Event`; see
        :meth:`GopherQueueSync.events`. Use it with ``async for`` (it is not awaited).

        .. versionadded:: 0.1.0
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
    ) -> AsyncEventStream[Job]:
        """Yield the job each time its state or progress changes; see
        :meth:`GopherQueueSync.watch`. Use it with ``async for``.

        .. versionadded:: 0.1.0
        """
        flow = watch_flow(self._settings, job_id, timeout=timeout, poll_interval=poll_interval)
        return AsyncEventStream(iterate_async(flow, self._driver))
