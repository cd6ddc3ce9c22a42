"""Replies the SDK must survive: odd but valid ones parse, broken ones raise a typed error.

Everything here goes through ``httpx.MockTransport``; a property test answers every operation
with arbitrary status, content type and body and checks that only GopherQueueError escapes.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gopherqueue import (
    APIConnectionError,
    AuthenticationError,
    GopherQueueError,
    JobNotFoundError,
    JobState,
    NotFoundError,
    RetryPolicy,
    ServerError,
    UnexpectedResponseError,
)
from tests.reliability.mock import (
    HEALTH,
    JOB_ID,
    STATS,
    Chunks,
    Recorder,
    canned,
    invoke,
    job,
    result,
)

NO_WAIT = RetryPolicy(max_retries=1, backoff_base=0.0, retry_after_max=0.0)


def reply(
    status: int,
    body: Any = None,
    *,
    content_type: str | None = "application/json",
    raw: bytes | None = None,
) -> httpx.Response:
    headers = {} if content_type is None else {"content-type": content_type}
    content = (
        raw if raw is not None else (b"" if body is None else json.dumps(body).encode() + b"\n")
    )
    return httpx.Response(status, headers=headers, content=content)


def streamed(response: httpx.Response) -> httpx.Response:
    """A fresh copy of ``response`` whose body can be streamed (events read bodies that way)."""
    return httpx.Response(
        response.status_code, headers=response.headers, stream=Chunks([response.content])
    )


def answer(route_body: dict[str, httpx.Response]) -> Recorder:
    """Answer paths ending in one of the keys with (a fresh copy of) the given reply, the rest
    canned."""

    def handle(request: httpx.Request) -> httpx.Response:
        for suffix, response in route_body.items():
            if request.url.path.endswith(suffix):
                return streamed(response)
        return canned(request)

    return Recorder(handle)


def run(kind: str, recorder: Recorder, method: str, *args: Any, **kwargs: Any) -> Any:
    return invoke(kind, recorder, method, args, kwargs, client_kwargs={"retry": NO_WAIT})


# ------------------------------------------------------------------------------------------
# Odd but valid: parsed


def test_unknown_state_and_extra_fields_are_tolerated(kind: str) -> None:
    body = job(state="paused", shard="eu-1", progress=12.5, new_object={"a": [1]})
    got = run(kind, answer({JOB_ID: reply(200, body)}), "get", JOB_ID)
    assert got.state == "paused"
    assert not got.state.is_known
    assert not got.is_finished
    assert got.job_result is None  # not terminal: no result fetched
    assert got.raw is not None
    assert got.raw.additional_properties["shard"] == "eu-1"
    assert got.progress == 12.5


def test_unknown_wait_state_is_tolerated(kind: str) -> None:
    body = {"id": JOB_ID, "state": "archived", "completed": True, "success": True}
    outcome = run(kind, answer({"/wait": reply(200, body)}), "wait", JOB_ID, 1)
    assert outcome.state == "archived"
    assert outcome.completed
    assert outcome.result is None


def test_missing_optional_fields(kind: str) -> None:
    body = {
        "id": JOB_ID,
        "type": "echo",
        "state": "pending",
        "priority": 2,
        "attempt": 0,
        "max_attempts": 3,
        "created_at": "2026-11-28T19:12:17Z",
        "updated_at": "2026-11-28T19:12:17Z",
    }
    got = run(kind, answer({JOB_ID: reply(200, body)}), "get", JOB_ID)
    assert got.tags == {}
    assert (got.scheduled_at, got.started_at, got.completed_at, got.last_error) == (
        None,
        None,
        None,
        None,
    )
    assert got.progress == 0.0
    assert got.progress_message is None


def test_nine_fractional_digits_and_offsets(kind: str) -> None:
    body = job(
        created_at="2026-11-28T19:12:17.123456789Z",
        updated_at="2026-11-28T19:12:17.1Z",
        scheduled_at="2030-01-01T10:00:00+02:00",
    )
    recorder = answer(
        {
            JOB_ID: reply(200, body),
            "/result": reply(200, result(completed_at="2026-11-29T00:49:32.55045653+05:30")),
        }
    )
    got = run(kind, recorder, "get", JOB_ID)
    assert got.created_at.microsecond == 123456
    assert got.created_at.utcoffset() == timedelta(0)
    assert got.updated_at.microsecond == 100000
    assert got.scheduled_at is not None
    assert got.scheduled_at.utcoffset() == timedelta(hours=2)
    assert got.job_result is not None
    completed = got.job_result.completed_at
    assert completed.utcoffset() == timedelta(hours=5, minutes=30)
    assert completed.astimezone(UTC).hour == 19


def test_null_processing_ids(kind: str) -> None:
    stats = run(kind, Recorder(), "stats")
    assert STATS["workers"]["processing_ids"] is None
    assert stats.workers.processing_ids == []


def test_health_with_local_offset(kind: str) -> None:
    health = run(kind, Recorder(), "health")
    assert health.healthy
    assert health.timestamp.utcoffset() == timedelta(hours=5, minutes=30)
    assert set(health.components) == set(HEALTH["components"])


def test_json_with_wrong_content_type_is_still_read(kind: str) -> None:
    got = run(
        kind,
        answer({JOB_ID: reply(200, job(), content_type="text/plain")}),
        "get",
        JOB_ID,
        include_result=False,
    )
    assert got.id == JOB_ID


def test_event_with_non_json_data_and_unknown_name(kind: str) -> None:
    stream = reply(
        200,
        content_type="text/event-stream",
        raw=b'event: connected\ndata: {"status":"connected"}\n\n'
        b"event: job.progress\ndata: not json\nid: x\n\n"
        b'event: job.created\ndata: {"id": 5}\n\n',
    )
    events = invoke(
        kind, answer({"/events": stream}), "events", max_items=3, client_kwargs={"retry": NO_WAIT}
    )
    assert [e.event_type for e in events] == ["connected", "job.progress", "job.created"]
    assert events[1].data == "not json"
    assert events[2].job is None  # data that is not a job stays data


# ------------------------------------------------------------------------------------------
# Broken: typed errors


@pytest.mark.parametrize(
    ("method", "args", "path", "response", "error"),
    [
        ("get", (JOB_ID,), JOB_ID, reply(200), UnexpectedResponseError),
        ("submit", ("echo",), "/jobs", reply(201), UnexpectedResponseError),
        ("submit_batch", ([{"type": "echo"}],), "/batch", reply(201), UnexpectedResponseError),
        ("stats", (), "/stats", reply(200, raw=b"{}"), UnexpectedResponseError),
        (
            "list",
            (),
            "/jobs",
            reply(200, raw=b'{"count":1,"jobs":[{"id":'),
            UnexpectedResponseError,
        ),
        ("get", (JOB_ID,), JOB_ID, reply(200, raw=b'{"id":"5e1b47c8'), UnexpectedResponseError),
        ("get", (JOB_ID,), JOB_ID, reply(200, job(state=None)), UnexpectedResponseError),
        (
            "get",
            (JOB_ID,),
            JOB_ID,
            reply(200, job(created_at="yesterday")),
            UnexpectedResponseError,
        ),
        ("get", (JOB_ID,), JOB_ID, reply(200, job(state=5)), UnexpectedResponseError),
        ("get", (JOB_ID,), JOB_ID, reply(200, [job()]), UnexpectedResponseError),
        ("get", (JOB_ID,), JOB_ID, reply(200, job(tags=["a"])), UnexpectedResponseError),
        ("result", (JOB_ID,), "/result", reply(200, result(output="%%%")), UnexpectedResponseError),
        (
            "result",
            (JOB_ID,),
            "/result",
            reply(200, result(duration="1s")),
            UnexpectedResponseError,
        ),
        ("wait", (JOB_ID, 1), "/wait", reply(200, {"id": JOB_ID}), UnexpectedResponseError),
        (
            "get",
            (JOB_ID,),
            JOB_ID,
            reply(200, raw=b"<html>ok</html>", content_type="text/html"),
            UnexpectedResponseError,
        ),
        (
            "get",
            (JOB_ID,),
            JOB_ID,
            reply(500, raw=b"<html>500</html>", content_type="text/html"),
            ServerError,
        ),
        (
            "get",
            (JOB_ID,),
            JOB_ID,
            reply(502, raw=b"<html>bad gateway</html>", content_type="text/html"),
            ServerError,
        ),
        (
            "get",
            (JOB_ID,),
            JOB_ID,
            reply(404, raw=b"404 page not found\n", content_type="text/plain"),
            UnexpectedResponseError,
        ),
        (
            "get",
            (JOB_ID,),
            JOB_ID,
            reply(404, {"error": {"code": "not_found", "message": "job not found"}}),
            JobNotFoundError,
        ),
        (
            "get",
            (JOB_ID,),
            JOB_ID,
            reply(404, {"error": {"code": "not_found", "message": "endpoint not found"}}),
            NotFoundError,
        ),
        (
            "get",
            (JOB_ID,),
            JOB_ID,
            reply(401, raw=b"<html>login</html>", content_type="text/html"),
            AuthenticationError,
        ),
        ("get", (JOB_ID,), JOB_ID, reply(301, raw=b"", content_type=None), UnexpectedResponseError),
        ("delete", (JOB_ID,), JOB_ID, reply(200, {"endpoints": {}}), UnexpectedResponseError),
        ("events", (), "/events", reply(200, {"not": "sse"}), UnexpectedResponseError),
        ("events", (), "/events", reply(401, raw=b"", content_type=None), AuthenticationError),
        (
            "health",
            (),
            "/health",
            reply(503, raw=b"<html>down</html>", content_type="text/html"),
            ServerError,
        ),
    ],
)
def test_broken_reply_raises_typed_error(
    kind: str,
    method: str,
    args: tuple[Any, ...],
    path: str,
    response: httpx.Response,
    error: type[Exception],
) -> None:
    with pytest.raises(error) as info:
        invoke(kind, answer({path: response}), method, args, client_kwargs={"retry": NO_WAIT})
    assert type(info.value) is error
    text = str(info.value)
    assert text
    assert "Traceback" not in text


def test_delete_204_without_body_is_success(kind: str) -> None:
    assert run(kind, Recorder(), "delete", JOB_ID) is None


def test_stream_that_never_connects_gives_up_typed(kind: str) -> None:
    garbage = reply(200, content_type="text/event-stream", raw=b"\xff\xfe garbage \x00\n\n")
    with pytest.raises(APIConnectionError, match="could not be reopened"):
        invoke(
            kind,
            answer({"/events": garbage}),
            "events",
            (),
            {"max_reconnects": 2},
            client_kwargs={"retry": NO_WAIT},
        )


# ------------------------------------------------------------------------------------------
# Arbitrary replies


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False),
        st.text(max_size=10),
        st.sampled_from(["", "Z", "2026-11-28T19:12:17.123456789Z", "%%%", JOB_ID, "completed"]),
    ),
    lambda c: st.one_of(
        st.lists(c, max_size=3), st.dictionaries(st.text(max_size=8), c, max_size=3)
    ),
    max_leaves=8,
)
_VALID_BODIES = [
    job(),
    job(state="pending"),
    result(),
    {"id": JOB_ID, "state": "completed", "completed": True, "success": True, "result": result()},
    {"count": 1, "jobs": [job()]},
    {
        "total": 1,
        "accepted": 1,
        "rejected": 0,
        "results": [{"index": 0, "success": True, "job": job()}],
    },
    STATS,
    HEALTH,
    {"error": {"code": "not_found", "message": "job not found"}},
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A valid body with one field replaced, removed or added, or cut short."""
    body = json.loads(json.dumps(draw(st.sampled_from(_VALID_BODIES))))
    target = body
    while isinstance(target, dict) and target and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(target)))
        if isinstance(target[key], dict):
            target = target[key]
        else:
            break
    if isinstance(target, dict) and target:
        key = draw(st.sampled_from(sorted(target)))
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            target[key] = draw(json_values)
        elif action == "delete":
            del target[key]
        else:
            target[draw(st.text(max_size=8))] = draw(json_values)
    data = json.dumps(body).encode()
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return data


bodies = st.one_of(
    st.binary(max_size=64),
    json_values.map(lambda v: json.dumps(v).encode()),
    mutated(),
    st.sampled_from(
        [b"", b"\n", b"null", b"<html><body>502</body></html>", b"event: connected\ndata: {}\n\n"]
    ),
)
content_types = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "text/html",
            "text/plain; charset=utf-8",
            "text/event-stream",
            "application/octet-stream",
            "",
        ]
    ),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=20),
)
statuses = st.one_of(
    st.sampled_from(
        [200, 201, 204, 301, 302, 400, 401, 403, 404, 405, 408, 409, 429, 500, 502, 503, 504]
    ),
    st.integers(200, 599),
)
extra_headers = st.dictionaries(
    st.sampled_from(["retry-after", "location", "content-encoding", "x-request-id"]),
    st.one_of(
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
        st.sampled_from(["5", "gzip", "Wed, 21 Oct 2015 07:28:00 GMT", "http://evil.example/"]),
    ),
    max_size=2,
)
ops = st.sampled_from(
    [
        ("submit", ("echo", {"n": 1}), {}),
        ("submit", ("echo",), {"idempotency_key": "k"}),
        ("submit_batch", ([{"type": "echo"}, {"type": "echo"}],), {}),
        ("submit_batch", ([{"type": "echo"}],), {"atomic": True}),
        ("get", (JOB_ID,), {}),
        ("result", (JOB_ID,), {}),
        ("wait", (JOB_ID, 0.05), {}),
        ("cancel", (JOB_ID,), {}),
        ("retry", (JOB_ID,), {}),
        ("delete", (JOB_ID,), {}),
        ("list", (), {}),
        ("stats", (), {}),
        ("health", (), {}),
        ("ready", (), {}),
        ("live", (), {}),
        ("events", (), {"max_reconnects": 1}),
        ("watch", (JOB_ID,), {"timeout": 0.05}),
    ]
)


@pytest.mark.parametrize("kind", ["sync", "async"])
@settings(
    max_examples=500, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    op=ops,
    status=statuses,
    content_type=content_types,
    body=bodies,
    headers=extra_headers,
    everywhere=st.booleans(),
)
def test_arbitrary_replies_only_raise_sdk_errors(
    kind: str,
    op: tuple[str, tuple[Any, ...], dict[str, Any]],
    status: int,
    content_type: str | None,
    body: bytes,
    headers: dict[str, str],
    everywhere: bool,
) -> None:
    """``everywhere``: every request gets the arbitrary reply; otherwise only the first (later
    requests of a multi-request operation, such as wait's next poll, get canned replies)."""
    method, args, kwargs = op
    all_headers = dict(headers)
    if content_type is not None:
        all_headers["content-type"] = content_type
    calls = 0

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if everywhere or calls == 1:
            return httpx.Response(status, headers=all_headers, stream=Chunks([body]))
        return canned(request)

    started = time.monotonic()
    try:
        invoke(kind, Recorder(handle), method, args, kwargs, client_kwargs={"retry": NO_WAIT})
    except GopherQueueError as exc:
        str(exc)
        repr(exc)
    # No runaway loop: wait and watch poll until their 50 ms deadline, the rest stop at once.
    assert time.monotonic() - started < 2.0
    assert calls < (1000 if method in ("wait", "watch") else 60)


def test_unknown_state_is_not_terminal_for_wait_loop(kind: str) -> None:
    """A state the SDK does not know is reported, not treated as finished or as a crash."""
    body = {"id": JOB_ID, "state": "quarantined", "completed": False, "timed_out": True}
    outcome = run(kind, answer({"/wait": reply(200, body)}), "wait", JOB_ID, 0.05)
    assert outcome.state == "quarantined"
    assert not outcome.completed
    assert outcome.timed_out
    assert JobState("quarantined") == "quarantined"
