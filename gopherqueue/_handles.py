"""Job handles: one job bound to the client that made it, like Celery's ``AsyncResult`` or
Temporal's workflow handle.

``client.job(job_id)`` (or ``client.job(job)`` with what ``submit`` returned) makes one. A
handle only forwards to its client's operations; it remembers the job as last seen
(``snapshot``). Handles compare and hash by job id.

Pickling keeps the id and the snapshot and drops the client, so the API key never travels in
a pickle (a Celery result backend, a multiprocessing queue). An unpickled handle is unbound:
bind it again with ``client.job(handle)``; using it before raises :class:`GopherQueueError`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from . import _operations as ops
from ._exceptions import GopherQueueError

if TYPE_CHECKING:
    from ._client import GopherQueue, GopherQueueSync
    from ._models import Job, JobResult, WaitResult
    from ._streams import AsyncJobWatch, JobWatch

__all__ = ["AsyncJobHandle", "JobHandle"]


def _seconds(timeout: float | timedelta | None) -> float | None:
    return timeout.total_seconds() if isinstance(timeout, timedelta) else timeout


class _Handle:
    __slots__ = ("_client", "_id", "_snapshot")

    def __init__(self, client: Any, job_id: str, snapshot: Job | None = None) -> None:
        self._client = client
        self._id = job_id
        self._snapshot = snapshot

    @staticmethod
    def _handle_id(handle: _Handle) -> str:
        return handle._id

    @property
    def id(self) -> str:
        """The job's id."""
        return self._id

    @property
    def snapshot(self) -> Job | None:
        """The job as last seen by this handle (from ``submit``, ``refresh`` or ``cancel``),
        ``None`` before the first look."""
        return self._snapshot

    def _bound(self) -> Any:
        if self._client is None:
            raise GopherQueueError(
                f"this handle of job {self._id} is not bound to a client (it was unpickled); "
                "bind it with client.job(handle)"
            )
        return self._client

    def _seen(self, job: Job) -> Job:
        self._snapshot = job
        return job

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Handle):
            return NotImplemented
        return self._id == other._id

    def __hash__(self) -> int:
        return hash(self._id)

    def __repr__(self) -> str:
        state = None if self._snapshot is None else str(self._snapshot.state)
        return f"{type(self).__name__}(id={self._id!r}, state={state!r})"

    def __getstate__(self) -> dict[str, Any]:
        # Never the client: it holds the API key and an open connection pool.
        return {"id": self._id, "snapshot": self._snapshot}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._client = None
        self._id = state["id"]
        self._snapshot = state["snapshot"]


class JobHandle(_Handle):
    """One job bound to a :class:`GopherQueueSync`; from ``client.job(job_id)``.

    Args:
        client: The client it forwards to.
        job_id: The job's canonical id.
        snapshot: The job as last seen, if known.
    """

    __slots__ = ()

    def __init__(self, client: GopherQueueSync, job_id: str, snapshot: Job | None = None) -> None:
        super().__init__(client, job_id, snapshot)

    def refresh(self, *, include_result: bool = True) -> Job:
        """Fetch the job again and remember it as the snapshot.

        Args:
            include_result: Whether to fetch a finished job's result too.

        Returns:
            The job.
        """
        client: GopherQueueSync = self._bound()
        return self._seen(client.get(self._id, include_result=include_result))

    def get(self, *, include_result: bool = True) -> Job:
        """The job as it is now; see :meth:`JobHandle.refresh`."""
        return self.refresh(include_result=include_result)

    def wait(
        self,
        timeout: float | timedelta | None = 30,
        *,
        raise_on_timeout: bool = False,
        raise_on_failure: bool = False,
    ) -> WaitResult:
        """Wait until the job finishes; see :meth:`GopherQueueSync.wait`."""
        client: GopherQueueSync = self._bound()
        return client.wait(
            self._id, timeout, raise_on_timeout=raise_on_timeout, raise_on_failure=raise_on_failure
        )

    def result(self) -> JobResult:
        """The result of the job's latest finished attempt; see :meth:`GopherQueueSync.result`."""
        client: GopherQueueSync = self._bound()
        return client.result(self._id)

    def output(self, timeout: float | timedelta | None = 30) -> Any:
        """Wait for the job and return its decoded output.

        Args:
            timeout: Seconds to wait (``None``: no limit).

        Returns:
            The output's JSON value when it is JSON, else its raw bytes; ``None`` when the
            job had no output.

        Raises:
            JobFailedError: The job failed, was dead-lettered or cancelled.
            WaitTimeoutError: The job did not finish within ``timeout``.
        """
        client: GopherQueueSync = self._bound()
        return client._run(ops.output(client._settings, self._id, _seconds(timeout)), self._id)

    def cancel(self, *, reason: str | None = None, force: bool = False) -> Job:
        """Cancel the job; see :meth:`GopherQueueSync.cancel`."""
        client: GopherQueueSync = self._bound()
        return self._seen(client.cancel(self._id, reason=reason, force=force))

    def retry(self, *, reset_attempts: bool = False) -> Job:
        """Retry the failed or dead-lettered job; see :meth:`GopherQueueSync.retry`."""
        client: GopherQueueSync = self._bound()
        return self._seen(client.retry(self._id, reset_attempts=reset_attempts))

    def delete(self) -> None:
        """Delete the job; see :meth:`GopherQueueSync.delete`."""
        client: GopherQueueSync = self._bound()
        client.delete(self._id)

    def watch(self, *, timeout: float | None = None, poll_interval: float = 1.0) -> JobWatch:
        """The job's changes as they happen; see :meth:`GopherQueueSync.watch`."""
        client: GopherQueueSync = self._bound()
        return client.watch(self._id, timeout=timeout, poll_interval=poll_interval)


class AsyncJobHandle(_Handle):
    """One job bound to a :class:`GopherQueue`; from ``client.job(job_id)``.

    The same methods as :class:`JobHandle`, as coroutines (``watch`` is used with
    ``async for``).

    Args:
        client: The client it forwards to.
        job_id: The job's canonical id.
        snapshot: The job as last seen, if known.
    """

    __slots__ = ()

    def __init__(self, client: GopherQueue, job_id: str, snapshot: Job | None = None) -> None:
        super().__init__(client, job_id, snapshot)

    async def refresh(self, *, include_result: bool = True) -> Job:
        """Fetch the job again and remember it; see :meth:`JobHandle.refresh`."""
        client: GopherQueue = self._bound()
        return self._seen(await client.get(self._id, include_result=include_result))

    async def get(self, *, include_result: bool = True) -> Job:
        """The job as it is now; see :meth:`JobHandle.refresh`."""
        return await self.refresh(include_result=include_result)

    async def wait(
        self,
        timeout: float | timedelta | None = 30,
        *,
        raise_on_timeout: bool = False,
        raise_on_failure: bool = False,
    ) -> WaitResult:
        """Wait until the job finishes; see :meth:`GopherQueueSync.wait`."""
        client: GopherQueue = self._bound()
        return await client.wait(
            self._id, timeout, raise_on_timeout=raise_on_timeout, raise_on_failure=raise_on_failure
        )

    async def result(self) -> JobResult:
        """The result of the job's latest finished attempt; see :meth:`GopherQueueSync.result`."""
        client: GopherQueue = self._bound()
        return await client.result(self._id)

    async def output(self, timeout: float | timedelta | None = 30) -> Any:
        """Wait for the job and return its decoded output; see :meth:`JobHandle.output`."""
        client: GopherQueue = self._bound()
        flow = ops.output(client._settings, self._id, _seconds(timeout))
        return await client._run(flow, self._id)

    async def cancel(self, *, reason: str | None = None, force: bool = False) -> Job:
        """Cancel the job; see :meth:`GopherQueueSync.cancel`."""
        client: GopherQueue = self._bound()
        return self._seen(await client.cancel(self._id, reason=reason, force=force))

    async def retry(self, *, reset_attempts: bool = False) -> Job:
        """Retry the failed or dead-lettered job; see :meth:`GopherQueueSync.retry`."""
        client: GopherQueue = self._bound()
        return self._seen(await client.retry(self._id, reset_attempts=reset_attempts))

    async def delete(self) -> None:
        """Delete the job; see :meth:`GopherQueueSync.delete`."""
        client: GopherQueue = self._bound()
        await client.delete(self._id)

    def watch(self, *, timeout: float | None = None, poll_interval: float = 1.0) -> AsyncJobWatch:
        """The job's changes as they happen; see :meth:`GopherQueueSync.watch`."""
        client: GopherQueue = self._bound()
        return client.watch(self._id, timeout=timeout, poll_interval=poll_interval)
