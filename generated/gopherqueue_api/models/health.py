from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.health_components import HealthComponents





T = TypeVar("T", bound="Health")



@_attrs_define
class Health:
    

    healthy: bool
    components: HealthComponents
    timestamp: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.health_components import HealthComponents # noqa: PLC0415
        healthy = self.healthy

        components = self.components.to_dict()

        timestamp = self.timestamp.isoformat()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "healthy": healthy,
            "components": components,
            "timestamp": timestamp,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.health_components import HealthComponents # noqa: PLC0415
        d = dict(src_dict)
        healthy = d.pop("healthy")

        components = HealthComponents.from_dict(d.pop("components"))




        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))




        health = cls(
            healthy=healthy,
            components=components,
            timestamp=timestamp,
        )


        health.additional_properties = d
        return health

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
