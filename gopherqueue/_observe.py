"""Observing operations: the ``on_request`` metrics hook and OpenTelemetry spans.

Both come from one wrapper around a flow (:func:`observe`). It sees every effect the flow
yields and every outcome sent back, so it can time each request and count its attempts
(``send`` re-yields the same :class:`~gopherqueue._effects.Request` object for a retry)
without the flows, the retry loop or the drivers knowing about it.

OpenTelemetry is optional (the ``otel`` extra). ``opentelemetry`` is imported on the first
operation, never by ``import gopherqueue``; when it is absent, or neither a hook nor a
recording tracer is there, the flow runs unwrapped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from ._effects import Flow, OpenStream, Request, Sleep
from ._models import BatchResult, Job, WaitResult

__all__ = ["RequestEvent", "observe"]

T = TypeVar("T")

_NAMES = {"list_jobs": "list", "probe": "probe", "events": "events"}

_UNKNOWN: Any = object()
_tracer: Any = _UNKNOWN


@attrs.frozen
class RequestEvent:
    """What an ``on_request`` hook receives after each HTTP request (each attempt of it).

    Feed it to Prometheus, statsd or a log; it never holds headers, bodies or the API key.
    """

    operation: str
    """The operationId of the request, such as ``"submit_job"`` or ``"wait_for_job"``."""
    method: str
    """The HTTP method."""
    path: str
    """The URL path (the job id included, no query)."""
    status_code: int | None
    """The response's status; ``None`` when no response arrived (see ``error``)."""
    error: str | None
    """The transport error's class name when no response arrived, else ``None``."""
    duration: float
    """Seconds from sending the request to its response (or failure)."""
    attempt: int
    """1 for the first attempt, 2 for the first retry, and so on."""


def _get_tracer() -> Any:
    """The SDK's OpenTelemetry tracer, or ``None`` without ``opentelemetry-api``."""
    global _tracer
    if _tracer is _UNKNOWN:
        try:
            from opentelemetry import trace
        except ImportError:
            _tracer = None
        else:
            from ._version import __version__

            _tracer = trace.get_tracer("gopherqueue", __version__)
    return _tracer


def _result_attributes(result: object) -> dict[str, Any]:
    if isinstance(result, Job):
        return {
            "gopherqueue.job.id": result.id,
            "gopherqueue.job.type": result.type,
            "gopherqueue.job.state": str(result.state),
            "gopherqueue.job.attempt": result.attempt,
        }
    if isinstance(result, WaitResult):
        return {"gopherqueue.job.id": result.job_id, "gopherqueue.job.state": str(result.state)}
    if isinstance(result, BatchResult):
        return {
            "gopherqueue.batch.total": result.total,
            "gopherqueue.batch.accepted": result.accepted,
        }
    return {}


def observe(
    flow: Flow[T],
    on_request: Callable[[RequestEvent], None] | None,
    attributes: dict[str, Any] | None = None,
) -> Flow[T]:
    """``flow``, reporting its requests to ``on_request`` and to a span when OpenTelemetry is
    installed; ``flow`` itself when there is nothing to report to."""
    tracer = _get_tracer()
    if tracer is None and on_request is None:
        return flow
    return _observed(flow, on_request, tracer, attributes or {})


def _observed(
    flow: Flow[T],
    on_request: Callable[[RequestEvent], None] | None,
    tracer: Any,
    attributes: dict[str, Any],
) -> Flow[T]:
    name = getattr(flow, "__name__", "operation")
    span: Any = None
    if tracer is not None:
        span = tracer.start_span(f"gopherqueue {_NAMES.get(name, name)}", attributes=attributes)
        if not span.is_recording():
            span.end()
            span = None
            if on_request is None:
                return (yield from flow)
    last: Request | None = None
    attempt = 0
    retries = 0
    outcome: Any = None
    failure: BaseException | None = None
    try:
        while True:
            try:
                effect = flow.send(outcome) if failure is None else flow.throw(failure)
            except StopIteration as stop:
                result: T = stop.value
                if span is not None:
                    span.set_attributes(_result_attributes(result))
                    span.set_attribute("gopherqueue.retries", retries)
                return result
            outcome, failure = None, None
            request = effect.request if isinstance(effect, OpenStream) else effect
            if not isinstance(request, Request):
                try:
                    outcome = yield effect
                except GeneratorExit:
                    raise
                except BaseException as exc:
                    failure = exc
                if isinstance(effect, Sleep) and span is not None:
                    span.add_event("gopherqueue.backoff", {"seconds": effect.seconds})
                continue
            attempt = attempt + 1 if request is last else 1
            last = request
            if attempt > 1:
                retries += 1
                if span is not None:
                    span.add_event(
                        "gopherqueue.retry",
                        {"gopherqueue.operation": request.operation, "attempt": attempt},
                    )
            started = time.perf_counter()
            try:
                outcome = yield effect
            except GeneratorExit:
                raise
            except BaseException as exc:
                failure = exc
            if on_request is not None:
                on_request(
                    RequestEvent(
                        operation=request.operation,
                        method=request.kwargs["method"].upper(),
                        path=request.kwargs["url"],
                        status_code=None if failure is not None else outcome.status_code,
                        error=None if failure is None else type(failure).__name__,
                        duration=time.perf_counter() - started,
                        attempt=attempt,
                    )
                )
    except GeneratorExit:
        flow.close()
        raise
    except BaseException as exc:
        if span is not None:
            span.record_exception(exc)
            from opentelemetry.trace import Status, StatusCode

            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
        raise
    finally:
        if span is not None:
            span.end()
