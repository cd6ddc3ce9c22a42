"""The results table (terminal) and ``benchmarks/RESULTS.md``."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
from collections.abc import Sequence
from pathlib import Path

from ._common import Row

__all__ = ["environment", "format_table", "write_markdown"]

_HEADERS = ("#", "figure", "measured", "baseline", "ratio", "target", "met?")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, or ``n/a``."""
    try:
        return "/".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "n/a"


def environment(load_at_start: str) -> dict[str, str]:
    """Machine, interpreter and package versions, for the report."""
    return {
        "CPU": _cpu_model(),
        "cores": str(os.cpu_count()),
        "load average (1/5/15 min)": f"{load_at_start} at the start, {load_average()} at the end "
        "(other work on the machine; the interleaving is there to cancel it)",
        "OS": platform.platform(),
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "gopherqueue": _version("gopherqueue"),
        "httpx": _version("httpx"),
        "httpcore": _version("httpcore"),
        "anyio": _version("anyio"),
        "sniffio": _version("sniffio"),
        "aiohttp": _version("aiohttp"),
        "httpx-sse": _version("httpx-sse"),
        "attrs": _version("attrs"),
        "uvicorn (embedded server)": _version("uvicorn"),
    }


def _cells(row: Row) -> tuple[str, ...]:
    if row.ratio is None:
        ratio = "-"
    else:
        # Three decimals near 1, so a ratio of 1.153 against a target of 1.15 does not print
        # as "1.15  NO".
        ratio = f"{row.ratio:.3f}" if row.ratio < 10 else f"{row.ratio:.1f}"
    return (row.number, row.title, row.measured, row.baseline, ratio, row.target, row.status)


def format_table(rows: Sequence[Row]) -> str:
    """A fixed-width text table, one line per row."""
    cells = [_HEADERS, *(_cells(row) for row in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(_HEADERS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in cells
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def write_markdown(path: Path, rows: Sequence[Row], env: dict[str, str], seconds: float) -> None:
    """Write the full report: machine, table, then method and raw samples per figure."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# Benchmark results",
        "",
        f"Written by `python -m benchmarks` (`nox -s bench`) on {now}; the run took "
        f"{seconds:.0f} s. Regenerate with `nox -s bench`; `nox -s bench -- --quick` is the CI "
        "smoke run and writes nothing.",
        "",
        "## Machine",
        "",
        *(f"* **{key}**: {value}" for key, value in env.items()),
        "",
        "## Figures",
        "",
        "| " + " | ".join(_HEADERS) + " |",
        "|" + "---|" * len(_HEADERS),
        *("| " + " | ".join(_escape(cell) for cell in _cells(row)) + " |" for row in rows),
        "",
        "Every figure is a median over repeated runs; each baseline is measured in the same run, "
        "interleaved with the SDK's runs (the order alternates every round) so machine noise "
        "hits both sides alike. Where each round times both sides once (figures 2, 3a, 3b and 4) "
        "the figure is the median of the rounds' own ratios or differences, and the notes also "
        "give the ratio of the two medians. `met?` is `report` for figures that have no target.",
        "",
        "## Per figure",
        "",
    ]
    for row in rows:
        out.append(f"### {row.number}. {row.title}")
        out.append("")
        if row.ratio_label:
            out.append(f"* ratio = {row.ratio_label}")
        out.extend(f"* {note}" for note in row.notes)
        for name, values in row.samples.items():
            shown = ", ".join(f"{v:,.4g}" for v in values)
            out.append(f"* samples `{name}`: {shown}")
        out.append("")
    text = "\n".join(out).rstrip() + "\n"
    kept = typescript_section(path.read_text(encoding="utf-8")) if path.exists() else None
    if kept is not None:
        text += "\n" + kept + "\n"
    path.write_text(text, encoding="utf-8")


TS_START = "<!-- typescript:start -->"
TS_END = "<!-- typescript:end -->"


def typescript_section(text: str) -> str | None:
    """The TypeScript SDK's figures (written by its own benchmark between these markers, the
    markers included), which a Python run keeps as they are; None when there are none."""
    start = text.find(TS_START)
    end = text.find(TS_END, start)
    if start < 0 or end < 0:
        return None
    return text[start : end + len(TS_END)]
