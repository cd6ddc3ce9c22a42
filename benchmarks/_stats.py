"""Statistics and scheduling helpers: medians, percentiles and interleaved runs.

Every figure is a median over repeated runs, compared with a baseline measured in the same
process and the same minute. :func:`interleave` alternates the contenders round by round (and
reverses the order every other round), so slow drifts of the machine (frequency scaling, a
noisy neighbour, the page cache warming up) hit both sides alike instead of biasing one.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence

__all__ = [
    "alternate",
    "interleave",
    "interleave_async",
    "median",
    "paired_median",
    "percentile",
    "timed",
]


def median(samples: Sequence[float]) -> float:
    """The median of ``samples`` (which must not be empty)."""
    if not samples:
        raise ValueError("median of no samples")
    return float(statistics.median(samples))


def paired_median(
    first: Sequence[float], second: Sequence[float], combine: Callable[[float, float], float]
) -> float:
    """The median of ``combine(first[i], second[i])`` over the rounds of an interleaved run.

    Each round measures both sides back to back, so a round's own ratio or difference sees one
    state of the machine; its median shrugs off bursts of load that land on one side's samples
    more than the other's, which the ratio of two medians does not.
    """
    return median([combine(a, b) for a, b in zip(first, second, strict=True)])


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile (0..1) of ``samples``, by linear interpolation."""
    if not samples:
        raise ValueError("percentile of no samples")
    ordered = sorted(samples)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` takes (``time.perf_counter``)."""
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def alternate(
    calls: Mapping[str, Callable[[], object]], count: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Time ``count`` calls of each function one by one, alternating the functions call by call
    (A B, B A, A B, ...): the finest interleaving, so a burst of load from another process
    lands on both sides. Returns wall and CPU seconds (``time.process_time``) of every call.

    The median of such per-call samples is the typical cost of one call on a quiet machine;
    calls that were descheduled or hit a garbage collection are outliers on both sides.
    """
    names = list(calls)
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    clock, cpu_clock = time.perf_counter, time.process_time
    for index in range(count):
        for name in _order(names, index):
            fn = calls[name]
            cpu_started = cpu_clock()
            started = clock()
            fn()
            ended = clock()
            cpu[name].append(cpu_clock() - cpu_started)
            wall[name].append(ended - started)
    return wall, cpu


def _order(names: Sequence[str], round_index: int) -> list[str]:
    # A, B, C / C, B, A / A, B, C ...: each side runs first and last equally often.
    return list(names) if round_index % 2 == 0 else list(reversed(names))


def interleave(runners: Mapping[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Run each runner once per round, alternating the order, and collect what they return.

    A runner returns its own measurement (usually seconds, or seconds per operation), so it
    can exclude its set-up from the timed part.
    """
    names = list(runners)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        for name in _order(names, index):
            samples[name].append(runners[name]())
    return samples


async def interleave_async(
    runners: Mapping[str, Callable[[], Awaitable[float]]], rounds: int
) -> dict[str, list[float]]:
    """:func:`interleave` for coroutine runners, on the running event loop."""
    names = list(runners)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        for name in _order(names, index):
            samples[name].append(await runners[name]())
    return samples
