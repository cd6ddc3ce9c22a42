"""The commands, each over the public synchronous client."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Optional

import httpx

import gopherqueue as gq

from ._inputs import BatchFile, parse_duration, parse_tags, read_batch, read_payload
from ._main import CliError, ExitCode
from ._render import Output, event_json, job_json, plain, result_json, wait_json

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

__all__ = ["dispatch"]

# The server's batch limit: the client sends a non-atomic batch in chunks of this many.
_CHUNK = 1000
# Concurrent long-polls when following the jobs of a batch.
_WAITERS = 8
_INDEX = re.compile(r"jobs\[(\d+)\]")


def _client(args: SimpleNamespace, **extra: Any) -> gq.GopherQueueSync:
    timeout = args.request_timeout
    return gq.GopherQueueSync(
        args.url, api_key=args.api_key, timeout=30.0 if timeout is None else timeout, **extra
    )


def _job_code(state: gq.JobState) -> ExitCode:
    return ExitCode.OK if state == gq.JobState.COMPLETED else ExitCode.JOB_FAILED


def _print_result(out: Output, result: Optional[gq.JobResult], job_id: str) -> None:
    # The output of a successful job on stdout; the error of a failed one on stderr.
    if result is None:
        return
    if result.success:
        if result.output:
            out.line(result.text)
    else:
        out.note(f"job {job_id} failed: {result.error or 'no error message'}")


def _follow(
    client: gq.GopherQueueSync,
    out: Output,
    job_id: str,
    *,
    timeout: Optional[float],
    interval: float = 1.0,
    stream: bool = False,
) -> Optional[gq.Job]:
    """Watch a job to its end with a live bar; the last job seen, or ``None`` on timeout."""
    last: Optional[gq.Job] = None
    with (
        out.progress(items=False) as progress,
        client.watch(
            job_id, timeout=timeout, poll_interval=max(min(interval, 25.0), 0.01)
        ) as watch,
    ):
        task: Optional[TaskID] = None
        for job in watch:
            last = job
            if stream:
                out.json_line(job_json(job))
            if progress is not None:
                percent = 100 if job.state == gq.JobState.COMPLETED else int(job.progress)
                label = f"{job.state}" + (
                    f" {job.progress_message}" if job.progress_message else ""
                )
                if task is None:
                    task = progress.add_task(label, total=100.0, completed=percent)
                else:
                    progress.update(task, description=label, completed=percent)
            elif not out.json_mode:
                out.note(f"{job.id} {job.state} {job.progress:g}%")
    if last is None or not last.state.is_terminal:
        return None
    return last


def _finish(out: Output, job: Optional[gq.Job], job_id: str, timeout: Optional[float]) -> int:
    if job is None:
        raise CliError(f"job {job_id} did not finish within {timeout:g} s", ExitCode.TIMEOUT)
    if out.json_mode:
        out.json(job_json(job))
    else:
        _print_result(out, job.job_result, job.id)
        if job.state != gq.JobState.COMPLETED and job.job_result is None:
            out.note(
                f"job {job.id} ended {job.state}"
                + (f": {job.last_error}" if job.last_error else "")
            )
    return _job_code(job.state)


def cmd_submit(args: SimpleNamespace, out: Output) -> int:
    payload = read_payload(args.payload)
    with _client(args) as client:
        job = client.submit(
            args.type,
            payload,
            priority=args.priority,
            delay=parse_duration(args.delay),
            scheduled_at=_datetime(args.scheduled_at),
            timeout=parse_duration(args.job_timeout),
            max_attempts=args.max_attempts,
            idempotency_key=args.idempotency_key,
            correlation_id=args.correlation_id,
            tags=parse_tags(list(args.tag)),
        )
        if not args.wait:
            if out.json_mode:
                out.json(job_json(job))
            else:
                out.line(job.id)
            return ExitCode.OK
        if not out.json_mode:
            out.note(f"submitted {job.id}")
        final = _follow(client, out, job.id, timeout=args.wait_timeout)
        return _finish(out, final, job.id, args.wait_timeout)


def _datetime(text: Optional[str]) -> Any:
    if text is None:
        return None
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--scheduled-at: not an ISO 8601 time: {text!r}", ExitCode.USAGE) from None


def cmd_batch(args: SimpleNamespace, out: Output) -> int:
    batch = read_batch(args.file)
    total = len(batch.items)
    sent = [0]

    with out.progress(items=True) as progress:
        task = progress.add_task("submitting", total=total) if progress is not None else None

        def on_response(response: httpx.Response) -> None:
            # The client sends the chunks in order, one answered request per chunk.
            if response.request.url.path.endswith("/jobs/batch") and response.is_success:
                sent[0] = min(total, sent[0] + (total if args.atomic else _CHUNK))
                if progress is not None and task is not None:
                    progress.update(task, completed=sent[0])

        http = httpx.Client(event_hooks={"response": [on_response]})
        try:
            with _client(args, http_client=http) as client:
                try:
                    outcome = client.submit_batch(batch.items, atomic=args.atomic)
                except gq.ValidationError as exc:
                    raise CliError(_name_line(exc, batch), ExitCode.USAGE) from exc
                summary = _batch_summary(outcome, batch)
                finished: dict[str, Any] = {}
                code: int = ExitCode.OK if outcome.rejected == 0 else ExitCode.USAGE
                if args.wait and outcome.accepted:
                    ids = [item.job.id for item in outcome.results if item.job is not None]
                    finished, wait_code = _wait_all(client, progress, ids, args.wait_timeout)
                    code = max(code, wait_code) if code == ExitCode.OK else code
        finally:
            http.close()
    if out.json_mode:
        if args.wait:
            summary["finished"] = finished
        out.json(summary)
    else:
        for item in summary["rejected_items"]:
            out.note(f"rejected: {item['where']}: {item['error']}")
        out.note(f"accepted {outcome.accepted}, rejected {outcome.rejected} of {outcome.total}")
        if args.wait and finished:
            out.note(
                f"finished: {finished['completed']} completed, {finished['failed']} failed, "
                f"{finished['unfinished']} unfinished"
            )
    return code


def _name_line(exc: gq.ValidationError, batch: BatchFile) -> str:
    # The client names a bad item by its index ("jobs[17].payload"); the file's reader knows
    # its line.
    match = _INDEX.search(exc.field or "")
    if match is None:
        return str(exc)
    return f"{batch.where(int(match.group(1)))}: {exc}"


def _batch_summary(outcome: gq.BatchResult, batch: BatchFile) -> dict[str, Any]:
    return {
        "total": outcome.total,
        "accepted": outcome.accepted,
        "rejected": outcome.rejected,
        "job_ids": [item.job.id for item in outcome.results if item.job is not None],
        "rejected_items": [
            {"index": item.index, "where": batch.where(item.index), "error": item.error}
            for item in outcome.results
            if not item.success
        ],
    }


def _wait_all(
    client: gq.GopherQueueSync,
    progress: Optional[Progress],
    ids: list[str],
    timeout: Optional[float],
) -> tuple[dict[str, Any], int]:
    deadline = None if timeout is None else time.monotonic() + timeout
    task = progress.add_task("finished", total=len(ids)) if progress is not None else None
    counts = {"completed": 0, "failed": 0, "unfinished": 0}

    def wait_one(job_id: str) -> gq.WaitResult:
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        return client.wait(job_id, timeout=remaining)

    with ThreadPoolExecutor(_WAITERS) as pool:
        for future in as_completed([pool.submit(wait_one, job_id) for job_id in ids]):
            outcome = future.result()
            if not outcome.completed:
                counts["unfinished"] += 1
            elif outcome.success:
                counts["completed"] += 1
            else:
                counts["failed"] += 1
            if progress is not None and task is not None:
                progress.advance(task)
    if counts["unfinished"]:
        return counts, ExitCode.TIMEOUT
    return counts, ExitCode.JOB_FAILED if counts["failed"] else ExitCode.OK


def cmd_get(args: SimpleNamespace, out: Output) -> int:
    with _client(args) as client:
        job = client.get(args.id)
    if out.json_mode:
        out.json(job_json(job))
    else:
        out.job_table(job)
    return ExitCode.OK


def cmd_list(args: SimpleNamespace, out: Output) -> int:
    with _client(args) as client:
        jobs = client.list(state=args.state, job_type=args.job_type)
    if out.json_mode:
        out.json([job_json(job) for job in jobs])
        return ExitCode.OK
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for name in ("id", "type", "state", "priority", "attempt", "progress", "created"):
        table.add_column(name)
    for job in jobs:
        table.add_row(
            job.id,
            job.type,
            str(job.state),
            str(job.priority),
            f"{job.attempt}/{job.max_attempts}",
            f"{job.progress:g}%",
            job.created_at.isoformat(timespec="seconds"),
        )
    out.out.print(table)
    return ExitCode.OK


def cmd_result(args: SimpleNamespace, out: Output) -> int:
    with _client(args) as client:
        result = client.result(args.id)
    if args.raw:
        out.output_bytes(result.output)
    elif out.json_mode:
        out.json(result_json(result))
    else:
        _print_result(out, result, result.job_id)
    return ExitCode.OK if result.success else ExitCode.JOB_FAILED


def cmd_wait(args: SimpleNamespace, out: Output) -> int:
    with _client(args) as client:
        outcome = client.wait(args.id, timeout=args.wait_timeout)
    if out.json_mode:
        out.json(wait_json(outcome))
    if outcome.timed_out or not outcome.completed:
        if not out.json_mode:
            out.note(f"error: job {outcome.job_id} is still {outcome.state}")
        return ExitCode.TIMEOUT
    if not out.json_mode:
        _print_result(out, outcome.result, outcome.job_id)
    return _job_code(outcome.state)


def cmd_watch(args: SimpleNamespace, out: Output) -> int:
    with _client(args) as client:
        job = _follow(
            client,
            out,
            args.id,
            timeout=args.wait_timeout,
            interval=args.interval,
            stream=out.json_mode,
        )
    if job is None:
        raise CliError(
            f"job {args.id} did not finish within {args.wait_timeout:g} s", ExitCode.TIMEOUT
        )
    if not out.json_mode:
        _print_result(out, job.job_result, job.id)
    return _job_code(job.state)


def cmd_events(args: SimpleNamespace, out: Output) -> int:
    seen = 0

    def on_reconnect(event: gq.ReconnectEvent) -> None:
        if not out.json_mode and event.error is not None:
            out.note(f"reconnecting in {event.delay:.1f} s: {event.error}")

    with (
        _client(args) as client,
        client.events(
            job_types=list(args.job_types) or None,
            job_id=args.job_id,
            event_types=list(args.event_types) or None,
            max_reconnects=None,
            on_reconnect=on_reconnect,
        ) as stream,
    ):
        for event in stream:
            if out.json_mode:
                out.json_line(event_json(event))
            else:
                job = event.job
                detail = f" {job.type} {job.state}" if job is not None else ""
                out.line(f"{event.event_type} {event.job_id or '-'}{detail}")
            seen += 1
            if args.count is not None and seen >= args.count:
                break
    return ExitCode.OK


def cmd_stats(args: SimpleNamespace, out: Output) -> int:
    with _client(args) as client:
        if args.watch is None:
            stats = client.stats()
            if out.json_mode:
                out.json(plain(stats))
            else:
                out.out.print(_stats_table(stats))
            return ExitCode.OK
        return _watch_stats(client, out, args.watch, args.count)


def _watch_stats(
    client: gq.GopherQueueSync, out: Output, period: float, count: Optional[int]
) -> int:
    stop = threading.Event()
    shown = 0
    live: Any = None
    if not out.json_mode and sys_stdout_isatty():
        from rich.live import Live

        live = Live(console=out.out, auto_refresh=False)
        live.start()
    try:
        while True:
            stats = client.stats()
            shown += 1
            if out.json_mode:
                out.json_line(plain(stats))
            elif live is not None:
                live.update(_stats_table(stats), refresh=True)
            else:
                out.out.print(_stats_table(stats))
            if count is not None and shown >= count:
                return ExitCode.OK
            # The refresh period, interruptible by Ctrl-C.
            stop.wait(period)
    finally:
        if live is not None:
            live.stop()


def sys_stdout_isatty() -> bool:
    """Whether stdout is a terminal (a live table redraws in place only there)."""
    import sys

    return sys.stdout.isatty()


def _stats_table(stats: gq.QueueStats) -> Any:
    from rich.table import Table

    table = Table(title="queue", box=None, pad_edge=False, show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    for name in (
        "pending",
        "scheduled",
        "running",
        "delayed",
        "completed",
        "failed",
        "dead_letter",
        "cancelled",
        "total_jobs",
    ):
        table.add_row(name, str(getattr(stats, name)))
    workers = stats.workers
    table.add_row("workers", f"{workers.active_workers} active / {workers.total_workers}")
    table.add_row("processed", str(workers.processed_jobs))
    table.add_row("avg time", f"{workers.avg_processing_time.total_seconds():.3f} s")
    return table


def cmd_health(args: SimpleNamespace, out: Output) -> int:
    with _client(args) as client:
        health = client.health()
    if out.json_mode:
        out.json(plain(health))
    else:
        from rich.table import Table

        table = Table(box=None, pad_edge=False)
        for name in ("component", "healthy", "latency", "message"):
            table.add_column(name)
        for name, part in health.components.items():
            latency = (
                "" if part.latency is None else f"{part.latency.total_seconds() * 1000:.1f} ms"
            )
            table.add_row(name, str(part.healthy), latency, part.message or "")
        out.out.print(table)
        out.line("healthy" if health.healthy else "unhealthy")
    return ExitCode.OK if health.healthy else ExitCode.UNAVAILABLE


def _job_action(out: Output, job: gq.Job) -> int:
    if out.json_mode:
        out.json(job_json(job))
    else:
        out.line(f"{job.id} {job.state}")
    return ExitCode.OK


def cmd_cancel(args: SimpleNamespace, out: Output) -> int:
    with _client(args) as client:
        return _job_action(out, client.cancel(args.id, reason=args.reason, force=args.force))


def cmd_retry(args: SimpleNamespace, out: Output) -> int:
    with _client(args) as client:
        return _job_action(out, client.retry(args.id, reset_attempts=args.reset_attempts))


def cmd_delete(args: SimpleNamespace, out: Output) -> int:
    with _client(args) as client:
        client.delete(args.id)
    if out.json_mode:
        out.json({"id": args.id, "deleted": True})
    else:
        out.line(f"{args.id} deleted")
    return ExitCode.OK


def cmd_dev_server(args: SimpleNamespace, out: Output) -> int:
    try:
        from gopherqueue.testing.__main__ import main as serve
    except ImportError as exc:
        raise CliError(
            f"dev-server needs the testing extra (pip install 'gopherqueue[testing]'): {exc}",
            ExitCode.USAGE,
        ) from None
    argv = [
        "--host",
        args.host,
        "--port",
        str(args.port),
        "--workers",
        str(args.workers),
        "--write-timeout",
        str(args.write_timeout),
        "--keepalive",
        str(args.keepalive),
        "--retry-backoff",
        str(args.retry_backoff),
    ]
    if args.api_key is not None:
        argv += ["--api-key", args.api_key]
    return serve(argv)


_COMMANDS: dict[str, Callable[[SimpleNamespace, Output], int]] = {
    "submit": cmd_submit,
    "batch": cmd_batch,
    "get": cmd_get,
    "list": cmd_list,
    "result": cmd_result,
    "wait": cmd_wait,
    "watch": cmd_watch,
    "events": cmd_events,
    "stats": cmd_stats,
    "health": cmd_health,
    "cancel": cmd_cancel,
    "retry": cmd_retry,
    "delete": cmd_delete,
    "dev-server": cmd_dev_server,
}


def dispatch(args: SimpleNamespace) -> int:
    """Run the parsed command; returns its exit status."""
    out = Output(json_mode=args.json, no_color=args.no_color)
    return _COMMANDS[args.command](args, out)
