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
  from ..models.submit_job_request_tags import SubmitJobRequestTags





T = TypeVar("T", bound="SubmitJobRequest")



@_attrs_define
class SubmitJobRequest:
    

    type_: str
    """ The handler to run. Not trimmed. """
    payload: Any | Unset = UNSET
    """ Any JSON value; its raw bytes are stored and handed to the handler verbatim. """
    priority: int | Unset = UNSET
    """ 0 critical, 1 high, 2 normal (default), 3 low, 4 bulk. Lower runs first. Not range-checked by the server.
    """
    idempotency_key: str | Unset = UNSET
    """ A second submit with a key in use answers 200 with the existing job. """
    correlation_id: str | Unset = UNSET
    """ Accepted and stored; never returned. """
    delay: str | Unset = UNSET
    """ A Go duration string such as `10s`, `1500ms`, `1h2m3.5s` or `-1s`. """
    scheduled_at: datetime.datetime | Unset = UNSET
    timeout: str | Unset = UNSET
    """ A Go duration string such as `10s`, `1500ms`, `1h2m3.5s` or `-1s`. """
    max_attempts: int | Unset = UNSET
    """ Default 3. Not validated; 0 or 1 dead-letters after the first failure. """
    tags: SubmitJobRequestTags | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.submit_job_request_tags import SubmitJobRequestTags # noqa: PLC0415
        type_ = self.type_

        payload = self.payload

        priority = self.priority

        idempotency_key = self.idempotency_key

        correlation_id = self.correlation_id

        delay = self.delay

        scheduled_at: str | Unset = UNSET
        if not isinstance(self.scheduled_at, Unset):
            scheduled_at = self.scheduled_at.isoformat()

        timeout = self.timeout

        max_attempts = self.max_attempts

        tags: dict[str, Any] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "type": type_,
        })
        if payload is not UNSET:
            field_dict["payload"] = payload
        if priority is not UNSET:
            field_dict["priority"] = priority
        if idempotency_key is not UNSET:
            field_dict["idempotency_key"] = idempotency_key
        if correlation_id is not UNSET:
            field_dict["correlation_id"] = correlation_id
        if delay is not UNSET:
            field_dict["delay"] = delay
        if scheduled_at is not UNSET:
            field_dict["scheduled_at"] = scheduled_at
        if timeout is not UNSET:
            field_dict["timeout"] = timeout
        if max_attempts is not UNSET:
            field_dict["max_attempts"] = max_attempts
        if tags is not UNSET:
            field_dict["tags"] = tags

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.submit_job_request_tags import SubmitJobRequestTags # noqa: PLC0415
        d = dict(src_dict)
        type_ = d.pop("type")

        payload = d.pop("payload", UNSET)

        priority = d.pop("priority", UNSET)

        idempotency_key = d.pop("idempotency_key", UNSET)

        correlation_id = d.pop("correlation_id", UNSET)

        delay = d.pop("delay", UNSET)

        _scheduled_at = d.pop("scheduled_at", UNSET)
        scheduled_at: datetime.datetime | Unset
        if isinstance(_scheduled_at,  Unset):
            scheduled_at = UNSET
        else:
            scheduled_at = datetime.datetime.fromisoformat(_scheduled_at)




        timeout = d.pop("timeout", UNSET)

        max_attempts = d.pop("max_attempts", UNSET)

        _tags = d.pop("tags", UNSET)
        tags: SubmitJobRequestTags | Unset
        if isinstance(_tags,  Unset):
            tags = UNSET
        else:
            tags = SubmitJobRequestTags.from_dict(_tags)




        submit_job_request = cls(
            type_=type_,
            payload=payload,
            priority=priority,
            idempotency_key=idempotency_key,
            correlation_id=correlation_id,
            delay=delay,
            scheduled_at=scheduled_at,
            timeout=timeout,
            max_attempts=max_attempts,
            tags=tags,
        )


        submit_job_request.additional_properties = d
        return submit_job_request

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
