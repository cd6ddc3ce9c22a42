"""Wire-format helpers that make the embedded server byte-compatible with the Go server.

* :func:`go_json`: ``encoding/json`` output (compact, HTML-escaped ``<>&``, escaped U+2028/9,
  trailing ``\\n`` as ``json.Encoder`` writes it).
* :func:`format_time` and friends: RFC 3339 with up to 9 fractional digits, trailing zeros
  trimmed, ``Z`` for a zero offset, computed on integer nanoseconds so no precision is lost.
* :func:`parse_rfc3339`: Go's strict ``time.Time`` JSON parsing; keeps the client's offset.
* :func:`parse_uuid`: the lenient forms ``github.com/google/uuid`` accepts.
* :func:`decode_body`: Go's ``json.Decoder.Decode`` into a struct: only the first value is read,
  keys match case-insensitively, the last duplicate wins, and ``json.RawMessage`` fields keep
  their exact bytes (whitespace included), which is how the server stores job payloads.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any, Optional, Union

__all__ = [
    "MISSING",
    "JSONObject",
    "TypeMismatch",
    "as_bool",
    "as_int",
    "as_str",
    "as_str_map",
    "decode_body",
    "format_local",
    "format_time",
    "format_utc",
    "go_json",
    "parse_rfc3339",
    "parse_uuid",
]

# --------------------------------------------------------------------------------------------
# JSON output

_HTML_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_HTML_RE = re.compile("[<>&\u2028\u2029]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def clean_str(text: str) -> str:
    """Replace lone surrogates (invalid UTF-8 in the request) with U+FFFD, as Go does."""
    if text.isascii() or _SURROGATE_RE.search(text) is None:
        return text
    return _SURROGATE_RE.sub("\ufffd", text)


def go_json(value: Any) -> bytes:
    """Encode ``value`` the way Go's ``json.NewEncoder(w).Encode(v)`` does, newline included."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # Three C-level scans rule out the rewrites for most bodies (a batch reply is ~300 kB).
    if not text.isascii() or "<" in text or ">" in text or "&" in text:
        text = clean_str(_HTML_RE.sub(lambda m: _HTML_ESCAPES[m.group(0)], text))
    return (text + "\n").encode("utf-8")


def go_float(value: float) -> Union[int, float]:
    """Return ``value`` so ``json.dumps`` prints it like Go (``50`` rather than ``50.0``)."""
    if value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


# --------------------------------------------------------------------------------------------
# Timestamps (integer nanoseconds since the Unix epoch plus an offset in seconds)

_NS = 1_000_000_000


def _days_from_civil(y: int, m: int, d: int) -> int:
    # Howard Hinnant's algorithm: exact for any proleptic Gregorian date, no datetime limits.
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(z: int) -> tuple[int, int, int]:
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return y + (m <= 2), m, d


# "YYYY-MM-DDTHH:MM:SS" by local second: the jobs of a batch share their second, and the
# calendar arithmetic dominated formatting them.
_seconds_text: dict[int, str] = {}


# Recent UTC instants: a batch's jobs share their created, updated and due times.
_utc_texts: dict[int, str] = {}


def format_time(ns: int, offset: int = 0) -> str:
    """Format ``ns`` (Unix nanoseconds) as Go's ``time.RFC3339Nano`` at ``offset`` seconds."""
    if offset:
        return _format_time(ns, offset)
    text = _utc_texts.get(ns)
    if text is None:
        if len(_utc_texts) >= 1024:
            _utc_texts.clear()
        text = _utc_texts[ns] = _format_time(ns, 0)
    return text


def _format_time(ns: int, offset: int) -> str:
    local = ns + offset * _NS
    secs, frac = divmod(local, _NS)
    out = _seconds_text.get(secs)
    if out is None:
        days, rem = divmod(secs, 86400)
        y, mo, d = _civil_from_days(days)
        hh, rem = divmod(rem, 3600)
        mi, ss = divmod(rem, 60)
        out = f"{y:04d}-{mo:02d}-{d:02d}T{hh:02d}:{mi:02d}:{ss:02d}"
        if len(_seconds_text) >= 4096:
            _seconds_text.clear()
        _seconds_text[secs] = out
    if frac:
        out += "." + f"{frac:09d}".rstrip("0")
    if offset == 0:
        return out + "Z"
    sign = "-" if offset < 0 else "+"
    oh, om = divmod(abs(offset) // 60, 60)
    return f"{out}{sign}{oh:02d}:{om:02d}"


def format_utc(ns: int) -> str:
    """RFC 3339 in UTC with ``Z`` (the form of job timestamps)."""
    return format_time(ns, 0)


def local_offset(ns: int) -> int:
    """The server's local UTC offset in seconds at instant ``ns``."""
    return time.localtime(ns // _NS).tm_gmtoff


def format_local(ns: int) -> str:
    """RFC 3339 at the server's local offset (``result.completed_at``, health, metrics)."""
    return format_time(ns, local_offset(ns))


#: The JSON form of Go's zero ``time.Time``, seen in rejected batch items.
ZERO_TIME = "0001-01-01T00:00:00Z"

_RFC3339_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:\d{2})\Z"
)
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def parse_rfc3339(text: str) -> tuple[int, int]:
    """Parse an RFC 3339 timestamp strictly, as Go's ``time.Time.UnmarshalJSON`` does.

    Returns ``(unix_ns, offset_seconds)`` so the value can be echoed with the client's own
    offset. Raises ``ValueError`` when Go would reject the string.
    """
    m = _RFC3339_RE.match(text)
    if m is None:
        raise ValueError(f"not RFC 3339: {text!r}")
    y, mo, d, hh, mi, ss = (int(g) for g in m.groups()[:6])
    frac_text = m.group(7) or ""
    zone = m.group(8)
    if not 1 <= mo <= 12:
        raise ValueError("month out of range")
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    max_day = 29 if (mo == 2 and leap) else _MONTH_DAYS[mo - 1]
    if not 1 <= d <= max_day or hh > 23 or mi > 59 or ss > 59:
        raise ValueError("field out of range")
    offset = 0
    if zone != "Z":
        zh, zm = int(zone[1:3]), int(zone[4:6])
        if zh > 23 or zm > 59:
            raise ValueError("zone out of range")
        offset = (zh * 3600 + zm * 60) * (-1 if zone[0] == "-" else 1)
    frac_ns = int((frac_text + "000000000")[:9]) if frac_text else 0
    secs = _days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss - offset
    return secs * _NS + frac_ns, offset


# --------------------------------------------------------------------------------------------
# UUIDs

_HEX = frozenset("0123456789abcdefABCDEF")


def _is_hex(text: str) -> bool:
    return all(c in _HEX for c in text)


def parse_uuid(text: str) -> Optional[str]:
    """Parse ``text`` like ``uuid.Parse`` and return the canonical lowercase form, or ``None``.

    Accepted: ``xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`` in any case, the same with a
    ``urn:uuid:`` prefix or in ``{braces}``, and 32 hex digits without dashes.
    """
    if len(text) == 45:
        if text[:9].lower() != "urn:uuid:":
            return None
        text = text[9:]
    elif len(text) == 38:
        if text[0] != "{" or text[-1] != "}":
            return None
        text = text[1:-1]
    elif len(text) == 32:
        if not _is_hex(text):
            return None
        h = text.lower()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    if len(text) != 36:
        return None
    if text[8] != "-" or text[13] != "-" or text[18] != "-" or text[23] != "-":
        return None
    if not _is_hex(text.replace("-", "")) or text.count("-") != 4:
        return None
    return text.lower()


# --------------------------------------------------------------------------------------------
# Request bodies


class TypeMismatch(ValueError):
    """A JSON value has the wrong type for the Go struct field it would be decoded into."""


class _Missing:
    """Sentinel type for :data:`MISSING`."""

    def __repr__(self) -> str:
        return "MISSING"


#: Returned by :meth:`JSONObject.get` for absent fields.
MISSING = _Missing()


class JSONObject:
    """A decoded JSON object that remembers member order and each value's exact source text."""

    __slots__ = ("_index", "_source", "members")

    def __init__(self, source: str) -> None:
        self._source = source
        #: ``(key, value, start, end)`` in document order, duplicates included.
        self.members: list[tuple[str, Any, int, int]] = []
        self._index: Optional[dict[str, tuple[str, Any, int, int]]] = None

    def fields(self) -> dict[str, tuple[str, Any, int, int]]:
        """The members by case-folded key, the last of duplicates winning: how Go matches
        JSON keys to struct fields. Built on first use, once parsing has filled ``members``."""
        index = self._index
        if index is None:
            index = self._index = {member[0].casefold(): member for member in self.members}
        return index

    def get(self, name: str) -> Any:
        """The decoded value of field ``name`` (``None`` for JSON null), or :data:`MISSING`."""
        member = self.fields().get(name)
        return MISSING if member is None else member[1]

    def source_of(self, member: tuple[str, Any, int, int]) -> bytes:
        """The exact bytes of one member's value as sent."""
        return self._source[member[2] : member[3]].encode("utf-8", "surrogateescape")

    def get_bool(self, name: str) -> Optional[bool]:
        """A ``bool`` field; ``None`` when absent or null."""
        value = self.get(name)
        return None if value is MISSING else as_bool(value, name)


# Go's decoding of one JSON value into a struct field of each type; ``None`` for null.


def as_str(value: Any, name: str) -> Optional[str]:
    """A ``string`` field's value. Raises :class:`TypeMismatch` naming field ``name``."""
    if value.__class__ is str:
        return clean_str(value)
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeMismatch(name)
    return clean_str(value)


def as_int(value: Any, name: str) -> Optional[int]:
    """An ``int`` field's value (64-bit, no fraction or exponent)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeMismatch(name)
    if not -(1 << 63) <= value < (1 << 63):
        raise TypeMismatch(name)
    return value


def as_bool(value: Any, name: str) -> Optional[bool]:
    """A ``bool`` field's value."""
    if value is None:
        return None
    if not isinstance(value, bool):
        raise TypeMismatch(name)
    return value


def as_str_map(value: Any, name: str) -> Optional[dict[str, str]]:
    """A ``map[string]string`` field's value (a null member becomes ``""``, as in Go)."""
    if value is None:
        return None
    if isinstance(value, JSONObject):
        pairs = [(key, item) for key, item, _start, _end in value.members]
    else:
        raise TypeMismatch(name)
    out: dict[str, str] = {}
    for key, item in pairs:
        if item is None:
            item = ""
        if not isinstance(item, str):
            raise TypeMismatch(name)
        out[clean_str(key)] = clean_str(item)
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# The stdlib decoder (its public raw_decode) reads strings, numbers and whole payloads; objects
# and arrays are walked by hand below so each member's source span is known.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_raw_decode: Callable[[str, int], tuple[Any, int]] = _DECODER.raw_decode


_skip_ws_match = re.compile(r"[ \t\n\r]*").match
# One-character slices that start whitespace ("" at the end of the text is not in it).
_WS_CHARS = frozenset(" \t\n\r")


def _skip_ws(s: str, i: int) -> int:
    match = _skip_ws_match(s, i)
    return i if match is None else match.end()


def _scalar(s: str, i: int) -> tuple[Any, int]:
    try:
        return _raw_decode(s, i)
    except ValueError:
        raise ValueError("invalid character") from None


def _parse_value(s: str, i: int) -> tuple[Any, int]:
    if i >= len(s):
        raise ValueError("unexpected end of JSON input")
    c = s[i]
    if c == "{":
        obj = JSONObject(s)
        members = obj.members
        i += 1
        if s[i : i + 1] in _WS_CHARS:
            i = _skip_ws(s, i)
        if s[i : i + 1] == "}":
            return obj, i + 1
        while True:
            if s[i : i + 1] != '"':
                raise ValueError("expected object key")
            key, i = _raw_decode(s, i)
            if s[i : i + 1] != ":":
                i = _skip_ws(s, i)
                if s[i : i + 1] != ":":
                    raise ValueError("expected ':'")
            i += 1
            first = s[i : i + 1]
            if first in _WS_CHARS:
                i = _skip_ws(s, i)
                first = s[i : i + 1]
            start = i
            if key == "payload" or key.casefold() == "payload":
                # Only the payload's exact source text is ever used, so its (often large)
                # value is scanned at C speed instead of walked member by member.
                value, i = _raw_decode(s, i)
            elif first == "{" or first == "[":
                value, i = _parse_value(s, i)
            else:
                value, i = _scalar(s, i)
            members.append((key, value, start, i))
            following = s[i : i + 1]
            if following != "," and following != "}":
                i = _skip_ws(s, i)
                following = s[i : i + 1]
            if following == ",":
                i += 1
                if s[i : i + 1] in _WS_CHARS:
                    i = _skip_ws(s, i)
                continue
            if following == "}":
                return obj, i + 1
            raise ValueError("expected ',' or '}'")
    if c == "[":
        items: list[Any] = []
        i = _skip_ws(s, i + 1)
        if s[i : i + 1] == "]":
            return items, i + 1
        while True:
            value, i = _parse_value(s, i)
            items.append(value)
            i = _skip_ws(s, i)
            following = s[i : i + 1]
            if following == ",":
                i = _skip_ws(s, i + 1)
                continue
            if following == "]":
                return items, i + 1
            raise ValueError("expected ',' or ']'")
    return _scalar(s, i)


def decode_body(body: bytes) -> Any:
    """Decode the first JSON value in ``body`` (trailing bytes are ignored, as in Go).

    Objects come back as :class:`JSONObject`, arrays as lists, scalars as Python values.
    Raises ``ValueError`` for an empty body or a syntax error in the first value.
    """
    text = body.decode("utf-8", "surrogateescape")
    i = _skip_ws(text, 0)
    try:
        value, _end = _parse_value(text, i)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    return value
