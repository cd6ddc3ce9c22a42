"""Fault injection for the embedded server: make chosen requests fail the way networks do.

A test arms a fault for the next *N* requests that match a method and a path pattern::

    server.faults.add("POST", "/api/v1/jobs", kind="drop_after", times=1)
    server.faults.add("GET", "/api/v1/jobs/{id}", kind="status", status=503, retry_after=1)
    server.faults.add("*", "/api/v1/*", kind="html_502", times=2)

and asserts how many attempts reached the server with ``server.faults.hits("POST",
"/api/v1/jobs")``. Patterns match the whole request path (no query): ``{name}`` matches one path
segment and ``*`` matches anything, slashes included. The method ``"*"`` matches every method.

Kinds (:data:`FaultKind`):

``status``
    Answer ``status`` (default 503) with a JSON error envelope, optionally ``Retry-After``;
    the request is not applied.
``html_502``
    Answer like a reverse proxy whose upstream is down: 502 (or ``status``), ``text/html``.
``drop_before``
    Close the connection without a response; the request is not applied.
``drop_after``
    Apply the request (e.g. really create the job), then close the connection without any
    response: the "lost response" case that idempotency keys exist for.
``delay``
    Sleep ``delay`` seconds, then handle the request normally (the write timeout still counts
    from when the request arrived).
``truncate``
    Apply the request and send only the first ``truncate_at`` bytes (default: half) of the JSON
    body. By default the ``Content-Length`` matches the cut body, so the client gets a complete
    HTTP response whose JSON is broken; with ``incomplete=True`` the original length is
    announced and the connection is closed early, so the HTTP message itself is incomplete.

Faults sit in front of everything else (auth included), like a proxy or the network would.
"""

from __future__ import annotations

import asyncio
import http
import re
import threading
from dataclasses import dataclass, field
from re import Pattern
from typing import Literal, Optional, Union, cast

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._http import CONN_SCOPE_KEY, ConnectionControl
from ._wire import go_json

__all__ = ["Fault", "FaultInjector", "FaultKind", "FaultMiddleware"]

#: The ways a request can be made to fail (see the module documentation).
FaultKind = Literal["status", "html_502", "drop_before", "drop_after", "delay", "truncate"]
"""What a fault does to a matching request: answer an error status, answer an HTML 502 page,
drop the connection before or after the server handled the request, delay the request, or
truncate the reply."""
_KINDS = frozenset({"status", "html_502", "drop_before", "drop_after", "delay", "truncate"})

_DEFAULT_CODES: dict[int, str] = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "rate_limited",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}

_PROXY_PAGE = (
    "<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {phrase}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


def _compile(pattern: str) -> Pattern[str]:
    parts: list[str] = []
    for token in re.split(r"(\{[^/{}]*\}|\*)", pattern):
        if token == "*":
            parts.append(".*")
        elif token.startswith("{") and token.endswith("}"):
            parts.append("[^/]+")
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts) + r"\Z")


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


@dataclass
class Fault:
    """One armed fault. Inspect :attr:`triggered` to see how often it fired.

    Made by :meth:`FaultInjector.add`, whose arguments it holds.

    Args:
        method: The HTTP method to match (``"*"``: any).
        path: The path pattern: ``{id}`` matches one segment, ``*`` anything.
        kind: What the fault does (see ``FaultKind``).
        times: How many matching requests to fail (``None``: all, until removed).
        status: The status of ``status`` (default 503) and ``html_502`` (default 502).
        retry_after: A ``Retry-After`` header to add.
        delay: The seconds a ``delay`` fault sleeps.
        truncate_at: Where a ``truncate`` fault cuts the body, in bytes.
        incomplete: Whether a ``truncate`` fault announces the full length and closes early
            instead.
        body: A body to send instead of the generated one.
        content_type: A ``Content-Type`` to send instead of the generated one.
        code: The error envelope's ``code`` instead of the generated one.
        message: The error envelope's ``message`` instead of the generated one.
        headers: Extra response headers.
        triggered: How many requests it has failed so far.
    """

    method: str
    path: str
    kind: str
    times: Optional[int] = 1
    status: Optional[int] = None
    retry_after: Union[int, float, str, None] = None
    delay: float = 0.0
    truncate_at: Optional[int] = None
    incomplete: bool = False
    body: Union[bytes, str, None] = None
    content_type: Optional[str] = None
    code: Optional[str] = None
    message: Optional[str] = None
    headers: dict[str, str] = field(default_factory=lambda: {})
    #: How many requests this fault has failed so far.
    triggered: int = 0
    _regex: Optional[Pattern[str]] = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {sorted(_KINDS)}")
        if self.times is not None and self.times < 0:
            raise ValueError("times must be >= 0 or None (forever)")
        self.method = self.method.upper()
        self._regex = _compile(self.path)

    @property
    def remaining(self) -> Optional[int]:
        """How many more requests it will fail (``None``: unlimited)."""
        return None if self.times is None else max(self.times - self.triggered, 0)

    def matches(self, method: str, path: str) -> bool:
        """Whether a request is matched by this fault's pattern.

        Args:
            method: The request's HTTP method.
            path: The request's path.

        Returns:
            True when both match.
        """
        if self.method != "*" and self.method != method.upper():
            return False
        assert self._regex is not None
        return self._regex.match(path) is not None

    def _status(self) -> int:
        if self.status is not None:
            return self.status
        return 502 if self.kind == "html_502" else 503

    def _response(self) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        status = self._status()
        headers: list[tuple[bytes, bytes]] = []
        if self.kind == "html_502":
            body = _PROXY_PAGE.format(status=status, phrase=_phrase(status)).encode()
            content_type = "text/html"
        else:
            code = self.code or _DEFAULT_CODES.get(status, "error")
            message = self.message or _phrase(status).lower()
            body = go_json({"error": {"code": code, "message": message}})
            content_type = "application/json"
        if self.body is not None:
            body = self.body.encode() if isinstance(self.body, str) else self.body
        headers.append((b"content-type", (self.content_type or content_type).encode()))
        headers.append((b"content-length", str(len(body)).encode()))
        if self.retry_after is not None:
            value = self.retry_after
            text = str(int(value)) if isinstance(value, (int, float)) else value
            headers.append((b"retry-after", text.encode()))
        for name, val in self.headers.items():
            headers.append((name.lower().encode(), val.encode()))
        return status, headers, body


class FaultInjector:
    """Armed faults plus a log of every request seen. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._requests: list[tuple[str, str]] = []

    def add(
        self,
        method: str,
        path: str,
        *,
        kind: FaultKind = "status",
        times: Optional[int] = 1,
        status: Optional[int] = None,
        retry_after: Union[int, float, str, None] = None,
        delay: float = 0.0,
        truncate_at: Optional[int] = None,
        incomplete: bool = False,
        body: Union[bytes, str, None] = None,
        content_type: Optional[str] = None,
        code: Optional[str] = None,
        message: Optional[str] = None,
        headers: Optional[dict[str, str]] = None,
    ) -> Fault:
        """Fail the next ``times`` requests (``None``: all) matching ``method`` and ``path``.

        Faults are tried in the order they were added; the first one that matches and has
        uses left fires.

        Args:
            method: The HTTP method to match (``"*"``: any).
            path: The path pattern: ``{id}`` matches one segment, ``*`` anything.
            kind: What the fault does (see ``FaultKind``).
            times: How many matching requests to fail (``None``: all, until removed).
            status: The status of ``status`` (default 503) and ``html_502`` (default 502).
            retry_after: A ``Retry-After`` header to add.
            delay: The seconds a ``delay`` fault sleeps.
            truncate_at: Where a ``truncate`` fault cuts the body, in bytes.
            incomplete: Whether a ``truncate`` fault announces the full length and closes
                early instead.
            body: A body to send instead of the generated one.
            content_type: A ``Content-Type`` to send instead of the generated one.
            code: The error envelope's ``code`` instead of the generated one.
            message: The error envelope's ``message`` instead of the generated one.
            headers: Extra response headers.

        Returns:
            The armed fault, for :meth:`remove` and its ``triggered`` count.
        """
        fault = Fault(
            method=method,
            path=path,
            kind=kind,
            times=times,
            status=status,
            retry_after=retry_after,
            delay=delay,
            truncate_at=truncate_at,
            incomplete=incomplete,
            body=body,
            content_type=content_type,
            code=code,
            message=message,
            headers=dict(headers or {}),
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        """Disarm one fault.

        Args:
            fault: A fault that :meth:`add` returned.
        """
        with self._lock:
            if fault in self._faults:
                self._faults.remove(fault)

    def clear(self) -> None:
        """Disarm every fault and forget the request log."""
        with self._lock:
            self._faults.clear()
            self._requests.clear()

    @property
    def faults(self) -> list[Fault]:
        """The armed faults (a copy), spent ones included."""
        with self._lock:
            return list(self._faults)

    @property
    def requests(self) -> list[tuple[str, str]]:
        """Every request seen since the last clear, as ``(METHOD, path)``, oldest first."""
        with self._lock:
            return list(self._requests)

    def hits(self, method: str = "*", path: str = "*") -> int:
        """How many matching requests arrived, faulted ones included.

        Args:
            method: The HTTP method to count (``"*"``: any).
            path: The path pattern to count, as in :meth:`add`.

        Returns:
            The number of requests.
        """
        probe = Fault(method=method, path=path, kind="status")
        with self._lock:
            return sum(1 for m, p in self._requests if probe.matches(m, p))

    def _arrive(self, method: str, path: str) -> Optional[Fault]:
        with self._lock:
            self._requests.append((method.upper(), path))
            for fault in self._faults:
                if fault.remaining != 0 and fault.matches(method, path):
                    fault.triggered += 1
                    return fault
        return None


async def _drain_body(receive: Receive) -> None:
    while True:
        message = await receive()
        if message.get("type") != "http.request" or not message.get("more_body", False):
            return


class FaultMiddleware:
    """ASGI middleware that logs each request and fires matching faults."""

    def __init__(self, app: ASGIApp, injector: FaultInjector) -> None:
        self.app = app
        self.injector = injector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Log the request, then either run the app or fail the request as armed."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        fault = self.injector._arrive(str(scope["method"]), str(scope["path"]))
        if fault is None:
            await self.app(scope, receive, send)
            return
        conn = scope.get(CONN_SCOPE_KEY)
        if not isinstance(conn, ConnectionControl):
            conn = ConnectionControl(send)
        kind = fault.kind
        if kind == "delay":
            await asyncio.sleep(fault.delay)
            await self.app(scope, receive, send)
        elif kind in ("status", "html_502"):
            await _drain_body(receive)
            status, headers, body = fault._response()
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        elif kind == "drop_before":
            await _drain_body(receive)
            conn.drop()
        elif kind == "drop_after":
            await self._drop_after(scope, receive, conn)
        else:
            await self._truncate(scope, receive, send, fault, conn)

    async def _drop_after(self, scope: Scope, receive: Receive, conn: ConnectionControl) -> None:
        async def swallow(message: Message) -> None:
            # The handler has done its work by the time it starts the response.
            if message["type"] == "http.response.start":
                conn.drop()

        await self.app(scope, receive, swallow)
        conn.drop()

    async def _truncate(
        self, scope: Scope, receive: Receive, send: Send, fault: Fault, conn: ConnectionControl
    ) -> None:
        start: dict[str, object] = {}
        chunks: list[bytes] = []

        async def collect(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))

        await self.app(scope, receive, collect)
        body = b"".join(chunks)
        cut = (
            len(body) // 2
            if fault.truncate_at is None
            else max(0, min(fault.truncate_at, len(body)))
        )
        raw_headers = cast("list[tuple[bytes, bytes]]", start.get("headers", []))
        headers = [(k, v) for k, v in raw_headers if bytes(k).lower() != b"content-length"]
        announced = len(body) if fault.incomplete else cut
        headers.append((b"content-length", str(announced).encode()))
        status = start.get("status", 200)
        await send(
            {
                "type": "http.response.start",
                "status": status if isinstance(status, int) else 200,
                "headers": headers,
            }
        )
        await send(
            {"type": "http.response.body", "body": body[:cut], "more_body": fault.incomplete}
        )
        if fault.incomplete:
            conn.drop()
