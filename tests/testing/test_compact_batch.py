"""The embedded server's fast path for batch bodies (``parse_compact_batch``) against its exact
decoder (``decode_body`` + ``parse_submit``, which follows Go member by member).

The fast path may only answer for bodies that are exactly their compact JSON encoding with
every key spelled as a field; for those it must give the very requests the exact decoder
gives (or fail where it fails), and every other body must go to the exact decoder.
"""

from __future__ import annotations

import json
from typing import Any, Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gopherqueue.testing._app import _SUBMIT_FIELDS, parse_compact_batch, parse_submit
from gopherqueue.testing._engine import SubmitRequest
from gopherqueue.testing._wire import (
    MISSING,
    JSONObject,
    TypeMismatch,
    compact_source,
    decode_body,
    decode_compact,
)


def compact(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogateescape"
    )


def exact(body: bytes) -> tuple[list[Optional[SubmitRequest]], bool] | str:
    """What the exact decoder makes of a batch body (the reference), or "invalid"."""
    obj = decode_body(body)
    assert isinstance(obj, JSONObject)
    jobs = obj.get("jobs")
    assert isinstance(jobs, list)
    try:
        atomic = obj.get_bool("atomic")
        reqs = [None if item is None else parse_submit(item) for item in jobs]
    except TypeMismatch:
        return "invalid"
    return reqs, bool(atomic)


def fast(body: bytes) -> tuple[list[Optional[SubmitRequest]], bool] | str | None:
    try:
        return parse_compact_batch(body)
    except TypeMismatch:
        return "invalid"


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
# Field values of the right type most of the time, anything else sometimes.
field_values: dict[str, st.SearchStrategy[Any]] = {
    "type": st.sampled_from(["echo", "email.send", "", "<&>\u2028"]) | json_values,
    "payload": json_values,
    "priority": st.integers(min_value=-3, max_value=9)
    | st.sampled_from([2**63, -(2**63) - 1, 1.5, True])
    | json_values,
    "idempotency_key": st.text(max_size=20) | json_values,
    "correlation_id": st.text(max_size=20) | json_values,
    "max_attempts": st.integers(min_value=0, max_value=10) | json_values,
    "tags": st.dictionaries(st.text(max_size=5), st.text(max_size=5) | st.none(), max_size=3)
    | json_values,
    "delay": st.sampled_from(["1h", "1.5s", "-2m", "0", "", "1x", "9999999999h"]) | json_values,
    "timeout": st.sampled_from(["30s", "1ms", "bogus"]) | json_values,
    "scheduled_at": st.sampled_from(
        ["2030-01-01T10:00:00+02:00", "2026-11-28T19:12:17.000000001Z", "2026-13-01T00:00:00Z"]
    )
    | json_values,
}
items = st.none() | st.fixed_dictionaries({}, optional=field_values)
batches = st.fixed_dictionaries(
    {"jobs": st.lists(items, max_size=5)}, optional={"atomic": st.booleans()}
)


@settings(max_examples=400, deadline=None)
@given(batches)
def test_fast_path_gives_what_the_exact_decoder_gives(batch: dict[str, Any]) -> None:
    body = compact(batch)
    got = fast(body)
    assert got is not None, "a compact body with field-name keys must take the fast path"
    assert got == exact(body)


def test_fast_path_keeps_payload_bytes_and_every_field() -> None:
    body = compact(
        {
            "jobs": [
                {
                    "type": "email.send",
                    "payload": {"to": "é<x>", "n": [1, 2.5, None, True], "s": 'a"b\\c\n'},
                    "priority": 0,
                    "idempotency_key": "k-1",
                    "correlation_id": "c-1",
                    "max_attempts": 5,
                    "tags": {"b": "2", "a": None},
                    "delay": "1m30s",
                    "timeout": "2s",
                    "scheduled_at": "2030-01-01T10:00:00+02:00",
                },
                None,
                {"type": "echo", "payload": "text"},
            ],
            "atomic": True,
        }
    )
    got = parse_compact_batch(body)
    assert got is not None
    reqs, atomic = got
    assert atomic is True
    first = reqs[0]
    assert first is not None
    assert first.payload == compact({"to": "é<x>", "n": [1, 2.5, None, True], "s": 'a"b\\c\n'})
    assert (first.type, first.priority, first.idempotency_key, first.correlation_id) == (
        "email.send",
        0,
        "k-1",
        "c-1",
    )
    assert (first.max_attempts, first.tags) == (5, {"b": "2", "a": ""})
    assert (first.delay_ns, first.timeout_ns) == (90 * 10**9, 2 * 10**9)
    assert first.scheduled_at == (1_893_484_800 * 10**9, 7200)
    assert reqs[1] is None
    assert reqs[2] is not None
    assert reqs[2].payload == b'"text"'
    assert got == exact(body)


@pytest.mark.parametrize(
    "body",
    [
        b'{"jobs": [{"type":"echo"}]}',  # whitespace
        b'{"jobs":[{"type":"echo","payload":{ "a":1}}]}',  # whitespace inside a payload
        b'{"jobs":[{"type":"echo","type":"other"}]}',  # duplicate key: the last wins in Go
        b'{"jobs":[{"Type":"echo"}]}',  # matched case-insensitively in Go
        b'{"jobs":[{"type":"echo","payload":"\\u00e9"}]}',  # an escape kept verbatim
        b'{"jobs":[{"type":"echo","payload":1E5}]}',  # a number spelled another way
        b'{"jobs":[{"type":"echo","extra":1}]}',  # an unknown field
        b'{"jobs":[{"type":"echo"}]} trailing',  # Go reads the first value only
        b'{"jobs":[{"type":"echo"}],"Atomic":true}',
        b'{"jobs":null}',
        b'{"jobs":[1]}',
        b'{"jobs":[{"type":"echo"}],"atomic":null}',
        b"[]",
        b"not json",
        b'{"jobs":[{"type":"echo","payload":NaN}]}',
    ],
)
def test_every_other_body_goes_to_the_exact_decoder(body: bytes) -> None:
    assert parse_compact_batch(body) is None


def test_exact_decoder_still_applies_go_rules_to_those_bodies() -> None:
    # The fallbacks above are handled by the exact decoder, e.g. last duplicate wins and
    # keys match case-insensitively.
    got = exact(b'{"jobs":[{"type":"echo","TYPE":"other","payload":{ "a":1}}]}')
    assert not isinstance(got, str)
    (req,), _atomic = got
    assert req is not None
    assert (req.type, req.payload) == ("other", b'{ "a":1}')


def test_decode_compact_and_compact_source() -> None:
    assert decode_compact(b'{"a":[1,"x"]}') == {"a": [1, "x"]}
    assert decode_compact(b'{"a": 1}') is MISSING
    assert decode_compact(b"") is MISSING
    assert decode_compact(b'{"a":1}\n') is MISSING
    for value in [{"i": 0}, [1, 2.5, "é", None, True], 'x"y\\', 1.5, 10, None, "a\udcff"]:
        assert compact_source(value) == compact(value)
    # Invalid UTF-8 in a request (kept as surrogate escapes) comes back byte for byte.
    body = b'{"jobs":[{"type":"echo","payload":"\xff\xfe"}]}'
    got = parse_compact_batch(body)
    assert got is not None
    assert got[0][0] is not None
    assert got[0][0].payload == b'"\xff\xfe"'


def test_the_property_test_draws_every_field_the_fast_path_accepts() -> None:
    assert set(field_values) == _SUBMIT_FIELDS
