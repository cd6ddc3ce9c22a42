"""The httpx drivers of ``_transport`` on ``httpx.MockTransport``: each effect, the run and
iterate loops, the per-request total deadline, and the ``Sleep`` hook."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from gopherqueue._effects import CloseStream, Emit, Flow, OpenStream, ReadChunk, Request, Sleep
from gopherqueue._exceptions import ClientClosedError, ResponseTooLargeError, ValidationError
from gopherqueue._transport import (
    AsyncHttpxDriver,
    Defaults,
    SyncIteration,
    iterate_async,
    request_headers,
    request_url,
    run_async,
    run_sync,
    stop_iterations,
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


# ------------------------------------------------------------------------------------------
# A closed client, and a SyncIteration closed from another thread (issue 12 items 8 and 9)


def test_run_sync_on_a_closed_client_is_client_closed_error() -> None:
    http = httpx.Client(transport=httpx.MockTransport(echo))
    http.close()
    with pytest.raises(ClientClosedError):  # not httpx's "Cannot send a request" RuntimeError
        run_sync(one_request(request()), http)


async def test_run_async_on_a_closed_client_is_client_closed_error() -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(echo))
    await http.aclose()
    with pytest.raises(ClientClosedError):
        await run_async(one_request(request()), AsyncHttpxDriver(http, None))
    with pytest.raises(ClientClosedError):
        await anext(iterate_async(stream_flow(request()), lambda: AsyncHttpxDriver(http, None)))


def test_a_transport_error_of_a_closed_client_is_not_thrown_into_the_flow() -> None:
    # A request in flight when another thread closes the client fails with a transport error:
    # the flow must not retry it into the closed client.
    holder: list[httpx.Client] = []

    def closing(req: httpx.Request) -> httpx.Response:
        holder[0].close()
        raise httpx.ReadError("connection closed", request=req)

    http = httpx.Client(transport=httpx.MockTransport(closing))
    holder.append(http)
    with pytest.raises(ClientClosedError):
        run_sync(failing_then_ok(request()), http)


def test_other_runtime_errors_are_not_swallowed() -> None:
    def broken(req: httpx.Request) -> httpx.Response:
        raise RuntimeError("a bug, not a transport failure")

    with httpx.Client(transport=httpx.MockTransport(broken)) as http:
        with pytest.raises(RuntimeError, match="a bug"):
            run_sync(failing_then_ok(request()), http)
        iteration = SyncIteration(stream_flow(request()), http)
        with pytest.raises(RuntimeError, match="a bug"):
            next(iteration)


def test_a_stream_error_is_thrown_into_the_flow() -> None:
    # httpx.StreamError subclasses RuntimeError; it is still the flow's to handle.
    def consumed(req: httpx.Request) -> httpx.Response:
        raise httpx.StreamConsumed()

    def catching(req: Request) -> Flow[str]:
        try:
            yield req
        except httpx.StreamError as exc:
            return type(exc).__name__
        return "no error"

    with httpx.Client(transport=httpx.MockTransport(consumed)) as http:
        assert run_sync(catching(request()), http) == "StreamConsumed"


class Gate(httpx.SyncByteStream):
    """A body whose second chunk waits for the test: the reader is then blocked in a read."""

    def __init__(self) -> None:
        self.reading = threading.Event()
        self.release = threading.Event()

    def __iter__(self) -> Iterator[bytes]:
        yield b"one"
        self.reading.set()
        assert self.release.wait(10)
        yield b"two"


def _reader(iteration: SyncIteration) -> tuple[threading.Thread, list[Any]]:
    got: list[Any] = []

    def run() -> None:
        try:
            got.extend(iteration)
            got.append("ended")
        except BaseException as exc:
            got.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, got


def test_closing_a_sync_iteration_from_another_thread_mid_read_ends_it_cleanly() -> None:
    gate = Gate()
    closed: list[bool] = []
    with httpx.Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, stream=gate))
    ) as http:
        iteration = SyncIteration(stream_flow(request()), http)
        original = iteration._driver.close_all
        iteration._driver.close_all = lambda: (closed.append(True), original())[1]  # type: ignore[method-assign]
        thread, got = _reader(iteration)
        assert gate.reading.wait(10)  # the reader is inside the read of the second chunk
        iteration.close()  # the reader holds the iteration: this only flags it and interrupts
        assert closed == []  # the connections are the reading thread's to close
        gate.release.set()
        thread.join(10)
    assert not thread.is_alive()
    assert got == [b"one", "ended"]  # "two" arrived after the close: not delivered
    assert closed == [True]
    with pytest.raises(StopIteration):
        next(iteration)


def test_closing_a_sync_iteration_cuts_its_backoff_sleep_short() -> None:
    sleeping = threading.Event()

    def pausing(req: Request) -> Flow[None]:
        yield Emit("first")
        sleeping.set()
        yield Sleep(3600)  # a reconnect backoff; time.sleep would hold the thread for an hour
        yield Emit("never")

    with httpx.Client(transport=httpx.MockTransport(echo)) as http:
        iteration = SyncIteration(pausing(request()), http)  # the default sleep: time.sleep
        thread, got = _reader(iteration)
        assert sleeping.wait(10)
        iteration.close()
        thread.join(10)
    assert not thread.is_alive()
    assert got == ["first", "ended"]


def test_a_failure_caused_by_the_close_ends_the_iteration_without_an_error() -> None:
    gate = Gate()

    class Failing(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield b"one"
            gate.reading.set()
            assert gate.release.wait(10)
            raise httpx.ReadError("the socket was shut down")

    with httpx.Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, stream=Failing()))
    ) as http:
        iteration = SyncIteration(stream_flow(request()), http)
        thread, got = _reader(iteration)
        assert gate.reading.wait(10)
        iteration.close()
        gate.release.set()
        thread.join(10)
    assert got == [b"one", "ended"]


def test_stop_iterations_closes_every_open_iteration() -> None:
    with httpx.Client(transport=httpx.MockTransport(echo)) as http:
        iterations = [SyncIteration(emits(request()), http) for _ in range(3)]
        stop_iterations(iterations)
    for iteration in iterations:
        with pytest.raises(StopIteration):
            next(iteration)
