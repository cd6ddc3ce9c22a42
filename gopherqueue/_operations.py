"""One flow per operation: check the arguments, build the generated request, parse the reply.

Flows are I/O free (see ``_transport``): both clients run the same flow, the sync client with
:func:`~gopherqueue._transport.run_sync`, the async one with
:func:`~gopherqueue._transport.run_async`. Requests are built by the generated endpoint
modules' request builders and replies parsed by the generated models; this module adds the
argument checks, error mapping, and the multi-request logic (wait's long-poll loop, batch
chunking, exactly-once resolution, recognising a retried request's own earlier success).
"""

from __future__ import annotations

import json
import logging
import math
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar, cast

import attrs
import httpx

from . import _convert as convert
from . import _generated as gen
from ._effects import Emit, Request, Sleep
from ._exceptions import (
    APIError,
    BatchConflictError,
    ConflictError,
    JobFailedError,
    JobNotFoundError,
    ResultNotReadyError,
    ServerError,
    UnexpectedResponseError,
    ValidationError,
    WaitTimeoutError,
    excerpt,
    status_error,
)
from ._ids import random_uuid
from ._models import (
    BatchItem,
    BatchResult,
    Health,
    Job,
    JobResult,
    JobSpec,
    JobState,
    QueueStats,
    WaitResult,
)
from ._options import WAIT_CHUNK_MAX, Settings
from ._retry import Reply, RetryPolicy, send

if TYPE_CHECKING:
    from ._effects import Flow
    from ._generated import SubmitJobRequest

__all__ = [
    "build_submit_body",
    "cancel",
    "delete",
    "get",
    "health",
    "list_jobs",
    "output",
    "probe",
    "result",
    "retry",
    "stats",
    "submit",
    "submit_and_wait",
    "submit_batch",
    "wait",
    "watch",
]

M = TypeVar("M")

logger = logging.getLogger("gopherqueue")

MAX_BATCH = 1000
"""The server refuses batches of more than this many jobs."""

_WAIT_READ_MARGIN = 5.0
_SUBMIT_FIELDS = frozenset(
    {
        "type",
        "payload",
        "priority",
        "delay",
        "scheduled_at",
        "timeout",
        "max_attempts",
        "idempotency_key",
        "correlation_id",
        "tags",
    }
)


def _request(
    settings: Settings,
    operation: str,
    kwargs: dict[str, Any],
    *,
    timeout: httpx.Timeout | None = None,
) -> Request:
    return Request(
        operation=operation,
        kwargs=kwargs,
        base_url=settings.base_url,
        headers=settings.headers,
        timeout=settings.timeout if timeout is None else timeout,
        max_size=settings.max_response_size,
    )


def _send(
    settings: Settings,
    request: Request,
    policy: RetryPolicy | None = None,
    *,
    recheck: Callable[[], Flow[httpx.Response | None]] | None = None,
    spent: int = 0,
) -> Flow[Reply]:
    """:func:`~gopherqueue._retry.send` with the settings' policy (unless ``policy``), clock
    and random source."""
    return send(
        request,
        settings.retry if policy is None else policy,
        clock=settings.clock,
        rng=settings.rng,
        recheck=recheck,
        spent=spent,
    )


def _parse(response: httpx.Response, operation: str, build: Callable[[Any], M]) -> M:
    """Parse a 2xx JSON body with ``build`` (a generated model's ``from_dict``, or that and the
    public model made from it), or raise UnexpectedResponseError.

    The public model is built inside too: a field of the wrong type (``"state": null``, a
    duration that is not a number, output that is not base64) must not escape as a bare
    ValueError or TypeError.
    """
    try:
        return build(response.json())
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
        kind = response.headers.get("content-type", "no content type")
        shown = excerpt(response.content) if response.content else "empty body"
        raise UnexpectedResponseError(
            f"{operation}: could not read the {response.status_code} reply ({kind}): "
            f"{type(exc).__name__}: {exc}; body: {shown}",
            response=response,
        ) from exc


def build_submit_body(
    settings: Settings,
    field: str,
    job_type: object,
    payload: object,
    options: Mapping[str, object],
) -> tuple[SubmitJobRequest, bool]:
    """Check submit arguments and build the generated request model.

    ``options`` holds the optional fields by wire name (``priority``, ``delay``, ...; ``None``
    or absent means not given); other keys are ignored. ``field`` prefixes field names in
    errors (``""`` for submit, ``"jobs[3]."`` in batches). Returns the model and whether its
    idempotency key was generated here.
    """
    option = options.get

    # submit() names its argument job_type; a batch item names the wire field, type.
    type_field = f"{field}type" if field else "job_type"
    body = gen.SubmitJobRequest(type_=convert.check_job_type(job_type, type_field))
    if payload is not None:
        # Checked when the request body is encoded (see _encode_body), once.
        body.payload = payload
    if (priority := option("priority")) is not None:
        body.priority = convert.check_priority(priority, f"{field}priority")
    if (delay := option("delay")) is not None:
        body.delay = convert.to_go_duration(delay, f"{field}delay")
    if (scheduled_at := option("scheduled_at")) is not None:
        body.scheduled_at = convert.check_scheduled_at(scheduled_at, f"{field}scheduled_at")
    if (timeout := option("timeout")) is not None:
        body.timeout = convert.to_go_duration(timeout, f"{field}timeout")
    if (max_attempts := option("max_attempts")) is not None:
        body.max_attempts = convert.check_max_attempts(max_attempts, f"{field}max_attempts")
    idempotency_key = option("idempotency_key")
    correlation_id = option("correlation_id")
    for name, value in (("idempotency_key", idempotency_key), ("correlation_id", correlation_id)):
        if value is not None and (not isinstance(value, str) or not value):
            raise ValidationError(
                f"{field}{name} must be a non-empty string, got {type(value).__name__}"
                + (" ''" if value == "" else ""),
                field=f"{field}{name}",
            )
        if value is not None:
            convert.check_text(value, f"{field}{name}")
    if (tags := option("tags")) is not None:
        checked = convert.check_tags(tags, f"{field}tags")
        if checked:
            wire_tags = gen.SubmitJobRequestTags()
            wire_tags.additional_properties = checked
            body.tags = wire_tags
    generated = False
    if isinstance(idempotency_key, str):
        body.idempotency_key = idempotency_key
    elif settings.auto_idempotency_key:
        # One key per logical submit, reused by every retry of it: a retry after a lost
        # response then gets the existing job back (200) instead of creating a second one.
        body.idempotency_key = f"gq-{random_uuid()}"
        generated = True
    if isinstance(correlation_id, str):
        body.correlation_id = correlation_id
    return body, generated


def submit_body_from_item(
    settings: Settings, index: int, item: object
) -> tuple[SubmitJobRequest, bool]:
    """Check one ``submit_batch`` item (a dict with wire field names, or a JobSpec)."""
    values: Mapping[Any, object]
    if isinstance(item, JobSpec):
        values = attrs.asdict(item, recurse=False)
    elif isinstance(item, (dict, Mapping)):  # dict first: the common case skips the ABC check
        values = cast("Mapping[Any, object]", item)
        if not values.keys() <= _SUBMIT_FIELDS:
            key = next(k for k in values if k not in _SUBMIT_FIELDS)
            raise ValidationError(
                f"jobs[{index}] has an unknown field {key!r}; expected some of {sorted(_SUBMIT_FIELDS)}",
                field=f"jobs[{index}].{key}",
            )
        if "type" not in values:
            raise ValidationError(f"jobs[{index}].type is required", field=f"jobs[{index}].type")
    else:
        raise ValidationError(
            f"jobs[{index}] must be a dict or a JobSpec, got {type(item).__name__}",
            field=f"jobs[{index}]",
        )
    return build_submit_body(
        settings,
        f"jobs[{index}].",
        values["type"],
        values.get("payload"),
        values,
    )


def _send_parsed(
    settings: Settings,
    request: Request,
    build: Callable[[httpx.Response, bool], M],
    *,
    resend: bool,
) -> Flow[M]:
    """Send ``request`` and ``build`` the result from its 2xx reply (and whether an earlier
    attempt of it may have been applied: its response was lost or unreadable).

    When the reply cannot be read (a JSON body cut short by a proxy or the network), the
    request was applied but its answer is lost, like a dropped connection. If ``resend`` says
    repeating it cannot apply it twice (it carries an idempotency key), ask again within the
    retry budget: the server answers the replay with what the damaged reply held. Otherwise
    the UnexpectedResponseError is raised.
    """
    policy = settings.retry
    spent = 0
    while True:
        reply = yield from _send(settings, request, spent=spent)
        spent = reply.retries
        try:
            return build(reply.response, reply.ambiguous)
        except UnexpectedResponseError as exc:
            # The resend spends a retry of the same budget as send's own retries.
            spent += 1
            if not resend or spent > policy.max_retries:
                raise
            error = exc
        delay = policy.backoff(spent, rng=settings.rng)
        policy.announce(
            f"{request.kwargs['method'].upper()} {request.kwargs['url']} (an unreadable reply)",
            operation=request.operation,
            retry=spent,
            of=str(policy.max_retries),
            delay=delay,
            error=error,
        )
        yield Sleep(delay)


def submit(settings: Settings, body: SubmitJobRequest) -> Flow[Job]:
    """POST /api/v1/jobs; 201 created, 200 an idempotent replay."""

    kwargs = _encode_body(
        gen.submit_job._get_kwargs(body=body), [(body.payload, "payload")], "payload"
    )
    request = _request(settings, "submit_job", kwargs)

    def build(response: httpx.Response, _after_lost: bool) -> Job:
        replayed = response.status_code == 200
        return _parse(
            response,
            "submit_job",
            lambda d: Job.from_api(gen.RawJob.from_dict(d), replayed=replayed),
        )

    return (yield from _send_parsed(settings, request, build, resend=bool(body.idempotency_key)))


def submit_batch(settings: Settings, items: Iterable[object], *, atomic: bool) -> Flow[BatchResult]:
    """POST /api/v1/jobs/batch, split into server-sized chunks when not atomic."""
    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Iterable):
        raise ValidationError("jobs must be a list of dicts or JobSpecs", field="jobs")
    convert.check_bool(atomic, "atomic")
    bodies: list[SubmitJobRequest] = []
    generated: list[bool] = []
    for index, item in enumerate(items):
        body, own_key = submit_body_from_item(settings, index, item)
        bodies.append(body)
        generated.append(own_key)
    if not bodies:
        raise ValidationError("jobs must hold at least one job", field="jobs")
    if atomic and len(bodies) > MAX_BATCH:
        raise ValidationError(
            f"an atomic batch holds at most {MAX_BATCH} jobs (the server's limit), got {len(bodies)}; "
            "submit it non-atomically to have it split into chunks",
            field="jobs",
        )
    size = MAX_BATCH if not atomic else len(bodies)
    # Every chunk is encoded before the first is sent, so a bad payload anywhere is refused
    # before any request. Each chunk is dropped once answered: a large batch does not keep
    # every request body alive (or for the garbage collector to walk) until the end.
    chunks = deque(
        _Chunk(bodies[start : start + size], generated[start : start + size], start, atomic)
        for start in range(0, len(bodies), size)
    )
    del bodies, generated
    parts: list[BatchResult] = []
    while chunks:
        part = yield from _submit_chunk(settings, chunks.popleft())
        parts.append(part)
    if len(parts) == 1:
        return parts[0]
    return BatchResult(
        total=sum(p.total for p in parts),
        accepted=sum(p.accepted for p in parts),
        rejected=sum(p.rejected for p in parts),
        results=[item for p in parts for item in p.results],
    )


class _Chunk:
    """One request's share of a batch: its bodies, which of their keys were generated here,
    where it starts in the caller's list, and the request, its body encoded once (which also
    checks every payload is strict JSON; a bad one is then named by its index)."""

    __slots__ = ("bodies", "generated", "kwargs", "offset")

    def __init__(
        self, bodies: list[SubmitJobRequest], generated: list[bool], offset: int, atomic: bool
    ) -> None:

        self.bodies = bodies
        self.generated = generated
        self.offset = offset
        self.kwargs = _encode_body(
            gen.submit_batch._get_kwargs(body=gen.BatchRequest(jobs=bodies, atomic=atomic)),
            ((body.payload, f"jobs[{offset + i}].payload") for i, body in enumerate(bodies)),
            "jobs",
        )


def _encode_body(
    kwargs: dict[str, Any], payloads: Iterable[tuple[object, str]], field: str
) -> dict[str, Any]:
    """The generated request ``kwargs`` with their ``json`` body encoded here, as httpx would
    encode it: once, instead of once to check the payloads and again to send them.

    Encoding is also the check that every payload is strict JSON text; when it fails, the
    payload at fault is named by its field from ``payloads`` (``(payload, field)`` pairs, only
    read then), and ``field`` names the body as a whole if none is.
    """

    try:
        kwargs["content"] = convert.encode_json(kwargs.pop("json"))
    except (TypeError, ValueError, RecursionError):
        for payload, payload_field in payloads:
            if not isinstance(payload, gen.Unset):
                convert.check_payload(payload, payload_field)
        raise ValidationError(f"{field} must be JSON-serialisable", field=field) from None
    return kwargs


def _submit_chunk(settings: Settings, chunk: _Chunk) -> Flow[BatchResult]:

    request = _request(settings, "submit_batch", chunk.kwargs)
    bodies, generated, offset = chunk.bodies, chunk.generated, chunk.offset

    after_lost = False

    def build(response: httpx.Response, ambiguous: bool) -> BatchResult:
        nonlocal after_lost
        after_lost = ambiguous
        return _parse(
            response,
            "submit_batch",
            lambda d: BatchResult.from_api(gen.RawBatchResponse.from_dict(d), offset=offset),
        )

    try:
        # Every item keyed: asking again cannot store one twice (see _send_parsed).
        keyed = all(bool(b.idempotency_key) for b in bodies)
        parsed = yield from _send_parsed(settings, request, build, resend=keyed)
    except BatchConflictError as exc:
        # Our generated keys are new by construction, so one that "already exists" was stored
        # by an earlier attempt of this very call whose response was lost (and after such a
        # loss, so was a caller's key, most likely). Resolve every item through single submit,
        # which answers an existing key with its job.
        if not (
            0 <= exc.index < len(bodies) and (generated[exc.index] or exc.after_ambiguous_attempt)
        ):
            raise
        items: list[BatchItem] = []
        for i, item_body in enumerate(bodies):
            job = yield from submit(settings, item_body)
            items.append(BatchItem(index=offset + i, success=True, job=job, error=None))
        return BatchResult(total=len(items), accepted=len(items), rejected=0, results=items)
    resolved: list[BatchItem] = []
    fixed = 0
    for item in parsed.results:
        local = item.index - offset
        if (
            not item.success
            and item.error == "job already exists"
            and 0 <= local < len(bodies)
            # Our generated key: stored by a lost earlier attempt of this call. A caller's key
            # too when an earlier attempt was lost: resolved like single submit resolves it.
            and (generated[local] or after_lost)
        ):
            job = yield from submit(settings, bodies[local])
            resolved.append(BatchItem(index=item.index, success=True, job=job, error=None))
            fixed += 1
        else:
            resolved.append(item)
    if not fixed:
        return parsed
    return BatchResult(
        total=parsed.total,
        accepted=parsed.accepted + fixed,
        rejected=parsed.rejected - fixed,
        results=resolved,
    )


def get(settings: Settings, job_id: object, *, include_result: bool = True) -> Flow[Job]:
    """GET /api/v1/jobs/{id}, and the result too when the job has finished."""

    canonical = convert.check_job_id(job_id)
    convert.check_bool(include_result, "include_result")
    reply = yield from _send(
        settings, _request(settings, "get_job", gen.get_job._get_kwargs(uuid.UUID(canonical)))
    )
    job = _parse(reply.response, "get_job", lambda d: Job.from_api(gen.RawJob.from_dict(d)))
    if include_result and job.state.is_terminal:
        try:
            job_result = yield from result(settings, canonical)
        except (ResultNotReadyError, JobNotFoundError):
            return job  # cancelled before it ran, or deleted in between
        return attrs.evolve(job, job_result=job_result)
    return job


def result(settings: Settings, job_id: object) -> Flow[JobResult]:
    """GET /api/v1/jobs/{id}/result."""

    canonical = convert.check_job_id(job_id)
    request = _request(
        settings, "get_job_result", gen.get_job_result._get_kwargs(uuid.UUID(canonical))
    )
    reply = yield from _send(settings, request)
    return _parse(
        reply.response,
        "get_job_result",
        lambda d: JobResult.from_api(gen.RawJobResult.from_dict(d)),
    )


def decoded_output(outcome: WaitResult) -> Any:
    """The output of a finished job: its JSON value when it is JSON, else the raw bytes
    (``None`` when there is none)."""
    job_result = outcome.result
    if job_result is None or not job_result.output:
        return None
    try:
        return json.loads(job_result.output)
    except ValueError:
        return job_result.output


def submit_and_wait(
    settings: Settings,
    body: SubmitJobRequest,
    timeout: float | timedelta | None,
    *,
    raise_on_failure: bool,
) -> Flow[WaitResult]:
    """Submit, then wait for the job; :class:`WaitTimeoutError` when it does not finish in
    time (the error's ``outcome.job_id`` names the job, which keeps running)."""
    timeout = convert.check_seconds(timeout)
    convert.check_bool(raise_on_failure, "raise_on_failure")
    job = yield from submit(settings, body)
    return (
        yield from wait(
            settings, job.id, timeout, raise_on_timeout=True, raise_on_failure=raise_on_failure
        )
    )


def output(settings: Settings, job_id: object, timeout: float | timedelta | None) -> Flow[Any]:
    """Wait for the job and return :func:`decoded_output`; raises JobFailedError when it did
    not succeed, WaitTimeoutError when it did not finish within ``timeout``."""
    outcome = yield from wait(
        settings, job_id, timeout, raise_on_timeout=True, raise_on_failure=True
    )
    return decoded_output(outcome)


def wait(
    settings: Settings,
    job_id: object,
    timeout: float | timedelta | None,
    *,
    raise_on_timeout: bool = False,
    raise_on_failure: bool = False,
) -> Flow[WaitResult]:
    """Long-poll POST /api/v1/jobs/{id}/wait in chunks below the server's 30 s write timeout,
    until the job finishes or ``timeout`` seconds pass (``None``: no limit).

    A dropped long-poll (the server restarting, a proxy closing the connection) is retried
    with backoff until the deadline.
    """

    canonical = convert.check_job_id(job_id)
    timeout = convert.check_seconds(timeout)
    convert.check_bool(raise_on_timeout, "raise_on_timeout")
    convert.check_bool(raise_on_failure, "raise_on_failure")
    clock = settings.clock
    policy = settings.retry
    deadline = None if timeout is None else clock() + timeout
    single = attrs.evolve(policy, max_retries=0)
    path_id = uuid.UUID(canonical)
    state: JobState | None = None
    failures = 0
    failing_since = 0.0
    last_error: Exception | None = None
    first = True
    while True:
        remaining = None if deadline is None else deadline - clock()
        if remaining is not None and remaining <= 0 and not first:
            break
        first = False
        chunk = (
            settings.wait_chunk
            if remaining is None
            else max(0.0, min(remaining, settings.wait_chunk))
        )
        micros = math.ceil(chunk * 1000) * 1000  # whole milliseconds, never rounded down to 0
        body = gen.WaitRequest(timeout=convert.format_micros(micros))
        read = chunk + _WAIT_READ_MARGIN
        request = _request(
            settings,
            "wait_for_job",
            gen.wait_for_job._get_kwargs(path_id, body=body),
            timeout=httpx.Timeout(
                settings.timeout.connect,
                read=read,
                write=settings.timeout.write,
                pool=settings.timeout.pool,
            ),
        )
        try:
            reply: Reply = yield from _send(settings, request, single)
        except APIError as exc:
            # A wait changes nothing, so it repeats what a GET would (a dropped long-poll, a
            # restarting server); its budget is its own deadline, or the policy's deadline
            # for the streak of failures when it has none.
            if not policy.is_retryable(exc, method="GET"):
                raise
            if failures == 0:
                failing_since = clock()
            failures += 1
            last_error = exc
            delay = policy.backoff(min(failures, 8), rng=settings.rng)
            if deadline is not None:
                delay = min(delay, max(0.0, deadline - clock()))
            elif policy.deadline is not None and clock() - failing_since + delay > policy.deadline:
                raise
            policy.announce(
                f"POST {request.kwargs['url']} (a long-poll)",
                operation="wait_for_job",
                retry=failures,
                of="the wait's deadline" if deadline is not None else "no limit",
                delay=delay,
                error=exc,
            )
            yield Sleep(delay)
            continue
        failures = 0
        outcome = _parse(
            reply.response,
            "wait_for_job",
            lambda d: WaitResult.from_api(gen.RawWaitResponse.from_dict(d)),
        )
        state = outcome.state
        if not outcome.completed and outcome.state.is_terminal:
            # The real server answers a timeout of 0 (or a last sliver of one) with `timed_out`
            # without looking at the job; a terminal state there still means it has finished.
            outcome = yield from _finished_outcome(settings, canonical, outcome.state)
        if outcome.completed:
            if raise_on_failure and not outcome.success:
                detail = (
                    outcome.result.error
                    if outcome.result and outcome.result.error
                    else f"state {outcome.state}"
                )
                raise JobFailedError(f"job {canonical} did not succeed: {detail}", outcome=outcome)
            return outcome
    if state is None and last_error is not None:
        raise last_error
    outcome = WaitResult(
        job_id=canonical,
        state=state if state is not None else JobState.PENDING,
        completed=False,
        success=False,
        timed_out=True,
        result=None,
    )
    if raise_on_timeout:
        raise WaitTimeoutError(
            f"job {canonical} did not finish within {timeout} s (state {outcome.state})",
            outcome=outcome,
        )
    return outcome


def _finished_outcome(settings: Settings, job_id: str, state: JobState) -> Flow[WaitResult]:
    """The outcome of a job known to be in a terminal ``state``, with its result if it has one."""
    try:
        job_result: JobResult | None = yield from result(settings, job_id)
    except ResultNotReadyError:
        job_result = None  # cancelled before it ran
    return WaitResult(
        job_id=job_id,
        state=state,
        completed=True,
        success=state == JobState.COMPLETED and (job_result is None or job_result.success),
        timed_out=False,
        result=job_result,
    )


def watch(
    settings: Settings,
    job_id: object,
    *,
    timeout: float | timedelta | None = None,
    poll_interval: float = 1.0,
) -> Flow[None]:
    """Yield the job each time its state or progress changes, ending with its terminal state
    (with its result). Built on long-poll ``wait`` and ``get``, since the server's stream has no
    completion or progress events; ``wait`` is the subscription, so a finish between two reads
    is never missed.
    """
    canonical = convert.check_job_id(job_id)
    if (
        isinstance(poll_interval, bool)
        or not isinstance(poll_interval, (int, float))
        or not 0 < poll_interval <= WAIT_CHUNK_MAX
    ):
        raise ValidationError(
            f"poll_interval must be in (0, {WAIT_CHUNK_MAX}] seconds", field="poll_interval"
        )
    timeout = convert.check_seconds(timeout)
    clock = settings.clock
    deadline = None if timeout is None else clock() + timeout
    last: tuple[JobState, float, str | None, int] | None = None
    while True:
        job = yield from get(settings, canonical)
        key = (job.state, job.progress, job.progress_message, job.attempt)
        if key != last:
            last = key
            yield Emit(job)
        if job.state.is_terminal:
            return
        remaining = None if deadline is None else deadline - clock()
        if remaining is not None and remaining <= 0:
            return
        chunk = poll_interval if remaining is None else min(poll_interval, remaining)
        # Returns as soon as the job finishes, or after `chunk` to look at progress again.
        yield from wait(settings, canonical, chunk)


def cancel(
    settings: Settings, job_id: object, *, reason: str | None = None, force: bool = False
) -> Flow[Job]:
    """POST /api/v1/jobs/{id}/cancel."""

    canonical = convert.check_job_id(job_id)
    if reason is not None and not isinstance(reason, str):
        raise ValidationError(f"reason must be a str, got {type(reason).__name__}", field="reason")
    if reason is not None:
        convert.check_text(reason, "reason")
    convert.check_bool(force, "force")
    body = gen.CancelRequest(force=force)
    if reason is not None:
        body.reason = reason
    request = _request(
        settings, "cancel_job", gen.cancel_job._get_kwargs(uuid.UUID(canonical), body=body)
    )
    reply = yield from _send_recognising_own_success(settings, request, 409)
    if reply.response.status_code == 409:
        # An earlier attempt whose response was lost may have cancelled it already.
        job = yield from get(settings, canonical, include_result=False)
        if job.state == JobState.CANCELLED:
            return job
        raise status_error(reply.response, operation="cancel_job")
    return _parse(reply.response, "cancel_job", lambda d: Job.from_api(gen.RawJob.from_dict(d)))


def retry(settings: Settings, job_id: object, *, reset_attempts: bool = False) -> Flow[Job]:
    """POST /api/v1/jobs/{id}/retry."""

    canonical = convert.check_job_id(job_id)
    convert.check_bool(reset_attempts, "reset_attempts")
    body = gen.RetryRequest(reset_attempts=reset_attempts)
    request = _request(
        settings, "retry_job", gen.retry_job._get_kwargs(uuid.UUID(canonical), body=body)
    )
    # Retrying is not idempotent on the server: re-sending a retry whose response was lost
    # would run the job once more if its rerun has already failed again. So note the job's
    # state first, and before any re-send look whether it changed (the lost one was applied).
    look = _request(settings, "get_job", gen.get_job._get_kwargs(uuid.UUID(canonical)))
    before = _job_fingerprint((yield from _send(settings, look)).response)

    def recheck() -> Flow[httpx.Response | None]:
        now = (yield from _send(settings, look)).response
        return now if _job_fingerprint(now) != before else None

    reply = yield from _send_recognising_own_success(settings, request, 500, recheck=recheck)
    if reply.response.status_code == 500:
        # The server refuses to retry a job that is not failed; after a lost response that
        # means our earlier attempt already moved it on.
        job = yield from get(settings, canonical, include_result=False)
        if job.state not in (JobState.FAILED, JobState.DEAD_LETTER):
            return job
        raise status_error(reply.response, operation="retry_job")
    return _parse(reply.response, "retry_job", lambda d: Job.from_api(gen.RawJob.from_dict(d)))


def delete(settings: Settings, job_id: object) -> Flow[None]:
    """DELETE /api/v1/jobs/{id}; 204 with no body."""

    canonical = convert.check_job_id(job_id)
    request = _request(settings, "delete_job", gen.delete_job._get_kwargs(uuid.UUID(canonical)))
    reply = yield from _send_recognising_own_success(settings, request, 404)
    if reply.response.status_code not in (204, 404):
        # DELETE /api/v1 answers 200 with the API info: a 2xx that is not 204 is not a delete.
        raise UnexpectedResponseError(
            f"delete_job: expected 204, got {reply.response.status_code}", response=reply.response
        )
    return None


def _send_recognising_own_success(
    settings: Settings,
    request: Request,
    status: int,
    *,
    recheck: Callable[[], Flow[httpx.Response | None]] | None = None,
) -> Flow[Reply]:
    """Send; when a retry follows a possibly-applied attempt, hand ``status`` back to the caller
    (instead of raising) so it can check whether the first attempt did the work."""
    try:
        return (yield from _send(settings, request, recheck=recheck))
    except (ConflictError, JobNotFoundError, ServerError) as exc:
        if exc.status_code == status and exc.after_ambiguous_attempt:
            return Reply(exc.response, True)
        raise


def _job_fingerprint(response: httpx.Response) -> object:
    """What changes whenever the server touches a job (its ``updated_at``), from a raw reply."""
    try:
        body: object = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    fields: dict[str, object] = body  # pyright: ignore[reportUnknownVariableType]
    return fields.get("updated_at")


def list_jobs(
    settings: Settings, *, state: object = None, job_type: object = None
) -> Flow[list[Job]]:
    """GET /api/v1/jobs: at most 100 jobs, newest first (the server's cap; it has no paging)."""

    if state is not None and not isinstance(state, str):
        raise ValidationError(
            f"state must be a str or JobState, got {type(state).__name__}", field="state"
        )
    if state is not None:
        convert.check_text(state, "state")
    if job_type is not None:
        convert.check_job_type(job_type)
    kwargs = gen.list_jobs._get_kwargs(
        state=gen.UNSET if state is None else str(state),
        type_=gen.UNSET if job_type is None else str(job_type),
    )
    reply = yield from _send(settings, _request(settings, "list_jobs", kwargs))
    return _parse(
        reply.response,
        "list_jobs",
        lambda d: [Job.from_api(j) for j in gen.RawJobList.from_dict(d).jobs],
    )


def stats(settings: Settings) -> Flow[QueueStats]:
    """GET /api/v1/stats."""

    reply = yield from _send(settings, _request(settings, "get_stats", gen.get_stats._get_kwargs()))
    return _parse(
        reply.response, "get_stats", lambda d: QueueStats.from_api(gen.RawStats.from_dict(d))
    )


def health(settings: Settings) -> Flow[Health]:
    """GET /health; an unhealthy server's 503 is returned as a report, not raised."""

    request = _request(settings, "get_health", gen.get_health._get_kwargs())
    try:
        reply = yield from _send(settings, request, attrs.evolve(settings.retry, max_retries=0))
        response = reply.response
    except ServerError as exc:
        # Only a health report is returned; a proxy's or the error envelope's 503 is raised.
        body: object = exc.body
        if exc.status_code != 503 or not isinstance(body, dict) or "healthy" not in body:
            raise
        response = exc.response
    return _parse(response, "get_health", lambda d: Health.from_api(gen.RawHealth.from_dict(d)))


def probe(settings: Settings, operation: str) -> Flow[bool]:
    """GET /ready or /live: True when the server says so, False on its 503."""

    ready = operation == "get_ready"
    kwargs = gen.get_ready._get_kwargs() if ready else gen.get_live._get_kwargs()
    request = _request(settings, operation, kwargs)
    try:
        reply = yield from _send(settings, request, attrs.evolve(settings.retry, max_retries=0))
    except ServerError as exc:
        if exc.status_code == 503:
            return False
        raise
    if ready:
        return bool(_parse(reply.response, operation, gen.RawReady.from_dict).ready)
    return bool(_parse(reply.response, operation, gen.RawLive.from_dict).alive)
