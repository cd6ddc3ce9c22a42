from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime






T = TypeVar("T", bound="QueueStats")



@_attrs_define
class QueueStats:
    

    pending: int
    scheduled: int
    running: int
    delayed: int
    completed: int
    failed: int
    dead_letter: int
    cancelled: int
    total_jobs: int
    """ All jobs, `retrying` ones included (they have no counter of their own). """
    storage_bytes: int
    timestamp: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        pending = self.pending

        scheduled = self.scheduled

        running = self.running

        delayed = self.delayed

        completed = self.completed

        failed = self.failed

        dead_letter = self.dead_letter

        cancelled = self.cancelled

        total_jobs = self.total_jobs

        storage_bytes = self.storage_bytes

        timestamp = self.timestamp.isoformat()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "pending": pending,
            "scheduled": scheduled,
            "running": running,
            "delayed": delayed,
            "completed": completed,
            "failed": failed,
            "dead_letter": dead_letter,
            "cancelled": cancelled,
            "total_jobs": total_jobs,
            "storage_bytes": storage_bytes,
            "timestamp": timestamp,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        pending = d.pop("pending")

        scheduled = d.pop("scheduled")

        running = d.pop("running")

        delayed = d.pop("delayed")

        completed = d.pop("completed")

        failed = d.pop("failed")

        dead_letter = d.pop("dead_letter")

        cancelled = d.pop("cancelled")

        total_jobs = d.pop("total_jobs")

        storage_bytes = d.pop("storage_bytes")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))




        queue_stats = cls(
            pending=pending,
            scheduled=scheduled,
            running=running,
            delayed=delayed,
            completed=completed,
            failed=failed,
            dead_letter=dead_letter,
            cancelled=cancelled,
            total_jobs=total_jobs,
            storage_bytes=storage_bytes,
            timestamp=timestamp,
        )


        queue_stats.additional_properties = d
        return queue_stats

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
