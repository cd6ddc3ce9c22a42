from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.batch_request import BatchRequest
from ...models.batch_response import BatchResponse
from ...models.error_response import ErrorResponse
from typing import cast



def _get_kwargs(
    *,
    body: BatchRequest,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/jobs/batch",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> BatchResponse | ErrorResponse | None:
    if response.status_code == 201:
        response_201 = BatchResponse.from_dict(response.json())



        return response_201

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())



        return response_401

    if response.status_code == 500:
        response_500 = ErrorResponse.from_dict(response.json())



        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[BatchResponse | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: BatchRequest,

) -> Response[BatchResponse | ErrorResponse]:
    """ Submit up to 1000 jobs

     Answers **201** whenever the request is well formed, even when every item was rejected.
    A rejected item carries a zero-valued `job` (`"id":""`, `"state":""`,
    `"created_at":"0001-01-01T00:00:00Z"`) or, for a store failure, a job that was never
    stored. A duplicate `idempotency_key` is *rejected* (`job already exists`), not resolved
    to the existing job as single submit does.

    `atomic: true` refuses the whole batch with 400 when an item fails validation (nothing is
    stored), but a **store** failure at item i answers 500 `internal_error`
    `failed to create job i: job already exists` with items before i already created,
    queued and announced. Non-atomic batches may misattribute a store error to the wrong
    `results` slot when a missing-type item precedes it (upstream bug); the counts are
    right.

    Args:
        body (BatchRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchResponse | ErrorResponse]
     """


    kwargs = _get_kwargs(
        body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    body: BatchRequest,

) -> BatchResponse | ErrorResponse | None:
    """ Submit up to 1000 jobs

     Answers **201** whenever the request is well formed, even when every item was rejected.
    A rejected item carries a zero-valued `job` (`"id":""`, `"state":""`,
    `"created_at":"0001-01-01T00:00:00Z"`) or, for a store failure, a job that was never
    stored. A duplicate `idempotency_key` is *rejected* (`job already exists`), not resolved
    to the existing job as single submit does.

    `atomic: true` refuses the whole batch with 400 when an item fails validation (nothing is
    stored), but a **store** failure at item i answers 500 `internal_error`
    `failed to create job i: job already exists` with items before i already created,
    queued and announced. Non-atomic batches may misattribute a store error to the wrong
    `results` slot when a missing-type item precedes it (upstream bug); the counts are
    right.

    Args:
        body (BatchRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchResponse | ErrorResponse
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: BatchRequest,

) -> Response[BatchResponse | ErrorResponse]:
    """ Submit up to 1000 jobs

     Answers **201** whenever the request is well formed, even when every item was rejected.
    A rejected item carries a zero-valued `job` (`"id":""`, `"state":""`,
    `"created_at":"0001-01-01T00:00:00Z"`) or, for a store failure, a job that was never
    stored. A duplicate `idempotency_key` is *rejected* (`job already exists`), not resolved
    to the existing job as single submit does.

    `atomic: true` refuses the whole batch with 400 when an item fails validation (nothing is
    stored), but a **store** failure at item i answers 500 `internal_error`
    `failed to create job i: job already exists` with items before i already created,
    queued and announced. Non-atomic batches may misattribute a store error to the wrong
    `results` slot when a missing-type item precedes it (upstream bug); the counts are
    right.

    Args:
        body (BatchRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchResponse | ErrorResponse]
     """


    kwargs = _get_kwargs(
        body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: BatchRequest,

) -> BatchResponse | ErrorResponse | None:
    """ Submit up to 1000 jobs

     Answers **201** whenever the request is well formed, even when every item was rejected.
    A rejected item carries a zero-valued `job` (`"id":""`, `"state":""`,
    `"created_at":"0001-01-01T00:00:00Z"`) or, for a store failure, a job that was never
    stored. A duplicate `idempotency_key` is *rejected* (`job already exists`), not resolved
    to the existing job as single submit does.

    `atomic: true` refuses the whole batch with 400 when an item fails validation (nothing is
    stored), but a **store** failure at item i answers 500 `internal_error`
    `failed to create job i: job already exists` with items before i already created,
    queued and announced. Non-atomic batches may misattribute a store error to the wrong
    `results` slot when a missing-type item precedes it (upstream bug); the counts are
    right.

    Args:
        body (BatchRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchResponse | ErrorResponse
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed
