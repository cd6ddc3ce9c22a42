"""ASGI plumbing that reproduces Go ``net/http`` behaviour on the wire.

:class:`GoWireMiddleware` is the outermost layer of the embedded server. It

* enforces the **write timeout**: Go's ``http.Server.WriteTimeout`` is measured from when the
  request was read, and any response written after it is lost. A response started after the
  deadline is never sent; the connection is closed instead (curl: "Empty reply from server",
  httpx: ``RemoteProtocolError: Server disconnected without sending a response``). A streaming
  response (SSE) started before the deadline is cut mid-body when the deadline passes;
* writes headers the way Go does: canonical ``Header-Case``, the handler's headers sorted by
  name, then ``Date``, then ``Content-Length`` (or ``Transfer-Encoding: chunked`` when the body
  is larger than Go's 2048-byte buffer);
* hands inner layers a :class:`ConnectionControl` (in the ASGI scope) so they can drop the TCP
  connection without any response, which needs the server's transport: uvicorn's ``send`` is a
  bound method of its per-request cycle object, which has ``.transport`` for both the h11 and
  the httptools implementations.
"""

from __future__ import annotations

import asyncio
import email.utils
from collections.abc import Iterable
from typing import Any, Optional

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CONN_SCOPE_KEY", "ConnectionControl", "GoWireMiddleware", "canonical_header"]

#: Scope key under which :class:`GoWireMiddleware` stores the request's :class:`ConnectionControl`.
CONN_SCOPE_KEY = "gopherqueue.connection"

#: Go's ``bufferBeforeChunkingSize``: bigger bodies go out chunked, smaller get Content-Length.
_CHUNKING_THRESHOLD = 2048


class ConnectionControl:
    """Lets a layer close the client's TCP connection with no (further) response bytes."""

    def __init__(self, send: Send) -> None:
        owner = getattr(send, "__self__", None)
        transport = getattr(owner, "transport", None)
        self._transport: Optional[asyncio.BaseTransport] = (
            transport if isinstance(transport, asyncio.BaseTransport) else None
        )
        self.dropped = False

    @property
    def supported(self) -> bool:
        """Whether the server exposed its transport (uvicorn does)."""
        return self._transport is not None

    def drop(self) -> None:
        """Close the connection now. Already buffered bytes are flushed, then FIN is sent."""
        if self.dropped:
            return
        self.dropped = True
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()

    async def wait_closed(self, receive: Receive, timeout: float = 2.0) -> None:
        """Wait until the server has noticed the closed connection.

        Returning to uvicorn before it has, without having started a response, would make it
        log "ASGI callable returned without starting response" and try to send a 500.
        """
        if self._transport is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            try:
                message = await asyncio.wait_for(receive(), remaining)
            except (TimeoutError, OSError, RuntimeError):
                return
            if message.get("type") == "http.disconnect":
                return


def canonical_header(name: bytes) -> bytes:
    """Go's ``textproto.CanonicalMIMEHeaderKey``: ``x-request-id`` -> ``X-Request-Id``."""
    if any(c in b" \t\r\n:" for c in name):
        return name
    out = bytearray()
    upper = True
    for c in name.lower():
        out.append(c - 32 if upper and 97 <= c <= 122 else c)
        upper = c == 45  # "-"
    return bytes(out)


def go_headers(
    headers: Iterable[tuple[bytes, bytes]], *, status: int, method: str
) -> list[tuple[bytes, bytes]]:
    """Reorder and re-case response headers the way Go's ``net/http`` writes them."""
    rest: list[tuple[bytes, bytes]] = []
    length: Optional[bytes] = None
    chunked = False
    for raw_name, value in headers:
        name = canonical_header(bytes(raw_name))
        if name == b"Content-Length":
            length = bytes(value)
        elif name == b"Transfer-Encoding":
            chunked = True
        elif name != b"Date":
            rest.append((name, bytes(value)))
    rest.sort(key=lambda item: item[0])
    rest.append((b"Date", email.utils.formatdate(usegmt=True).encode("ascii")))
    body_allowed = status >= 200 and status not in (204, 304) and method != "HEAD"
    if length is not None and body_allowed and int(length) > _CHUNKING_THRESHOLD:
        length, chunked = None, True
    if length is not None:
        rest.append((b"Content-Length", length))
    elif chunked and body_allowed:
        rest.append((b"Transfer-Encoding", b"chunked"))
    return rest


class GoWireMiddleware:
    """Outermost ASGI middleware: write timeout, Go header layout, connection control."""

    def __init__(self, app: ASGIApp, *, write_timeout: Optional[float] = 30.0) -> None:
        self.app = app
        self.write_timeout = write_timeout if write_timeout and write_timeout > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the wrapped app with a deadline-enforcing, header-rewriting ``send``."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        conn = ConnectionControl(send)
        scope[CONN_SCOPE_KEY] = conn
        deadline = None if self.write_timeout is None else loop.time() + self.write_timeout
        timer: list[asyncio.TimerHandle] = []
        method = str(scope.get("method", "GET"))

        async def go_send(message: Message) -> None:
            if conn.dropped:
                return
            if deadline is not None and loop.time() >= deadline:
                conn.drop()
                return
            if message["type"] == "http.response.start":
                status = int(message["status"])
                out: dict[str, Any] = dict(message)
                out["headers"] = go_headers(
                    message.get("headers", []), status=status, method=method
                )
                message = out
                if deadline is not None:
                    # A response still streaming at the deadline is cut mid-body, as in Go.
                    timer.append(loop.call_at(deadline, conn.drop))
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                for handle in timer:
                    handle.cancel()
            await send(message)

        try:
            await self.app(scope, receive, go_send)
        finally:
            for handle in timer:
                handle.cancel()
            if conn.dropped:
                await conn.wait_closed(receive)
