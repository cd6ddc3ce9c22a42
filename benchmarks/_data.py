"""Canned wire data taken from the recorded real-server captures in ``tests/captures/``.

Everything the canned server answers and every body the local benchmarks parse comes from what
the real ``gq serve`` sent, so the SDK is measured on the bytes it will meet in production.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from . import _common  # noqa: F401  (puts the repository root on sys.path for tests.captures)

__all__ = [
    "GET_CAPTURE",
    "JOB_ID",
    "SUBMIT_CAPTURE",
    "list_body",
    "raw_response",
    "sse_long_stream",
    "sse_stream",
    "submit_payload",
]

#: ``POST /api/v1/jobs`` -> 201, a pending echo job.
SUBMIT_CAPTURE = "020_submit_echo_minimal"
#: ``GET /api/v1/jobs/{id}`` -> 200, a running sleep job (no result to fetch).
GET_CAPTURE = "032_get_sleep_running"
#: The id of the job in :data:`GET_CAPTURE`.
JOB_ID = "3097c2bb-b3be-476f-9d4d-f97f9eae8aa9"
#: The SSE capture whose body is repeated into the decoding benchmark's stream.
SSE_CAPTURE = "300_sse_all"


def submit_payload() -> Any:
    """The payload the submit capture sent (``{"hello": "world", "n": 1}``)."""
    from tests.captures import load

    return json.loads(load(SUBMIT_CAPTURE).request_body)["payload"]


def raw_response(name: str) -> bytes:
    """The capture's response as HTTP/1.1 bytes: status line, recorded headers, body."""
    from tests.captures import load

    cap = load(name)
    lines = [f"HTTP/1.1 {cap.status} {cap.reason}"]
    lines += [f"{key}: {value}" for key, value in cap.response_headers.raw]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    body = cap.response_body
    if cap.response_headers.get("transfer-encoding", "").lower() == "chunked":
        # The capture holds the decoded body; send it as the one chunk it was.
        return head + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    return head + body


@functools.cache
def list_body(count: int = 100) -> bytes:
    """A ``GET /api/v1/jobs`` body holding ``count`` real job objects.

    The captures hold about 90 distinct job snapshots (every state, with and without tags,
    ``last_error`` and ``scheduled_at``); they are taken in capture order, and repeated with a
    changed id when more are needed. Serialised like the Go server: compact, key order kept,
    one trailing newline.
    """
    from tests.captures import load_all

    seen: dict[str, dict[str, Any]] = {}
    for cap in load_all():
        if not cap.response_body or cap.status not in (200, 201):
            continue
        try:
            body = json.loads(cap.response_body)
        except ValueError:
            continue
        candidates: list[Any] = []
        if isinstance(body, dict) and isinstance(body.get("jobs"), list):
            candidates = body["jobs"]
        elif isinstance(body, dict) and {"id", "type", "state"} <= body.keys():
            candidates = [body]
        for job in candidates:
            if isinstance(job, dict) and "id" in job and "state" in job:
                seen.setdefault(json.dumps(job, separators=(",", ":")), job)
    snapshots = list(seen.values())
    if not snapshots:
        raise RuntimeError("no job objects found in tests/captures")
    jobs: list[dict[str, Any]] = []
    for index in range(count):
        job = dict(snapshots[index % len(snapshots)])
        if index >= len(snapshots):
            job["id"] = f"{job['id'][:24]}{index:012x}"
        jobs.append(job)
    # Key order as the server writes it (sorted map keys: count, jobs).
    return json.dumps({"count": len(jobs), "jobs": jobs}, separators=(",", ":")).encode() + b"\n"


@functools.cache
def sse_stream(min_events: int) -> tuple[bytes, int]:
    """The body of the recorded SSE stream repeated until it holds at least ``min_events``
    events (``connected`` included). Returns the bytes and the number of events in them."""
    from tests.captures import load_sse

    body = load_sse(SSE_CAPTURE).body
    # Cut at the last complete event so repetitions join on an event boundary.
    end = body.rfind(b"\n\n")
    unit = body[: end + 2]
    per_unit = unit.count(b"\ndata:") + unit.startswith(b"data:")
    repeats = -(-min_events // per_unit)
    return unit * repeats, per_unit * repeats


@functools.cache
def sse_long_stream(min_events: int) -> tuple[bytes, int]:
    """One long-lived stream: capture 300's ``connected`` event once, then its job events
    repeated until there are at least ``min_events`` of them. Returns the bytes and the number
    of job events (``connected`` not counted)."""
    from tests.captures import load_sse

    body = load_sse(SSE_CAPTURE).body
    end = body.rfind(b"\n\n")
    first = body.find(b"\n\n") + 2  # the end of `connected`
    unit = body[first : end + 2]
    per_unit = unit.count(b"\nevent:") + unit.startswith(b"event:")
    repeats = -(-min_events // per_unit)
    return body[:first] + unit * repeats, per_unit * repeats
