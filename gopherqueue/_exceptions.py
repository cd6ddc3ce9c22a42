"""The exception tree, and the mapping to it from HTTP replies and transport failures.

::

    GopherQueueError
    ├── ValidationError                 bad input, refused before any request (also a ValueError)
    │   └── BadRequestError             400 from the server (also an APIStatusError)
    ├── APIError
    │   ├── APIConnectionError          the request did not get a reply
    │   │   └── APITimeoutError         ... because a timeout passed
    │   ├── ResponseTooLargeError       a reply exceeded a size limit (max_response_size, ...)
    │   └── APIStatusError              the server answered with an error status
    │       ├── AuthenticationError     401
    │       ├── PermissionDeniedError   403
    │       ├── NotFoundError           404
    │       │   ├── JobNotFoundError    404 "job not found"
    │       │   └── ResultNotReadyError 404 "result not found": no attempt has finished (yet)
    │       ├── ConflictError           409, and the server's 500 for retrying a job that is not failed
    │       │   └── BatchConflictError  an atomic batch hit an existing idempotency key
    │       ├── RateLimitError          429
    │       ├── ServerError             5xx
    │       └── UnexpectedResponseError a reply the protocol does not allow (non-JSON body, redirect, ...)
    ├── OutputDecodeError               JobResult.json() on output that is not JSON (also a ValueError)
    ├── WaitTimeoutError                wait(..., raise_on_timeout=True) ran out of time
    └── JobFailedError                  wait(..., raise_on_failure=True) saw the job fail

Every exception raised through the public API is one of these; the httpx, json or parsing
exception that caused it is chained as ``__cause__``. No message ever contains credentials.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from ._effects import Request
    from ._models import WaitResult

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BatchConflictError",
    "ClientClosedError",
    "ConflictError",
    "GopherQueueError",
    "JobFailedError",
    "JobNotFoundError",
    "NotFoundError",
    "OutputDecodeError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ResultNotReadyError",
    "ServerError",
    "UnexpectedResponseError",
    "ValidationError",
    "WaitTimeoutError",
    "connection_error",
    "excerpt",
    "maybe_applied",
    "status_error",
]

_EXCERPT = 200


def _rebuild(cls: type[GopherQueueError], args: tuple[Any, ...]) -> GopherQueueError:
    # Not cls(*args): most classes take keyword-only arguments. The attributes come back
    # through BaseException.__setstate__.
    return cls.__new__(cls, *args)


def _detached(response: httpx.Response) -> httpx.Response:
    """A copy of ``response`` that is safe to pickle: its status, headers and body, and a
    request with the method and URL only (the request's headers carry the API key)."""
    request = response.request
    try:
        content = response.content
    except httpx.ResponseNotRead:
        content = b""
    copy = httpx.Response(
        response.status_code,
        headers=response.headers,
        stream=httpx.ByteStream(content),
        request=httpx.Request(request.method, request.url),
    )
    # What Response.read() would do, without decoding the (already decoded) body again.
    copy._content = content
    copy.is_stream_consumed = True
    copy.is_closed = True
    return copy


class GopherQueueError(Exception):
    """Base class of every exception the SDK raises.

    Every one pickles (to another process, a task queue's result store) with its type,
    message and attributes. An attached ``response`` travels as a copy with its status,
    headers and body whose ``request`` has the method and URL only, so a pickle never holds
    the API key.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        state = dict(self.__dict__)
        response = state.get("response")
        if isinstance(response, httpx.Response):
            state["response"] = _detached(response)
        return (_rebuild, (type(self), self.args), state)


class ClientClosedError(GopherQueueError):
    """The client was closed, so it cannot send requests any more.

    A closed client stays closed: make a new one. Closing a client from another thread
    ends its calls in flight with this error, and its open ``events()`` and ``watch()``
    iterations end without one.

    Args:
        message: What was attempted.
    """

    def __init__(self, message: str = "the client is closed; make a new client") -> None:
        super().__init__(message)
        self.message = message


class ValidationError(GopherQueueError, ValueError):
    """Input that the SDK or the server refused.

    Raised before any request is sent when an argument is wrong; ``field`` names the argument
    (``"job_id"``, ``"priority"``, ``"jobs[3].type"``, ...). The server's own 400 replies are
    :class:`BadRequestError`, a subclass, with ``field`` set to ``None``.

    Args:
        message: What is wrong.
        field: The argument at fault.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class APIError(GopherQueueError):
    """A request to the server failed.

    ``after_ambiguous_attempt`` is true when an earlier attempt of the same call was retried
    after a failure that may have been applied on the server (its response was lost).

    Args:
        message: What went wrong.
        method: The request's HTTP method.
        url: The request's URL, without its query.
    """

    after_ambiguous_attempt: bool = False

    def __init__(self, message: str, *, method: str | None = None, url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url


class APIConnectionError(APIError):
    """No reply: the connection failed, broke, or was closed before a response arrived.

    The real server closes connections without a reply when it would answer 30 s or more after
    the request (its write timeout); that surfaces here too.
    """


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout passed before the reply arrived."""


class APIStatusError(APIError):
    """The server answered with an error status.

    Attributes: ``status_code``, ``code`` (the envelope's ``error.code``, such as
    ``"not_found"``; ``None`` for a body that is not the error envelope), ``message``,
    ``request_id`` (the ``X-Request-Id`` header), ``body`` (the decoded JSON body, or ``None``)
    and ``response`` (the ``httpx.Response``).

    Args:
        message: The envelope's ``error.message``, or a description of the reply.
        response: The reply.
        code: The envelope's ``error.code``.
        body: The decoded JSON body.
    """

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        code: str | None = None,
        body: Any = None,
    ) -> None:
        request = response.request
        super().__init__(message, method=request.method, url=str(request.url.copy_with(query=None)))
        self.response = response
        self.status_code = response.status_code
        self.code = code
        self.body = body
        self.request_id = response.headers.get("x-request-id")

    def __str__(self) -> str:
        code = f" {self.code}" if self.code else ""
        rid = f" (request id {self.request_id})" if self.request_id else ""
        return f"{self.status_code}{code}: {self.message}{rid}"


class BadRequestError(APIStatusError, ValidationError):
    """400: the server refused the request as invalid."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or wrong."""


class PermissionDeniedError(APIStatusError):
    """403: the API key may not do this."""


class NotFoundError(APIStatusError):
    """404: the resource does not exist."""


class JobNotFoundError(NotFoundError):
    """404 ``job not found``: no job has this id (or it was deleted)."""


class ResultNotReadyError(NotFoundError):
    """404 ``result not found``: no attempt of the job has finished yet, or it never ran."""


class ConflictError(APIStatusError):
    """The job's state does not allow the operation.

    409 when cancelling a finished job. Also raised for the real server's 500
    ``job cannot be cancelled in current state``, which is what it answers when asked to
    retry a job that is not failed or dead-lettered; ``status_code`` stays 500 there.
    """


class BatchConflictError(ConflictError):
    """An atomic batch hit an idempotency key that already exists.

    The real server stores the items *before* the conflicting one anyway (its ``atomic``
    covers validation only); ``index`` is the conflicting item, so items ``0..index-1`` may
    have been created.

    Args:
        message: The server's message.
        response: The reply.
        code: The envelope's ``error.code``.
        body: The decoded JSON body.
        index: The position of the conflicting item in the batch.
    """

    def __init__(
        self, message: str, *, response: httpx.Response, code: str | None, body: Any, index: int
    ) -> None:
        super().__init__(message, response=response, code=code, body=body)
        self.index = index


class RateLimitError(APIStatusError):
    """429: too many requests."""


class ServerError(APIStatusError):
    """5xx: the server (or a proxy in front of it) failed."""


class UnexpectedResponseError(APIStatusError):
    """A reply the protocol does not allow: a body that is not the expected JSON, a redirect,
    an empty body where data was due. ``message`` carries a short excerpt of the body.
    """


class ResponseTooLargeError(APIError):
    """A reply exceeded one of the client's size limits, so it was refused unread.

    ``limit`` names the option (``max_response_size``, ``max_event_line_size`` or
    ``max_event_size``) and ``max_size`` is its value. The limits bound the memory a
    misbehaving server or proxy can make the client use; such a reply is not retried.

    Args:
        message: What went wrong, naming the limit.
        limit: The option whose limit was exceeded.
        max_size: The limit's value.
        method: The request's HTTP method.
        url: The request's URL, without its query.
    """

    def __init__(
        self,
        message: str,
        *,
        limit: str,
        max_size: int,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.limit = limit
        self.max_size = max_size


class OutputDecodeError(GopherQueueError, ValueError):
    """A job's output could not be read as asked (``JobResult.json()`` on output that is not JSON)."""


class WaitTimeoutError(GopherQueueError):
    """``wait(..., raise_on_timeout=True)`` reached its timeout before the job finished.

    ``outcome`` is the :class:`~gopherqueue.WaitResult` that would have been returned.

    Args:
        message: What ran out.
        outcome: The wait's result.
    """

    def __init__(self, message: str, *, outcome: WaitResult) -> None:
        super().__init__(message)
        self.outcome = outcome


class JobFailedError(GopherQueueError):
    """``wait(..., raise_on_failure=True)`` saw the job end without success.

    ``outcome`` is the :class:`~gopherqueue.WaitResult`; its ``result`` holds the error.

    Args:
        message: How the job ended.
        outcome: The wait's result.
    """

    def __init__(self, message: str, *, outcome: WaitResult) -> None:
        super().__init__(message)
        self.outcome = outcome


def excerpt(content: bytes) -> str:
    """A short, printable excerpt of a response body, for error messages."""
    text = content[:_EXCERPT].decode("utf-8", "replace").strip()
    return text + ("..." if len(content) > _EXCERPT else "")


def status_error(response: httpx.Response, *, operation: str) -> APIStatusError:
    """Map an error reply to its exception.

    ``operation`` is the spec's operationId; it tells which 404 means what and turns the
    server's mislabelled 500 for ``retry_job`` into a :class:`ConflictError`.
    """
    status = response.status_code
    code: str | None = None
    message: str | None = None
    body: Any = None
    content = response.content
    if content and "json" in response.headers.get("content-type", ""):
        try:
            body = json.loads(content)
        except ValueError:
            body = None
    if isinstance(body, dict):
        envelope: dict[str, object] = body  # pyright: ignore[reportUnknownVariableType]
        detail = envelope.get("error")
        if isinstance(detail, dict):
            fields: dict[str, object] = detail  # pyright: ignore[reportUnknownVariableType]
            raw_code, raw_message = fields.get("code"), fields.get("message")
            code = raw_code if isinstance(raw_code, str) else None
            message = raw_message if isinstance(raw_message, str) else None

    if 300 <= status < 400:
        # Whatever the body (even an error envelope), a redirect is never followed.
        location = response.headers.get("location", "")
        message = f"unexpected redirect to {location!r} (the SDK never follows redirects)"
        return UnexpectedResponseError(message, response=response, code=code, body=body)
    if message is None:
        # Not the error envelope: Go's text/plain 404, a proxy's HTML page.
        kind = response.headers.get("content-type", "no content type")
        shown = excerpt(content) if content else "empty body"
        message = f"unexpected {kind} reply: {shown}"
        if status < 500 and status not in (401, 403, 408, 429):
            return UnexpectedResponseError(message, response=response, body=body)

    cls: type[APIStatusError]
    if status == 400:
        cls = BadRequestError
    elif status == 401:
        cls = AuthenticationError
    elif status == 403:
        cls = PermissionDeniedError
    elif status == 404:
        if message == "result not found":
            cls = ResultNotReadyError
        elif message == "job not found":
            cls = JobNotFoundError
        else:
            cls = NotFoundError
    elif status == 409:
        cls = ConflictError
    elif status == 429:
        cls = RateLimitError
    elif (
        status == 500
        and code == "internal_error"
        and operation == "retry_job"
        and message
        and "current state" in message
    ):
        cls = ConflictError
        message = (
            "the job cannot be retried in its current state (only failed or dead_letter jobs "
            f"can be retried; the server answered 500 internal_error: {message})"
        )
    elif (
        status == 500
        and operation == "submit_batch"
        and message
        and message.startswith("failed to create job ")
        and "already exists" in message
    ):
        index_text = message[len("failed to create job ") :].split(":", 1)[0]
        index = int(index_text) if index_text.isascii() and index_text.isdigit() else 0
        if index == 0:
            kept = "no item was created"
        elif index == 1:
            kept = "the server kept item 0 anyway"
        else:
            kept = f"the server kept items 0..{index - 1} anyway"
        return BatchConflictError(
            f"atomic batch item {index} has an idempotency key that already exists; {kept} "
            f"({message})",
            response=response,
            code=code,
            body=body,
            index=index,
        )
    elif status >= 500:
        cls = ServerError
    else:
        cls = APIStatusError
    return cls(message, response=response, code=code, body=body)


def connection_error(exc: Exception, request: Request) -> APIConnectionError:
    """Map an httpx transport exception to the SDK's type, without credentials in the text."""
    method = request.kwargs["method"].upper()
    url = request.base_url + request.kwargs["url"]
    what = f"{method} {request.kwargs['url']}"
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"{what} timed out ({type(exc).__name__})", method=method, url=url)
    if isinstance(exc, httpx.RemoteProtocolError):
        return APIConnectionError(
            f"{what}: the server closed the connection without a complete response "
            "(the real server does this to any reply due 30 s or more after the request)",
            method=method,
            url=url,
        )
    return APIConnectionError(f"{what} failed: {type(exc).__name__}: {exc}", method=method, url=url)


def maybe_applied(exc: Exception) -> bool:
    """Whether a request that failed with the httpx exception ``exc`` may have reached the
    server and been acted on."""
    # A connect failure means the request never left; anything later may have been applied.
    return not isinstance(
        exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.InvalidURL)
    )
