from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.job_result import JobResult





T = TypeVar("T", bound="WaitResponse")



@_attrs_define
class WaitResponse:
    

    id: str
    state: str
    """ `pending`, `scheduled`, `running`, `delayed`, `retrying`, `completed`, `failed`,
    `dead_letter`, `cancelled` (terminal: `completed`, `failed`, `dead_letter`,
    `cancelled`). An open set: clients must accept states they do not know. The empty string
    appears only in rejected batch items.
     """
    completed: bool
    success: bool | Unset = UNSET
    """ Present (true) only for a completed job. """
    timed_out: bool | Unset = UNSET
    """ Present (true) only when the timeout passed. """
    result: JobResult | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.job_result import JobResult # noqa: PLC0415
        id = self.id

        state = self.state

        completed = self.completed

        success = self.success

        timed_out = self.timed_out

        result: dict[str, Any] | Unset = UNSET
        if not isinstance(self.result, Unset):
            result = self.result.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "state": state,
            "completed": completed,
        })
        if success is not UNSET:
            field_dict["success"] = success
        if timed_out is not UNSET:
            field_dict["timed_out"] = timed_out
        if result is not UNSET:
            field_dict["result"] = result

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job_result import JobResult # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        state = d.pop("state")

        completed = d.pop("completed")

        success = d.pop("success", UNSET)

        timed_out = d.pop("timed_out", UNSET)

        _result = d.pop("result", UNSET)
        result: JobResult | Unset
        if isinstance(_result,  Unset):
            result = UNSET
        else:
            result = JobResult.from_dict(_result)




        wait_response = cls(
            id=id,
            state=state,
            completed=completed,
            success=success,
            timed_out=timed_out,
            result=result,
        )


        wait_response.additional_properties = d
        return wait_response

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
