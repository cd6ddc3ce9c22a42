"""Helpers of the reliability suite (fixtures are in conftest.py).

* :class:`Gate`: a job type whose handler runs until the test opens it.
* :func:`call` / :func:`raises`: run a method of either client from an async test; the sync
  client's blocking call goes to a worker thread, so a test can restart the server while a
  call is in flight for both clients alike.
* :func:`until_idle`: wait until the server has finished every request it is serving.
* :class:`ScenarioLog`: per-scenario job counts (requested, created, duplicated, lost).
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections import Counter
from typing import Any, Union

import pytest

from gopherqueue import GopherQueue, GopherQueueSync, RetryPolicy
from gopherqueue.testing import DevServer

Client = Union[GopherQueue, GopherQueueSync]

FAST = RetryPolicy(backoff_base=0.01, backoff_max=0.05)
"""Default retry settings of the suite: 2 retries, backoff of at most 10-50 ms."""


class Gate:
    """A job type whose handler runs until :meth:`open` (async, so a server reset cancels it)."""

    def __init__(self) -> None:
        self._open = threading.Event()
        self.runs = 0

    async def __call__(self, ctx: Any) -> str:
        self.runs += 1
        # Polls a threading.Event (set from the test's thread) so a server reset can cancel it.
        while not self._open.is_set():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        return "gate-opened"

    def open(self) -> None:
        self._open.set()


async def until_idle(server: DevServer, timeout: float = 10.0) -> None:
    """Wait until the server serves no request (a delayed attempt the client gave up on ends)."""
    # The embedded server's in-flight set is private; the tests read it as the finish signal.
    inflight = server._core.inflight.tasks
    deadline = asyncio.get_running_loop().time() + timeout
    while inflight:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the server still serves a request")
        await asyncio.sleep(0.01)


async def call(client: Client, method: str, /, *args: Any, **kwargs: Any) -> Any:
    """``client.method(*args, **kwargs)`` for either client: the sync one in a worker thread."""
    fn = getattr(client, method)
    if isinstance(client, GopherQueueSync):
        return await asyncio.to_thread(fn, *args, **kwargs)
    result = fn(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


async def raises(client: Client, method: str, /, *args: Any, **kwargs: Any) -> BaseException:
    """Call and return the exception it raised (fails when it returns)."""
    try:
        value = await call(client, method, *args, **kwargs)
    except Exception as exc:
        return exc
    pytest.fail(f"{method} returned {value!r} instead of raising")


def item_counts(server: DevServer) -> Counter[str]:
    """How many stored jobs carry each ``item`` tag."""
    return Counter(
        str(job.get("tags", {}).get("item"))
        for job in server.jobs()
        if "item" in job.get("tags", {})
    )


class ScenarioLog:
    """Per-scenario counts collected during the run."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def record(
        self,
        server: DevServer,
        *,
        scenario: str,
        client: str,
        items: list[str],
        reported: set[str],
        outcome: str,
        attempts: int | None = None,
        expect_created: int | None = None,
        expect_duplicated: int = 0,
    ) -> dict[str, Any]:
        """Count the server's jobs for ``items`` (the ``item`` tags requested) and store the row.

        ``reported`` holds the items the SDK said were submitted. ``created`` counts distinct
        items stored, ``duplicated`` the jobs beyond one per item, ``lost`` the items the SDK
        reported as submitted that are not stored; ``attempts`` is how many requests of the
        operation reached the server. Asserts nothing is lost, ``expect_duplicated`` (default
        0) extra jobs, and, when given, that ``expect_created`` items exist.
        """
        counts = item_counts(server)
        created = sum(1 for i in items if counts[i] > 0)
        duplicated = sum(max(0, counts[i] - 1) for i in items)
        lost = sum(1 for i in items if i in reported and counts[i] == 0)
        row = {
            "scenario": scenario,
            "client": client,
            "requested": len(items),
            "created": created,
            "duplicated": duplicated,
            "lost": lost,
            "outcome": outcome,
            "attempts": attempts,
        }
        self.rows.append(row)
        assert lost == 0, row
        assert duplicated == expect_duplicated, row
        if expect_created is not None:
            assert created == expect_created, row
        return row
