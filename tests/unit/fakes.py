"""Test doubles and wire bodies shared by the client unit tests (fixtures: conftest.py).

* :class:`FakeServer`: an ``httpx.MockTransport`` handler that records every request and
  answers from a script (responses, transport exceptions to raise, or callables).
* :func:`call`: run a method on either client, awaiting it when it is a coroutine, so one test
  body exercises ``GopherQueueSync`` and ``GopherQueue`` with identical assertions.
* :class:`VirtualClock`: the SDK's pauses and deadlines without real sleeping.
* ``job_json`` & co: response bodies shaped like the real server's (see tests/captures).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Union

import httpx

import gopherqueue
from gopherqueue import GopherQueue, GopherQueueSync

BASE_URL = "http://127.0.0.1:18080"
JOB_ID = "5e1b47c8-2930-4e1f-9181-200d59659ff0"
OTHER_ID = "be36136c-ca44-46fd-88ef-9c69c6eaa9ff"
CREATED_AT = "2026-11-28T19:12:17.24631043Z"
UPDATED_AT = "2026-11-28T19:12:17.323585975Z"

Client = Union[GopherQueue, GopherQueueSync]
Answer = Union[httpx.Response, BaseException, Callable[[httpx.Request], Any]]


# ------------------------------------------------------------------------------------------
# Wire bodies, shaped like the real server's (see tests/captures)


def job_json(**overrides: Any) -> dict[str, Any]:
    """A Job object as the server sends it (omitted optional fields stay omitted)."""
    body: dict[str, Any] = {
        "id": JOB_ID,
        "type": "echo",
        "state": "pending",
        "priority": 2,
        "attempt": 0,
        "max_attempts": 3,
        "created_at": CREATED_AT,
        "updated_at": UPDATED_AT,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def finished_job_json(state: str = "completed", **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "state": state,
        "attempt": 1,
        "started_at": "2026-11-28T19:12:17.323284515Z",
        "completed_at": "2026-11-28T19:12:17.323585895Z",
    }
    fields.update(overrides)
    return job_json(**fields)


def result_json(**overrides: Any) -> dict[str, Any]:
    """A JobResult object: echo of {"hello":"world","n":1} (capture 022)."""
    body: dict[str, Any] = {
        "job_id": JOB_ID,
        "success": True,
        "output": "eyJoZWxsbyI6IndvcmxkIiwibiI6MX0=",
        "duration": 289803,
        "completed_at": "2026-11-28T19:12:17.323503162Z",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def failed_result_json(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "success": False,
        "output": None,
        "error": 'intentional error: "boom"',
        "error_category": "temporary",
        "duration": 5449542,
    }
    fields.update(overrides)
    return result_json(**fields)


def wait_json(state: str = "completed", **overrides: Any) -> dict[str, Any]:
    """A wait response; ``completed``/``success``/``result`` follow the state unless given."""
    finished = state in ("completed", "failed", "dead_letter", "cancelled")
    body: dict[str, Any] = {"id": JOB_ID, "state": state, "completed": finished}
    if state == "completed":
        body["success"] = True
        body["result"] = result_json()
    elif state in ("failed", "dead_letter"):
        body["result"] = failed_result_json()
    elif not finished:
        body["timed_out"] = True
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


# A /api/v1/stats body (durations in nanoseconds, processing_ids null when idle).
STATS = {
    "queue": {
        "pending": 1,
        "scheduled": 2,
        "running": 3,
        "delayed": 4,
        "completed": 5,
        "failed": 6,
        "dead_letter": 7,
        "cancelled": 8,
        "total_jobs": 40,
        "storage_bytes": 32768,
        "timestamp": "2026-11-28T19:12:14.690018616Z",
    },
    "workers": {
        "total_workers": 4,
        "active_workers": 1,
        "idle_workers": 3,
        "queued_jobs": 0,
        "processed_jobs": 9,
        "succeeded_jobs": 5,
        "failed_jobs": 2,
        "retried_jobs": 0,
        "avg_processing_time": 1500,
        "max_processing_time": 2_000_000,
        "p99_processing_time": 0,
        "processing_ids": None,
        "uptime": 9268722372,
        "healthy": True,
    },
}

# A /health body (store latency in nanoseconds, server-local timestamp).
HEALTH = {
    "healthy": True,
    "components": {
        "scheduler": {"healthy": True},
        "store": {"healthy": True, "latency": 21071},
        "workers": {"healthy": True, "message": "0/4 active"},
    },
    "timestamp": "2026-11-29T00:49:33.457644966+05:30",
}


def ok(body: Any = None, status: int = 200, **headers: str) -> httpx.Response:
    """A JSON response like the server's: application/json, body ending in a newline."""
    content = (json.dumps(body, separators=(",", ":")) + "\n").encode()
    return httpx.Response(
        status,
        content=content,
        headers={"Content-Type": "application/json", "X-Request-Id": "req-1", **headers},
    )


def error(status: int, code: str, message: str, **headers: str) -> httpx.Response:
    """The server's error envelope."""
    return ok({"error": {"code": code, "message": message}}, status, **headers)


def raw(status: int, content: bytes = b"", content_type: str | None = None, **headers: str):
    """A response with an arbitrary body (text/plain 404s, HTML redirects, empty bodies)."""
    all_headers = dict(headers)
    if content_type is not None:
        all_headers["Content-Type"] = content_type
    return httpx.Response(status, content=content, headers=all_headers)


def not_found(what: str = "job") -> httpx.Response:
    return error(404, "not_found", f"{what} not found")


_GO_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_GO_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def go_seconds(text: str) -> float:
    """Seconds in a simple Go duration string ("25s", "1500ms", "1h2m"); test-side parser."""
    if text == "0s":
        return 0.0
    parts = _GO_PART.findall(text)
    assert "".join(n + u for n, u in parts) == text, f"not a Go duration: {text!r}"
    return sum(float(n) * _GO_UNITS[u] for n, u in parts)


# ------------------------------------------------------------------------------------------
# The fake server


@dataclass
class Sent:
    """One request as the fake server received it."""

    method: str
    path: str
    params: dict[str, str]
    headers: httpx.Headers
    content: bytes
    request: httpx.Request

    @property
    def json(self) -> Any:
        return json.loads(self.content) if self.content else None

    @property
    def read_timeout(self) -> float | None:
        timeout: dict[str, float | None] = self.request.extensions["timeout"]
        return timeout["read"]


class FakeServer:
    """A scripted ``httpx.MockTransport`` handler.

    ``script(*answers)`` queues answers used in order, one per request. An answer is an
    ``httpx.Response``, an exception instance (raised from the transport, like a dropped
    connection) or a callable taking the ``httpx.Request`` and returning either. Once the
    script is used up, ``default`` answers; without a default an unexpected request fails the
    test.
    """

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self._script: deque[Answer] = deque()
        self.default: Answer | None = None

    def script(self, *answers: Answer) -> FakeServer:
        self._script.extend(answers)
        return self

    @property
    def pending(self) -> int:
        """Scripted answers not used yet."""
        return len(self._script)

    @property
    def last(self) -> Sent:
        assert self.sent, "no request was sent"
        return self.sent[-1]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        content = request.read()
        self.sent.append(
            Sent(
                method=request.method,
                path=request.url.path,
                params=dict(request.url.params),
                headers=request.headers,
                content=content,
                request=request,
            )
        )
        if self._script:
            answer: Any = self._script.popleft()
        elif self.default is not None:
            answer = self.default
        else:
            raise AssertionError(f"unexpected request: {request.method} {request.url}")
        while callable(answer) and not isinstance(answer, httpx.Response):
            answer = answer(request)
        if isinstance(answer, BaseException):
            raise answer
        assert isinstance(answer, httpx.Response), answer
        # A fresh copy each time: one scripted (or parametrized) response may answer many
        # requests, and httpx binds each response to its request.
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)


class VirtualClock:
    """Monotonic time that only moves when the SDK sleeps or a test advances it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, f"negative sleep {seconds}"
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await asyncio.sleep(0)  # still let other tasks run, as a real pause would

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def call(client: Client, method: str, /, *args: Any, **kwargs: Any) -> Any:
    """Call ``client.method(*args, **kwargs)`` on either client and return its result."""
    result = getattr(client, method)(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


def user_agent_prefix() -> str:
    return f"gopherqueue-python/{gopherqueue.__version__} "


class _BridgeContent:
    """``ClientResponse.content`` of a bridged response: the whole body in one chunk."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    async def readany(self) -> bytes:
        body, self._body = self._body, b""
        return body


class _BridgeResponse:
    """The part of ``aiohttp.ClientResponse`` that ``_aiohttp.AiohttpDriver`` uses."""

    def __init__(self, response: httpx.Response) -> None:
        self.status = response.status_code
        self.raw_headers = tuple(response.headers.raw)
        self.headers = response.headers
        self._body = response.content
        self.content = _BridgeContent(response.content)

    async def read(self) -> bytes:
        return self._body

    def release(self) -> None:
        pass

    def close(self) -> None:
        pass


def _aiohttp_failure(exc: BaseException) -> BaseException:
    """What aiohttp raises where httpx's transport raises ``exc`` (so a scripted failure
    reaches the flows through the aiohttp driver's own mapping)."""
    import aiohttp

    if isinstance(exc, httpx.ConnectTimeout):
        return aiohttp.ConnectionTimeoutError("Connection timeout to host http://fake")
    if isinstance(exc, httpx.ConnectError):
        key: Any = type("Key", (), {"host": "127.0.0.1", "port": 9, "ssl": True})()
        return aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "refused"))
    if isinstance(exc, httpx.TimeoutException):  # read, write and pool timeouts
        return aiohttp.SocketTimeoutError("Timeout on reading data from socket")
    if isinstance(exc, httpx.RemoteProtocolError):
        return aiohttp.ServerDisconnectedError()
    if isinstance(exc, httpx.TransportError):
        return aiohttp.ClientOSError(104, "Connection reset by peer")
    return exc


class AiohttpBridge:
    """A stand-in ``aiohttp.ClientSession`` that answers from a :class:`FakeServer`, so the unit
    suite runs the async client's aiohttp driver on the same scripts as its httpx drivers."""

    def __init__(self, server: FakeServer) -> None:
        self._server = server
        self.closed = False

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        data: bytes | None,
        timeout: Any,
        **_: Any,
    ) -> _BridgeResponse:
        # The aiohttp timeouts as httpx's names (aiohttp has no write timeout; its `connect`
        # is httpx's connect plus pool), so the tests read one shape on every backend.
        pool = None if timeout.connect is None else timeout.connect - timeout.sock_connect
        extensions = {
            "timeout": {
                "connect": timeout.sock_connect,
                "read": timeout.sock_read,
                "write": None,
                "pool": pool,
            }
        }
        request = httpx.Request(method, url, headers=headers, content=data, extensions=extensions)
        try:
            response = self._server(request)
        except BaseException as exc:
            # Chained, so a test can find the failure it scripted (see scripted_cause).
            raise _aiohttp_failure(exc) from exc
        return _BridgeResponse(response)

    async def close(self) -> None:
        self.closed = True


def scripted_cause(error: BaseException) -> BaseException | None:
    """The transport failure a test scripted, from the SDK error it became: the direct cause
    with httpx; with the aiohttp driver the cause of the aiohttp failure the bridge raised
    (the driver chains that to the httpx error it maps it to)."""
    cause = error.__cause__
    inner = None if cause is None else cause.__cause__
    if inner is not None and type(inner).__module__.startswith("aiohttp"):
        return inner.__cause__
    return cause
