from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_response import ErrorResponse
from ...models.job_list import JobList
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    state: str | Unset = UNSET,
    type_: str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["state"] = state

    params["type"] = type_


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/jobs",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorResponse | JobList | None:
    if response.status_code == 200:
        response_200 = JobList.from_dict(response.json())



        return response_200

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())



        return response_401

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorResponse | JobList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    state: str | Unset = UNSET,
    type_: str | Unset = UNSET,

) -> Response[ErrorResponse | JobList]:
    """ List jobs

     At most **100** jobs, newest first (by `created_at`). `limit`, `offset` and cursors are
    ignored; `count` is the number returned, not a total. `state` takes one state (a comma
    list is taken literally and matches nothing); an unknown state gives an empty list.

    Args:
        state (str | Unset): `pending`, `scheduled`, `running`, `delayed`, `retrying`,
            `completed`, `failed`,
            `dead_letter`, `cancelled` (terminal: `completed`, `failed`, `dead_letter`,
            `cancelled`). An open set: clients must accept states they do not know. The empty string
            appears only in rejected batch items.
        type_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | JobList]
     """


    kwargs = _get_kwargs(
        state=state,
type_=type_,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    state: str | Unset = UNSET,
    type_: str | Unset = UNSET,

) -> ErrorResponse | JobList | None:
    """ List jobs

     At most **100** jobs, newest first (by `created_at`). `limit`, `offset` and cursors are
    ignored; `count` is the number returned, not a total. `state` takes one state (a comma
    list is taken literally and matches nothing); an unknown state gives an empty list.

    Args:
        state (str | Unset): `pending`, `scheduled`, `running`, `delayed`, `retrying`,
            `completed`, `failed`,
            `dead_letter`, `cancelled` (terminal: `completed`, `failed`, `dead_letter`,
            `cancelled`). An open set: clients must accept states they do not know. The empty string
            appears only in rejected batch items.
        type_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | JobList
     """


    return sync_detailed(
        client=client,
state=state,
type_=type_,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    state: str | Unset = UNSET,
    type_: str | Unset = UNSET,

) -> Response[ErrorResponse | JobList]:
    """ List jobs

     At most **100** jobs, newest first (by `created_at`). `limit`, `offset` and cursors are
    ignored; `count` is the number returned, not a total. `state` takes one state (a comma
    list is taken literally and matches nothing); an unknown state gives an empty list.

    Args:
        state (str | Unset): `pending`, `scheduled`, `running`, `delayed`, `retrying`,
            `completed`, `failed`,
            `dead_letter`, `cancelled` (terminal: `completed`, `failed`, `dead_letter`,
            `cancelled`). An open set: clients must accept states they do not know. The empty string
            appears only in rejected batch items.
        type_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | JobList]
     """


    kwargs = _get_kwargs(
        state=state,
type_=type_,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    state: str | Unset = UNSET,
    type_: str | Unset = UNSET,

) -> ErrorResponse | JobList | None:
    """ List jobs

     At most **100** jobs, newest first (by `created_at`). `limit`, `offset` and cursors are
    ignored; `count` is the number returned, not a total. `state` takes one state (a comma
    list is taken literally and matches nothing); an unknown state gives an empty list.

    Args:
        state (str | Unset): `pending`, `scheduled`, `running`, `delayed`, `retrying`,
            `completed`, `failed`,
            `dead_letter`, `cancelled` (terminal: `completed`, `failed`, `dead_letter`,
            `cancelled`). An open set: clients must accept states they do not know. The empty string
            appears only in rejected batch items.
        type_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | JobList
     """


    return (await asyncio_detailed(
        client=client,
state=state,
type_=type_,

    )).parsed
