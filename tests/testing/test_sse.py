"""The SSE endpoint: upstream's exact framing, event set, filter, keepalive and the cut."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest

from gopherqueue.testing import DevServer
from tests.captures import load_sse

from ._helpers import KEEPALIVE, RawStream, events_request, get_job, poll, submit, wait_for

CONNECTED = 'event: connected\ndata: {"status":"connected"}\n\n'


def _dechunk(raw: str) -> str:
    body = raw.split("\r\n\r\n", 1)[1]
    out, pos = [], 0
    while True:
        m = re.compile(r"([0-9a-f]+)\r\n").match(body, pos)
        if m is None:
            return "".join(out)
        size = int(m.group(1), 16)
        out.append(body[m.end() : m.end() + size])
        pos = m.end() + size + 2


def _frames(stream: RawStream) -> list[str]:
    return [f + "\n\n" for f in _dechunk(stream.text()).split("\n\n") if f]


@pytest.fixture
def stream(server: DevServer) -> Iterator[RawStream]:
    s = RawStream(server.host, server.port, events_request(server.host, server.port))
    s.wait_for(CONNECTED)
    yield s
    s.close()


def test_headers_and_connected_frame_match_capture(stream: RawStream) -> None:
    head = stream.text().split("\r\n\r\n", 1)[0].split("\r\n")
    recorded = load_sse("300_sse_all")
    assert head[0] == "HTTP/1.1 200 OK"
    names = [line.split(":", 1)[0] for line in head[1:]]
    assert names == [name for name, _ in recorded.headers.raw]
    ours = dict(line.split(": ", 1) for line in head[1:])
    for name, value in recorded.headers.raw:
        if name not in ("X-Request-Id", "Date"):
            assert ours[name] == value
    assert _frames(stream)[0] == CONNECTED
    assert recorded.body.decode().startswith(CONNECTED)


def test_events_for_create_cancel_retry_delete(
    server: DevServer, client: httpx.Client, stream: RawStream
) -> None:
    created = client.post("/api/v1/jobs", json={"type": "nope", "idempotency_key": "k"})
    client.post("/api/v1/jobs", json={"type": "nope", "idempotency_key": "k"})  # replay: no event
    job_id = created.json()["id"]
    wait_for(client, job_id)
    retried = client.post(f"/api/v1/jobs/{job_id}/retry")
    wait_for(client, job_id)
    delayed = submit(client, type="echo", delay="10s")
    cancelled = client.post(f"/api/v1/jobs/{delayed['id']}/cancel", json={"reason": "r"})
    client.delete(f"/api/v1/jobs/{job_id}")
    stream.wait_for("job.deleted")
    expected = [
        CONNECTED,
        f"event: job.created\ndata: {created.text.rstrip()}\nid: {job_id}\n\n",
        f"event: job.retried\ndata: {retried.text.rstrip()}\nid: {job_id}\n\n",
        f"event: job.created\ndata: {json_line(delayed)}\nid: {delayed['id']}\n\n",
        f"event: job.cancelled\ndata: {cancelled.text.rstrip()}\nid: {delayed['id']}\n\n",
        f'event: job.deleted\ndata: {{"id":"{job_id}"}}\nid: {job_id}\n\n',
    ]
    assert _frames(stream) == expected


def json_line(job: dict[str, object]) -> str:
    import json

    return json.dumps(job, separators=(",", ":"), ensure_ascii=False)


def test_no_events_for_start_progress_completion_or_failure(
    client: httpx.Client, stream: RawStream
) -> None:
    jobs = [
        submit(client, type="sleep", payload=0.2),
        submit(client, type="error", max_attempts=2),
        submit(client, type="echo"),
    ]
    for job in jobs:
        wait_for(client, job["id"])
    # Events arrive in order: once this later job's event is in, any earlier one would be too.
    marker = submit(client, type="echo", delay="1h")
    stream.wait_for(f"id: {marker['id']}")
    names = [f.split("\n", 1)[0] for f in _frames(stream)]
    assert names == ["event: connected"] + ["event: job.created"] * 4


def test_running_soft_cancel_emits_event_with_running_state(
    server: DevServer, client: httpx.Client, stream: RawStream
) -> None:
    import threading

    gate = threading.Event()
    server.register("gated", lambda ctx: gate.wait(5))
    job = submit(client, type="gated")
    poll(lambda: get_job(client, job["id"])["state"] == "running")
    client.post(f"/api/v1/jobs/{job['id']}/cancel")
    stream.wait_for("job.cancelled")
    gate.set()
    frame = _frames(stream)[-1]
    assert frame.startswith("event: job.cancelled\n")
    assert '"state":"running"' in frame


def test_batch_emits_one_event_per_stored_item(client: httpx.Client, stream: RawStream) -> None:
    body = client.post(
        "/api/v1/jobs/batch", json={"jobs": [{"type": "echo"}, {"payload": 1}, {"type": "echo"}]}
    ).json()
    stored = [r["job"]["id"] for r in body["results"] if r["success"]]
    poll(lambda: len(_frames(stream)) == 3)
    assert [f.rsplit("id: ", 1)[1].strip() for f in _frames(stream)[1:]] == stored


def test_job_filter(server: DevServer, client: httpx.Client) -> None:
    target = submit(client, type="echo", delay="10s")
    streams = {
        query: RawStream(server.host, server.port, events_request(server.host, server.port, query))
        for query in (f"?job_id={target['id']}", "?job_id=*", "?job_id=not-a-uuid")
    }
    try:
        for s in streams.values():
            s.wait_for(CONNECTED)
        other = submit(client, type="echo")
        client.post(f"/api/v1/jobs/{target['id']}/cancel")
        streams["?job_id=*"].wait_for("job.cancelled")
        # Each stream has its own socket: wait for the filtered one's copy too.
        streams[f"?job_id={target['id']}"].wait_for("job.cancelled")
        only = _frames(streams[f"?job_id={target['id']}"])
        assert [f.split("\n", 1)[0] for f in only] == ["event: connected", "event: job.cancelled"]
        everything = _frames(streams["?job_id=*"])
        assert any(other["id"] in f for f in everything)
        assert _frames(streams["?job_id=not-a-uuid"]) == [CONNECTED]
    finally:
        for s in streams.values():
            s.close()


def test_keepalive_comment(stream: RawStream) -> None:
    started = time.monotonic()
    stream.wait_for(": keepalive\n\n", timeout=KEEPALIVE + 1)
    assert time.monotonic() - started >= KEEPALIVE - 0.2


def test_stream_is_cut_mid_body_at_the_write_timeout() -> None:
    with DevServer(write_timeout=0.6, keepalive_interval=0.2) as srv:
        s = RawStream(srv.host, srv.port, events_request(srv.host, srv.port))
        elapsed = s.wait_closed()
        assert 0.55 < elapsed < 1.0
        assert ": keepalive" in s.text()
        assert not s.text().endswith("0\r\n\r\n")  # no terminating chunk: cut mid-body
        with httpx.Client(base_url=srv.url) as client:
            with (
                pytest.raises(httpx.RemoteProtocolError),
                client.stream("GET", "/api/v1/events") as r,
            ):
                for _ in r.iter_bytes():
                    pass
            assert client.get("/live").status_code == 200
