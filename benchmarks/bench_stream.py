"""Figures 9 and 10 on the canned server: the memory a huge batch holds, and events through one
long-lived stream.

9. Peak RSS of one 100,000-job ``submit_batch`` (jobs from a generator) in a fresh process,
   against raw ``httpx.Client`` posting the same 1,000-job chunks one after another.
10. ``async for event in GopherQueue(url).events()`` over one long stream (50,000 job events)
    against raw aiohttp reading the same response's bytes: events/s decoded, and the bytes/s
    that is, against raw bytes/s read.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

from gopherqueue import GopherQueue

from ._canned_server import STREAM_EVENTS
from ._common import ROOT, Config, Row
from ._data import sse_long_stream
from ._stats import interleave, interleave_async, median, paired_median

__all__ = ["batch_memory", "stream_throughput"]

#: What figure 9 accepts as the SDK's transient peak (peak RSS above what the call returns): the
#: SDK holds one chunk's bodies and encoded request at a time, so it does not scale with the batch.
_TARGET_TRANSIENT_MB = 20.0


def _probe(url: str, client: str, jobs: int) -> dict[str, float]:
    """One fresh process: RSS before, after (the result still held) and at the peak, in MB."""
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks._memory_probe",
            "--url",
            url,
            "--client",
            client,
            "--batch",
            str(jobs),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"memory probe failed:\n{completed.stderr}")
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    return {key.removesuffix("_kb"): value / 1024 for key, value in report.items()}


def batch_memory(cfg: Config, url: str) -> list[Row]:
    """Figure 9: one N-job submit_batch's transient peak RSS, against raw httpx chunks."""
    jobs = cfg.batch_memory_jobs
    reports: dict[str, list[dict[str, float]]] = {"sdk": [], "httpx": []}

    def runner(client: str) -> Callable[[], float]:
        def run() -> float:
            report = _probe(url, client, jobs)
            reports[client].append(report)
            return report["rss_peak"] - report["rss_after"]

        return run

    samples = interleave({"sdk": runner("sdk"), "httpx": runner("httpx")}, cfg.memory_runs)
    sdk, raw = median(samples["sdk"]), median(samples["httpx"])

    def retained(client: str) -> float:
        return median([r["rss_after"] - r["rss_before"] for r in reports[client]])

    def per_job(mb: float) -> str:
        return f"{mb * 1024 * 1024 / jobs:,.0f} B/job"

    return [
        Row(
            number="9",
            title=f"memory: transient peak RSS of one {jobs:,}-job submit_batch",
            measured=f"+{sdk:.1f} MB above the result held",
            baseline=f"+{raw:.1f} MB (httpx.Client posting the same 1,000-job chunks)",
            ratio=None,
            ratio_label="",
            target=f"<= {_TARGET_TRANSIENT_MB:.0f} MB",
            met=sdk <= _TARGET_TRANSIENT_MB,
            notes=[
                "transient = VmHWM (peak RSS) minus VmRSS after the call with its result still "
                "held, fresh process per run; jobs from a generator on both sides; median of "
                f"{cfg.memory_runs} runs per side",
                f"retained (the result itself): SDK +{retained('sdk'):.1f} MB "
                f"({per_job(retained('sdk'))}: a BatchResult of typed Jobs, each keeping its "
                f"generated model as `raw`), raw httpx +{retained('httpx'):.1f} MB "
                f"({per_job(retained('httpx'))}: the parsed JSON results)",
                "bounded: each chunk's bodies and encoded request are released once answered",
            ],
            samples=samples,
        )
    ]


async def _stream_samples(url: str, rounds: int) -> dict[str, list[float]]:
    import aiohttp

    body, events = sse_long_stream(STREAM_EVENTS)
    size = len(body)
    events_url = f"{url}/api/v1/events"

    async def sdk_run() -> float:
        # A fresh client per run: the stream ends after its events and events() would
        # reconnect; the loop stops at the last one.
        async with GopherQueue(url) as client:
            seen = 0
            started = time.perf_counter()
            stream = client.events()
            async for event in stream:
                if event.event_type != "connected":
                    seen += 1
                    if seen == events:
                        break
            elapsed = time.perf_counter() - started
            await stream.aclose()
        return events / elapsed

    async def aiohttp_run() -> float:
        async with aiohttp.ClientSession() as session:
            started = time.perf_counter()
            read = 0
            async with session.get(events_url) as response:
                async for chunk in response.content.iter_any():
                    read += len(chunk)
            elapsed = time.perf_counter() - started
        if read != size:
            raise RuntimeError(f"read {read} of {size} bytes")
        return size / elapsed

    runners: dict[str, Callable[[], Awaitable[float]]] = {"sdk": sdk_run, "aiohttp": aiohttp_run}
    for run in runners.values():
        await run()  # warm up
    return await interleave_async(runners, rounds)


def stream_throughput(cfg: Config, url: str) -> list[Row]:
    """Figure 10: events/s through one long-lived stream, against raw bytes/s read."""
    body, events = sse_long_stream(STREAM_EVENTS)
    per_event = len(body) / events
    samples = asyncio.run(_stream_samples(url, cfg.stream_rounds))
    sdk, raw = median(samples["sdk"]), median(samples["aiohttp"])
    ratio = paired_median(samples["sdk"], samples["aiohttp"], lambda e, b: e * per_event / b)
    return [
        Row(
            number="10",
            title="events: one long-lived stream, decoded vs raw bytes read",
            measured=f"{sdk:,.0f} events/s ({sdk * per_event / 1e6:.1f} MB/s)",
            baseline=f"{raw / 1e6:.1f} MB/s (raw aiohttp reading the same response)",
            ratio=ratio,
            ratio_label="SDK bytes/s (events/s x bytes per event) / raw bytes/s",
            target="report",
            met=None,
            notes=[
                f"{events:,} job events ({len(body) / 1e6:.1f} MB, capture 300's events "
                f"repeated) in one chunked response from the canned server; "
                f"{cfg.stream_rounds} interleaved rounds; default GopherQueue(url).events()",
            ],
            samples=samples,
        )
    ]
