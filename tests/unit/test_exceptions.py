"""The exception tree and the mapping of replies to it (``_exceptions.status_error``), directly
and through BOTH clients; and that nothing but the SDK's own exceptions escapes a call."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import gopherqueue
from gopherqueue import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BatchConflictError,
    ClientClosedError,
    ConflictError,
    GopherQueueError,
    InsecureTransportWarning,
    JobFailedError,
    JobNotFoundError,
    JobState,
    NotFoundError,
    OutputDecodeError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    ResultNotReadyError,
    ServerError,
    UnexpectedResponseError,
    ValidationError,
    WaitResult,
    WaitTimeoutError,
)
from gopherqueue._exceptions import excerpt, status_error
from tests.unit.fakes import (
    JOB_ID,
    Client,
    FakeServer,
    call,
    error,
    job_json,
    ok,
    raw,
    result_json,
    scripted_cause,
    wait_json,
)


def reply(
    response: httpx.Response, method: str = "GET", path: str = "/api/v1/jobs"
) -> httpx.Response:
    response.request = httpx.Request(method, f"http://127.0.0.1:18080{path}?q=1")
    return response


# ------------------------------------------------------------------------------------------
# The tree


@pytest.mark.parametrize(
    ("cls", "bases"),
    [
        (ValidationError, (GopherQueueError, ValueError)),
        (BadRequestError, (ValidationError, APIStatusError)),
        (APIConnectionError, (APIError,)),
        (APITimeoutError, (APIConnectionError,)),
        (APIStatusError, (APIError,)),
        (AuthenticationError, (APIStatusError,)),
        (PermissionDeniedError, (APIStatusError,)),
        (NotFoundError, (APIStatusError,)),
        (JobNotFoundError, (NotFoundError,)),
        (ResultNotReadyError, (NotFoundError,)),
        (ConflictError, (APIStatusError,)),
        (BatchConflictError, (ConflictError,)),
        (RateLimitError, (APIStatusError,)),
        (ServerError, (APIStatusError,)),
        (UnexpectedResponseError, (APIStatusError,)),
        (OutputDecodeError, (GopherQueueError, ValueError)),
        (WaitTimeoutError, (GopherQueueError,)),
        (JobFailedError, (GopherQueueError,)),
        (APIError, (GopherQueueError,)),
    ],
)
def test_exception_tree(cls: type[Exception], bases: tuple[type[Exception], ...]) -> None:
    for base in bases:
        assert issubclass(cls, base)
    assert issubclass(cls, GopherQueueError)


def test_every_public_exception_is_a_gopherqueue_error() -> None:
    for name in gopherqueue.__all__:
        obj = getattr(gopherqueue, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert issubclass(obj, GopherQueueError) or name == "InsecureTransportWarning"


# ------------------------------------------------------------------------------------------
# status_error, directly


@pytest.mark.parametrize(
    ("status", "code", "message", "operation", "cls"),
    [
        (400, "invalid_request", "invalid JSON body", "submit_job", BadRequestError),
        (400, "validation_error", "job type is required", "submit_job", BadRequestError),
        (401, "unauthorized", "invalid credentials", "get_job", AuthenticationError),
        (403, "forbidden", "not allowed", "get_job", PermissionDeniedError),
        (404, "not_found", "job not found", "get_job", JobNotFoundError),
        (404, "not_found", "result not found", "get_job_result", ResultNotReadyError),
        (404, "not_found", "endpoint not found", "get_job", NotFoundError),
        (404, "not_found", "resource not found", "get_job", NotFoundError),
        (405, "method_not_allowed", "method not allowed", "get_job", APIStatusError),
        (409, "conflict", "job cannot be cancelled", "cancel_job", ConflictError),
        (429, "rate_limited", "slow down", "get_job", RateLimitError),
        (500, "internal_error", "boom", "get_job", ServerError),
        (
            500,
            "internal_error",
            "job cannot be cancelled in current state",
            "retry_job",
            ConflictError,
        ),
        # The same message from another operation is just a server error.
        (
            500,
            "internal_error",
            "job cannot be cancelled in current state",
            "cancel_job",
            ServerError,
        ),
        (
            500,
            "internal_error",
            "failed to create job 3: job already exists",
            "submit_batch",
            BatchConflictError,
        ),
        (
            500,
            "internal_error",
            "failed to create job 3: job already exists",
            "submit_job",
            ServerError,
        ),
        (502, "bad_gateway", "upstream", "get_job", ServerError),
        (503, "unavailable", "down", "get_job", ServerError),
        (504, "timeout", "upstream timeout", "get_job", ServerError),
    ],
)
def test_status_error_mapping(
    status: int, code: str, message: str, operation: str, cls: type[APIStatusError]
) -> None:
    response = reply(error(status, code, message, **{"X-Request-Id": "rid-7"}))

    err = status_error(response, operation=operation)

    assert type(err) is cls
    assert err.status_code == status
    assert err.code == code
    assert err.body == {"error": {"code": code, "message": message}}
    assert err.request_id == "rid-7"
    assert err.response is response
    assert err.method == "GET"
    assert err.url == "http://127.0.0.1:18080/api/v1/jobs"  # no query string
    assert str(err).startswith(f"{status} {code}: ")
    assert "rid-7" in str(err)
    if cls in (ConflictError, BatchConflictError):
        assert message in err.message  # explained, with the server's words kept
    else:
        assert err.message == message
    if isinstance(err, ValidationError):
        assert err.field is None


def test_batch_conflict_index() -> None:
    response = reply(
        error(500, "internal_error", "failed to create job 12: job already exists"), "POST"
    )
    err = status_error(response, operation="submit_batch")
    assert isinstance(err, BatchConflictError)
    assert err.index == 12
    assert "0..11" in err.message


@pytest.mark.parametrize(
    ("index", "kept"),
    [
        (0, "no item was created"),
        (1, "the server kept item 0 anyway"),
        (2, "the server kept items 0..1 anyway"),
    ],
)
def test_batch_conflict_says_what_was_kept(index: int, kept: str) -> None:
    text = f"failed to create job {index}: job already exists"
    err = status_error(reply(error(500, "internal_error", text), "POST"), operation="submit_batch")
    assert isinstance(err, BatchConflictError)
    assert err.index == index
    assert kept in err.message
    assert "..-1" not in err.message


def test_retry_refusal_keeps_the_server_message() -> None:
    response = reply(error(500, "internal_error", "job cannot be cancelled in current state"))
    err = status_error(response, operation="retry_job")
    assert err.status_code == 500
    assert "only failed or dead_letter jobs can be retried" in err.message
    assert "job cannot be cancelled in current state" in err.message


@pytest.mark.parametrize(
    ("response", "cls", "status", "shown"),
    [
        (
            raw(404, b"404 page not found\n", "text/plain; charset=utf-8"),
            UnexpectedResponseError,
            404,
            "404 page not found",
        ),
        (
            raw(
                301,
                b'<a href="/api/v1/stats">Moved Permanently</a>.\n\n',
                "text/html; charset=utf-8",
                Location="/api/v1/stats",
            ),
            UnexpectedResponseError,
            301,
            "/api/v1/stats",
        ),
        (
            raw(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"),
            ServerError,
            502,
            "502 Bad Gateway",
        ),
        (raw(503, b"", None), ServerError, 503, "empty body"),
        (raw(401, b"Unauthorized", "text/plain"), AuthenticationError, 401, "Unauthorized"),
        (raw(403, b"<html>Forbidden</html>", "text/html"), PermissionDeniedError, 403, "Forbidden"),
        (raw(429, b"Too Many Requests", "text/plain"), RateLimitError, 429, "Too Many Requests"),
        (raw(400, b"Bad Request", "text/plain"), UnexpectedResponseError, 400, "Bad Request"),
        (raw(500, b"{not json", "application/json"), ServerError, 500, "{not json"),
        (ok({"error": "just a string"}, 404), UnexpectedResponseError, 404, "just a string"),
        (ok(["a", "list"], 500), ServerError, 500, "list"),
        (ok({"error": {"code": 1, "message": 2}}, 409), UnexpectedResponseError, 409, "code"),
    ],
    ids=[
        "text-404",
        "html-301",
        "html-502",
        "empty-503",
        "text-401",
        "html-403",
        "text-429",
        "text-400",
        "truncated-json-500",
        "odd-envelope-404",
        "list-500",
        "typed-envelope-409",
    ],
)
def test_replies_that_are_not_the_envelope(
    response: httpx.Response, cls: type[APIStatusError], status: int, shown: str
) -> None:
    err = status_error(reply(response), operation="get_job")
    assert type(err) is cls
    assert err.status_code == status
    assert err.code is None
    assert shown in err.message


@settings(derandomize=True)
@given(
    status=st.sampled_from([400, 401, 404, 409, 429, 500, 502, 503]),
    code=st.one_of(st.none(), st.text(max_size=10), st.integers()),
    message=st.one_of(
        st.text(max_size=30),
        st.text(max_size=8).map(lambda t: f"failed to create job {t}: job already exists"),
        st.integers(),
    ),
    operation=st.sampled_from(["submit_batch", "retry_job", "get_job", "get_job_result"]),
)
@example(
    status=500,
    code="internal_error",
    message="failed to create job \u00b2: job already exists",
    operation="submit_batch",
)
def test_status_error_maps_any_envelope(
    status: int, code: Any, message: Any, operation: str
) -> None:
    response = reply(ok({"error": {"code": code, "message": message}}, status))
    err = status_error(response, operation=operation)
    assert isinstance(err, APIStatusError)
    assert err.status_code == status
    if isinstance(err, BatchConflictError):
        assert err.index >= 0


def test_long_bodies_are_shortened() -> None:
    err = status_error(reply(raw(502, b"x" * 5000, "text/html")), operation="get_job")
    assert len(err.message) < 300
    assert err.message.endswith("...")
    assert excerpt(b"\xff\xfe abc") == "\ufffd\ufffd abc"


# ------------------------------------------------------------------------------------------
# Through the clients

OPERATIONS: list[tuple[str, tuple[Any, ...]]] = [
    ("submit", ("echo",)),
    ("submit_batch", ([{"type": "echo"}],)),
    ("get", (JOB_ID,)),
    ("wait", (JOB_ID,)),
    ("cancel", (JOB_ID,)),
    ("retry", (JOB_ID,)),
    ("result", (JOB_ID,)),
    ("delete", (JOB_ID,)),
    ("list", ()),
    ("stats", ()),
    ("health", ()),
    ("ready", ()),
    ("live", ()),
]
OPERATION_IDS = [name for name, _ in OPERATIONS]


@pytest.mark.parametrize(
    ("response", "cls"),
    [
        (error(400, "invalid_request", "invalid JSON body"), BadRequestError),
        (error(401, "unauthorized", "invalid credentials"), AuthenticationError),
        (error(403, "forbidden", "no"), PermissionDeniedError),
        (error(404, "not_found", "endpoint not found"), NotFoundError),
        (error(405, "method_not_allowed", "method not allowed"), APIStatusError),
        (raw(404, b"404 page not found\n", "text/plain; charset=utf-8"), UnexpectedResponseError),
        (raw(301, b"<a>Moved</a>", "text/html", Location="/api/v1"), UnexpectedResponseError),
    ],
    ids=["400", "401", "403", "404", "405", "text-404", "html-301"],
)
async def test_client_errors_map_on_every_operation(
    gq: Client, server: FakeServer, response: httpx.Response, cls: type[APIStatusError]
) -> None:
    for operation, args in OPERATIONS:
        server.sent.clear()
        server.script(response)
        with pytest.raises(cls) as info:
            await call(gq, operation, *args)
        assert type(info.value) is cls, operation
        assert info.value.status_code == response.status_code, operation
        assert len(server.sent) == 1, operation  # none of these is retried


@pytest.mark.parametrize(
    ("failure", "cls"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), APIConnectionError),
        (httpx.ConnectTimeout("connect timed out"), APITimeoutError),
        (httpx.ReadTimeout("read timed out"), APITimeoutError),
        (httpx.WriteTimeout("write timed out"), APITimeoutError),
        (httpx.PoolTimeout("pool timed out"), APITimeoutError),
        (
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            APIConnectionError,
        ),
        (httpx.ReadError("connection reset by peer"), APIConnectionError),
    ],
    ids=lambda f: type(f).__name__ if isinstance(f, Exception) else "",
)
async def test_transport_errors_map_and_chain(
    make_client: Any, server: FakeServer, failure: Exception, cls: type[APIConnectionError]
) -> None:
    client = make_client(max_retries=0, api_key="secret-key")
    for operation, args in OPERATIONS:
        if operation == "wait":
            continue  # wait retries until its deadline: see test_operations_wait.py
        server.sent.clear()
        server.script(failure)

        with pytest.raises(cls) as info:
            await call(client, operation, *args)

        err = info.value
        assert type(err) is cls, operation
        assert scripted_cause(err) is failure, operation
        assert (err.method, err.url) == (
            server.last.method,
            f"http://127.0.0.1:18080{server.last.path}",
        )
        assert "secret-key" not in str(err)


async def test_wait_chains_the_transport_error_too(make_client: Any, server: FakeServer) -> None:
    client = make_client(max_retries=0)
    failure = httpx.RemoteProtocolError("Server disconnected without sending a response.")
    server.script(failure)
    with pytest.raises(APIConnectionError) as info:
        await call(client, "wait", JOB_ID, timeout=0)
    assert scripted_cause(info.value) is failure
    assert "30 s" in str(info.value)


# Replies that no operation may choke on: each must become an SDK exception (or, where the
# operation does not read the body, a result), never a json/KeyError/TypeError/ValueError.
WRONG_TYPES = {
    "id": 1,
    "type": 2,
    "state": 3,
    "priority": "high",
    "attempt": None,
    "max_attempts": [],
    "created_at": 5,
    "updated_at": None,
    "progress": "abc",
    "tags": "x",
    "completed": "yes",
    "job_id": 4,
    "success": "no",
    "duration": "5s",
    "output": "!!!",
    "completed_at": 7,
    "total": "x",
    "accepted": None,
    "rejected": None,
    "results": 5,
    "queue": 1,
    "workers": 2,
    "healthy": "x",
    "components": 3,
    "timestamp": 4,
    "jobs": 5,
    "count": "x",
    "ready": "x",
    "alive": "x",
}
BAD_QUEUE = {
    k: 0
    for k in [
        "pending",
        "scheduled",
        "running",
        "delayed",
        "completed",
        "failed",
        "dead_letter",
        "cancelled",
        "total_jobs",
        "storage_bytes",
    ]
}
BAD_WORKERS = {
    k: 0
    for k in [
        "total_workers",
        "active_workers",
        "idle_workers",
        "queued_jobs",
        "processed_jobs",
        "succeeded_jobs",
        "failed_jobs",
        "retried_jobs",
        "avg_processing_time",
        "max_processing_time",
        "p99_processing_time",
        "uptime",
    ]
}
HOSTILE = {
    "empty-200": raw(200, b"", "application/json"),
    "empty-201": raw(201, b"", None),
    "truncated-json": raw(200, b'{"id": "5e1b47c8', "application/json"),
    "html-200": raw(200, b"<html><body>Welcome to nginx</body></html>", "text/html"),
    "text-200": raw(200, b"OK", "text/plain"),
    "json-null": ok(None),
    "json-list": ok([]),
    "json-empty-object": ok({}),
    "json-number": ok(42),
    "wrong-types": ok(WRONG_TYPES),
    "state-null": ok(job_json(state=None) | {"state": None}),
    "state-number": ok(job_json(state=7)),
    "bad-timestamp": ok(job_json(created_at="yesterday")),
    "bad-progress": ok(job_json(progress="half")),
    "bad-tags": ok(job_json(tags=["a"])),
    "result-bad-base64": ok(result_json(output="%%%")),
    "result-bad-duration": ok(result_json(duration="5s")),
    "result-huge-duration": ok(result_json(duration=10**30)),
    "wait-result-bad-base64": ok(wait_json("completed", result=result_json(output="%%%"))),
    "wait-result-bad-duration": ok(wait_json("completed", result=result_json(duration=None))),
    "wait-state-null": ok({"id": JOB_ID, "state": None, "completed": False}),
    "batch-bad-item-job": ok(
        {
            "total": 1,
            "accepted": 1,
            "rejected": 0,
            "results": [{"index": 0, "success": True, "job": job_json(state=[])}],
        },
        201,
    ),
    "stats-bad-ids": ok(
        {
            "queue": {**BAD_QUEUE, "timestamp": "2026-11-28T19:12:14Z"},
            "workers": {**BAD_WORKERS, "processing_ids": 5, "healthy": True},
        }
    ),
    "stats-bad-duration": ok(
        {
            "queue": {**BAD_QUEUE, "timestamp": "2026-11-28T19:12:14Z"},
            "workers": {**BAD_WORKERS, "uptime": "9s", "processing_ids": None, "healthy": True},
        }
    ),
    "health-bad-latency": ok(
        {
            "healthy": True,
            "components": {"store": {"healthy": True, "latency": "21us"}},
            "timestamp": "2026-11-28T19:12:14Z",
        }
    ),
    "health-bad-components": ok(
        {"healthy": True, "components": ["store"], "timestamp": "2026-11-28T19:12:14Z"}
    ),
}


@pytest.mark.parametrize("response", list(HOSTILE.values()), ids=list(HOSTILE))
async def test_malformed_success_replies_raise_only_sdk_errors(
    gq: Client, server: FakeServer, response: httpx.Response
) -> None:
    server.default = response
    escaped: list[str] = []
    raised: list[tuple[str, GopherQueueError]] = []
    for operation, args in OPERATIONS:
        kwargs = {"timeout": 0} if operation == "wait" else {}
        try:
            await call(gq, operation, *args, **kwargs)
        except GopherQueueError as exc:
            raised.append((operation, exc))
        except Exception as exc:  # KeyError, TypeError, JSONDecodeError, a bare ValueError...
            escaped.append(f"{operation}: {type(exc).__name__}: {exc}")
    assert escaped == []
    for operation, err in raised:
        if isinstance(err, APIStatusError):
            assert err.status_code == response.status_code, operation
        if isinstance(err, UnexpectedResponseError) and operation != "delete":
            assert err.__cause__ is not None, operation


@pytest.mark.parametrize(
    "response",
    [HOSTILE["empty-200"], HOSTILE["truncated-json"], HOSTILE["html-200"], HOSTILE["json-list"]],
    ids=["empty", "truncated", "html", "list"],
)
async def test_unreadable_success_replies_are_unexpected_response_errors(
    gq: Client, server: FakeServer, response: httpx.Response
) -> None:
    server.default = response
    for operation, args in OPERATIONS:
        if operation in ("delete", "ready", "live"):
            continue
        kwargs = {"timeout": 0} if operation == "wait" else {}
        with pytest.raises(UnexpectedResponseError) as info:
            await call(gq, operation, *args, **kwargs)
        err = info.value
        assert err.status_code == 200, operation
        assert isinstance(err.__cause__, (ValueError, KeyError, TypeError, AttributeError))
        if response.content:
            assert response.content.decode().strip()[:20] in err.message, operation
        else:
            assert "empty body" in err.message, operation


async def test_no_message_contains_the_api_key(make_client: Any, server: FakeServer) -> None:
    client = make_client(api_key="top-secret-key", max_retries=0)
    failures: list[Any] = [
        httpx.ConnectError("refused"),
        error(401, "unauthorized", "invalid credentials"),
        raw(502, b"<html/>", "text/html"),
        raw(200, b"", "application/json"),
    ]
    for failure in failures:
        server.script(failure)
        with pytest.raises(GopherQueueError) as info:
            await call(client, "get", JOB_ID)
        assert "top-secret-key" not in str(info.value)
        assert "top-secret-key" not in repr(info.value)
    assert (
        json.dumps([str(s.headers.get("x-api-key")) for s in server.sent]).count("top-secret-key")
        == 4
    )


# ------------------------------------------------------------------------------------------
# Pickling: every public exception crosses a process boundary, without the API key


PICKLE_SECRET = "gq-pickle-SECRET-51d0"


def _keyed_response(status: int, body: Any, **headers: str) -> httpx.Response:
    request = httpx.Request(
        "GET",
        f"http://127.0.0.1:18080/api/v1/jobs/{JOB_ID}",
        headers={"X-API-Key": PICKLE_SECRET, "Authorization": f"Bearer {PICKLE_SECRET}"},
    )
    return httpx.Response(
        status,
        json=body,
        headers={"X-Request-Id": "req-77", **headers},
        request=request,
    )


def _envelope(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


_OUTCOME = WaitResult(
    job_id=JOB_ID,
    state=JobState.FAILED,
    completed=True,
    success=False,
    timed_out=False,
    result=None,
)


def _status(cls: type[APIStatusError], status: int, **extra: Any) -> APIStatusError:
    response = _keyed_response(status, _envelope("some_code", "some message"))
    return cls("some message", response=response, code="some_code", body=response.json(), **extra)


# One instance per public exception class, built as the SDK builds it.
EXAMPLES: dict[type[BaseException], Callable[[], BaseException]] = {
    GopherQueueError: lambda: GopherQueueError("plain"),
    ValidationError: lambda: ValidationError("priority must be 0-4", field="priority"),
    APIError: lambda: APIError("failed", method="GET", url="http://h/api/v1/stats"),
    APIConnectionError: lambda: APIConnectionError("refused", method="POST", url="http://h/x"),
    APITimeoutError: lambda: APITimeoutError("timed out", method="GET", url="http://h/y"),
    APIStatusError: lambda: _status(APIStatusError, 418),
    BadRequestError: lambda: _status(BadRequestError, 400),
    AuthenticationError: lambda: _status(AuthenticationError, 401),
    PermissionDeniedError: lambda: _status(PermissionDeniedError, 403),
    NotFoundError: lambda: _status(NotFoundError, 404),
    JobNotFoundError: lambda: status_error(
        _keyed_response(404, _envelope("not_found", "job not found")), operation="get_job"
    ),
    ResultNotReadyError: lambda: _status(ResultNotReadyError, 404),
    ConflictError: lambda: _status(ConflictError, 409),
    BatchConflictError: lambda: _status(BatchConflictError, 500, index=3),
    RateLimitError: lambda: _status(RateLimitError, 429),
    ServerError: lambda: _status(ServerError, 503),
    UnexpectedResponseError: lambda: _status(UnexpectedResponseError, 302),
    ResponseTooLargeError: lambda: ResponseTooLargeError(
        "too big", limit="max_response_size", max_size=10, method="GET", url="http://h/z"
    ),
    OutputDecodeError: lambda: OutputDecodeError("not JSON"),
    ClientClosedError: lambda: ClientClosedError(),
    WaitTimeoutError: lambda: WaitTimeoutError("ran out of time", outcome=_OUTCOME),
    JobFailedError: lambda: JobFailedError("the job failed", outcome=_OUTCOME),
    InsecureTransportWarning: lambda: InsecureTransportWarning("plain HTTP"),
}

PUBLIC_EXCEPTIONS = sorted(
    (
        obj
        for name in gopherqueue.__all__
        if isinstance(obj := getattr(gopherqueue, name), type) and issubclass(obj, BaseException)
    ),
    key=lambda cls: cls.__name__,
)

_ATTRIBUTES = (
    "message",
    "status_code",
    "code",
    "request_id",
    "body",
    "method",
    "url",
    "field",
    "index",
    "limit",
    "max_size",
    "outcome",
    "after_ambiguous_attempt",
)


def test_the_examples_cover_every_public_exception() -> None:
    assert set(PUBLIC_EXCEPTIONS) == set(EXAMPLES)
    assert len(PUBLIC_EXCEPTIONS) >= 22


@pytest.mark.parametrize("cls", PUBLIC_EXCEPTIONS, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_every_public_exception_pickles_without_the_api_key(
    cls: type[BaseException], protocol: int
) -> None:
    original = EXAMPLES[cls]()
    assert type(original) is cls
    if isinstance(original, APIError):
        original.after_ambiguous_attempt = True
    data = pickle.dumps(original, protocol=protocol)
    assert PICKLE_SECRET.encode() not in data
    assert b"SECRET-51d0" not in data
    copy = pickle.loads(data)
    assert type(copy) is cls
    assert str(copy) == str(original)
    assert copy.args == original.args
    for name in _ATTRIBUTES:
        assert getattr(copy, name, None) == getattr(original, name, None), name
    if isinstance(original, APIStatusError):
        assert isinstance(copy, APIStatusError)
        assert copy.status_code == original.status_code
        assert copy.request_id == "req-77"
        response = copy.response
        assert response.status_code == original.response.status_code
        assert response.content == original.response.content
        assert response.json() == original.response.json()
        assert response.headers["x-request-id"] == "req-77"
        assert response.request.method == "GET"
        assert response.request.url == original.response.request.url
        assert "x-api-key" not in response.request.headers
        assert "authorization" not in response.request.headers
        # The original keeps its own response, headers and all.
        assert original.response.request.headers["x-api-key"] == PICKLE_SECRET


def test_a_job_not_found_error_keeps_its_type_status_code_and_request_id() -> None:
    copy = pickle.loads(pickle.dumps(EXAMPLES[JobNotFoundError]()))
    assert isinstance(copy, JobNotFoundError)
    assert (copy.status_code, copy.code, copy.request_id) == (404, "not_found", "req-77")
    assert copy.message == "job not found"
    assert str(copy) == "404 not_found: job not found (request id req-77)"
