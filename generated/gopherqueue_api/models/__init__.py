""" Contains all the data models used in inputs/outputs """

from .api_info import ApiInfo
from .api_info_endpoints import ApiInfoEndpoints
from .batch_item_result import BatchItemResult
from .batch_request import BatchRequest
from .batch_response import BatchResponse
from .cancel_request import CancelRequest
from .connected_event_data import ConnectedEventData
from .deleted_event_data import DeletedEventData
from .error_detail import ErrorDetail
from .error_response import ErrorResponse
from .health import Health
from .health_component import HealthComponent
from .health_components import HealthComponents
from .job import Job
from .job_list import JobList
from .job_result import JobResult
from .job_tags import JobTags
from .live import Live
from .metrics import Metrics
from .metrics_jobs_by_type import MetricsJobsByType
from .queue_stats import QueueStats
from .ready import Ready
from .retry_request import RetryRequest
from .stats import Stats
from .submit_job_request import SubmitJobRequest
from .submit_job_request_tags import SubmitJobRequestTags
from .wait_request import WaitRequest
from .wait_response import WaitResponse
from .worker_stats import WorkerStats

__all__ = (
    "ApiInfo",
    "ApiInfoEndpoints",
    "BatchItemResult",
    "BatchRequest",
    "BatchResponse",
    "CancelRequest",
    "ConnectedEventData",
    "DeletedEventData",
    "ErrorDetail",
    "ErrorResponse",
    "Health",
    "HealthComponent",
    "HealthComponents",
    "Job",
    "JobList",
    "JobResult",
    "JobTags",
    "Live",
    "Metrics",
    "MetricsJobsByType",
    "QueueStats",
    "Ready",
    "RetryRequest",
    "Stats",
    "SubmitJobRequest",
    "SubmitJobRequestTags",
    "WaitRequest",
    "WaitResponse",
    "WorkerStats",
)
