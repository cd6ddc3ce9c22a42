from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.cancel_request import CancelRequest
from ...models.error_response import ErrorResponse
from ...models.job import Job
from ...types import UNSET, Unset
from typing import cast
from uuid import UUID



def _get_kwargs(
    job_id: UUID,
    *,
    body: CancelRequest | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/jobs/{job_id}/cancel".format(job_id=quote(str(job_id), safe=""),),
    }

    
    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorResponse | Job | None:
    if response.status_code == 200:
        response_200 = Job.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())



        return response_401

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())



        return response_404

    if response.status_code == 409:
        response_409 = ErrorResponse.from_dict(response.json())



        return response_409

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorResponse | Job]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    job_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    body: CancelRequest | Unset = UNSET,

) -> Response[ErrorResponse | Job]:
    """ Cancel a job

     Pending, scheduled, delayed and retrying jobs become `cancelled` with `last_error` set to
    the reason. For a **running** job without `force` the server answers 200 and changes
    nothing (the returned job still says `running`); with `force` it answers `cancelled`
    but does not interrupt the handler, and the state becomes `completed` when the handler
    finishes. Finished jobs answer 409 `conflict`. Invalid JSON bodies are ignored. Emits
    `job.cancelled` on every 200.

    Args:
        job_id (UUID):
        body (CancelRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | Job]
     """


    kwargs = _get_kwargs(
        job_id=job_id,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    job_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    body: CancelRequest | Unset = UNSET,

) -> ErrorResponse | Job | None:
    """ Cancel a job

     Pending, scheduled, delayed and retrying jobs become `cancelled` with `last_error` set to
    the reason. For a **running** job without `force` the server answers 200 and changes
    nothing (the returned job still says `running`); with `force` it answers `cancelled`
    but does not interrupt the handler, and the state becomes `completed` when the handler
    finishes. Finished jobs answer 409 `conflict`. Invalid JSON bodies are ignored. Emits
    `job.cancelled` on every 200.

    Args:
        job_id (UUID):
        body (CancelRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | Job
     """


    return sync_detailed(
        job_id=job_id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    job_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    body: CancelRequest | Unset = UNSET,

) -> Response[ErrorResponse | Job]:
    """ Cancel a job

     Pending, scheduled, delayed and retrying jobs become `cancelled` with `last_error` set to
    the reason. For a **running** job without `force` the server answers 200 and changes
    nothing (the returned job still says `running`); with `force` it answers `cancelled`
    but does not interrupt the handler, and the state becomes `completed` when the handler
    finishes. Finished jobs answer 409 `conflict`. Invalid JSON bodies are ignored. Emits
    `job.cancelled` on every 200.

    Args:
        job_id (UUID):
        body (CancelRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | Job]
     """


    kwargs = _get_kwargs(
        job_id=job_id,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    job_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    body: CancelRequest | Unset = UNSET,

) -> ErrorResponse | Job | None:
    """ Cancel a job

     Pending, scheduled, delayed and retrying jobs become `cancelled` with `last_error` set to
    the reason. For a **running** job without `force` the server answers 200 and changes
    nothing (the returned job still says `running`); with `force` it answers `cancelled`
    but does not interrupt the handler, and the state becomes `completed` when the handler
    finishes. Finished jobs answer 409 `conflict`. Invalid JSON bodies are ignored. Emits
    `job.cancelled` on every 200.

    Args:
        job_id (UUID):
        body (CancelRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | Job
     """


    return (await asyncio_detailed(
        job_id=job_id,
client=client,
body=body,

    )).parsed
