"""The lazily created connection pool of a client (an httpx client or an aiohttp session)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    import asyncio

__all__ = ["Pool"]

R = TypeVar("R")


class Pool(Generic[R]):
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
