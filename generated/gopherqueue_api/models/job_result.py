from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="JobResult")



@_attrs_define
class JobResult:
    

    job_id: str
    success: bool
    duration: int
    """ Nanoseconds. """
    completed_at: datetime.datetime
    """ Carries the server's local offset. """
    output: str | Unset = UNSET
    """ Standard padded base64 of the handler's output; omitted when there was none. """
    error: str | Unset = UNSET
    error_category: str | Unset = UNSET
    """ `temporary`, `permanent` or `timeout`; an open set. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        job_id = self.job_id

        success = self.success

        duration = self.duration

        completed_at = self.completed_at.isoformat()

        output = self.output

        error = self.error

        error_category = self.error_category


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "job_id": job_id,
            "success": success,
            "duration": duration,
            "completed_at": completed_at,
        })
        if output is not UNSET:
            field_dict["output"] = output
        if error is not UNSET:
            field_dict["error"] = error
        if error_category is not UNSET:
            field_dict["error_category"] = error_category

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        job_id = d.pop("job_id")

        success = d.pop("success")

        duration = d.pop("duration")

        completed_at = datetime.datetime.fromisoformat(d.pop("completed_at"))




        output = d.pop("output", UNSET)

        error = d.pop("error", UNSET)

        error_category = d.pop("error_category", UNSET)

        job_result = cls(
            job_id=job_id,
            success=success,
            duration=duration,
            completed_at=completed_at,
            output=output,
            error=error,
            error_category=error_category,
        )


        job_result.additional_properties = d
        return job_result

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
