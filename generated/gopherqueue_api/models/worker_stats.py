from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="WorkerStats")



@_attrs_define
class WorkerStats:
    

    total_workers: int
    active_workers: int
    idle_workers: int
    queued_jobs: int
    processed_jobs: int
    succeeded_jobs: int
    failed_jobs: int
    retried_jobs: int
    avg_processing_time: int
    """ Nanoseconds. """
    max_processing_time: int
    """ Nanoseconds. """
    p99_processing_time: int
    """ Nanoseconds. """
    processing_ids: list[str] | None
    """ Ids of the jobs being processed; null when idle. """
    uptime: int
    """ Nanoseconds. """
    healthy: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        total_workers = self.total_workers

        active_workers = self.active_workers

        idle_workers = self.idle_workers

        queued_jobs = self.queued_jobs

        processed_jobs = self.processed_jobs

        succeeded_jobs = self.succeeded_jobs

        failed_jobs = self.failed_jobs

        retried_jobs = self.retried_jobs

        avg_processing_time = self.avg_processing_time

        max_processing_time = self.max_processing_time

        p99_processing_time = self.p99_processing_time

        processing_ids: list[str] | None
        if isinstance(self.processing_ids, list):
            processing_ids = self.processing_ids


        else:
            processing_ids = self.processing_ids

        uptime = self.uptime

        healthy = self.healthy


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "total_workers": total_workers,
            "active_workers": active_workers,
            "idle_workers": idle_workers,
            "queued_jobs": queued_jobs,
            "processed_jobs": processed_jobs,
            "succeeded_jobs": succeeded_jobs,
            "failed_jobs": failed_jobs,
            "retried_jobs": retried_jobs,
            "avg_processing_time": avg_processing_time,
            "max_processing_time": max_processing_time,
            "p99_processing_time": p99_processing_time,
            "processing_ids": processing_ids,
            "uptime": uptime,
            "healthy": healthy,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        total_workers = d.pop("total_workers")

        active_workers = d.pop("active_workers")

        idle_workers = d.pop("idle_workers")

        queued_jobs = d.pop("queued_jobs")

        processed_jobs = d.pop("processed_jobs")

        succeeded_jobs = d.pop("succeeded_jobs")

        failed_jobs = d.pop("failed_jobs")

        retried_jobs = d.pop("retried_jobs")

        avg_processing_time = d.pop("avg_processing_time")

        max_processing_time = d.pop("max_processing_time")

        p99_processing_time = d.pop("p99_processing_time")

        def _parse_processing_ids(data: object) -> list[str] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                processing_ids_type_0 = cast(list[str], data)

                return processing_ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None, data)

        processing_ids = _parse_processing_ids(d.pop("processing_ids"))


        uptime = d.pop("uptime")

        healthy = d.pop("healthy")

        worker_stats = cls(
            total_workers=total_workers,
            active_workers=active_workers,
            idle_workers=idle_workers,
            queued_jobs=queued_jobs,
            processed_jobs=processed_jobs,
            succeeded_jobs=succeeded_jobs,
            failed_jobs=failed_jobs,
            retried_jobs=retried_jobs,
            avg_processing_time=avg_processing_time,
            max_processing_time=max_processing_time,
            p99_processing_time=p99_processing_time,
            processing_ids=processing_ids,
            uptime=uptime,
            healthy=healthy,
        )


        worker_stats.additional_properties = d
        return worker_stats

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
