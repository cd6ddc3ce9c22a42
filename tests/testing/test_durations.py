"""Go duration parsing: must accept and reject exactly what Go's time.ParseDuration does."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gopherqueue.testing import parse_go_duration

S = 1_000_000_000


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("0", 0),
        ("-0", 0),
        ("+0", 0),
        ("5s", 5 * S),
        ("30s", 30 * S),
        ("1478s", 1478 * S),
        ("-5s", -5 * S),
        ("+5s", 5 * S),
        ("-0s", 0),
        ("1.5s", 1_500_000_000),
        ("1.s", S),
        (".5s", 500_000_000),
        ("1500ms", 1_500_000_000),
        ("300us", 300_000),
        ("300\u00b5s", 300_000),
        ("300\u03bcs", 300_000),
        ("7ns", 7),
        ("1h2m3.5s", 3723 * S + 500_000_000),
        ("1h1h", 2 * 3600 * S),
        ("10m", 600 * S),
        ("2h45m", (2 * 3600 + 45 * 60) * S),
        ("0.000000001s", 1),
        ("0.1ns", 0),
        ("9223372036854775807ns", (1 << 63) - 1),
        ("-9223372036854775808ns", -(1 << 63)),
        ("9223372036.854775807s", (1 << 63) - 1),
        ("0.3333333333333333333h", 1_200_000_000_000),
    ],
)
def test_accepts_go_grammar(text: str, ns: int) -> None:
    assert parse_go_duration(text) == ns


@pytest.mark.parametrize(
    "text",
    [
        "",
        "-",
        "+",
        "3",
        "-3",
        "s",
        ".s",
        "-.s",
        ".",
        "1d",
        "1 s",
        " 1s",
        "1s ",
        "1S",
        "1.5.5s",
        "ten seconds",
        "10 minutes",
        '"2s"',
        "9223372036854775808ns",
        "9223372036854775807s",
        "3000000h",
        "1e3s",
    ],
)
def test_rejects_what_go_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="time: "):
        parse_go_duration(text)


@given(st.integers(min_value=-(1 << 63) + 1, max_value=(1 << 63) - 1))
def test_integer_nanoseconds_round_trip(ns: int) -> None:
    assert parse_go_duration(f"{ns}ns") == ns


@given(
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=0, max_value=59),
    st.integers(min_value=0, max_value=59),
    st.integers(min_value=0, max_value=999),
)
def test_unit_groups_add_up(h: int, m: int, s: int, ms: int) -> None:
    text = f"{h}h{m}m{s}s{ms}ms"
    assert parse_go_duration(text) == ((h * 60 + m) * 60 + s) * S + ms * 1_000_000
    assert parse_go_duration("-" + text) == -parse_go_duration(text)
