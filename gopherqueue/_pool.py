"""The lazily created connection pool of a client (an httpx client or an aiohttp session)."""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._exceptions import ClientClosedError

if TYPE_CHECKING:
    import asyncio

__all__ = ["Pool", "close_pool"]

R = TypeVar("R")

# Every pool of this process, so a forked child can drop them all at once.
_pools: weakref.WeakSet[Pool[Any]] = weakref.WeakSet()
# In a forked child: the parent's connection pools, kept referenced and never used, closed or
# garbage collected. Their sockets are the parent's too: a close (a TLS close_notify, aiohttp's
# transport teardown on the parent's event loop) or a stray request from the child would
# break the parent's connections, and a read would steal its replies.
_inherited: list[Any] = []

# The key of a sync pool's only entry.
_NO_LOOP = 0


def _after_fork_in_child() -> None:
    for pool in list(_pools):
        pool._forget_parent()


# os.fork() (multiprocessing's fork start method, gunicorn, Celery prefork) runs this in the
# child; the pid check in Pool.get covers forks that skip Python's at-fork hooks.
os.register_at_fork(after_in_child=_after_fork_in_child)


def _running_loop() -> asyncio.AbstractEventLoop:
    import asyncio  # not at module level: it costs import time to sync-only users

    return asyncio.get_running_loop()


class _Entry(Generic[R]):
    __slots__ = ("client", "loop")

    def __init__(
        self, client: R, loop: weakref.ReferenceType[asyncio.AbstractEventLoop] | None
    ) -> None:
        self.client = client
        self.loop = loop

    def loop_gone(self) -> bool:
        if self.loop is None:
            return False
        loop = self.loop()
        return loop is None or loop.is_closed()


class Pool(Generic[R]):
    """The lazily created connection pool (an httpx client, or an aiohttp session), shared by a
    client and its ``with_options`` copies.

    ``per_loop``: connections belong to the event loop that opened them (async clients), so
    each running loop gets a pool of its own, made on its first use there. A pool whose loop
    has closed is handed to ``discard`` (which must not do I/O) the next time the pool is
    used or closed.

    Once closed, a pool stays closed: using it raises :class:`ClientClosedError`.

    In a forked child the parent's pools are set aside untouched and new ones are made on
    first use (an injected client is the caller's: it is used as given).
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
        self._injected = injected
        self.owned = injected is None
        self._per_loop = per_loop and injected is None
        self._discard = discard
        self._lock = threading.Lock()
        # Keyed by id(loop) for per-loop pools, _NO_LOOP otherwise.
        self._entries: dict[int, _Entry[R]] = {}
        self.closed = False
        self._pid = os.getpid()
        _pools.add(self)

    def _forget_parent(self) -> None:
        """In a forked child: set the parent's pools aside, to be made anew on first use."""
        # The parent may have held the lock at the fork; the child's copy would never open.
        self._lock = threading.Lock()
        self._pid = os.getpid()
        _inherited.extend(entry.client for entry in self._entries.values())
        self._entries = {}

    def _prune(self) -> None:
        """Hand the pools of closed event loops to ``discard``. Called under the lock."""
        for key, entry in list(self._entries.items()):
            if entry.loop_gone():
                del self._entries[key]
                if self._discard is not None:
                    self._discard(entry.client)

    def get(self) -> R:
        """This process's (and event loop's) pool, made on first use."""
        if self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    self._forget_parent()
        if self.closed:
            raise ClientClosedError()
        if self._injected is not None:
            return self._injected
        loop = _running_loop() if self._per_loop else None
        key = _NO_LOOP if loop is None else id(loop)
        entry = self._entries.get(key)
        # id() of a collected loop can be reused by a new one: the weak reference tells.
        if entry is not None and (
            loop is None or (entry.loop is not None and entry.loop() is loop)
        ):
            return entry.client
        with self._lock:
            if self.closed:
                raise ClientClosedError()
            entry = self._entries.get(key)
            if entry is not None and (
                loop is None or (entry.loop is not None and entry.loop() is loop)
            ):
                return entry.client
            self._prune()
            client = self._factory()
            self._entries[key] = _Entry(client, None if loop is None else weakref.ref(loop))
            return client

    def close(self) -> tuple[R | None, list[tuple[asyncio.AbstractEventLoop, R]]]:
        """Mark the pool closed and hand back what to close: the pool of this thread's event
        loop (or the sync pool), and the pools of other loops that are still running. The
        pools of closed loops are discarded here."""
        with self._lock:
            self.closed = True
            self._prune()
            entries, self._entries = self._entries, {}
        here: R | None = None
        elsewhere: list[tuple[asyncio.AbstractEventLoop, R]] = []
        current = None
        if self._per_loop:
            import asyncio

            try:
                current = asyncio.get_running_loop()
            except RuntimeError:
                current = None
        for entry in entries.values():
            loop = None if entry.loop is None else entry.loop()
            if loop is None or loop is current:
                here = entry.client
            else:
                elsewhere.append((loop, entry.client))
        return here, elsewhere


async def close_pool(pool: Pool[R], close: Callable[[R], Awaitable[object]]) -> None:
    """Close an async pool: this loop's connections here, other running loops' in their own
    loop (their connections cannot be touched from this one)."""
    import asyncio

    here, elsewhere = pool.close()
    for loop, client in elsewhere:
        try:
            asyncio.run_coroutine_threadsafe(_closing(close, client), loop)
        except RuntimeError:  # that loop closed in the meantime: nothing to release there
            pass
    if here is not None:
        await close(here)


async def _closing(close: Callable[[R], Awaitable[object]], client: R) -> None:
    await close(client)
