from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_response import ErrorResponse
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    job_id: str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["job_id"] = job_id


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/events",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorResponse | str | None:
    if response.status_code == 200:
        response_200 = response.text
        return response_200

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())



        return response_401

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorResponse | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    job_id: str | Unset = UNSET,

) -> Response[ErrorResponse | str]:
    """ Server-Sent Events stream of job changes

     Framing, `\\n` line ends, one `data:` line per event:

        event: connected\\ndata: {"status":"connected"}\\n\\n            (first, no id)
        event: job.created\\ndata: <Job JSON>\\nid: <job id>\\n\\n

    Event names: `connected` (data `ConnectedEventData`), `job.created`, `job.cancelled`,
    `job.retried` (data `Job`), `job.deleted` (data `DeletedEventData`). The `id` field is
    the job id, not a sequence number; `Last-Event-ID` is not supported and there is no
    replay. **Nothing is sent for job start, progress, completion, failure or
    dead-lettering.** A non-forced cancel of a running job still sends `job.cancelled`
    (with `state: running`). **The stream is cut 30 s after it was opened** (the server's
    write timeout), mid-chunk; clients must reconnect and lose what was published in between.
    The keepalive comment the server would send every 30 s therefore never arrives. Each
    subscriber has a 100-event buffer; overflow is dropped silently. The response carries
    `Access-Control-Allow-Origin: *`.

    Args:
        job_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | str]
     """


    kwargs = _get_kwargs(
        job_id=job_id,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    job_id: str | Unset = UNSET,

) -> ErrorResponse | str | None:
    """ Server-Sent Events stream of job changes

     Framing, `\\n` line ends, one `data:` line per event:

        event: connected\\ndata: {"status":"connected"}\\n\\n            (first, no id)
        event: job.created\\ndata: <Job JSON>\\nid: <job id>\\n\\n

    Event names: `connected` (data `ConnectedEventData`), `job.created`, `job.cancelled`,
    `job.retried` (data `Job`), `job.deleted` (data `DeletedEventData`). The `id` field is
    the job id, not a sequence number; `Last-Event-ID` is not supported and there is no
    replay. **Nothing is sent for job start, progress, completion, failure or
    dead-lettering.** A non-forced cancel of a running job still sends `job.cancelled`
    (with `state: running`). **The stream is cut 30 s after it was opened** (the server's
    write timeout), mid-chunk; clients must reconnect and lose what was published in between.
    The keepalive comment the server would send every 30 s therefore never arrives. Each
    subscriber has a 100-event buffer; overflow is dropped silently. The response carries
    `Access-Control-Allow-Origin: *`.

    Args:
        job_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | str
     """


    return sync_detailed(
        client=client,
job_id=job_id,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    job_id: str | Unset = UNSET,

) -> Response[ErrorResponse | str]:
    """ Server-Sent Events stream of job changes

     Framing, `\\n` line ends, one `data:` line per event:

        event: connected\\ndata: {"status":"connected"}\\n\\n            (first, no id)
        event: job.created\\ndata: <Job JSON>\\nid: <job id>\\n\\n

    Event names: `connected` (data `ConnectedEventData`), `job.created`, `job.cancelled`,
    `job.retried` (data `Job`), `job.deleted` (data `DeletedEventData`). The `id` field is
    the job id, not a sequence number; `Last-Event-ID` is not supported and there is no
    replay. **Nothing is sent for job start, progress, completion, failure or
    dead-lettering.** A non-forced cancel of a running job still sends `job.cancelled`
    (with `state: running`). **The stream is cut 30 s after it was opened** (the server's
    write timeout), mid-chunk; clients must reconnect and lose what was published in between.
    The keepalive comment the server would send every 30 s therefore never arrives. Each
    subscriber has a 100-event buffer; overflow is dropped silently. The response carries
    `Access-Control-Allow-Origin: *`.

    Args:
        job_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | str]
     """


    kwargs = _get_kwargs(
        job_id=job_id,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    job_id: str | Unset = UNSET,

) -> ErrorResponse | str | None:
    """ Server-Sent Events stream of job changes

     Framing, `\\n` line ends, one `data:` line per event:

        event: connected\\ndata: {"status":"connected"}\\n\\n            (first, no id)
        event: job.created\\ndata: <Job JSON>\\nid: <job id>\\n\\n

    Event names: `connected` (data `ConnectedEventData`), `job.created`, `job.cancelled`,
    `job.retried` (data `Job`), `job.deleted` (data `DeletedEventData`). The `id` field is
    the job id, not a sequence number; `Last-Event-ID` is not supported and there is no
    replay. **Nothing is sent for job start, progress, completion, failure or
    dead-lettering.** A non-forced cancel of a running job still sends `job.cancelled`
    (with `state: running`). **The stream is cut 30 s after it was opened** (the server's
    write timeout), mid-chunk; clients must reconnect and lose what was published in between.
    The keepalive comment the server would send every 30 s therefore never arrives. Each
    subscriber has a 100-event buffer; overflow is dropped silently. The response carries
    `Access-Control-Allow-Origin: *`.

    Args:
        job_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | str
     """


    return (await asyncio_detailed(
        client=client,
job_id=job_id,

    )).parsed
