"""openapi.yaml against what the real server sent: every recorded capture, in strict mode.

* The spec is a valid OpenAPI 3.1 document, and its schemas are valid JSON Schema 2020-12.
* Every capture's response (one test case each, ids = capture names) fits the response the spec
  declares for its operation and status, validated with jsonschema Draft 2020-12, formats checked,
  in a *strict* copy of the spec where open objects are closed: a field the server sends that the
  spec does not name fails. A status the spec does not declare fails. Requests that reach no
  operation (unknown routes, wrong methods) must answer the ``ErrorResponse`` envelope if JSON,
  and the spec must not declare an operation for them.
* Every SSE capture's events carry the data schema the spec names for the event.
* Request bodies the server accepted fit the spec's request schema, except an explicit list of
  requests docs/protocol.md shows the server tolerating although they are out of spec.
* Every operation, and every declared status, is exercised by a capture or allow-listed.
* Drift is caught: broken scratch copies of the spec make the same machinery fail, on every run.

Run against an edited copy of the spec with ``GQ_CONTRACT_SPEC=/tmp/openapi.yaml pytest ...``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator

from tests.captures import OPERATIONS, Capture, SSECapture, load_all, load_all_sse
from tests.contract._spec_check import (
    SSE_EVENT_SCHEMAS,
    SpecChecker,
    UnsupportedSchemaError,
    default_checker,
    parse_sse,
    problems_for,
    request_is_checked,
    request_unrecorded,
    spec_operation_id,
    strict_copy,
)

CAPTURES: list[Capture] = load_all()
SSE_CAPTURES: list[SSECapture] = load_all_sse()


@pytest.fixture(scope="module")
def checker() -> SpecChecker:
    """The checker for the spec under test (openapi.yaml, or ``$GQ_CONTRACT_SPEC``)."""
    return default_checker()


# ----------------------------------------------------------------------------------------------
# The document itself


def test_spec_is_valid_openapi_3_1(checker: SpecChecker) -> None:
    """openapi-spec-validator accepts the document as OpenAPI 3.1."""
    assert str(checker.spec.get("openapi", "")).startswith("3.1."), checker.spec.get("openapi")
    errors = [str(e.message) for e in OpenAPIV31SpecValidator(checker.spec).iter_errors()]
    assert errors == []


def test_component_schemas_are_valid_json_schema(checker: SpecChecker) -> None:
    """Every component schema, as written and in the strict copy, passes the 2020-12 metaschema."""
    for doc in (checker.spec, checker.strict):
        for name, schema in doc["components"]["schemas"].items():
            try:
                Draft202012Validator.check_schema(schema)
            except Exception as exc:  # pragma: no cover - only on a broken spec
                pytest.fail(f"components/schemas/{name}: {exc}")


def _walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += _walk(value)
    elif isinstance(node, list):
        for value in node:
            found += _walk(value)
    return found


def test_spec_stays_open_and_strict_copy_closes_it(checker: SpecChecker) -> None:
    """The header's forward-compatibility promise holds (no closed objects, no enums), and the
    strict copy the tests validate with closes every object that names its properties."""
    spec_nodes = _walk(checker.spec)
    assert not [n for n in spec_nodes if n.get("additionalProperties") is False]
    assert not [n for n in spec_nodes if "enum" in n or "const" in n]
    assert checker.closed_objects > 0
    for name, schema in checker.strict["components"]["schemas"].items():
        if "properties" in schema:
            assert "additionalProperties" in schema, name
    assert checker.strict["components"]["schemas"]["Job"]["additionalProperties"] is False
    # Maps keep their value schema.
    tags = checker.strict["components"]["schemas"]["Job"]["properties"]["tags"]
    assert tags["additionalProperties"] == {"type": "string"}


def test_strict_copy_refuses_allof() -> None:
    """Closing allOf parts one by one would reject the other parts' fields: refuse instead."""
    spec: dict[str, Any] = {"components": {"schemas": {"X": {"allOf": [{"properties": {}}]}}}}
    with pytest.raises(UnsupportedSchemaError):
        strict_copy(spec)


def test_format_checker_checks_every_format_the_spec_uses(checker: SpecChecker) -> None:
    """``date-time`` needs rfc3339-validator: without it jsonschema would skip it silently."""
    formats = checker.format_checker
    used = {n["format"] for n in _walk(checker.spec) if isinstance(n.get("format"), str)}
    assert used <= set(formats.checkers), f"unchecked formats: {used - set(formats.checkers)}"
    good = {
        "date-time": "2026-11-29T00:49:32.55045653+05:30",
        "uuid": "be36136c-ca44-46fd-88ef-9c69c6eaa9ff",
        "byte": "eyJoZWxsbyI6IndvcmxkIiwibiI6MX0=",
        "int64": 5004520040,
    }
    bad = {
        "date-time": "2026-11-28 19:12:17",
        "uuid": "not-a-uuid",
        "byte": "eyJ",
        "int64": 2**63,
    }
    for name in good:
        assert formats.conforms(good[name], name), name
        assert not formats.conforms(bad[name], name), name


def test_loader_operations_map_to_spec_operations(checker: SpecChecker) -> None:
    """Every operation name tests.captures can give maps onto a spec operationId."""
    for name in OPERATIONS:
        for method in ("GET", "POST"):
            mapped = spec_operation_id(name, method)
            assert mapped in checker.operations, (name, method, mapped)


# ----------------------------------------------------------------------------------------------
# Responses


@pytest.mark.parametrize("capture", CAPTURES, ids=lambda c: c.name)
def test_response_matches_spec(checker: SpecChecker, capture: Capture) -> None:
    """The recorded response is one the spec declares, and its body fits the strict schema."""
    problems = checker.response_problems(capture)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("sse", SSE_CAPTURES, ids=lambda c: c.name)
def test_sse_events_match_spec(checker: SpecChecker, sse: SSECapture) -> None:
    """Every event of the stream carries the data schema the spec names for it."""
    assert parse_sse(sse.body)[0], "no events parsed"
    problems = checker.sse_problems(sse)
    assert not problems, "\n".join(problems)


def test_sse_event_schemas_are_the_ones_the_spec_names(checker: SpecChecker) -> None:
    """The event -> schema table used above is what the stream_events description says."""
    description = checker.operations["stream_events"].node.get("description", "")
    named = set(re.findall(r"`(connected|job\.[a-z_.]+)`", description))
    assert named == set(SSE_EVENT_SCHEMAS), named ^ set(SSE_EVENT_SCHEMAS)
    for event, schema in SSE_EVENT_SCHEMAS.items():
        assert schema in checker.spec["components"]["schemas"], schema
        assert f"`{schema}`" in description, (event, schema)


def test_parse_sse_framing() -> None:
    """Comments are skipped, data lines joined, and an unterminated tail is returned apart."""
    body = b": keepalive\n\nevent: a\ndata: 1\ndata: 2\nid: x\n\nevent: b\ndata: {"
    events, tail = parse_sse(body)
    assert [(e.event, e.data, e.id) for e in events] == [("a", "1\n2", "x")]
    assert tail == "event: b\ndata: {"


# ----------------------------------------------------------------------------------------------
# Requests

OUT_OF_SPEC_REQUESTS: dict[str, tuple[str, str]] = {
    # name: (why the server accepted it although the spec does not allow it, expected problem)
    "086_wait_post_timeout_number_ignored": (
        "wait timeout as a JSON number; ignored, the default 30s is used (PROTOCOL 3.9 [086])",
        "1 is not of type 'string'",
    ),
    "093_submit_delay_bad_string": (
        "unparsable delay string; silently ignored (PROTOCOL 3.1 [093])",
        "'ten seconds' does not match",
    ),
    "119_submit_timeout_bad_string": (
        "unparsable timeout string; silently ignored (PROTOCOL 3.1 [119])",
        "'10 minutes' does not match",
    ),
    "124_submit_unknown_field": (
        "unknown fields are ignored (PROTOCOL 1 [124])",
        "('bogus', 'depends_on' were unexpected)",
    ),
    "127_submit_wrong_content_type": (
        "a second Content-Type: text/plain; the server never checks it (PROTOCOL 1 [127])",
        "Content-Type text/plain is not declared",
    ),
    "131_submit_trailing_garbage": (
        "only the first JSON value is read, trailing garbage is ignored (PROTOCOL 1 [131])",
        "not one JSON value",
    ),
    "161_batch_nonatomic_missing_type": (
        "payload-only item; a non-atomic batch rejects it per item with 201 (PROTOCOL 3.3 [161])",
        "$.jobs[1]: 'type' is a required property",
    ),
    "170_batch_nonatomic_idem_conflict_index_bug": (
        "payload-only item in a non-atomic batch, rejected per item (PROTOCOL 3.3 [170])",
        "$.jobs[0]: 'type' is a required property",
    ),
    "176_batch_all_rejected_nonatomic": (
        "payload-only item; 201 even with every item rejected (PROTOCOL 3.3 [176])",
        "$.jobs[0]: 'type' is a required property",
    ),
}
"""Accepted (2xx) requests that are out of spec on purpose. Not listed because they are *in*
spec: 132 (a whitespace type satisfies ``minLength: 1``; the spec says it is not trimmed),
125/126 (any JSON payload, null included), 085 (``-1s`` is a Go duration)."""

UNRECORDED_REQUEST_BODIES: dict[str, str] = {
    "174_batch_exactly_1000": "the recorder kept only a prefix of the 1000-job body",
    "262_submit_11MiB_payload": "an 11 MiB body, recorded as a one-line summary",
}
"""Accepted requests whose bodies cannot be validated (their responses still are)."""

ACCEPTED_REQUESTS = [c for c in CAPTURES if request_is_checked(c)]


@pytest.mark.parametrize(
    "capture",
    [c for c in ACCEPTED_REQUESTS if c.name not in OUT_OF_SPEC_REQUESTS],
    ids=lambda c: c.name,
)
def test_accepted_request_matches_spec(checker: SpecChecker, capture: Capture) -> None:
    """A request the server accepted fits the spec's requestBody (strict: no unknown fields)."""
    problems = checker.request_problems(capture)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", sorted(OUT_OF_SPEC_REQUESTS))
def test_out_of_spec_request_is_still_out_of_spec(checker: SpecChecker, name: str) -> None:
    """Each exclusion is still needed, and fails for the stated reason."""
    capture = next((c for c in ACCEPTED_REQUESTS if c.name == name), None)
    assert capture is not None, f"{name} is no longer an accepted, recorded request"
    problems = checker.request_problems(capture)
    expected = OUT_OF_SPEC_REQUESTS[name][1]
    assert problems, f"{name} now fits the spec: drop it from OUT_OF_SPEC_REQUESTS"
    assert any(expected in p for p in problems), "\n".join(problems)


def test_unrecorded_request_bodies_are_the_known_ones() -> None:
    """No accepted request silently escapes body validation."""
    accepted = [c for c in CAPTURES if c.status is None or 200 <= c.status < 300]
    unrecorded = {c.name for c in accepted if c.operation and request_unrecorded(c)}
    assert unrecorded == set(UNRECORDED_REQUEST_BODIES)


# ----------------------------------------------------------------------------------------------
# Coverage

UNEXERCISED_OPERATIONS: dict[str, str] = {}
"""operationId -> why no capture exercises it. Empty: every operation has a capture."""

_AUTH_OPERATIONS = (
    "list_jobs",
    "submit_job",
    "submit_batch",
    "get_job",
    "delete_job",
    "wait_for_job",
    "wait_for_job_by_query",
    "cancel_job",
    "retry_job",
    "get_job_result",
    "get_stats",
    "stream_events",
)
_BAD_ID = "malformed id: 400 `invalid job ID format` is recorded for get_job only [012]"

UNEXERCISED_STATUSES: dict[tuple[str, str], str] = {
    # `gq serve` has no flag that turns auth on, so nothing records a 401 (PROTOCOL 1, [270, 271]).
    **{(op, "401"): "no auth under gq serve" for op in _AUTH_OPERATIONS},
    # The server was never unhealthy while recording.
    ("get_health", "503"): "never unhealthy while recording",
    ("get_ready", "503"): "never unready while recording",
    # The job-id routes share one id parser; only GET /jobs/{id} was recorded with a bad id.
    ("delete_job", "400"): _BAD_ID,
    ("wait_for_job", "400"): _BAD_ID,
    ("wait_for_job_by_query", "400"): _BAD_ID,
    ("cancel_job", "400"): _BAD_ID + " (an invalid JSON body is ignored [210])",
    ("retry_job", "400"): _BAD_ID,
    ("get_job_result", "400"): _BAD_ID,
    # Unknown ids on wait were recorded with POST only [080, 080b].
    ("wait_for_job_by_query", "404"): "unknown id recorded for POST wait only [080]",
}
"""(operationId, declared status) pairs no capture shows, each with the reason."""


def _exercised() -> set[tuple[str, str]]:
    seen: set[tuple[str, str]] = set()
    for capture in CAPTURES:
        op = spec_operation_id(capture.operation, capture.method)
        if op is not None and capture.status is not None:
            seen.add((op, str(capture.status)))
    for sse in SSE_CAPTURES:
        op = spec_operation_id(sse.operation, sse.method)
        if op is not None:
            seen.add((op, str(sse.status)))
    return seen


def test_every_operation_is_exercised(checker: SpecChecker) -> None:
    """Each operationId has a capture with a response, or an allow-list entry (not both)."""
    exercised = {op for op, _ in _exercised()}
    missing = set(checker.operations) - exercised - set(UNEXERCISED_OPERATIONS)
    stale = exercised & set(UNEXERCISED_OPERATIONS)
    assert not missing, f"no capture exercises {sorted(missing)}"
    assert not stale, f"allow-listed but exercised: {sorted(stale)}"


def test_every_declared_status_is_exercised(checker: SpecChecker) -> None:
    """Each declared (operation, status) is recorded, or allow-listed with a reason."""
    declared = {(op, s) for op in checker.operations for s in checker.declared_statuses(op)}
    exercised = _exercised()
    missing = declared - exercised - set(UNEXERCISED_STATUSES)
    stale = set(UNEXERCISED_STATUSES) & exercised
    unknown = set(UNEXERCISED_STATUSES) - declared
    assert not missing, f"declared but never recorded: {sorted(missing)}"
    assert not stale, f"allow-listed but recorded: {sorted(stale)}"
    assert not unknown, f"allow-listed but not declared: {sorted(unknown)}"


# ----------------------------------------------------------------------------------------------
# Drift is caught


def _schema(doc: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = doc["components"]["schemas"][name]
    return schema


def _operation(doc: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = doc["paths"][path][method]
    return operation


def _set(doc: dict[str, Any], value: Any, *keys: str) -> None:
    node = doc
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = value


def _delete(doc: dict[str, Any], *keys: str) -> None:
    node = doc
    for key in keys[:-1]:
        node = node[key]
    del node[keys[-1]]


def _forget_write_timeout(doc: dict[str, Any]) -> None:
    doc["info"]["description"] = "A job queue."
    for method in ("get", "post"):
        _operation(doc, "/api/v1/jobs/{job_id}/wait", method)["description"] = "Long-poll."


@dataclass(frozen=True)
class Drift:
    """A way to break the spec, the captures it must then fail, and a regex for the failure."""

    id: str
    apply: Callable[[dict[str, Any]], None]
    captures: tuple[str, ...]
    expect: str


_JOBS = "/api/v1/jobs"
_BY_ID = "/api/v1/jobs/{job_id}"
DRIFTS = [
    Drift(
        "job-priority-becomes-string",
        lambda d: _set(_schema(d, "Job"), {"type": "string"}, "properties", "priority"),
        (
            "020_submit_echo_minimal",
            "021_get_echo_completed",
            "150_list_state_completed",
            "160_batch_nonatomic_ok",
            "203_cancel_pending_P",
            "300_sse_all",
        ),
        "is not of type 'string'",
    ),
    Drift(  # strict mode: a field the server sends that the spec does not name
        "job-forgets-last-error",
        lambda d: _delete(_schema(d, "Job"), "properties", "last_error"),
        ("060_get_error_after_1_5s", "203_cancel_pending_P", "301_sse_job_filter_X"),
        "'last_error' was unexpected",
    ),
    Drift(  # a field the spec promises but the server omits
        "job-requires-progress",
        lambda d: _schema(d, "Job")["required"].append("progress"),
        ("020_submit_echo_minimal", "032_get_sleep_running", "300_sse_all"),
        "'progress' is a required property",
    ),
    Drift(
        "cancel-forgets-409",
        lambda d: _delete(d, "paths", f"{_BY_ID}/cancel", "post", "responses", "409"),
        ("206_cancel_already_cancelled_P", "207_cancel_completed_job"),
        "status 409 is not declared for cancel_job",
    ),
    Drift(
        "submit-forgets-idempotent-200",
        lambda d: _delete(d, "paths", _JOBS, "post", "responses", "200"),
        ("112_idempotency_second_same_key", "149_idempotency_third_after_completion"),
        "status 200 is not declared for submit_job",
    ),
    Drift(
        "processing-ids-not-nullable",
        lambda d: _set(_schema(d, "WorkerStats"), "array", "properties", "processing_ids", "type"),
        ("009_stats_empty",),
        "None is not of type 'array'",
    ),
    Drift(  # the uuid format is checked: the zero-valued job of a rejected batch item has id ""
        "job-id-must-be-uuid",
        lambda d: _set(_schema(d, "Job"), "uuid", "properties", "id", "format"),
        ("161_batch_nonatomic_missing_type",),
        r"\$\.results\[1\]\.job\.id: '' is not a 'uuid'",
    ),
    Drift(
        "connected-status-becomes-integer",
        lambda d: _set(_schema(d, "ConnectedEventData"), "integer", "properties", "status", "type"),
        ("300_sse_all", "303_sse_job_filter_bogus"),
        r"event #0 \(connected\) \$\.status: 'connected' is not of type 'integer'",
    ),
    Drift(
        "submit-request-forgets-correlation-id",
        lambda d: _delete(_schema(d, "SubmitJobRequest"), "properties", "correlation_id"),
        ("110_submit_all_fields",),
        "'correlation_id' was unexpected",
    ),
    Drift(  # also reaches the envelope of routes that are no operation (404 and 405)
        "error-code-becomes-integer",
        lambda d: _set(_schema(d, "ErrorDetail"), "integer", "properties", "code", "type"),
        ("013_unknown_uuid", "007_unknown_api_path", "079_wait_DELETE_method"),
        r"\$\.error\.code: '\w+' is not of type 'integer'",
    ),
    Drift(
        "delete-204-gets-a-body",
        lambda d: _set(
            d,
            {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}},
            "paths",
            _BY_ID,
            "delete",
            "responses",
            "204",
            "content",
        ),
        ("181_idem_delete", "230_delete_completed_job"),
        "Content-Type None is not declared",
    ),
    Drift(  # the server answers GET /api/v1/jobs/.. with a 301; the spec must not claim it
        "job-id-param-accepts-anything",
        lambda d: _set(d, {"type": "string"}, "components", "parameters", "JobId", "schema"),
        ("259_dotdot_in_id",),
        "but the spec declares get_job",
    ),
    Drift(
        "spec-forgets-the-write-timeout",
        _forget_write_timeout,
        (
            "071_wait_default_no_body_on_stuck_retrying",
            "074_wait_GET_timeout_31s_on_stuck_retrying",
        ),
        "write timeout",
    ),
]


@pytest.mark.parametrize("drift", DRIFTS, ids=lambda d: d.id)
def test_drifted_spec_is_caught(checker: SpecChecker, drift: Drift) -> None:
    """The machinery passes these captures on the spec, and fails them on the broken copy."""
    broken = copy.deepcopy(dict(checker.spec))
    drift.apply(broken)
    drifted = SpecChecker(broken)
    for name in drift.captures:
        before = problems_for(checker, name)
        # Only the known out-of-spec request of an excluded capture may fail beforehand.
        assert not before or name in OUT_OF_SPEC_REQUESTS, "\n".join(before)
        new = [p for p in problems_for(drifted, name) if p not in before]
        assert new, f"{drift.id}: {name} still passes on the broken spec"
        assert any(re.search(drift.expect, p) for p in new), "\n".join(new)
