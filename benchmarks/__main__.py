"""``python -m benchmarks``: run the SDK benchmarks and print one table of figures.

Options:

``--quick``
    Tiny counts: checks that every figure still runs (CI does this); writes nothing.
``--verbose``
    Also print each figure's method notes under the table.
``--only N``
    Run only figure ``N`` (1-11); repeat it or give a comma list (``--only 1,3``). A run of only
    some figures prints them but does not rewrite ``RESULTS.md``.

A full run of all figures writes ``benchmarks/RESULTS.md``. The exit status is 0 whether or not
targets are met (the table says which are); it is non-zero only when a benchmark fails to run.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ._common import Config, Row, missing_modules, skipped_row

if TYPE_CHECKING:
    from ._canned_server import CannedServer

__all__ = ["main"]

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"

#: Figure number -> (title, needs the canned server, needs the embedded server, target).
FIGURES: dict[int, tuple[str, bool, bool, str]] = {
    1: ("sync per-call overhead", True, False, "ratio <= 1.10"),
    2: ("async submit+get throughput and latency", True, False, "ratio >= 0.8 / 0.7"),
    3: ("batch cost and volume", True, True, "ratio <= 1/20"),
    4: ("import time", False, False, "+25 ms at most"),
    5: ("parsing", False, False, "report"),
    6: ("event decoding", False, False, "ratio >= 1.0"),
    7: ("wait latency", False, True, "median < 20 ms"),
    8: ("memory growth", True, False, "growth <= 5 MB"),
    9: ("batch peak memory", True, False, "growth <= raw + 20 MB"),
    10: ("events through a long-lived stream", True, False, "report"),
    11: ("CLI start-up", False, False, "<= 300 ms"),
}


def _selected(values: list[str] | None) -> list[int]:
    if not values:
        return sorted(FIGURES)
    chosen: set[int] = set()
    for value in values:
        for part in value.split(","):
            number = int(part)
            if number not in FIGURES:
                raise SystemExit(f"--only: no figure {number} (there are 1-{len(FIGURES)})")
            chosen.add(number)
    return sorted(chosen)


def _run_figure(number: int, cfg: Config, canned: Callable[[], CannedServer]) -> list[Row]:
    from . import bench_async, bench_calls, bench_local, bench_server, bench_stream

    if number == 1:
        return bench_calls.sync_call_overhead(cfg, canned().url)
    if number == 2:
        server = canned()
        return bench_async.async_figures(cfg, server.url, server.cpu_seconds)
    if number == 3:
        return bench_calls.batch_cost(cfg, canned().url) + bench_server.volume(cfg)
    if number == 4:
        return bench_local.import_time(cfg)
    if number == 5:
        return bench_local.parsing(cfg)
    if number == 6:
        return bench_local.sse_decoding(cfg)
    if number == 7:
        return bench_server.wait_latency(cfg)
    if number == 9:
        return bench_stream.batch_memory(cfg, canned().url)
    if number == 10:
        return bench_stream.stream_throughput(cfg, canned().url)
    if number == 11:
        from . import bench_cli

        return bench_cli.cli_startup(cfg)
    return bench_calls.memory_growth(cfg, canned().url)


def main(argv: list[str] | None = None) -> int:
    """Run the selected figures, print the table, and write RESULTS.md after a full run."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="tiny counts; write nothing")
    parser.add_argument("--only", action="append", metavar="N", help="run only figure N (1-11)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the notes too")
    args = parser.parse_args(argv)
    numbers = _selected(args.only)
    cfg = Config.quick_run() if args.quick else Config.full()
    from ._report import environment, format_table, load_average, write_markdown

    load_at_start = load_average()
    started = time.perf_counter()
    rows: list[Row] = []
    with contextlib.ExitStack() as stack:
        started_servers: list[CannedServer] = []

        def canned() -> CannedServer:
            if not started_servers:
                from ._canned_server import CannedServer

                started_servers.append(stack.enter_context(CannedServer()))
            return started_servers[0]

        for number in numbers:
            title, _, embedded, target = FIGURES[number]
            print(f"[{number}/{len(FIGURES)}] {title} ...", file=sys.stderr, flush=True)
            missing = missing_modules("starlette", "uvicorn") if embedded else []
            if missing:
                rows.append(skipped_row(str(number), title, target, missing))
                continue
            figure_started = time.perf_counter()
            rows.extend(_run_figure(number, cfg, canned))
            print(
                f"      done in {time.perf_counter() - figure_started:.1f} s",
                file=sys.stderr,
                flush=True,
            )
    seconds = time.perf_counter() - started

    mode = "quick (tiny counts, figures are not meaningful)" if cfg.quick else "full"
    print(f"\nGopherQueue SDK benchmarks, {mode} run, {seconds:.0f} s\n")
    print(format_table(rows))
    if args.verbose:
        for row in rows:
            print(f"\n{row.number}. {row.title}")
            for note in row.notes:
                print(f"   - {note}")
    if cfg.quick:
        print("\n--quick: nothing written")
    elif numbers != sorted(FIGURES):
        print(f"\n--only: {RESULTS.name} not rewritten (it holds complete runs only)")
    else:
        write_markdown(RESULTS, rows, environment(load_at_start), seconds)
        print(f"\nwrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
