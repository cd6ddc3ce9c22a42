"""Typed loader for the recorded GopherQueue wire captures in ``tests/captures/``.

The captures were recorded with curl against the real ``gq serve`` (see docs/protocol.md). Two kinds
of file are read:

* ``NNN_name.txt``: one HTTP exchange (``=== CASE``, ``=== REQUEST``, ``=== RESPONSE (curl rc=N)``,
  then ``[curl: ...]`` / ``[curl-stderr] ...`` lines). Loaded as :class:`Capture` by :func:`load`
  and :func:`load_all`.
* ``3xx_name.raw`` (+ ``3xx_name.ts.txt``): an SSE response, exact bytes with HTTP headers.
  Loaded as :class:`SSECapture` by :func:`load_sse` and :func:`load_all_sse`.

Bodies are exact bytes: their length comes from ``Content-Length`` or curl's ``size_download``,
never from guessing at the file's newline conventions, and a mismatch raises
:class:`CaptureFormatError` instead of yielding a silently wrong body.

Usage::

    from tests.captures import load, load_all

    cap = load("020_submit_echo_minimal")  # or load(20), load("020")
    assert cap.status == 201 and cap.operation == "submit_job"
    job = cap.json()
"""

from __future__ import annotations

import functools
import json
import re
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx

__all__ = [
    "CAPTURES_DIR",
    "OPERATIONS",
    "Capture",
    "CaptureFormatError",
    "Headers",
    "SSECapture",
    "capture_names",
    "clean_path",
    "load",
    "load_all",
    "load_all_sse",
    "load_sse",
    "route",
    "sse_capture_names",
]

#: Where the capture files live (resolved from this module, so the cwd does not matter).
CAPTURES_DIR: Path = Path(__file__).resolve().parent / "captures"

#: Every value :attr:`Capture.operation` can take besides ``None``.
OPERATIONS: frozenset[str] = frozenset(
    {
        "submit_job",
        "list_jobs",
        "submit_batch",
        "get_job",
        "delete_job",
        "wait_for_job",
        "cancel_job",
        "retry_job",
        "get_job_result",
        "get_stats",
        "stream_events",
        "health",
        "ready",
        "live",
        "metrics",
        "api_info",
    }
)

#: The origin the captures were recorded against; used to build absolute URLs.
BASE_URL = "http://127.0.0.1:18080"


class CaptureFormatError(ValueError):
    """A capture file does not have the layout this loader expects."""


# --------------------------------------------------------------------------------------------
# Headers


class Headers(Mapping[str, str]):
    """Immutable, case-insensitive view of recorded header lines.

    Keys iterate lower-cased (like ``httpx.Headers``). Looking up a header that occurs more than
    once returns the *first* value, which is what the Go server's ``Header.Get`` sees (capture
    127 sends two ``Content-Type`` lines); :meth:`get_list` returns all of them.
    """

    __slots__ = ("_index", "_raw")

    def __init__(self, raw: tuple[tuple[str, str], ...] = ()) -> None:
        self._raw = raw
        index: dict[str, list[str]] = {}
        for name, value in raw:
            index.setdefault(name.lower(), []).append(value)
        self._index = index

    @property
    def raw(self) -> tuple[tuple[str, str], ...]:
        """The header lines as recorded: original name casing, order and duplicates."""
        return self._raw

    def get_list(self, name: str) -> list[str]:
        """All values of header ``name`` in recorded order (empty list when absent)."""
        return list(self._index.get(name.lower(), ()))

    def __getitem__(self, name: str) -> str:
        values = self._index.get(name.lower())
        if not values:
            raise KeyError(name)
        return values[0]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return self._raw == other._raw
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._raw)

    def __repr__(self) -> str:
        return f"Headers({list(self._raw)!r})"


def _parse_header_lines(lines: list[bytes]) -> Headers:
    pairs: list[tuple[str, str]] = []
    for line in lines:
        name, sep, value = line.partition(b":")
        if not sep:
            raise CaptureFormatError(f"malformed header line {line!r}")
        # latin-1 keeps every byte; HTTP header bytes are not promised to be UTF-8.
        pairs.append((name.decode("latin-1"), value.strip().decode("latin-1")))
    return Headers(tuple(pairs))


# --------------------------------------------------------------------------------------------
# Routing (mirrors the Go server: net/http ServeMux + api/server.go + api/handlers.go)


def clean_path(path: str) -> str:
    """Return Go's ``net/http`` ``cleanPath(path)``.

    ``path.Clean`` (collapse ``//``, drop ``.``, resolve ``..``, never above ``/``) plus keeping a
    trailing slash. ``posixpath.normpath`` is not equivalent: it keeps a leading ``//``.
    """
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


# Methods each handler accepts; a wrong method is answered 405 (operation None).
_JOB_SUBRESOURCES: dict[str, dict[str, str]] = {
    "cancel": {"POST": "cancel_job"},
    "retry": {"POST": "retry_job"},
    "result": {"GET": "get_job_result"},
    "wait": {"POST": "wait_for_job", "GET": "wait_for_job"},
}
_EXACT_ROUTES: dict[str, dict[str, str]] = {
    "/api/v1/jobs": {"POST": "submit_job", "GET": "list_jobs"},
    "/api/v1/jobs/batch": {"POST": "submit_batch"},
    "/api/v1/stats": {"GET": "get_stats"},
    "/api/v1/events": {"GET": "stream_events"},
}
# Registered without a method check: any method reaches the handler.
_ANY_METHOD_ROUTES: dict[str, str] = {
    "/health": "health",
    "/ready": "ready",
    "/live": "live",
    "/metrics": "metrics",
    "/api/v1": "api_info",
    "/api/v1/": "api_info",
}
_JOBS_PREFIX = "/api/v1/jobs/"


def route(method: str, target: str) -> tuple[Optional[str], Optional[str]]:
    """Map a request to ``(operation, job_id)`` the way the GopherQueue server routes it.

    ``operation`` is one of :data:`OPERATIONS`, or ``None`` when the server would not run any
    operation: unknown paths (404), unclean paths (301 redirect: ``..``, ``.``, ``//``), unknown
    job sub-resources (404 ``resource not found``) and wrong methods (405).

    ``job_id`` is the id path segment for ``/api/v1/jobs/{id}...`` routes (percent-decoded, not
    validated), else ``None``. Mirroring the server's choices:

    * ``/api/v1/jobs/`` (trailing slash, empty id) reaches the by-id handler, which answers 400
      ``job ID required``: ``GET`` is ``get_job`` and ``DELETE`` is ``delete_job``, with ``""``.
    * Malformed ids (``not-a-uuid``) still route by method/sub-resource; the server then answers
      400 ``invalid job ID format``.
    * Extra segments after a sub-resource are ignored (``/result/extra`` is ``get_job_result``),
      but ``/api/v1/jobs/{id}/`` has an empty sub-resource and is unknown.
    * An id segment with an escaped slash (``abc%2Fdef``) is routed as one id, which is what the
      client meant; the server rejects the id before it would look at a sub-resource.
    * The query string never affects routing.
    """
    method = method.upper()
    raw_path = urlsplit(target).path or "/"
    # ServeMux matches and cleans the *decoded* path.
    path = unquote(raw_path)
    if clean_path(path) != path:
        return None, None
    if path in _ANY_METHOD_ROUTES:
        return _ANY_METHOD_ROUTES[path], None
    if path in _EXACT_ROUTES:
        return _EXACT_ROUTES[path].get(method), None
    if not raw_path.startswith(_JOBS_PREFIX):
        return None, None
    # Split the raw path so a percent-encoded "/" stays inside its segment.
    parts = [unquote(p) for p in raw_path[len(_JOBS_PREFIX) :].split("/")]
    job_id = parts[0]
    if len(parts) == 1:
        return {"GET": "get_job", "DELETE": "delete_job"}.get(method), job_id
    return _JOB_SUBRESOURCES.get(parts[1], {}).get(method), job_id


# --------------------------------------------------------------------------------------------
# HTTP exchange captures


@dataclass(frozen=True)
class Capture:
    """One recorded HTTP exchange (an ``NNN_name.txt`` file).

    Equality compares all fields; the hash is the capture name.
    """

    name: str
    """File stem, e.g. ``"020_submit_echo_minimal"``."""
    number: str
    """The leading number as written, e.g. ``"020"`` or ``"080b"``."""
    recorded_at: Optional[str]
    """The ``=== <ISO timestamp>`` line, when the file has one."""
    method: str
    """Request method, e.g. ``"POST"``."""
    target: str
    """Request target as sent: path plus ``?query`` (still percent-encoded)."""
    request_headers: Headers
    """Request headers as curl sent them."""
    request_body: bytes
    """Exact request body (``b""`` when none). Big bodies were recorded shortened: then this is
    only the recorded prefix and :attr:`request_body_truncated` is set (168, 174); see also
    :attr:`is_summary`."""
    status: Optional[int]
    """Response status code, or ``None`` when no response was recorded (curl rc 52, or a
    summarised capture)."""
    reason: Optional[str]
    """Response reason phrase (``"Created"``), ``None`` without a status line."""
    response_headers: Headers
    """Response headers (empty without a status line)."""
    response_body: bytes
    """Exact response body, already de-chunked by curl (``b""`` when none)."""
    curl_rc: int
    """curl's exit code (0 ok, 52 empty reply). 0 for summarised captures, which record none."""
    curl_info: Mapping[str, str] = field(default_factory=lambda: types.MappingProxyType({}))
    """The ``[curl: k=v ...]`` line as a mapping (``http_code``, ``time_total``, ...)."""
    curl_stderr: tuple[str, ...] = ()
    """The ``[curl-stderr]`` lines, without the prefix."""
    request_body_truncated: bool = False
    """True when the recorder kept only a prefix of the request body (``Content-Length`` still
    gives the real size)."""
    is_summary: bool = False
    """True for a capture that only summarises the request (262: an 11 MiB body) and records
    just the response body: request body and response status/headers are unknown."""
    request_summary: Optional[str] = None
    """The summarised request line for :attr:`is_summary` captures."""
    notes: tuple[str, ...] = ()
    """``=== NOTE:`` lines: captures made against a differently started server (other port,
    ``TZ=Asia/Kolkata``, ``--api-key``, restarted on the same data dir)."""

    def __hash__(self) -> int:
        return hash(self.name)

    # -- derived -------------------------------------------------------------------------

    @property
    def path(self) -> str:
        """Request path without the query (still percent-encoded, as sent)."""
        return urlsplit(self.target).path

    @property
    def query(self) -> Mapping[str, str]:
        """Query parameters; first value wins on repeats, like Go's ``Query().Get``."""
        out: dict[str, str] = {}
        for key, value in parse_qsl(urlsplit(self.target).query, keep_blank_values=True):
            out.setdefault(key, value)
        return types.MappingProxyType(out)

    @property
    def url(self) -> str:
        """Absolute URL the request was sent to (from the ``Host`` header; some captures used
        other ports)."""
        host = self.request_headers.get("host")
        return (f"http://{host}" if host else BASE_URL) + self.target

    @property
    def operation(self) -> Optional[str]:
        """Logical API operation the request targets (see :func:`route`), or ``None``."""
        return route(self.method, self.target)[0]

    @property
    def job_id(self) -> Optional[str]:
        """The ``{id}`` path segment for job routes (unvalidated), else ``None``."""
        return route(self.method, self.target)[1]

    @property
    def has_response(self) -> bool:
        """Whether a response (at least a body) was recorded."""
        return self.status is not None or self.is_summary

    @property
    def content_type(self) -> Optional[str]:
        """Response media type without parameters, lower-cased (``None`` if absent)."""
        value = self.response_headers.get("content-type")
        if value is None:
            return None
        return value.split(";", 1)[0].strip().lower()

    @property
    def is_json(self) -> bool:
        """Whether the response declares ``Content-Type: application/json``."""
        return self.content_type == "application/json"

    def json(self) -> Any:
        """Parse the response body as JSON.

        Raises ``ValueError`` when there is no response or the body is not valid JSON (this
        includes ``json.JSONDecodeError``). The content type is not checked, so summarised
        captures, which have a body but no headers, work too.
        """
        if not self.has_response:
            raise ValueError(f"{self.name}: no response was recorded (curl rc={self.curl_rc})")
        return json.loads(self.response_body)

    def request_json(self) -> Any:
        """Parse the request body as JSON (raises ``ValueError`` when it is not JSON)."""
        return json.loads(self.request_body)

    @property
    def error_code(self) -> Optional[str]:
        """``error.code`` of a JSON error envelope, else ``None``."""
        if not self.is_json:
            return None
        body = self.json()
        if isinstance(body, dict):
            err = body.get("error")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
            if isinstance(err, dict):
                code = err.get("code")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
                if isinstance(code, str):
                    return code
        return None

    def to_httpx_request(self) -> httpx.Request:
        """Rebuild the request as an ``httpx.Request`` (absolute URL, recorded headers)."""
        return httpx.Request(
            self.method,
            self.url,
            headers=list(self.request_headers.raw),
            content=self.request_body,
        )

    def to_httpx_response(self) -> httpx.Response:
        """Rebuild the response as an ``httpx.Response`` bound to :meth:`to_httpx_request`.

        Raises ``ValueError`` when no status was recorded. ``Transfer-Encoding`` is dropped and
        ``Content-Length`` set to the body length, since the body is already de-chunked.
        """
        if self.status is None:
            raise ValueError(f"{self.name}: no response status was recorded")
        headers = [
            (k, v)
            for k, v in self.response_headers.raw
            if k.lower() not in ("transfer-encoding", "content-length")
        ]
        if self.response_body or "content-length" in self.response_headers:
            headers.append(("Content-Length", str(len(self.response_body))))
        return httpx.Response(
            self.status,
            headers=headers,
            content=self.response_body,
            request=self.to_httpx_request(),
        )


_NAME_RE = re.compile(r"^(\d+[a-z]?)_")
_RESPONSE_MARK_RE = re.compile(rb"\n=== RESPONSE(?: \(curl rc=(\d+)\))?\n")
_CURL_INFO_MARK = b"\n[curl: "
_TRUNCATED_RE = re.compile(rb"\.\.\. \((\d+) bytes total\)\Z")


def _number_of(name: str) -> str:
    m = _NAME_RE.match(name)
    if not m:
        raise CaptureFormatError(f"capture name {name!r} has no leading number")
    return m.group(1)


def _split_head(block: bytes, what: str) -> tuple[list[bytes], bytes]:
    """Split ``start-line + headers + blank line + rest`` into (header block lines, rest)."""
    end = block.find(b"\n\n")
    if end < 0:
        raise CaptureFormatError(f"{what}: no blank line after the headers")
    return block[:end].split(b"\n"), block[end + 2 :]


def _parse_txt(path: Path) -> Capture:
    data = path.read_bytes()
    name = path.stem
    if not data.startswith(b"=== CASE: "):
        raise CaptureFormatError(f"{name}: does not start with '=== CASE: '")
    first_nl = data.index(b"\n")
    case = data[len(b"=== CASE: ") : first_nl].decode()
    if case != name:
        raise CaptureFormatError(f"{name}: CASE line says {case!r}")
    rest = data[first_nl + 1 :]
    recorded_at: Optional[str] = None
    notes: list[str] = []
    while rest.startswith(b"=== ") and not rest.startswith(b"=== REQUEST"):
        nl = rest.index(b"\n")
        meta = rest[4:nl].decode()
        if meta.startswith("NOTE: "):
            notes.append(meta[len("NOTE: ") :])
        elif recorded_at is None and meta[:1].isdigit():
            recorded_at = meta
        else:
            raise CaptureFormatError(f"{name}: unexpected line '=== {meta}'")
        rest = rest[nl + 1 :]
    # The request line ends at the first newline; a summarised request puts everything there.
    if rest.startswith(b"=== REQUEST\n"):
        rest = rest[len(b"=== REQUEST\n") :]
    else:
        raise CaptureFormatError(f"{name}: missing '=== REQUEST'")

    m = _RESPONSE_MARK_RE.search(b"\n" + rest)
    if m is None:
        raise CaptureFormatError(f"{name}: missing '=== RESPONSE'")
    # Offsets shift by one for the "\n" prepended so a mark on the first line also matches.
    request_block = rest[: max(m.start() - 1, 0)] + b"\n"
    response_block = rest[m.end() - 1 :]

    if m.group(1) is None:
        return _parse_summary(name, recorded_at, tuple(notes), request_block, response_block)
    curl_rc = int(m.group(1))

    # ---- request
    head_lines, after = _split_head(request_block, f"{name} request")
    request_line = head_lines[0].decode("latin-1")
    try:
        method, target, _version = request_line.split(" ")
    except ValueError:
        raise CaptureFormatError(f"{name}: bad request line {request_line!r}") from None
    request_headers = _parse_header_lines(head_lines[1:])
    request_body_truncated = False
    cl = request_headers.get("content-length")
    if cl is None:
        # No body: the header block's blank line runs straight into '=== RESPONSE'.
        if after.strip(b"\n"):
            raise CaptureFormatError(f"{name}: request body without Content-Length")
        request_body = b""
    else:
        n = int(cl)
        # The recorder writes the body then "\n\n" before the response mark, and shortens
        # big bodies to a prefix plus "... (N bytes total)".
        recorded = after[:-2] if after.endswith(b"\n\n") else after
        trunc = _TRUNCATED_RE.search(recorded)
        if len(recorded) == n:
            request_body = recorded
        elif trunc is not None and int(trunc.group(1)) == n:
            request_body = recorded[: trunc.start()]
            request_body_truncated = True
        else:
            raise CaptureFormatError(f"{name}: request body does not match Content-Length {n}")

    # ---- response
    info_at = response_block.rfind(_CURL_INFO_MARK)
    if info_at < 0:
        raise CaptureFormatError(f"{name}: missing '[curl: ...]' line")
    exchange = response_block[: info_at + 1]  # status + headers + body, then one "\n"
    trailer = response_block[info_at + 1 :].decode()
    curl_info, curl_stderr = _parse_trailer(name, trailer)

    status: Optional[int] = None
    reason: Optional[str] = None
    response_headers = Headers()
    response_body = b""
    if exchange.strip(b"\n"):
        head_lines, after = _split_head(exchange, f"{name} response")
        status_line = head_lines[0].decode("latin-1")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/"):
            raise CaptureFormatError(f"{name}: bad status line {status_line!r}")
        status = int(parts[1])
        reason = parts[2] if len(parts) > 2 else ""
        response_headers = _parse_header_lines(head_lines[1:])
        if "content-length" in response_headers:
            n = int(response_headers["content-length"])
        else:
            # Chunked or bodiless: curl's own byte count is authoritative.
            n = int(curl_info.get("size_download", "0"))
        response_body = after[:n]
        if len(response_body) != n or after[n:] != b"\n":
            raise CaptureFormatError(
                f"{name}: response body is not {n} bytes followed by one newline"
            )
        if int(curl_info.get("size_download", n)) != n:
            raise CaptureFormatError(f"{name}: size_download disagrees with the body length")
    elif curl_rc == 0:
        raise CaptureFormatError(f"{name}: curl rc=0 but no response recorded")

    return Capture(
        name=name,
        number=_number_of(name),
        recorded_at=recorded_at,
        method=method,
        target=target,
        request_headers=request_headers,
        request_body=request_body,
        status=status,
        reason=reason,
        response_headers=response_headers,
        response_body=response_body,
        curl_rc=curl_rc,
        curl_info=types.MappingProxyType(curl_info),
        curl_stderr=curl_stderr,
        request_body_truncated=request_body_truncated,
        notes=tuple(notes),
    )


def _parse_trailer(name: str, trailer: str) -> tuple[dict[str, str], tuple[str, ...]]:
    info: dict[str, str] = {}
    stderr: list[str] = []
    for line in trailer.splitlines():
        if line.startswith("[curl: ") and line.endswith("]"):
            for item in line[len("[curl: ") : -1].split():
                key, _, value = item.partition("=")
                info[key] = value
        elif line.startswith("[curl-stderr] "):
            stderr.append(line[len("[curl-stderr] ") :])
        elif line:
            raise CaptureFormatError(f"{name}: unexpected trailer line {line!r}")
    return info, tuple(stderr)


def _parse_summary(
    name: str,
    recorded_at: Optional[str],
    notes: tuple[str, ...],
    request_block: bytes,
    response_block: bytes,
) -> Capture:
    """Parse a capture whose request is one descriptive line and whose response is a bare body."""
    summary = request_block.strip(b"\n").decode()
    words = summary.split()
    if len(words) < 2:
        raise CaptureFormatError(f"{name}: bad summarised request {summary!r}")
    headers: list[tuple[str, str]] = []
    ct = re.search(r"Content-Type: (\S+)", summary)
    if ct:
        headers.append(("Content-Type", ct.group(1)))
    # The recorder wrote the body followed by a single "\n"; JSON bodies from the server also
    # end in "\n" (json.Encoder), so the recorded line is the body including that newline.
    return Capture(
        name=name,
        number=_number_of(name),
        recorded_at=recorded_at,
        method=words[0],
        target=words[1],
        request_headers=Headers(tuple(headers)),
        request_body=b"",
        status=None,
        reason=None,
        response_headers=Headers(),
        response_body=response_block,
        curl_rc=0,
        notes=notes,
        is_summary=True,
        request_summary=summary,
    )


# --------------------------------------------------------------------------------------------
# SSE captures


@dataclass(frozen=True)
class SSECapture:
    """A recorded SSE response (``3xx_name.raw``) plus its request and timing file."""

    name: str
    """File stem, e.g. ``"300_sse_all"``."""
    raw: bytes
    """The whole ``.raw`` file: status line, headers, blank line, body."""
    status: int
    """Response status code."""
    reason: str
    """Response reason phrase."""
    headers: Headers
    """Response headers (``Transfer-Encoding: chunked`` is what the server sent on the wire)."""
    body: bytes
    """The event-stream bytes: de-chunked when the file holds chunk framing (the recorded files
    do not: ``curl -i`` writes the decoded body)."""
    body_was_chunk_framed: bool
    """Whether :attr:`body` had to be de-chunked from the file's bytes."""
    target: Optional[str] = None
    """Request target from the ``.ts.txt`` file (``/api/v1/events?job_id=...``), if present."""
    timed_lines: tuple[tuple[str, str], ...] = ()
    """``(HH:MM:SS.mmm, line)`` pairs from the ``.ts.txt`` file, headers included."""
    end_note: Optional[str] = None
    """The ``=== ended ...`` line (how the stream ended), if present."""

    def __hash__(self) -> int:
        return hash(self.name)

    @property
    def method(self) -> str:
        """Always ``GET``: the capture is of the events endpoint."""
        return "GET"

    @property
    def operation(self) -> Optional[str]:
        """``"stream_events"`` when the request target is known, else ``None``."""
        if self.target is None:
            return None
        return route(self.method, self.target)[0]

    @property
    def query(self) -> Mapping[str, str]:
        """Query parameters of :attr:`target` (first value wins)."""
        out: dict[str, str] = {}
        if self.target is not None:
            for key, value in parse_qsl(urlsplit(self.target).query, keep_blank_values=True):
                out.setdefault(key, value)
        return types.MappingProxyType(out)


_CHUNK_SIZE_RE = re.compile(rb"([0-9a-fA-F]+)(?:;[^\r\n]*)?\r\n")


def dechunk(data: bytes) -> Optional[bytes]:
    """Decode HTTP/1.1 chunked framing; ``None`` if ``data`` is not chunk-framed.

    A stream cut mid-body (the server's 30 s WriteTimeout) is accepted: whatever complete and
    partial chunk data is present is returned.
    """
    out: list[bytes] = []
    pos = 0
    while pos < len(data):
        m = _CHUNK_SIZE_RE.match(data, pos)
        if m is None:
            return None
        size = int(m.group(1), 16)
        pos = m.end()
        if size == 0:
            return b"".join(out)
        out.append(data[pos : pos + size])
        pos += size
        if pos >= len(data):
            break
        if data[pos : pos + 2] != b"\r\n":
            return None
        pos += 2
    return b"".join(out)


def _parse_raw_sse(name: str, raw: bytes) -> tuple[int, str, Headers, bytes, bool]:
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        raise CaptureFormatError(f"{name}: no end of the header block")
    head = raw[:end].split(b"\r\n")
    status_line = head[0].decode("latin-1")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise CaptureFormatError(f"{name}: bad status line {status_line!r}")
    headers = _parse_header_lines(head[1:])
    body = raw[end + 4 :]
    chunked = False
    if "chunked" in headers.get("transfer-encoding", "").lower():
        decoded = dechunk(body)
        if decoded is not None:
            body, chunked = decoded, True
    return int(parts[1]), parts[2] if len(parts) > 2 else "", headers, body, chunked


_TS_LINE_RE = re.compile(r"^(\d\d:\d\d:\d\d\.\d+) \| ?(.*)$")
_TS_TARGET_RE = re.compile(r"'https?://[^/']+(/[^']*)'")


def _parse_ts(
    path: Path,
) -> tuple[Optional[str], tuple[tuple[str, str], ...], Optional[str]]:
    if not path.exists():
        return None, (), None
    target: Optional[str] = None
    end_note: Optional[str] = None
    lines: list[tuple[str, str]] = []
    # split("\n"), not splitlines(): the latter also breaks on \r, \x1c, \u2028, ...
    for line in path.read_text(encoding="utf-8", errors="replace").split("\n"):
        if line.startswith("=== REQUEST:"):
            m = _TS_TARGET_RE.search(line)
            target = m.group(1) if m else None
        elif line.startswith("=== ended"):
            end_note = line[4:]
        elif not line.startswith("==="):
            m = _TS_LINE_RE.match(line)
            if m:
                lines.append((m.group(1), m.group(2).rstrip("\r")))
    return target, tuple(lines), end_note


# --------------------------------------------------------------------------------------------
# Public loading API


def capture_names() -> list[str]:
    """Names of all HTTP exchange captures, sorted."""
    return sorted(
        p.stem
        for p in CAPTURES_DIR.glob("*.txt")
        if _NAME_RE.match(p.name) and not p.name.endswith(".ts.txt")
    )


def sse_capture_names() -> list[str]:
    """Names of all SSE captures (``.raw`` files), sorted."""
    return sorted(p.stem for p in CAPTURES_DIR.glob("*.raw"))


@functools.cache
def _load_txt(name: str) -> Capture:
    return _parse_txt(CAPTURES_DIR / f"{name}.txt")


@functools.cache
def _load_sse(name: str) -> SSECapture:
    raw = (CAPTURES_DIR / f"{name}.raw").read_bytes()
    status, reason, headers, body, chunked = _parse_raw_sse(name, raw)
    target, timed, end_note = _parse_ts(CAPTURES_DIR / f"{name}.ts.txt")
    return SSECapture(
        name=name,
        raw=raw,
        status=status,
        reason=reason,
        headers=headers,
        body=body,
        body_was_chunk_framed=chunked,
        target=target,
        timed_lines=timed,
        end_note=end_note,
    )


def _resolve(name_or_number: Union[str, int], names: list[str]) -> str:
    if isinstance(name_or_number, int):
        key = f"{name_or_number:03d}"
    else:
        key = name_or_number
        for suffix in (".txt", ".raw"):
            if key.endswith(suffix):
                key = key[: -len(suffix)]
    if key in names:
        return key
    matches = [n for n in names if _number_of(n) == key]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise LookupError(f"capture {name_or_number!r} is ambiguous: {matches}")
    raise LookupError(f"no capture {name_or_number!r}")


def load(name_or_number: Union[str, int]) -> Capture:
    """Load one HTTP capture by name (``"020_submit_echo_minimal"``), number string (``"020"``,
    ``"080b"``) or int (``20``).

    Raises ``LookupError`` when nothing or more than one capture matches (``60`` names two files:
    ``060_get_error_after_1_5s`` and ``060_get_error_result``), and :class:`CaptureFormatError`
    when the file cannot be parsed. Results are cached and immutable.
    """
    return _load_txt(_resolve(name_or_number, capture_names()))


def load_all() -> list[Capture]:
    """Load every HTTP capture, sorted by name."""
    return [_load_txt(n) for n in capture_names()]


def load_sse(name_or_number: Union[str, int]) -> SSECapture:
    """Load one SSE capture by name (``"300_sse_all"``) or number (``300``, ``"301"``)."""
    return _load_sse(_resolve(name_or_number, sse_capture_names()))


def load_all_sse() -> list[SSECapture]:
    """Load every SSE capture, sorted by name."""
    return [_load_sse(n) for n in sse_capture_names()]
