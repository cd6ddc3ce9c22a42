"""The retry policy: what is retried and how often, the pauses (backoff, ``Retry-After``,
deadline), the ``on_retry`` hook and ``max_retries`` per client and per ``with_options``;
through BOTH clients, and ``RetryPolicy`` directly. Pauses run on the virtual clock."""

from __future__ import annotations

import email.utils
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gopherqueue import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    BadRequestError,
    ConflictError,
    JobNotFoundError,
    RateLimitError,
    RetryEvent,
    RetryPolicy,
    ServerError,
)
from gopherqueue._exceptions import status_error
from gopherqueue._retry import retry_after_seconds
from tests.unit.fakes import (
    JOB_ID,
    Client,
    FakeServer,
    VirtualClock,
    call,
    error,
    finished_job_json,
    job_json,
    not_found,
    ok,
    raw,
)

RETRIED_STATUSES = [408, 429, 502, 503, 504]


def status(code: int, **headers: str) -> httpx.Response:
    return error(code, "some_code", f"status {code}", **headers)


# ------------------------------------------------------------------------------------------
# What is retried, through the clients


@pytest.mark.parametrize("code", RETRIED_STATUSES)
@pytest.mark.parametrize(
    ("operation", "args", "answer"),
    [
        ("get", (JOB_ID,), ok(job_json())),
        ("submit", ("echo",), ok(job_json(), 201)),
        ("cancel", (JOB_ID,), ok(job_json(state="cancelled"))),
    ],
    ids=["GET", "POST submit", "POST cancel"],
)
async def test_transient_statuses_are_retried_for_any_method(
    gq: Client,
    server: FakeServer,
    code: int,
    operation: str,
    args: tuple[Any, ...],
    answer: httpx.Response,
) -> None:
    server.script(status(code), status(code), answer)
    await call(gq, operation, *args)
    assert len(server.sent) == 3
    assert len({s.path for s in server.sent}) == 1


@pytest.mark.parametrize("code", RETRIED_STATUSES)
async def test_default_is_two_retries_then_the_last_error(
    gq: Client, server: FakeServer, clock: VirtualClock, code: int
) -> None:
    server.default = status(code)

    with pytest.raises(APIStatusError) as info:
        await call(gq, "get", JOB_ID)

    assert len(server.sent) == 3
    assert info.value.status_code == code
    assert isinstance(info.value, RateLimitError if code == 429 else APIStatusError)
    if code >= 500:
        assert isinstance(info.value, ServerError)
    assert len(clock.sleeps) == 2


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("connect"),
        httpx.ReadTimeout("read"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("reset"),
    ],
    ids=lambda f: type(f).__name__,
)
@pytest.mark.parametrize(
    ("operation", "args", "answer"),
    [("get", (JOB_ID,), ok(job_json())), ("submit", ("echo",), ok(job_json(), 201))],
    ids=["GET", "POST"],
)
async def test_connection_errors_are_retried(
    gq: Client,
    server: FakeServer,
    failure: Exception,
    operation: str,
    args: tuple[Any, ...],
    answer: httpx.Response,
) -> None:
    server.script(failure, failure, answer)
    await call(gq, operation, *args)
    assert len(server.sent) == 3


async def test_connection_errors_exhaust_the_retries(gq: Client, server: FakeServer) -> None:
    server.default = httpx.ReadTimeout("read")
    with pytest.raises(APITimeoutError):
        await call(gq, "get", JOB_ID)
    assert len(server.sent) == 3


async def test_500_is_retried_for_get(gq: Client, server: FakeServer) -> None:
    server.script(status(500), status(500), ok(job_json()))
    await call(gq, "get", JOB_ID)
    assert len(server.sent) == 3


@pytest.mark.parametrize(
    ("operation", "args"),
    [
        ("submit", ("echo",)),
        ("cancel", (JOB_ID,)),
        ("retry", (JOB_ID,)),
        ("delete", (JOB_ID,)),
        ("submit_batch", ([{"type": "echo"}],)),
    ],
)
async def test_500_is_not_retried_for_requests_that_change_things(
    gq: Client, server: FakeServer, operation: str, args: tuple[Any, ...]
) -> None:
    server.default = status(500)
    if operation == "retry":
        # retry() looks at the job first (a GET, which may be retried); not under test here.
        server.script(ok(finished_job_json("failed")))
    with pytest.raises(ServerError):
        await call(gq, operation, *args)
    assert len([s for s in server.sent if s.method != "GET"]) == 1


@pytest.mark.parametrize(
    ("answer", "cls"),
    [
        (error(400, "invalid_request", "invalid JSON body"), BadRequestError),
        (not_found("job"), JobNotFoundError),
        (error(409, "conflict", "job cannot be cancelled"), ConflictError),
        (error(401, "unauthorized", "invalid credentials"), APIStatusError),
        (error(403, "forbidden", "no"), APIStatusError),
        (error(405, "method_not_allowed", "method not allowed"), APIStatusError),
        (raw(301, b"", "text/html", Location="/api/v1"), APIStatusError),
    ],
    ids=["400", "404", "409", "401", "403", "405", "301"],
)
@pytest.mark.parametrize(
    ("operation", "args"), [("get", (JOB_ID,)), ("cancel", (JOB_ID,))], ids=["GET", "POST"]
)
async def test_client_errors_are_never_retried(
    gq: Client,
    server: FakeServer,
    clock: VirtualClock,
    answer: httpx.Response,
    cls: type[Exception],
    operation: str,
    args: tuple[Any, ...],
) -> None:
    server.default = answer
    with pytest.raises(cls):
        await call(gq, operation, *args)
    assert len(server.sent) == 1
    assert clock.sleeps == []


# ------------------------------------------------------------------------------------------
# Pauses


async def test_backoff_is_full_jitter_exponential(
    gq: Client, server: FakeServer, clock: VirtualClock
) -> None:
    server.default = status(503)
    with pytest.raises(ServerError):
        await call(gq.with_options(max_retries=5), "get", JOB_ID)
    caps = [0.5, 1.0, 2.0, 4.0, 8.0]
    assert len(clock.sleeps) == 5
    for pause, cap in zip(clock.sleeps, caps, strict=True):
        assert 0 <= pause <= cap


async def test_retry_after_seconds_is_honoured(
    gq: Client, server: FakeServer, clock: VirtualClock
) -> None:
    server.script(status(429, **{"Retry-After": "7"}), status(503, **{"Retry-After": "2"}))
    server.script(ok(job_json()))
    await call(gq, "get", JOB_ID)
    assert clock.sleeps == [7.0, 2.0]


async def test_retry_after_above_the_cap_is_refused_not_shortened(
    make_client: Any, server: FakeServer, clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    # Retrying after 5 s when the server asked for an hour would only be refused again: the
    # error is raised at once, carrying the server's delay in its response.
    client = make_client(retry=RetryPolicy(retry_after_max=5))
    server.script(status(503, **{"Retry-After": "3600"}), ok(job_json()))
    with caplog.at_level(logging.INFO, logger="gopherqueue"), pytest.raises(ServerError) as caught:
        await call(client, "get", JOB_ID)
    assert caught.value.response.headers["Retry-After"] == "3600"
    assert clock.sleeps == []
    assert len(server.sent) == 1
    assert "retry_after_max" in caplog.text


async def test_retry_after_http_date(gq: Client, server: FakeServer, clock: VirtualClock) -> None:
    when = datetime.now(UTC) + timedelta(seconds=12)
    server.script(
        status(503, **{"Retry-After": email.utils.format_datetime(when, usegmt=True)}),
        ok(job_json()),
    )
    await call(gq, "get", JOB_ID)
    assert len(clock.sleeps) == 1
    assert 9 <= clock.sleeps[0] <= 12


@pytest.mark.parametrize("value", ["soon", "-5", "1.5", "", "\u00b2", "\u00b9\u00b2"])
async def test_unreadable_retry_after_falls_back_to_backoff(
    gq: Client, server: FakeServer, clock: VirtualClock, value: str
) -> None:
    # Header values are latin-1 on the wire: "\u00b2" is the byte 0xB2 (a superscript two).
    server.script(
        httpx.Response(
            503,
            headers=[(b"Retry-After", value.encode("latin-1"))],
            content=b'{"error":{"code":"unavailable","message":"later"}}',
        ),
        ok(job_json()),
    )
    await call(gq, "get", JOB_ID)
    assert len(clock.sleeps) == 1
    assert 0 <= clock.sleeps[0] <= 0.5


async def test_deadline_stops_retries_that_would_end_too_late(
    make_client: Any, server: FakeServer, clock: VirtualClock
) -> None:
    client = make_client(retry=RetryPolicy(max_retries=10, deadline=5))
    server.default = status(503, **{"Retry-After": "2"})
    with pytest.raises(ServerError):
        await call(client, "get", JOB_ID)
    # Attempts at t=0, 2, 4; a retry at t=6 would start after the 5 s deadline.
    assert len(server.sent) == 3
    assert clock.sleeps == [2.0, 2.0]


async def test_deadline_shorter_than_the_first_pause(
    make_client: Any, server: FakeServer, clock: VirtualClock
) -> None:
    client = make_client(retry=RetryPolicy(deadline=1))
    server.default = status(429, **{"Retry-After": "5"})
    with pytest.raises(RateLimitError):
        await call(client, "get", JOB_ID)
    assert len(server.sent) == 1
    assert clock.sleeps == []


# ------------------------------------------------------------------------------------------
# Configuration


async def test_on_retry_hook(make_client: Any, server: FakeServer, clock: VirtualClock) -> None:
    events: list[RetryEvent] = []
    client = make_client(retry=RetryPolicy(on_retry=events.append))
    server.script(
        status(503, **{"Retry-After": "1"}), httpx.ConnectError("refused"), ok(job_json())
    )

    await call(client, "get", JOB_ID)

    assert [(e.operation, e.attempt) for e in events] == [("get_job", 1), ("get_job", 2)]
    assert events[0].delay == 1.0
    assert isinstance(events[0].error, ServerError)
    assert isinstance(events[1].error, APIConnectionError)
    assert [e.delay for e in events] == clock.sleeps


async def test_retries_are_logged_without_secrets(
    gq: Client, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.script(status(503), ok(job_json()))
    with caplog.at_level(logging.DEBUG, logger="gopherqueue"):
        await call(gq, "get", JOB_ID)
    retry_lines = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retry_lines) == 1
    assert f"/api/v1/jobs/{JOB_ID}" in retry_lines[0]
    assert all("secret-key" not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(("max_retries", "attempts"), [(0, 1), (1, 2), (5, 6)])
async def test_max_retries_per_client(
    make_client: Any, server: FakeServer, max_retries: int, attempts: int
) -> None:
    client = make_client(max_retries=max_retries)
    server.default = status(503)
    with pytest.raises(ServerError):
        await call(client, "get", JOB_ID)
    assert len(server.sent) == attempts
    assert client.retry_policy.max_retries == max_retries


async def test_retry_policy_per_client(make_client: Any, server: FakeServer) -> None:
    client = make_client(retry=RetryPolicy(max_retries=1, backoff_base=0))
    server.default = httpx.ConnectError("refused")
    with pytest.raises(APIConnectionError):
        await call(client, "get", JOB_ID)
    assert len(server.sent) == 2


async def test_max_retries_overrides_the_policy(
    make_client: Any, server: FakeServer, clock: VirtualClock
) -> None:
    client = make_client(retry=RetryPolicy(max_retries=4, backoff_base=0), max_retries=1)
    assert client.retry_policy == RetryPolicy(max_retries=1, backoff_base=0)
    server.default = status(503)
    with pytest.raises(ServerError):
        await call(client, "get", JOB_ID)
    assert len(server.sent) == 2
    assert clock.sleeps == [0.0]


async def test_with_options_max_retries(gq: Client, server: FakeServer) -> None:
    server.default = status(503)

    with pytest.raises(ServerError):
        await call(gq.with_options(max_retries=0), "get", JOB_ID)
    assert len(server.sent) == 1

    server.sent.clear()
    with pytest.raises(ServerError):
        await call(gq.with_options(retry=RetryPolicy(max_retries=3)), "get", JOB_ID)
    assert len(server.sent) == 4

    server.sent.clear()
    with pytest.raises(ServerError):
        await call(gq, "get", JOB_ID)  # the original keeps its default
    assert len(server.sent) == 3


# ------------------------------------------------------------------------------------------
# RetryPolicy directly


def test_policy_defaults() -> None:
    policy = RetryPolicy()
    assert policy.max_retries == 2
    assert policy.backoff_base == 0.5
    assert policy.backoff_max == 8.0
    assert policy.retry_after_max == 30.0
    assert policy.deadline is None
    assert policy.on_retry is None


@pytest.mark.parametrize(
    "kwargs", [{"max_retries": -1}, {"backoff_base": -0.1}, {"backoff_max": -1}]
)
def test_policy_refuses_negative_values(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be >= 0"):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("retry", "cap"), [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (6, 8.0), (30, 8.0)]
)
def test_backoff_caps(retry: int, cap: float) -> None:
    policy = RetryPolicy()
    assert policy.backoff(retry, rng=lambda: 1.0) == cap
    assert policy.backoff(retry, rng=lambda: 0.0) == 0.0
    assert policy.backoff(retry, rng=lambda: 0.5) == cap / 2


def test_backoff_base_zero_never_pauses() -> None:
    assert RetryPolicy(backoff_base=0).backoff(3, rng=lambda: 1.0) == 0.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        (" 3 ", 3.0),
        ("0", 0.0),
        (None, None),
        ("", None),
        ("-1", None),
        ("1.5", None),
        ("later", None),
        ("\u00b2", None),
        ("\u0661\u0662", None),  # Arabic-Indic digits are not HTTP's DIGIT
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past
    ],
)
def test_retry_after_parsing(value: str | None, expected: float | None) -> None:
    assert retry_after_seconds(value) == expected


def test_retry_after_http_date_relative_to_now() -> None:
    now = datetime(2026, 11, 28, 19, 0, 0, tzinfo=UTC).timestamp()
    assert retry_after_seconds("Sat, 28 Nov 2026 19:00:10 GMT", now=lambda: now) == 10.0


@settings(derandomize=True)
@given(st.text(max_size=40))
def test_retry_after_never_raises(value: str) -> None:
    result = retry_after_seconds(value)
    assert result is None or result >= 0


def test_is_retryable_table() -> None:
    policy = RetryPolicy()
    request = httpx.Request("GET", "http://127.0.0.1:18080/api/v1/stats")

    def err(code: int, message: str = "m", operation: str = "get_stats") -> APIStatusError:
        response = error(code, "internal_error", message)
        response.request = request
        return status_error(response, operation=operation)

    for code in RETRIED_STATUSES:
        assert policy.is_retryable(err(code), method="POST")
    for code in (400, 401, 403, 404, 405, 409, 422):
        assert not policy.is_retryable(err(code), method="GET")
    assert policy.is_retryable(err(500), method="GET")
    assert policy.is_retryable(err(500), method="head")
    assert not policy.is_retryable(err(500), method="POST")
    assert not policy.is_retryable(err(500), method="DELETE")
    refusal = err(500, "job cannot be cancelled in current state", "retry_job")
    assert isinstance(refusal, ConflictError)
    assert not policy.is_retryable(refusal, method="GET")
    assert policy.is_retryable(APIConnectionError("x"), method="POST")
    assert policy.is_retryable(APITimeoutError("x"), method="DELETE")
