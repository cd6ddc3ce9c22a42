"""Tests for the Server-Sent Events decoder, ``gopherqueue._sse``.

Three layers: example tests, one per rule of the WHATWG "event stream interpretation"; property
tests (round trips through the test encoder, any chunking equals one chunk, agreement with a
literal transcription of the spec); and the SSE streams recorded from the real server.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gopherqueue import GopherQueueError, ResponseTooLargeError
from gopherqueue._sse import ServerSentEvent, SSEDecoder
from tests.captures import load_sse, sse_capture_names
from tests.unit.sse_encoding import EncodedEvent, encode, event_lines, expected_events, join_lines

EventTuple = tuple[str, str, Optional[str], Optional[int]]


def as_tuples(events: Iterable[ServerSentEvent]) -> list[EventTuple]:
    return [(e.event, e.data, e.id, e.retry) for e in events]


def decode(chunks: Iterable[bytes], decoder: Optional[SSEDecoder] = None) -> list[ServerSentEvent]:
    d = decoder if decoder is not None else SSEDecoder()
    out: list[ServerSentEvent] = []
    for chunk in chunks:
        out += d.feed(chunk)
    out += d.close()
    return out


def decode_one(stream: bytes) -> list[EventTuple]:
    return as_tuples(decode([stream]))


def split_at(data: bytes, cuts: Iterable[int]) -> list[bytes]:
    points = sorted({c for c in cuts if 0 < c < len(data)})
    bounds = [0, *points, len(data)]
    return [data[bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1)]


def bytewise(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


# ---------------------------------------------------------------------------------------------
# Reference: the spec's algorithm transcribed literally (string buffers, one line at a time).
# Deliberately naive and independent of the decoder's list-based fast path.

_EOL = re.compile(r"\r\n|\r|\n")


def reference_decode(stream: bytes) -> tuple[list[EventTuple], str, Optional[int]]:
    text = stream.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    pieces = _EOL.split(text)
    lines = pieces[:-1]  # the last piece is not terminated by an end of line: discarded
    events: list[EventTuple] = []
    data_buf = event_buf = id_buf = last_id = ""
    reconnection: Optional[int] = None
    block_retry: Optional[int] = None
    for line in lines:
        if line == "":
            last_id = id_buf
            if data_buf == "":
                event_buf = ""
                block_retry = None
                continue
            if data_buf.endswith("\n"):
                data_buf = data_buf[:-1]
            events.append((event_buf or "message", data_buf, last_id or None, block_retry))
            data_buf = event_buf = ""
            block_retry = None
            continue
        if line.startswith(":"):
            continue
        if ":" in line:
            field, value = line.split(":", 1)
            if value.startswith(" "):
                value = value[1:]
        else:
            field, value = line, ""
        if field == "event":
            event_buf = value
        elif field == "data":
            data_buf += value + "\n"
        elif field == "id":
            if "\0" not in value:
                id_buf = value
        elif field == "retry" and value and all(c in "0123456789" for c in value):
            reconnection = block_retry = int(value)
    return events, last_id, reconnection


# ---------------------------------------------------------------------------------------------
# Example tests, one rule each


def test_basic_event_and_defaults() -> None:
    assert decode_one(b"data: hello\n\n") == [("message", "hello", None, None)]
    ev = decode([b"event: job.created\ndata: {}\nid: 7\nretry: 10\n\n"])[0]
    assert ev == ServerSentEvent("job.created", "{}", "7", 10)
    assert ServerSentEvent() == ServerSentEvent("message", "", None, None)


def test_one_leading_space_stripped_only() -> None:
    stream = b"data:  two\n\ndata:none\n\ndata:\tx\n\nevent:  e\ndata: y\n\nid:  i\ndata: z\n\n"
    assert decode_one(stream) == [
        ("message", " two", None, None),
        ("message", "none", None, None),
        ("message", "\tx", None, None),
        (" e", "y", None, None),
        ("message", "z", " i", None),
    ]
    # Trailing spaces are kept too.
    assert decode_one(b"data: a \n\n") == [("message", "a ", None, None)]


def test_field_split_at_first_colon() -> None:
    assert decode_one(b"data: a: b:c\n\n") == [("message", "a: b:c", None, None)]
    assert decode_one(b"event:x:y\ndata:\n\n") == [("x:y", "", None, None)]


def test_field_without_colon_has_empty_value() -> None:
    assert decode_one(b"data\n\n") == [("message", "", None, None)]
    # "event" alone sets an empty type, which dispatches as "message".
    assert decode_one(b"event: x\nevent\ndata: d\n\n") == [("message", "d", None, None)]
    # "id" alone sets the last event ID to the empty string.
    d = SSEDecoder()
    assert as_tuples(d.feed(b"id: 1\ndata: a\n\nid\ndata: b\n\n")) == [
        ("message", "a", "1", None),
        ("message", "b", None, None),
    ]
    assert d.last_event_id == ""


def test_data_alone_yields_empty_data() -> None:
    assert decode_one(b"data\n\n") == [("message", "", None, None)]
    assert decode_one(b"data:\n\n") == [("message", "", None, None)]
    assert decode_one(b"data: \n\n") == [("message", "", None, None)]


def test_multiline_data_and_single_trailing_newline_removed() -> None:
    assert decode_one(b"data: a\ndata: b\n\n") == [("message", "a\nb", None, None)]
    assert decode_one(b"data: a\ndata\n\n") == [("message", "a\n", None, None)]
    assert decode_one(b"data\ndata\n\n") == [("message", "\n", None, None)]
    assert decode_one(b"data: a\n: c\ndata: b\n\n") == [("message", "a\nb", None, None)]


def test_comments_ignored() -> None:
    stream = b": hello\n:\ndata: a\n: inside\n\n: keepalive\n\n"
    assert decode_one(stream) == [("message", "a", None, None)]
    assert decode_one(b":data: x\n\n") == []


def test_unknown_fields_ignored_and_names_case_sensitive() -> None:
    stream = b"foo: bar\nData: X\nEVENT: Y\ndata: a\nID: 9\nRetry: 5\n\n"
    d = SSEDecoder()
    assert as_tuples(decode([stream], d)) == [("message", "a", None, None)]
    assert d.retry is None
    # Field names are matched exactly, including the one-space rule not applying to names.
    assert decode_one(b" data: a\n\ndata : b\n\n") == []


def test_retry_only_when_all_ascii_digits() -> None:
    d = SSEDecoder()
    # Written as "retry:<value>", so "  1" leaves " 1" after the one-space strip.
    bad = ["12a", "-1", "+1", "1.5", "", "  1", "1 ", "\u0661\u0662", "\uff11", "\u00b2", "0x10"]
    for value in bad:
        out = d.feed(f"retry:{value}\ndata: x\n\n".encode())
        assert as_tuples(out) == [("message", "x", None, None)], value
        assert d.retry is None, value
    out = d.feed(b"retry: 3000\ndata: y\n\n")
    assert as_tuples(out) == [("message", "y", None, 3000)]
    assert d.retry == 3000
    # retry belongs to its block only, but the decoder remembers the last value.
    assert as_tuples(d.feed(b"data: z\n\n")) == [("message", "z", None, None)]
    assert d.retry == 3000
    # A leading zero is still all digits.
    assert as_tuples(d.feed(b"retry: 007\ndata: w\n\n")) == [("message", "w", None, 7)]
    # A retry in a block without data still sets the reconnection time.
    assert d.feed(b"retry: 5\n\n") == []
    assert d.retry == 5


def test_retry_beyond_int_conversion_limit_is_ignored() -> None:
    d = SSEDecoder()
    out = d.feed(b"retry: " + b"9" * 10_000 + b"\ndata: x\n\n")
    assert as_tuples(out) == [("message", "x", None, None)]
    assert d.retry is None


def test_no_dispatch_for_empty_data_buffer() -> None:
    d = SSEDecoder()
    assert d.feed(b"event: x\n\n") == []
    assert d.feed(b"id: 5\n\n") == []
    assert d.feed(b"retry: 1\n\n") == []
    assert d.feed(b"\n\n\n") == []
    assert d.last_event_id == "5"
    # The type buffer was reset by the blank line, the ID was not.
    assert as_tuples(d.feed(b"data: a\n\n")) == [("message", "a", "5", None)]


def test_event_type_resets_after_each_block() -> None:
    stream = b"event: x\ndata: 1\n\ndata: 2\n\nevent: y\n\ndata: 3\n\n"
    assert [e[0] for e in decode_one(stream)] == ["x", "message", "message"]


def test_unterminated_last_event_dropped() -> None:
    d = SSEDecoder()
    assert as_tuples(d.feed(b"data: a\n\ndata: b\n")) == [("message", "a", None, None)]
    assert d.close() == []
    assert decode_one(b"data: a\n\ndata: b") == [("message", "a", None, None)]
    assert decode_one(b"data: a\n\ndata: b\r\n") == [("message", "a", None, None)]
    assert decode_one(b"data: a") == []


def test_id_in_unterminated_block_does_not_update_last_event_id() -> None:
    d = SSEDecoder()
    d.feed(b"id: 1\ndata: a\n\nid: 2\ndata: b\n")
    assert d.last_event_id == "1"
    d.close()
    assert d.last_event_id == "1"


def test_id_persists_across_events() -> None:
    stream = b"id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\ndata: d\n\n"
    assert [e[2] for e in decode_one(stream)] == ["1", "1", "2", "2"]


def test_id_is_set_at_dispatch_even_if_it_follows_data() -> None:
    assert decode_one(b"data: a\nid: 3\n\n") == [("message", "a", "3", None)]


def test_id_with_nul_ignored() -> None:
    d = SSEDecoder()
    out = d.feed(b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n")
    assert [e.id for e in out] == ["1", "1"]
    assert d.last_event_id == "1"
    # NUL elsewhere is ordinary data.
    assert decode_one(b"data: a\x00b\n\n") == [("message", "a\x00b", None, None)]


def test_empty_id_resets_last_event_id() -> None:
    d = SSEDecoder()
    out = d.feed(b"id: 1\ndata: a\n\nid:\ndata: b\n\n")
    assert [e.id for e in out] == ["1", None]
    assert d.last_event_id == ""


@pytest.mark.parametrize("eol", [b"\n", b"\r", b"\r\n"])
def test_each_line_ending(eol: bytes) -> None:
    stream = eol.join([b"event: e", b"data: a", b"data: b", b"id: 1", b"", b"data: c", b"", b""])
    assert decode_one(stream) == [("e", "a\nb", "1", None), ("message", "c", "1", None)]


def test_mixed_line_endings() -> None:
    stream = b"data: a\rdata: b\ndata: c\r\n\rdata: d\n\r\n"
    assert decode_one(stream) == [("message", "a\nb\nc", None, None), ("message", "d", None, None)]


def test_cr_lf_split_across_chunks_is_one_line_end() -> None:
    assert as_tuples(decode([b"data: a\r", b"\ndata: b\r\n\r\n"])) == [
        ("message", "a\nb", None, None)
    ]
    # CR at the end of a chunk, then LF starting a chunk after an empty chunk.
    assert as_tuples(decode([b"data: a\r", b"", b"\n", b"data: b\r", b"\n\r", b"\n"])) == [
        ("message", "a\nb", None, None)
    ]
    # CR then CR is two line ends: a blank line, so the event dispatches.
    assert as_tuples(decode([b"data: a\r", b"\rdata: b\r\r"])) == [
        ("message", "a", None, None),
        ("message", "b", None, None),
    ]
    # The CR already ended the line: the event dispatches without waiting for the next chunk.
    d = SSEDecoder()
    assert as_tuples(d.feed(b"data: a\r\r")) == [("message", "a", None, None)]


def test_only_cr_lf_and_crlf_end_lines() -> None:
    # str.splitlines() would also split on these.
    odd = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
    assert decode_one(f"data: a{odd}b\n\n".encode()) == [("message", f"a{odd}b", None, None)]


def test_bom_stripped_only_at_stream_start() -> None:
    bom = b"\xef\xbb\xbf"
    assert decode_one(bom + b"data: a\n\n") == [("message", "a", None, None)]
    # A second BOM is part of the first line: field "\ufeffdata" is unknown.
    assert decode_one(bom + bom + b"data: a\n\ndata: b\n\n") == [("message", "b", None, None)]
    # A BOM later in the stream is not stripped, not even at a chunk start.
    assert as_tuples(decode([b"data: a\n\n", bom + b"data: b\n\n"])) == [
        ("message", "a", None, None)
    ]
    # Split across chunks, and alone in a chunk.
    assert as_tuples(decode([b"\xef", b"\xbb", b"\xbfdata: c\n\n"])) == [
        ("message", "c", None, None)
    ]
    assert as_tuples(decode([bom, b"data: d\n\n"])) == [("message", "d", None, None)]
    # Inside data it is kept.
    assert decode_one(b"data: \xef\xbb\xbfx\n\n") == [("message", "\ufeffx", None, None)]


def test_invalid_utf8_replaced() -> None:
    assert decode_one(b"data: a\xffb\n\n") == [("message", "a\ufffdb", None, None)]
    # A truncated sequence right before the line end is replaced, and the line end survives.
    assert decode_one(b"data: \xe2\x82\n\n") == [("message", "\ufffd", None, None)]


def test_multibyte_split_across_chunks() -> None:
    stream = "data: é€😀\n\n".encode()
    assert as_tuples(decode(bytewise(stream))) == [("message", "é€😀", None, None)]


def test_huge_line_in_small_chunks_is_linear() -> None:
    payload = b"x" * (8 << 20)
    stream = b"data: " + payload + b"\n\n"
    chunks = split_at(stream, range(0, len(stream), 512))
    events = decode(chunks)
    assert len(events) == 1
    assert len(events[0].data) == len(payload)
    # No timing here (machines are noisy): the decoder must keep an unfinished line as its
    # pieces and join them once, instead of re-copying the growing line on every chunk (which
    # is quadratic). So after N chunks of one unfinished line it holds N pieces.
    decoder = SSEDecoder()
    for chunk in chunks[:100]:
        assert decoder.feed(chunk) == []
    assert len(decoder._partial) == 100


def test_close_resets_stream_but_keeps_id_and_retry() -> None:
    d = SSEDecoder()
    d.feed(b"\xef\xbb\xbfretry: 50\nid: 1\ndata: a\n\ndata: partial")
    assert d.close() == []
    assert d.last_event_id == "1"
    assert d.retry == 50
    # New stream: the partial line is gone, a BOM is accepted again, the ID carries over.
    out = d.feed(b"\xef\xbb\xbfdata: b\n\n")
    assert as_tuples(out) == [("message", "b", "1", None)]
    # A pending CR does not leak into the next stream either.
    d.feed(b"data: c\r")
    d.close()
    assert as_tuples(d.feed(b"\ndata: e\n\n")) == [("message", "e", "1", None)]


def test_event_is_immutable_and_json() -> None:
    ev = decode([b'event: job.deleted\ndata: {"id":"u"}\nid: u\n\n'])[0]
    assert ev.json() == {"id": "u"}
    with pytest.raises(AttributeError):
        ev.data = "x"  # type: ignore[misc]
    assert not hasattr(ev, "__dict__")  # slotted: no per-event dict
    assert ev._replace(id=None) == ServerSentEvent("job.deleted", '{"id":"u"}')
    assert hash(ev) == hash(ServerSentEvent("job.deleted", '{"id":"u"}', "u"))
    assert "job.deleted" in repr(ev)


def test_feed_empty_chunks() -> None:
    d = SSEDecoder()
    assert d.feed(b"") == []
    assert as_tuples(d.feed(b"data: a\n\n")) == [("message", "a", None, None)]
    assert d.feed(b"") == []


def test_read_only_state() -> None:
    d = SSEDecoder()
    with pytest.raises(AttributeError):
        d.last_event_id = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        d.retry = 1  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# Property tests

_line_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\r\n"),
    max_size=12,
)
_data = st.one_of(
    st.none(),
    st.lists(_line_text, min_size=1, max_size=4).map("\n".join),
)
_ids = st.one_of(st.none(), st.just(""), _line_text.filter(lambda s: "\0" not in s))
_events = st.builds(
    EncodedEvent,
    event=st.one_of(st.none(), _line_text),
    data=_data,
    id=_ids,
    retry=st.one_of(st.none(), st.integers(min_value=0, max_value=10**12)),
)
_eol = st.sampled_from(["\n", "\r", "\r\n"])


@st.composite
def encoded_streams(
    draw: st.DrawFn,
) -> tuple[bytes, list[EventTuple]]:
    """A stream of random events written with random syntax, and the events it must decode to."""
    events = draw(st.lists(_events, max_size=8))
    bom = draw(st.booleans())
    keepalive = draw(st.booleans())
    comments_on = draw(st.booleans())
    lines: list[str] = []
    for i, ev in enumerate(events):
        if keepalive and i and draw(st.booleans()):
            lines += [": keepalive", ""]
        n_fields = 4 + (ev.data or "").count("\n")
        spaces = iter(draw(st.lists(st.booleans(), min_size=n_fields, max_size=n_fields)))
        comments = iter(
            draw(
                st.lists(
                    st.one_of(st.none(), _line_text) if comments_on else st.none(),
                    min_size=n_fields,
                    max_size=n_fields,
                )
            )
        )
        order = draw(st.permutations(["event", "retry", "data", "id"]))
        lines += event_lines(ev, spaces=spaces, comments=comments, field_order=order)
    ends = draw(st.lists(_eol, min_size=len(lines), max_size=len(lines)))
    return join_lines(lines, ends, bom=bom), expected_events(events)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(encoded_streams(), st.data())
def test_roundtrip_any_chunking(
    stream_and_expected: tuple[bytes, list[EventTuple]], data: st.DataObject
) -> None:
    stream, expected = stream_and_expected
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=20))
    d = SSEDecoder()
    assert as_tuples(decode(split_at(stream, cuts), d)) == expected
    # Every byte boundary at once: inside UTF-8 sequences and between CR and LF.
    assert as_tuples(decode(bytewise(stream))) == expected


# Fragments that exercise every rule when glued together at random.
_fragments = st.sampled_from(
    [
        b"data", b"event", b"id", b"retry", b"Data", b"foo", b":", b": ", b" ", b"  ",
        b"\n", b"\r", b"\r\n", b"\n\n", b"x", b"1", b"42", b"\x00", b"\xef\xbb\xbf",
        b"\xc3", b"\xa9", b"\xe2\x82\xac", b"\xf0\x9f", b"\x98\x80", b"\xff", b"\x0b",
        b"\xe2\x80\xa8", b"message", b"job.created",
    ]
)  # fmt: skip
_fuzz_streams = st.lists(_fragments, max_size=60).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(_fuzz_streams, st.data())
def test_chunking_never_changes_the_result(stream: bytes, data: st.DataObject) -> None:
    whole = SSEDecoder()
    expected = decode([stream], whole)
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=30))
    chunked = SSEDecoder()
    assert decode(split_at(stream, cuts), chunked) == expected
    assert decode(bytewise(stream)) == expected
    assert (chunked.last_event_id, chunked.retry) == (whole.last_event_id, whole.retry)


@settings(max_examples=300, deadline=None)
@given(_fuzz_streams)
def test_agrees_with_literal_spec_transcription(stream: bytes) -> None:
    d = SSEDecoder()
    events = as_tuples(decode([stream], d))
    ref_events, ref_last_id, ref_retry = reference_decode(stream)
    assert events == ref_events
    assert d.last_event_id == ref_last_id
    assert d.retry == ref_retry


# ---------------------------------------------------------------------------------------------
# The SSE streams recorded from the real server

JOB_EVENTS = {"job.created", "job.cancelled", "job.retried", "job.deleted"}


def capture_stream(name: str) -> bytes:
    """The event-stream bytes of a recorded ``.raw`` capture.

    The file holds the HTTP status line and headers (CRLF) and then the body. The headers say
    ``Transfer-Encoding: chunked``, but ``curl -i`` wrote the de-chunked body; the loader de-chunks
    when chunk framing is present, so this works for both kinds of file.
    """
    cap = load_sse(name)
    assert cap.status == 200
    assert cap.headers["content-type"] == "text/event-stream"
    assert not re.match(rb"[0-9a-fA-F]+\r\n", cap.body), "body still chunk-framed"
    return cap.body


@pytest.mark.parametrize("name", sse_capture_names())
def test_recorded_streams(name: str) -> None:
    stream = capture_stream(name)
    raw = load_sse(name).raw
    events = decode(split_at(stream, range(0, len(stream), 7)))
    assert len(events) == len(re.findall(rb"^event:", raw, flags=re.M))
    first = events[0]
    assert (first.event, first.data, first.id, first.retry) == (
        "connected",
        '{"status":"connected"}',
        None,
        None,
    )
    for ev in events[1:]:
        assert ev.event in JOB_EVENTS
        assert ev.id == json.loads(ev.data)["id"]
    # The same events whatever the chunking.
    assert decode(bytewise(stream)) == events
    assert decode([stream]) == events


def test_recorded_stream_all_events() -> None:
    events = decode([capture_stream("300_sse_all")])
    names = [e.event for e in events]
    assert names.count("connected") == 1
    assert names.count("job.created") == 10
    assert names.count("job.cancelled") == 3
    assert names.count("job.retried") == 2
    assert names[-1] == "job.deleted"
    assert events[-1].data == '{"id":"be36136c-ca44-46fd-88ef-9c69c6eaa9ff"}'
    # The non-force cancel of a running job still emits job.cancelled, with state "running".
    cancelled = [e.json()["state"] for e in events if e.event == "job.cancelled"]
    assert "running" in cancelled


def test_recorded_stream_job_filter() -> None:
    job = load_sse(301).query["job_id"]
    events = decode([capture_stream("301_sse_job_filter_X")])
    assert [e.event for e in events] == ["connected", "job.cancelled", "job.cancelled"]
    assert all(e.id == job for e in events[1:])
    only_connected = decode([capture_stream("303_sse_job_filter_bogus")])
    assert [e.event for e in only_connected] == ["connected"]


def test_recorded_stream_in_other_syntaxes() -> None:
    """The recorded events survive being re-encoded with CR / CRLF ends, comments and a BOM."""
    events = decode([capture_stream("300_sse_all")])
    originals = [EncodedEvent(e.event, e.data, e.id, e.retry) for e in events]
    for eol in ("\r", "\r\n"):
        stream = encode(originals, line_ends=eol, bom=True, keepalive_between=True)
        assert decode(split_at(stream, range(0, len(stream), 5))) == events


def test_encoder_roundtrip_examples() -> None:
    evs: Sequence[tuple[Optional[str], Optional[str], Optional[str], Optional[int]]] = [
        ("a", " lead", "1", 5),
        (None, "", None, None),
        (None, None, "", None),
        ("b", "x\n\ny", None, None),
    ]
    stream = encode(evs, line_ends=["\r\n", "\r", "\n"] * 20, spaces=iter([False] * 20))
    assert decode_one(stream) == expected_events(evs)
    assert expected_events(evs) == [
        ("a", " lead", "1", 5),
        ("message", "", "1", None),
        ("b", "x\n\ny", None, None),
    ]


# ------------------------------------------------------------------------------------------
# Size caps (beyond the standard): a line or an event that never ends cannot grow the buffers


def _limit_error(decoder: SSEDecoder, chunks: Iterable[bytes]) -> ResponseTooLargeError:
    def feed_all() -> None:
        for chunk in chunks:
            decoder.feed(chunk)

    with pytest.raises(ResponseTooLargeError) as caught:
        feed_all()
    return caught.value


@pytest.mark.parametrize("chunk_size", [1, 7, 100, 4096])
def test_a_line_that_never_ends_is_refused_once_past_the_line_cap(chunk_size: int) -> None:
    decoder = SSEDecoder(max_line=1000)
    endless = (b"data: " + b"x" * chunk_size for _ in range(10**6))
    error = _limit_error(decoder, endless)
    assert error.limit == "max_event_line_size"
    assert error.max_size == 1000
    assert "max_event_line_size" in str(error)
    assert "1000" in str(error)
    assert isinstance(error, GopherQueueError)


def test_a_long_line_inside_one_chunk_is_refused() -> None:
    decoder = SSEDecoder(max_line=10)
    error = _limit_error(decoder, [b"data: a\n\ndata: " + b"y" * 11 + b"\n\ndata: b\n\n"])
    assert error.limit == "max_event_line_size"


def test_a_long_line_split_over_chunks_is_refused_when_it_ends() -> None:
    decoder = SSEDecoder(max_line=10)
    assert decoder.feed(b"data: 12") == []
    error = _limit_error(decoder, [b"3456\n\n"])
    assert error.limit == "max_event_line_size"


def test_lines_and_events_at_the_caps_pass() -> None:
    line = b"data: " + b"z" * 14  # 20 characters
    decoder = SSEDecoder(max_line=20, max_event=2 * 15)
    events = decode([line[:5], line[5:] + b"\n", line + b"\n\n"], decoder)
    assert as_tuples(events) == [("message", "z" * 14 + "\n" + "z" * 14, None, None)]


def test_an_event_that_never_ends_is_refused_once_past_the_event_cap() -> None:
    decoder = SSEDecoder(max_line=100, max_event=1000)
    endless = (b"data: " + b"w" * 50 + b"\n" for _ in range(10**6))
    error = _limit_error(decoder, endless)
    assert error.limit == "max_event_size"
    assert "max_event_size" in str(error)
    assert "1000" in str(error)


def test_an_event_past_the_cap_inside_one_chunk_is_refused() -> None:
    decoder = SSEDecoder(max_event=100)
    error = _limit_error(decoder, [b"data: x\n" * 60 + b"\n"])
    assert error.limit == "max_event_size"


def test_the_event_cap_counts_one_event_at_a_time() -> None:
    decoder = SSEDecoder(max_line=100, max_event=100)
    many = b"".join(b"data: " + b"v" * 40 + b"\n\n" for _ in range(1000))
    assert len(decode([many], decoder)) == 1000


def test_comments_and_other_fields_do_not_count_towards_the_event_cap() -> None:
    decoder = SSEDecoder(max_event=10)
    assert len(decode([b": keepalive\n" * 100 + b"event: x\ndata: 1\n\n"], decoder)) == 1


def test_without_caps_nothing_is_refused() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: " + b"x" * 5_000_000) == []
    assert as_tuples(decoder.feed(b"\n\n")) == [("message", "x" * 5_000_000, None, None)]
