from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.job_tags import JobTags





T = TypeVar("T", bound="Job")



@_attrs_define
class Job:
    """ A job. Optional fields are omitted when empty. Never includes the payload, idempotency
    key, correlation id or timeout. In a rejected batch item the job is zero-valued.

     """

    id: str
    """ Lowercase canonical UUID; `""` only in rejected batch items. """
    type_: str
    state: str
    """ `pending`, `scheduled`, `running`, `delayed`, `retrying`, `completed`, `failed`,
    `dead_letter`, `cancelled` (terminal: `completed`, `failed`, `dead_letter`,
    `cancelled`). An open set: clients must accept states they do not know. The empty string
    appears only in rejected batch items.
     """
    priority: int
    attempt: int
    """ Incremented when a worker claims the job; 0 before the first run. """
    max_attempts: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    progress: float | Unset = UNSET
    """ Percent; omitted when 0 (upstream never exposes progress). """
    progress_message: str | Unset = UNSET
    tags: JobTags | Unset = UNSET
    scheduled_at: datetime.datetime | Unset = UNSET
    started_at: datetime.datetime | Unset = UNSET
    completed_at: datetime.datetime | Unset = UNSET
    last_error: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.job_tags import JobTags # noqa: PLC0415
        id = self.id

        type_ = self.type_

        state = self.state

        priority = self.priority

        attempt = self.attempt

        max_attempts = self.max_attempts

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        progress = self.progress

        progress_message = self.progress_message

        tags: dict[str, Any] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags.to_dict()

        scheduled_at: str | Unset = UNSET
        if not isinstance(self.scheduled_at, Unset):
            scheduled_at = self.scheduled_at.isoformat()

        started_at: str | Unset = UNSET
        if not isinstance(self.started_at, Unset):
            started_at = self.started_at.isoformat()

        completed_at: str | Unset = UNSET
        if not isinstance(self.completed_at, Unset):
            completed_at = self.completed_at.isoformat()

        last_error = self.last_error


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "type": type_,
            "state": state,
            "priority": priority,
            "attempt": attempt,
            "max_attempts": max_attempts,
            "created_at": created_at,
            "updated_at": updated_at,
        })
        if progress is not UNSET:
            field_dict["progress"] = progress
        if progress_message is not UNSET:
            field_dict["progress_message"] = progress_message
        if tags is not UNSET:
            field_dict["tags"] = tags
        if scheduled_at is not UNSET:
            field_dict["scheduled_at"] = scheduled_at
        if started_at is not UNSET:
            field_dict["started_at"] = started_at
        if completed_at is not UNSET:
            field_dict["completed_at"] = completed_at
        if last_error is not UNSET:
            field_dict["last_error"] = last_error

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job_tags import JobTags # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        type_ = d.pop("type")

        state = d.pop("state")

        priority = d.pop("priority")

        attempt = d.pop("attempt")

        max_attempts = d.pop("max_attempts")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))




        progress = d.pop("progress", UNSET)

        progress_message = d.pop("progress_message", UNSET)

        _tags = d.pop("tags", UNSET)
        tags: JobTags | Unset
        if isinstance(_tags,  Unset):
            tags = UNSET
        else:
            tags = JobTags.from_dict(_tags)




        _scheduled_at = d.pop("scheduled_at", UNSET)
        scheduled_at: datetime.datetime | Unset
        if isinstance(_scheduled_at,  Unset):
            scheduled_at = UNSET
        else:
            scheduled_at = datetime.datetime.fromisoformat(_scheduled_at)




        _started_at = d.pop("started_at", UNSET)
        started_at: datetime.datetime | Unset
        if isinstance(_started_at,  Unset):
            started_at = UNSET
        else:
            started_at = datetime.datetime.fromisoformat(_started_at)




        _completed_at = d.pop("completed_at", UNSET)
        completed_at: datetime.datetime | Unset
        if isinstance(_completed_at,  Unset):
            completed_at = UNSET
        else:
            completed_at = datetime.datetime.fromisoformat(_completed_at)




        last_error = d.pop("last_error", UNSET)

        job = cls(
            id=id,
            type_=type_,
            state=state,
            priority=priority,
            attempt=attempt,
            max_attempts=max_attempts,
            created_at=created_at,
            updated_at=updated_at,
            progress=progress,
            progress_message=progress_message,
            tags=tags,
            scheduled_at=scheduled_at,
            started_at=started_at,
            completed_at=completed_at,
            last_error=last_error,
        )


        job.additional_properties = d
        return job

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
