"""The lazily created connection pool of a client (an httpx client or an aiohttp session)."""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    import asyncio

__all__ = ["Pool"]

R = TypeVar("R")

# Every pool of this process, so a forked child can drop them all at once.
_pools: weakref.WeakSet[Pool[Any]] = weakref.WeakSet()
# In a forked child: the parent's connection pools, kept referenced and never used, closed or
# garbage collected. Their sockets are the parent's too: a close (a TLS close_notify, aiohttp's
# transport teardown on the parent's event loop) or a stray request from the child would
# break the parent's connections, and a read would steal its replies.
_inherited: list[Any] = []


def _after_fork_in_child() -> None:
    for pool in list(_pools):
        pool._forget_parent()


# os.fork() (multiprocessing's fork start method, gunicorn, Celery prefork) runs this in the
# child; the pid check in Pool.get covers forks that skip Python's at-fork hooks.
os.register_at_fork(after_in_child=_after_fork_in_child)


class Pool(Generic[R]):
    """The lazily created connection pool (an httpx client, or an aiohttp session), shared by a
    client and its ``with_options`` copies.

    ``per_loop``: the pool belongs to the event loop that created it (async clients), and a
    new one is made for another loop; ``discard`` is then called with a replaced pool whose
    loop has closed.

    In a forked child the parent's pool is set aside untouched and a new one is made on
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
        self._client: R | None = injected
        self.owned = injected is None
        self._per_loop = per_loop and injected is None
        self._discard = discard
        self._lock = threading.Lock()
        # Set for an owned async pool: the event loop its connections belong to.
        self._loop: weakref.ReferenceType[asyncio.AbstractEventLoop] | None = None
        self._pid = os.getpid()
        _pools.add(self)

    def _forget_parent(self) -> None:
        """In a forked child: set the parent's pool aside, to be made anew on first use."""
        # The parent may have held the lock at the fork; the child's copy would never open.
        self._lock = threading.Lock()
        self._pid = os.getpid()
        if self.owned and self._client is not None:
            _inherited.append(self._client)
            self._client = None
            self._loop = None

    def _current(self) -> R | None:
        if self._pid != os.getpid():
            self._forget_parent()
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
