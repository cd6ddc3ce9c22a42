"""An ``httpx.MockTransport`` server for the input and response tests: it records every request
and answers each route with a valid canned reply (or what a test scripts), plus client
factories that use it."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Union

import httpx

from gopherqueue import GopherQueue, GopherQueueSync

BASE_URL = "http://127.0.0.1:18080"
JOB_ID = "5e1b47c8-2930-4e1f-9181-200d59659ff0"
TS = "2026-11-28T19:12:17.24631043Z"

Client = Union[GopherQueue, GopherQueueSync]
Handler = Callable[[httpx.Request], httpx.Response]


def job(job_id: str = JOB_ID, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": job_id,
        "type": "echo",
        "state": "completed",
        "priority": 2,
        "attempt": 1,
        "max_attempts": 3,
        "created_at": TS,
        "updated_at": TS,
        "started_at": TS,
        "completed_at": TS,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def result(job_id: str = JOB_ID, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "job_id": job_id,
        "success": True,
        "output": "eyJoZWxsbyI6IndvcmxkIiwibiI6MX0=",
        "duration": 289803,
        "completed_at": "2026-11-28T19:12:17.323503162+05:30",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


STATS: dict[str, Any] = {
    "queue": {
        "pending": 0,
        "scheduled": 0,
        "running": 0,
        "delayed": 0,
        "completed": 1,
        "failed": 0,
        "dead_letter": 0,
        "cancelled": 0,
        "total_jobs": 1,
        "storage_bytes": 0,
        "timestamp": TS,
    },
    "workers": {
        "total_workers": 4,
        "active_workers": 0,
        "idle_workers": 4,
        "queued_jobs": 0,
        "processed_jobs": 1,
        "succeeded_jobs": 1,
        "failed_jobs": 0,
        "retried_jobs": 0,
        "avg_processing_time": 0,
        "max_processing_time": 0,
        "p99_processing_time": 0,
        "processing_ids": None,
        "uptime": 1_000_000_000,
        "healthy": True,
    },
}

HEALTH: dict[str, Any] = {
    "healthy": True,
    "components": {
        "scheduler": {"healthy": True},
        "store": {"healthy": True, "latency": 1200},
        "workers": {"healthy": True, "message": "0/4 active"},
    },
    "timestamp": "2026-11-29T00:49:32.55045653+05:30",
}

_ID = r"([^/]+)"


def _json(status: int, value: Any) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(value).encode() + b"\n",
        headers={"content-type": "application/json", "x-request-id": "20261128191212.584488"},
    )


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body delivered in chunks, readable by both clients (a ``content=`` body is
    read eagerly by httpx and cannot be streamed)."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk


def sse_response(
    *chunks: bytes, status: int = 200, content_type: str = "text/event-stream"
) -> httpx.Response:
    return httpx.Response(
        status, headers={"content-type": content_type}, stream=Chunks(list(chunks))
    )


def canned(
    request: httpx.Request, *, stream_limit: int = 3, seen: list[str] | None = None
) -> httpx.Response:
    """A valid reply for every route of the API (what the real server would send)."""
    method, path = request.method, request.url.path
    if path == "/api/v1/jobs" and method == "POST":
        body = json.loads(request.content or b"{}")
        return _json(201, job(type=body.get("type", "echo"), state="pending"))
    if path == "/api/v1/jobs/batch" and method == "POST":
        body = json.loads(request.content or b"{}")
        items = body.get("jobs", [])
        results = [
            {
                "index": i,
                "success": True,
                "job": job(
                    f"00000000-0000-4000-8000-{i:012d}", type=it.get("type", "x"), state="pending"
                ),
            }
            for i, it in enumerate(items)
        ]
        return _json(
            201, {"total": len(items), "accepted": len(items), "rejected": 0, "results": results}
        )
    if path == "/api/v1/jobs" and method == "GET":
        return _json(200, {"count": 1, "jobs": [job()]})
    if path == "/api/v1/stats":
        return _json(200, STATS)
    if path == "/health":
        return _json(200, HEALTH)
    if path == "/ready":
        return _json(200, {"ready": True})
    if path == "/live":
        return _json(200, {"alive": True})
    if path == "/api/v1/events":
        if seen is not None:
            seen.append(path)
            if seen.count(path) > stream_limit:
                # Stop a stream that never emits what its filter wants from reconnecting forever.
                return _json(404, {"error": {"code": "not_found", "message": "endpoint not found"}})
        data = json.dumps(job(state="pending"))
        return sse_response(
            b'event: connected\ndata: {"status":"connected"}\n\n',
            f"event: job.created\ndata: {data}\nid: {JOB_ID}\n\n".encode(),
        )
    match = re.fullmatch(rf"/api/v1/jobs/{_ID}(/[a-z]+)?", path)
    if match:
        job_id, sub = match.group(1), match.group(2) or ""
        if sub == "" and method == "GET":
            return _json(200, job(job_id))
        if sub == "" and method == "DELETE":
            return httpx.Response(204, headers={"x-request-id": "1"})
        if sub == "/result":
            return _json(200, result(job_id))
        if sub == "/wait":
            return _json(
                200,
                {
                    "id": job_id,
                    "state": "completed",
                    "completed": True,
                    "success": True,
                    "result": result(job_id),
                },
            )
        if sub == "/cancel":
            return _json(200, job(job_id, state="cancelled", last_error="stop"))
        if sub == "/retry":
            return _json(200, job(job_id, state="pending", completed_at=None))
    return _json(404, {"error": {"code": "not_found", "message": "endpoint not found"}})


class Recorder:
    """A MockTransport handler: records requests, answers with ``handler`` (default canned)."""

    def __init__(self, handler: Handler | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self._streams: list[str] = []
        self.handler = handler

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.handler is not None:
            return self.handler(request)
        return canned(request, seen=self._streams)


def sync_client(
    handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any
) -> GopherQueueSync:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return GopherQueueSync(kwargs.pop("url", BASE_URL), http_client=http, **kwargs)


def async_client(handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any) -> GopherQueue:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return GopherQueue(kwargs.pop("url", BASE_URL), http_client=http, **kwargs)


def _take(stream: Any, limit: int) -> list[Any]:
    items: list[Any] = []
    try:
        for item in stream:
            items.append(item)
            if len(items) >= limit:
                break
    finally:
        stream.close()
    return items


async def _atake(stream: Any, limit: int) -> list[Any]:
    items: list[Any] = []
    try:
        async for item in stream:
            items.append(item)
            if len(items) >= limit:
                break
    finally:
        await stream.aclose()
    return items


def invoke(
    kind: str,
    handler: Callable[[httpx.Request], httpx.Response],
    method: str,
    args: tuple[Any, ...] = (),
    kwargs: dict[str, Any] | None = None,
    *,
    client_kwargs: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    max_items: int = 2,
) -> Any:
    """Build a client of ``kind`` over ``handler`` (with ``client_kwargs``), optionally
    ``with_options(**options)``, and run ``method``; streams (events, watch) are read for at most
    ``max_items`` items. Synchronous for both clients (the async one runs in ``asyncio.run``)."""
    kwargs = kwargs or {}
    client_kwargs = dict(client_kwargs or {})
    if kind == "sync":
        client = sync_client(handler, **client_kwargs)
        target = client.with_options(**options) if options is not None else client
        out = getattr(target, method)(*args, **kwargs)
        if method in ("events", "watch"):
            return _take(out, max_items)
        return out

    async def main() -> Any:
        client = async_client(handler, **client_kwargs)
        target = client.with_options(**options) if options is not None else client
        out = getattr(target, method)(*args, **kwargs)
        if method in ("events", "watch"):
            return await _atake(out, max_items)
        return await out

    return asyncio.run(main())
