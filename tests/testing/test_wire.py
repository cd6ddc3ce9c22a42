"""Unit tests of the wire helpers: JSON like encoding/json, RFC 3339, UUIDs, body decoding."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gopherqueue.testing._wire import (
    MISSING,
    JSONObject,
    TypeMismatch,
    as_bool,
    as_int,
    as_str,
    as_str_map,
    decode_body,
    format_time,
    go_json,
    parse_rfc3339,
    parse_uuid,
)

NS = 1_000_000_000


def test_go_json_is_compact_html_escaped_and_newline_terminated() -> None:
    out = go_json({"b": "<a&b>", "a": "\u2028\u00e9", "n": [1, None, True]})
    assert out == b'{"b":"\\u003ca\\u0026b\\u003e","a":"\\u2028\xc3\xa9","n":[1,null,true]}\n'


def test_go_json_replaces_lone_surrogates() -> None:
    assert go_json("x\udcff") == '"x\ufffd"\n'.encode()


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        ("a<b", '"a\\u003cb"'),
        ("a>b", '"a\\u003eb"'),
        ("a&b", '"a\\u0026b"'),
        ("\u2029", '"\\u2029"'),
        ("\u00e9", '"\u00e9"'),
        ("plain ascii", '"plain ascii"'),
    ],
)
def test_go_json_escapes_each_html_character_alone(value: str, wire: str) -> None:
    # Each escape on its own: the encoder skips the rewrite when a body needs none.
    assert go_json({"k": value}) == ('{"k":' + wire + "}\n").encode()


def test_format_time_same_instant_at_another_offset() -> None:
    # Consecutive calls with one instant and different offsets (a batch's jobs share theirs).
    ns = 1_795_893_572_550_456_530
    assert format_time(ns, 0) == "2026-11-28T19:19:32.55045653Z"
    assert format_time(ns, 19800) == "2026-11-29T00:49:32.55045653+05:30"
    assert format_time(ns, 0) == "2026-11-28T19:19:32.55045653Z"
    assert format_time(ns + 1, 0) == "2026-11-28T19:19:32.550456531Z"


@pytest.mark.parametrize(
    ("ns", "offset", "text"),
    [
        (1_795_893_137_246_310_430, 0, "2026-11-28T19:12:17.24631043Z"),
        (1_795_893_137_000_000_000, 0, "2026-11-28T19:12:17Z"),
        (1_795_893_137_100_000_000, 0, "2026-11-28T19:12:17.1Z"),
        (1_795_893_137_000_000_001, 0, "2026-11-28T19:12:17.000000001Z"),
        (1_795_893_572_550_456_530, 19800, "2026-11-29T00:49:32.55045653+05:30"),
        (0, -3600, "1969-12-31T23:00:00-01:00"),
        (-62_135_596_800 * NS, 0, "0001-01-01T00:00:00Z"),
    ],
)
def test_format_time_matches_go_rfc3339nano(ns: int, offset: int, text: str) -> None:
    assert format_time(ns, offset) == text


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-28T19:13:27Z",
        "2030-01-01T10:00:00+02:00",
        "2026-11-28T19:12:17.24631043Z",
        "1999-12-31T23:59:59.123456789-08:30",
        "2024-02-29T00:00:00Z",
    ],
)
def test_rfc3339_round_trips_with_the_clients_offset(text: str) -> None:
    assert format_time(*parse_rfc3339(text)) == text


def test_rfc3339_value_and_offset() -> None:
    ns, offset = parse_rfc3339("2030-01-01T10:00:00+02:00")
    assert offset == 7200
    assert format_time(ns, 0) == "2030-01-01T08:00:00Z"
    assert parse_rfc3339("2026-01-01T00:00:00.1234567891Z")[0] % NS == 123456789


@pytest.mark.parametrize(
    "text",
    [
        "tomorrow",
        "2026-11-28",
        "2026-11-28 19:13:27Z",
        "2026-11-28t19:13:27Z",
        "2026-11-28T19:13:27z",
        "2026-11-28T19:13:27",
        "2026-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2026-11-28T24:00:00Z",
        "2026-11-28T19:60:00Z",
        "2026-11-28T19:13:60Z",
        "2026-11-28T19:13:27+0200",
        "2026-11-28T19:13:27+24:00",
        "2026-11-28T19:13:27.Z",
        "26-11-28T19:13:27Z",
    ],
)
def test_rfc3339_rejects_what_go_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=r"RFC 3339|range"):
        parse_rfc3339(text)


@given(st.integers(min_value=-62_135_596_800 * NS, max_value=253_402_300_799 * NS))
def test_format_then_parse_is_identity(ns: int) -> None:
    assert parse_rfc3339(format_time(ns, 0)) == (ns, 0)


CANON = "352dbf51-632b-4804-a745-35cb84795b3d"


@pytest.mark.parametrize(
    "text",
    [
        CANON,
        CANON.upper(),
        "urn:uuid:" + CANON,
        "URN:UUID:" + CANON,
        "{" + CANON + "}",
        CANON.replace("-", ""),
        CANON.replace("-", "").upper(),
    ],
)
def test_uuid_lenient_forms(text: str) -> None:
    assert parse_uuid(text) == CANON


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not-a-uuid",
        "abc/def",
        CANON[:-1],
        CANON + "0",
        "352dbf51632b-4804-a745-35cb84795b3d0",
        "{" + CANON + ")",
        "urn:uuix:" + CANON,
        CANON.replace("a", "g"),
        "352dbf51-632b-4804-a745+35cb84795b3d",
    ],
)
def test_uuid_rejects_malformed(text: str) -> None:
    assert parse_uuid(text) is None


def raw(obj: JSONObject, name: str) -> bytes | None:
    """The exact bytes of field ``name`` as sent (``None`` when absent)."""
    member = obj.fields().get(name)
    return None if member is None else obj.source_of(member)


def test_decode_keeps_payload_bytes_verbatim() -> None:
    obj = decode_body(b'{"type":"echo","payload":  { "a" :  1 } }')
    assert isinstance(obj, JSONObject)
    assert raw(obj, "payload") == b'{ "a" :  1 }'
    assert as_str(obj.get("type"), "type") == "echo"
    assert raw(obj, "missing") is None


def test_decode_payload_null_and_non_ascii() -> None:
    obj = decode_body('{"payload":null,"x":"\u00e9"}'.encode())
    assert isinstance(obj, JSONObject)
    assert raw(obj, "payload") == b"null"
    assert raw(obj, "x") == '"\u00e9"'.encode()


def test_decode_reads_only_the_first_value() -> None:
    obj = decode_body(b'  {"type":"echo"} garbage')
    assert isinstance(obj, JSONObject)
    assert as_str(obj.get("type"), "type") == "echo"
    assert decode_body(b'{"a":1}{') is not None


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        b'{"type":"echo",',
        b"{'a':1}",
        b'{"a":NaN}',
        b'{"a":-Infinity}',
        b"[1,]",
        b'{"a" 1}',
    ],
)
def test_decode_rejects_invalid_json(body: bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - json's own messages vary by Python version
        decode_body(body)


def test_fields_match_case_insensitively_and_last_wins() -> None:
    obj = decode_body(b'{"TYPE":"a","Type":"b","priority":1,"priority":7}')
    assert isinstance(obj, JSONObject)
    assert as_str(obj.get("type"), "type") == "b"
    assert as_int(obj.get("priority"), "priority") == 7
    assert obj.get("absent") is MISSING


@pytest.mark.parametrize(
    ("body", "convert"),
    [
        (b'{"priority":"high"}', as_int),
        (b'{"priority":1.5}', as_int),
        (b'{"priority":1e2}', as_int),
        (b'{"priority":true}', as_int),
        (b'{"priority":9223372036854775808}', as_int),
        (b'{"priority":{"a":1}}', as_str),
        (b'{"priority":1}', as_str),
        (b'{"priority":"x"}', as_bool),
        (b'{"priority":{"k":1}}', as_str_map),
        (b'{"priority":["a"]}', as_str_map),
    ],
)
def test_wrong_types_raise(body: bytes, convert: Callable[[Any, str], object]) -> None:
    obj = decode_body(body)
    assert isinstance(obj, JSONObject)
    with pytest.raises(TypeMismatch):
        convert(obj.get("priority"), "priority")


def test_null_fields_count_as_absent() -> None:
    obj = decode_body(b'{"a":null,"t":{"k":null,"j":"v"}}')
    assert isinstance(obj, JSONObject)
    assert as_int(obj.get("a"), "a") is None
    assert as_str(obj.get("a"), "a") is None
    assert obj.get_bool("a") is None
    assert obj.get_bool("absent") is None
    assert as_str_map(obj.get("t"), "t") == {"k": "", "j": "v"}


@settings(max_examples=40)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
        max_leaves=20,
    )
)
def test_raw_payload_is_exactly_the_sent_text(value: object) -> None:
    for text in (json.dumps(value), json.dumps(value, indent=2, ensure_ascii=False)):
        body = ('{"payload": ' + text + ' , "type":"t"}').encode()
        obj = decode_body(body)
        assert isinstance(obj, JSONObject)
        assert raw(obj, "payload") == text.encode()
