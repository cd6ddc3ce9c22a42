"""The benchmark suite still runs: ``python -m benchmarks --quick`` exits 0 and prints every row.

No timing is asserted (the quick counts are too small to mean anything, and CI machines vary);
this only keeps ``benchmarks/`` from rotting. Figures whose optional dependencies (aiohttp,
httpx-sse: the ``bench`` dependency group) are missing print a ``skipped`` row instead.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROWS = ("1a", "1b", "2a", "2b", "2d", "3a", "3b", "4", "5", "6", "7", "8", "9", "10")


@pytest.fixture(scope="module")
def quick_run() -> subprocess.CompletedProcess[str]:
    """One ``--quick`` run of the whole suite, shared by the tests below."""
    results = ROOT / "benchmarks" / "RESULTS.md"
    before = results.read_bytes() if results.exists() else None
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    after = results.read_bytes() if results.exists() else None
    assert before == after, "--quick must not write benchmarks/RESULTS.md"
    return completed


def test_quick_run_exits_zero(quick_run: subprocess.CompletedProcess[str]) -> None:
    assert quick_run.returncode == 0, quick_run.stderr[-4000:]


def test_quick_run_prints_every_figure_row(quick_run: subprocess.CompletedProcess[str]) -> None:
    printed = {
        match.group(1)
        for match in re.finditer(r"^(\d+[a-z]?)\s{2,}\S", quick_run.stdout, flags=re.MULTILINE)
    }
    assert set(ROWS) <= printed, quick_run.stdout
    for number in ROWS:
        row = next(
            line for line in quick_run.stdout.splitlines() if re.match(rf"{number}\s{{2,}}", line)
        )
        assert re.search(r"\s(yes|NO|report|skipped)$", row), row
