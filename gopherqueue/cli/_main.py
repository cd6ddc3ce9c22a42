"""The command line: its parser (click), the exit codes and the one-line error report.

This module is imported only when the command runs (``gopherqueue.cli.main``), never by
``import gopherqueue``. Apart from click it imports only the standard library, so ``--help``
and usage errors cost the interpreter, ``import gopherqueue`` and click; the commands import
the rest (rich, the clients) when they run. click only parses: the chosen command runs after
click has returned, so its errors and exit statuses are this module's, not click's.
"""

from __future__ import annotations

import enum
import os
import re
import sys
import traceback
import warnings
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any, Optional

import click

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


def _seconds(ctx: click.Context, param: click.Parameter, value: Optional[str]) -> Optional[float]:
    """An option's callback: a non-negative number of seconds (NaN refused)."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        raise click.BadParameter(f"not a number of seconds: {value!r}", ctx, param) from None
    # NaN fails the comparison, so it is refused too.
    if not seconds >= 0:
        raise click.BadParameter(f"must be a non-negative number of seconds: {value!r}", ctx, param)
    return seconds


def _count(ctx: click.Context, param: click.Parameter, value: Optional[str]) -> Optional[int]:
    """An option's callback: a whole number of at least 1."""
    if value is None:
        return None
    try:
        count = int(value)
    except ValueError:
        raise click.BadParameter(f"not an integer: {value!r}", ctx, param) from None
    if count < 1:
        raise click.BadParameter(f"must be at least 1: {value!r}", ctx, param)
    return count


def _global_options(*, timeout: bool, top: bool) -> list[click.Parameter]:
    # Given to the group and (with None/False defaults, so that they do not overwrite what was
    # given before the command) to every command: the options work on either side of it.
    # No option reads an environment variable through click and none shows a default, so
    # --help can show neither the key nor its variable's value; `run` reads the variables.
    params: list[click.Parameter] = [
        click.Option(["--url"], metavar="URL", help="the server's base URL (env GOPHERQUEUE_URL)"),
        click.Option(
            ["--api-key", "api_key"],
            metavar="KEY",
            help="the API key (env GOPHERQUEUE_API_KEY; never printed)",
        ),
    ]
    if timeout:
        params.append(
            click.Option(
                ["--timeout", "request_timeout"],
                callback=_seconds,
                metavar="SECONDS",
                help="the deadline of each request (30)",
            )
        )
    params += [
        click.Option(
            ["--json", "json"],
            is_flag=True,
            default=False,
            help="machine output: one JSON document, or JSON Lines for streams",
        ),
        click.Option(
            ["--no-color", "no_color"], is_flag=True, default=False, help="no colour (env NO_COLOR)"
        ),
        click.Option(["--verbose"], is_flag=True, default=False, help="tracebacks on errors"),
    ]
    if top:
        from gopherqueue import __version__

        params.append(
            click.Option(
                ["--version"],
                is_flag=True,
                expose_value=False,
                is_eager=True,
                callback=_print_version(__version__),
                help="show the version and exit",
            )
        )
    return params


def _print_version(version: str) -> Callable[[click.Context, click.Parameter, bool], None]:
    def callback(ctx: click.Context, _: click.Parameter, value: bool) -> None:
        if value and not ctx.resilient_parsing:
            click.echo(f"gopherqueue {version}")
            ctx.exit()

    return callback


_GLOBAL = ("url", "api_key", "request_timeout", "json", "no_color", "verbose")


def _collect(**params: Any) -> SimpleNamespace:
    # Every command's callback: the parsed command line as one namespace, the command's own
    # global options over the group's. The command itself runs after click has returned.
    ctx = click.get_current_context()
    top = ctx.parent.params if ctx.parent is not None else {}
    merged = dict(params)
    for name in _GLOBAL:
        mine, theirs = params.get(name), top.get(name)
        if isinstance(theirs, bool):
            merged[name] = bool(mine) or theirs
        else:
            merged[name] = theirs if mine is None else mine
    return SimpleNamespace(command=ctx.info_name, **merged)


# argparse's test for a negative number (a positional to it, an unknown option to click).
_NEGATIVE = re.compile(r"-\d+|-\d*\.\d+")


def _as_argparse_read(
    ctx: click.Context, params: list[click.Parameter], args: list[str], *, command: bool
) -> list[str]:
    """``args`` with what argparse accepted and click does not put in click's terms.

    The command line was parsed with argparse in 2.0.0, so scripts may use a unique prefix of a
    long option (``--verb`` for ``--verbose``; an ambiguous one stays an error) and, for a
    command, a negative number as a positional (``submit calc -5``: the payload ``-5``). The
    prefix is written out; the positionals are moved behind a ``--``. ``command=False`` (the
    group) stops at the first positional, the command's name.
    """
    takes_value: dict[str, bool] = {}
    for param in params:
        if isinstance(param, click.Option):
            for name in (*param.opts, *param.secondary_opts):
                takes_value[name] = not param.is_flag and not param.count
    longs = [name for name in takes_value if name.startswith("--")]
    out = list(args)
    positional: list[int] = []
    negative = False
    i = 0
    while i < len(out):
        arg = out[i]
        if arg == "--":
            positional += range(i + 1, len(out))
            break
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            if name not in takes_value:
                matches = [full for full in longs if full.startswith(name)]
                if len(matches) == 1:
                    name = matches[0]
                    out[i] = name + eq + value
                elif matches:
                    raise click.UsageError(
                        f"ambiguous option: {name} could match {', '.join(matches)}", ctx
                    )
            if takes_value.get(name) and not eq:
                i += 1  # its value, whatever it looks like
        elif arg.startswith("-") and arg != "-" and not _NEGATIVE.fullmatch(arg):
            if takes_value.get(arg[:2]) and len(arg) == 2:
                i += 1
        else:
            if not command:
                break
            positional.append(i)
            negative = negative or bool(_NEGATIVE.fullmatch(arg))
        i += 1
    if not negative:
        return out
    moved = set(positional)
    return [a for n, a in enumerate(out) if n not in moved] + ["--"] + [out[n] for n in positional]


class _Command(click.Command):
    """A command that reads its command line as argparse did (see `_as_argparse_read`)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(
            ctx, _as_argparse_read(ctx, self.get_params(ctx), args, command=True)
        )


class _Group(click.Group):
    """The commands in the order they are defined, not sorted; options read as argparse did."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(
            ctx, _as_argparse_read(ctx, self.get_params(ctx), args, command=False)
        )


_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "show_default": False}


def _build_parser() -> click.Group:
    group = _Group(
        name="gopherqueue",
        help="Submit, follow and inspect GopherQueue jobs.",
        epilog="Exit status: 0 success, 1 the job failed, 2 usage or validation error, "
        "3 timed out, 4 not found, 5 connection or server error. See docs/cli.md.",
        params=_global_options(timeout=True, top=True),
        context_settings=_SETTINGS,
        no_args_is_help=False,
    )

    def command(name: str, help: str, *params: click.Parameter, own_timeout: bool = False) -> None:
        # Commands with their own --timeout take the request deadline before the command only.
        group.add_command(
            _Command(
                name,
                help=help,
                short_help=help,
                params=[*params, *_global_options(timeout=not own_timeout, top=False)],
                callback=_collect,
                context_settings=_SETTINGS,
            )
        )

    def arg(name: str) -> click.Argument:
        return click.Argument([name])

    def opt(*decls: str, help: str, **kwargs: Any) -> click.Option:
        # The metavar is the option's name in capitals (--delay DELAY), as argparse shows it.
        kwargs.setdefault("metavar", decls[0].lstrip("-").replace("-", "_").upper())
        return click.Option(list(decls), help=help, **kwargs)

    def flag(decl: str, help: str) -> click.Option:
        return click.Option([decl], is_flag=True, default=False, help=help)

    def wait_timeout() -> click.Option:
        return opt(
            "--timeout",
            "wait_timeout",
            callback=_seconds,
            metavar="SECONDS",
            help="no limit by default",
        )

    command(
        "submit",
        "Submit a job.",
        arg("type"),
        click.Argument(["payload"], required=False),
        opt("--priority", type=int, help="0 (critical) to 4 (bulk)"),
        opt("--delay", help="run after this long: seconds or a Go duration (10m)"),
        opt("--scheduled-at", metavar="TIME", help="run at this ISO 8601 time with an offset"),
        opt("--timeout", "job_timeout", metavar="DURATION", help="the job's own time limit"),
        opt("--max-attempts", type=int, metavar="N", help="attempts before dead-letter"),
        opt("--idempotency-key", metavar="KEY", help="reuse the job with this key"),
        opt("--correlation-id", metavar="ID", help="an id to trace the job by"),
        opt("--tag", multiple=True, metavar="K=V", help="a tag (repeatable)"),
        flag("--wait", "follow the job to its end"),
        opt(
            "--wait-timeout",
            callback=_seconds,
            metavar="SECONDS",
            help="give up waiting after this",
        ),
        own_timeout=True,
    )
    command(
        "batch",
        "Submit the jobs of a JSON Lines file or a JSON array.",
        arg("file"),
        flag("--atomic", "all jobs or none (at most 1000)"),
        flag("--wait", "follow every accepted job to its end"),
        opt(
            "--wait-timeout",
            callback=_seconds,
            metavar="SECONDS",
            help="give up waiting after this",
        ),
    )
    command("get", "Show a job (with its result once finished).", arg("id"))
    command(
        "list",
        "List up to 100 jobs, newest first.",
        opt("--state", help="only jobs in this state"),
        opt("--type", "job_type", help="only jobs of this type"),
    )
    command(
        "result",
        "Show a finished job's result.",
        arg("id"),
        flag("--raw", "write the output bytes to stdout as is"),
    )
    command(
        "wait",
        "Wait until a job ends; print its output.",
        arg("id"),
        wait_timeout(),
        own_timeout=True,
    )
    command(
        "watch",
        "Follow a job with a live progress bar.",
        arg("id"),
        wait_timeout(),
        opt(
            "--interval",
            callback=_seconds,
            default=1.0,
            metavar="SECONDS",
            help="progress poll period (1)",
        ),
        own_timeout=True,
    )
    command(
        "events",
        "Tail the server's event stream (reconnecting across its 30 s cuts).",
        opt("--type", "job_types", multiple=True, metavar="TYPE", help="only this job type"),
        opt("--event", "event_types", multiple=True, metavar="NAME", help="only this event"),
        opt("--job", "job_id", metavar="ID", help="only this job's events"),
        opt("--count", callback=_count, metavar="N", help="stop after N events"),
    )
    command(
        "stats",
        "Show queue statistics.",
        opt(
            "--watch",
            callback=_seconds,
            metavar="N",
            help="refresh every N seconds until interrupted",
        ),
        opt("--count", callback=_count, metavar="N", help="with --watch: stop after N reports"),
    )
    command("health", "Show the server's health (exit 5 when unhealthy).")
    command(
        "cancel",
        "Cancel a job.",
        arg("id"),
        flag("--force", "also stop a running job"),
        opt("--reason", help="why (kept with the job)"),
    )
    command(
        "retry",
        "Retry a failed or dead-lettered job.",
        arg("id"),
        flag("--reset-attempts", "start counting attempts anew"),
    )
    command("delete", "Delete a job.", arg("id"))
    command(
        "dev-server",
        "Run the embedded test server (needs gopherqueue[testing]); --api-key makes it "
        "require that key.",
        opt("--host", default="127.0.0.1", help="address to bind (127.0.0.1)"),
        opt("--port", type=int, default=8080, help="TCP port, 0 = any free (8080)"),
        opt("--workers", type=int, default=4, help="concurrent job handlers (4)"),
        opt("--write-timeout", type=float, default=30.0, help="lost-response cut (30)"),
        opt("--keepalive", type=float, default=15.0, help="SSE keepalive period (15)"),
        opt("--retry-backoff", type=float, default=0.05, help="first retry delay (0.05)"),
    )
    return group


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


def _given_key(argv: Sequence[str]) -> Optional[str]:
    """The key on the command line, read before click parses it (to redact usage errors)."""
    for i, arg in enumerate(argv):
        if arg == "--api-key" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--api-key="):
            return arg.partition("=")[2]
    return None


def _usage_error(exc: click.ClickException, secrets: Sequence[Optional[str]]) -> int:
    # One line instead of click's usage block: what is wrong, and where the help is.
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if isinstance(ctx, click.Context) else "gopherqueue"
    for secret in secrets:
        message = _redact(message, secret)
    print(f"error: {message} (see '{where} --help')", file=sys.stderr)
    return int(ExitCode.USAGE)


def run(argv: Optional[Sequence[str]] = None) -> int:
    """Parse ``argv``, run the command and return its exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    env_key = os.environ.get("GOPHERQUEUE_API_KEY") or None
    try:
        parsed = _build_parser().main(argv, prog_name="gopherqueue", standalone_mode=False)
    except click.ClickException as exc:
        return _usage_error(exc, [_given_key(argv), env_key])
    except click.Abort:
        return 130
    if not isinstance(parsed, SimpleNamespace):
        # --help or --version: click printed it and returned its exit status.
        return int(parsed) if isinstance(parsed, int) else 0
    args = parsed
    if args.api_key is None:
        args.api_key = env_key
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
