"""The drivers that run the I/O-free flows (with ``_aiohttp``, the only I/O).

A flow yields the effects of ``_effects`` and returns its result. The sync driver performs
them with an :class:`httpx.Client` and the settings' ``sleep``, the async driver with an
:class:`httpx.AsyncClient` and :func:`asyncio.sleep` (or, with ``http_backend="aiohttp"``, the
driver of ``_aiohttp`` with an ``aiohttp.ClientSession``). So the retry loop, wait's long-poll
loop and batch chunking exist once, and the clients cannot drift apart.

Every :class:`~gopherqueue._effects.Request` has a total deadline, :func:`total_seconds` of its
timeout (for ``wait``, the long-poll chunk plus a margin): httpx's timeouts bound each read, so
a server that drips a reply byte by byte would otherwise hold a call for as long as it likes.
Streams (``OpenStream``) have no total deadline: they are meant to stay open.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

import httpx

from ._effects import CloseStream, Effect, Emit, Flow, OpenStream, ReadChunk, Request, Sleep, Stream
from ._exceptions import ClientClosedError, ResponseTooLargeError, ValidationError
from ._secrets import SecretHeaders, mask_request

__all__ = [
    "AsyncDriver",
    "AsyncHttpxDriver",
    "Defaults",
    "SyncIteration",
    "deadline_error",
    "declared_too_large",
    "iterate_async",
    "request_headers",
    "request_url",
    "run_async",
    "run_sync",
    "stop_iterations",
    "too_large",
    "total_seconds",
]

T = TypeVar("T")

logger = logging.getLogger("gopherqueue")


class Defaults:
    """The headers and timeout an owned httpx client was built with: a request carrying these
    very objects need not pass them again (httpx would merge them on every call)."""

    __slots__ = ("headers", "timeout")

    def __init__(self, headers: dict[str, str], timeout: httpx.Timeout) -> None:
        self.headers = headers
        self.timeout = timeout


# Transport failures are thrown into the flow, which decides what they mean.
_TRANSPORT_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError)


def total_seconds(timeout: httpx.Timeout) -> float | None:
    """A request's total deadline: its longest phase timeout (``None``: no read timeout, no
    deadline)."""
    if timeout.read is None:
        return None
    phases = (timeout.connect, timeout.read, timeout.write, timeout.pool)
    return max(phase for phase in phases if phase is not None)


def deadline_error(request: httpx.Request, total: float) -> httpx.ReadTimeout:
    """The timeout a driver raises when a request passes its total deadline."""
    return httpx.ReadTimeout(f"no complete response within {total:g}s", request=request)


class _DeadlineStream(httpx.SyncByteStream):
    """A response body that stops at the request's deadline: httpx's read timeout restarts
    with every byte, this one does not."""

    def __init__(
        self, inner: httpx.SyncByteStream, request: httpx.Request, total: float, deadline: float
    ) -> None:
        self.inner = inner
        self.request = request
        self.total = total
        self.deadline = deadline

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            if time.monotonic() > self.deadline:
                raise deadline_error(self.request, self.total)
            yield chunk

    def close(self) -> None:
        self.inner.close()


def request_url(effect: Request) -> str:
    """The absolute URL of a request, its ``params`` encoded into the query as httpx encodes
    them (for transports that are handed a finished URL)."""
    kwargs = effect.kwargs
    url: str = effect.base_url + kwargs["url"]
    params = kwargs.get("params")
    if params:
        return str(httpx.URL(url, params=params))
    return url


def request_headers(effect: Request, defaults: Defaults | None) -> dict[str, str] | None:
    """The headers a request sends beyond its transport's defaults: the flow's headers merged
    with the endpoint's own (``None``: none beyond the defaults)."""
    extra = effect.kwargs.get("headers")
    if defaults is not None and effect.headers is defaults.headers:
        return extra or None
    if not extra:
        return effect.headers
    merged = SecretHeaders(effect.headers)
    merged.update(extra)
    return merged


def _build(
    http: httpx.Client | httpx.AsyncClient, effect: Request, defaults: Defaults | None
) -> httpx.Request:
    kwargs = effect.kwargs
    timeout: Any = effect.timeout
    if defaults is not None and timeout is defaults.timeout:
        timeout = httpx.USE_CLIENT_DEFAULT
    # An absolute URL, so a user-supplied httpx client needs no base_url of its own.
    try:
        request = http.build_request(
            kwargs["method"],
            effect.base_url + kwargs["url"],
            json=kwargs.get("json"),
            content=kwargs.get("content"),
            params=kwargs.get("params"),
            headers=request_headers(effect, defaults),
            timeout=timeout,
        )
    except UnicodeEncodeError as exc:
        # The argument checks refuse such text first; this keeps a missed one typed.
        raise ValidationError(
            f"{effect.operation}: the request holds text that is not valid Unicode "
            f"(a lone surrogate at index {exc.start})"
        ) from None
    # Errors carry this request (exc.response.request): its headers' repr must hide the key.
    return mask_request(request)


def too_large(effect: Request, limit: int) -> ResponseTooLargeError:
    """The error for a reply whose body exceeds the request's ``max_size``."""
    method = effect.kwargs["method"].upper()
    path = effect.kwargs["url"]
    return ResponseTooLargeError(
        f"{method} {path}: the reply's body exceeds max_response_size ({limit} bytes); pass a "
        "larger max_response_size (or None) to the client to accept it",
        limit="max_response_size",
        max_size=limit,
        method=method,
        url=effect.base_url + path,
    )


def declared_too_large(headers: httpx.Headers | Any, limit: int) -> bool:
    """Whether a reply's ``Content-Length`` alone shows that its body exceeds ``limit`` (only
    without a ``Content-Encoding``: a compressed length says little about the decoded one)."""
    declared = headers.get("content-length")
    return (
        declared is not None
        and declared.isdigit()
        and not headers.get("content-encoding")
        and int(declared) > limit
    )


def _read_sync(response: httpx.Response, effect: Request, limit: int) -> None:
    # Reads the body chunk by chunk, so an endless or huge one costs at most `limit` bytes
    # (plus one chunk) before it is refused.
    if declared_too_large(response.headers, limit):
        raise too_large(effect, limit)
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > limit:
            raise too_large(effect, limit)
        chunks.append(chunk)
    # What Response.read() stores; the flows read .content and .json() from it.
    response._content = b"".join(chunks)


async def _read_async(response: httpx.Response, effect: Request, limit: int) -> None:
    if declared_too_large(response.headers, limit):
        raise too_large(effect, limit)
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.aiter_bytes():
        total += len(chunk)
        if total > limit:
            raise too_large(effect, limit)
        chunks.append(chunk)
    response._content = b"".join(chunks)


def _log(
    effect: Request,
    request: httpx.Request,
    response: httpx.Response | None,
    started: float,
    error: BaseException | None = None,
) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return
    elapsed_ms = (time.perf_counter() - started) * 1000
    # Method and path only: never headers (the API key) nor bodies.
    if response is not None:
        logger.debug(
            "%s %s -> %s (%.1f ms)",
            request.method,
            request.url.path,
            response.status_code,
            elapsed_ms,
        )
    else:
        logger.debug(
            "%s %s -> %s (%.1f ms)",
            request.method,
            request.url.path,
            type(error).__name__,
            elapsed_ms,
        )


class _SyncDriver:
    def __init__(
        self,
        http: httpx.Client,
        defaults: Defaults | None,
        sleep: Callable[[float], None],
        stop: threading.Event | None = None,
    ) -> None:
        self.http = http
        self.defaults = defaults
        self.sleep = sleep
        # Set by another thread to end a streaming run (SyncIteration.close).
        self.stop = stop
        self.open: list[Stream] = []

    def is_closed(self) -> bool:
        return self.http.is_closed

    def interrupt(self) -> None:
        """From another thread: wake a read blocked on one of the open streams.

        Closing the response from here would race the reading thread, and closing a socket
        does not wake a thread blocked in recv(); shutting it down does (the read sees the
        end of the stream).
        """
        for stream in list(self.open):
            network = stream.response.extensions.get("network_stream")
            sock = None if network is None else network.get_extra_info("socket")
            if isinstance(sock, socket.socket):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:  # closed already
                    pass

    def _send(self, effect: Request) -> httpx.Response:
        request = _build(self.http, effect, self.defaults)
        total = total_seconds(effect.timeout)
        started = time.perf_counter()
        limit = effect.max_size
        if total is None and limit is None:
            response = self.http.send(request, follow_redirects=False)
        else:
            # The body is read here: through a stream that checks the deadline between chunks
            # (each chunk waits at most the read timeout, which the deadline is at least), and
            # capped at max_size.
            deadline = None if total is None else time.monotonic() + total
            response = self.http.send(request, stream=True, follow_redirects=False)
            try:
                if total is not None and deadline is not None:
                    response.stream = _DeadlineStream(response.stream, request, total, deadline)  # type: ignore[arg-type]
                if limit is None:
                    response.read()
                else:
                    _read_sync(response, effect, limit)
            finally:
                response.close()
        _log(effect, request, response, started)
        return response

    def perform(self, effect: Effect) -> Any:
        if isinstance(effect, Request):
            return self._send(effect)
        if isinstance(effect, Sleep):
            if self.stop is not None and self.sleep is time.sleep:
                self.stop.wait(effect.seconds)  # the same pause, cut short by a close
            else:
                self.sleep(effect.seconds)
            return None
        if isinstance(effect, OpenStream):
            request = _build(self.http, effect.request, self.defaults)
            response = self.http.send(request, stream=True, follow_redirects=False)
            stream = Stream(response, response.iter_raw())
            # Listed before the caller looks at `stop`, so a close in between interrupts it.
            self.open.append(stream)
            return stream
        if isinstance(effect, ReadChunk):
            return next(effect.stream.chunks, b"")
        if isinstance(effect, CloseStream):
            self.close(effect.stream)
            return None
        raise TypeError(f"a flow run for one result cannot emit items: {effect!r}")

    def close(self, stream: Stream) -> None:
        if stream in self.open:
            self.open.remove(stream)
        stream.response.close()

    def close_all(self) -> None:
        for stream in list(self.open):
            self.close(stream)


class AsyncDriver(Protocol):
    """What :func:`run_async` and :func:`iterate_async` need: something that performs effects
    (transport failures raised as httpx exceptions) and closes the streams it opened."""

    async def perform(self, effect: Effect) -> Any: ...

    async def close_all(self) -> None: ...

    def is_closed(self) -> bool: ...


class AsyncHttpxDriver:
    """The async driver over an :class:`httpx.AsyncClient` (the httpx backend)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        defaults: Defaults | None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.http = http
        self.defaults = defaults
        self.sleep = sleep
        self.open: list[Stream] = []

    def is_closed(self) -> bool:
        return self.http.is_closed

    async def _send(self, effect: Request) -> httpx.Response:
        import asyncio  # not at module level: it costs import time to sync-only users

        request = _build(self.http, effect, self.defaults)
        total = total_seconds(effect.timeout)
        started = time.perf_counter()
        if total is None:
            response = await self._exchange(request, effect)
        else:
            try:
                async with asyncio.timeout(total):
                    response = await self._exchange(request, effect)
            except TimeoutError:  # the deadline's own (httpx raises its timeouts as httpx's)
                raise deadline_error(request, total) from None
        _log(effect, request, response, started)
        return response

    async def _exchange(self, request: httpx.Request, effect: Request) -> httpx.Response:
        # The request and its whole body, capped at max_size (the deadline wraps both).
        limit = effect.max_size
        if limit is None:
            return await self.http.send(request, follow_redirects=False)
        response = await self.http.send(request, stream=True, follow_redirects=False)
        try:
            await _read_async(response, effect, limit)
        finally:
            await response.aclose()
        return response

    async def perform(self, effect: Effect) -> Any:
        if isinstance(effect, Request):
            return await self._send(effect)
        if isinstance(effect, Sleep):
            if self.sleep is not None:
                await self.sleep(effect.seconds)
                return None
            import asyncio

            await asyncio.sleep(effect.seconds)
            return None
        if isinstance(effect, OpenStream):
            request = _build(self.http, effect.request, self.defaults)
            response = await self.http.send(request, stream=True, follow_redirects=False)
            stream = Stream(response, response.aiter_raw())
            self.open.append(stream)
            return stream
        if isinstance(effect, ReadChunk):
            try:
                chunk: bytes = await effect.stream.chunks.__anext__()
            except StopAsyncIteration:
                return b""
            return chunk
        if isinstance(effect, CloseStream):
            await self.close(effect.stream)
            return None
        raise TypeError(f"a flow run for one result cannot emit items: {effect!r}")

    async def close(self, stream: Stream) -> None:
        if stream in self.open:
            self.open.remove(stream)
        await stream.response.aclose()

    async def close_all(self) -> None:
        for stream in list(self.open):
            await self.close(stream)


def _thrown(driver: _SyncDriver | AsyncDriver, exc: Exception) -> Exception:
    """The transport failure to throw into the flow, which decides what it means.

    A failure caused by the client's close (from another thread or task) raises
    :class:`ClientClosedError` instead: httpx raises a RuntimeError for a closed client, or a
    transport error for a request in flight. Any other RuntimeError is not the flow's to
    handle (httpx's StreamError is one, and a transport error).
    """
    if driver.is_closed():
        raise ClientClosedError() from None
    if not isinstance(exc, _TRANSPORT_ERRORS):
        raise exc
    return exc


def run_sync(
    flow: Flow[T],
    http: httpx.Client,
    defaults: Defaults | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run a flow to completion with a sync httpx client and return its result."""
    driver = _SyncDriver(http, defaults, sleep)
    try:
        effect = next(flow)
        while True:
            try:
                outcome = driver.perform(effect)
            except (*_TRANSPORT_ERRORS, RuntimeError) as exc:
                effect = flow.throw(_thrown(driver, exc))
            else:
                effect = flow.send(outcome)
    except StopIteration as stop:
        result: T = stop.value
        return result
    finally:
        flow.close()
        driver.close_all()


async def run_async(flow: Flow[T], driver: AsyncDriver) -> T:
    """Run a flow to completion with an async driver and return its result."""
    try:
        effect = next(flow)
        while True:
            try:
                outcome = await driver.perform(effect)
            except (*_TRANSPORT_ERRORS, RuntimeError) as exc:
                effect = flow.throw(_thrown(driver, exc))
            else:
                effect = flow.send(outcome)
    except StopIteration as stop:
        result: T = stop.value
        return result
    finally:
        flow.close()
        await driver.close_all()


class SyncIteration:
    """The iterator of a streaming flow run with a sync httpx client, yielding what the flow
    emits.

    Unlike a generator it can be closed from any thread: a close while another thread is
    iterating sets a flag, wakes a blocked read, and that thread's iteration then ends (as if
    the stream had finished) and closes the connections itself.
    """

    def __init__(
        self,
        flow: Flow[None],
        http: httpx.Client,
        defaults: Defaults | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._flow = flow
        self._stop = threading.Event()
        self._driver = _SyncDriver(http, defaults, sleep, self._stop)
        self._busy = threading.Lock()
        self._started = False
        self._done = False

    def __iter__(self) -> SyncIteration:
        return self

    def __next__(self) -> Any:
        with self._busy:
            if self._done:
                raise StopIteration
            try:
                return self._advance()
            except StopIteration:
                self._finish()
                raise
            except BaseException:
                self._finish()
                if self._stop.is_set():
                    # The failure is the close's doing (a shut-down socket, a closed client).
                    raise StopIteration from None
                raise

    def _advance(self) -> Any:
        flow, driver, stop = self._flow, self._driver, self._stop
        if self._started:
            effect = flow.send(None)  # after an Emit
        else:
            self._started = True
            effect = next(flow)
        while True:
            if stop.is_set():
                raise StopIteration
            if isinstance(effect, Emit):
                return effect.item
            try:
                outcome = driver.perform(effect)
            except (*_TRANSPORT_ERRORS, RuntimeError) as exc:
                if stop.is_set():
                    raise StopIteration from None
                effect = flow.throw(_thrown(driver, exc))
            else:
                effect = flow.send(outcome)

    def _finish(self) -> None:
        self._done = True
        try:
            self._flow.close()
        finally:
            self._driver.close_all()

    def close(self) -> None:
        """End the iteration and close its connections; from any thread."""
        self._stop.set()
        if self._busy.acquire(blocking=False):
            try:
                if not self._done:
                    self._finish()
            finally:
                self._busy.release()
        else:
            self._driver.interrupt()


def stop_iterations(iterations: Iterable[SyncIteration]) -> None:
    """Close every iteration still open (a client's, when it closes)."""
    for iteration in list(iterations):
        iteration.close()


async def iterate_async(
    flow: Flow[None], make_driver: Callable[[], AsyncDriver]
) -> AsyncIterator[Any]:
    """Run a streaming flow with an async driver, yielding what it emits (the async side of
    :class:`SyncIteration`; closing it closes its streams). The driver is made on first
    iteration, inside the event loop that will use its connections."""
    driver = make_driver()
    try:
        effect = next(flow)
        while True:
            if isinstance(effect, Emit):
                yield effect.item
                effect = flow.send(None)
                continue
            try:
                outcome = await driver.perform(effect)
            except (*_TRANSPORT_ERRORS, RuntimeError) as exc:
                effect = flow.throw(_thrown(driver, exc))
            else:
                effect = flow.send(outcome)
    except StopIteration:
        return
    finally:
        flow.close()
        await driver.close_all()
