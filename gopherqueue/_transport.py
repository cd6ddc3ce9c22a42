"""The only I/O in the SDK: two drivers that run the I/O-free flows of ``_operations``.

An operation is written once, as a generator that *yields effects* (:class:`Request`: send
this and give me the response; :class:`Sleep`: pause this long) and *returns* its result. The
sync driver performs the effects with an :class:`httpx.Client` and :func:`time.sleep`, the
async driver with an :class:`httpx.AsyncClient` and :func:`asyncio.sleep`. So the retry loop,
wait's long-poll loop and batch chunking exist once, and the two clients cannot drift apart.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Generator
from typing import Any, TypeVar, Union

import attrs
import httpx

__all__ = ["Flow", "Request", "Sleep", "run_async", "run_sync"]

T = TypeVar("T")

logger = logging.getLogger("gopherqueue")


@attrs.frozen
class Request:
    """Send one HTTP request; the flow receives the :class:`httpx.Response`, or has the
    transport exception thrown into it.

    ``kwargs`` is what a generated endpoint module's request builder (``_get_kwargs``)
    returned; ``operation`` is the spec's operationId, for error mapping and logs.
    """

    operation: str
    kwargs: dict[str, Any]
    base_url: str
    headers: dict[str, str]
    timeout: httpx.Timeout


@attrs.frozen
class Sleep:
    """Pause for ``seconds`` before the flow continues."""

    seconds: float


Effect = Union[Request, Sleep]
Flow = Generator[Effect, Any, T]
"""A flow yields effects, receives their outcomes and returns its result."""


def _build(http: httpx.Client | httpx.AsyncClient, effect: Request) -> httpx.Request:
    kwargs = effect.kwargs
    headers = effect.headers
    extra = kwargs.get("headers")
    if extra:
        headers = {**headers, **extra}
    # An absolute URL, so a user-supplied httpx client needs no base_url of its own.
    return http.build_request(
        kwargs["method"],
        effect.base_url + kwargs["url"],
        json=kwargs.get("json"),
        params=kwargs.get("params"),
        headers=headers,
        timeout=effect.timeout,
    )


def _log(
    effect: Request,
    request: httpx.Request,
    response: httpx.Response | None,
    started: float,
    error: BaseException | None = None,
) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return
    elapsed_ms = (time.perf_counter() - started) * 1000
    # Method and path only: never headers (the API key) nor bodies.
    if response is not None:
        logger.debug(
            "%s %s -> %s (%.1f ms)",
            request.method,
            request.url.path,
            response.status_code,
            elapsed_ms,
        )
    else:
        logger.debug(
            "%s %s -> %s (%.1f ms)",
            request.method,
            request.url.path,
            type(error).__name__,
            elapsed_ms,
        )


def run_sync(flow: Flow[T], http: httpx.Client) -> T:
    """Run a flow to completion with a sync httpx client."""
    try:
        effect = next(flow)
        while True:
            if isinstance(effect, Sleep):
                time.sleep(effect.seconds)
                effect = flow.send(None)
                continue
            started = time.perf_counter()
            try:
                request = _build(http, effect)
                response = http.send(request, follow_redirects=False)
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                effect = flow.throw(exc)
                continue
            _log(effect, request, response, started)
            effect = flow.send(response)
    except StopIteration as stop:
        result: T = stop.value
        return result
    finally:
        flow.close()


async def run_async(flow: Flow[T], http: httpx.AsyncClient) -> T:
    """Run a flow to completion with an async httpx client."""
    try:
        effect = next(flow)
        while True:
            if isinstance(effect, Sleep):
                await asyncio.sleep(effect.seconds)
                effect = flow.send(None)
                continue
            started = time.perf_counter()
            try:
                request = _build(http, effect)
                response = await http.send(request, follow_redirects=False)
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                effect = flow.throw(exc)
                continue
            _log(effect, request, response, started)
            effect = flow.send(response)
    except StopIteration as stop:
        result: T = stop.value
        return result
    finally:
        flow.close()
