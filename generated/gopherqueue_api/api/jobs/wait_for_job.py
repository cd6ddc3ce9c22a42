from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_response import ErrorResponse
from ...models.wait_request import WaitRequest
from ...models.wait_response import WaitResponse
from ...types import UNSET, Unset
from typing import cast
from uuid import UUID



def _get_kwargs(
    job_id: UUID,
    *,
    body: WaitRequest | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/jobs/{job_id}/wait".format(job_id=quote(str(job_id), safe=""),),
    }

    
    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorResponse | WaitResponse | None:
    if response.status_code == 200:
        response_200 = WaitResponse.from_dict(response.json())



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

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorResponse | WaitResponse]:
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
    body: WaitRequest | Unset = UNSET,

) -> Response[ErrorResponse | WaitResponse]:
    """ Long-poll until the job finishes or the timeout passes

     Default timeout 30 s, used silently when the body is missing, invalid, not a string or
    unparsable. The server checks every 500 ms, first 500 ms after the request, so even a
    finished job takes at least 0.5 s. **A wait answered 30 s or more after the request is
    lost (no response) because of the server's write timeout: always send a timeout below
    30 s and loop.** A timeout of 0 or less answers at once with `timed_out`.

    Args:
        job_id (UUID):
        body (WaitRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | WaitResponse]
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
    body: WaitRequest | Unset = UNSET,

) -> ErrorResponse | WaitResponse | None:
    """ Long-poll until the job finishes or the timeout passes

     Default timeout 30 s, used silently when the body is missing, invalid, not a string or
    unparsable. The server checks every 500 ms, first 500 ms after the request, so even a
    finished job takes at least 0.5 s. **A wait answered 30 s or more after the request is
    lost (no response) because of the server's write timeout: always send a timeout below
    30 s and loop.** A timeout of 0 or less answers at once with `timed_out`.

    Args:
        job_id (UUID):
        body (WaitRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | WaitResponse
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
    body: WaitRequest | Unset = UNSET,

) -> Response[ErrorResponse | WaitResponse]:
    """ Long-poll until the job finishes or the timeout passes

     Default timeout 30 s, used silently when the body is missing, invalid, not a string or
    unparsable. The server checks every 500 ms, first 500 ms after the request, so even a
    finished job takes at least 0.5 s. **A wait answered 30 s or more after the request is
    lost (no response) because of the server's write timeout: always send a timeout below
    30 s and loop.** A timeout of 0 or less answers at once with `timed_out`.

    Args:
        job_id (UUID):
        body (WaitRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | WaitResponse]
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
    body: WaitRequest | Unset = UNSET,

) -> ErrorResponse | WaitResponse | None:
    """ Long-poll until the job finishes or the timeout passes

     Default timeout 30 s, used silently when the body is missing, invalid, not a string or
    unparsable. The server checks every 500 ms, first 500 ms after the request, so even a
    finished job takes at least 0.5 s. **A wait answered 30 s or more after the request is
    lost (no response) because of the server's write timeout: always send a timeout below
    30 s and loop.** A timeout of 0 or less answers at once with `timed_out`.

    Args:
        job_id (UUID):
        body (WaitRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | WaitResponse
     """


    return (await asyncio_detailed(
        job_id=job_id,
client=client,
body=body,

    )).parsed
