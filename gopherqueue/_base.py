"""What both clients share: configuration, the connection pool, ``with_options``, ``raw`` and
the flows built from a method's arguments. The public methods are in ``_client``.
"""

from __future__ import annotations

import copy
import ssl
import weakref
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

import httpx

from . import _convert as convert
from . import _fanout as fanout
from . import _operations as ops
from . import _options as options
from ._exceptions import GopherQueueError, ValidationError
from ._generated import raw_client_type
from ._models import Job
from ._observe import observe
from ._pool import Pool
from ._retry import RetryPolicy
from ._secrets import Secret
from ._transport import Defaults, SyncIteration

if TYPE_CHECKING:
    from ._effects import Flow
    from ._generated import RawClient
    from ._models import WaitResult
    from ._observe import RequestEvent

__all__ = ["DEFAULT_TIMEOUT", "DEFAULT_WAIT_CHUNK", "BaseClient"]

_SUBMIT_OPTIONS = frozenset(
    {
        "priority",
        "delay",
        "scheduled_at",
        "job_timeout",
        "max_attempts",
        "idempotency_key",
        "correlation_id",
        "tags",
    }
)

T = TypeVar("T")
H = TypeVar("H", httpx.Client, httpx.AsyncClient)

DEFAULT_TIMEOUT = 30.0
DEFAULT_WAIT_CHUNK = 25.0


class BaseClient(Generic[H]):
    """The configuration and connection pool of a client, over an httpx client type ``H``."""

    _pool: Pool[H]
    _borrowed: bool = False
    # Whether the owned pool belongs to one event loop (async clients).
    _per_loop: bool = False
    # Frames between the user's constructor call and BaseClient.__init__.
    _own_init_frames: int = 0

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
        http_client: H | None = None,
        wait_chunk: float = DEFAULT_WAIT_CHUNK,
        auto_idempotency_key: bool = True,
        max_response_size: int | None = options.MAX_RESPONSE_SIZE,
        max_event_line_size: int | None = options.MAX_EVENT_LINE_SIZE,
        max_event_size: int | None = options.MAX_EVENT_SIZE,
        on_request: Callable[[RequestEvent], None] | None = None,
    ) -> None:
        self._url = options.check_url(url)
        api_key = options.check_api_key(api_key)
        # Wrapped: vars(client) and frame captures print attributes' reprs.
        self._api_key = None if api_key is None else Secret(api_key)
        policy = options.check_policy(retry, max_retries, RetryPolicy())
        extra = options.check_headers(headers)
        self._verify = options.check_verify(verify)
        self._settings = options.Settings(
            base_url=self._url,
            headers=options.client_headers(extra, api_key),
            timeout=options.check_timeout(timeout),
            retry=policy,
            wait_chunk=options.check_wait_chunk(wait_chunk),
            auto_idempotency_key=convert.check_bool(auto_idempotency_key, "auto_idempotency_key"),
            max_response_size=options.check_size(max_response_size, "max_response_size"),
            max_event_line_size=options.check_size(max_event_line_size, "max_event_line_size"),
            max_event_size=options.check_size(max_event_size, "max_event_size"),
            on_request=options.check_hook(on_request, "on_request"),
        )
        self._pool = Pool(self._new_http_client, http_client, per_loop=self._per_loop)
        # The open events() and watch() iterations (sync client), stopped by close().
        self._iterations: weakref.WeakSet[SyncIteration] = weakref.WeakSet()
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

        Args:
            timeout: The new default request timeout (as in the constructor).
            max_retries: The new number of retries, keeping the rest of the policy.
            retry: The new retry policy.
            headers: Extra headers, merged over the client's own.
            wait_chunk: The new long-poll chunk of ``wait``, in seconds.

        Returns:
            The new client.

        Raises:
            ValidationError: An option is of the wrong type or out of range.
        """
        clone = copy.copy(self)
        clone._settings = options.evolve(
            self._settings,
            None if self._api_key is None else self._api_key.value,
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

    def _submit_and_wait_flow(
        self,
        job_type: object,
        payload: object,
        timeout: float | timedelta | None,
        raise_on_failure: bool,
        submit_options: dict[str, Any],
    ) -> Flow[WaitResult]:
        unknown = submit_options.keys() - _SUBMIT_OPTIONS
        if unknown:
            name = sorted(unknown)[0]
            raise ValidationError(
                f"submit_and_wait got an unknown option {name!r}; expected some of "
                f"{sorted(_SUBMIT_OPTIONS)}",
                field=name,
            )
        wire = dict(submit_options)
        wire["timeout"] = wire.pop("job_timeout", None)
        body, _ = ops.build_submit_body(self._settings, "", job_type, payload, wire)
        return ops.submit_and_wait(self._settings, body, timeout, raise_on_failure=raise_on_failure)

    def _plan(
        self,
        jobs: object,
        timeout: float | timedelta | None,
        max_concurrency: int,
        raise_on_failure: bool,
        *,
        take_turns: bool,
    ) -> fanout.WaitPlan:
        return fanout.WaitPlan(
            self._settings,
            jobs,
            timeout,
            max_concurrency=max_concurrency,
            raise_on_failure=raise_on_failure,
            take_turns=take_turns,
        )

    def _observed(self, flow: Flow[T], job_id: object = None) -> Flow[T]:
        attributes = {"gopherqueue.job.id": job_id} if isinstance(job_id, str) else None
        return observe(flow, self._settings.on_request, attributes)
