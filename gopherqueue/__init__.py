"""GopherQueue: the Python SDK for the GopherQueue job server.

``GopherQueue`` is the asyncio client, ``GopherQueueSync`` the synchronous one; both offer the
same operations. The generated low-level package, ``gopherqueue_api``, is reachable through
``client.raw`` for calls the high-level clients do not cover.
"""

# First: imports httpx without the CLI libraries it would otherwise import (see _httpx.py).
from . import _httpx  # noqa: F401  # pyright: ignore[reportUnusedImport]
from ._client import GopherQueue, GopherQueueSync
from ._events import Event, ReconnectEvent
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BatchConflictError,
    ClientClosedError,
    ConflictError,
    GopherQueueError,
    JobFailedError,
    JobNotFoundError,
    NotFoundError,
    OutputDecodeError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    ResultNotReadyError,
    ServerError,
    UnexpectedResponseError,
    ValidationError,
    WaitTimeoutError,
)
from ._handles import AsyncJobHandle, JobHandle
from ._logs import configure_from_env as _configure_logging
from ._models import (
    BatchItem,
    BatchResult,
    ErrorCategory,
    Health,
    HealthComponent,
    Job,
    JobResult,
    JobSpec,
    JobState,
    Priority,
    QueueStats,
    WaitResult,
    WorkerStats,
)
from ._observe import RequestEvent
from ._options import InsecureTransportWarning
from ._retry import RetryEvent, RetryPolicy
from ._streams import AsyncEventStream, AsyncJobWatch, EventStream, JobWatch
from ._version import __version__

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncEventStream",
    "AsyncJobHandle",
    "AsyncJobWatch",
    "AuthenticationError",
    "BadRequestError",
    "BatchConflictError",
    "BatchItem",
    "BatchResult",
    "ClientClosedError",
    "ConflictError",
    "ErrorCategory",
    "Event",
    "EventStream",
    "GopherQueue",
    "GopherQueueError",
    "GopherQueueSync",
    "Health",
    "HealthComponent",
    "InsecureTransportWarning",
    "Job",
    "JobFailedError",
    "JobHandle",
    "JobNotFoundError",
    "JobResult",
    "JobSpec",
    "JobState",
    "JobWatch",
    "NotFoundError",
    "OutputDecodeError",
    "PermissionDeniedError",
    "Priority",
    "QueueStats",
    "RateLimitError",
    "ReconnectEvent",
    "RequestEvent",
    "ResponseTooLargeError",
    "ResultNotReadyError",
    "RetryEvent",
    "RetryPolicy",
    "ServerError",
    "UnexpectedResponseError",
    "ValidationError",
    "WaitResult",
    "WaitTimeoutError",
    "WorkerStats",
    "__version__",
]

_configure_logging()
