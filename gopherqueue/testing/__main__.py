"""``python -m gopherqueue.testing`` (also ``gopherqueue-dev-server``): run the embedded server.

Prints the base URL on the first line of standard output, then serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import Optional

__all__ = ["main"]


def _port(text: str) -> int:
    port = _integer(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be a TCP port from 0 to 65535, got {text}")
    return port


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
    # NaN fails both comparisons, so it is refused too.
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds >= 0, got {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m gopherqueue.testing",
        description="Run a GopherQueue-compatible server (the SDK's embedded test server).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8080, help="TCP port, 0 = any free (8080)")
    parser.add_argument("--workers", type=_integer, default=4, help="concurrent job handlers (4)")
    parser.add_argument("--api-key", default=None, help="require this key (X-API-Key or Bearer)")
    parser.add_argument(
        "--write-timeout",
        type=_seconds,
        default=30.0,
        help="seconds after which responses are lost, like upstream (30; 0 disables)",
    )
    parser.add_argument(
        "--keepalive", type=_seconds, default=15.0, help="SSE keepalive comment period (15)"
    )
    parser.add_argument(
        "--retry-backoff", type=_seconds, default=0.05, help="first automatic retry delay (0.05)"
    )
    return parser


async def _serve(args: argparse.Namespace) -> None:
    from ._server import AsyncDevServer

    server = AsyncDevServer(
        host=args.host,
        port=args.port,
        workers=args.workers,
        api_key=args.api_key,
        write_timeout=args.write_timeout or None,
        keepalive_interval=args.keepalive,
        retry_backoff=args.retry_backoff,
    )
    async with server:
        print(server.url, flush=True)
        await asyncio.Event().wait()


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Parse ``argv`` and serve until interrupted; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.workers < 1:
        print("--workers must be at least 1", file=sys.stderr)
        return 2
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
