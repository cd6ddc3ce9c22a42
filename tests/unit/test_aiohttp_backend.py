"""The aiohttp backend without a server (``_aiohttp``, ``GopherQueue(http_backend=...)``): the
mapping of aiohttp's failures to the httpx exceptions the flows expect, requests built as httpx
builds them, the responses handed to the flows, timeouts, TLS and proxy settings, option
validation, the session pool, and that ``import gopherqueue`` does not import aiohttp.

The backend end to end, over real sockets: ``tests/e2e/test_aiohttp_backend.py``.
"""

from __future__ import annotations

import asyncio
import gc
import ssl
import subprocess
import sys
import warnings
from typing import Any

import aiohttp
import httpx
import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

import gopherqueue._options
from gopherqueue import (
    APIConnectionError,
    APITimeoutError,
    GopherQueue,
    GopherQueueSync,
    ValidationError,
)
from gopherqueue._aiohttp import (
    AiohttpDriver,
    Session,
    _Response,
    client_timeout,
    new_session,
    request_body,
    transport_error,
)
from gopherqueue._effects import Request
from gopherqueue._exceptions import connection_error, maybe_applied
from gopherqueue._transport import request_url

URL_ = "http://127.0.0.1:9/api/v1/jobs"
SENT = ("POST", URL_, {"X-API-Key": "secret-key", "Content-Type": "application/json"})


def _request_info() -> aiohttp.RequestInfo:
    headers = CIMultiDictProxy(CIMultiDict(SENT[2]))
    return aiohttp.RequestInfo(URL(URL_), "POST", headers, URL(URL_))


def _connector_error() -> aiohttp.ClientConnectorError:
    # What aiohttp raises for a refused connection, built the way its connector builds it.
    key: Any = type("Key", (), {"host": "127.0.0.1", "port": 9, "ssl": True})()
    return aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "Connection refused"))


# (aiohttp/asyncio failure, httpx type the flows get, whether the request may have been applied)
CASES: list[tuple[str, BaseException, type[Exception], bool]] = [
    ("refused", _connector_error(), httpx.ConnectError, False),
    (
        "connect timeout",
        aiohttp.ConnectionTimeoutError("Connection timeout to host http://127.0.0.1:9"),
        httpx.ConnectTimeout,
        False,
    ),
    (
        "connect timeout, aiohttp < 3.10",
        aiohttp.ServerTimeoutError("Connection timeout to host http://127.0.0.1:9"),
        httpx.ConnectTimeout,
        False,
    ),
    (
        "read timeout",
        aiohttp.SocketTimeoutError("Timeout on reading data from socket"),
        httpx.ReadTimeout,
        True,
    ),
    ("read timeout, plain", aiohttp.ServerTimeoutError("Timeout"), httpx.ReadTimeout, True),
    ("asyncio timeout", TimeoutError(), httpx.ReadTimeout, True),
    ("disconnected", aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError, True),
    (
        "incomplete body",
        aiohttp.ClientPayloadError("Response payload is not completed"),
        httpx.RemoteProtocolError,
        True,
    ),
    (
        "unparseable reply",
        aiohttp.ClientResponseError(_request_info(), (), status=400, message="Bad status line"),
        httpx.RemoteProtocolError,
        True,
    ),
    (
        "reset",
        aiohttp.ClientOSError(104, "Connection reset by peer"),
        httpx.ReadError,
        True,
    ),
    ("reset, 3.10+", aiohttp.ClientConnectionResetError("reset"), httpx.ReadError, True),
    ("other client error", aiohttp.ClientError("something else"), httpx.NetworkError, True),
    ("invalid url", aiohttp.InvalidURL("http://["), httpx.InvalidURL, False),
]


@pytest.mark.parametrize(("name", "exc", "expected", "applied"), CASES, ids=[c[0] for c in CASES])
def test_failures_become_the_httpx_exceptions_the_flows_map(
    name: str, exc: BaseException, expected: type[Exception], applied: bool
) -> None:
    mapped = transport_error(exc, SENT)
    assert type(mapped) is expected, name
    assert type(exc).__name__ in str(mapped)  # the backend's own words are kept
    if isinstance(mapped, httpx.RequestError):
        assert mapped.request.method == "POST"
        assert str(mapped.request.url) == URL_
    # What the retry layer makes of it.
    assert maybe_applied(mapped) is applied
    request = Request(
        "submit_job", {"method": "post", "url": "/api/v1/jobs"}, "http://h", {}, httpx.Timeout(1)
    )
    error = connection_error(mapped, request)
    timeout = expected in (httpx.ConnectTimeout, httpx.ReadTimeout)
    assert isinstance(error, APITimeoutError) is timeout
    assert isinstance(error, APIConnectionError)
    assert "secret-key" not in str(error)
    assert "secret-key" not in str(mapped)


def test_the_timeouts_of_a_request_become_aiohttp_timeouts() -> None:
    assert client_timeout(httpx.Timeout(5, read=7, write=3, pool=2)) == aiohttp.ClientTimeout(
        total=None, connect=7, sock_connect=5, sock_read=7
    )
    assert client_timeout(httpx.Timeout(30)) == aiohttp.ClientTimeout(
        total=None, connect=60, sock_connect=30, sock_read=30
    )
    assert client_timeout(httpx.Timeout(None)) == aiohttp.ClientTimeout(
        total=None, connect=None, sock_connect=None, sock_read=None
    )
    assert client_timeout(httpx.Timeout(5, pool=None)).connect is None


@pytest.mark.parametrize(
    "value",
    [
        {"type": "echo", "payload": {"a": [1, 2.5, None, True]}, "idempotency_key": "k"},
        {"type": "émoji ✓ 🎉", "payload": 'tab\there "quoted" \\ back', "tags": {}},
        [1, "x", {"nested": {"deeper": []}}],
        {"big": 10**30, "small": -1e-12},
    ],
)
def test_json_bodies_are_encoded_exactly_as_httpx_encodes_them(value: Any) -> None:
    assert request_body({"json": value}) == httpx.Request("POST", URL_, json=value).content


def test_pre_encoded_content_is_sent_as_is_and_no_body_is_none() -> None:
    assert request_body({"content": b'{"jobs":[]}', "json": {"ignored": 1}}) == b'{"jobs":[]}'
    assert request_body({"method": "get"}) is None


def test_the_query_is_encoded_as_httpx_encodes_params() -> None:
    params = {"state": "completed", "type": "a b&c=d/é"}
    effect = Request(
        "list_jobs",
        {"method": "get", "url": "/api/v1/jobs", "params": params},
        "http://h:1/base",
        {},
        httpx.Timeout(1),
    )
    expected = httpx.Request("GET", "http://h:1/base/api/v1/jobs", params=params).url
    assert request_url(effect) == str(expected)
    effect.kwargs["params"] = {}
    assert request_url(effect) == "http://h:1/base/api/v1/jobs"


def _response(status: int, body: bytes, sent: tuple[str, str, dict[str, str]] = SENT) -> _Response:
    raw = (
        (b"Content-Type", b"application/json"),
        (b"X-Request-Id", b"r-1"),
        (b"Set-Cookie", b"a=1"),
        (b"Set-Cookie", b"b=2"),
    )
    fake: Any = type("Resp", (), {"status": status, "raw_headers": raw})()
    from gopherqueue._aiohttp import _response as make

    response = make(fake, sent, body)
    assert isinstance(response, _Response)
    return response


def test_responses_are_real_httpx_responses() -> None:
    response = _response(201, b'{"id": "x"}\n')
    assert isinstance(response, httpx.Response)
    assert response.status_code == 201
    assert response.is_success
    assert response.content == b'{"id": "x"}\n'
    assert response.json() == {"id": "x"}
    assert response.text == '{"id": "x"}\n'
    assert response.headers["x-request-id"] == "r-1"
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]
    assert response.is_closed


def test_the_request_of_a_response_is_built_when_first_used() -> None:
    response = _response(404, b'{"error": {"code": "not_found", "message": "job not found"}}')
    assert response._built is None  # building one costs more than the rest of a fast call
    request = response.request
    assert (request.method, str(request.url)) == ("POST", URL_)
    assert request.headers["x-api-key"] == "secret-key"
    assert response.request is request
    with pytest.raises(httpx.HTTPStatusError) as info:
        response.raise_for_status()
    assert info.value.request is request


class _FakeContent:
    def __init__(self, error: BaseException) -> None:
        self.error = error

    async def readany(self) -> bytes:
        raise self.error


class _FakeResp:
    status = 200
    raw_headers = ((b"Content-Type", b"text/event-stream"),)

    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.content = _FakeContent(error)
        self.closed = False
        self.released = False

    async def read(self) -> bytes:
        raise self.error

    def close(self) -> None:
        self.closed = True

    def release(self) -> None:
        self.released = True


class _FakeHttp:
    def __init__(self, outcome: BaseException | _FakeResp) -> None:
        self.outcome = outcome
        self.calls: list[dict[str, Any]] = []

    async def request(self, method: str, url: str, **kwargs: Any) -> _FakeResp:
        self.calls.append({"method": method, "url": url, **kwargs})
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome


def _driver(outcome: BaseException | _FakeResp) -> tuple[AiohttpDriver, _FakeHttp]:
    http = _FakeHttp(outcome)
    session = Session(http, None, None)  # type: ignore[arg-type]  # a double of ClientSession
    return AiohttpDriver(session), http


def _effect() -> Request:
    return Request(
        "submit_job",
        {
            "method": "post",
            "url": "/api/v1/jobs",
            "json": {"type": "echo"},
            "headers": {"Content-Type": "application/json"},
        },
        "http://127.0.0.1:9",
        {"X-API-Key": "secret-key", "User-Agent": "ua"},
        httpx.Timeout(3, read=4),
    )


async def test_a_request_is_sent_once_as_built_and_never_redirected() -> None:
    driver, http = _driver(aiohttp.ServerDisconnectedError())
    with pytest.raises(httpx.RemoteProtocolError):
        await driver.perform(_effect())
    (call,) = http.calls
    assert call["method"] == "POST"
    assert call["url"] == "http://127.0.0.1:9/api/v1/jobs"
    assert call["headers"] == {
        "X-API-Key": "secret-key",
        "User-Agent": "ua",
        "Content-Type": "application/json",
    }
    assert call["data"] == b'{"type":"echo"}'
    assert call["allow_redirects"] is False
    assert call["timeout"] == aiohttp.ClientTimeout(
        total=None, connect=6, sock_connect=3, sock_read=4
    )


async def test_the_original_failure_is_chained_as_the_cause() -> None:
    original = _connector_error()
    driver, _ = _driver(original)
    with pytest.raises(httpx.ConnectError) as info:
        await driver.perform(_effect())
    assert info.value.__cause__ is original


async def test_a_failed_body_read_closes_the_connection() -> None:
    resp = _FakeResp(aiohttp.ClientPayloadError("Response payload is not completed"))
    driver, _ = _driver(resp)
    with pytest.raises(httpx.RemoteProtocolError) as info:
        await driver.perform(_effect())
    assert isinstance(info.value.__cause__, aiohttp.ClientPayloadError)
    assert resp.closed
    assert not resp.released


async def test_a_cancelled_body_read_closes_the_connection() -> None:
    resp = _FakeResp(asyncio.CancelledError())
    driver, _ = _driver(resp)
    with pytest.raises(asyncio.CancelledError):
        await driver.perform(_effect())
    assert resp.closed


async def test_a_failed_stream_read_is_mapped_and_close_all_closes_streams() -> None:
    from gopherqueue._effects import OpenStream, ReadChunk

    resp = _FakeResp(aiohttp.SocketTimeoutError("Timeout on reading data from socket"))
    driver, _ = _driver(resp)
    stream = await driver.perform(OpenStream(_effect()))
    assert stream.status_code == 200
    assert stream.headers["content-type"] == "text/event-stream"
    with pytest.raises(httpx.ReadTimeout) as info:
        await driver.perform(ReadChunk(stream))
    assert info.value.request.method == "POST"
    assert not resp.closed
    await driver.close_all()
    assert resp.closed
    assert driver.open == []


# -- sessions -------------------------------------------------------------------------------------


async def test_sessions_verify_tls_by_default_like_httpx() -> None:
    session = new_session(True, "https://gq.example")
    try:
        context = session.http.connector._ssl  # type: ignore[union-attr]
        assert isinstance(context, ssl.SSLContext)
        assert context.verify_mode == ssl.CERT_REQUIRED
        assert context.check_hostname
        assert context.cert_store_stats()["x509_ca"] > 0
    finally:
        await session.http.close()


async def test_verify_false_and_a_context_are_honoured() -> None:
    off = new_session(False, "https://gq.example")
    own = ssl.create_default_context()
    given = new_session(own, "https://gq.example")
    try:
        context = off.http.connector._ssl  # type: ignore[union-attr]
        assert context.verify_mode == ssl.CERT_NONE
        assert given.http.connector._ssl is own  # type: ignore[union-attr]
    finally:
        await off.http.close()
        await given.http.close()


async def test_sessions_never_resend_on_their_own() -> None:
    session = new_session(True, "http://127.0.0.1:9")
    try:
        assert session.http._retry_connection is False
    finally:
        await session.http.close()


async def test_a_proxy_from_the_environment_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "skipped.example")
    proxied = new_session(True, "http://gq.example:8080")
    bypassed = new_session(True, "http://skipped.example:8080")
    try:
        assert proxied.proxy == URL("http://proxy.example:3128")
        assert bypassed.proxy is None
    finally:
        await proxied.http.close()
        await bypassed.http.close()


def test_a_session_per_event_loop_and_a_stale_one_is_dropped_quietly() -> None:
    client = GopherQueue("http://127.0.0.1:9", http_backend="aiohttp")
    assert client._sessions is not None
    pool = client._sessions

    async def get() -> Session:
        first = pool.get()
        assert pool.get() is first  # one per loop
        return first

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = asyncio.run(get())  # the loop closes with the session still open
        second = asyncio.run(get())
        assert second is not first
        assert first.http.closed  # marked closed, so no "Unclosed client session"
        asyncio.run(client.aclose())
        assert second.http.closed
        del first, second
        gc.collect()
    assert not [w for w in caught if "Unclosed" in str(w.message)]


async def test_with_options_copies_share_the_session_and_only_the_original_closes_it() -> None:
    client = GopherQueue("http://127.0.0.1:9", http_backend="aiohttp")
    copy = client.with_options(timeout=3)
    assert copy._sessions is client._sessions
    assert client._sessions is not None
    session = client._sessions.get()
    await copy.aclose()
    assert not session.http.closed
    await client.aclose()
    assert session.http.closed


# -- the option ----------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["curl", "", "AIOHTTP", 1])
def test_an_unknown_backend_is_refused(backend: Any) -> None:
    with pytest.raises(ValidationError) as info:
        GopherQueue("http://127.0.0.1:9", http_backend=backend)
    assert info.value.field == "http_backend"


async def test_aiohttp_is_the_default_and_httpx_is_chosen_by_name_or_by_an_injected_client() -> (
    None
):
    assert GopherQueue("http://127.0.0.1:9")._sessions is not None
    assert GopherQueue("http://127.0.0.1:9", http_backend="aiohttp")._sessions is not None
    assert GopherQueue("http://127.0.0.1:9", http_backend="httpx")._sessions is None
    async with httpx.AsyncClient() as http:
        assert GopherQueue("http://127.0.0.1:9", http_client=http)._sessions is None
        assert (
            GopherQueue("http://127.0.0.1:9", http_client=http, http_backend="httpx")._sessions
            is None
        )


async def test_an_httpx_client_cannot_be_combined_with_aiohttp() -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(ValidationError, match="http_client") as info:
            GopherQueue("http://127.0.0.1:9", http_client=http, http_backend="aiohttp")
    assert info.value.field == "http_client"


async def test_raw_works_on_the_aiohttp_backend_over_an_httpx_client_of_its_own() -> None:
    client = GopherQueue("http://127.0.0.1:9", api_key="k")
    raw = client.raw
    http = raw.get_async_httpx_client()
    assert isinstance(http, httpx.AsyncClient)
    assert http.headers["X-API-Key"] == "k"
    assert client.raw.get_async_httpx_client() is http  # one pool, reused
    await client.aclose()
    assert http.is_closed


def test_every_backend_sends_the_same_user_agent() -> None:
    agents = {
        GopherQueue("http://127.0.0.1:9", http_backend=backend)._settings.headers["User-Agent"]
        for backend in ("aiohttp", "httpx", None)
    }
    agents.add(GopherQueueSync("http://127.0.0.1:9")._settings.headers["User-Agent"])
    assert len(agents) == 1
    assert agents.pop().startswith(f"gopherqueue-python/{gopherqueue.__version__} httpx/")


def test_import_gopherqueue_does_not_import_aiohttp() -> None:
    # The acceptance line of issue 14, as written.
    code = "import gopherqueue, sys; assert 'aiohttp' not in sys.modules"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_aiohttp_is_imported_by_the_first_async_request_only_and_never_by_the_sync_client() -> None:
    code = (
        "import asyncio, sys, gopherqueue\n"
        "sync = gopherqueue.GopherQueueSync('http://127.0.0.1:9', max_retries=0)\n"
        "try: sync.stats()\n"
        "except gopherqueue.APIConnectionError: pass\n"
        "client = gopherqueue.GopherQueue('http://127.0.0.1:9', max_retries=0)\n"
        "client.with_options(timeout=3)\n"
        "assert 'aiohttp' not in sys.modules, 'imported before the first async request'\n"
        "async def main():\n"
        "    try: await client.stats()\n"
        "    except gopherqueue.APIConnectionError: pass\n"
        "    await client.aclose()\n"
        "asyncio.run(main())\n"
        "assert 'aiohttp' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_the_insecure_transport_warning_points_at_the_callers_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(gopherqueue._options, "_warned_hosts", set())
    with pytest.warns(gopherqueue.InsecureTransportWarning) as caught:
        GopherQueue("http://gq.example", api_key="k", http_backend="aiohttp")
    assert caught[0].filename == __file__
