"""Argument checks, and conversions from Python values to the wire's formats.

The flows run these checks before they build a request, so bad input never reaches the
network: each raises :class:`~gopherqueue.ValidationError` naming the field and what it
expects. Conversions of replies (durations, base64 output) live with the models in ``_models``.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta

from ._exceptions import ValidationError

__all__ = [
    "check_bool",
    "check_job_id",
    "check_job_type",
    "check_max_attempts",
    "check_payload",
    "check_priority",
    "check_scheduled_at",
    "check_seconds",
    "check_tags",
    "check_text",
    "encode_json",
    "format_micros",
    "to_go_duration",
]

# Go's time.ParseDuration grammar: an optional sign, then one or more decimal numbers each with
# a unit, or a bare "0".
_GO_DURATION = re.compile(r"[-+]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)")
_GO_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
# Largest unit first, so a whole number of a big unit reads naturally ("10m", not "600s").
_FORMAT_UNITS = (("h", 3_600_000_000), ("m", 60_000_000), ("s", 1_000_000), ("ms", 1000), ("us", 1))
_MAX_GO_DURATION_US = (2**63 - 1) // 1000


def _type_name(value: object) -> str:
    return type(value).__name__


def check_job_id(value: object, field: str = "job_id") -> str:
    """Return the canonical (lowercase, dashed) form of a job id.

    Accepts a :class:`uuid.UUID` or a string in any form :class:`uuid.UUID` reads. Anything
    else is refused, because the server resolves ``..`` and ``/`` in a path to *other*
    endpoints (``DELETE /api/v1/jobs/..`` reaches ``/api/v1`` and answers 200).
    """
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str):
        raise ValidationError(
            f"{field} must be a UUID string or uuid.UUID, got {_type_name(value)}", field=field
        )
    try:
        return str(uuid.UUID(value))
    except ValueError:
        shown = value if len(value) <= 60 else value[:57] + "..."
        raise ValidationError(f"{field} must be a UUID, got {shown!r}", field=field) from None


def check_bool(value: object, field: str) -> bool:
    """Refuse anything but ``True`` or ``False``: a flag given as ``"no"`` or ``0`` is a
    mistake, and truthiness would read ``"no"`` as true."""
    if not isinstance(value, bool):
        raise ValidationError(f"{field} must be a bool, got {type(value).__name__}", field=field)
    return value


def check_seconds(value: object, field: str = "timeout") -> float | None:
    """A non-negative, finite number of seconds (or a timedelta), or ``None``."""
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if value is not None and (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValidationError(
            f"{field} must be a non-negative number of seconds, a timedelta or None, got {value!r}",
            field=field,
        )
    return value


def check_text(value: str, field: str) -> str:
    """Refuse a string that has no UTF-8 form: one holding a lone surrogate (what
    ``bytes.decode(errors="surrogateescape")`` makes of invalid bytes, or a ``"\\ud800"``
    escape) cannot be sent."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValidationError(
                f"{field} is not valid Unicode text: a lone surrogate at index {exc.start}",
                field=field,
            ) from None
    return value


def check_job_type(value: object, field: str = "job_type") -> str:
    """A job type must be a non-empty string (the server refuses an empty one)."""
    if not isinstance(value, str):
        raise ValidationError(
            f"{field} must be a non-empty string, got {_type_name(value)}", field=field
        )
    if not value:
        raise ValidationError(f"{field} must be a non-empty string, got ''", field=field)
    return check_text(value, field)


def encode_json(value: object) -> bytes:
    """``value`` as the request body bytes httpx's ``json=`` would send (compact UTF-8, no
    NaN or infinity). Raises TypeError, ValueError (UnicodeEncodeError for a lone surrogate)
    or RecursionError for what is not strict JSON text."""
    return json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def check_payload(value: object, field: str = "payload") -> None:
    """Refuse a payload that is not strict JSON (sets, arbitrary objects, NaN, infinities,
    text with lone surrogates)."""
    try:
        encode_json(value)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValidationError(
            f"{field} must be JSON-serialisable (dict, list, str, int, float, bool or None; "
            f"no NaN or infinity; text without lone surrogates): {exc}",
            field=field,
        ) from None


def check_priority(value: object, field: str = "priority") -> int:
    """A priority is an int (or :class:`~gopherqueue.Priority`) from 0 (critical) to 4 (bulk)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            f"{field} must be an int from 0 to 4, got {_type_name(value)}", field=field
        )
    if not 0 <= value <= 4:
        raise ValidationError(
            f"{field} must be from 0 (critical) to 4 (bulk), got {value}", field=field
        )
    return int(value)


def check_max_attempts(value: object, field: str = "max_attempts") -> int:
    """``max_attempts`` is an int of at least 1."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{field} must be an int >= 1, got {_type_name(value)}", field=field)
    if value < 1:
        raise ValidationError(f"{field} must be >= 1, got {value}", field=field)
    return int(value)


def check_scheduled_at(value: object, field: str = "scheduled_at") -> datetime:
    """``scheduled_at`` must be a timezone-aware datetime (a naive one is ambiguous)."""
    if not isinstance(value, datetime):
        raise ValidationError(
            f"{field} must be a timezone-aware datetime, got {_type_name(value)}", field=field
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(
            f"{field} must be timezone-aware (for example datetime.now(timezone.utc)), got a naive datetime",
            field=field,
        )
    return value


def check_tags(value: object, field: str = "tags") -> dict[str, str]:
    """Tags are a mapping of strings to strings."""
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"{field} must be a mapping of str to str, got {_type_name(value)}", field=field
        )
    tags: dict[str, str] = {}
    items: Mapping[object, object] = value  # pyright: ignore[reportUnknownVariableType]
    for key, item in items.items():
        if not isinstance(key, str):
            raise ValidationError(f"{field} keys must be str, got {_type_name(key)}", field=field)
        if not isinstance(item, str):
            raise ValidationError(
                f"{field}[{key!r}] must be a str, got {_type_name(item)}", field=field
            )
        check_text(key, field)
        check_text(item, field)
        tags[key] = item
    return tags


def to_go_duration(value: object, field: str) -> str:
    """Convert a duration argument to a Go duration string, refusing negative or bad values."""
    if isinstance(value, str):
        if not _GO_DURATION.fullmatch(value):
            raise ValidationError(
                f"{field} must be a Go duration such as '30s', '1500ms' or '1h2m', got {value!r}",
                field=field,
            )
        if value.startswith("-") and any(float(n) > 0 for n, _ in _GO_PART.findall(value)):
            raise ValidationError(f"{field} must not be negative, got {value!r}", field=field)
        return value
    if isinstance(value, timedelta):
        micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValidationError(
                f"{field} must be a finite number of seconds, got {value!r}", field=field
            )
        micros = round(value * 1_000_000)
    else:
        raise ValidationError(
            f"{field} must be a timedelta, a number of seconds or a Go duration string, "
            f"got {_type_name(value)}",
            field=field,
        )
    if micros < 0:
        raise ValidationError(f"{field} must not be negative, got {value!r}", field=field)
    if micros > _MAX_GO_DURATION_US:
        raise ValidationError(
            f"{field} is longer than the server can represent (about 292 years)", field=field
        )
    return format_micros(micros)


def format_micros(micros: int) -> str:
    """Format a non-negative number of microseconds in the largest exact Go unit."""
    if micros == 0:
        return "0s"
    for unit, size in _FORMAT_UNITS:
        if micros % size == 0:
            return f"{micros // size}{unit}"
    return f"{micros}us"  # pragma: no cover - "us" always divides
