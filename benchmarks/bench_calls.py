"""Figures 1, 3a and 8: the SDK's per-request cost against raw HTTP clients, on the canned server.

1. Per-call overhead, sync: ``GopherQueueSync.get(id, include_result=False)`` and ``.submit()``
   against ``httpx.Client`` sending the same request and ``json.loads``-ing the reply.
3a. Batch cost: client CPU time per job of a 10,000-job ``submit_batch`` against one
   ``submit`` per job.
8. Memory: the growth of a process's RSS between its 1,000th and 10,000th submit with one client.

The canned server (:mod:`benchmarks._canned_server`) answers with recorded real responses from a
separate process, so both sides of every comparison get the same cheap server.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

import gopherqueue
from gopherqueue import GopherQueueSync

from ._common import ROOT, Config, Row
from ._data import JOB_ID, submit_payload
from ._stats import alternate, interleave, median, paired_median, percentile

__all__ = ["batch_cost", "memory_growth", "sync_call_overhead"]

_TARGET_SYNC = 1.10
_TARGET_MEMORY_MB = 5.0


def client_headers() -> dict[str, str]:
    """Headers like the SDK's own, so the raw clients send requests of the same size."""
    agent = (
        f"gopherqueue-python/{gopherqueue.__version__} httpx/{httpx.__version__} "
        f"python/{platform.python_version()}"
    )
    return {"User-Agent": agent, "Accept": "application/json"}


def submit_body(payload: Any) -> dict[str, Any]:
    """What ``submit("echo", payload)`` sends: type, payload and a fresh idempotency key."""
    return {"type": "echo", "payload": payload, "idempotency_key": f"gq-{uuid.uuid4()}"}


def _cpu_note(
    cpu: dict[str, list[float]],
    unit: str,
    scale: float,
    *,
    higher_is_better: bool,
    other: str = "httpx",
    sdk_key: str = "sdk",
) -> str:
    """The same comparison in client CPU time, which other load on the machine barely moves."""
    sdk, raw = (median(cpu[k]) * scale for k in (sdk_key, other))
    return (
        "client CPU time (time.process_time): "
        f"SDK {sdk:,.0f} {unit} vs {other} {raw:,.0f} {unit}, ratio {sdk / raw:.2f}"
        + (" (throughput per CPU second)" if higher_is_better else "")
    )


def sync_call_overhead(cfg: Config, url: str) -> list[Row]:
    """Figure 1: per-call time of the sync client against httpx.Client + json.loads."""
    payload = submit_payload()
    job_url = f"{url}/api/v1/jobs/{JOB_ID}"
    submit_url = f"{url}/api/v1/jobs"
    rows: list[Row] = []
    with GopherQueueSync(url) as sdk, httpx.Client(headers=client_headers()) as raw:

        def sdk_get() -> object:
            return sdk.get(JOB_ID, include_result=False)

        def raw_get() -> object:
            response = raw.get(job_url)
            if response.status_code != 200:
                raise RuntimeError(f"canned server answered {response.status_code}")
            return json.loads(response.content)

        def sdk_submit() -> object:
            return sdk.submit("echo", payload)

        def raw_submit() -> object:
            response = raw.post(submit_url, json=submit_body(payload))
            if response.status_code != 201:
                raise RuntimeError(f"canned server answered {response.status_code}")
            return json.loads(response.content)

        cases = [
            ("1a", "get(include_result=False)", sdk_get, raw_get),
            ("1b", "submit()", sdk_submit, raw_submit),
        ]
        for number, what, sdk_fn, raw_fn in cases:
            for fn in (sdk_fn, raw_fn):  # warm up: connection, caches, lazy imports
                for _ in range(max(10, cfg.calls_per_side // 20)):
                    fn()
            wall, cpu = alternate({"sdk": sdk_fn, "httpx": raw_fn}, cfg.calls_per_side)
            sdk_s, raw_s = median(wall["sdk"]), median(wall["httpx"])
            ratio = sdk_s / raw_s
            rows.append(
                Row(
                    number=number,
                    title=f"sync per-call: {what}",
                    measured=f"{sdk_s * 1e6:.0f} us/call",
                    baseline=f"{raw_s * 1e6:.0f} us/call (httpx.Client + json.loads)",
                    ratio=ratio,
                    ratio_label="SDK time / httpx time (medians of single calls)",
                    target=f"ratio <= {_TARGET_SYNC}",
                    met=ratio <= _TARGET_SYNC,
                    notes=[
                        f"{cfg.calls_per_side:,} calls per side, alternating SDK and httpx call "
                        "by call; canned server in a separate process",
                        f"p90: SDK {percentile(wall['sdk'], 0.9) * 1e6:.0f} us, httpx "
                        f"{percentile(wall['httpx'], 0.9) * 1e6:.0f} us",
                        _cpu_note(cpu, "us/call", 1e6, higher_is_better=False),
                    ],
                )
            )
    return rows


def _count(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def _probe(url: str, client: str, cfg: Config) -> tuple[float, float]:
    """Run one memory probe process; its RSS (MB) at the checkpoint and at the end."""
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks._memory_probe",
            "--url",
            url,
            "--client",
            client,
            "--submits",
            str(cfg.memory_submits),
            "--checkpoint",
            str(cfg.memory_checkpoint),
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
    return report["rss_checkpoint_kb"] / 1024, report["rss_end_kb"] / 1024


def memory_growth(cfg: Config, url: str) -> list[Row]:
    """Figure 8: RSS growth from submit 1,000 to submit 10,000 in a fresh process."""
    probes: dict[str, list[tuple[float, float]]] = {"sdk": [], "httpx": []}

    def runner(client: str) -> Callable[[], float]:
        def run() -> float:
            checkpoint, end = _probe(url, client, cfg)
            probes[client].append((checkpoint, end))
            return end - checkpoint

        return run

    samples = interleave({"sdk": runner("sdk"), "httpx": runner("httpx")}, cfg.memory_runs)
    sdk, raw = median(samples["sdk"]), median(samples["httpx"])
    end_rss = median([end for _, end in probes["sdk"]])
    return [
        Row(
            number="8",
            title=f"memory: RSS growth {_count(cfg.memory_checkpoint)} -> "
            f"{_count(cfg.memory_submits)} submits",
            measured=f"+{sdk:.2f} MB (RSS {end_rss:.1f} MB at the end)",
            baseline=f"+{raw:.2f} MB (httpx.Client + json.loads)",
            ratio=None,
            ratio_label="",
            target=f"growth <= {_TARGET_MEMORY_MB:.0f} MB",
            met=sdk <= _TARGET_MEMORY_MB,
            notes=[
                f"VmRSS after submit {cfg.memory_checkpoint:,} and after submit "
                f"{cfg.memory_submits:,}, one client, fresh process; median of "
                f"{cfg.memory_runs} processes per side (gc.collect() before each reading)"
            ],
            samples=samples,
        )
    ]


_TARGET_BATCH_SHARE = 1 / 20


def batch_cost(cfg: Config, url: str) -> list[Row]:
    """Figure 3: client CPU time per job, one N-job ``submit_batch`` against single submits."""
    n = cfg.batch_cost_jobs
    specs = [{"type": "echo", "payload": {"i": i}} for i in range(n)]
    singles = cfg.batch_cost_singles
    payload = submit_payload()
    with GopherQueueSync(url) as client:

        def batch() -> float:
            started = time.process_time()
            result = client.submit_batch(specs)
            cpu = time.process_time() - started
            if result.accepted != n:
                raise RuntimeError(f"batch accepted {result.accepted} of {n}")
            return cpu / n

        def single() -> float:
            started = time.process_time()
            for _ in range(singles):
                client.submit("echo", payload)
            return (time.process_time() - started) / singles

        client.submit("echo", payload)  # warm up the connection
        samples = interleave({"batch": batch, "single": single}, cfg.batch_cost_rounds)
    share = paired_median(samples["batch"], samples["single"], lambda b, s: b / s)
    return [
        Row(
            number="3a",
            title=f"batch cost: client CPU per job, {n:,}-job submit_batch vs submit",
            measured=f"{median(samples['batch']) * 1e6:.1f} us CPU/job (submit_batch)",
            baseline=f"{median(samples['single']) * 1e6:.0f} us CPU/job (one submit per job)",
            ratio=share,
            ratio_label="batch CPU per job / single-submit CPU per job",
            target=f"ratio <= 1/{1 / _TARGET_BATCH_SHARE:.0f}",
            met=share <= _TARGET_BATCH_SHARE,
            notes=[
                "time.process_time() of this process only: the canned server (capture 174, "
                "1,000 accepted jobs per chunk) runs in its own process, so this is what the "
                "SDK costs, not what a server costs",
                f"{cfg.batch_cost_rounds} interleaved rounds; singles: {singles} submits per "
                f"round; the ratio is the median of the rounds' own ratios (1/{1 / share:.0f})",
            ],
            samples={k: [v * 1e6 for v in vals] for k, vals in samples.items()},
        )
    ]
