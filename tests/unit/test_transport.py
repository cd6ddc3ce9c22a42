"""The httpx drivers of ``_transport`` on ``httpx.MockTransport``: each effect, the run and
iterate loops, the per-request total deadline, and the ``Sleep`` hook."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from gopherqueue._effects import CloseStream, Emit, Flow, OpenStream, ReadChunk, Request, Sleep
from gopherqueue._exceptions import ResponseTooLargeError, ValidationError
from gopherqueue._transport import (
    AsyncHttpxDriver,
    Defaults,
    SyncIteration,
    iterate_async,
    request_headers,
    request_url,
    run_async,
    run_sync,
    total_seconds,
)
from tests.unit.fakes import BASE_URL

HEADERS = {"X-API-Key": "transport-key"}
TIMEOUT = httpx.Timeout(10.0)


def request(
    url: str = "/x",
    timeout: httpx.Timeout = TIMEOUT,
    max_size: int | None = None,
    **kwargs: Any,
) -> Request:
    return Request(
        "op", {"method": "get", "url": url, **kwargs}, BASE_URL, HEADERS, timeout, max_size
    )


def echo(req: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"path": req.url.path, "query": str(req.url.query, "ascii")})


def stream_flow(req: Request) -> Flow[None]:
    """Open a stream, emit each chunk, close it, pause once."""
    stream = yield OpenStream(req)
    while True:
        chunk: bytes = yield ReadChunk(stream)
        if not chunk:
            break
        yield Emit(chunk)
    yield CloseStream(stream)
    yield Sleep(1.5)


def one_request(req: Request) -> Flow[Any]:
    response: httpx.Response = yield req
    return response.json()


def failing_then_ok(req: Request) -> Flow[str]:
    try:
        yield req
    except httpx.ConnectError as exc:
        return f"thrown into the flow: {exc}"
    return "no error"


def emits(req: Request) -> Flow[None]:
    yield Emit("item")


def test_total_seconds_is_the_longest_phase_or_none() -> None:
    assert total_seconds(httpx.Timeout(2.0)) == 2.0
    assert total_seconds(httpx.Timeout(5.0, read=30.0)) == 30.0
    assert total_seconds(httpx.Timeout(5.0, read=1.0, pool=None)) == 5.0
    assert total_seconds(httpx.Timeout(None)) is None
    assert total_seconds(httpx.Timeout(5.0, read=None)) is None


def test_request_url_and_headers() -> None:
    req = request(params={"a": "1 2"}, headers={"X-Extra": "y"})
    assert request_url(req) == f"{BASE_URL}/x?a=1+2"
    assert request_url(request()) == f"{BASE_URL}/x"
    assert request_headers(req, None) == {**HEADERS, "X-Extra": "y"}
    assert request_headers(request(), Defaults(HEADERS, TIMEOUT)) is None
    assert request_headers(req, Defaults(HEADERS, TIMEOUT)) == {"X-Extra": "y"}


def test_run_sync_sends_and_returns_the_flows_result(caplog: pytest.LogCaptureFixture) -> None:
    with httpx.Client(transport=httpx.MockTransport(echo)) as http:
        with caplog.at_level(logging.DEBUG, logger="gopherqueue"):
            result = run_sync(one_request(request(params={"q": "1"})), http)
        assert result == {"path": "/x", "query": "q=1"}
        assert "GET /x -> 200" in caplog.text
        assert "transport-key" not in caplog.text
        # The client's own defaults: not passed again, the same result.
        defaults = Defaults(HEADERS, TIMEOUT)
        assert run_sync(one_request(request()), http, defaults)["path"] == "/x"


def test_run_sync_throws_transport_errors_into_the_flow(caplog: pytest.LogCaptureFixture) -> None:
    def refuse(req: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=req)

    with httpx.Client(transport=httpx.MockTransport(refuse)) as http:
        assert run_sync(failing_then_ok(request()), http) == "thrown into the flow: refused"


def test_run_sync_refuses_a_flow_that_emits() -> None:
    with (
        httpx.Client(transport=httpx.MockTransport(echo)) as http,
        pytest.raises(TypeError, match="cannot emit"),
    ):
        run_sync(emits(request()), http)


def test_unencodable_text_is_a_validation_error() -> None:
    with (
        httpx.Client(transport=httpx.MockTransport(echo)) as http,
        pytest.raises(ValidationError, match="lone surrogate"),
    ):
        run_sync(one_request(request(headers={"X-Bad": "\udc80"})), http)


def test_iterate_sync_streams_chunks_and_sleeps_through_the_hook() -> None:
    def stream(req: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=httpx.ByteStream(b"abc"))

    slept: list[float] = []
    with httpx.Client(transport=httpx.MockTransport(stream)) as http:
        items = list(SyncIteration(stream_flow(request()), http, None, slept.append))
    assert items == [b"abc"]
    assert slept == [1.5]


def test_closing_a_sync_iteration_closes_its_open_stream() -> None:
    closed: list[bool] = []

    class Body(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield b"one"
            yield b"two"

        def close(self) -> None:
            closed.append(True)

    with httpx.Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, stream=Body()))
    ) as http:
        iterator = SyncIteration(stream_flow(request()), http)
        assert next(iterator) == b"one"
        iterator.close()  # type: ignore[attr-defined]
    assert closed == [True]


@pytest.mark.parametrize("max_size", [None, 1024], ids=["uncapped", "capped"])
def test_sync_request_past_its_total_deadline_is_a_read_timeout(max_size: int | None) -> None:
    # httpx's read timeout restarts with every chunk; the total deadline does not.
    class Drip(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            for _ in range(3):
                # Time certainly passes the 1 ms deadline (a busy loop, not a sleep).
                until = time.monotonic() + 0.005
                while time.monotonic() < until:
                    pass
                yield b"x"

    def drip(req: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Drip())

    with httpx.Client(transport=httpx.MockTransport(drip)) as http:
        with pytest.raises(httpx.ReadTimeout, match=r"no complete response within 0\.001s"):
            run_sync(one_request(request(timeout=httpx.Timeout(0.001), max_size=max_size)), http)
        # No deadline without a read timeout.
        unbounded = request(timeout=httpx.Timeout(None), max_size=max_size)
        response = run_sync(_raw(unbounded), http)
        assert response.content == b"xxx"


def test_sync_body_cap_holds_under_the_total_deadline() -> None:
    # Both limits on one request: the capped read runs inside the deadline's stream.
    def big(req: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=httpx.ByteStream(b"x" * 10))

    with httpx.Client(transport=httpx.MockTransport(big)) as http:
        with pytest.raises(ResponseTooLargeError):
            run_sync(_raw(request(max_size=5)), http)
        assert run_sync(_raw(request(max_size=10)), http).content == b"x" * 10


def _raw(req: Request) -> Flow[httpx.Response]:
    response: httpx.Response = yield req
    return response


async def test_run_async_sends_and_sleeps() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    def flow() -> Flow[Any]:
        yield Sleep(0.25)
        return (yield from one_request(request()))

    async with httpx.AsyncClient(transport=httpx.MockTransport(echo)) as http:
        assert (await run_async(flow(), AsyncHttpxDriver(http, None, sleep)))["path"] == "/x"
        assert slept == [0.25]

        # Without a hook, asyncio.sleep.
        def pause() -> Flow[str]:
            yield Sleep(0)
            return "done"

        assert await run_async(pause(), AsyncHttpxDriver(http, None)) == "done"


async def test_run_async_throws_transport_errors_and_refuses_emits() -> None:
    def refuse(req: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=req)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        driver = AsyncHttpxDriver(http, None)
        assert (
            await run_async(failing_then_ok(request()), driver) == "thrown into the flow: refused"
        )
        with pytest.raises(TypeError, match="cannot emit"):
            await run_async(emits(request()), driver)


async def test_iterate_async_streams_chunks_and_closes_on_exit() -> None:
    closed: list[bool] = []

    class Body(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield b"one"
            yield b"two"

        async def aclose(self) -> None:
            closed.append(True)

    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    transport = httpx.MockTransport(lambda r: httpx.Response(200, stream=Body()))
    async with httpx.AsyncClient(transport=transport) as http:
        items = [
            item
            async for item in iterate_async(
                stream_flow(request()), lambda: AsyncHttpxDriver(http, None, sleep)
            )
        ]
        assert items == [b"one", b"two"]
        assert slept == [1.5]
        iterator = iterate_async(stream_flow(request()), lambda: AsyncHttpxDriver(http, None))
        assert await iterator.__anext__() == b"one"
        await iterator.aclose()  # type: ignore[attr-defined]
    assert closed == [True, True]


@pytest.mark.parametrize("max_size", [None, 1024], ids=["uncapped", "capped"])
async def test_async_request_past_its_total_deadline_is_a_read_timeout(
    max_size: int | None,
) -> None:
    never = asyncio.Event()

    class Stall(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield b"{"
            await never.wait()  # a byte that never comes; only the deadline ends it
            yield b"}"

    transport = httpx.MockTransport(lambda r: httpx.Response(200, stream=Stall()))
    async with httpx.AsyncClient(transport=transport) as http:
        with pytest.raises(httpx.ReadTimeout, match=r"within 0\.05s"):
            await run_async(
                one_request(request(timeout=httpx.Timeout(0.05), max_size=max_size)),
                AsyncHttpxDriver(http, None),
            )
