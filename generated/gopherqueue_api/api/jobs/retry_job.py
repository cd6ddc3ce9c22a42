from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_response import ErrorResponse
from ...models.job import Job
from ...models.retry_request import RetryRequest
from ...types import UNSET, Unset
from typing import cast
from uuid import UUID



def _get_kwargs(
    job_id: UUID,
    *,
    body: RetryRequest | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/jobs/{job_id}/retry".format(job_id=quote(str(job_id), safe=""),),
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

    if response.status_code == 500:
        response_500 = ErrorResponse.from_dict(response.json())



        return response_500

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
    body: RetryRequest | Unset = UNSET,

) -> Response[ErrorResponse | Job]:
    """ Retry a failed or dead-lettered job

     The job goes back to `pending`; `completed_at` and `last_error` are cleared, `attempt` is
    kept unless `reset_attempts`. **Any other state answers 500 `internal_error` with the
    message `job cannot be cancelled in current state`** (a conflict, mislabelled by the
    server). Emits `job.retried`.

    Args:
        job_id (UUID):
        body (RetryRequest | Unset):

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
    body: RetryRequest | Unset = UNSET,

) -> ErrorResponse | Job | None:
    """ Retry a failed or dead-lettered job

     The job goes back to `pending`; `completed_at` and `last_error` are cleared, `attempt` is
    kept unless `reset_attempts`. **Any other state answers 500 `internal_error` with the
    message `job cannot be cancelled in current state`** (a conflict, mislabelled by the
    server). Emits `job.retried`.

    Args:
        job_id (UUID):
        body (RetryRequest | Unset):

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
    body: RetryRequest | Unset = UNSET,

) -> Response[ErrorResponse | Job]:
    """ Retry a failed or dead-lettered job

     The job goes back to `pending`; `completed_at` and `last_error` are cleared, `attempt` is
    kept unless `reset_attempts`. **Any other state answers 500 `internal_error` with the
    message `job cannot be cancelled in current state`** (a conflict, mislabelled by the
    server). Emits `job.retried`.

    Args:
        job_id (UUID):
        body (RetryRequest | Unset):

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
    body: RetryRequest | Unset = UNSET,

) -> ErrorResponse | Job | None:
    """ Retry a failed or dead-lettered job

     The job goes back to `pending`; `completed_at` and `last_error` are cleared, `attempt` is
    kept unless `reset_attempts`. **Any other state answers 500 `internal_error` with the
    message `job cannot be cancelled in current state`** (a conflict, mislabelled by the
    server). Emits `job.retried`.

    Args:
        job_id (UUID):
        body (RetryRequest | Unset):

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
