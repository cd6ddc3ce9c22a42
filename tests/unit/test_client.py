"""Client construction and configuration (``_client``): no I/O, URL and key from arguments or
the environment, options, ``with_options``, closing, the insecure-transport warning,
redirects, and ``client.raw``."""

from __future__ import annotations

import asyncio
import platform
import uuid
import warnings
from datetime import timedelta
from typing import Any

import httpx
import pytest

import gopherqueue
import gopherqueue._options
from gopherqueue import (
    ClientClosedError,
    GopherQueue,
    GopherQueueSync,
    InsecureTransportWarning,
    RetryPolicy,
    UnexpectedResponseError,
    ValidationError,
)
from gopherqueue_api.api.jobs import get_job
from gopherqueue_api.models.job import Job as RawJob
from tests.unit.fakes import BASE_URL, JOB_ID, Client, FakeServer, call, job_json, ok, raw

CLIENTS = [GopherQueueSync, GopherQueue]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOPHERQUEUE_URL", raising=False)
    monkeypatch.delenv("GOPHERQUEUE_API_KEY", raising=False)
    # The warning is given once per host and process; start every test afresh.
    monkeypatch.setattr(gopherqueue._options, "_warned_hosts", set())


@pytest.fixture
def forbidden() -> httpx.MockTransport:
    """A transport that fails the test if anything is sent through it."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"unexpected I/O: {request.method} {request.url}")

    return httpx.MockTransport(handler)


def sync_and_async(transport: httpx.MockTransport, **kwargs: Any) -> list[Client]:
    return [
        GopherQueueSync(BASE_URL, http_client=httpx.Client(transport=transport), **kwargs),
        GopherQueue(BASE_URL, http_client=httpx.AsyncClient(transport=transport), **kwargs),
    ]


# ------------------------------------------------------------------------------------------
# Construction


def test_construction_does_no_io(forbidden: httpx.MockTransport) -> None:
    for client in sync_and_async(forbidden, api_key="k"):
        assert client.url == BASE_URL
        client.with_options(max_retries=0, timeout=3)
        repr(client)


@pytest.mark.parametrize("cls", CLIENTS)
def test_construction_outside_an_event_loop_opens_nothing(cls: type[Client]) -> None:
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()
    client = cls("http://127.0.0.1:1", api_key="k")  # nothing listens there
    assert client.url == "http://127.0.0.1:1"
    assert not client._pool._entries  # connections open on first use only


@pytest.mark.parametrize("cls", CLIENTS)
@pytest.mark.parametrize(
    ("given", "url"),
    [
        ("http://localhost:8080", "http://localhost:8080"),
        ("http://localhost:8080/", "http://localhost:8080"),
        ("https://queue.example.com/prefix/", "https://queue.example.com/prefix"),
    ],
)
def test_url_positional_or_keyword(cls: type[Client], given: str, url: str) -> None:
    assert cls(given).url == url
    assert cls(url=given).url == url


@pytest.mark.parametrize("cls", CLIENTS)
def test_url_and_key_from_the_environment(
    cls: type[Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOPHERQUEUE_URL", "http://127.0.0.1:9999")
    monkeypatch.setenv("GOPHERQUEUE_API_KEY", "env-key")
    client = cls()
    assert client.url == "http://127.0.0.1:9999"
    assert client._settings.headers["X-API-Key"] == "env-key"
    explicit = cls("http://127.0.0.1:7777", api_key="arg-key")
    assert explicit.url == "http://127.0.0.1:7777"
    assert explicit._settings.headers["X-API-Key"] == "arg-key"


@pytest.mark.parametrize("cls", CLIENTS)
def test_empty_env_key_means_no_key(cls: type[Client], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOPHERQUEUE_API_KEY", "")
    assert "X-API-Key" not in cls(BASE_URL)._settings.headers


async def test_env_key_is_sent(
    make_client: Any, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOPHERQUEUE_API_KEY", "env-key")
    server.script(ok(job_json()))
    await call(make_client(), "get", JOB_ID)
    assert server.last.headers["x-api-key"] == "env-key"


@pytest.mark.parametrize("cls", CLIENTS)
def test_missing_url(cls: type[Client]) -> None:
    with pytest.raises(ValidationError, match="GOPHERQUEUE_URL") as info:
        cls()
    assert info.value.field == "url"


@pytest.mark.parametrize("cls", CLIENTS)
@pytest.mark.parametrize(
    "url",
    [
        "",
        "localhost:8080",
        "ftp://example.com",
        "http://",
        "http://example.com/?x=1",
        "http://example.com/#top",
        "http://user:pw@example.com",
        5,
        b"http://localhost",
    ],
)
def test_bad_urls(cls: type[Client], url: Any) -> None:
    with pytest.raises(ValidationError) as info:
        cls(url)
    assert info.value.field == "url"
    if url == "http://user:pw@example.com":
        assert "pw" not in str(info.value)  # credentials are never echoed


@pytest.mark.parametrize("cls", CLIENTS)
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"api_key": ""}, "api_key"),
        ({"api_key": 5}, "api_key"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": -1}, "timeout"),
        ({"timeout": "30"}, "timeout"),
        ({"timeout": True}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
        ({"max_retries": 1.5}, "max_retries"),
        ({"retry": {"max_retries": 1}}, "retry"),
        ({"wait_chunk": 0}, "wait_chunk"),
        ({"wait_chunk": 29}, "wait_chunk"),
        ({"wait_chunk": 30}, "wait_chunk"),
        ({"wait_chunk": True}, "wait_chunk"),
        ({"wait_chunk": "5"}, "wait_chunk"),
        ({"headers": {"X-Trace": 1}}, "headers"),
    ],
)
def test_bad_options(cls: type[Client], kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        cls(BASE_URL, **kwargs)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timeout": -1}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"retry": 3}, "retry"),
        ({"wait_chunk": 0}, "wait_chunk"),
        ({"wait_chunk": 29}, "wait_chunk"),
        ({"wait_chunk": True}, "wait_chunk"),
        ({"wait_chunk": "5"}, "wait_chunk"),
        ({"headers": {"X-Trace": 1}}, "headers"),
    ],
)
@pytest.mark.parametrize("cls", CLIENTS)
def test_bad_with_options(cls: type[Client], kwargs: dict[str, Any], field: str) -> None:
    client = cls(BASE_URL)
    with pytest.raises(ValidationError) as info:
        client.with_options(**kwargs)
    assert info.value.field == field


@pytest.mark.parametrize("cls", CLIENTS)
def test_repr_shows_the_url_never_the_key(cls: type[Client]) -> None:
    client = cls("https://queue.example.com", api_key="s3cr3t-key")
    assert repr(client) == f"{cls.__name__}(url='https://queue.example.com')"
    assert "s3cr3t" not in repr(client.with_options(max_retries=1))
    assert "s3cr3t" not in str(client)


def test_django_guide_construction() -> None:
    sync_client = GopherQueueSync(url="http://localhost:8080", api_key=None, timeout=30)
    async_client = GopherQueue(url="http://localhost:8080", api_key=None)
    assert sync_client.timeout == httpx.Timeout(30.0)
    assert async_client.timeout == httpx.Timeout(30.0)  # the default


# ------------------------------------------------------------------------------------------
# What every request carries


async def test_user_agent_and_accept(gq: Client, server: FakeServer) -> None:
    server.script(ok(job_json()))
    await call(gq, "get", JOB_ID)
    expected = (
        f"gopherqueue-python/{gopherqueue.__version__} httpx/{httpx.__version__} "
        f"python/{platform.python_version()}"
    )
    assert server.last.headers["user-agent"] == expected
    assert server.last.headers["accept"] == "application/json"
    assert server.last.headers["x-api-key"] == "secret-key"


async def test_no_key_no_header(make_client: Any, server: FakeServer) -> None:
    server.script(ok(job_json()))
    await call(make_client(), "get", JOB_ID)
    assert "x-api-key" not in server.last.headers


async def test_extra_headers_cannot_replace_the_key(make_client: Any, server: FakeServer) -> None:
    client = make_client(api_key="real", headers={"X-Trace": "t1", "X-API-Key": "fake"})
    server.script(ok(job_json()), ok(job_json()))

    await call(client, "get", JOB_ID)
    await call(client.with_options(headers={"X-Trace": "t2", "X-API-Key": "fake"}), "get", JOB_ID)

    assert [s.headers["x-trace"] for s in server.sent] == ["t1", "t2"]
    assert [s.headers["x-api-key"] for s in server.sent] == ["real", "real"]


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [
        (5, httpx.Timeout(5.0)),
        (2.5, httpx.Timeout(2.5)),
        (timedelta(seconds=7), httpx.Timeout(7.0)),
        (httpx.Timeout(1.0, read=9.0), httpx.Timeout(1.0, read=9.0)),
        (None, httpx.Timeout(None)),
    ],
)
async def test_timeout_option_reaches_the_request(
    make_client: Any, server: FakeServer, kind: str, timeout: Any, expected: httpx.Timeout
) -> None:
    client = make_client(timeout=timeout)
    server.script(ok(job_json()))
    await call(client, "get", JOB_ID)
    assert client.timeout == expected
    sent = expected.as_dict()
    if kind == "async-aiohttp":
        sent["write"] = None  # aiohttp has no write timeout
    assert server.last.request.extensions["timeout"] == sent


async def test_with_options_leaves_the_original_alone(gq: Client, server: FakeServer) -> None:
    copy = gq.with_options(timeout=3, max_retries=0, headers={"X-Trace": "1"}, wait_chunk=2)
    server.script(ok(job_json()), ok(job_json()))

    await call(copy, "get", JOB_ID)
    await call(gq, "get", JOB_ID)

    assert type(copy) is type(gq)
    assert copy.url == gq.url
    assert copy.timeout == httpx.Timeout(3.0)
    assert copy.retry_policy.max_retries == 0
    assert gq.timeout == httpx.Timeout(30.0)
    assert gq.retry_policy == RetryPolicy()
    assert server.sent[0].headers["x-trace"] == "1"
    assert "x-trace" not in server.sent[1].headers
    assert server.sent[0].request.extensions["timeout"]["read"] == 3.0
    assert server.sent[1].request.extensions["timeout"]["read"] == 30.0


# ------------------------------------------------------------------------------------------
# The connection pool: shared by with_options copies, closed by the original


def test_sync_pool_is_shared_and_closed_by_the_original() -> None:
    client = GopherQueueSync(BASE_URL, api_key="k")
    copy = client.with_options(max_retries=0)
    http = client.raw.get_httpx_client()
    assert copy.raw.get_httpx_client() is http
    assert not http.is_closed

    copy.close()  # a copy borrows the pool: closing it closes nothing
    assert not http.is_closed

    client.close()
    assert http.is_closed
    # Closing is final, for the copies too: no pool is opened again that nothing would close.
    for closed in (client, copy):
        with pytest.raises(ClientClosedError, match="closed"):
            _ = closed.raw
        with pytest.raises(ClientClosedError):
            closed.live()
    client.close()  # a second close is harmless


def test_sync_context_manager_closes() -> None:
    with GopherQueueSync(BASE_URL) as client:
        http = client.raw.get_httpx_client()
    assert http.is_closed


async def test_async_pool_is_shared_and_closed_by_the_original() -> None:
    async with GopherQueue(BASE_URL, api_key="k") as client:
        copy = client.with_options(timeout=5)
        http = client.raw.get_async_httpx_client()
        assert copy.raw.get_async_httpx_client() is http
        await copy.aclose()
        assert not http.is_closed
    assert http.is_closed


def test_async_client_gets_a_pool_per_event_loop() -> None:
    client = GopherQueue(BASE_URL)

    async def pool() -> httpx.AsyncClient:
        first = client.raw.get_async_httpx_client()
        assert client.raw.get_async_httpx_client() is first  # one per loop
        return first

    first = asyncio.run(pool())
    second = asyncio.run(pool())
    assert first is not second


def test_injected_clients_are_not_closed(forbidden: httpx.MockTransport) -> None:
    http = httpx.Client(transport=forbidden)
    with GopherQueueSync(BASE_URL, http_client=http) as client:
        assert client.raw.get_httpx_client() is http
    assert not http.is_closed
    http.close()


async def test_injected_async_client_is_not_closed(forbidden: httpx.MockTransport) -> None:
    http = httpx.AsyncClient(transport=forbidden)
    async with GopherQueue(BASE_URL, http_client=http):
        pass
    assert not http.is_closed
    await http.aclose()


# ------------------------------------------------------------------------------------------
# Insecure transport warning


@pytest.mark.parametrize("cls", CLIENTS)
def test_key_over_plain_http_to_another_host_warns(cls: type[Client]) -> None:
    with pytest.warns(InsecureTransportWarning, match=r"queue\.example\.com") as record:
        cls("http://queue.example.com:8080", api_key="k")
    assert len(record) == 1
    # Attributed to the line that built the client, not to SDK internals or its caller.
    assert record[0].filename == __file__


@pytest.mark.parametrize("cls", CLIENTS)
@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://127.0.0.1:8080", "k"),
        ("http://127.5.6.7", "k"),
        ("http://localhost:8080", "k"),
        ("http://api.localhost", "k"),
        ("http://[::1]:8080", "k"),
        ("https://queue.example.com", "k"),
        ("http://queue.example.com", None),
    ],
)
def test_no_warning_for_loopback_https_or_no_key(
    cls: type[Client], url: str, key: str | None
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cls(url, api_key=key)


def test_the_warning_is_given_once_per_host() -> None:
    with pytest.warns(InsecureTransportWarning):
        GopherQueueSync("http://queue.example.com", api_key="k")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GopherQueue("http://queue.example.com", api_key="k")
    with pytest.warns(InsecureTransportWarning, match="other"):
        GopherQueueSync("http://other.example.com", api_key="k")


# ------------------------------------------------------------------------------------------
# Redirects


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_redirects_are_never_followed(kind: str) -> None:
    server = FakeServer()
    server.script(
        raw(
            301,
            b'<a href="/api/v1/stats">Moved Permanently</a>.\n',
            "text/html",
            Location="/api/v1/stats",
        )
    )
    transport = httpx.MockTransport(server)
    client: Client
    if kind == "sync":
        client = GopherQueueSync(
            BASE_URL, http_client=httpx.Client(transport=transport, follow_redirects=True)
        )
    else:
        client = GopherQueue(
            BASE_URL, http_client=httpx.AsyncClient(transport=transport, follow_redirects=True)
        )

    with pytest.raises(UnexpectedResponseError, match="redirect") as info:
        await call(client, "get", JOB_ID)

    assert info.value.status_code == 301
    assert "/api/v1/stats" in info.value.message
    assert len(server.sent) == 1  # the Location was not requested


def test_owned_pool_does_not_follow_redirects() -> None:
    with GopherQueueSync(BASE_URL) as client:
        assert client.raw.get_httpx_client().follow_redirects is False


# ------------------------------------------------------------------------------------------
# client.raw: the generated client on the same pool


def test_raw_with_a_generated_endpoint_sync() -> None:
    server = FakeServer()
    server.script(ok(job_json()))
    http = httpx.Client(base_url=BASE_URL, transport=httpx.MockTransport(server))
    gq = GopherQueueSync(BASE_URL, http_client=http)

    response = get_job.sync_detailed(uuid.UUID(JOB_ID), client=gq.raw)

    assert response.status_code == 200
    assert isinstance(response.parsed, RawJob)
    assert response.parsed.id == JOB_ID
    assert server.last.path == f"/api/v1/jobs/{JOB_ID}"
    http.close()


async def test_raw_with_a_generated_endpoint_async() -> None:
    server = FakeServer()
    server.script(ok(job_json(state="running")))
    http = httpx.AsyncClient(base_url=BASE_URL, transport=httpx.MockTransport(server))
    gq = GopherQueue(BASE_URL, http_client=http)

    parsed = await get_job.asyncio(uuid.UUID(JOB_ID), client=gq.raw)

    assert isinstance(parsed, RawJob)
    assert parsed.state == "running"
    await http.aclose()


def test_raw_on_the_owned_pool_carries_url_and_key() -> None:
    with GopherQueueSync(BASE_URL, api_key="k", timeout=4) as client:
        http = client.raw.get_httpx_client()
        assert str(http.base_url) == BASE_URL
        assert http.headers["x-api-key"] == "k"
        assert http.headers["user-agent"].startswith("gopherqueue-python/")
        assert http.timeout == httpx.Timeout(4.0)


def test_async_raw_outside_an_event_loop_is_a_clear_sdk_error() -> None:
    from gopherqueue import GopherQueue, GopherQueueError

    client = GopherQueue("http://127.0.0.1:9")
    with pytest.raises(GopherQueueError, match="running event loop") as info:
        client.raw  # noqa: B018
    assert isinstance(info.value.__cause__, RuntimeError)
