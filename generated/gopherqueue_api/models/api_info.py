from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.api_info_endpoints import ApiInfoEndpoints





T = TypeVar("T", bound="ApiInfo")



@_attrs_define
class ApiInfo:
    

    endpoints: ApiInfoEndpoints
    features: list[str]
    name: str
    version: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.api_info_endpoints import ApiInfoEndpoints # noqa: PLC0415
        endpoints = self.endpoints.to_dict()

        features = self.features



        name = self.name

        version = self.version


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "endpoints": endpoints,
            "features": features,
            "name": name,
            "version": version,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.api_info_endpoints import ApiInfoEndpoints # noqa: PLC0415
        d = dict(src_dict)
        endpoints = ApiInfoEndpoints.from_dict(d.pop("endpoints"))




        features = cast(list[str], d.pop("features"))


        name = d.pop("name")

        version = d.pop("version")

        api_info = cls(
            endpoints=endpoints,
            features=features,
            name=name,
            version=version,
        )


        api_info.additional_properties = d
        return api_info

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
