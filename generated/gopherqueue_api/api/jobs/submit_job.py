from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_response import ErrorResponse
from ...models.job import Job
from ...models.submit_job_request import SubmitJobRequest
from typing import cast



def _get_kwargs(
    *,
    body: SubmitJobRequest,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/jobs",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorResponse | Job | None:
    if response.status_code == 200:
        response_200 = Job.from_dict(response.json())



        return response_200

    if response.status_code == 201:
        response_201 = Job.from_dict(response.json())



        return response_201

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())



        return response_401

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
    *,
    client: AuthenticatedClient | Client,
    body: SubmitJobRequest,

) -> Response[ErrorResponse | Job]:
    """ Submit a job

     Creates a job and emits `job.created`. With an `idempotency_key` that is already in use
    the server answers **200** (not 201) with the *existing* job in its current state,
    ignoring every other field of the request, and emits no event. Deleting the job frees
    its key. Validation is thin: only a missing or empty `type` is refused; `priority` and
    `max_attempts` are not range-checked, unparsable `delay`/`timeout` strings are silently
    ignored, and `delay`/`scheduled_at` make the response say `delayed` but the job runs at
    once.

    Args:
        body (SubmitJobRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | Job]
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
    body: SubmitJobRequest,

) -> ErrorResponse | Job | None:
    """ Submit a job

     Creates a job and emits `job.created`. With an `idempotency_key` that is already in use
    the server answers **200** (not 201) with the *existing* job in its current state,
    ignoring every other field of the request, and emits no event. Deleting the job frees
    its key. Validation is thin: only a missing or empty `type` is refused; `priority` and
    `max_attempts` are not range-checked, unparsable `delay`/`timeout` strings are silently
    ignored, and `delay`/`scheduled_at` make the response say `delayed` but the job runs at
    once.

    Args:
        body (SubmitJobRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | Job
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SubmitJobRequest,

) -> Response[ErrorResponse | Job]:
    """ Submit a job

     Creates a job and emits `job.created`. With an `idempotency_key` that is already in use
    the server answers **200** (not 201) with the *existing* job in its current state,
    ignoring every other field of the request, and emits no event. Deleting the job frees
    its key. Validation is thin: only a missing or empty `type` is refused; `priority` and
    `max_attempts` are not range-checked, unparsable `delay`/`timeout` strings are silently
    ignored, and `delay`/`scheduled_at` make the response say `delayed` but the job runs at
    once.

    Args:
        body (SubmitJobRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | Job]
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
    body: SubmitJobRequest,

) -> ErrorResponse | Job | None:
    """ Submit a job

     Creates a job and emits `job.created`. With an `idempotency_key` that is already in use
    the server answers **200** (not 201) with the *existing* job in its current state,
    ignoring every other field of the request, and emits no event. Deleting the job frees
    its key. Validation is thin: only a missing or empty `type` is refused; `priority` and
    `max_attempts` are not range-checked, unparsable `delay`/`timeout` strings are silently
    ignored, and `delay`/`scheduled_at` make the response say `delayed` but the job runs at
    once.

    Args:
        body (SubmitJobRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | Job
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed
