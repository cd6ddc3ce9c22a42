"""Figure 11: start-up of the ``gopherqueue`` command (``gopherqueue --help``).

The console script next to this interpreter runs in fresh processes, interpreter start-up
included, with bytecode cached as after an install. ``--help`` imports ``gopherqueue`` and the
parser, click; the output library (rich) is imported only by commands that draw.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ._common import ROOT, Config, Row
from ._stats import median
from .bench_local import bytecode_env

__all__ = ["cli_startup"]

_TARGET_MS = 300.0
_RUNS = 5


def _help_seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True, timeout=60)
    return time.perf_counter() - started


def cli_startup(cfg: Config) -> list[Row]:
    """Figure 11: median wall time of ``gopherqueue --help`` against ``python -c pass``."""
    script = Path(sys.executable).with_name("gopherqueue")
    with tempfile.TemporaryDirectory(prefix="gq-bench-pyc-") as cache_dir:
        env = bytecode_env(cache_dir)
        _help_seconds([str(script), "--help"], env)  # compile into the cache
        helps = [_help_seconds([str(script), "--help"], env) for _ in range(_RUNS)]
        bare = [_help_seconds([sys.executable, "-c", "pass"], env) for _ in range(_RUNS)]
    help_ms, bare_ms = median(helps) * 1e3, median(bare) * 1e3
    return [
        Row(
            number="11",
            title="CLI start-up: gopherqueue --help",
            measured=f"{help_ms:.0f} ms",
            baseline=f"{bare_ms:.0f} ms (python -c pass)",
            ratio=help_ms / bare_ms,
            ratio_label="gopherqueue --help / bare interpreter",
            target=f"<= {_TARGET_MS:.0f} ms",
            met=help_ms <= _TARGET_MS,
            notes=[
                f"median of {_RUNS} fresh processes, interpreter start-up included",
                "samples (ms): " + ", ".join(f"{s * 1e3:.0f}" for s in helps),
            ],
            samples={"help": [s * 1e3 for s in helps], "bare": [s * 1e3 for s in bare]},
        )
    ]
