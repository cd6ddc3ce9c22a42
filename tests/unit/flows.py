"""Drive a flow with scripted replies: the flows are sans-I/O, so no transport is needed.

``drive(flow, [reply, reply, ...])`` answers each ``Request`` and ``OpenStream`` the flow
yields with the next reply, performs ``Sleep`` on a :class:`~tests.unit.fakes.VirtualClock`
and collects what it emits. A reply is an ``httpx.Response``, a :class:`Scripted` stream, an
exception to throw into the flow, or a callable taking the request (to advance the clock, or
to look at the request) and returning one of those. A stream's chunks are bytes, exceptions
to throw, or :class:`Tick` (time passing between two chunks).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from gopherqueue._effects import (
    CloseStream,
    Emit,
    Flow,
    OpenStream,
    ReadChunk,
    Request,
    Sleep,
    Stream,
)
from gopherqueue._options import Settings
from gopherqueue._retry import RetryPolicy
from tests.unit.fakes import BASE_URL, VirtualClock


@dataclass
class Tick:
    """Time passing while a stream is open."""

    seconds: float


@dataclass
class Scripted:
    """A streamed response: its status, content type and chunks."""

    chunks: list[bytes | BaseException | Tick] = field(default_factory=list[Any])
    status: int = 200
    content_type: str = "text/event-stream"


@dataclass
class Driven:
    """What a driven flow did."""

    result: Any = None
    emitted: list[Any] = field(default_factory=list[Any])
    requests: list[Request] = field(default_factory=list[Request])
    sleeps: list[float] = field(default_factory=list[float])
    closed: int = 0
    error: BaseException | None = None


def settings(clock: VirtualClock, **changes: Any) -> Settings:
    """Flow settings on ``clock``, jitter fixed at half the backoff cap (``rng`` 0.5)."""
    values: dict[str, Any] = {
        "base_url": BASE_URL,
        "headers": {"X-API-Key": "flow-key"},
        "timeout": httpx.Timeout(10.0),
        "retry": RetryPolicy(),
        "wait_chunk": 25.0,
        "auto_idempotency_key": True,
        "clock": clock.monotonic,
        "rng": lambda: 0.5,
    }
    values.update(changes)
    return Settings(**values)


def sse(event: str, data: str = "{}", **fields: str) -> bytes:
    """One server-sent event on the wire."""
    lines = [f"event: {event}", *(f"{k}: {v}" for k, v in fields.items()), f"data: {data}"]
    return ("\n".join(lines) + "\n\n").encode()


def _stream(reply: Scripted, request: Request) -> Stream:
    built = httpx.Request(request.kwargs["method"], request.base_url + request.kwargs["url"])
    response = httpx.Response(
        reply.status, headers={"content-type": reply.content_type}, request=built
    )
    return Stream(response, deque(reply.chunks))


def _attach(response: httpx.Response, request: Request) -> httpx.Response:
    if response._request is None:  # pyright: ignore[reportPrivateUsage]
        response.request = httpx.Request(
            request.kwargs["method"], request.base_url + request.kwargs["url"]
        )
    return response


def drive(
    flow: Flow[Any],
    replies: Iterable[Any],
    clock: VirtualClock | None = None,
    *,
    max_steps: int = 10_000,
) -> Driven:
    """Run ``flow`` to its end on scripted ``replies``; a raised error lands in ``error``."""
    script = deque(replies)
    clock = clock or VirtualClock()
    driven = Driven()
    outcome: Any = None
    throw: BaseException | None = None
    try:
        effect = next(flow)
        for _ in range(max_steps):
            outcome, throw = None, None
            if isinstance(effect, (Request, OpenStream)):
                request = effect if isinstance(effect, Request) else effect.request
                driven.requests.append(request)
                assert script, f"no reply scripted for {request!r}"
                reply = script.popleft()
                if callable(reply) and not isinstance(reply, (httpx.Response, BaseException)):
                    reply = reply(request)
                if isinstance(reply, BaseException):
                    throw = reply
                elif isinstance(effect, OpenStream):
                    assert isinstance(reply, Scripted), f"a stream needs Scripted, got {reply!r}"
                    outcome = _stream(reply, request)
                else:
                    assert isinstance(reply, httpx.Response), (
                        f"a request needs a response: {reply!r}"
                    )
                    outcome = _attach(reply, request)
            elif isinstance(effect, ReadChunk):
                chunks: deque[Any] = effect.stream.chunks
                outcome = b""
                while chunks:
                    item = chunks.popleft()
                    if isinstance(item, Tick):
                        clock.advance(item.seconds)
                        continue
                    if isinstance(item, BaseException):
                        throw = item
                    else:
                        outcome = item
                    break
            elif isinstance(effect, Sleep):
                driven.sleeps.append(effect.seconds)
                clock.sleep(effect.seconds)
            elif isinstance(effect, CloseStream):
                driven.closed += 1
            elif isinstance(effect, Emit):
                driven.emitted.append(effect.item)
            else:  # pragma: no cover - every effect is handled above
                raise AssertionError(f"unknown effect {effect!r}")
            effect = flow.throw(throw) if throw is not None else flow.send(outcome)
        raise AssertionError(f"the flow did not end within {max_steps} effects")
    except StopIteration as stop:
        driven.result = stop.value
    except AssertionError:
        raise
    except Exception as exc:
        driven.error = exc
    finally:
        flow.close()
    assert not script or driven.error is not None, f"unused replies: {list(script)}"
    return driven
