"""The iterators the streaming operations hand back: ``events()`` and ``watch()``.

Each wraps the driver's iterator over a flow's emitted items; closing it closes the flow and
every connection it holds open.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from types import TracebackType
from typing import Generic, Self, TypeVar

from ._events import Event
from ._models import Job

__all__ = ["AsyncEventStream", "AsyncJobWatch", "EventStream", "JobWatch"]

T = TypeVar("T")


class _Items(Generic[T]):
    """Iterate it; stop early with ``break``, :meth:`close` or a ``with`` block."""

    def __init__(self, items: Iterator[T]) -> None:
        self._items = items

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> T:
        return next(self._items)

    def close(self) -> None:
        """Stop the iteration and close its connection."""
        close = getattr(self._items, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class _AsyncItems(Generic[T]):
    """Use ``async for``; stop early with ``break``, :meth:`aclose` or ``async with``."""

    def __init__(self, items: AsyncIterator[T]) -> None:
        self._items = items

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> T:
        return await self._items.__anext__()

    async def aclose(self) -> None:
        """Stop the iteration and close its connection."""
        aclose = getattr(self._items, "aclose", None)
        if aclose is not None:
            await aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class EventStream(_Items[Event]):
    """The server's events, from ``GopherQueueSync.events()``: an iterator of :class:`Event`.

    Iterate it; stop early with ``break``, :meth:`close` or a ``with`` block, and its
    connection closes.
    """


class AsyncEventStream(_AsyncItems[Event]):
    """The server's events, from ``GopherQueue.events()``: an async iterator of :class:`Event`.

    Use ``async for``; stop early with ``break``, :meth:`aclose` or an ``async with`` block, and
    its connection closes.
    """


class JobWatch(_Items[Job]):
    """A job's changes, from ``GopherQueueSync.watch()``: an iterator of :class:`Job`.

    Iterate it; stop early with ``break``, :meth:`close` or a ``with`` block.
    """


class AsyncJobWatch(_AsyncItems[Job]):
    """A job's changes, from ``GopherQueue.watch()``: an async iterator of :class:`Job`.

    Use ``async for``; stop early with ``break``, :meth:`aclose` or an ``async with`` block.
    """
