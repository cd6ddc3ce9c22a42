"""Figure 2: async throughput and latency, each task a ``submit`` then a ``get``.

At concurrency 10, 100 and 500, four clients run the same tasks against the canned server (a
separate process), in blocks that alternate client by client: ``GopherQueue(url)`` (the
default: the aiohttp driver), ``GopherQueue(url, http_backend="httpx")``, raw
``aiohttp.ClientSession`` and raw ``httpx.AsyncClient`` (each raw task posts the same body and
``json.loads`` both replies). The targets compare the default client with raw aiohttp. The
canned server's own CPU time is read during raw aiohttp's blocks, to show it is not the
bottleneck.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable

import httpx

from gopherqueue import GopherQueue

from ._common import Config, Row
from ._data import JOB_ID, submit_payload
from ._stats import interleave_async, median, paired_median, percentile
from .bench_calls import client_headers, submit_body

__all__ = ["async_figures"]

#: Concurrency -> the default client's throughput target, as a ratio of raw aiohttp's.
_TARGETS: dict[int, float | None] = {10: None, 100: 0.8, 500: 0.7}
_LATENCY_AT = 100
_NAMES = {
    "sdk": "GopherQueue(url), default (aiohttp)",
    "sdk_httpx": 'GopherQueue(url, http_backend="httpx")',
    "aiohttp": "raw aiohttp",
    "httpx": "raw httpx.AsyncClient",
}


async def _block(
    tasks: int, concurrency: int, one: Callable[[], Awaitable[object]], latencies: list[float]
) -> float:
    """Run ``tasks`` tasks, ``concurrency`` at a time; tasks per second (wall clock)."""
    queue = iter(range(tasks))

    async def worker() -> None:
        for _ in queue:
            started = time.perf_counter()
            await one()
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return tasks / (time.perf_counter() - started)


async def _level(
    url: str,
    concurrency: int,
    tasks: int,
    rounds: int,
    server_cpu: Callable[[], float],
    latency: dict[str, list[float]],
) -> tuple[dict[str, list[float]], float]:
    """One concurrency level: every client's throughput per block, and the canned server's
    CPU share while raw aiohttp ran."""
    import aiohttp

    payload = submit_payload()
    jobs_url = f"{url}/api/v1/jobs"
    get_url = f"{jobs_url}/{JOB_ID}"
    # Every client keeps its library's default connection limits (100 connections for both
    # aiohttp and httpx), as a user who constructs it without options gets. Raw httpx's
    # default 5 s pool timeout is lifted: 500 tasks queue for 100 connections, and on a busy
    # machine a queued request waits longer than that (aiohttp's queue has no such limit).
    session = aiohttp.ClientSession(headers=client_headers())
    raw = httpx.AsyncClient(headers=client_headers(), timeout=httpx.Timeout(5.0, pool=None))
    sdk = GopherQueue(url)
    sdk_httpx = GopherQueue(url, http_backend="httpx")

    async def sdk_one() -> object:
        job = await sdk.submit("echo", payload)
        return await sdk.get(JOB_ID, include_result=False), job

    async def sdk_httpx_one() -> object:
        job = await sdk_httpx.submit("echo", payload)
        return await sdk_httpx.get(JOB_ID, include_result=False), job

    async def aiohttp_one() -> object:
        async with session.post(jobs_url, json=submit_body(payload)) as response:
            job = json.loads(await response.read())
        async with session.get(get_url) as response:
            return json.loads(await response.read()), job

    async def httpx_one() -> object:
        job = json.loads((await raw.post(jobs_url, json=submit_body(payload))).content)
        return json.loads((await raw.get(get_url)).content), job

    ones: dict[str, Callable[[], Awaitable[object]]] = {
        "sdk": sdk_one,
        "sdk_httpx": sdk_httpx_one,
        "aiohttp": aiohttp_one,
        "httpx": httpx_one,
    }
    shares: list[float] = []

    def runner(name: str) -> Callable[[], Awaitable[float]]:
        async def run() -> float:
            seen: list[float] = []
            cpu_before, wall_before = server_cpu(), time.perf_counter()
            rate = await _block(tasks, concurrency, ones[name], seen)
            if name == "aiohttp":
                shares.append((server_cpu() - cpu_before) / (time.perf_counter() - wall_before))
            if concurrency == _LATENCY_AT:
                latency.setdefault(name, []).extend(seen)
            return rate

        return run

    try:
        for one in ones.values():  # warm up: open the pools, lazy imports
            await _block(max(concurrency, tasks // 4), concurrency, one, [])
        samples = await interleave_async({name: runner(name) for name in ones}, rounds)
    finally:
        await session.close()
        await raw.aclose()
        await sdk.aclose()
        await sdk_httpx.aclose()
    return samples, median(shares)


async def _run(
    cfg: Config, url: str, server_cpu: Callable[[], float]
) -> tuple[dict[int, dict[str, list[float]]], dict[str, list[float]], dict[int, float]]:
    throughput: dict[int, dict[str, list[float]]] = {}
    latency: dict[str, list[float]] = {}
    server_share: dict[int, float] = {}
    for concurrency in cfg.async_levels:
        tasks = max(cfg.async_tasks_min, cfg.async_tasks_per_conn * concurrency)
        throughput[concurrency], server_share[concurrency] = await _level(
            url, concurrency, tasks, cfg.async_blocks, server_cpu, latency
        )
    return throughput, latency, server_share


def async_figures(cfg: Config, url: str, server_cpu: Callable[[], float]) -> list[Row]:
    """Figure 2a-2c (throughput at each concurrency) and 2d (latency at concurrency 100)."""
    throughput, latency, share = asyncio.run(_run(cfg, url, server_cpu))
    rows: list[Row] = []
    for letter, concurrency in zip("abc", cfg.async_levels, strict=False):
        samples = throughput[concurrency]
        ratio = paired_median(samples["sdk"], samples["aiohttp"], lambda a, b: a / b)
        target = _TARGETS.get(concurrency)
        others = ", ".join(
            f"{_NAMES[name]} {median(values):,.0f} tasks/s "
            f"({paired_median(values, samples['aiohttp'], lambda a, b: a / b):.2f}x aiohttp)"
            for name, values in samples.items()
        )
        rows.append(
            Row(
                number=f"2{letter}",
                title=f"async submit+get throughput, concurrency {concurrency}",
                measured=f"{median(samples['sdk']):,.0f} tasks/s",
                baseline=f"{median(samples['aiohttp']):,.0f} tasks/s (raw aiohttp)",
                ratio=ratio,
                ratio_label="default GopherQueue(url) throughput / raw aiohttp throughput",
                target="report" if target is None else f"ratio >= {target}",
                met=None if target is None else ratio >= target,
                notes=[
                    f"each task a submit then a get; {cfg.async_blocks} interleaved blocks per "
                    f"client of {max(cfg.async_tasks_min, cfg.async_tasks_per_conn * concurrency):,}"
                    " tasks; the ratio is the median of the rounds' own ratios",
                    f"every client in the same run: {others}",
                    "canned server's ceiling: it used "
                    f"{share[concurrency]:.2f} CPU-seconds per second (of 1 core) while raw aiohttp "
                    "ran, so it is not the bottleneck (it would need ~1.0)",
                ],
                samples={k: [round(v, 1) for v in vals] for k, vals in samples.items()},
            )
        )
    if latency:
        p50 = {name: percentile(values, 0.5) * 1000 for name, values in latency.items()}
        p99 = {name: percentile(values, 0.99) * 1000 for name, values in latency.items()}
        rows.append(
            Row(
                number="2d",
                title=f"async submit+get latency, concurrency {_LATENCY_AT}",
                measured=f"p50 {p50['sdk']:.1f} ms, p99 {p99['sdk']:.1f} ms",
                baseline=f"p50 {p50['aiohttp']:.1f} ms, p99 {p99['aiohttp']:.1f} ms (raw aiohttp)",
                ratio=p50["sdk"] / p50["aiohttp"],
                ratio_label="default client p50 / raw aiohttp p50",
                target="report",
                met=None,
                notes=[
                    "per-task latency (submit then get) over every task of figure 2b's blocks",
                    "; ".join(
                        f"{_NAMES[name]}: p50 {p50[name]:.1f} ms, p99 {p99[name]:.1f} ms"
                        for name in latency
                    ),
                ],
            )
        )
    return rows
