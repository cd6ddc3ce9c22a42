from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.metrics_jobs_by_type import MetricsJobsByType





T = TypeVar("T", bound="Metrics")



@_attrs_define
class Metrics:
    

    jobs_enqueued: int
    jobs_completed: int
    jobs_failed: int
    jobs_retried: int
    jobs_by_type: MetricsJobsByType
    avg_processing_time: int
    max_processing_time: int
    queue_depth: int
    uptime: int
    """ Nanoseconds. """
    timestamp: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.metrics_jobs_by_type import MetricsJobsByType # noqa: PLC0415
        jobs_enqueued = self.jobs_enqueued

        jobs_completed = self.jobs_completed

        jobs_failed = self.jobs_failed

        jobs_retried = self.jobs_retried

        jobs_by_type = self.jobs_by_type.to_dict()

        avg_processing_time = self.avg_processing_time

        max_processing_time = self.max_processing_time

        queue_depth = self.queue_depth

        uptime = self.uptime

        timestamp = self.timestamp.isoformat()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "jobs_enqueued": jobs_enqueued,
            "jobs_completed": jobs_completed,
            "jobs_failed": jobs_failed,
            "jobs_retried": jobs_retried,
            "jobs_by_type": jobs_by_type,
            "avg_processing_time": avg_processing_time,
            "max_processing_time": max_processing_time,
            "queue_depth": queue_depth,
            "uptime": uptime,
            "timestamp": timestamp,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.metrics_jobs_by_type import MetricsJobsByType # noqa: PLC0415
        d = dict(src_dict)
        jobs_enqueued = d.pop("jobs_enqueued")

        jobs_completed = d.pop("jobs_completed")

        jobs_failed = d.pop("jobs_failed")

        jobs_retried = d.pop("jobs_retried")

        jobs_by_type = MetricsJobsByType.from_dict(d.pop("jobs_by_type"))




        avg_processing_time = d.pop("avg_processing_time")

        max_processing_time = d.pop("max_processing_time")

        queue_depth = d.pop("queue_depth")

        uptime = d.pop("uptime")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))




        metrics = cls(
            jobs_enqueued=jobs_enqueued,
            jobs_completed=jobs_completed,
            jobs_failed=jobs_failed,
            jobs_retried=jobs_retried,
            jobs_by_type=jobs_by_type,
            avg_processing_time=avg_processing_time,
            max_processing_time=max_processing_time,
            queue_depth=queue_depth,
            uptime=uptime,
            timestamp=timestamp,
        )


        metrics.additional_properties = d
        return metrics

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
