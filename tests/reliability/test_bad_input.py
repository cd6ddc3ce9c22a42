"""Bad input is refused with a ValidationError naming the field, before any request.

The transport fails the test if it is called at all. Then a property test drives every public
operation of both clients with arbitrary arguments: only GopherQueueError subclasses may
escape, and whenever a ValidationError is raised nothing was sent.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gopherqueue import (
    BadRequestError,
    GopherQueueError,
    JobSpec,
    JobState,
    Priority,
    RetryPolicy,
    ValidationError,
)
from tests.reliability.mock import JOB_ID, Recorder, invoke


def refuse(request: httpx.Request) -> httpx.Response:
    pytest.fail(f"bad input reached the network: {request.method} {request.url}")


NAIVE = datetime(2030, 1, 1, 10, 0, 0)
BAD_IDS: list[Any] = [
    "not-a-uuid",
    "..",
    "../stats",
    f"{JOB_ID}/result",
    "",
    " ",
    JOB_ID[:-1],
    JOB_ID + "0",
    123,
    None,
    b"5e1b47c8293041e89181200d59659ff0",
    ["x"],
]

# (method, args, kwargs, the field the error must name)
CASES: list[tuple[str, tuple[Any, ...], dict[str, Any], str]] = []
for bad in BAD_IDS:
    for op in ("get", "result", "wait", "cancel", "retry", "delete", "watch"):
        CASES.append((op, (bad,), {}, "job_id"))
    if bad is not None:
        CASES.append(("events", (), {"job_id": bad}, "job_id"))
for bad_type in ["", 0, None, b"echo", ["echo"], {"t": 1}]:
    CASES.append(("submit", (bad_type,), {}, "job_type"))
    CASES.append(("submit_batch", ([{"type": bad_type}],), {}, "jobs[0].type"))
    if bad_type is not None:
        CASES.append(("list", (), {"job_type": bad_type}, "job_type"))
CASES.append(("submit_batch", ([{"payload": 1}],), {}, "jobs[0].type"))

_loop: list[Any] = []
_loop.append(_loop)
for bad_payload in [
    {1, 2},
    object(),
    math.nan,
    math.inf,
    -math.inf,
    {"a": [1, {"b": math.nan}]},
    b"bytes",
    Decimal("1.5"),
    {1j: 1},
    _loop,
]:
    CASES.append(("submit", ("echo", bad_payload), {}, "payload"))
    CASES.append(
        ("submit_batch", ([{"type": "echo", "payload": bad_payload}],), {}, "jobs[0].payload")
    )
for bad_priority in [-1, 5, 99, 10**100, "1", 1.0, True, None.__class__]:
    CASES.append(("submit", ("echo",), {"priority": bad_priority}, "priority"))
    CASES.append(
        ("submit_batch", ([JobSpec(type="echo", priority=bad_priority)],), {}, "jobs[0].priority")
    )
for name in ("delay", "timeout"):
    for bad_duration in [
        -1,
        -0.001,
        "-1s",
        "-1.5h",
        "10 minutes",
        "10",
        "1d",
        "",
        "s",
        timedelta(seconds=-1),
        math.nan,
        math.inf,
        10**30,
        [1],
        True,
    ]:
        CASES.append(("submit", ("echo",), {name: bad_duration}, name))
        CASES.append(
            ("submit_batch", ([{"type": "echo", name: bad_duration}],), {}, f"jobs[0].{name}")
        )
for bad_when in [NAIVE, "2030-01-01T10:00:00Z", 1893456000, datetime(2030, 1, 1).date()]:
    CASES.append(("submit", ("echo",), {"scheduled_at": bad_when}, "scheduled_at"))
    CASES.append(
        (
            "submit_batch",
            ([{"type": "echo", "scheduled_at": bad_when}],),
            {},
            "jobs[0].scheduled_at",
        )
    )
for bad_attempts in [0, -1, "3", 1.5, True]:
    CASES.append(("submit", ("echo",), {"max_attempts": bad_attempts}, "max_attempts"))
for bad_tags in [{1: "a"}, {"a": 1}, {"a": None}, {None: "a"}, {"a": b"b"}, ["a"], "a=b"]:
    CASES.append(("submit", ("echo",), {"tags": bad_tags}, "tags"))
    CASES.append(("submit_batch", ([{"type": "echo", "tags": bad_tags}],), {}, "jobs[0].tags"))
for name in ("idempotency_key", "correlation_id"):
    for bad_key in ["", 5, b"k"]:
        CASES.append(("submit", ("echo",), {name: bad_key}, name))
# Text with a lone surrogate (what bytes.decode(errors="surrogateescape") makes of invalid
# UTF-8) has no UTF-8 form: it must be refused by name, never escape as UnicodeEncodeError.
LONE = "ok\udcff"
CASES += [
    ("submit", (LONE,), {}, "job_type"),
    ("submit", ("echo", LONE), {}, "payload"),
    ("submit", ("echo", {"nested": [LONE]}), {}, "payload"),
    ("submit", ("echo", {LONE: 1}), {}, "payload"),
    ("submit", ("echo",), {"tags": {"k": LONE}}, "tags"),
    ("submit", ("echo",), {"tags": {LONE: "v"}}, "tags"),
    ("submit", ("echo",), {"idempotency_key": LONE}, "idempotency_key"),
    ("submit", ("echo",), {"correlation_id": LONE}, "correlation_id"),
    ("submit_batch", ([{"type": LONE}],), {}, "jobs[0].type"),
    (
        "submit_batch",
        ([{"type": "echo"}, {"type": "echo", "payload": LONE}],),
        {},
        "jobs[1].payload",
    ),
    ("submit_batch", ([{"type": "echo", "correlation_id": LONE}],), {}, "jobs[0].correlation_id"),
    ("cancel", (JOB_ID,), {"reason": LONE}, "reason"),
    ("list", (), {"state": LONE}, "state"),
    ("list", (), {"job_type": LONE}, "job_type"),
]
CASES += [
    ("submit_batch", ([{"type": "echo"}] * 1001,), {"atomic": True}, "jobs"),
    ("submit_batch", ([],), {}, "jobs"),
    ("submit_batch", ("echo",), {}, "jobs"),
    ("submit_batch", ({"type": "echo"},), {}, "jobs"),
    ("submit_batch", ([{"type": "echo"}],), {"atomic": "yes"}, "atomic"),
    ("submit_batch", ([{"type": "echo", "prio": 1}],), {}, "jobs[0].prio"),
    ("submit_batch", ([{"type": "echo"}, "echo"],), {}, "jobs[1]"),
    (
        "submit_batch",
        ([{"type": "echo"}, {"type": "echo", "priority": 9}],),
        {},
        "jobs[1].priority",
    ),
    ("wait", (JOB_ID,), {"timeout": -1}, "timeout"),
    ("wait", (JOB_ID,), {"timeout": math.nan}, "timeout"),
    ("wait", (JOB_ID,), {"timeout": "10s"}, "timeout"),
    ("watch", (JOB_ID,), {"poll_interval": 0}, "poll_interval"),
    ("watch", (JOB_ID,), {"timeout": -1}, "timeout"),
    ("cancel", (JOB_ID,), {"reason": 5}, "reason"),
    ("cancel", (JOB_ID,), {"force": "yes"}, "force"),
    ("retry", (JOB_ID,), {"reset_attempts": 1}, "reset_attempts"),
    ("list", (), {"state": 5}, "state"),
    ("events", (), {"job_types": "echo"}, "job_types"),
    ("events", (), {"event_types": [""]}, "event_types"),
    ("events", (), {"max_reconnects": -1}, "max_reconnects"),
]
# One rule for every flag and every wait-style timeout (issue 12 item 12): a flag is a bool,
# never read by truthiness ("no" is true); watch's timeout is checked like wait's.
CASES += [
    ("get", (JOB_ID,), {"include_result": "no"}, "include_result"),
    ("wait", (JOB_ID,), {"raise_on_timeout": "no"}, "raise_on_timeout"),
    ("wait", (JOB_ID,), {"raise_on_failure": 0}, "raise_on_failure"),
    ("submit_and_wait", ("echo",), {"raise_on_failure": "no"}, "raise_on_failure"),
    ("wait_all", ([JOB_ID],), {"raise_on_failure": "no"}, "raise_on_failure"),
    ("cancel", (JOB_ID,), {"force": "no"}, "force"),
    ("retry", (JOB_ID,), {"reset_attempts": "no"}, "reset_attempts"),
    ("submit_batch", ([{"type": "echo"}],), {"atomic": "no"}, "atomic"),
    ("watch", (JOB_ID,), {"timeout": math.nan}, "timeout"),
    ("watch", (JOB_ID,), {"timeout": math.inf}, "timeout"),
    ("watch", (JOB_ID,), {"timeout": "10s"}, "timeout"),
    ("submit_and_wait", ("echo",), {"timeout": math.nan}, "timeout"),
]


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "field"),
    CASES,
    ids=[f"{m}-{f}-{i}" for i, (m, _, _, f) in enumerate(CASES)],
)
def test_bad_input_refused_before_any_request(
    kind: str, method: str, args: tuple[Any, ...], kwargs: dict[str, Any], field: str
) -> None:
    recorder = Recorder(refuse)
    with pytest.raises(ValidationError) as info:
        invoke(kind, recorder, method, args, kwargs)
    assert info.value.field == field, str(info.value)
    assert field.split(".")[-1].split("[")[0] in str(info.value)
    assert recorder.requests == []


CLIENT_CASES: list[tuple[dict[str, Any], str]] = [
    ({"url": "ftp://x"}, "url"),
    ({"url": "http://x/?q=1"}, "url"),
    ({"url": "http://user:pw@x"}, "url"),
    ({"url": 5}, "url"),
    ({"api_key": ""}, "api_key"),
    ({"api_key": 5}, "api_key"),
    ({"timeout": -1}, "timeout"),
    ({"timeout": "5"}, "timeout"),
    ({"max_retries": -1}, "max_retries"),
    ({"max_retries": 1.5}, "max_retries"),
    ({"retry": {"max_retries": 1}}, "retry"),
    ({"headers": {"X-A": 1}}, "headers"),
    ({"headers": ["X-A"]}, "headers"),
    ({"headers": "X-A"}, "headers"),
    ({"headers": {"X-A": "caf\u00e9"}}, "headers"),
    ({"headers": {"X-A": "a\r\nX-Injected: 1"}}, "headers"),
    ({"headers": {"bad name": "x"}}, "headers"),
    ({"api_key": "\u043a\u043b\u044e\u0447"}, "api_key"),
    ({"api_key": "key\r\nX-Injected: 1"}, "api_key"),
    ({"wait_chunk": 30}, "wait_chunk"),
    ({"wait_chunk": 0}, "wait_chunk"),
    ({"auto_idempotency_key": "no"}, "auto_idempotency_key"),
]


@pytest.mark.parametrize(("client_kwargs", "field"), CLIENT_CASES)
def test_bad_client_options_refused(kind: str, client_kwargs: dict[str, Any], field: str) -> None:
    recorder = Recorder(refuse)
    with pytest.raises(ValidationError) as info:
        invoke(kind, recorder, "stats", client_kwargs=client_kwargs)
    assert info.value.field == field
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"timeout": 0}, "timeout"),
        ({"max_retries": -2}, "max_retries"),
        ({"retry": 3}, "retry"),
        ({"wait_chunk": 29}, "wait_chunk"),
        ({"wait_chunk": []}, "wait_chunk"),
        ({"headers": {"X-A": None}}, "headers"),
        ({"headers": {"X-A": "\u00e9"}}, "headers"),
        ({"headers": "ab"}, "headers"),
    ],
)
def test_bad_with_options_refused(kind: str, options: dict[str, Any], field: str) -> None:
    recorder = Recorder(refuse)
    with pytest.raises(ValidationError) as info:
        invoke(kind, recorder, "stats", options=options)
    assert info.value.field == field
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": "2"}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
        ({"backoff_base": -0.1}, "backoff_base"),
        ({"backoff_base": math.nan}, "backoff_base"),
        ({"backoff_max": math.inf}, "backoff_max"),
        ({"retry_after_max": "30"}, "retry_after_max"),
        ({"deadline": "10"}, "deadline"),
        ({"deadline": -1}, "deadline"),
        ({"on_retry": 5}, "on_retry"),
    ],
)
def test_bad_retry_policy_refused_when_made(kwargs: dict[str, Any], field: str) -> None:
    """Not when a retry first uses it (a deadline of "10" used to raise TypeError mid-call)."""
    with pytest.raises(ValidationError) as info:
        RetryPolicy(**kwargs)
    assert info.value.field == field


def test_valid_input_does_reach_the_server(kind: str) -> None:
    """The refusals above are not a transport that never sends: good input goes out."""
    recorder = Recorder()
    invoke(
        kind,
        recorder,
        "submit",
        ("echo", {"n": [1, 2.5, None, True, "x"]}),
        {
            "priority": Priority.HIGH,
            "delay": timedelta(milliseconds=1500),
            "timeout": "1h2m",
            "scheduled_at": datetime(2030, 1, 1, 10, tzinfo=timezone(timedelta(hours=2))),
            "max_attempts": 1,
            "tags": {"k": "v"},
        },
    )
    assert len(recorder.requests) == 1


@pytest.mark.parametrize(
    ("method", "args", "make_kwargs"),
    [
        # watch takes a timedelta, as wait does.
        ("watch", (JOB_ID,), lambda: {"timeout": timedelta(seconds=5)}),
        ("wait", (JOB_ID,), lambda: {"timeout": timedelta(seconds=5)}),
        # job_types is typed Iterable[str]: a generator is one (made anew for each run).
        ("events", (), lambda: {"job_types": (name for name in ["echo"])}),
        ("events", (), lambda: {"event_types": iter(["job.created"])}),
    ],
    ids=["watch-timedelta", "wait-timedelta", "events-job-types-generator", "events-event-iter"],
)
def test_what_one_operation_accepts_its_siblings_accept(
    kind: str, method: str, args: tuple[Any, ...], make_kwargs: Callable[[], dict[str, Any]]
) -> None:
    recorder = Recorder()
    invoke(kind, recorder, method, args, make_kwargs(), max_items=1)
    assert recorder.requests


# ------------------------------------------------------------------------------------------
# Arbitrary arguments


_WEIRD_STRINGS = [
    "",
    " ",
    "..",
    "../stats",
    "a/b",
    "%2e%2e",
    "\x00",
    "\r\nX-Injected: 1",
    "💥",
    "é",
    "-1s",
    "10m",
    "0",
    "NaN",
    "null",
    "1e999",
    JOB_ID,
    JOB_ID.upper(),
    "{" + JOB_ID + "}",
    "urn:uuid:" + JOB_ID,
    JOB_ID.replace("-", ""),
    "x" * 5000,
]


def any_text(min_size: int = 0, max_size: int | None = None) -> st.SearchStrategy[str]:
    """Text that often holds lone surrogates (hypothesis leaves them out by default)."""
    return st.one_of(
        st.text(st.characters(exclude_categories=()), min_size=min_size, max_size=max_size),
        st.text(st.sampled_from("a\u00e9\udcff\ud800"), min_size=min_size, max_size=max_size),
    )


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**200), max_value=2**200),
    st.sampled_from([2**63, 2**64, -(2**63) - 1, 10**400]),
    st.floats(),
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 5e-324, 1e308]),
    any_text(max_size=20),
    st.sampled_from(_WEIRD_STRINGS),
    st.binary(max_size=20),
    st.uuids(),
    st.uuids().map(str),
    st.datetimes(),
    st.datetimes(timezones=st.just(timezone(timedelta(hours=5, minutes=30)))),
    st.timedeltas(),
    st.decimals(),
    st.complex_numbers(),
    st.sampled_from(list(JobState) + list(Priority)),
    st.builds(object),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.tuples(children, children),
        st.dictionaries(
            st.one_of(any_text(max_size=5), st.integers(), st.none()), children, max_size=4
        ),
        st.frozensets(st.one_of(st.integers(), any_text(max_size=5)), max_size=3),
    ),
    max_leaves=8,
)


def _valid_or(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, values)


job_ids = _valid_or(st.one_of(st.uuids(), st.uuids().map(str)))
job_types = _valid_or(any_text(min_size=1, max_size=10))
payloads = _valid_or(
    st.recursive(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.floats(allow_nan=False, allow_infinity=False),
            any_text(),
        ),
        lambda c: st.one_of(
            st.lists(c, max_size=3), st.dictionaries(any_text(max_size=5), c, max_size=3)
        ),
        max_leaves=6,
    )
)
durations = _valid_or(
    st.one_of(
        st.integers(0, 10**6),
        st.floats(0, 1e6),
        st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=1000)),
        st.sampled_from(["10s", "1500ms", "1h2m", "0", "1.5us", "-0s"]),
    )
)
submit_options = st.fixed_dictionaries(
    {},
    optional={
        "priority": _valid_or(st.integers(0, 4)),
        "delay": durations,
        "timeout": durations,
        "scheduled_at": _valid_or(st.datetimes(timezones=st.just(UTC))),
        "max_attempts": _valid_or(st.integers(1, 10)),
        "idempotency_key": _valid_or(any_text(min_size=1, max_size=10)),
        "correlation_id": _valid_or(any_text(min_size=1, max_size=10)),
        "tags": _valid_or(st.dictionaries(any_text(max_size=5), any_text(max_size=5), max_size=3)),
    },
)
batch_items = st.one_of(
    values,
    st.builds(lambda t, p, o: {"type": t, "payload": p, **o}, job_types, payloads, submit_options),
    st.builds(lambda t, o: JobSpec(type=t, **o), job_types, submit_options),
)
bools = _valid_or(st.booleans())
seconds = _valid_or(st.one_of(st.none(), st.floats(0, 5), st.integers(0, 5)))
names = _valid_or(st.lists(st.sampled_from(["echo", "job.created", "connected", "x"]), max_size=3))

operations = st.one_of(
    st.tuples(st.just("submit"), st.tuples(job_types, payloads), submit_options),
    st.tuples(
        st.just("submit_batch"),
        st.tuples(_valid_or(st.lists(batch_items, max_size=4))),
        st.fixed_dictionaries({}, optional={"atomic": bools}),
    ),
    st.tuples(
        st.just("get"),
        st.tuples(job_ids),
        st.fixed_dictionaries({}, optional={"include_result": bools}),
    ),
    st.tuples(st.just("result"), st.tuples(job_ids), st.just({})),
    st.tuples(
        st.just("wait"),
        st.tuples(job_ids),
        st.fixed_dictionaries(
            {}, optional={"timeout": seconds, "raise_on_timeout": bools, "raise_on_failure": bools}
        ),
    ),
    st.tuples(
        st.just("cancel"),
        st.tuples(job_ids),
        st.fixed_dictionaries({}, optional={"reason": _valid_or(any_text()), "force": bools}),
    ),
    st.tuples(
        st.just("retry"),
        st.tuples(job_ids),
        st.fixed_dictionaries({}, optional={"reset_attempts": bools}),
    ),
    st.tuples(st.just("delete"), st.tuples(job_ids), st.just({})),
    st.tuples(
        st.just("list"),
        st.just(()),
        st.fixed_dictionaries(
            {},
            optional={
                "state": _valid_or(st.sampled_from([*list(JobState), "pending", "bogus"])),
                "job_type": job_types,
            },
        ),
    ),
    st.tuples(st.sampled_from(["stats", "health", "ready", "live"]), st.just(()), st.just({})),
    st.tuples(
        st.just("events"),
        st.just(()),
        st.fixed_dictionaries(
            {},
            optional={
                "job_id": job_ids,
                "job_types": names,
                "event_types": names,
                "max_reconnects": _valid_or(st.integers(0, 3)),
            },
        ),
    ),
    st.tuples(
        st.just("watch"),
        st.tuples(job_ids),
        st.fixed_dictionaries(
            {}, optional={"timeout": seconds, "poll_interval": _valid_or(st.floats(0.01, 1))}
        ),
    ),
)
client_options = st.fixed_dictionaries(
    {},
    optional={
        "api_key": _valid_or(any_text(min_size=1, max_size=10)),
        "timeout": _valid_or(st.floats(0.1, 60)),
        "max_retries": _valid_or(st.integers(0, 3)),
        "retry": _valid_or(
            st.builds(RetryPolicy, max_retries=st.integers(0, 2), backoff_base=st.just(0.0))
        ),
        "headers": _valid_or(
            st.dictionaries(any_text(max_size=5), any_text(max_size=5), max_size=2)
        ),
        "wait_chunk": _valid_or(st.floats(0.01, 28)),
        "auto_idempotency_key": values,
    },
)
with_options = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {},
        optional={
            "timeout": _valid_or(st.floats(0.1, 60)),
            "max_retries": _valid_or(st.integers(0, 3)),
            "headers": _valid_or(
                st.dictionaries(any_text(max_size=5), any_text(max_size=5), max_size=2)
            ),
            "wait_chunk": _valid_or(st.floats(0.01, 28)),
        },
    ),
)


@pytest.mark.parametrize("kind", ["sync", "async"])
@settings(
    max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(op=operations, client_kwargs=client_options, options=with_options)
def test_arbitrary_arguments_only_raise_sdk_errors(
    kind: str,
    op: tuple[str, tuple[Any, ...], dict[str, Any]],
    client_kwargs: dict[str, Any],
    options: dict[str, Any] | None,
) -> None:
    method, args, kwargs = op
    recorder = Recorder()
    client_kwargs.setdefault("retry", RetryPolicy(max_retries=0, backoff_base=0.0))
    refused: ValidationError | None = None
    try:
        invoke(kind, recorder, method, args, kwargs, client_kwargs=client_kwargs, options=options)
    except ValidationError as exc:
        refused = exc
    except GopherQueueError:
        pass
    if refused is not None:
        assert not isinstance(refused, BadRequestError)  # the canned server never answers 400
        assert recorder.requests == [], f"{method} sent a request and then refused its input"
        assert refused.field, "a ValidationError must name its field"


def test_uuid_objects_and_odd_uuid_spellings_are_accepted(kind: str) -> None:
    recorder = Recorder()
    spellings = [
        uuid.UUID(JOB_ID),
        JOB_ID.upper(),
        "{" + JOB_ID + "}",
        "urn:uuid:" + JOB_ID,
        JOB_ID.replace("-", ""),
    ]
    for spelling in spellings:
        invoke(kind, recorder, "get", (spelling,), {"include_result": False})
    assert [r.url.path for r in recorder.requests] == [f"/api/v1/jobs/{JOB_ID}"] * len(spellings)
