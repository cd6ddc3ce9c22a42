"""Output: the stable ``--json`` shapes, the tables and the progress displays.

Machine output and results go to stdout; progress and messages to stderr. Progress is drawn
only when stderr is a terminal.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
import sys
from collections.abc import Generator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Optional

import attrs

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, Task
    from rich.text import Text

    from gopherqueue import Event, Job, JobResult, WaitResult

__all__ = ["Output", "event_json", "job_json", "plain", "wait_json"]


def plain(value: Any) -> Any:
    """A JSON-ready copy of an SDK model: times as ISO 8601, durations in seconds, enums as
    their values, ``raw`` fields left out."""
    kind: type[Any] = value.__class__
    if attrs.has(kind):
        return {
            f.name: plain(getattr(value, f.name)) for f in attrs.fields(kind) if f.name != "raw"
        }
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return value


def job_json(job: Job) -> dict[str, Any]:
    """A job as ``--json`` prints it: the job's fields, ``result`` once it has one."""
    fields: dict[str, Any] = plain(job)
    del fields["job_result"]
    fields["result"] = job.result
    return fields


def result_json(result: Optional[JobResult]) -> Optional[dict[str, Any]]:
    """A result as ``--json`` prints it (see ``JobResult.to_dict``)."""
    return None if result is None else result.to_dict()


def wait_json(outcome: WaitResult) -> dict[str, Any]:
    """A wait's outcome as ``--json`` prints it."""
    return {
        "job_id": outcome.job_id,
        "state": str(outcome.state),
        "completed": outcome.completed,
        "success": outcome.success,
        "timed_out": outcome.timed_out,
        "result": result_json(outcome.result),
    }


def event_json(event: Event) -> dict[str, Any]:
    """An event as one line of ``events --json``."""
    return {"event": event.event_type, "id": event.id, "job_id": event.job_id, "data": event.data}


class Output:
    """Where a command writes: JSON or text on stdout, messages and progress on stderr."""

    def __init__(self, *, json_mode: bool, no_color: bool) -> None:
        self.json_mode = json_mode
        self.no_color = no_color or bool(os.environ.get("NO_COLOR"))
        self._out: Optional[Console] = None
        self._err: Optional[Console] = None

    @property
    def progress_enabled(self) -> bool:
        """Whether progress is drawn: only on a terminal."""
        return sys.stderr.isatty()

    def _console(self, *, stderr: bool) -> Console:
        from rich.console import Console

        stream = sys.stderr if stderr else sys.stdout
        # Piped tables keep whole ids instead of being squeezed into 80 columns.
        width = None if stream.isatty() else 1000
        return Console(
            stderr=stderr, no_color=self.no_color, highlight=False, soft_wrap=True, width=width
        )

    @property
    def out(self) -> Console:
        """The stdout console (rich is imported on first use)."""
        if self._out is None:
            self._out = self._console(stderr=False)
        return self._out

    @property
    def err(self) -> Console:
        """The stderr console."""
        if self._err is None:
            self._err = self._console(stderr=True)
        return self._err

    def json(self, document: Any) -> None:
        """Print one JSON document."""
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def json_line(self, document: Any) -> None:
        """Print one line of a JSON Lines stream (flushed, for pipes)."""
        sys.stdout.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n")
        sys.stdout.flush()

    def line(self, text: str) -> None:
        """Print a line of plain text on stdout (no markup)."""
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    def note(self, text: str) -> None:
        """A message for the person at the terminal, on stderr."""
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def output_bytes(self, data: bytes) -> None:
        """Write a job's output bytes as they are."""
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()

    def job_table(self, job: Job) -> None:
        """A job as a two-column table."""
        from rich.table import Table

        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column(style="bold")
        table.add_column()
        for key, value in job_json(job).items():
            if key == "result":
                continue
            if value is None or value == {}:
                continue
            table.add_row(key, _cell(value))
        result = job.job_result
        if result is not None:
            table.add_row("success", _cell(result.success))
            if result.error:
                table.add_row("error", result.error)
            if result.output:
                table.add_row("output", result.text)
        self.out.print(table)

    @contextmanager
    def progress(self, *, items: bool) -> Generator[Optional[Progress]]:
        """A live progress display on stderr, or ``None`` when stderr is not a terminal.

        ``items`` adds a count, a rate and an ETA (for batches); otherwise the bar shows a
        percentage and the task's description (a job's state and progress message).
        """
        if not self.progress_enabled:
            yield None
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )

        columns: list[Any] = [TextColumn("{task.description}"), BarColumn()]
        if items:
            columns += [MofNCompleteColumn(), _rate_column(), TimeRemainingColumn()]
        columns.append(TaskProgressColumn())
        with Progress(*columns, console=self.err, transient=False) as progress:
            yield progress


def _cell(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _rate_text(task: Task) -> str:
    speed = task.finished_speed or task.speed
    return "" if speed is None else f"{speed:,.0f}/s"


def _rate_column() -> Any:
    # Defined on first use: rich is imported only when a progress display is drawn.
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Items per second."""

        def render(self, task: Task) -> Text:
            return Text(_rate_text(task))

    return RateColumn()
