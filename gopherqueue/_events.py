"""Real-time events, written once for both clients.

The real server's stream (docs/protocol.md §6) sends ``connected`` first, then
``job.created``, ``job.cancelled``, ``job.retried`` and ``job.deleted``; it filters only by
exact job id, has no replay, ignores ``Last-Event-ID``, never reports start, progress,
completion or failure, and cuts every stream 30 s after it opened. So:

- :func:`events` reconnects whenever the stream ends or breaks, at once after a healthy
  stream (one that delivered a job event or lived :data:`HEALTHY_AFTER` seconds) and with
  jittered exponential backoff otherwise, honours the server's ``retry`` up to 30 s, sends
  ``Last-Event-ID``, surfaces ``connected`` only once, filters job types on the client, and
  stops with a typed error on 401, 403 and 404. Its pieces: open (:func:`_stream_request`,
  :func:`_check_stream`), read (:func:`_read`), classify the error (:func:`_classify`), next
  delay (:func:`_next_delay`).

``watch`` (a wait-plus-get loop, no stream) lives with ``wait`` in ``_operations``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import attrs
import httpx

from . import _convert as convert
from . import _generated as gen
from ._effects import CloseStream, Emit, OpenStream, ReadChunk, Request, Sleep
from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    GopherQueueError,
    NotFoundError,
    PermissionDeniedError,
    UnexpectedResponseError,
    ValidationError,
    connection_error,
    excerpt,
    status_error,
)
from ._models import Job, Serialisable
from ._secrets import SecretHeaders
from ._sse import ServerSentEvent, SSEDecoder

if TYPE_CHECKING:
    from ._effects import Flow, Stream
    from ._generated import RawJob
    from ._options import Settings

__all__ = ["Event", "ReconnectEvent", "events"]

logger = logging.getLogger("gopherqueue")

# The real server sends keepalives every 30 s (and cuts streams at 30 s); a read timeout well
# above that tells a silent, dead connection from a quiet stream.
STREAM_READ_TIMEOUT = 65.0
HEALTHY_AFTER = 5.0
"""Seconds a connection must stay open to count as healthy without delivering a job event: a
server that accepts and closes at once must back off and use up ``max_reconnects``."""
SERVER_RETRY_MAX = 30.0
"""The longest ``retry`` from the server that is honoured (like ``Retry-After``'s cap)."""
_JOB_EVENTS = frozenset({"job.created", "job.cancelled", "job.retried"})


@attrs.frozen
class Event(Serialisable):
    """One event from the server's stream."""

    event_type: str
    """The event name: ``connected``, ``job.created``, ``job.cancelled``, ``job.retried``,
    ``job.deleted`` (or one a newer server adds)."""
    data: Any
    """The event's data, decoded from JSON (the raw text when it is not JSON)."""
    id: str | None
    """The SSE ``id`` field; the real server sets it to the job id."""
    retry: int | None
    """The reconnection delay in milliseconds, when the server sent one with this event."""
    job: Job | None
    """The job, for events whose data is a job (created, cancelled, retried)."""

    @property
    def job_id(self) -> str | None:
        """The job the event is about, if any."""
        if self.job is not None:
            return self.job.id
        if isinstance(self.data, dict):
            value = self.data.get("id")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
            return value if isinstance(value, str) else None
        return None


@attrs.frozen
class ReconnectEvent:
    """What an ``on_reconnect`` hook receives before the stream is reopened."""

    attempt: int
    """Consecutive reconnection attempts so far, 1 for the first after a healthy stream."""
    delay: float
    """Seconds before the next connection attempt."""
    error: GopherQueueError | None
    """Why the previous connection ended; ``None`` when the server simply closed the stream
    (the real server does so 30 s after every connect)."""


def _to_event(sse: ServerSentEvent) -> Event:
    data: Any
    try:
        data = json.loads(sse.data)
    except ValueError:
        data = sse.data
    job: Job | None = None
    if sse.event in _JOB_EVENTS and isinstance(data, dict):
        try:
            raw: RawJob = gen.RawJob.from_dict(data)  # pyright: ignore[reportUnknownArgumentType]
            job = Job.from_api(raw)
        except (KeyError, TypeError, ValueError, AttributeError):
            job = None  # not a job after all; the data is still there
    return Event(event_type=sse.event, data=data, id=sse.id, retry=sse.retry, job=job)


def _check_names(value: object, field: str) -> frozenset[str] | None:
    if value is None:
        return None
    # Any iterable, as the hint says (a generator too); a single string is a mistake.
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ValidationError(
            f"{field} must be an iterable of str (not a single str), got {type(value).__name__}",
            field=field,
        )
    names: set[str] = set()
    for item in value:  # pyright: ignore[reportUnknownVariableType]
        if not isinstance(item, str) or not item:
            raise ValidationError(f"{field} must hold non-empty strings", field=field)
        names.add(item)
    return frozenset(names)


@attrs.define
class _Subscription:
    """What outlives one connection of a subscription."""

    decoder: SSEDecoder = attrs.field(factory=SSEDecoder)
    matching_ids: set[str] = attrs.field(factory=set[str])
    """Jobs seen whose type matched, so their job.deleted (data: only the id) matches too."""
    surfaced_connected: bool = False
    failures: int = 0
    """Consecutive connections that were not healthy."""
    server_retry: float | None = None
    delivered: bool = False
    """Whether the current connection delivered an event other than ``connected``."""


def events(
    settings: Settings,
    *,
    job_id: object = None,
    job_types: object = None,
    event_types: object = None,
    max_reconnects: int | None = 10,
    reconnect: bool = True,
    on_reconnect: Callable[[ReconnectEvent], None] | None = None,
) -> Flow[None]:
    """Subscribe to the event stream, reconnecting across the server's 30 s cuts.

    ``max_reconnects`` bounds *consecutive* failed reconnection attempts (``None``: no
    bound). A connection is healthy, and resets the count, once it delivered an event other
    than ``connected`` or stayed open :data:`HEALTHY_AFTER` seconds; any other end counts as
    a failure and is followed by backoff.
    """
    server_filter = None if job_id is None else convert.check_job_id(job_id)
    types = _check_names(job_types, "job_types")
    names = _check_names(event_types, "event_types")
    if max_reconnects is not None and (
        isinstance(max_reconnects, bool)
        or not isinstance(max_reconnects, int)
        or max_reconnects < 0
    ):
        raise ValidationError("max_reconnects must be an int >= 0 or None", field="max_reconnects")
    timeout = httpx.Timeout(
        settings.timeout.connect,
        read=max(STREAM_READ_TIMEOUT, settings.timeout.read or 0.0),
        write=settings.timeout.write,
        pool=settings.timeout.pool,
    )
    kwargs = gen.stream_events._get_kwargs(
        job_id=gen.UNSET if server_filter is None else server_filter
    )
    sub = _Subscription(
        decoder=SSEDecoder(max_line=settings.max_event_line_size, max_event=settings.max_event_size)
    )
    while True:
        request = _stream_request(settings, kwargs, timeout, sub.decoder.last_event_id)
        opened_at = settings.clock()
        sub.delivered = False
        error: GopherQueueError | None = None
        stream: Stream | None = None
        try:
            opened: Stream = yield OpenStream(request)
            stream = opened
            yield from _check_stream(opened)
            yield from _read(opened, sub, types, names)
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, APIStatusError) as exc:
            error = _classify(exc, request)
        # Not in a `finally`: a flow closed by its consumer must not yield; the driver closes
        # every stream still open when the flow ends.
        if stream is not None:
            yield CloseStream(stream)
        sub.decoder.close()
        if not reconnect:
            if error is not None:
                raise error
            return
        healthy = sub.delivered or settings.clock() - opened_at >= HEALTHY_AFTER
        delay = _next_delay(settings, sub, healthy=healthy, error=error, limit=max_reconnects)
        # The real server cuts every stream after 30 s: a routine reconnect after a healthy
        # stream is logged at DEBUG, a failing one at INFO.
        logger.log(
            logging.DEBUG if healthy else logging.INFO,
            "event stream %s; reconnecting in %.2fs (attempt %d)",
            "ended" if error is None else f"ended: {error}",
            delay,
            sub.failures or 1,
        )
        if on_reconnect is not None:
            on_reconnect(ReconnectEvent(attempt=sub.failures or 1, delay=delay, error=error))
        if delay > 0:
            yield Sleep(delay)


def _stream_request(
    settings: Settings, kwargs: dict[str, Any], timeout: httpx.Timeout, last_event_id: str
) -> Request:
    """The request that opens (or reopens) the stream."""
    headers = SecretHeaders(settings.headers)
    headers.update({"Accept": "text/event-stream", "Cache-Control": "no-cache"})
    if last_event_id:
        headers["Last-Event-ID"] = last_event_id
    return Request("stream_events", kwargs, settings.base_url, headers, timeout)


def _check_stream(stream: Stream) -> Flow[None]:
    """Raise the mapped error unless ``stream`` is a 200 event stream."""
    if stream.status_code != 200:
        yield from _raise_for_stream_status(stream)
    content_type = stream.headers.get("content-type", "")
    if not content_type.startswith("text/event-stream"):
        body = yield ReadChunk(stream)
        raise UnexpectedResponseError(
            f"stream_events: expected text/event-stream, got {content_type or 'no content type'}: "
            f"{excerpt(body)}",
            response=stream.response,
        )


def _read(
    stream: Stream,
    sub: _Subscription,
    types: frozenset[str] | None,
    names: frozenset[str] | None,
) -> Flow[None]:
    """Emit the stream's wanted events until it ends."""
    while True:
        chunk: bytes = yield ReadChunk(stream)
        if not chunk:
            return
        for sse in sub.decoder.feed(chunk):
            if sse.retry is not None:
                sub.server_retry = _server_retry(sse.retry)
            if sse.event == "connected":
                if sub.surfaced_connected:
                    continue  # a reconnection, not news for the caller
                sub.surfaced_connected = True
            else:
                sub.delivered = True
            event = _to_event(sse)
            if _wanted(event, types, names, sub.matching_ids):
                yield Emit(event)


def _server_retry(milliseconds: int) -> float:
    """The server's ``retry`` in seconds, capped at :data:`SERVER_RETRY_MAX`."""
    seconds = milliseconds / 1000
    if seconds > SERVER_RETRY_MAX:
        logger.warning(
            "the event stream asks to wait %.0fs before reconnecting; waiting %.0fs instead",
            seconds,
            SERVER_RETRY_MAX,
        )
        return SERVER_RETRY_MAX
    return seconds


def _classify(exc: Exception, request: Request) -> GopherQueueError:
    """The error that ended a connection, if reconnecting may help; raise it otherwise."""
    if isinstance(exc, httpx.StreamError):
        return APIConnectionError(str(exc))
    if not isinstance(exc, APIStatusError):
        return connection_error(exc, request)
    fatal = (AuthenticationError, PermissionDeniedError, NotFoundError, UnexpectedResponseError)
    if isinstance(exc, fatal) or (exc.status_code < 500 and exc.status_code not in (408, 429)):
        raise exc
    return exc


def _next_delay(
    settings: Settings,
    sub: _Subscription,
    *,
    healthy: bool,
    error: GopherQueueError | None,
    limit: int | None,
) -> float:
    """Seconds before reconnecting; raise once ``limit`` consecutive reconnects failed."""
    if healthy:
        sub.failures = 0
        return sub.server_retry if sub.server_retry is not None else 0.0
    sub.failures += 1
    if limit is not None and sub.failures > limit:
        message = f"the event stream could not be reopened after {sub.failures - 1} attempts"
        if error is not None:
            raise APIConnectionError(f"{message}: {error}") from error
        raise APIConnectionError(message)
    return max(sub.server_retry or 0.0, settings.retry.backoff(sub.failures, rng=settings.rng))


def _raise_for_stream_status(stream: Stream) -> Flow[None]:
    body = b""
    while len(body) < 65536:
        chunk: bytes = yield ReadChunk(stream)
        if not chunk:
            break
        body += chunk
    response = stream.response
    # Give the error mapping a response with the body it needs.
    complete = httpx.Response(
        response.status_code, headers=response.headers, content=body, request=response.request
    )
    raise status_error(complete, operation="stream_events")


def _wanted(
    event: Event, types: frozenset[str] | None, names: frozenset[str] | None, matching_ids: set[str]
) -> bool:
    if names is not None and event.event_type not in names:
        return False
    if types is None or event.event_type == "connected":
        return True
    if event.job is not None:
        if event.job.type in types:
            matching_ids.add(event.job.id)
            return True
        return False
    job_id = event.job_id
    return job_id is not None and job_id in matching_ids
