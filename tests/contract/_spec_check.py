"""Machinery that checks the recorded wire captures against ``openapi.yaml``.

:class:`SpecChecker` wraps one OpenAPI document. It keeps the document as written (open objects,
for forward compatibility) and builds a *strict* scratch copy in which every object schema that
names ``properties`` but says nothing about ``additionalProperties`` gets
``additionalProperties: false``, so a field the server sends that the spec does not name is a
validation error. Schemas are validated with ``jsonschema``'s Draft 2020-12 validator, a
``referencing`` registry holding the strict document (so ``$ref``s to ``components`` resolve), and
a format checker that checks ``date-time`` (needs ``rfc3339-validator``), ``uuid`` and the OpenAPI
formats ``byte`` and ``int64``.

The ``*_problems`` methods return human-readable problems (an empty list means "conforms"), so the
tests can assert on them and the drift tests can assert that a broken spec *does* produce them.

The spec file is ``openapi.yaml`` at the repository root, or the file named by the environment
variable ``GQ_CONTRACT_SPEC`` (to try the tests against an edited scratch copy).
"""

from __future__ import annotations

import base64
import binascii
import copy
import functools
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional
from urllib.parse import unquote

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.captures import (
    Capture,
    SSECapture,
    capture_names,
    load,
    load_sse,
    sse_capture_names,
)

__all__ = [
    "HTTP_METHODS",
    "LOADER_OPERATION_TO_SPEC",
    "SPEC_ENV_VAR",
    "SSE_EVENT_SCHEMAS",
    "Operation",
    "SSEEvent",
    "SpecChecker",
    "UnsupportedSchemaError",
    "default_checker",
    "load_spec",
    "make_format_checker",
    "parse_sse",
    "pointer",
    "problems_for",
    "request_is_checked",
    "request_unrecorded",
    "resolve_pointer",
    "spec_operation_id",
    "spec_path",
    "strict_copy",
]

ROOT = Path(__file__).resolve().parents[2]
SPEC_ENV_VAR = "GQ_CONTRACT_SPEC"
"""Environment variable naming a spec file to test instead of the repository's openapi.yaml."""

SPEC_URI = "urn:gopherqueue:openapi.yaml"
"""The URI the strict spec is registered under; every schema is reached as ``SPEC_URI#<ptr>``."""

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

LOADER_OPERATION_TO_SPEC: Mapping[str, str] = {
    "health": "get_health",
    "ready": "get_ready",
    "live": "get_live",
    "metrics": "get_metrics",
    "api_info": "get_api_info",
}
"""Where ``tests.captures`` names an operation differently from the spec's operationId.

The loader also names both wait routes ``wait_for_job``; the spec calls the GET one
``wait_for_job_by_query`` (see :func:`spec_operation_id`).
"""

SSE_EVENT_SCHEMAS: Mapping[str, str] = {
    "connected": "ConnectedEventData",
    "job.created": "Job",
    "job.cancelled": "Job",
    "job.retried": "Job",
    "job.deleted": "DeletedEventData",
}
"""Event name -> ``components/schemas`` entry for its data, as the ``stream_events`` description
states it (OpenAPI 3.1 has no structured way to say it; a test checks the description still
names every pair)."""

_MAX_ERRORS = 8
_MAX_MESSAGE = 300


class UnsupportedSchemaError(ValueError):
    """The strict copy cannot close this schema correctly (e.g. ``allOf`` composition)."""


# --------------------------------------------------------------------------------------------
# Loading and JSON pointers


def spec_path() -> Path:
    """The spec under test: ``$GQ_CONTRACT_SPEC`` if set, else the repository's openapi.yaml."""
    override = os.environ.get(SPEC_ENV_VAR)
    return Path(override) if override else ROOT / "openapi.yaml"


def load_spec(path: Optional[Path] = None) -> dict[str, Any]:
    """Parse a spec file with ``yaml.safe_load`` (default: :func:`spec_path`)."""
    with (path or spec_path()).open(encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: not a YAML mapping")
    return doc


def pointer(*tokens: str) -> str:
    """Build a JSON pointer (RFC 6901) from unescaped tokens."""
    return "".join("/" + t.replace("~", "~0").replace("/", "~1") for t in tokens)


def resolve_pointer(doc: Any, ptr: str) -> Any:
    """The value at JSON pointer ``ptr`` (``""`` is the whole document) in ``doc``."""
    node = doc
    if not ptr:
        return node
    for raw in ptr.lstrip("/").split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def _follow_ref(doc: Mapping[str, Any], node: Any, ptr: str) -> tuple[Any, str]:
    """Follow local ``$ref``s from ``node`` (found at ``ptr``); return the target and its pointer."""
    seen: set[str] = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise ValueError(f"{ptr}: only local $refs are supported, got {ref!r}")
        if ref in seen:
            raise ValueError(f"{ptr}: $ref cycle through {ref}")
        seen.add(ref)
        ptr = ref[1:]
        node = resolve_pointer(doc, ptr)
    return node, ptr


# --------------------------------------------------------------------------------------------
# The strict copy


def _close(schema: Any, where: str) -> int:
    """Set ``additionalProperties: false`` on every open object schema under ``schema``."""
    if not isinstance(schema, dict):
        return 0
    if "allOf" in schema or ("$ref" in schema and "properties" in schema):
        # Closing the parts of a composition separately would reject the other parts' fields.
        raise UnsupportedSchemaError(f"{where}: strict copy cannot close allOf/$ref compositions")
    closed = 0
    if (
        isinstance(schema.get("properties"), dict)
        and "additionalProperties" not in schema
        and "unevaluatedProperties" not in schema
    ):
        schema["additionalProperties"] = False
        closed += 1
    for key in ("properties", "patternProperties", "$defs", "dependentSchemas"):
        sub = schema.get(key)
        if isinstance(sub, dict):
            for name, value in sub.items():
                closed += _close(value, f"{where}/{key}/{name}")
    for key in (
        "items",
        "additionalProperties",
        "unevaluatedProperties",
        "unevaluatedItems",
        "contains",
        "propertyNames",
        "not",
        "if",
        "then",
        "else",
    ):
        closed += _close(schema.get(key), f"{where}/{key}")
    for key in ("prefixItems", "anyOf", "oneOf"):
        sub = schema.get(key)
        if isinstance(sub, list):
            for i, value in enumerate(sub):
                closed += _close(value, f"{where}/{key}/{i}")
    return closed


def _close_document(node: Any, where: str) -> int:
    """Walk the OpenAPI (non-schema) structure and close every schema found under ``schema``."""
    closed = 0
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("example", "examples") or str(key).startswith("x-"):
                continue
            if key == "schema":
                closed += _close(value, f"{where}/schema")
            else:
                closed += _close_document(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            closed += _close_document(value, f"{where}/{i}")
    return closed


def strict_copy(spec: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """A deep copy of ``spec`` with every open object schema closed; also how many were closed.

    Objects with ``properties`` and no ``additionalProperties`` (nor ``unevaluatedProperties``)
    get ``additionalProperties: false``. Objects that already say what extra keys may hold (maps
    such as ``tags``) are left alone. ``spec`` itself is not modified.
    """
    doc = copy.deepcopy(dict(spec))
    closed = 0
    components = doc.get("components") or {}
    for name, schema in (components.get("schemas") or {}).items():
        closed += _close(schema, f"#/components/schemas/{name}")
    rest = {k: v for k, v in doc.items() if k != "components"}
    rest["components"] = {k: v for k, v in components.items() if k != "schemas"}
    closed += _close_document(rest, "#")
    return doc, closed


# --------------------------------------------------------------------------------------------
# Formats


def _is_byte(instance: object) -> bool:
    """OpenAPI ``byte``: standard, padded base64 (raises ``binascii.Error`` when it is not)."""
    if isinstance(instance, str):
        base64.b64decode(instance, validate=True)
    return True


def _is_int64(instance: object) -> bool:
    """OpenAPI ``int64``: a signed 64-bit integer."""
    if isinstance(instance, int) and not isinstance(instance, bool):
        return -(2**63) <= instance < 2**63
    return True


def make_format_checker() -> FormatChecker:
    """``FormatChecker()`` (``date-time``, ``uuid``, ...) plus OpenAPI's ``byte`` and ``int64``."""
    checker = FormatChecker()
    checker.checks("byte", raises=(binascii.Error, ValueError))(_is_byte)
    checker.checks("int64")(_is_int64)
    return checker


# --------------------------------------------------------------------------------------------
# Operations


@dataclass(frozen=True)
class Operation:
    """One operation of the spec."""

    operation_id: str
    method: str
    """Upper-case HTTP method."""
    path: str
    """Path template, e.g. ``/api/v1/jobs/{job_id}``."""
    pointer: str
    """JSON pointer to the operation object."""
    node: Mapping[str, Any]
    """The operation object (unresolved, as written)."""
    path_parameters: Mapping[str, str]
    """Path parameter name -> JSON pointer to its schema."""


def spec_operation_id(loader_operation: Optional[str], method: str) -> Optional[str]:
    """Map the loader's ``Capture.operation`` to the spec's operationId (``None`` stays None)."""
    if loader_operation is None:
        return None
    if loader_operation == "wait_for_job" and method.upper() == "GET":
        return "wait_for_job_by_query"
    return LOADER_OPERATION_TO_SPEC.get(loader_operation, loader_operation)


# --------------------------------------------------------------------------------------------
# Server-Sent Events


@dataclass(frozen=True)
class SSEEvent:
    """One dispatched Server-Sent Event."""

    event: str
    data: str
    id: Optional[str]
    unknown_fields: tuple[str, ...] = ()


def parse_sse(body: bytes) -> tuple[list[SSEEvent], str]:
    """Split an event-stream body (``\\n`` framing) into events, plus the unterminated tail.

    Comment lines (``: keepalive``) and comment-only blocks are skipped. The tail is whatever
    follows the last blank line: a stream the server cut mid-event leaves a partial event there.
    """
    blocks = body.decode("utf-8").split("\n\n")
    tail = blocks.pop()
    events: list[SSEEvent] = []
    for block in blocks:
        name, data, event_id, unknown = "message", [], None, []
        has_field = False
        for line in block.split("\n"):
            if line.startswith(":"):
                continue
            field_name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            has_field = True
            if field_name == "event":
                name = value
            elif field_name == "data":
                data.append(value)
            elif field_name == "id":
                event_id = value
            else:
                unknown.append(field_name)
        if has_field:
            events.append(SSEEvent(name, "\n".join(data), event_id, tuple(unknown)))
    return events, tail


# --------------------------------------------------------------------------------------------
# The checker


def _status_in(response_keys: Any, status: int) -> Optional[str]:
    """The response key that covers ``status``: exact, then ``4XX``-style range, then default."""
    keys = {str(k) for k in response_keys}
    for key in (str(status), f"{str(status)[0]}XX", "default"):
        if key in keys:
            return key
    return None


def _keywords(error: ValidationError) -> str:
    """The failing keyword's path from the validated schema (``properties/priority/type``)."""
    path = [str(p) for p in error.absolute_schema_path]
    return "/".join(path[1:] if path[:1] == ["$ref"] else path)


def _short(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


class SpecChecker:
    """Validates captures against one OpenAPI document (in strict mode)."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        """Index ``spec`` and build its strict copy, registry and format checker."""
        self.spec: Mapping[str, Any] = spec
        self.strict, self.closed_objects = strict_copy(spec)
        self.registry: Registry[Any] = Registry().with_resource(
            SPEC_URI, DRAFT202012.create_resource(self.strict)
        )
        self.format_checker = make_format_checker()
        self.operations: dict[str, Operation] = dict(self._index_operations())
        self._validators: dict[str, Draft202012Validator] = {}

    # -- spec structure ----------------------------------------------------------------------

    def _index_operations(self) -> Iterator[tuple[str, Operation]]:
        for path, item in (self.spec.get("paths") or {}).items():
            item_ptr = pointer("paths", path)
            shared = list(item.get("parameters") or [])
            for method in HTTP_METHODS:
                node = item.get(method)
                if not isinstance(node, dict):
                    continue
                op_ptr = f"{item_ptr}{pointer(method)}"
                params: dict[str, str] = {}
                located = [(p, f"{item_ptr}/parameters/{i}") for i, p in enumerate(shared)]
                located += [
                    (p, f"{op_ptr}/parameters/{i}")
                    for i, p in enumerate(node.get("parameters") or [])
                ]
                for raw, raw_ptr in located:
                    param, param_ptr = _follow_ref(self.spec, raw, raw_ptr)
                    if param.get("in") == "path":
                        params[param["name"]] = f"{param_ptr}/schema"
                op_id = node.get("operationId") or f"{method.upper()} {path}"
                yield op_id, Operation(op_id, method.upper(), path, op_ptr, node, params)

    def response(self, operation_id: str, status: int) -> Optional[tuple[Mapping[str, Any], str]]:
        """The resolved response object the spec declares for ``status``, and its pointer."""
        op = self.operations[operation_id]
        # YAML reads an unquoted 200 as an int: compare the keys as strings.
        responses = {str(k): v for k, v in (op.node.get("responses") or {}).items()}
        key = _status_in(responses, status)
        if key is None:
            return None
        node, ptr = _follow_ref(
            self.spec, responses[key], f"{op.pointer}{pointer('responses', key)}"
        )
        return node, ptr

    def declared_statuses(self, operation_id: str) -> list[str]:
        """The response keys the spec declares for an operation, as written (``"200"``...)."""
        return [str(k) for k in self.operations[operation_id].node.get("responses") or {}]

    def request_body(self, operation_id: str) -> Optional[tuple[Mapping[str, Any], str]]:
        """The resolved requestBody of an operation and its pointer, or ``None``."""
        op = self.operations[operation_id]
        if "requestBody" not in op.node:
            return None
        node, ptr = _follow_ref(
            self.spec, op.node["requestBody"], f"{op.pointer}{pointer('requestBody')}"
        )
        return node, ptr

    def validator(self, schema_ptr: str) -> Draft202012Validator:
        """A Draft 2020-12 validator for the strict schema at ``schema_ptr``."""
        found = self._validators.get(schema_ptr)
        if found is None:
            found = Draft202012Validator(
                {"$ref": f"{SPEC_URI}#{schema_ptr}"},
                registry=self.registry,
                format_checker=self.format_checker,
            )
            self._validators[schema_ptr] = found
        return found

    def schema_problems(self, schema_ptr: str, instance: Any, what: str = "body") -> list[str]:
        """Validation errors of ``instance`` against the strict schema at ``schema_ptr``."""
        errors: list[ValidationError] = sorted(
            self.validator(schema_ptr).iter_errors(instance),
            key=lambda e: [
                (0, p, "") if isinstance(p, int) else (1, 0, p) for p in e.absolute_path
            ],
        )
        # Name the schema the pointer leads to (``#/components/schemas/Job``), not the wrapper.
        _, shown = _follow_ref(self.spec, resolve_pointer(self.spec, schema_ptr), schema_ptr)
        problems = [
            f"{what} {e.json_path}: {_short(e.message)} [#{shown} {_keywords(e)}]"
            for e in errors[:_MAX_ERRORS]
        ]
        if len(errors) > _MAX_ERRORS:
            problems.append(f"... and {len(errors) - _MAX_ERRORS} more validation errors")
        return problems

    def matching_operations(self, method: str, target: str) -> list[str]:
        """OperationIds whose method and path template accept this request.

        A path parameter only matches when its (percent-decoded) value is valid for the
        parameter's schema, formats included; so ``/api/v1/jobs/..`` is not a ``get_job``
        request, because ``..`` is not a uuid.
        """
        raw_path = target.split("?", 1)[0]
        segments = raw_path.split("/")
        found: list[str] = []
        for op in self.operations.values():
            if op.method != method.upper():
                continue
            template = op.path.split("/")
            if len(template) != len(segments):
                continue
            ok = True
            for want, got in zip(template, segments, strict=True):
                if want.startswith("{") and want.endswith("}"):
                    schema_ptr = op.path_parameters.get(want[1:-1])
                    if schema_ptr is None or not self.validator(schema_ptr).is_valid(unquote(got)):
                        ok = False
                elif want != got:
                    ok = False
            if ok:
                found.append(op.operation_id)
        return found

    # -- captures ----------------------------------------------------------------------------

    def response_problems(self, capture: Capture) -> list[str]:
        """Everything about the capture's *response* that disagrees with the spec."""
        op_id = spec_operation_id(capture.operation, capture.method)
        if op_id is not None and op_id not in self.operations:
            return [f"the loader routes this to {capture.operation!r} -> {op_id!r}, not in spec"]
        if capture.is_summary:
            return self._summary_problems(capture, op_id)
        if capture.status is None:
            return self._empty_reply_problems(capture, op_id)
        if op_id is None:
            return self._non_operation_problems(capture)

        found = self.response(op_id, capture.status)
        if found is None:
            return [
                f"status {capture.status} is not declared for {op_id} "
                f"(declared: {', '.join(self.declared_statuses(op_id))})"
            ]
        response, response_ptr = found
        content: Mapping[str, Any] = response.get("content") or {}
        media = capture.content_type
        if not content:
            problems: list[str] = []
            if capture.response_body:
                problems.append(f"{op_id} {capture.status} has no content in the spec, got a body")
            if media is not None:
                problems.append(f"{op_id} {capture.status} has no content in the spec, got {media}")
            return problems
        if media is None or media not in content:
            return [
                f"{op_id} {capture.status}: Content-Type {media} is not declared "
                f"(declared: {', '.join(content)})"
            ]
        if not media.endswith("json"):
            return []
        try:
            body = capture.json()
        except ValueError as exc:
            return [f"{op_id} {capture.status}: body is not JSON ({exc})"]
        if "schema" not in content[media]:
            return []
        return self.schema_problems(
            f"{response_ptr}{pointer('content', media, 'schema')}", body, "response"
        )

    def _summary_problems(self, capture: Capture, op_id: Optional[str]) -> list[str]:
        """A capture that recorded only a response body: it must fit some declared 2xx schema."""
        if op_id is None:
            return ["summarised capture of a request that targets no operation"]
        try:
            body = capture.json()
        except ValueError as exc:
            return [f"summarised response body is not JSON ({exc})"]
        candidates: list[tuple[str, list[str]]] = []
        for key in self.declared_statuses(op_id):
            if not key.startswith("2"):
                continue
            found = self.response(op_id, int(key))
            assert found is not None
            response, response_ptr = found
            media = (response.get("content") or {}).get("application/json")
            if media is None or "schema" not in media:
                continue
            schema_ptr = f"{response_ptr}{pointer('content', 'application/json', 'schema')}"
            problems = self.schema_problems(schema_ptr, body, "response")
            if not problems:
                return []
            candidates.append((key, problems))
        if not candidates:
            return [f"{op_id} declares no 2xx JSON response for this summarised capture"]
        return [f"(as {key}) {p}" for key, problems in candidates for p in problems]

    def _empty_reply_problems(self, capture: Capture, op_id: Optional[str]) -> list[str]:
        """No response at all: only acceptable as the documented 30 s write-timeout drop."""
        problems: list[str] = []
        if op_id is None:
            problems.append("no response to a request that targets no operation")
        if capture.curl_rc != 52:
            problems.append(f"no response recorded, curl rc={capture.curl_rc} (expected 52)")
        elapsed = float(capture.curl_info.get("time_total", "0").removesuffix("s"))
        if elapsed < 30.0:
            problems.append(f"empty reply after {elapsed:.3f}s, before the 30 s write timeout")
        if op_id is not None:
            op = self.operations[op_id]
            docs = " ".join(
                str(x)
                for x in (
                    (self.spec.get("info") or {}).get("description", ""),
                    op.node.get("summary", ""),
                    op.node.get("description", ""),
                )
            ).lower()
            if "write timeout" not in docs:
                problems.append(
                    f"the spec does not document for {op_id} that responses written 30 s or "
                    "later are dropped (write timeout)"
                )
        return problems

    def _non_operation_problems(self, capture: Capture) -> list[str]:
        """A request the server routes to no operation (unknown path, unclean path, method)."""
        problems: list[str] = []
        matches = self.matching_operations(capture.method, capture.target)
        if matches:
            problems.append(
                f"the server treats {capture.method} {capture.target} as no operation "
                f"(answered {capture.status}), but the spec declares {', '.join(matches)}"
            )
        if capture.is_json:
            if capture.status not in (404, 405):
                problems.append(
                    f"JSON {capture.status} for a request that targets no operation; only "
                    "404/405 error envelopes are expected there"
                )
            try:
                body = capture.json()
            except ValueError as exc:
                return [*problems, f"body is not JSON ({exc})"]
            problems += self.schema_problems(
                pointer("components", "schemas", "ErrorResponse"), body, "response"
            )
        elif capture.status is not None and 200 <= capture.status < 300:
            problems.append(f"non-JSON {capture.status} success for a request to no operation")
        return problems

    def request_problems(self, capture: Capture) -> list[str]:
        """Everything about the capture's *request body* that disagrees with the spec."""
        op_id = spec_operation_id(capture.operation, capture.method)
        if op_id is None or op_id not in self.operations:
            return [f"request targets no spec operation ({capture.operation!r})"]
        body = capture.request_body
        found = self.request_body(op_id)
        if found is None:
            return [f"{op_id} declares no requestBody, the request has one"] if body else []
        request_body, rb_ptr = found
        if not body:
            return [f"{op_id} requires a body, none sent"] if request_body.get("required") else []
        content: Mapping[str, Any] = request_body.get("content") or {}
        problems: list[str] = []
        sent = capture.request_headers.get_list("content-type")
        if not sent:
            problems.append("request has a body but no Content-Type")
        for value in sent:
            media = value.split(";", 1)[0].strip().lower()
            if media not in content:
                problems.append(
                    f"request Content-Type {media} is not declared for {op_id} "
                    f"(declared: {', '.join(content)})"
                )
        if "application/json" not in content:
            return problems
        try:
            instance = json.loads(body)
        except ValueError as exc:
            return [*problems, f"request body is not one JSON value ({exc})"]
        schema_ptr = f"{rb_ptr}{pointer('content', 'application/json', 'schema')}"
        return problems + self.schema_problems(schema_ptr, instance, "request")

    def sse_problems(self, sse: SSECapture) -> list[str]:
        """The stream's status, media type and every event's data, against the spec."""
        op_id = spec_operation_id(sse.operation, sse.method)
        if op_id is None or op_id not in self.operations:
            return [f"SSE capture targets no spec operation ({sse.operation!r})"]
        found = self.response(op_id, sse.status)
        if found is None:
            return [f"status {sse.status} is not declared for {op_id}"]
        content = found[0].get("content") or {}
        media = sse.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        problems: list[str] = []
        if media not in content:
            problems.append(f"Content-Type {media!r} is not declared for {op_id} {sse.status}")
        if b"\r" in sse.body:
            problems.append("event stream uses \\r; the spec describes \\n framing")
        events, _tail = parse_sse(sse.body)
        if not events or events[0].event != "connected":
            problems.append("the stream does not start with a `connected` event")
        for i, event in enumerate(events):
            label = f"event #{i} ({event.event})"
            if event.unknown_fields:
                problems.append(f"{label}: unexpected fields {event.unknown_fields}")
            schema = SSE_EVENT_SCHEMAS.get(event.event)
            if schema is None:
                problems.append(f"{label}: event name not described by the spec")
                continue
            try:
                data = json.loads(event.data)
            except ValueError as exc:
                problems.append(f"{label}: data is not JSON ({exc})")
                continue
            problems += self.schema_problems(pointer("components", "schemas", schema), data, label)
            if event.event == "connected":
                if event.id is not None:
                    problems.append(f"{label}: has an id line, the spec says it has none")
            elif not isinstance(data, dict) or event.id != data.get("id"):
                problems.append(f"{label}: id line {event.id!r} is not the job id")
        return problems


# --------------------------------------------------------------------------------------------
# Conveniences for the tests


@functools.cache
def default_checker() -> SpecChecker:
    """The checker for :func:`spec_path` (built once per process)."""
    return SpecChecker(load_spec())


def request_is_checked(capture: Capture) -> bool:
    """Whether a capture's request is checked against the spec's requestBody.

    That is every request the server accepted (2xx) that sent a body or is a POST (so a missing
    required body is caught too), except those whose body was not recorded in full
    (:func:`request_unrecorded`).
    """
    return (
        capture.status is not None
        and 200 <= capture.status < 300
        and capture.operation is not None
        and (bool(capture.request_body) or capture.method.upper() == "POST")
        and not request_unrecorded(capture)
    )


def request_unrecorded(capture: Capture) -> bool:
    """Whether the recorder kept only a summary or a prefix of the request body."""
    return capture.is_summary or capture.request_body_truncated


def problems_for(checker: SpecChecker, name: str) -> list[str]:
    """Every problem the checker finds in one capture (response, accepted request, or SSE)."""
    if name in sse_capture_names():
        return checker.sse_problems(load_sse(name))
    item = load(name)
    problems = checker.response_problems(item)
    if request_is_checked(item):
        problems += checker.request_problems(item)
    return problems


def _main() -> None:  # pragma: no cover - manual use: python -m tests.contract._spec_check
    """Print every problem in every capture (an empty output means the spec fits)."""
    checker = default_checker()
    print(f"spec: {spec_path()}")
    for name in [*capture_names(), *sse_capture_names()]:
        for problem in problems_for(checker, name):
            print(f"{name}: {problem}")


if __name__ == "__main__":  # pragma: no cover
    _main()
