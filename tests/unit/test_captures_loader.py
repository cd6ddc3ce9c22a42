"""Tests for the capture loader in ``tests/captures.py``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.captures import (
    CAPTURES_DIR,
    OPERATIONS,
    Capture,
    CaptureFormatError,
    Headers,
    capture_names,
    clean_path,
    dechunk,
    load,
    load_all,
    load_all_sse,
    load_sse,
    route,
    sse_capture_names,
)


def test_every_capture_file_loads() -> None:
    listed = sorted(p.name for p in CAPTURES_DIR.iterdir() if p.name != "INDEX.txt")
    txt = [n for n in listed if n.endswith(".txt") and not n.endswith(".ts.txt")]
    raw = [n for n in listed if n.endswith(".raw")]
    ts = [n for n in listed if n.endswith(".ts.txt")]
    assert len(txt) + len(raw) + len(ts) == len(listed), "unexpected file kinds in captures/"
    caps = load_all()
    assert [c.name + ".txt" for c in caps] == txt
    assert [s.name + ".raw" for s in load_all_sse()] == raw
    assert sorted(n[: -len(".ts.txt")] for n in ts) == sse_capture_names()
    for cap in caps:
        assert cap.operation is None or cap.operation in OPERATIONS


def test_index_statuses_match() -> None:
    """INDEX.txt was written by the recorder; the loaded status must agree with it."""
    index: dict[str, str] = {}
    for line in (CAPTURES_DIR / "INDEX.txt").read_text().splitlines():
        parts = line.split(None, 1)
        if len(parts) == 2 and parts[0].endswith(".txt") and parts[1][:1].isdigit():
            index[parts[0][: -len(".txt")]] = parts[1].strip()
    checked = 0
    for cap in load_all():
        if cap.name in index:
            expected = index[cap.name]
            assert (cap.status or 0) == int(expected), cap.name
            checked += 1
    assert checked > 190


def test_bodies_are_exact_and_json_parses() -> None:
    for cap in load_all():
        if cap.status is None:
            continue
        cl = cap.response_headers.get("content-length")
        if cl is not None:
            assert len(cap.response_body) == int(cl), cap.name
        assert len(cap.response_body) == int(cap.curl_info["size_download"]), cap.name
        if cap.is_json:
            # Go's json.Encoder ends every JSON body with exactly one newline.
            assert cap.response_body.endswith(b"}\n")
            assert not cap.response_body.endswith(b"\n\n")
            assert isinstance(cap.json(), dict), cap.name
        req_cl = cap.request_headers.get("content-length")
        if req_cl is not None and not cap.request_body_truncated:
            assert len(cap.request_body) == int(req_cl), cap.name


def test_submit_echo_minimal() -> None:
    cap = load("020_submit_echo_minimal")
    assert load(20) is cap
    assert load("020") is cap
    assert load("020_submit_echo_minimal.txt") is cap
    assert cap.method == "POST"
    assert cap.target == cap.path == "/api/v1/jobs"
    assert cap.query == {}
    assert cap.operation == "submit_job"
    assert cap.job_id is None
    assert cap.status == 201
    assert cap.reason == "Created"
    assert cap.curl_rc == 0
    assert cap.request_body == b'{"type":"echo","payload":{"hello":"world","n":1}}'
    assert cap.request_json() == {"type": "echo", "payload": {"hello": "world", "n": 1}}
    assert cap.request_headers["content-type"] == "application/json"
    assert cap.request_headers["CONTENT-LENGTH"] == "49"
    assert cap.is_json
    job = cap.json()
    assert job["id"] == "be36136c-ca44-46fd-88ef-9c69c6eaa9ff"
    assert job["state"] == "pending"
    assert cap.response_body.endswith(b'"}\n')
    assert cap.recorded_at == "2026-11-28T19:12:17.249Z"


def test_get_without_body_and_with_query() -> None:
    live = load(1)
    assert live.method == "GET"
    assert live.operation == "live"
    assert live.request_body == b""
    assert live.response_body == b'{"alive":true}\n'
    assert live.json() == {"alive": True}

    cap = load("153_list_limit_param_ignored")
    assert cap.path == "/api/v1/jobs"
    assert cap.query == {"limit": "2", "offset": "1"}
    assert cap.operation == "list_jobs"
    # Chunked on the wire; the body length comes from curl's size_download.
    assert "content-length" not in cap.response_headers
    assert cap.response_headers["transfer-encoding"] == "chunked"
    assert cap.json()["count"] == len(cap.json()["jobs"])


def test_no_response_case() -> None:
    cap = load("071_wait_default_no_body_on_stuck_retrying")
    assert cap.curl_rc == 52
    assert cap.status is None
    assert cap.reason is None
    assert cap.response_body == b""
    assert len(cap.response_headers) == 0
    assert not cap.is_json
    assert not cap.has_response
    assert cap.operation == "wait_for_job"
    assert "curl: (52) Empty reply from server" in cap.curl_stderr
    with pytest.raises(ValueError, match="no response"):
        cap.json()
    with pytest.raises(ValueError, match="no response"):
        cap.to_httpx_response()


def test_non_json_responses() -> None:
    deleted = load("230_delete_completed_job")
    assert deleted.status == 204
    assert deleted.response_body == b""
    assert deleted.content_type is None
    assert not deleted.is_json
    assert deleted.operation == "delete_job"
    with pytest.raises(json.JSONDecodeError):
        deleted.json()

    redirect = load(249)
    assert redirect.status == 301
    assert redirect.response_headers["location"] == "/api/v1/stats"
    assert redirect.response_body == b'<a href="/api/v1/stats">Moved Permanently</a>.\n\n'
    assert redirect.operation is None

    plain = load(8)
    assert plain.response_body == b"404 page not found\n"
    assert plain.content_type == "text/plain"


def test_error_envelope_and_httpx_roundtrip() -> None:
    cap = load("012_malformed_uuid")
    assert cap.error_code == "invalid_request"
    resp = cap.to_httpx_response()
    assert resp.status_code == 400
    assert resp.json() == {"error": {"code": "invalid_request", "message": "invalid job ID format"}}
    assert resp.request.method == "GET"
    assert str(resp.request.url) == "http://127.0.0.1:18080/api/v1/jobs/not-a-uuid"
    assert load(20).error_code is None

    chunked = load(150).to_httpx_response()
    assert "transfer-encoding" not in chunked.headers
    assert chunked.json()["count"] == 22


def test_truncated_and_summarised_requests() -> None:
    batch = load(168)
    assert batch.request_body_truncated
    assert int(batch.request_headers["content-length"]) == 33935
    assert batch.request_body.startswith(b'{"jobs": [{"type": "echo", "payload": 0}')
    assert not batch.request_body.endswith(b")")
    assert batch.status == 400
    assert batch.error_code == "validation_error"

    big = load(262)
    assert big.is_summary
    assert big.status is None
    assert big.has_response
    assert big.operation == "submit_job"
    assert big.request_summary is not None
    assert "11534368 bytes" in big.request_summary
    assert big.json()["state"] == "pending"


def test_duplicate_request_headers_and_notes() -> None:
    cap = load(127)
    assert cap.request_headers.get_list("content-type") == ["application/json", "text/plain"]
    assert cap.request_headers["Content-Type"] == "application/json"  # first wins, like Go
    kolkata = load("193_tz_kolkata_health")
    assert kolkata.notes
    assert "TZ=Asia/Kolkata" in kolkata.notes[0]
    assert kolkata.url == "http://127.0.0.1:18083/health"


def test_lookup_errors() -> None:
    with pytest.raises(LookupError, match="ambiguous"):
        load(60)
    with pytest.raises(LookupError, match="no capture"):
        load("999")
    assert load("080b").name == "080b_wait_unknown_uuid_timeout_0s"
    assert load("080").name == "080_wait_unknown_uuid"


@pytest.mark.parametrize(
    ("number", "operation", "job_id"),
    [
        ("001", "live", None),
        ("002", "health", None),
        ("003", "ready", None),
        ("004", "metrics", None),
        ("005", "api_info", None),
        ("006", "api_info", None),  # /api/v1/
        ("007", None, None),  # unknown path under /api/v1/
        ("008", None, None),  # unknown root path
        ("009", "get_stats", None),
        ("010", "list_jobs", None),
        ("011", "get_job", ""),  # /api/v1/jobs/ reaches the by-id handler: "job ID required"
        ("012", "get_job", "not-a-uuid"),
        ("014", "health", None),  # POST /health: any method
        ("022", "get_job_result", "be36136c-ca44-46fd-88ef-9c69c6eaa9ff"),
        ("034", "wait_for_job", "3097c2bb-b3be-476f-9d4d-f97f9eae8aa9"),
        ("078", "wait_for_job", "d7f0ea7d-6c69-45de-9c5a-3303e666a10c"),  # GET wait
        ("079", None, "d7f0ea7d-6c69-45de-9c5a-3303e666a10c"),  # DELETE wait: 405
        ("128", None, None),  # PUT /api/v1/jobs: 405
        ("157", None, None),  # DELETE /api/v1/jobs: 405
        ("160", "submit_batch", None),
        ("167", None, None),  # GET batch: 405
        ("185", "delete_job", "d9e5ef01-195f-4ae0-9f8a-e169b0132a9a"),
        ("203", "cancel_job", "5e1b47c8-2930-4e1f-9181-200d59659ff0"),
        ("209", None, "5e1b47c8-2930-4e1f-9181-200d59659ff0"),  # GET cancel: 405
        ("220", "retry_job", "fcaf745d-16e4-4078-ae5c-5612dd0444a4"),
        ("225", None, "fcaf745d-16e4-4078-ae5c-5612dd0444a4"),  # GET retry: 405
        ("243", None, None),  # OPTIONS events: 405
        ("245", "get_job", "352DBF51-632B-4804-A745-35CB84795B3D"),
        ("246", "get_job", "urn:uuid:352dbf51-632b-4804-a745-35cb84795b3d"),
        ("247", "get_job", "{352dbf51-632b-4804-a745-35cb84795b3d}"),  # %7B..%7D decoded
        ("248", "get_job", "352dbf51632b4804a74535cb84795b3d"),
        ("249", None, None),  # /api/v1/jobs/../stats: 301
        ("250", "get_job", "abc/def"),  # %2F stays inside the id segment
        ("251", None, "352dbf51-632b-4804-a745-35cb84795b3d"),  # unknown sub-resource
        ("252", "get_job_result", "352dbf51-632b-4804-a745-35cb84795b3d"),  # /result/extra
        ("253", None, "352dbf51-632b-4804-a745-35cb84795b3d"),  # PUT job: 405
        ("254", None, "352dbf51-632b-4804-a745-35cb84795b3d"),  # POST result: 405
        ("255", None, None),  # POST stats: 405
        ("256", None, None),  # POST events: 405
        ("257", None, None),  # //api/v1/stats: 301
        ("259", None, None),  # /api/v1/jobs/..: 301
        ("260", "get_job", "352dbf51-632b-4804-a745-35cb84795b3d"),  # query ignored
        ("261", None, "352dbf51-632b-4804-a745-35cb84795b3d"),  # POST job: 405
    ],
)
def test_operation_routing(number: str, operation: str | None, job_id: str | None) -> None:
    cap = load(number)
    assert (cap.operation, cap.job_id) == (operation, job_id)


def test_route_agrees_with_recorded_outcomes() -> None:
    """Statuses that mean "no operation ran" (301, 405, plain 404) have operation None, and
    every 2xx has an operation."""
    for cap in load_all():
        if cap.status in (301, 405) or (cap.status == 404 and not cap.is_json):
            assert cap.operation is None, cap.name
        if cap.status is not None and 200 <= cap.status < 300:
            assert cap.operation is not None, cap.name
        if cap.error_code == "not_found" and cap.json()["error"]["message"] in (
            "endpoint not found",
            "resource not found",
        ):
            assert cap.operation is None, cap.name


@pytest.mark.parametrize(
    ("method", "target", "expected"),
    [
        ("get", "/api/v1/jobs", ("list_jobs", None)),  # method case-insensitive
        ("GET", "/api/v1/jobs?state=x", ("list_jobs", None)),
        ("DELETE", "/api/v1/jobs/", ("delete_job", "")),
        ("POST", "/api/v1/jobs/", (None, "")),
        ("POST", "/api/v1/jobs/x/cancel/extra", ("cancel_job", "x")),
        ("GET", "/api/v1/jobs/x/", (None, "x")),
        ("GET", "/api/v1/jobs/x/./result", (None, None)),
        # Not the batch route: the by-id handler sees id "batch" and an empty sub-resource.
        ("GET", "/api/v1/jobs/batch/", (None, "batch")),
        ("GET", "/api/v1/stats/", (None, None)),
        ("GET", "/api/v1//stats", (None, None)),
        ("GET", "/api/v1/events?job_id=abc", ("stream_events", None)),
        ("DELETE", "/api/v1", ("api_info", None)),
        ("PATCH", "/metrics", ("metrics", None)),
        ("GET", "/health/", (None, None)),
    ],
)
def test_route_function(method: str, target: str, expected: tuple[str | None, str | None]) -> None:
    assert route(method, target) == expected


@pytest.mark.parametrize(
    ("path", "cleaned"),
    [
        ("/api/v1/jobs/../stats", "/api/v1/stats"),
        ("/api/v1/jobs/..", "/api/v1"),
        ("//api/v1/stats", "/api/v1/stats"),
        ("/api/v1/jobs/", "/api/v1/jobs/"),
        ("/a/./b/", "/a/b/"),
        ("/../..", "/"),
        ("", "/"),
        ("a/b", "/a/b"),
    ],
)
def test_clean_path_matches_go(path: str, cleaned: str) -> None:
    assert clean_path(path) == cleaned


def test_sse_captures() -> None:
    sse = load_sse(300)
    assert sse is load_sse("300_sse_all")
    assert sse.status == 200
    assert sse.headers["content-type"] == "text/event-stream"
    assert sse.headers["transfer-encoding"] == "chunked"
    assert sse.headers["access-control-allow-origin"] == "*"
    assert sse.body.startswith(b'event: connected\ndata: {"status":"connected"}\n\n')
    assert sse.raw.endswith(sse.body)
    # curl -i wrote the de-chunked body, which is what curl reported receiving.
    assert not sse.body_was_chunk_framed
    assert sse.end_note is not None
    assert f"with {len(sse.body)} bytes received" in sse.end_note
    assert sse.operation == "stream_events"
    assert load_sse(301).query == {"job_id": "352dbf51-632b-4804-a745-35cb84795b3d"}
    assert load_sse(303).body == b'event: connected\ndata: {"status":"connected"}\n\n'
    assert sse.timed_lines[0][1] == "HTTP/1.1 200 OK"


def test_dechunk() -> None:
    framed = b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n"
    assert dechunk(framed) == b"hello, world"
    assert dechunk(b"5\r\nhel") == b"hel"  # cut mid-chunk, as a WriteTimeout leaves it
    assert dechunk(b"event: x\n") is None
    assert dechunk(b"5\r\nhelloXX") is None


def test_headers_mapping() -> None:
    h = Headers((("X-A", "1"), ("x-a", "2"), ("B", "3")))
    assert list(h) == ["x-a", "b"]
    assert len(h) == 2
    assert h["X-a"] == "1"
    assert h.get_list("X-A") == ["1", "2"]
    assert "b" in h
    assert "c" not in h
    assert not h.__contains__(1)  # a non-str key is simply absent
    assert h.get("c") is None
    with pytest.raises(KeyError):
        h["c"]
    assert h == Headers(h.raw)
    assert hash(h) == hash(Headers(h.raw))


def test_capture_is_immutable() -> None:
    cap = load(1)
    with pytest.raises(AttributeError):
        cap.status = 500  # type: ignore[misc]
    with pytest.raises(TypeError):
        cap.query["x"] = "y"  # type: ignore[index]
    assert isinstance(cap, Capture)
    assert hash(cap) == hash(cap.name)


def test_malformed_file_raises(tmp_path: Path) -> None:
    from tests import captures

    bad = b"=== CASE: 999_bad\n=== REQUEST\nGET / HTTP/1.1\n\n"
    path = tmp_path / "999_bad.txt"
    path.write_bytes(bad)
    with pytest.raises(CaptureFormatError, match="RESPONSE"):
        captures._parse_txt(path)
    path.write_bytes(
        b"=== CASE: 999_bad\n=== REQUEST\nGET / HTTP/1.1\n\n=== RESPONSE (curl rc=0)\n"
        b"HTTP/1.1 200 OK\nContent-Length: 5\n\nabc\n\n[curl: http_code=200 size_download=5]\n"
    )
    with pytest.raises(CaptureFormatError, match="5 bytes"):
        captures._parse_txt(path)


def test_names_sorted_and_unique() -> None:
    names = capture_names()
    assert names == sorted(set(names))
    assert "INDEX" not in names
    assert not any(n.endswith(".ts") for n in names)
