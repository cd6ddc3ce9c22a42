"""Machinery for the schemathesis conformance run of ``openapi.yaml`` against the embedded server.

:class:`Runner` drives one spec operation with property-based cases that schemathesis
generates from the spec as written (open objects, so request bodies also carry unknown fields),
sends each one over HTTP to a real :class:`~gopherqueue.testing.DevServer` and validates the
response with :data:`CHECKS`:

* schemathesis' ``status_code_conformance`` (only statuses the operation declares),
  ``content_type_conformance``, ``response_headers_conformance`` and
  ``response_schema_conformance`` (the spec as written);
* :func:`strict_response_conformance`: the response body against the *strict* copy of the spec
  built by :mod:`tests.contract._spec_check` (every object closed with
  ``additionalProperties: false``, so the server cannot send a field the spec does not name),
  with the OpenAPI ``byte`` and ``int64`` formats checked too (schemathesis' validator ignores
  them).

``not_a_server_error`` is deliberately not used: the spec declares 500 for ``retry_job`` of a
job that is not failed and for an atomic batch's store conflict.

To make the run meaningful, every example starts from a freshly seeded world
(:func:`seed_world`): jobs in every state the server can show (completed with output,
dead-lettered, failed, timed out, retrying, delayed, cancelled, running with and without
progress, pending), and a job-id operation's ``job_id`` points at one of those jobs or stays as
schemathesis generated it (a random UUID: the 404 path).
"""

from __future__ import annotations

import asyncio
import collections
import functools
import json
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import httpx
import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gopherqueue.testing import DevServer, JobContext
from tests.contract._spec_check import (
    SSE_EVENT_SCHEMAS,
    SpecChecker,
    default_checker,
    load_spec,
    parse_sse,
    pointer,
)

__all__ = [
    "CHECKS",
    "FINISHED_LABELS",
    "LABELS",
    "UNFINISHED_LABELS",
    "WAIT_TIMEOUTS",
    "Outcome",
    "Runner",
    "conformance_server",
    "load_schema",
    "operation_ids",
    "seed_world",
    "strict_response_conformance",
    "takes_job_id",
]

# --------------------------------------------------------------------------------------------
# The schema and the checks


@functools.cache
def load_schema() -> Any:
    """``openapi.yaml`` (or ``$GQ_CONTRACT_SPEC``) loaded by schemathesis, as written."""
    return schemathesis.openapi.from_dict(load_spec())


def operation_ids() -> list[str]:
    """Every operationId of the spec, in document order."""
    return list(default_checker().operations)


def _operation_id(case: Any) -> str:
    return str(case.operation.definition.raw["operationId"])


def strict_response_conformance(ctx: Any, response: Any, case: Any) -> Optional[bool]:
    """The JSON body against the strict spec copy (closed objects, ``byte``/``int64`` formats).

    Only statuses and media types the operation declares are looked at; the built-in
    ``status_code_conformance`` and ``content_type_conformance`` report the others.
    """
    checker: SpecChecker = default_checker()
    op_id = _operation_id(case)
    found = checker.response(op_id, response.status_code)
    if found is None:
        return None
    declared, declared_ptr = found
    content: Mapping[str, Any] = declared.get("content") or {}
    media = (response.headers.get("content-type") or [""])[0].split(";", 1)[0].strip().lower()
    if media not in content or "schema" not in content[media] or not media.endswith("json"):
        return None
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise AssertionError(f"{op_id} {response.status_code}: body is not JSON ({exc})") from None
    problems = checker.schema_problems(
        f"{declared_ptr}{pointer('content', media, 'schema')}", body, "response"
    )
    if problems:
        raise AssertionError(
            f"{op_id} {response.status_code} does not conform to the strict spec:\n"
            + "\n".join(problems)
        )
    return None


CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    strict_response_conformance,
]
"""The checks every response goes through (``not_a_server_error`` deliberately left out)."""

# --------------------------------------------------------------------------------------------
# The seeded world


LABELS = (
    "completed",
    "completed_upper",
    "dead_letter",
    "failed",
    "timed_out",
    "cancelled",
    "retrying",
    "delayed",
    "running",
    "progress",
    "pending",
    "generated",
)
"""What a job-id operation's ``job_id`` may point at; ``generated`` keeps schemathesis' value
(a random UUID, so a 404), ``completed_upper`` is the completed job's id in upper case (the
``uuid`` format allows it and the server accepts it)."""

FINISHED_LABELS = frozenset(
    {"completed", "completed_upper", "dead_letter", "failed", "timed_out", "cancelled", "generated"}
)
"""Targets a wait answers at once whatever its timeout (finished jobs, unknown ids)."""

UNFINISHED_LABELS = frozenset(LABELS) - FINISHED_LABELS

WAIT_TIMEOUTS = ("0s", "-1s", "1ms", "50ms", "+0.1s")
"""The wait timeouts used on unfinished jobs (see :func:`_bound_wait`)."""

_SEED_TIMEOUT = 5.0
_WORKERS = 2  # the two long-running seeds occupy both, so one more job stays pending


def conformance_server() -> DevServer:
    """A server for the run (not started): 2 workers, and retries an hour apart so a job
    that failed temporarily stays ``retrying`` (the default backoff retries it at once)."""
    return DevServer(workers=_WORKERS, retry_backoff=3600.0, retry_backoff_max=3600.0)


async def _progress_handler(ctx: JobContext) -> None:
    ctx.report_progress(42.5, "half way there")
    await asyncio.sleep(3600)


def _submit(client: httpx.Client, body: dict[str, Any]) -> str:
    response = client.post("/api/v1/jobs", json=body)
    assert response.status_code == 201, (body, response.status_code, response.text)
    job_id = response.json()["id"]
    assert isinstance(job_id, str)
    return job_id


def _settle(
    server: DevServer, job_id: str, ready: Callable[[dict[str, Any]], bool], what: str
) -> None:
    deadline = time.monotonic() + _SEED_TIMEOUT
    while True:
        job = server.get_job(job_id)
        if job is not None and ready(job):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"seed job {what} did not settle: {job}")
        time.sleep(0.002)


def _in(*states: str) -> Callable[[dict[str, Any]], bool]:
    return lambda job: job["state"] in states


def seed_world(server: DevServer, client: httpx.Client) -> dict[str, str]:
    """Reset the server and create one job per label; return label -> job id.

    ``generated`` is absent (the caller keeps schemathesis' id for it).
    """
    server.reset()
    server.register("progress", _progress_handler)
    tags = {"team": "conformance", "env": "test"}
    ids = {
        "completed": _submit(
            client,
            {
                "type": "echo",
                "payload": {"n": 1},
                "tags": tags,
                "priority": 1,
                "idempotency_key": "seed-completed",
            },
        ),
        "dead_letter": _submit(client, {"type": "error", "payload": "boom", "max_attempts": 1}),
        "failed": _submit(client, {"type": "no-such-handler"}),
        "timed_out": _submit(client, {"type": "sleep", "payload": 60, "timeout": "1ms"}),
        "retrying": _submit(client, {"type": "error", "payload": "again", "max_attempts": 3}),
        "delayed": _submit(client, {"type": "echo", "delay": "1h", "tags": tags}),
        "cancelled": _submit(client, {"type": "echo", "delay": "1h"}),
    }
    ids["completed_upper"] = ids["completed"].upper()
    cancelled = client.post(f"/api/v1/jobs/{ids['cancelled']}/cancel", json={"reason": "seed"})
    assert cancelled.status_code == 200, cancelled.text
    _settle(server, ids["completed"], _in("completed"), "completed")
    _settle(server, ids["dead_letter"], _in("dead_letter"), "dead_letter")
    _settle(server, ids["failed"], _in("failed"), "failed")
    _settle(server, ids["timed_out"], _in("failed"), "timed_out")
    _settle(server, ids["retrying"], _in("retrying"), "retrying")
    # Both workers are free now; these two keep them busy for the rest of the example.
    ids["running"] = _submit(client, {"type": "sleep", "payload": 3600})
    ids["progress"] = _submit(client, {"type": "progress", "priority": 0})
    _settle(server, ids["running"], _in("running"), "running")
    _settle(server, ids["progress"], lambda j: "progress" in j, "progress")
    ids["pending"] = _submit(client, {"type": "echo", "scheduled_at": "2001-02-03T04:05:06+07:00"})
    _settle(server, ids["pending"], _in("pending"), "pending")
    return ids


# --------------------------------------------------------------------------------------------
# The run


@dataclass
class Outcome:
    """What a run did: how many examples, and the statuses seen per target label."""

    operation_id: str
    examples: int = 0
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    by_label: dict[str, collections.Counter[int]] = field(
        default_factory=lambda: collections.defaultdict(collections.Counter)
    )

    def record(self, label: str, status: int) -> None:
        """Count one response."""
        self.examples += 1
        self.statuses[status] += 1
        self.by_label[label][status] += 1


def takes_job_id(operation_id: str) -> bool:
    """Whether the operation's path has a ``{job_id}``."""
    return "{job_id}" in default_checker().operations[operation_id].path


def _bound_wait(case: Any, timeout: str) -> None:
    """Give a wait on an unfinished job a short timeout.

    A generated timeout can be anything up to hours (and a missing one means the server's
    default of 30 s): the server would hold the request until then, and anything answered 30 s
    or more after the request is dropped by the (emulated, and real) write timeout, which is
    documented behaviour, not a conformance failure. Shortening the server's write timeout
    instead would turn every slow reply into a dropped one, so the timeout is replaced here,
    with values that still cover the "at once" (0 or negative) and "expires" paths. Waits on
    finished or unknown jobs answer at once and keep the generated body or query untouched.
    """
    if case.method == "GET":
        case.query = {**(case.query or {}), "timeout": timeout}
    elif isinstance(case.body, dict):
        case.body = {**case.body, "timeout": timeout}
    else:
        case.body = {"timeout": timeout}


class Runner:
    """Sends cases to one server, seeding its world first; keeps its HTTP sessions."""

    def __init__(self, server: DevServer, headers: Optional[Mapping[str, str]] = None) -> None:
        self.server = server
        self.headers = dict(headers or {})
        self.session = requests.Session()
        self.session.trust_env = False  # loopback only, whatever proxy the environment names
        seed_headers = {"X-API-Key": server.api_key} if server.api_key else {}
        self.client = httpx.Client(
            base_url=server.url, headers=seed_headers, trust_env=False, timeout=10.0
        )
        self.streams = httpx.Client(trust_env=False, timeout=5.0)

    def close(self) -> None:
        """Close the HTTP sessions."""
        self.session.close()
        self.client.close()
        self.streams.close()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def send(self, case: Any, label: str) -> Any:
        """Seed, point ``job_id`` at the ``label`` job (``generated``: keep it), call, validate.

        Returns schemathesis' response; raises its ``FailureGroup`` when a check fails.
        """
        ids = seed_world(self.server, self.client)
        if label in ids:
            case.path_parameters = {**case.path_parameters, "job_id": ids[label]}
        response = case.call(
            base_url=self.server.url, session=self.session, headers=self.headers, timeout=10.0
        )
        case.validate_response(response, checks=CHECKS, headers=self.headers)
        return response

    def stream(self, case: Any, label: str) -> tuple[int, list[str]]:
        """Open the ``stream_events`` case's stream, read its first event, close it.

        The stream never ends (until the write timeout cuts it), so schemathesis' body handling
        is not used: the status and Content-Type are checked against the spec, a JSON error
        body against the strict spec, and an event stream's first event must be ``connected``
        with data that conforms. ``label`` (other than ``generated``) replaces the ``job_id``
        filter with a seeded job's id. Returns the status and the problems found.
        """
        checker = default_checker()
        operation_id = _operation_id(case)
        ids = seed_world(self.server, self.client)
        if label in ids:
            case.query = {**(case.query or {}), "job_id": ids[label]}
        sent = case.as_transport_kwargs(base_url=self.server.url, headers=self.headers)
        with self.streams.stream(
            sent["method"], sent["url"], params=sent.get("params"), headers=sent.get("headers")
        ) as response:
            status = response.status_code
            media = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
            head = b""
            for chunk in response.iter_bytes():
                head += chunk
                if b"\n\n" in head or len(head) > 65536:
                    break
        found = checker.response(operation_id, status)
        if found is None:
            declared = ", ".join(checker.declared_statuses(operation_id))
            return status, [f"status {status} is not declared (declared: {declared})"]
        declared_response, declared_ptr = found
        content: Mapping[str, Any] = declared_response.get("content") or {}
        if media not in content:
            return status, [
                f"Content-Type {media!r} is not declared (declared: {', '.join(content)})"
            ]
        if media.endswith("json"):
            schema_ptr = f"{declared_ptr}{pointer('content', media, 'schema')}"
            return status, checker.schema_problems(schema_ptr, json.loads(head), "response")
        events, _tail = parse_sse(head)
        if not events or events[0].event != "connected":
            return status, [f"the stream does not start with a `connected` event: {head[:200]!r}"]
        data_ptr = pointer("components", "schemas", SSE_EVENT_SCHEMAS["connected"])
        return status, checker.schema_problems(data_ptr, json.loads(events[0].data), "connected")

    def run(
        self,
        operation_id: str,
        *,
        examples: int,
        targets: Optional[Sequence[str]] = None,
        generation_mode: schemathesis.GenerationMode = schemathesis.GenerationMode.POSITIVE,
        shrink: bool = True,
    ) -> Outcome:
        """Run up to ``examples`` generated cases of one operation per target.

        ``targets`` are :data:`LABELS` for the job the path's ``job_id`` names (default: all of
        them for job-id operations; ignored for the others). Each target gets its own
        hypothesis run with a fixed seed derived from the operation, target and mode, so the
        run is deterministic and every target sees different bodies and queries. Raises
        schemathesis' ``FailureGroup`` (after shrinking unless ``shrink=False``) on the first
        response that does not conform, with the target named in a note.
        """
        operation = load_schema().find_operation_by_id(operation_id)
        strategy = operation.as_strategy(generation_mode=generation_mode)
        labels: Sequence[str] = (targets or LABELS) if takes_job_id(operation_id) else ("none",)
        outcome = Outcome(operation_id)
        phases = [Phase.explicit, Phase.reuse, Phase.generate]
        if shrink:
            phases.append(Phase.shrink)
        for label in labels:
            test = self._example(strategy, operation_id, label, outcome)
            seed = zlib.crc32(f"{operation_id}/{label}/{generation_mode.value}".encode())
            configured = settings(
                max_examples=examples,
                database=None,
                deadline=None,
                phases=phases,
                report_multiple_bugs=False,
                suppress_health_check=list(HealthCheck),
            )(hypothesis.seed(seed)(test))
            try:
                configured()
            except BaseException as exc:
                exc.add_note(f"target: {label} ({generation_mode.value} generation)")
                raise
        return outcome

    def _example(
        self, strategy: Any, operation_id: str, label: str, outcome: Outcome
    ) -> Callable[[], None]:
        """The hypothesis test for one target: draw a case, bound a wait, send, validate."""
        is_wait = operation_id in ("wait_for_job", "wait_for_job_by_query")

        @given(data=st.data())
        def example(data: st.DataObject) -> None:
            case = data.draw(strategy, label="case")
            if is_wait and label in UNFINISHED_LABELS:
                _bound_wait(case, data.draw(st.sampled_from(WAIT_TIMEOUTS), label="timeout"))
            response = self.send(case, label)
            outcome.record(label, response.status_code)

        return example
