"""Argument checks and wire conversions (``_convert``): directly, and through ``submit`` on
BOTH clients, where a refused argument names its field and sends no request."""

from __future__ import annotations

import math
import re
import uuid
from collections import OrderedDict
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gopherqueue import Priority, ValidationError
from gopherqueue._convert import (
    check_job_id,
    check_job_type,
    check_max_attempts,
    check_payload,
    check_priority,
    check_scheduled_at,
    check_tags,
    format_micros,
    to_go_duration,
)
from gopherqueue._models import _decode_output as decode_output
from gopherqueue._models import _from_nanoseconds as from_nanoseconds
from tests.unit.fakes import JOB_ID, Client, FakeServer, call

_GO_UNIT_SECONDS = {
    "ns": Decimal("1e-9"),
    "us": Decimal("1e-6"),
    "µs": Decimal("1e-6"),
    "μs": Decimal("1e-6"),
    "ms": Decimal("1e-3"),
    "s": Decimal(1),
    "m": Decimal(60),
    "h": Decimal(3600),
}


def go_duration_seconds(value: str) -> float:
    """The length of a valid Go duration string in seconds (the oracle for to_go_duration)."""
    sign = -1 if value.startswith("-") else 1
    parts = re.findall(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)", value)
    return sign * float(sum(Decimal(n) * _GO_UNIT_SECONDS[u] for n, u in parts))


# ------------------------------------------------------------------------------------------
# Durations


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (timedelta(0), "0s"),
        (timedelta(microseconds=1), "1us"),
        (timedelta(microseconds=1500), "1500us"),
        (timedelta(milliseconds=1), "1ms"),
        (timedelta(milliseconds=1500), "1500ms"),
        (timedelta(seconds=1), "1s"),
        (timedelta(seconds=90), "90s"),
        (timedelta(minutes=1), "1m"),
        (timedelta(minutes=10), "10m"),
        (timedelta(minutes=90), "90m"),
        (timedelta(hours=1), "1h"),
        (timedelta(days=2), "48h"),
        (timedelta(days=1, seconds=1), "86401s"),
        (0, "0s"),
        (1, "1s"),
        (30, "30s"),
        (60, "1m"),
        (3600, "1h"),
        (0.5, "500ms"),
        (1.5, "1500ms"),
        (0.000001, "1us"),
        (0.0000004, "0s"),  # below a microsecond
        (2.0, "2s"),
        ("0", "0"),
        ("0s", "0s"),
        ("10s", "10s"),
        ("1500ms", "1500ms"),
        ("1h2m3s", "1h2m3s"),
        ("1.5h", "1.5h"),
        (".5s", ".5s"),
        ("250us", "250us"),
        ("250\u00b5s", "250\u00b5s"),
        ("10ns", "10ns"),
        ("+5s", "+5s"),
        ("-0s", "-0s"),
    ],
)
def test_to_go_duration(value: Any, wire: str) -> None:
    assert to_go_duration(value, "delay") == wire


@pytest.mark.parametrize(
    "value",
    [
        timedelta(seconds=-1),
        timedelta(microseconds=-1),
        -1,
        -0.5,
        "-1s",
        "-1h2m",
        math.nan,
        math.inf,
        -math.inf,
        "10",
        "ten seconds",
        "1d",
        "",
        " 10s",
        "10s ",
        "1h-2m",
        "s",
        "1.2.3s",
        True,
        False,
        None,
        [10],
        b"10s",
        timedelta(days=110_000),  # more than Go's ~292 years
        1e12,
    ],
)
@pytest.mark.parametrize("field", ["delay", "timeout", "jobs[3].timeout"])
def test_to_go_duration_refuses_with_the_field_named(value: Any, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        to_go_duration(value, field)
    assert info.value.field == field
    assert field in str(info.value)


_UNIT_MICROS = {"h": 3_600_000_000, "m": 60_000_000, "s": 1_000_000, "ms": 1000, "us": 1}


def exact_micros(wire: str) -> int:
    """Microseconds in a formatted "<int><unit>" duration, with integer arithmetic."""
    number = wire.rstrip("hmsu")
    assert number.isdigit(), wire
    return int(number) * _UNIT_MICROS[wire[len(number) :]]


@settings(derandomize=True)
@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=100_000)))
def test_timedelta_round_trips_through_go_strings(value: timedelta) -> None:
    wire = to_go_duration(value, "delay")
    assert exact_micros(wire) == value // timedelta(microseconds=1)
    # The server's parser reads the same length (to float precision).
    assert go_duration_seconds(wire) == pytest.approx(value.total_seconds(), rel=1e-12)


@settings(derandomize=True)
@given(st.integers(min_value=0, max_value=(2**63 - 1) // 1000))
def test_format_micros_is_exact_and_uses_the_largest_unit(micros: int) -> None:
    wire = format_micros(micros)
    assert exact_micros(wire) == micros
    unit = wire[len(wire.rstrip("hmsu")) :]
    larger = [u for u, size in _UNIT_MICROS.items() if size > _UNIT_MICROS[unit]]
    if micros:
        assert all(micros % _UNIT_MICROS[u] for u in larger), wire
    else:
        assert wire == "0s"


def test_go_duration_seconds() -> None:
    assert go_duration_seconds("1h2m3.5s") == 3723.5
    assert go_duration_seconds("1500ms") == 1.5
    assert go_duration_seconds("-2s") == -2.0


# ------------------------------------------------------------------------------------------
# Job ids


@pytest.mark.parametrize(
    "value",
    [
        JOB_ID,
        JOB_ID.upper(),
        "{" + JOB_ID + "}",
        "urn:uuid:" + JOB_ID,
        JOB_ID.replace("-", ""),
        uuid.UUID(JOB_ID),
    ],
)
def test_check_job_id_canonicalises(value: Any) -> None:
    assert check_job_id(value) == JOB_ID


@pytest.mark.parametrize(
    "value",
    [
        "",
        ".",
        "..",
        "a/b",
        "../stats",
        "not-a-uuid",
        JOB_ID + "/result",
        JOB_ID + "x",
        None,
        1,
        b"x",
    ],
)
def test_check_job_id_refuses(value: Any) -> None:
    with pytest.raises(ValidationError) as info:
        check_job_id(value)
    assert info.value.field == "job_id"


def test_check_job_id_shortens_huge_values_in_the_message() -> None:
    with pytest.raises(ValidationError) as info:
        check_job_id("x" * 10_000)
    assert len(str(info.value)) < 200


# ------------------------------------------------------------------------------------------
# Other checks


def test_check_job_type() -> None:
    assert check_job_type("echo") == "echo"
    assert check_job_type("   ") == "   "  # the server accepts it; so does the SDK
    for bad in ("", None, 5, b"echo"):
        with pytest.raises(ValidationError) as info:
            check_job_type(bad, "jobs[0].type")
        assert info.value.field == "jobs[0].type"


class _Unserialisable:
    pass


def _circular() -> list[Any]:
    loop: list[Any] = []
    loop.append(loop)
    return loop


@pytest.mark.parametrize(
    "value",
    [
        {1, 2},
        frozenset(),
        _Unserialisable(),
        math.nan,
        math.inf,
        {"x": [1, math.nan]},
        {"x": {"y": {1}}},
        b"bytes",
        datetime(2030, 1, 1, tzinfo=UTC),
        uuid.UUID(JOB_ID),
        {("a", "b"): 1},
        _circular(),
    ],
    ids=lambda v: type(v).__name__,
)
def test_check_payload_refuses_what_is_not_json(value: Any) -> None:
    with pytest.raises(ValidationError) as info:
        check_payload(value)
    assert info.value.field == "payload"


@pytest.mark.parametrize(
    "value",
    [None, 0, 1.5, "", "text", True, [], {}, {"a": [1, {"b": None}]}, OrderedDict(a=1), (1, 2)],
)
def test_check_payload_accepts_json(value: Any) -> None:
    check_payload(value)


@pytest.mark.parametrize("value", [0, 1, 2, 3, 4, Priority.CRITICAL, Priority.BULK])
def test_check_priority_accepts(value: int) -> None:
    result = check_priority(value)
    assert result == int(value)
    assert type(result) is int


@pytest.mark.parametrize("value", [-1, 5, 99, True, False, 1.0, "1", None])
def test_check_priority_refuses(value: Any) -> None:
    with pytest.raises(ValidationError) as info:
        check_priority(value)
    assert info.value.field == "priority"


@pytest.mark.parametrize("value", [0, -1, True, 1.5, "3", None])
def test_check_max_attempts_refuses(value: Any) -> None:
    with pytest.raises(ValidationError) as info:
        check_max_attempts(value)
    assert info.value.field == "max_attempts"


def test_check_max_attempts_accepts() -> None:
    assert check_max_attempts(1) == 1
    assert check_max_attempts(10) == 10


class _NoOffset(tzinfo):
    def utcoffset(self, dt: datetime | None) -> None:
        return None


@pytest.mark.parametrize(
    "value",
    [
        datetime(2030, 1, 1, 10, 0),
        datetime(2030, 1, 1, 10, 0, tzinfo=_NoOffset()),
        date(2030, 1, 1),
        "2030-01-01T10:00:00Z",
        1893492000,
    ],
    ids=["naive", "tzinfo without offset", "date", "string", "timestamp"],
)
def test_check_scheduled_at_refuses(value: Any) -> None:
    with pytest.raises(ValidationError) as info:
        check_scheduled_at(value)
    assert info.value.field == "scheduled_at"


def test_check_scheduled_at_accepts_aware() -> None:
    when = datetime(2030, 1, 1, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    assert check_scheduled_at(when) is when


@pytest.mark.parametrize("value", [{"a": 1}, {1: "a"}, {"a": None}, ["a", "b"], "a=b", {"a": b"b"}])
def test_check_tags_refuses(value: Any) -> None:
    with pytest.raises(ValidationError) as info:
        check_tags(value)
    assert info.value.field == "tags"


def test_check_tags_copies_a_mapping() -> None:
    source = OrderedDict(env="prod")
    tags = check_tags(source)
    assert tags == {"env": "prod"}
    assert type(tags) is dict


@pytest.mark.parametrize(
    ("nanoseconds", "expected"),
    [
        (0, timedelta(0)),
        (999, timedelta(0)),
        (1000, timedelta(microseconds=1)),
        (289803, timedelta(microseconds=289)),
        (5004520040, timedelta(seconds=5, microseconds=4520)),
        (2**63 - 1, timedelta(microseconds=(2**63 - 1) // 1000)),
    ],
)
def test_from_nanoseconds(nanoseconds: int, expected: timedelta) -> None:
    assert from_nanoseconds(nanoseconds) == expected


def test_decode_output() -> None:
    assert decode_output("eyJoZWxsbyI6IndvcmxkIiwibiI6MX0=") == b'{"hello":"world","n":1}'
    assert decode_output("") == b""
    for bad in ("%%%", "abc", "eyJ=x"):
        with pytest.raises(ValueError, match="base64"):
            decode_output(bad)


# ------------------------------------------------------------------------------------------
# Through submit on both clients: refused before any request, the field named

SUBMIT_REFUSALS: list[tuple[tuple[Any, ...], dict[str, Any], str]] = [
    (("",), {}, "job_type"),
    ((None,), {}, "job_type"),
    ((5,), {}, "job_type"),
    (("echo", {1, 2}), {}, "payload"),
    (("echo", {"x": math.nan}), {}, "payload"),
    (("echo", object()), {}, "payload"),
    (("echo",), {"priority": 5}, "priority"),
    (("echo",), {"priority": -1}, "priority"),
    (("echo",), {"priority": True}, "priority"),
    (("echo",), {"priority": "high"}, "priority"),
    (("echo",), {"delay": -1}, "delay"),
    (("echo",), {"delay": "soon"}, "delay"),
    (("echo",), {"delay": math.nan}, "delay"),
    (("echo",), {"delay": timedelta(seconds=-5)}, "delay"),
    (("echo",), {"timeout": "-1s"}, "timeout"),
    (("echo",), {"timeout": math.inf}, "timeout"),
    (("echo",), {"timeout": True}, "timeout"),
    (("echo",), {"scheduled_at": datetime(2030, 1, 1)}, "scheduled_at"),
    (("echo",), {"scheduled_at": "2030-01-01T00:00:00Z"}, "scheduled_at"),
    (("echo",), {"max_attempts": 0}, "max_attempts"),
    (("echo",), {"max_attempts": True}, "max_attempts"),
    (("echo",), {"tags": {"a": 1}}, "tags"),
    (("echo",), {"tags": {1: "a"}}, "tags"),
    (("echo",), {"tags": ["a"]}, "tags"),
    (("echo",), {"idempotency_key": ""}, "idempotency_key"),
    (("echo",), {"idempotency_key": 5}, "idempotency_key"),
    (("echo",), {"correlation_id": ""}, "correlation_id"),
]


@pytest.mark.parametrize(("args", "kwargs", "field"), SUBMIT_REFUSALS)
async def test_submit_refuses_bad_arguments_before_any_request(
    gq: Client, server: FakeServer, args: tuple[Any, ...], kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        await call(gq, "submit", *args, **kwargs)
    assert info.value.field == field
    assert server.sent == []
