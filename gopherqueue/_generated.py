"""The one door to the generated package, ``gopherqueue_api``.

Every other SDK module reaches generated code through this module, as attributes
(``gen.submit_job._get_kwargs(...)``, ``gen.RawJob.from_dict(...)``), so the list of
generated names the handwritten layer depends on is this file.

The attributes are imported on first use (PEP 562 ``__getattr__``), then kept in the module's
namespace: importing the generated models costs tens of milliseconds, which ``import
gopherqueue`` should not pay. Type checkers see the imports under ``TYPE_CHECKING``. Modules
that only need a generated name in annotations import it from here under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gopherqueue_api.api.events import stream_events
    from gopherqueue_api.api.health import get_health, get_live, get_ready
    from gopherqueue_api.api.jobs import (
        cancel_job,
        delete_job,
        get_job,
        get_job_result,
        list_jobs,
        retry_job,
        submit_batch,
        submit_job,
        wait_for_job,
    )
    from gopherqueue_api.api.stats import get_stats
    from gopherqueue_api.client import Client as RawClient
    from gopherqueue_api.models.batch_request import BatchRequest
    from gopherqueue_api.models.batch_response import BatchResponse as RawBatchResponse
    from gopherqueue_api.models.cancel_request import CancelRequest
    from gopherqueue_api.models.health import Health as RawHealth
    from gopherqueue_api.models.job import Job as RawJob
    from gopherqueue_api.models.job_list import JobList as RawJobList
    from gopherqueue_api.models.job_result import JobResult as RawJobResult
    from gopherqueue_api.models.live import Live as RawLive
    from gopherqueue_api.models.ready import Ready as RawReady
    from gopherqueue_api.models.retry_request import RetryRequest
    from gopherqueue_api.models.stats import Stats as RawStats
    from gopherqueue_api.models.submit_job_request import SubmitJobRequest
    from gopherqueue_api.models.submit_job_request_tags import SubmitJobRequestTags
    from gopherqueue_api.models.wait_request import WaitRequest
    from gopherqueue_api.models.wait_response import WaitResponse as RawWaitResponse
    from gopherqueue_api.types import UNSET, Unset

__all__ = [
    "UNSET",
    "BatchRequest",
    "CancelRequest",
    "RawBatchResponse",
    "RawClient",
    "RawHealth",
    "RawJob",
    "RawJobList",
    "RawJobResult",
    "RawLive",
    "RawReady",
    "RawStats",
    "RawWaitResponse",
    "RetryRequest",
    "SubmitJobRequest",
    "SubmitJobRequestTags",
    "Unset",
    "WaitRequest",
    "cancel_job",
    "delete_job",
    "get_health",
    "get_job",
    "get_job_result",
    "get_live",
    "get_ready",
    "get_stats",
    "list_jobs",
    "raw_client_type",
    "retry_job",
    "stream_events",
    "submit_batch",
    "submit_job",
    "wait_for_job",
]

_API = "gopherqueue_api.api."
_MODELS = "gopherqueue_api.models."
# Our name -> (module, name in it); a module itself when the name is None.
_SOURCES: dict[str, tuple[str, str | None]] = {
    "stream_events": (_API + "events.stream_events", None),
    "get_health": (_API + "health.get_health", None),
    "get_live": (_API + "health.get_live", None),
    "get_ready": (_API + "health.get_ready", None),
    "cancel_job": (_API + "jobs.cancel_job", None),
    "delete_job": (_API + "jobs.delete_job", None),
    "get_job": (_API + "jobs.get_job", None),
    "get_job_result": (_API + "jobs.get_job_result", None),
    "list_jobs": (_API + "jobs.list_jobs", None),
    "retry_job": (_API + "jobs.retry_job", None),
    "submit_batch": (_API + "jobs.submit_batch", None),
    "submit_job": (_API + "jobs.submit_job", None),
    "wait_for_job": (_API + "jobs.wait_for_job", None),
    "get_stats": (_API + "stats.get_stats", None),
    "RawClient": ("gopherqueue_api.client", "Client"),
    "BatchRequest": (_MODELS + "batch_request", "BatchRequest"),
    "RawBatchResponse": (_MODELS + "batch_response", "BatchResponse"),
    "CancelRequest": (_MODELS + "cancel_request", "CancelRequest"),
    "RawHealth": (_MODELS + "health", "Health"),
    "RawJob": (_MODELS + "job", "Job"),
    "RawJobList": (_MODELS + "job_list", "JobList"),
    "RawJobResult": (_MODELS + "job_result", "JobResult"),
    "RawLive": (_MODELS + "live", "Live"),
    "RawReady": (_MODELS + "ready", "Ready"),
    "RetryRequest": (_MODELS + "retry_request", "RetryRequest"),
    "RawStats": (_MODELS + "stats", "Stats"),
    "SubmitJobRequest": (_MODELS + "submit_job_request", "SubmitJobRequest"),
    "SubmitJobRequestTags": (_MODELS + "submit_job_request_tags", "SubmitJobRequestTags"),
    "WaitRequest": (_MODELS + "wait_request", "WaitRequest"),
    "RawWaitResponse": (_MODELS + "wait_response", "WaitResponse"),
    "UNSET": ("gopherqueue_api.types", "UNSET"),
    "Unset": ("gopherqueue_api.types", "Unset"),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _SOURCES[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    # Kept, so later lookups are plain attribute reads that skip this function.
    globals()[name] = value
    return value


@functools.cache
def raw_client_type() -> type[RawClient]:
    """The generated client, with a repr that does not show its headers (the API key)."""
    from gopherqueue_api.client import Client as Base

    class Client(Base):
        __slots__ = ()

        def __repr__(self) -> str:
            return f"Client(base_url={self._base_url!r}, headers=<not shown>)"

    return Client
