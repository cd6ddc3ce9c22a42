"""Go ``time.ParseDuration``, ported exactly, for request fields such as ``"1h2m3.5s"``.

The real server parses ``delay``, ``timeout`` and the wait ``timeout`` with Go's parser, so the
embedded server must accept and reject exactly the same strings: a sign, then one or more
``<number><unit>`` groups where the number may have a fraction (``"1.5h"``, ``".5s"``, ``"1."``),
units ``ns us µs μs ms s m h``, and the bare ``"0"``. Overflow past ``int64`` nanoseconds is
an error, as in Go, and fractions use Go's float64 arithmetic so rounding matches too.
"""

from __future__ import annotations

__all__ = ["MAX_DURATION_NS", "parse_go_duration"]

#: The largest ``time.Duration`` (about 292 years), in nanoseconds.
MAX_DURATION_NS = (1 << 63) - 1

_UNITS: dict[str, int] = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,  # U+00B5 MICRO SIGN
    "\u03bcs": 1_000,  # U+03BC GREEK SMALL LETTER MU
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60 * 1_000_000_000,
    "h": 3600 * 1_000_000_000,
}

_LIMIT = 1 << 63


def _invalid(orig: str) -> ValueError:
    return ValueError(f"time: invalid duration {orig!r}")


def _leading_int(s: str, orig: str) -> tuple[int, str]:
    i = 0
    x = 0
    while i < len(s) and "0" <= s[i] <= "9":
        if x > _LIMIT // 10:
            raise _invalid(orig)
        x = x * 10 + ord(s[i]) - 48
        if x > _LIMIT:
            raise _invalid(orig)
        i += 1
    return x, s[i:]


def _leading_fraction(s: str) -> tuple[int, float, str]:
    # Digits past what fits are consumed but ignored, exactly like Go's leadingFraction.
    i = 0
    x = 0
    scale = 1.0
    overflow = False
    while i < len(s) and "0" <= s[i] <= "9":
        if not overflow:
            if x > (_LIMIT - 1) // 10:
                overflow = True
            else:
                y = x * 10 + ord(s[i]) - 48
                if y > _LIMIT:
                    overflow = True
                else:
                    x = y
                    scale *= 10
        i += 1
    return x, scale, s[i:]


# Parsed durations by text: the jobs of a batch usually share their delay and timeout.
_parsed: dict[str, int] = {}


def parse_go_duration(text: str) -> int:
    """Parse a Go duration string and return it in integer nanoseconds.

    Args:
        text: A duration such as ``"10s"``, ``"1500ms"`` or ``"1h2m3.5s"``.

    Returns:
        The duration in nanoseconds.

    Raises:
        ValueError: Go's ``time.ParseDuration`` rejects the text (an empty string, a number
            without a unit other than ``0``, an unknown unit, an overflow).
    """
    value = _parsed.get(text)
    if value is None:
        value = _parse(text)
        if len(_parsed) >= 256:
            _parsed.clear()
        _parsed[text] = value
    return value


def _parse(text: str) -> int:
    orig = text
    s = text
    neg = False
    if s and s[0] in "+-":
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        raise _invalid(orig)
    total = 0
    while s:
        if not (s[0] == "." or "0" <= s[0] <= "9"):
            raise _invalid(orig)
        before = len(s)
        v, s = _leading_int(s, orig)
        pre = before != len(s)
        post = False
        f = 0
        scale = 1.0
        if s and s[0] == ".":
            s = s[1:]
            before = len(s)
            f, scale, s = _leading_fraction(s)
            post = before != len(s)
        if not pre and not post:
            raise _invalid(orig)
        i = 0
        while i < len(s) and not (s[i] == "." or "0" <= s[i] <= "9"):
            i += 1
        if i == 0:
            raise ValueError(f"time: missing unit in duration {orig!r}")
        unit_name, s = s[:i], s[i:]
        unit = _UNITS.get(unit_name)
        if unit is None:
            raise ValueError(f"time: unknown unit {unit_name!r} in duration {orig!r}")
        if v > _LIMIT // unit:
            raise _invalid(orig)
        v *= unit
        if f > 0:
            v += int(float(f) * (float(unit) / scale))
            if v > _LIMIT:
                raise _invalid(orig)
        total += v
        if total > _LIMIT:
            raise _invalid(orig)
    if neg:
        return -total
    if total > MAX_DURATION_NS:
        raise _invalid(orig)
    return total
