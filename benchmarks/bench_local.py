"""Figures 4, 5 and 6: costs that need no server.

4. Import time: ``import gopherqueue`` against ``import httpx`` alone, in fresh processes.
5. Parsing: ``GopherQueueSync.list()`` of a 100-job reply (over ``httpx.MockTransport``)
   against ``json.loads`` of the same body.
6. Event decoding: events per second of ``gopherqueue._sse.SSEDecoder`` against httpx-sse on the
   same byte stream (the recorded stream repeated to ~10,000 events), in 4 KiB chunks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator

import httpx

from gopherqueue import GopherQueueSync
from gopherqueue._sse import SSEDecoder

from ._common import ROOT, Config, Row, missing_modules, skipped_row
from ._data import list_body, sse_stream
from ._stats import alternate, interleave, median, paired_median

__all__ = ["import_profile", "import_time", "parsing", "sse_decoding"]

_TARGET_IMPORT_MS = 25.0
_TARGET_SSE = 1.0
_CHUNK = 4096
_IMPORT_SNIPPET = (
    "import time; w, c = time.perf_counter(), time.process_time(); import {module}; "
    "print(time.perf_counter() - w, time.process_time() - c)"
)


def bytecode_env(cache_dir: str) -> dict[str, str]:
    """The environment for import timing: bytecode cached under ``cache_dir``.

    Installed packages get their ``.pyc`` files at install time, so a user's import reads
    bytecode. ``PYTHONDONTWRITEBYTECODE`` (set in some containers and CI images) would make every
    fresh process compile every module from source instead, which measures the compiler, not
    the import; a private ``PYTHONPYCACHEPREFIX`` gives both sides a warm bytecode cache
    without writing ``__pycache__`` directories into the checkout or the virtualenv.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache_dir
    return env


def _import_seconds(module: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of ``import module`` in a fresh interpreter."""
    completed = subprocess.run(
        [sys.executable, "-c", _IMPORT_SNIPPET.format(module=module)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    wall, cpu = completed.stdout.split()
    return float(wall), float(cpu)


def import_profile(module: str, env: dict[str, str], top: int = 8) -> list[tuple[str, float]]:
    """The ``top`` modules by self time (ms) when ``module`` is imported in a fresh process,
    leaving out what ``import httpx`` loads anyway (``python -X importtime``)."""

    def self_times(name: str) -> dict[str, float]:
        completed = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {name}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        out: dict[str, float] = {}
        for line in completed.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            self_us, _, rest = line[len("import time:") :].partition("|")
            _, _, package = rest.partition("|")
            out[package.strip()] = int(self_us) / 1000
        return out

    baseline = self_times("httpx")
    extra = {name: ms for name, ms in self_times(module).items() if name not in baseline}
    return sorted(extra.items(), key=lambda item: -item[1])[:top]


def import_time(cfg: Config) -> list[Row]:
    """Figure 4: wall time of the import statement in a fresh interpreter."""
    with tempfile.TemporaryDirectory(prefix="gq-bench-pyc-") as cache_dir:
        env = bytecode_env(cache_dir)
        cpu: dict[str, list[float]] = {"gopherqueue": [], "httpx": []}

        def runner(module: str) -> Callable[[], float]:
            def run() -> float:
                wall, used = _import_seconds(module, env)
                cpu[module].append(used)
                return wall

            return run

        for module in ("gopherqueue", "httpx"):
            _import_seconds(module, env)  # compile into the cache; warm the page cache
        samples = interleave(
            {"gopherqueue": runner("gopherqueue"), "httpx": runner("httpx")}, cfg.import_runs
        )
        heaviest = ", ".join(
            f"{name} {ms:.1f}" for name, ms in import_profile("gopherqueue", env)[:6]
        )
    sdk_ms = median(samples["gopherqueue"]) * 1e3
    raw_ms = median(samples["httpx"]) * 1e3
    extra = paired_median(samples["gopherqueue"], samples["httpx"], lambda g, h: g - h) * 1e3
    cpu_sdk, cpu_raw = (median(cpu[k]) * 1e3 for k in ("gopherqueue", "httpx"))
    return [
        Row(
            number="4",
            title="import time: gopherqueue vs httpx",
            measured=f"{sdk_ms:.1f} ms ({extra:+.1f} ms vs httpx)",
            baseline=f"{raw_ms:.1f} ms (import httpx)",
            ratio=sdk_ms / raw_ms,
            ratio_label="gopherqueue import / httpx import",
            target=f"+{_TARGET_IMPORT_MS:.0f} ms at most",
            met=extra <= _TARGET_IMPORT_MS,
            notes=[
                f"median of {cfg.import_runs} fresh processes per side, interleaved; time of "
                "the import statement itself (interpreter start-up excluded), with bytecode "
                "cached as after an install",
                f"the difference ({extra:+.1f} ms) is the median of the {cfg.import_runs} "
                "per-round differences (each round imports both back to back); the difference "
                f"of the two medians is {sdk_ms - raw_ms:+.1f} ms",
                f"CPU time of the same imports (less sensitive to other load on the machine): "
                f"{cpu_sdk:.1f} ms vs {cpu_raw:.1f} ms, {cpu_sdk - cpu_raw:+.1f} ms",
                f"largest self times beyond httpx's imports (ms, -X importtime): {heaviest}",
            ],
            samples={k: [v * 1e3 for v in vs] for k, vs in samples.items()},
        )
    ]


def parsing(cfg: Config) -> list[Row]:
    """Figure 5: ``list()`` of 100 jobs into public models against ``json.loads`` alone."""
    body = list_body(100)
    headers = {"Content-Type": "application/json"}

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=headers, content=body)

    mock_url = "http://127.0.0.1:9"
    with (
        httpx.Client(transport=httpx.MockTransport(reply)) as http,
        GopherQueueSync(mock_url, http_client=http) as sdk,
    ):
        jobs_url = f"{mock_url}/api/v1/jobs"

        def transport_only() -> object:
            return json.loads(http.get(jobs_url).content)

        if len(sdk.list()) != 100:
            raise RuntimeError("the canned list did not parse into 100 jobs")
        calls: dict[str, Callable[[], object]] = {
            "sdk": sdk.list,
            "json": lambda: json.loads(body),
            "httpx_mock": transport_only,
        }
        for fn in calls.values():
            for _ in range(max(3, cfg.parse_calls // 20)):
                fn()
        wall, _ = alternate(calls, cfg.parse_calls)
    sdk_s, json_s, mock_s = (median(wall[k]) for k in ("sdk", "json", "httpx_mock"))
    return [
        Row(
            number="5",
            title="parsing: list() of 100 jobs vs json.loads",
            measured=f"{sdk_s * 1e6:.0f} us per list()",
            baseline=f"{json_s * 1e6:.0f} us (json.loads of the {len(body):,}-byte body)",
            ratio=sdk_s / json_s,
            ratio_label="list() time / json.loads time",
            target="report",
            met=None,
            notes=[
                "GopherQueueSync.list() on an httpx.MockTransport answering the canned body; "
                f"{cfg.parse_calls:,} calls per side, alternating call by call",
                f"of which the httpx client and transport cost {mock_s * 1e6:.0f} us "
                "(httpx.Client.get on the same mock + json.loads); parsing into models is the "
                f"rest: {(sdk_s - mock_s) * 1e6:.0f} us, {(sdk_s - mock_s) / json_s:.1f}x "
                "json.loads, or "
                f"{(sdk_s - mock_s) * 1e4:.1f} us per job",
            ],
        )
    ]


def _response(chunks: list[bytes]) -> httpx.Response:
    def stream() -> Iterator[bytes]:
        yield from chunks

    return httpx.Response(200, headers={"Content-Type": "text/event-stream"}, content=stream())


def sse_decoding(cfg: Config) -> list[Row]:
    """Figure 6: events per second, gopherqueue's decoder against httpx-sse."""
    title = "event decoding: SSEDecoder vs httpx-sse"
    target = f"ratio >= {_TARGET_SSE}"
    missing = missing_modules("httpx_sse")
    if missing:
        return [skipped_row("6", title, target, ["httpx-sse"])]
    from httpx_sse import EventSource

    stream, expected = sse_stream(cfg.sse_events)
    chunks = [stream[i : i + _CHUNK] for i in range(0, len(stream), _CHUNK)]

    def ours() -> float:
        response = _response(chunks)
        started = time.perf_counter()
        decoder = SSEDecoder()
        count = 0
        for chunk in response.iter_bytes():
            count += len(decoder.feed(chunk))
        decoder.close()
        elapsed = time.perf_counter() - started
        if count != expected:
            raise RuntimeError(f"SSEDecoder gave {count} events, expected {expected}")
        return count / elapsed

    def theirs() -> float:
        response = _response(chunks)
        started = time.perf_counter()
        count = sum(1 for _ in EventSource(response).iter_sse())
        elapsed = time.perf_counter() - started
        if count != expected:
            raise RuntimeError(f"httpx-sse gave {count} events, expected {expected}")
        return count / elapsed

    ours()
    theirs()
    samples = interleave({"gopherqueue": ours, "httpx_sse": theirs}, cfg.sse_rounds)
    sdk, raw = median(samples["gopherqueue"]), median(samples["httpx_sse"])
    return [
        Row(
            number="6",
            title=title,
            measured=f"{sdk:,.0f} events/s",
            baseline=f"{raw:,.0f} events/s (httpx-sse EventSource.iter_sse)",
            ratio=sdk / raw,
            ratio_label="gopherqueue events/s / httpx-sse events/s",
            target=target,
            met=sdk / raw >= _TARGET_SSE,
            notes=[
                f"{expected:,} events ({len(stream) / 1e6:.1f} MB: capture 300 repeated) "
                f"in {len(chunks):,} chunks of 4 KiB, both read from an httpx.Response; "
                f"{cfg.sse_rounds} interleaved rounds"
            ],
            samples=samples,
        )
    ]
