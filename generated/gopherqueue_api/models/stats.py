from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.queue_stats import QueueStats
  from ..models.worker_stats import WorkerStats





T = TypeVar("T", bound="Stats")



@_attrs_define
class Stats:
    

    queue: QueueStats
    workers: WorkerStats
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.queue_stats import QueueStats # noqa: PLC0415
        from ..models.worker_stats import WorkerStats # noqa: PLC0415
        queue = self.queue.to_dict()

        workers = self.workers.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "queue": queue,
            "workers": workers,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.queue_stats import QueueStats # noqa: PLC0415
        from ..models.worker_stats import WorkerStats # noqa: PLC0415
        d = dict(src_dict)
        queue = QueueStats.from_dict(d.pop("queue"))




        workers = WorkerStats.from_dict(d.pop("workers"))




        stats = cls(
            queue=queue,
            workers=workers,
        )


        stats.additional_properties = d
        return stats

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
