"""Child process of figures 8 and 9: submit N jobs with one client and report RSS at two points
(figure 8), or submit one N-job batch and report the peak RSS (figure 9, ``--batch``).

``python -m benchmarks._memory_probe --url URL --client sdk|httpx --submits N --checkpoint K``
prints one JSON line: ``{"rss_checkpoint_kb": ..., "rss_end_kb": ...}`` (``VmRSS`` from
``/proc/self/status`` after ``gc.collect()``, after submit ``K`` and after submit ``N``).
"""

from __future__ import annotations

import argparse
import gc
import json
from collections.abc import Callable, Iterator

import httpx

from gopherqueue import GopherQueueSync

from ._data import submit_payload
from .bench_calls import client_headers, submit_body

__all__ = ["main", "rss_kb"]


def rss_kb() -> int:
    """This process's resident set size in KiB (``VmRSS``)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def peak_kb() -> int:
    """This process's peak resident set size so far in KiB (``VmHWM``)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def _batch(url: str, client: str, jobs: int) -> dict[str, int]:
    # The jobs come from a generator on both sides, so neither holds all of them. Both sides keep
    # what answers the call (the SDK its BatchResult, raw httpx the parsed results of every
    # chunk), so the retained growth is the result's size and peak minus retained is what each
    # buffers while sending.
    def specs() -> Iterator[dict[str, object]]:
        return ({"type": "echo", "payload": {"i": i}} for i in range(jobs))

    with GopherQueueSync(url) as sdk, httpx.Client(headers=client_headers()) as raw:
        gc.collect()
        before = rss_kb()
        kept: object
        if client == "sdk":
            result = sdk.submit_batch(specs())
            accepted, kept = result.accepted, result
        else:
            accepted = 0
            results: list[object] = []
            chunk: list[dict[str, object]] = []
            for spec in specs():
                chunk.append(spec)
                if len(chunk) == 1000:
                    reply = json.loads(
                        raw.post(f"{url}/api/v1/jobs/batch", json={"jobs": chunk}).content
                    )
                    accepted += int(reply["accepted"])
                    results.extend(reply["results"])
                    chunk = []
            kept = results
        gc.collect()
        after = rss_kb()
        del kept
    if accepted < jobs:
        raise RuntimeError(f"accepted {accepted} of {jobs}")
    return {"rss_before_kb": before, "rss_after_kb": after, "rss_peak_kb": peak_kb()}


def _measure(call: Callable[[], object], submits: int, checkpoint: int) -> dict[str, int]:
    at_checkpoint = 0
    for done in range(1, submits + 1):
        call()
        if done == checkpoint:
            gc.collect()
            at_checkpoint = rss_kb()
    gc.collect()
    return {"rss_checkpoint_kb": at_checkpoint, "rss_end_kb": rss_kb()}


def main() -> None:
    """Parse the arguments, run the submits, print the JSON report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--client", choices=("sdk", "httpx"), required=True)
    parser.add_argument("--submits", type=int, default=10_000)
    parser.add_argument("--checkpoint", type=int, default=1_000)
    parser.add_argument("--batch", type=int, default=0, help="one batch of this many jobs")
    args = parser.parse_args()
    if args.batch:
        print(json.dumps(_batch(args.url, args.client, args.batch)))
        return
    payload = submit_payload()
    if args.client == "sdk":
        with GopherQueueSync(args.url) as client:
            report = _measure(lambda: client.submit("echo", payload), args.submits, args.checkpoint)
    else:
        url = f"{args.url}/api/v1/jobs"
        with httpx.Client(headers=client_headers()) as raw:

            def call() -> object:
                return json.loads(raw.post(url, json=submit_body(payload)).content)

            report = _measure(call, args.submits, args.checkpoint)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
