"""Public models: what the clients return.

Each model is built from the generated attrs model of the same response (kept as ``raw``, so
fields a newer server adds stay reachable through ``raw.additional_properties``) and adds what
Python users need: ``None`` for omitted fields instead of the generator's ``UNSET``, decoded
``bytes`` for base64 output, :class:`~datetime.timedelta` for nanosecond durations, and
enums that accept values they do not know yet.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Union, cast

import attrs

from . import _generated as gen
from ._exceptions import OutputDecodeError

if TYPE_CHECKING:
    from ._generated import (
        RawBatchResponse,
        RawHealth,
        RawJob,
        RawJobResult,
        RawStats,
        RawWaitResponse,
    )

__all__ = [
    "BatchItem",
    "BatchResult",
    "Duration",
    "ErrorCategory",
    "Health",
    "HealthComponent",
    "Job",
    "JobResult",
    "JobSpec",
    "JobState",
    "Priority",
    "QueueStats",
    "Serialisable",
    "WaitResult",
    "WorkerStats",
]


Duration = Union[timedelta, int, float, str]
"""A duration argument: a :class:`~datetime.timedelta`, seconds as a number, or a Go duration
string such as ``"10m"`` or ``"1500ms"``."""


def _from_nanoseconds(value: int) -> timedelta:
    """A Go ``time.Duration`` (integer nanoseconds) as a timedelta (microsecond precision)."""
    return timedelta(microseconds=value // 1000)


def _decode_output(value: str) -> bytes:
    """Decode a base64 ``output`` field; the server uses the standard, padded alphabet."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"output is not valid base64: {exc}") from exc


class _OpenStrEnum(enum.StrEnum):
    """A string enum that accepts unknown values, so a newer server cannot break parsing.

    An unknown value becomes a member that is not cached and compares equal to its string.
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value.upper() or "EMPTY"
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """Whether this value is one the SDK knows (false for values a newer server added)."""
        return self._value_ in type(self)._value2member_map_


class JobState(_OpenStrEnum):
    """The state of a job. Compares equal to its string value (``job.state == "completed"``)."""

    PENDING = "pending"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    DELAYED = "delayed"
    RETRYING = "retrying"
    COMPLETED = "completed"
    FAILED = "failed"
    DEAD_LETTER = "dead_letter"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        """Whether the job has finished: completed, failed, dead_letter or cancelled.

        On the real server a job in ``retrying`` never moves on; it is not terminal but will
        not finish either.
        """
        return self in _TERMINAL


_TERMINAL = frozenset(
    {JobState.COMPLETED, JobState.FAILED, JobState.DEAD_LETTER, JobState.CANCELLED}
)
# Calling an Enum costs microseconds; parsing a 1000-job batch does it a thousand times.
_STATES: dict[str, JobState] = {state.value: state for state in JobState}


class ErrorCategory(_OpenStrEnum):
    """Why an attempt failed."""

    TEMPORARY = "temporary"
    PERMANENT = "permanent"
    TIMEOUT = "timeout"


class Priority(enum.IntEnum):
    """Job priorities; a lower number runs first."""

    CRITICAL = 0
    HIGH = 1
    NORMAL = 2
    LOW = 3
    BULK = 4


def _opt(value: Any) -> Any:
    """``None`` for a field the server omitted (the generator's ``UNSET``), else the value."""
    return None if value is gen.UNSET else value


def _jsonable(value: Any) -> Any:
    """``value`` as JSON-ready data: ISO-8601 datetimes, timedeltas in seconds, enums as their
    values, public models as their ``to_dict()``, bytes as base64 text."""
    if isinstance(value, Serialisable):
        return value.to_dict()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        items: dict[Any, Any] = value  # pyright: ignore[reportUnknownVariableType]
        return {str(k): _jsonable(v) for k, v in items.items()}
    if isinstance(value, (list, tuple)):
        seq: list[Any] = list(value)  # pyright: ignore[reportUnknownArgumentType]
        return [_jsonable(v) for v in seq]
    return value


class Serialisable:
    """``to_dict()`` and ``to_json()`` for the public models (attrs classes).

    The generated model a public one keeps as ``raw`` is never included.
    """

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """The model as a JSON-ready dict: datetimes as ISO-8601 text, durations in seconds,
        enums as their strings, nested models as dicts; never the raw generated model."""
        return {
            field.name: _jsonable(getattr(self, field.name))
            for field in attrs.fields(cast("Any", type(self)))
            if field.name != "raw"
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """:meth:`to_dict` encoded as JSON text.

        Args:
            indent: Indentation of nested levels (``None``: one line).

        Returns:
            The JSON text.
        """
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


@attrs.frozen
class JobResult(Serialisable):
    """The result of a job's latest finished attempt."""

    job_id: str
    success: bool
    output: bytes
    """The handler's output, decoded from the wire's base64; ``b""`` when there was none."""
    error: str | None
    error_category: ErrorCategory | None
    duration: timedelta
    completed_at: datetime
    """When the attempt finished, in the server's local offset."""
    raw: RawJobResult = attrs.field(repr=False, eq=False)
    """The generated model this was built from."""

    @property
    def text(self) -> str:
        """The output decoded as UTF-8 (invalid bytes replaced)."""
        return self.output.decode("utf-8", "replace")

    def json(self) -> Any:
        """The output parsed as JSON (``None`` when there was no output).

        Raises :class:`~gopherqueue.OutputDecodeError` when the output is not JSON.
        """
        if not self.output:
            return None
        try:
            return json.loads(self.output)
        except ValueError as exc:
            raise OutputDecodeError(f"the output of job {self.job_id} is not JSON: {exc}") from exc

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict: ``output`` is the parsed JSON when the output is JSON,
        else its text when it is UTF-8, else base64; ``duration`` is in seconds.
        """
        output: Any = None
        if self.output:
            try:
                output = json.loads(self.output)
            except ValueError:
                try:
                    output = self.output.decode("utf-8")
                except UnicodeDecodeError:
                    output = base64.b64encode(self.output).decode("ascii")
        return {
            "job_id": self.job_id,
            "success": self.success,
            "output": output,
            "error": self.error,
            "error_category": None if self.error_category is None else str(self.error_category),
            "duration": self.duration.total_seconds(),
            "completed_at": self.completed_at.isoformat(),
        }

    @classmethod
    def from_api(cls, raw: RawJobResult) -> JobResult:
        """Build from the generated model.

        Args:
            raw: The generated model, as parsed from the reply.
        """
        output = _opt(raw.output)
        category = _opt(raw.error_category)
        return cls(
            job_id=raw.job_id,
            success=raw.success,
            output=_decode_output(output) if output else b"",
            error=_opt(raw.error),
            error_category=None if category is None else ErrorCategory(category),
            duration=_from_nanoseconds(raw.duration),
            completed_at=raw.completed_at,
            raw=raw,
        )


@attrs.frozen
class Job(Serialisable):
    """A job as the server reports it."""

    id: str
    type: str
    state: JobState
    priority: int
    attempt: int
    max_attempts: int
    progress: float
    """Percent done; 0 when the server reports none (the real server never does)."""
    progress_message: str | None
    tags: dict[str, str]
    created_at: datetime
    updated_at: datetime
    scheduled_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    last_error: str | None
    job_result: JobResult | None = None
    """The typed result of a finished job, when the call fetched it (``get`` does)."""
    replayed: bool = False
    """True when ``submit`` got this job back for an idempotency key already in use (HTTP 200)
    instead of creating it (HTTP 201)."""
    raw: RawJob | None = attrs.field(default=None, repr=False, eq=False)
    """The generated model this was built from."""

    @property
    def result(self) -> dict[str, Any] | None:
        """The result of a finished job as a JSON-serialisable dict (see
        :meth:`JobResult.to_dict`), ``None`` while it is unfinished or has no result.

        ``job.result.get("error")`` is the error of a failed job.
        """
        return None if self.job_result is None else self.job_result.to_dict()

    @property
    def is_finished(self) -> bool:
        """Whether the job is in a terminal state."""
        return self.state.is_terminal

    @classmethod
    def from_api(
        cls, raw: RawJob, *, job_result: JobResult | None = None, replayed: bool = False
    ) -> Job:
        """Build from the generated model.

        Args:
            raw: The generated model, as parsed from the reply.
            job_result: The job's result, fetched separately.
            replayed: Whether the server answered a submit with an existing job.
        """
        # Hot for batches; the generator's UNSET is falsy, so ``or`` maps an omitted field to
        # its default without a call per field.
        tags = raw.tags
        return cls(
            id=raw.id,
            type=raw.type_,
            state=_STATES.get(raw.state) or JobState(raw.state),
            priority=raw.priority,
            attempt=raw.attempt,
            max_attempts=raw.max_attempts,
            progress=float(raw.progress or 0.0),
            progress_message=raw.progress_message or None,
            tags=dict(tags.additional_properties) if tags else {},
            created_at=raw.created_at,
            updated_at=raw.updated_at,
            scheduled_at=raw.scheduled_at or None,
            started_at=raw.started_at or None,
            completed_at=raw.completed_at or None,
            last_error=raw.last_error or None,
            job_result=job_result,
            replayed=replayed,
            raw=raw,
        )


@attrs.frozen(kw_only=True)
class JobSpec:
    """One job to submit in a batch, as a typed alternative to a dict.

    The fields and their accepted values are those of ``submit``.
    """

    type: str
    payload: Any = None
    priority: int | None = None
    delay: Duration | None = None
    scheduled_at: datetime | None = None
    timeout: Duration | None = None
    max_attempts: int | None = None
    idempotency_key: str | None = None
    correlation_id: str | None = None
    tags: Mapping[str, str] | None = None


@attrs.frozen
class WaitResult(Serialisable):
    """The outcome of :meth:`~gopherqueue.GopherQueue.wait`."""

    job_id: str
    state: JobState
    """The job's state when the wait ended."""
    completed: bool
    """True when the job finished (completed, failed, dead_letter or cancelled)."""
    success: bool
    """True when the job completed successfully."""
    timed_out: bool
    """True when the wait's timeout passed first."""
    result: JobResult | None
    """The job's result, when it finished and has one (a job cancelled before running has none)."""

    @classmethod
    def from_api(cls, raw: RawWaitResponse) -> WaitResult:
        """Build from the generated model.

        Args:
            raw: The generated model, as parsed from the reply.
        """
        result = _opt(raw.result)
        return cls(
            job_id=raw.id,
            state=JobState(raw.state),
            completed=raw.completed,
            success=bool(_opt(raw.success)),
            timed_out=bool(_opt(raw.timed_out)),
            result=None if result is None else JobResult.from_api(result),
        )


@attrs.frozen
class BatchItem(Serialisable):
    """One item of a batch submission."""

    index: int
    """The item's position in the list passed to ``submit_batch``."""
    success: bool
    job: Job | None
    """The created (or, after a retry, the existing) job; ``None`` when the item was rejected."""
    error: str | None


@attrs.frozen
class BatchResult(Serialisable):
    """The outcome of ``submit_batch``, over all chunks it was split into."""

    total: int
    accepted: int
    rejected: int
    results: list[BatchItem]

    @property
    def jobs(self) -> list[Job]:
        """The jobs of the accepted items, in order."""
        return [item.job for item in self.results if item.job is not None]

    @property
    def errors(self) -> list[BatchItem]:
        """The rejected items."""
        return [item for item in self.results if not item.success]

    @classmethod
    def from_api(cls, raw: RawBatchResponse, *, offset: int = 0) -> BatchResult:
        """Build from the generated model.

        Args:
            raw: The generated model, as parsed from the reply.
            offset: Added to every item's index (for the chunks of a large batch).
        """
        items = [
            BatchItem(
                index=offset + r.index,
                success=r.success,
                # A rejected item carries the server's zero-valued job; never show it.
                job=Job.from_api(r.job) if r.success and r.job.id else None,
                error=_opt(r.error),
            )
            for r in raw.results
        ]
        return cls(total=raw.total, accepted=raw.accepted, rejected=raw.rejected, results=items)


@attrs.frozen
class WorkerStats(Serialisable):
    """Worker figures from ``stats()``. The real server always reports 0 for the processing
    times and ``retried_jobs``.
    """

    total_workers: int
    active_workers: int
    idle_workers: int
    queued_jobs: int
    processed_jobs: int
    succeeded_jobs: int
    failed_jobs: int
    retried_jobs: int
    avg_processing_time: timedelta
    max_processing_time: timedelta
    p99_processing_time: timedelta
    processing_ids: list[str]
    uptime: timedelta
    healthy: bool


@attrs.frozen
class QueueStats(Serialisable):
    """Queue counts and worker figures from ``stats()``.

    Jobs in ``retrying`` have no counter of their own on the real server; they are only in
    ``total_jobs``.
    """

    pending: int
    scheduled: int
    running: int
    delayed: int
    completed: int
    failed: int
    dead_letter: int
    cancelled: int
    total_jobs: int
    storage_bytes: int
    timestamp: datetime
    workers: WorkerStats
    raw: RawStats = attrs.field(repr=False, eq=False)

    @classmethod
    def from_api(cls, raw: RawStats) -> QueueStats:
        """Build from the generated model.

        Args:
            raw: The generated model, as parsed from the reply.
        """
        q, w = raw.queue, raw.workers
        return cls(
            pending=q.pending,
            scheduled=q.scheduled,
            running=q.running,
            delayed=q.delayed,
            completed=q.completed,
            failed=q.failed,
            dead_letter=q.dead_letter,
            cancelled=q.cancelled,
            total_jobs=q.total_jobs,
            storage_bytes=q.storage_bytes,
            timestamp=q.timestamp,
            workers=WorkerStats(
                total_workers=w.total_workers,
                active_workers=w.active_workers,
                idle_workers=w.idle_workers,
                queued_jobs=w.queued_jobs,
                processed_jobs=w.processed_jobs,
                succeeded_jobs=w.succeeded_jobs,
                failed_jobs=w.failed_jobs,
                retried_jobs=w.retried_jobs,
                avg_processing_time=_from_nanoseconds(w.avg_processing_time),
                max_processing_time=_from_nanoseconds(w.max_processing_time),
                p99_processing_time=_from_nanoseconds(w.p99_processing_time),
                processing_ids=list(w.processing_ids or []),
                uptime=_from_nanoseconds(w.uptime),
                healthy=w.healthy,
            ),
            raw=raw,
        )


@attrs.frozen
class HealthComponent(Serialisable):
    """One component of ``health()``."""

    healthy: bool
    latency: timedelta | None
    message: str | None


@attrs.frozen
class Health(Serialisable):
    """The server's health report."""

    healthy: bool
    components: dict[str, HealthComponent]
    timestamp: datetime

    @classmethod
    def from_api(cls, raw: RawHealth) -> Health:
        """Build from the generated model.

        Args:
            raw: The generated model, as parsed from the reply.
        """
        components: dict[str, HealthComponent] = {}
        for name, comp in raw.components.additional_properties.items():
            latency = _opt(comp.latency)
            components[name] = HealthComponent(
                healthy=comp.healthy,
                latency=None if latency is None else _from_nanoseconds(latency),
                message=_opt(comp.message),
            )
        return cls(healthy=raw.healthy, components=components, timestamp=raw.timestamp)
