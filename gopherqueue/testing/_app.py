"""The HTTP routes of the embedded server and their exact wire formatting.

Routing is done by hand rather than with Starlette's router because the real server's routing
is Go ``net/http`` ``ServeMux`` plus hand-written path splitting, with quirks clients meet:

* unclean paths (``..``, ``.``, ``//``) get a 301 to the cleaned path (HTML body for GET);
* paths outside ``/api/v1`` that are not ``/health``, ``/ready``, ``/live`` or ``/metrics`` get
  Go's ``text/plain`` ``404 page not found``; unknown paths under ``/api/v1/`` get a JSON 404;
* ``/health``, ``/ready``, ``/live``, ``/metrics`` and ``/api/v1[/]`` answer any method; every
  other route answers a wrong method with a JSON 405;
* ``/api/v1/jobs/{id}/{sub}/anything`` ignores the extra segments; the sub-resource and method
  are checked before the id is parsed.

Starlette provides the request and response primitives; :mod:`._http` the Go header layout and
write timeout; :mod:`._faults` fault injection.
"""

from __future__ import annotations

import asyncio
import datetime
import hmac
from typing import Any, Optional, Union
from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._durations import parse_go_duration
from ._engine import (
    TERMINAL_STATES,
    BatchItemResult,
    Engine,
    SubmitRequest,
    job_json,
    result_json,
)
from ._faults import FaultInjector, FaultMiddleware
from ._http import GoWireMiddleware
from ._wire import (
    MISSING,
    JSONObject,
    TypeMismatch,
    as_int,
    as_str,
    as_str_map,
    decode_body,
    go_json,
    parse_rfc3339,
    parse_uuid,
)

__all__ = ["GopherQueueApp", "build_app", "clean_path"]

_API = "/api/v1"
_JOBS_PREFIX = "/api/v1/jobs/"
_PROBES = frozenset({"/health", "/ready", "/live", "/metrics"})
_MAX_BATCH = 1000
_LIST_CAP = 100
_DEFAULT_WAIT = 30.0
_MAX_WAIT = 300.0

# The GET /api/v1 body, verbatim from the real server (capture 005); keys are sorted as Go
# sorts map keys.
_API_INFO: dict[str, Any] = {
    "endpoints": {
        "DELETE /api/v1/jobs/{id}": "Delete a job",
        "GET /api/v1/events": "SSE stream for real-time updates",
        "GET /api/v1/jobs": "List jobs with filters",
        "GET /api/v1/jobs/{id}": "Get job by ID",
        "GET /api/v1/jobs/{id}/result": "Get job result",
        "GET /api/v1/stats": "Get queue statistics",
        "GET /health": "Full health status",
        "GET /live": "Liveness probe",
        "GET /metrics": "Metrics endpoint",
        "GET /ready": "Readiness probe",
        "POST /api/v1/jobs": "Submit a new job",
        "POST /api/v1/jobs/batch": "Submit multiple jobs",
        "POST /api/v1/jobs/{id}/cancel": "Cancel a job",
        "POST /api/v1/jobs/{id}/retry": "Retry a failed job",
        "POST /api/v1/jobs/{id}/wait": "Wait for job completion (long-polling)",
    },
    "features": [
        "Priority queues (Critical, High, Normal, Low, Bulk)",
        "Batch job submission (up to 1000 jobs)",
        "Long-polling job wait",
        "Server-Sent Events (SSE) for real-time updates",
        "Automatic retries with exponential backoff",
        "Job checkpointing for crash recovery",
        "API key authentication",
        "Role-based authorization",
    ],
    "name": "GopherQueue API",
    "version": "1.0.0",
}

_SUBRESOURCES: dict[str, tuple[str, ...]] = {
    "cancel": ("POST",),
    "retry": ("POST",),
    "result": ("GET",),
    "wait": ("POST", "GET"),
}


# --------------------------------------------------------------------------------------------
# Response helpers


def _json(status: int, value: Any) -> Response:
    return Response(go_json(value), status_code=status, media_type="application/json")


def _error(status: int, code: str, message: str) -> Response:
    return _json(status, {"error": {"code": code, "message": message}})


def _invalid_body() -> Response:
    return _error(400, "invalid_request", "invalid JSON body")


def _not_allowed() -> Response:
    return _error(405, "method_not_allowed", "method not allowed")


def _job_not_found() -> Response:
    return _error(404, "not_found", "job not found")


def _text_404() -> Response:
    return Response(
        b"404 page not found\n",
        status_code=404,
        media_type="text/plain; charset=utf-8",
        headers={"x-content-type-options": "nosniff"},
    )


def _html_escape(text: str) -> str:
    # Go's net/http htmlReplacer, which differs from html.escape for quotes.
    for old, new in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&#34;"), ("'", "&#39;")):
        text = text.replace(old, new)
    return text


def _redirect(method: str, target: str) -> Response:
    headers = {"location": target}
    if method in ("GET", "HEAD"):
        body = f'<a href="{_html_escape(target)}">Moved Permanently</a>.\n\n'.encode()
        if method == "HEAD":
            body = b""
        return Response(body, 301, headers=headers, media_type="text/html; charset=utf-8")
    return Response(b"", 301, headers=headers)


def clean_path(path: str) -> str:
    """Go's ``net/http`` ``cleanPath``: ``path.Clean`` plus keeping a trailing slash."""
    if not path:
        return "/"
    if not path.startswith("/"):
        path = "/" + path
    out: list[str] = []
    for seg in path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if out:
                out.pop()
            continue
        out.append(seg)
    cleaned = "/" + "/".join(out)
    if path.endswith("/") and cleaned != "/":
        cleaned += "/"
    return cleaned


def _request_id() -> str:
    # Upstream derives it from the local clock; it is not unique under concurrency there either.
    return datetime.datetime.now().strftime("%Y%m%d%H%M%S.%f")


# --------------------------------------------------------------------------------------------
# Request parsing


def parse_submit(obj: JSONObject) -> SubmitRequest:
    """Decode one submit object like Go would into its request struct.

    Raises :class:`TypeMismatch` for a wrong JSON type or a non-RFC 3339 ``scheduled_at``
    (both 400 ``invalid JSON body``). Unparsable ``delay``/``timeout`` strings are ignored.
    """
    fields = obj.fields()
    payload = fields.get("payload")
    return _submit_request(
        {name: member[1] for name, member in fields.items()},
        None if payload is None else obj.source_of(payload),
    )


def _submit_request(fields: dict[str, Any], payload: Optional[bytes]) -> SubmitRequest:
    # ``fields``: the values present by (case-folded) field name; ``payload``: its exact bytes.
    req = SubmitRequest()
    req.payload = payload
    delay = timeout = scheduled = None
    # One pass over the fields present (a batch item has four or five of the ten).
    for name, value in fields.items():
        if name == "type":
            req.type = as_str(value, name) or ""
        elif name == "idempotency_key":
            req.idempotency_key = as_str(value, name) or ""
        elif name == "delay":
            delay = as_str(value, name)
        elif name == "priority":
            req.priority = as_int(value, name)
        elif name == "timeout":
            timeout = as_str(value, name)
        elif name == "max_attempts":
            req.max_attempts = as_int(value, name)
        elif name == "scheduled_at":
            scheduled = as_str(value, name)
        elif name == "correlation_id":
            req.correlation_id = as_str(value, name) or ""
        elif name == "tags":
            req.tags = as_str_map(value, name)
    if scheduled is not None:
        try:
            req.scheduled_at = parse_rfc3339(scheduled)
        except ValueError:
            raise TypeMismatch("scheduled_at") from None
    if delay:
        try:
            req.delay_ns = parse_go_duration(delay)
        except ValueError:
            req.delay_ns = None
    if timeout:
        try:
            req.timeout_ns = parse_go_duration(timeout)
        except ValueError:
            req.timeout_ns = None
    return req


def _lenient_object(body: bytes) -> Optional[JSONObject]:
    # cancel/retry/wait bodies are optional and their decode errors are ignored upstream.
    try:
        value = decode_body(body)
    except ValueError:
        return None
    return value if isinstance(value, JSONObject) else None


def _decode_object(body: bytes) -> Optional[JSONObject]:
    """Decode a request body that must be a JSON object (or ``null``); ``None`` means 400."""
    try:
        value = decode_body(body)
    except ValueError:
        return None
    if value is None:
        return JSONObject("")
    return value if isinstance(value, JSONObject) else None


# --------------------------------------------------------------------------------------------
# SSE


class _EventStream:
    """The ``/api/v1/events`` response: upstream's framing, a keepalive comment, no replay."""

    def __init__(self, engine: Engine, job_filter: str, keepalive: float) -> None:
        self.engine = engine
        self.job_filter = job_filter
        self.keepalive = keepalive

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Stream events until the client goes away or the write timeout cuts the stream."""
        sub = self.engine.subscribe(self.job_filter)

        async def watch() -> None:
            while True:
                message = await receive()
                if message.get("type") == "http.disconnect":
                    return

        watcher = asyncio.ensure_future(watch())
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"access-control-allow-origin", b"*"),
                        (b"cache-control", b"no-cache"),
                        (b"connection", b"keep-alive"),
                        (b"content-type", b"text/event-stream"),
                        (b"transfer-encoding", b"chunked"),
                    ],
                }
            )
            await send(
                {
                    "type": "http.response.body",
                    "body": b'event: connected\ndata: {"status":"connected"}\n\n',
                    "more_body": True,
                }
            )
            while True:
                getter = asyncio.ensure_future(sub.queue.get())
                done, _pending = await asyncio.wait(
                    {getter, watcher},
                    timeout=self.keepalive if self.keepalive > 0 else None,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if getter not in done:
                    getter.cancel()
                if watcher in done:
                    return
                if getter in done:
                    name, data, job_id = getter.result()
                    frame = f"event: {name}\ndata: {data}\nid: {job_id}\n\n".encode()
                else:
                    frame = b": keepalive\n\n"
                await send({"type": "http.response.body", "body": frame, "more_body": True})
        finally:
            self.engine.unsubscribe(sub)
            watcher.cancel()


# --------------------------------------------------------------------------------------------
# The application


class GopherQueueApp:
    """The route handlers (innermost ASGI layer). Adds ``X-Request-Id`` to every response."""

    def __init__(
        self,
        engine: Engine,
        *,
        api_key: Optional[str] = None,
        keepalive_interval: float = 15.0,
        wait_initial_delay: float = 0.0,
    ) -> None:
        self.engine = engine
        self.api_key = api_key
        self.keepalive_interval = keepalive_interval
        self.wait_initial_delay = wait_initial_delay

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route one request and send its response."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        request_id = request.headers.get("x-request-id") or _request_id()
        response = await self._route(request)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode("latin-1", "replace")))
                message = dict(message)
                message["headers"] = headers
            await send(message)

        await response(scope, receive, send_with_id)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _authorized(self, request: Request) -> Optional[Response]:
        if self.api_key is None:
            return None
        supplied = request.headers.get("x-api-key")
        if supplied is None:
            auth = request.headers.get("authorization")
            if auth is not None and auth[:7].lower() == "bearer ":
                supplied = auth[7:].strip()
        if supplied is None or supplied == "":
            return _error(401, "unauthorized", "missing credentials")
        if not hmac.compare_digest(supplied.encode(), self.api_key.encode()):
            return _error(401, "unauthorized", "invalid credentials")
        return None

    async def _route(self, request: Request) -> Union[Response, _EventStream]:
        method = request.method.upper()
        path: str = request.scope["path"]
        cleaned = clean_path(path)
        if cleaned != path:
            target = quote(cleaned, safe="/:@!$&'()*+,;=-._~")
            query = request.scope.get("query_string", b"")
            if query:
                target += "?" + query.decode("latin-1")
            return _redirect(method, target)
        if path in _PROBES:
            return self._probe(path)
        if path != _API and not path.startswith(_API + "/"):
            return _text_404()
        if path in (_API, _API + "/"):
            # Public like the probes: the spec gives get_api_info `security: []`.
            return _json(200, _API_INFO)
        denied = self._authorized(request)
        if denied is not None:
            return denied
        if path == "/api/v1/jobs":
            if method == "GET":
                return self._list(request)
            if method == "POST":
                return await self._submit(request)
            return _not_allowed()
        if path == "/api/v1/jobs/batch":
            return await self._batch(request) if method == "POST" else _not_allowed()
        if path == "/api/v1/stats":
            return _json(200, self.engine.stats()) if method == "GET" else _not_allowed()
        if path == "/api/v1/events":
            if method != "GET":
                return _not_allowed()
            job_filter = request.query_params.get("job_id", "")
            return _EventStream(self.engine, job_filter, self.keepalive_interval)
        if path.startswith(_JOBS_PREFIX):
            return await self._by_id(request, method)
        return _error(404, "not_found", "endpoint not found")

    def _probe(self, path: str) -> Response:
        if path == "/health":
            return _json(200, self.engine.health())
        if path == "/ready":
            return _json(200, {"ready": True})
        if path == "/live":
            return _json(200, {"alive": True})
        return _json(200, self.engine.metrics())

    async def _by_id(self, request: Request, method: str) -> Response:
        raw = request.scope.get("raw_path")
        raw_path = raw.decode("latin-1") if isinstance(raw, bytes) else request.scope["path"]
        if not raw_path.startswith(_JOBS_PREFIX):
            raw_path = request.scope["path"]
        # Split the still-escaped path so "%2F" stays inside its segment, as upstream does.
        parts = [unquote(p) for p in raw_path[len(_JOBS_PREFIX) :].split("/")]
        if len(parts) == 1:
            if method not in ("GET", "DELETE"):
                return _not_allowed()
            sub = ""
        else:
            sub = parts[1]
            allowed = _SUBRESOURCES.get(sub)
            if allowed is None:
                return _error(404, "not_found", "resource not found")
            if method not in allowed:
                return _not_allowed()
        if parts[0] == "":
            return _error(400, "invalid_request", "job ID required")
        job_id = parse_uuid(parts[0])
        if job_id is None:
            return _error(400, "invalid_request", "invalid job ID format")
        if sub == "":
            return self._get(job_id) if method == "GET" else self._delete(job_id)
        if sub == "cancel":
            return self._cancel(job_id, await request.body())
        if sub == "retry":
            return self._retry(job_id, await request.body())
        if sub == "result":
            return self._result(job_id)
        if method == "GET":
            timeout_text: Optional[str] = request.query_params.get("timeout")
        else:
            obj = _lenient_object(await request.body())
            value = obj.get("timeout") if obj is not None else MISSING
            timeout_text = value if isinstance(value, str) else None
        return await self._wait(job_id, timeout_text)

    # -- handlers --------------------------------------------------------------------------

    async def _submit(self, request: Request) -> Response:
        obj = _decode_object(await request.body())
        if obj is None:
            return _invalid_body()
        try:
            req = parse_submit(obj)
        except TypeMismatch:
            return _invalid_body()
        if not req.type:
            return _error(400, "validation_error", "job type is required")
        job, created = self.engine.submit(req)
        return _json(201 if created else 200, job_json(job))

    async def _batch(self, request: Request) -> Response:
        obj = _decode_object(await request.body())
        if obj is None:
            return _invalid_body()
        value: Any = obj.get("jobs")
        if value is MISSING or value is None:
            value = []
        if not isinstance(value, list):
            return _invalid_body()
        items: list[Any] = value  # pyright: ignore[reportUnknownVariableType]
        reqs: list[Optional[SubmitRequest]] = []
        try:
            atomic = bool(obj.get_bool("atomic"))
            for item in items:
                if item is None:
                    reqs.append(None)
                elif isinstance(item, JSONObject):
                    reqs.append(parse_submit(item))
                else:
                    return _invalid_body()
        except TypeMismatch:
            return _invalid_body()
        return self._store_batch(reqs, atomic)

    def _store_batch(self, reqs: list[Optional[SubmitRequest]], atomic: bool) -> Response:
        if not reqs:
            return _error(400, "validation_error", "at least one job is required")
        if len(reqs) > _MAX_BATCH:
            return _error(400, "validation_error", f"maximum {_MAX_BATCH} jobs per batch")
        outcome = self.engine.submit_batch(reqs, atomic)
        if isinstance(outcome, tuple):
            status, code, message = outcome
            return _error(status, code, message)
        return _json(201, _batch_json(outcome))

    def _list(self, request: Request) -> Response:
        state = request.query_params.get("state", "")
        job_type = request.query_params.get("type", "")
        jobs = self.engine.list_jobs(state, job_type, _LIST_CAP)
        return _json(200, {"count": len(jobs), "jobs": [job_json(j) for j in jobs]})

    def _get(self, job_id: str) -> Response:
        job = self.engine.get(job_id)
        return _job_not_found() if job is None else _json(200, job_json(job))

    def _delete(self, job_id: str) -> Response:
        if not self.engine.delete(job_id):
            return _job_not_found()
        return Response(status_code=204)

    def _cancel(self, job_id: str, body: bytes) -> Response:
        if self.engine.get(job_id) is None:
            return _job_not_found()
        obj = _lenient_object(body)
        reason = obj.get("reason") if obj is not None else ""
        force = obj.get("force") if obj is not None else False
        job = self.engine.cancel(job_id, reason if isinstance(reason, str) else "", force is True)
        if job is None:
            return _error(409, "conflict", "job cannot be cancelled")
        return _json(200, job_json(job))

    def _retry(self, job_id: str, body: bytes) -> Response:
        if self.engine.get(job_id) is None:
            return _job_not_found()
        obj = _lenient_object(body)
        reset = obj.get("reset_attempts") if obj is not None else False
        job = self.engine.retry(job_id, reset is True)
        if job is None:
            # Upstream's wire quirk, kept on purpose: wrong status and a cancel message.
            return _error(500, "internal_error", "job cannot be cancelled in current state")
        return _json(200, job_json(job))

    def _result(self, job_id: str) -> Response:
        job = self.engine.get(job_id)
        if job is None or job.result is None:
            return _error(404, "not_found", "result not found")
        return _json(200, result_json(job.result))

    async def _wait(self, job_id: str, timeout_text: Optional[str]) -> Response:
        timeout = _DEFAULT_WAIT
        if timeout_text:
            try:
                timeout = min(parse_go_duration(timeout_text) / 1e9, _MAX_WAIT)
            except ValueError:
                timeout = _DEFAULT_WAIT
        job = self.engine.get(job_id)
        if job is None:
            return _job_not_found()
        if timeout > 0:
            if self.wait_initial_delay > 0:
                await asyncio.sleep(min(self.wait_initial_delay, timeout))
                timeout -= min(self.wait_initial_delay, timeout)
            job = await self.engine.wait(job_id, timeout)
            if job is None:
                return _job_not_found()
        if job.state in TERMINAL_STATES:
            body: dict[str, Any] = {"id": job.id, "state": job.state, "completed": True}
            if job.result is not None and job.result.success:
                body["success"] = True
            if job.result is not None:
                body["result"] = result_json(job.result)
            return _json(200, body)
        return _json(200, {"id": job.id, "state": job.state, "completed": False, "timed_out": True})


def _batch_json(results: list[BatchItemResult]) -> dict[str, Any]:
    accepted = sum(1 for r in results if r.success)
    items: list[dict[str, Any]] = []
    for r in results:
        item: dict[str, Any] = {"index": r.index, "success": r.success, "job": r.job}
        if r.error:
            item["error"] = r.error
        items.append(item)
    return {
        "total": len(results),
        "accepted": accepted,
        "rejected": len(results) - accepted,
        "results": items,
    }


def build_app(
    engine: Engine,
    faults: FaultInjector,
    *,
    api_key: Optional[str] = None,
    write_timeout: Optional[float] = 30.0,
    keepalive_interval: float = 15.0,
    wait_initial_delay: float = 0.0,
) -> ASGIApp:
    """Assemble the full ASGI stack: Go wire layer, then faults, then the routes."""
    app = GopherQueueApp(
        engine,
        api_key=api_key,
        keepalive_interval=keepalive_interval,
        wait_initial_delay=wait_initial_delay,
    )
    return GoWireMiddleware(FaultMiddleware(app, faults), write_timeout=write_timeout)
