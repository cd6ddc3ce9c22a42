"""The command line: its parser, the exit codes and the one-line error report.

Only the standard library is imported here, so ``--help`` and usage errors cost no more than
the interpreter and ``import gopherqueue``; the commands import the rest when they run.
"""

from __future__ import annotations

import argparse
import enum
import os
import sys
import traceback
import warnings
from collections.abc import Sequence
from typing import Any, NoReturn, Optional

__all__ = ["CliError", "ExitCode", "run"]


class ExitCode(enum.IntEnum):
    """The command's exit statuses (documented in docs/cli.md)."""

    OK = 0
    """The command did what was asked (for ``wait``-like commands: the job succeeded)."""
    JOB_FAILED = 1
    """The job ended without success: failed, dead-lettered or cancelled."""
    USAGE = 2
    """Bad command line or bad input, refused before any request (or by the server as invalid)."""
    TIMEOUT = 3
    """A wait, a watch or a request ran out of time."""
    NOT_FOUND = 4
    """No such job, or no result yet."""
    UNAVAILABLE = 5
    """The server could not be reached, or answered with another error (auth, conflict, 5xx)."""


class CliError(Exception):
    """An error the command reports as one line and turns into an exit status."""

    def __init__(self, message: str, code: ExitCode) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """argparse with the command's usage-error exit status."""

    def error(self, message: str) -> NoReturn:
        # argparse's own usage errors exit 2 too; this keeps the one-line style.
        self.print_usage(sys.stderr)
        self.exit(ExitCode.USAGE, f"{self.prog}: error: {message}\n")


def _global_options(*, timeout: bool, suppress: bool) -> _Parser:
    # Given to the top-level parser and (with defaults suppressed, so they do not overwrite
    # what was given before the command) to every command: the options work on either side.
    parent = _Parser(add_help=False)
    default: Any = argparse.SUPPRESS if suppress else None
    group = parent.add_argument_group("global options")
    group.add_argument("--url", default=default, help="the server's base URL (env GOPHERQUEUE_URL)")
    # The key's value is never a default, so --help cannot show it.
    group.add_argument(
        "--api-key",
        default=default,
        metavar="KEY",
        help="the API key (env GOPHERQUEUE_API_KEY; never printed)",
    )
    if timeout:
        group.add_argument(
            "--timeout",
            dest="request_timeout",
            type=_seconds,
            default=default,
            metavar="SECONDS",
            help="the deadline of each request (30)",
        )
    flag_default: Any = argparse.SUPPRESS if suppress else False
    group.add_argument(
        "--json",
        action="store_true",
        default=flag_default,
        help="machine output: one JSON document, or JSON Lines for streams",
    )
    group.add_argument(
        "--no-color", action="store_true", default=flag_default, help="no colour (env NO_COLOR)"
    )
    group.add_argument(
        "--verbose", action="store_true", default=flag_default, help="tracebacks on errors"
    )
    return parent


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative number of seconds: {text!r}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _build_parser() -> _Parser:
    parser = _Parser(
        prog="gopherqueue",
        description="Submit, follow and inspect GopherQueue jobs.",
        epilog="Exit status: 0 success, 1 the job failed, 2 usage or validation error, "
        "3 timed out, 4 not found, 5 connection or server error. See docs/cli.md.",
        parents=[_global_options(timeout=True, suppress=False)],
    )
    from gopherqueue import __version__

    parser.add_argument("--version", action="version", version=f"gopherqueue {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = _global_options(timeout=True, suppress=True)
    # Commands with their own --timeout take the request deadline before the command only.
    common_no_timeout = _global_options(timeout=False, suppress=True)

    def command(name: str, help: str, *, own_timeout: bool = False) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=help,
            description=help,
            parents=[common_no_timeout if own_timeout else common],
        )

    p = command("submit", "Submit a job.", own_timeout=True)
    p.add_argument("type", help="the job type")
    p.add_argument(
        "payload", nargs="?", help="JSON text, @FILE to read it from a file, or - for stdin"
    )
    p.add_argument("--priority", type=int, help="0 (critical) to 4 (bulk)")
    p.add_argument("--delay", help="run after this long: seconds or a Go duration (10m)")
    p.add_argument(
        "--scheduled-at", metavar="TIME", help="run at this ISO 8601 time with an offset"
    )
    p.add_argument(
        "--timeout", dest="job_timeout", metavar="DURATION", help="the job's own time limit"
    )
    p.add_argument("--max-attempts", type=int, metavar="N", help="attempts before dead-letter")
    p.add_argument("--idempotency-key", metavar="KEY", help="reuse the job with this key")
    p.add_argument("--correlation-id", metavar="ID", help="an id to trace the job by")
    p.add_argument("--tag", action="append", default=[], metavar="K=V", help="a tag (repeatable)")
    p.add_argument("--wait", action="store_true", help="follow the job to its end")
    p.add_argument(
        "--wait-timeout", type=_seconds, metavar="SECONDS", help="give up waiting after this"
    )

    p = command("batch", "Submit the jobs of a JSON Lines file or a JSON array.")
    p.add_argument("file", help="the file, or - for stdin")
    p.add_argument("--atomic", action="store_true", help="all jobs or none (at most 1000)")
    p.add_argument("--wait", action="store_true", help="follow every accepted job to its end")
    p.add_argument(
        "--wait-timeout", type=_seconds, metavar="SECONDS", help="give up waiting after this"
    )

    p = command("get", "Show a job (with its result once finished).")
    p.add_argument("id", help="the job id")

    p = command("list", "List up to 100 jobs, newest first.")
    p.add_argument("--state", help="only jobs in this state")
    p.add_argument("--type", dest="job_type", help="only jobs of this type")

    p = command("result", "Show a finished job's result.")
    p.add_argument("id", help="the job id")
    p.add_argument("--raw", action="store_true", help="write the output bytes to stdout as is")

    p = command("wait", "Wait until a job ends; print its output.", own_timeout=True)
    p.add_argument("id", help="the job id")
    p.add_argument(
        "--timeout",
        dest="wait_timeout",
        type=_seconds,
        metavar="SECONDS",
        help="no limit by default",
    )

    p = command("watch", "Follow a job with a live progress bar.", own_timeout=True)
    p.add_argument("id", help="the job id")
    p.add_argument(
        "--timeout",
        dest="wait_timeout",
        type=_seconds,
        metavar="SECONDS",
        help="no limit by default",
    )
    p.add_argument(
        "--interval", type=_seconds, default=1.0, metavar="SECONDS", help="progress poll period (1)"
    )

    p = command("events", "Tail the server's event stream (reconnecting across its 30 s cuts).")
    p.add_argument(
        "--type", dest="job_types", action="append", metavar="TYPE", help="only this job type"
    )
    p.add_argument(
        "--event", dest="event_types", action="append", metavar="NAME", help="only this event"
    )
    p.add_argument("--job", dest="job_id", metavar="ID", help="only this job's events")
    p.add_argument("--count", type=_count, metavar="N", help="stop after N events")

    p = command("stats", "Show queue statistics.")
    p.add_argument(
        "--watch", type=_seconds, metavar="N", help="refresh every N seconds until interrupted"
    )
    p.add_argument("--count", type=_count, metavar="N", help="with --watch: stop after N reports")

    command("health", "Show the server's health (exit 5 when unhealthy).")

    p = command("cancel", "Cancel a job.")
    p.add_argument("id", help="the job id")
    p.add_argument("--force", action="store_true", help="also stop a running job")
    p.add_argument("--reason", help="why (kept with the job)")

    p = command("retry", "Retry a failed or dead-lettered job.")
    p.add_argument("id", help="the job id")
    p.add_argument("--reset-attempts", action="store_true", help="start counting attempts anew")

    p = command("delete", "Delete a job.")
    p.add_argument("id", help="the job id")

    p = command(
        "dev-server",
        "Run the embedded test server (needs gopherqueue[testing]); --api-key makes it "
        "require that key.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="TCP port, 0 = any free (8080)")
    p.add_argument("--workers", type=int, default=4, help="concurrent job handlers (4)")
    p.add_argument("--write-timeout", type=float, default=30.0, help="lost-response cut (30)")
    p.add_argument("--keepalive", type=float, default=15.0, help="SSE keepalive period (15)")
    p.add_argument("--retry-backoff", type=float, default=0.05, help="first retry delay (0.05)")
    return parser


def exit_code_for(exc: BaseException) -> ExitCode:
    """The exit status an exception from a command means."""
    import gopherqueue as gq

    if isinstance(exc, CliError):
        return exc.code
    if isinstance(exc, (gq.WaitTimeoutError, gq.APITimeoutError)):
        return ExitCode.TIMEOUT
    if isinstance(exc, gq.JobFailedError):
        return ExitCode.JOB_FAILED
    if isinstance(exc, gq.NotFoundError):
        return ExitCode.NOT_FOUND
    if isinstance(exc, (gq.ValidationError, gq.BatchConflictError)):
        return ExitCode.USAGE
    return ExitCode.UNAVAILABLE


def _redact(text: str, secret: Optional[str]) -> str:
    # The SDK never puts the key in a message; this is the last line of defence.
    return text.replace(secret, "***") if secret else text


def run(argv: Optional[Sequence[str]] = None) -> int:
    """Parse ``argv``, run the command and return its exit status."""
    args = _build_parser().parse_args(argv)
    if args.api_key is None:
        args.api_key = os.environ.get("GOPHERQUEUE_API_KEY") or None
    secret: Optional[str] = args.api_key

    def show_warning(message: Any, category: Any, *_: Any, **__: Any) -> None:
        print(f"warning: {_redact(str(message), secret)}", file=sys.stderr)

    warnings.showwarning = show_warning
    try:
        from ._commands import dispatch

        return int(dispatch(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`gopherqueue events | head`): not an error of ours.
        sys.stderr.close()
        return 0
    except Exception as exc:
        code = exit_code_for(exc)
        if args.verbose:
            print(_redact(traceback.format_exc(), secret), file=sys.stderr, end="")
        message = str(exc) or type(exc).__name__
        print(f"error: {_redact(message, secret)}", file=sys.stderr)
        return int(code)
