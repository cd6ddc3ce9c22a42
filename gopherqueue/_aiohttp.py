"""The opt-in aiohttp backend of the async client (``GopherQueue(..., http_backend="aiohttp")``).

:class:`AiohttpDriver` performs the same effects as ``_transport.AsyncHttpxDriver``, with an
``aiohttp.ClientSession`` instead of an ``httpx.AsyncClient``, so every flow runs unchanged: it
hands the flows real :class:`httpx.Response` objects and :class:`~gopherqueue._effects.Stream`
objects, and raises aiohttp's and asyncio's failures as the httpx exceptions the flows map
(``_exceptions.connection_error``, ``_exceptions.maybe_applied``), the original chained as the
cause.

Requests are built from the flow's effect like the httpx driver builds them (URL, merged
headers and query from ``_transport``; JSON bodies encoded as httpx encodes them), redirects are
never followed and each request's :class:`httpx.Timeout` becomes an ``aiohttp.ClientTimeout``.

This module imports aiohttp; only a client created with ``http_backend="aiohttp"`` imports it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import ssl
import time
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import httpx
from aiohttp.helpers import get_env_proxy_for_url
from yarl import URL

from ._effects import CloseStream, Effect, OpenStream, ReadChunk, Request, Sleep, Stream
from ._secrets import SecretHeaders, mask_request
from ._transport import (
    deadline_error,
    declared_too_large,
    request_headers,
    request_url,
    too_large,
    total_seconds,
)

__all__ = ["AiohttpDriver", "Session", "discard_session", "new_session"]


def _types(*names: str) -> tuple[type[BaseException], ...]:
    # Exception types that not every supported aiohttp version has.
    found = (getattr(aiohttp, name, None) for name in names)
    return tuple(t for t in found if isinstance(t, type) and issubclass(t, BaseException))


# aiohttp 3.10 added ConnectionTimeoutError (a ServerTimeoutError) for connect timeouts; older
# versions raise a plain ServerTimeoutError whose message says so.
_CONNECT_TIMEOUT = _types("ConnectionTimeoutError")
_NOT_HTTP = _types("NonHttpUrlClientError")
# What a request, a body read or a stream read can raise (TimeoutError is an OSError).
_FAILURES = (aiohttp.ClientError, OSError)

logger = logging.getLogger("gopherqueue")


class Session:
    """One event loop's ``aiohttp.ClientSession``, and the proxy its requests go through."""

    __slots__ = ("http", "proxy", "proxy_auth")

    def __init__(
        self, http: aiohttp.ClientSession, proxy: URL | None, proxy_auth: aiohttp.BasicAuth | None
    ) -> None:
        self.http = http
        self.proxy = proxy
        self.proxy_auth = proxy_auth


def new_session(verify: bool | ssl.SSLContext, base_url: str) -> Session:
    """A session for the running event loop, verifying TLS and using proxies like the httpx
    client would.

    ``verify`` is what the client's ``verify=`` option became (a CA path is already an
    SSLContext); True means httpx's own default context (certifi's CAs, or ``SSL_CERT_FILE`` /
    ``SSL_CERT_DIR``). A proxy for ``base_url`` from the environment (``HTTP_PROXY``,
    ``HTTPS_PROXY``, ``NO_PROXY``) is looked up once, here: aiohttp's ``trust_env`` would look
    it up (and ``~/.netrc``) in a thread for every request.
    """
    context = (
        verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify=verify)
    )
    try:
        proxy, proxy_auth = get_env_proxy_for_url(URL(base_url))
    except LookupError:
        proxy, proxy_auth = None, None
    http = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=context),
        # Every request passes its own timeouts.
        timeout=aiohttp.ClientTimeout(total=None),
    )
    # aiohttp silently re-sends a GET, PUT or DELETE whose reused connection broke before the
    # response. The flows must see that failure: a DELETE may have been applied, and a re-send
    # outside the retry policy would bypass max_retries, on_retry and the ambiguity tracking
    # that recognises a retried request's own success. No public option: the attribute is one
    # of the session's declared ones from aiohttp 3.11 (3.9 and 3.10 re-send regardless).
    if hasattr(http, "_retry_connection"):
        http._retry_connection = False
    return Session(http, proxy, proxy_auth)


def discard_session(session: Session) -> None:
    """Mark a session whose event loop has closed as closed, without touching its sockets
    (they belonged to that loop), so it is dropped without "Unclosed" warnings."""
    connector = session.http.connector
    session.http.detach()
    if connector is not None:
        with contextlib.suppress(Exception):
            # With its loop closed, this only marks the connector closed.
            connector._close()


@functools.lru_cache(maxsize=64)
def _client_timeout(
    connect: float | None, read: float | None, pool: float | None
) -> aiohttp.ClientTimeout:
    # aiohttp's `connect` covers waiting for a pooled connection and opening a new one, httpx
    # bounds the two apart (pool, connect); `sock_connect` is the connect timeout itself.
    # aiohttp has no write timeout.
    return aiohttp.ClientTimeout(
        total=None,
        connect=None if connect is None or pool is None else connect + pool,
        sock_connect=connect,
        sock_read=read,
    )


def client_timeout(timeout: httpx.Timeout) -> aiohttp.ClientTimeout:
    """The aiohttp timeouts of a request with these httpx timeouts."""
    return _client_timeout(timeout.connect, timeout.read, timeout.pool)


def request_body(kwargs: dict[str, Any]) -> bytes | None:
    """The body httpx would send for a generated request's kwargs: ``content`` as given, or
    ``json`` encoded like ``httpx.Request(json=...)`` (compact, UTF-8, no NaN)."""
    content: bytes | None = kwargs.get("content")
    if content is not None:
        return content
    value = kwargs.get("json")
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


class _Response(httpx.Response):
    """An :class:`httpx.Response` made from an aiohttp response. Its ``request`` (an
    :class:`httpx.Request` with the method, URL and headers that were sent) is built when first
    used: building one takes about as long as the rest of what the driver adds to a call, and
    only error mapping needs it.

    httpx's own attribute ``_request`` is made a property, so httpx's methods that read it
    (``raise_for_status``, error contexts) see the built request too.
    """

    _sent: tuple[str, str, dict[str, str]] | None = None
    _built: httpx.Request | None = None

    @property
    def _request(self) -> httpx.Request | None:
        if self._built is None and self._sent is not None:
            method, url, headers = self._sent
            self._built = mask_request(httpx.Request(method, url, headers=headers))
        return self._built

    @_request.setter
    def _request(self, value: httpx.Request | None) -> None:  # pyright: ignore[reportIncompatibleVariableOverride]
        self._built = value


def _response(
    resp: aiohttp.ClientResponse, sent: tuple[str, str, dict[str, str]], content: bytes | None
) -> httpx.Response:
    if content is None:  # a stream: its body is read with ReadChunk
        response = _Response(resp.status, headers=resp.raw_headers)
    else:
        response = _Response(
            resp.status, headers=resp.raw_headers, stream=httpx.ByteStream(content)
        )
        # What Response.read() would do, without running the bytes through httpx's decoders a
        # second time (aiohttp has already decoded any Content-Encoding).
        response._content = content
        response.is_stream_consumed = True
        response.is_closed = True
    response._sent = sent
    return response


def transport_error(
    exc: BaseException, sent: tuple[str, str, dict[str, str]]
) -> httpx.HTTPError | httpx.InvalidURL:
    """The httpx exception the flows expect for an aiohttp or asyncio failure of a request.

    The locals of aiohttp's frames in ``exc``'s traceback are cleared (the line numbers stay):
    they hold the request's headers, API key included, as aiohttp's own objects, which
    tracebacks with locals (``pytest --showlocals``, Sentry) would print.
    """
    traceback.clear_frames(exc.__traceback__)
    text = str(exc)
    message = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    kind: type[httpx.TransportError]
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.InvalidURL(message)
    if isinstance(exc, _NOT_HTTP):
        kind = httpx.UnsupportedProtocol
    elif isinstance(exc, _CONNECT_TIMEOUT) or (
        isinstance(exc, aiohttp.ServerTimeoutError) and text.startswith("Connection timeout")
    ):
        kind = httpx.ConnectTimeout
    elif isinstance(exc, TimeoutError):  # aiohttp's ServerTimeoutError is one too
        kind = httpx.ReadTimeout
    elif isinstance(exc, aiohttp.ClientConnectorError):
        # Refused, unreachable, DNS, TLS handshake and certificate failures: nothing was sent.
        kind = httpx.ConnectError
    elif isinstance(
        exc,
        (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, aiohttp.ClientResponseError),
    ):
        # The connection closed before a complete response, a broken body, an unparseable reply.
        kind = httpx.RemoteProtocolError
    elif isinstance(exc, (aiohttp.ClientConnectionError, OSError)):
        kind = httpx.ReadError
    else:
        kind = httpx.NetworkError
    method, url, headers = sent
    return kind(message, request=mask_request(httpx.Request(method, url, headers=headers)))


async def _read_capped(resp: aiohttp.ClientResponse, effect: Request, limit: int) -> bytes:
    """The body, read chunk by chunk so that one beyond ``limit`` bytes (after aiohttp's
    content decoding) is refused having buffered at most ``limit`` plus one chunk."""
    if declared_too_large(resp.headers, limit):
        raise too_large(effect, limit)
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = await resp.content.readany()
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            raise too_large(effect, limit)
        chunks.append(chunk)


class AiohttpDriver:
    """Performs a flow's effects with an ``aiohttp.ClientSession``."""

    def __init__(
        self, session: Session, sleep: Callable[[float], Awaitable[None]] | None = None
    ) -> None:
        self.session = session
        self.sleep = sleep
        self.open: list[Stream] = []

    async def _start(
        self, effect: Request
    ) -> tuple[aiohttp.ClientResponse, tuple[str, str, dict[str, str]]]:
        kwargs = effect.kwargs
        method: str = kwargs["method"].upper()
        url = request_url(effect)
        headers = request_headers(effect, None) or SecretHeaders()
        sent = (method, url, headers)
        session = self.session
        try:
            resp = await session.http.request(
                method,
                url,
                headers=headers,
                data=request_body(kwargs),
                allow_redirects=False,
                timeout=client_timeout(effect.timeout),
                proxy=session.proxy,
                proxy_auth=session.proxy_auth,
            )
        except _FAILURES as exc:
            raise transport_error(exc, sent) from exc
        return resp, sent

    async def _exchange(self, effect: Request) -> tuple[aiohttp.ClientResponse, Any, bytes]:
        resp, sent = await self._start(effect)
        try:
            limit = effect.max_size
            content = await (resp.read() if limit is None else _read_capped(resp, effect, limit))
        except BaseException as exc:
            # A half-read response's connection cannot be reused (nor one a cancellation
            # interrupted, such as the deadline's).
            resp.close()
            if isinstance(exc, _FAILURES):
                raise transport_error(exc, sent) from exc
            raise
        return resp, sent, content

    async def perform(self, effect: Effect) -> Any:
        if isinstance(effect, Request):
            started = time.perf_counter()
            total = total_seconds(effect.timeout)
            if total is None:
                resp, sent, content = await self._exchange(effect)
            else:
                # Not ClientTimeout(total=): that one is per request object and would also cut
                # streams; this bounds the request and its body read alone.
                try:
                    async with asyncio.timeout(total):
                        resp, sent, content = await self._exchange(effect)
                except TimeoutError:  # the deadline's own (the others arrive as httpx's)
                    method = effect.kwargs["method"].upper()
                    request = httpx.Request(method, request_url(effect))
                    raise deadline_error(request, total) from None
            resp.release()
            response = _response(resp, sent, content)
            if logger.isEnabledFor(logging.DEBUG):
                elapsed_ms = (time.perf_counter() - started) * 1000
                # Method and path only: never headers (the API key) nor bodies.
                logger.debug(
                    "%s %s -> %s (%.1f ms)", sent[0], effect.kwargs["url"], resp.status, elapsed_ms
                )
            return response
        if isinstance(effect, Sleep):
            await (asyncio.sleep if self.sleep is None else self.sleep)(effect.seconds)
            return None
        if isinstance(effect, OpenStream):
            resp, sent = await self._start(effect.request)
            stream = Stream(_response(resp, sent, None), resp)
            self.open.append(stream)
            return stream
        if isinstance(effect, ReadChunk):
            stream = effect.stream
            resp = stream.chunks
            try:
                chunk: bytes = await resp.content.readany()
            except _FAILURES as exc:
                response = stream.response
                assert isinstance(response, _Response)
                assert response._sent is not None
                raise transport_error(exc, response._sent) from exc
            return chunk
        if isinstance(effect, CloseStream):
            self.close(effect.stream)
            return None
        raise TypeError(f"a flow run for one result cannot emit items: {effect!r}")

    def close(self, stream: Stream) -> None:
        if stream in self.open:
            self.open.remove(stream)
        resp: aiohttp.ClientResponse = stream.chunks
        # Not release(): a half-read stream's connection cannot be reused.
        resp.close()

    async def close_all(self) -> None:
        for stream in list(self.open):
            self.close(stream)

    def is_closed(self) -> bool:
        return self.session.http.closed
