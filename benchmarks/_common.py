"""What every benchmark module shares: run sizes, the result row, and small helpers."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

__all__ = ["ROOT", "Config", "Row", "missing_modules", "skipped_row"]

#: The repository root (``benchmarks/`` lives directly under it).
ROOT = Path(__file__).resolve().parent.parent

if str(ROOT) not in sys.path:
    # The canned responses come from tests/captures via tests/captures.py.
    sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Config:
    """How big each measurement is. :meth:`full` is the real run, :meth:`quick` the CI smoke run."""

    quick: bool
    # 1. sync per-call overhead
    calls_per_side: int
    # 2. async throughput
    async_blocks: int
    async_submits: int
    async_concurrency: int
    async_levels: tuple[int, ...]
    async_tasks_min: int
    async_tasks_per_conn: int
    batch_cost_jobs: int
    batch_cost_singles: int
    batch_cost_rounds: int
    batch_memory_jobs: int
    stream_rounds: int
    # 3. volume
    volume_rounds: int
    volume_jobs: int
    volume_single_max: int
    volume_single_budget_s: float
    # 4. import time
    import_runs: int
    # 5. parsing
    parse_calls: int
    # 6. SSE decoding
    sse_rounds: int
    sse_events: int
    # 7. wait latency
    wait_samples: int
    wait_hold_s: float
    # 8. memory
    memory_runs: int
    memory_submits: int
    memory_checkpoint: int

    @classmethod
    def full(cls) -> Config:
        """The sizes issue 7 asks for: about two minutes on an idle two-core machine, four on a
        busy one."""
        return cls(
            quick=False,
            calls_per_side=6_000,
            async_blocks=5,
            async_submits=5_000,
            async_concurrency=100,
            async_levels=(10, 100, 500),
            async_tasks_min=400,
            async_tasks_per_conn=2,
            batch_cost_jobs=10_000,
            batch_cost_singles=500,
            batch_cost_rounds=5,
            batch_memory_jobs=100_000,
            stream_rounds=5,
            volume_rounds=7,
            volume_jobs=10_000,
            volume_single_max=1_000,
            volume_single_budget_s=8.0,
            import_runs=10,
            parse_calls=1_000,
            sse_rounds=15,
            sse_events=10_000,
            wait_samples=15,
            wait_hold_s=0.15,
            memory_runs=3,
            memory_submits=10_000,
            memory_checkpoint=1_000,
        )

    @classmethod
    def quick_run(cls) -> Config:
        """Tiny sizes: proves every figure still runs, measures nothing meaningful."""
        return cls(
            quick=True,
            calls_per_side=20,
            async_blocks=1,
            async_submits=100,
            async_concurrency=10,
            async_levels=(10, 100),
            async_tasks_min=20,
            async_tasks_per_conn=2,
            batch_cost_jobs=2_000,
            batch_cost_singles=10,
            batch_cost_rounds=1,
            batch_memory_jobs=2_000,
            stream_rounds=1,
            volume_rounds=1,
            volume_jobs=1_200,
            volume_single_max=10,
            volume_single_budget_s=2.0,
            import_runs=2,
            parse_calls=5,
            sse_rounds=1,
            sse_events=300,
            wait_samples=2,
            wait_hold_s=0.15,
            memory_runs=1,
            memory_submits=100,
            memory_checkpoint=10,
        )


@dataclass
class Row:
    """One line of the results table.

    ``ratio`` is defined per figure (its meaning is in ``ratio_label``); ``met`` is ``None`` for
    figures that are reported without a target, or that were skipped.
    """

    number: str
    title: str
    measured: str
    baseline: str
    ratio: Optional[float]
    ratio_label: str
    target: str
    met: Optional[bool]
    notes: list[str] = field(default_factory=list)
    samples: dict[str, list[float]] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """``yes``, ``NO``, ``report`` (no target) or ``skipped``."""
        if self.measured.startswith("skipped"):
            return "skipped"
        if self.met is None:
            return "report"
        return "yes" if self.met else "NO"


def missing_modules(*names: str) -> list[str]:
    """The modules among ``names`` that cannot be imported here."""
    return [name for name in names if importlib.util.find_spec(name) is None]


def skipped_row(number: str, title: str, target: str, missing: list[str]) -> Row:
    """The row printed for a figure whose optional dependencies are not installed."""
    return Row(
        number=number,
        title=title,
        measured=f"skipped: {', '.join(missing)} not installed",
        baseline="-",
        ratio=None,
        ratio_label="",
        target=target,
        met=None,
        notes=["install the `bench` dependency group (nox -s bench does)"],
    )
