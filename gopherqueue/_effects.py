"""The effect vocabulary: what a flow yields, and what it is handed back.

An operation is written once, as a generator (a :data:`Flow`) that *yields effects* and
*returns* its result: :class:`Request` (send this, give me the response), :class:`Sleep` (pause
this long), :class:`OpenStream` / :class:`ReadChunk` / :class:`CloseStream` (a streamed body)
and :class:`Emit` (hand an item to the caller of a streaming operation). The drivers in
``_transport`` and ``_aiohttp`` perform them; nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any, TypeVar, Union

if TYPE_CHECKING:
    import httpx

__all__ = [
    "CloseStream",
    "Effect",
    "Emit",
    "Flow",
    "OpenStream",
    "ReadChunk",
    "Request",
    "Sleep",
    "Stream",
]

T = TypeVar("T")

# Effects are plain slotted classes, not attrs ones: one is made per request, and plain
# classes are cheaper to create and to import.


class Request:
    """Send one HTTP request; the flow receives the :class:`httpx.Response`, or has the
    transport exception thrown into it.

    ``kwargs`` is what a generated endpoint module's request builder (``_get_kwargs``)
    returned; ``operation`` is the spec's operationId, for error mapping and logs.
    ``max_size`` caps the body of the reply (bytes, ``None``: no cap); the driver reads the
    body incrementally and refuses a longer one with ``ResponseTooLargeError``.
    """

    __slots__ = ("base_url", "headers", "kwargs", "max_size", "operation", "timeout")

    def __init__(
        self,
        operation: str,
        kwargs: dict[str, Any],
        base_url: str,
        headers: dict[str, str],
        timeout: httpx.Timeout,
        max_size: int | None = None,
    ) -> None:
        self.operation = operation
        self.kwargs = kwargs
        self.base_url = base_url
        self.headers = headers
        self.timeout = timeout
        self.max_size = max_size

    def __repr__(self) -> str:
        # Method and path only: the headers carry the API key.
        return f"Request({self.operation!r}, {self.kwargs['method'].upper()} {self.kwargs['url']})"


class Sleep:
    """Pause for ``seconds`` before the flow continues."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __repr__(self) -> str:
        return f"Sleep({self.seconds!r})"


class OpenStream:
    """Send ``request`` and hand back a :class:`Stream` whose body is read incrementally."""

    __slots__ = ("request",)

    def __init__(self, request: Request) -> None:
        self.request = request


class ReadChunk:
    """Read the next chunk of a stream's body; ``b""`` at its end."""

    __slots__ = ("stream",)

    def __init__(self, stream: Stream) -> None:
        self.stream = stream


class CloseStream:
    """Close a stream's connection."""

    __slots__ = ("stream",)

    def __init__(self, stream: Stream) -> None:
        self.stream = stream


class Emit:
    """Hand ``item`` to the caller of a streaming operation (events, watch)."""

    __slots__ = ("item",)

    def __init__(self, item: Any) -> None:
        self.item = item


class Stream:
    """An open streaming response, as a flow sees it (``chunks`` is the driver's business)."""

    def __init__(self, response: httpx.Response, chunks: Any) -> None:
        self.response = response
        self.chunks = chunks
        self.status_code = response.status_code
        self.headers = response.headers


Effect = Union[Request, Sleep, OpenStream, ReadChunk, CloseStream, Emit]
Flow = Generator[Effect, Any, T]
"""A flow yields effects, receives their outcomes and returns its result."""
