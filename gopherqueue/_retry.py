"""The retry policy: what is retried, how long to wait, and the send-with-retries flow.

Defaults: up to 2 retries on connection errors, timeouts, 408, 429, 502, 503 and 504 (and 500
for the safe methods: GET, HEAD, OPTIONS), full-jitter exponential backoff from 0.5 s capped at
8 s, a ``Retry-After`` header honoured up to 30 s (a longer one is not retried: the error is
raised). 409 and other 4xx answers are never retried.

One policy serves every loop that repeats a request: :func:`send` (each request's retries),
the resend of an unreadable keyed reply (``_operations._send_parsed``, same budget), wait's
re-polls (``_operations.wait``, until its deadline) and the event stream's reconnects
(``_events``, its backoff). Each retry is logged by :meth:`RetryPolicy.announce` and reported
to ``on_retry``; the clock and the random source come from the caller (the client's settings).

Retrying a ``submit`` is safe because every submit carries an idempotency key that stays the
same across its retries (see ``_operations.submit``): a retry after a lost response gets the
existing job back (200) instead of a second one.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs
import httpx

from ._effects import Flow, Request, Sleep
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    ServerError,
    ValidationError,
    connection_error,
    maybe_applied,
    status_error,
)

if TYPE_CHECKING:
    from datetime import datetime

__all__ = ["Reply", "RetryEvent", "RetryPolicy", "send"]

logger = logging.getLogger("gopherqueue")

_RETRY_STATUSES = frozenset({408, 429, 502, 503, 504})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@attrs.frozen
class RetryEvent:
    """What a retry hook receives before each retry."""

    operation: str
    """The operationId being retried, such as ``"submit_job"``."""
    attempt: int
    """The retry about to happen: 1 for the first retry."""
    delay: float
    """Seconds the SDK waits before the retry."""
    error: APIError
    """Why the previous attempt failed."""


# The policy's checks raise ValidationError (a ValueError) like every other argument check, so a
# bad value is refused when the policy is made, not when a retry first uses it.


def _check_retries(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(
            f"{attribute.name} must be >= 0 (an int), got {value!r}", field=attribute.name
        )


def _check_seconds(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name == "deadline":
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValidationError(
            f"{attribute.name} must be >= 0 (a finite number of seconds), got {value!r}",
            field=attribute.name,
        )


def _check_hook(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not callable(value):
        raise ValidationError(
            f"{attribute.name} must be callable or None, got {type(value).__name__}",
            field=attribute.name,
        )


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How requests are retried. Pass one as ``retry=`` to a client or to ``with_options``."""

    max_retries: int = attrs.field(default=2, validator=_check_retries)
    """Retries after the first attempt; 0 disables retrying."""
    backoff_base: float = attrs.field(default=0.5, validator=_check_seconds)
    """The first retry waits up to this many seconds; each further one up to twice as long."""
    backoff_max: float = attrs.field(default=8.0, validator=_check_seconds)
    """No backoff is longer than this."""
    retry_after_max: float = attrs.field(default=30.0, validator=_check_seconds)
    """A ``Retry-After`` header is honoured up to this many seconds."""
    deadline: float | None = attrs.field(default=None, validator=_check_seconds)
    """Seconds from the first attempt after which no retry starts (``None``: no limit)."""
    on_retry: Callable[[RetryEvent], None] | None = attrs.field(
        default=None, eq=False, validator=_check_hook
    )
    """Called before each retry (a log line at INFO level is written either way)."""

    def backoff(self, retry: int, *, rng: Callable[[], float] = random.random) -> float:
        """Full-jitter backoff for a retry: uniform between 0 and the capped exponential delay.

        Args:
            retry: Which retry this is, from 1.
            rng: A source of uniform numbers in [0, 1).

        Returns:
            Seconds to wait.
        """
        cap = min(self.backoff_max, self.backoff_base * (2 ** (retry - 1)))
        return float(cap * rng())

    def is_retryable(self, error: APIError, *, method: str) -> bool:
        """Whether a failed request may be sent again.

        Args:
            error: How the request failed.
            method: The request's HTTP method.

        Returns:
            True when the policy retries this failure.
        """
        if isinstance(error, APIConnectionError):
            return True
        if isinstance(error, APIStatusError):
            if error.status_code in _RETRY_STATUSES:
                return True
            # A 500 may have been half applied, so only requests that change nothing repeat it.
            # (ConflictError also carries 500 for the server's mislabelled retry refusal.)
            return (
                error.status_code == 500
                and isinstance(error, ServerError)
                and method.upper() in _SAFE_METHODS
            )
        return False

    def delay_for(
        self, error: APIError, retry: int, *, rng: Callable[[], float] = random.random
    ) -> float | None:
        """How long to wait before a retry (the server's ``Retry-After`` when it sent one).

        A ``Retry-After`` longer than :attr:`retry_after_max` gives ``None``: honouring it early
        would only be refused again, so the error is raised with the server's delay.

        Args:
            error: How the previous attempt failed.
            retry: Which retry this is, from 1.
            rng: A source of uniform numbers in [0, 1), for the backoff's jitter.

        Returns:
            Seconds to wait, or ``None`` when the server asks for longer than the cap.
        """
        if isinstance(error, APIStatusError):
            after = retry_after_seconds(error.response.headers.get("retry-after"))
            if after is not None:
                return after if after <= self.retry_after_max else None
        return self.backoff(retry, rng=rng)

    def next_delay(
        self,
        error: APIError,
        retry: int,
        *,
        method: str,
        elapsed: float,
        rng: Callable[[], float] = random.random,
    ) -> float | None:
        """The pause before a retry, or ``None`` when the policy says not to retry.

        No retry happens when the budget is spent, the error is not retryable for ``method``,
        ``Retry-After`` exceeds the cap, or the pause would cross the deadline.

        Args:
            error: How the previous attempt failed.
            retry: Which retry this would be, from 1.
            method: The request's HTTP method.
            elapsed: Seconds since the first attempt.
            rng: A source of uniform numbers in [0, 1), for the backoff's jitter.

        Returns:
            Seconds to wait, or ``None`` to give up.
        """
        if retry > self.max_retries or not self.is_retryable(error, method=method):
            return None
        delay = self.delay_for(error, retry, rng=rng)
        if delay is None:
            logger.info(
                "not retrying: the server asks to wait longer than retry_after_max (%.0fs): %s",
                self.retry_after_max,
                error,
            )
            return None
        if self.deadline is not None and elapsed + delay > self.deadline:
            return None
        return delay

    def announce(
        self, what: str, *, operation: str, retry: int, of: str, delay: float, error: APIError
    ) -> None:
        """Log a retry about to happen (INFO) and call :attr:`on_retry`.

        Every retrying loop reports through here, so each retry is visible the same way.

        Args:
            what: The method and path (never headers or bodies).
            operation: The operationId being retried, such as ``"submit_job"``.
            retry: Which retry this is, from 1.
            of: The budget, such as ``"2"`` or ``"the deadline"``.
            delay: Seconds the SDK waits before the retry.
            error: Why the previous attempt failed.
        """
        logger.info(
            "retrying %s in %.2fs (retry %d of %s) after: %s", what, delay, retry, of, error
        )
        if self.on_retry is not None:
            self.on_retry(RetryEvent(operation, retry, delay, error))


def retry_after_seconds(value: str | None, *, now: Callable[[], float] = time.time) -> float | None:
    """Parse a ``Retry-After`` header: delta-seconds or an HTTP date. ``None`` if absent or bad."""
    if not value:
        return None
    value = value.strip()
    # ASCII only: str.isdigit() is also true for "²" (a latin-1 header byte), which float() refuses.
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when: datetime = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - now())


class Reply:
    """A successful response, and whether an earlier attempt may have been applied already.

    ``ambiguous`` is true when a previous attempt of the same request failed in a way that
    leaves open whether the server acted on it (the response was lost). Operations that are
    not naturally idempotent (cancel, retry, delete) use it to recognise their own earlier
    success.
    """

    __slots__ = ("ambiguous", "response", "retries")

    def __init__(self, response: httpx.Response, ambiguous: bool, retries: int = 0) -> None:
        self.response = response
        self.ambiguous = ambiguous
        self.retries = retries
        """Retries of the policy's budget spent so far (including those spent before)."""


def send(
    request: Request,
    policy: RetryPolicy,
    *,
    clock: Callable[[], float] = time.monotonic,
    rng: Callable[[], float] = random.random,
    recheck: Callable[[], Flow[httpx.Response | None]] | None = None,
    spent: int = 0,
) -> Flow[Reply]:
    """Send ``request``, retrying by ``policy``; return the 2xx reply or raise the mapped error.

    ``recheck`` serves requests that must not be applied twice and carry no idempotency key:
    before retrying after a failure the server may have acted on, it looks at the server's
    state and returns a response that shows the work done (returned as the reply), or
    ``None`` to go ahead with the retry. ``spent`` retries of the budget are already used (by
    an earlier resend of the same call).
    """
    method = request.kwargs["method"].upper()
    started = clock()
    retry = spent
    ambiguous = spent > 0
    while True:
        error: APIError
        try:
            response: httpx.Response = yield request
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            error = connection_error(exc, request)
            cause: BaseException = exc
            applied = maybe_applied(exc)
        else:
            if response.is_success:
                return Reply(response, ambiguous, retry)
            error = status_error(response, operation=request.operation)
            cause = error
            applied = response.status_code in (502, 504)
        error.after_ambiguous_attempt = ambiguous
        retry += 1
        delay = policy.next_delay(error, retry, method=method, elapsed=clock() - started, rng=rng)
        if delay is None:
            if cause is error:
                raise error
            raise error from cause
        ambiguous = ambiguous or applied
        if applied and recheck is not None:
            done = yield from recheck()
            if done is not None:
                return Reply(done, True, retry)
        policy.announce(
            f"{method} {request.kwargs['url']}",
            operation=request.operation,
            retry=retry,
            of=str(policy.max_retries),
            delay=delay,
            error=error,
        )
        yield Sleep(delay)
