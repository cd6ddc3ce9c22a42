"""The embedded server for the TypeScript tests, driven over stdin/stdout.

Started by test/support/server.ts as ``python harness.py [--write-timeout S] [--api-key K]``.
Prints ``{"url": ...}`` once serving, then answers one JSON command per line with one JSON
line: ``fault`` (the arguments of ``server.faults.add``), ``hits``, ``job_count``, ``reset``,
``restart``, ``release`` (lets ``blocker`` jobs finish), ``streams`` (a serial number per
open SSE subscriber, so a test can tell a reopened stream from the old one) and ``stop``.

Handlers beyond the built-ins: ``blocker`` runs until ``release`` (for running-state tests),
``progress`` reports 50 % and waits for ``release``, ``fail_once`` fails its first attempt.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from typing import Any

from gopherqueue.testing import DevServer, JobContext, PermanentError

_release = threading.Event()

# Each subscriber ever seen, held so that its id() cannot be reused by a later one.
_serials: dict[int, tuple[object, int]] = {}


def _serial(subscriber: object) -> int:
    return _serials.setdefault(id(subscriber), (subscriber, len(_serials) + 1))[1]


def _blocker(ctx: JobContext) -> str:
    _release.wait(60)
    return "released"


def _progress(ctx: JobContext) -> str:
    ctx.report_progress(50, "half way")
    _release.wait(60)
    return "done"


def _email(ctx: JobContext) -> dict[str, str]:
    return {"sent_to": ctx.payload_json()["to"]}


def _fail_permanently(ctx: JobContext) -> None:
    raise PermanentError("refused")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write-timeout", type=float, default=30.0)
    parser.add_argument("--api-key", default=None)
    args = parser.parse_args()
    server = DevServer(write_timeout=args.write_timeout or None, api_key=args.api_key, workers=4)
    server.start()

    def install() -> None:
        server.register("blocker", _blocker)
        server.register("progress", _progress)
        server.register("fail", _fail_permanently)
        server.register("email", _email)
        server.register("email_workflow", _email)

    install()
    print(json.dumps({"url": server.url}), flush=True)
    for line in sys.stdin:
        command: dict[str, Any] = json.loads(line)
        op = command.pop("op")
        answer: Any = None
        try:
            if op == "fault":
                method, path = command.pop("method"), command.pop("path")
                server.faults.add(method, path, **command)
            elif op == "hits":
                answer = server.faults.hits(command.get("method", "*"), command.get("path", "*"))
            elif op == "job_count":
                answer = server.job_count()
            elif op == "reset":
                _release.set()
                server.reset()
                install()
                _release.clear()
            elif op == "restart":
                server.restart()
            elif op == "release":
                _release.set()
            elif op == "streams":
                # No public counter: read the engine's subscriber set on the server's own loop.
                engine: Any = server._core.engine
                subscribers = server._call(lambda engine=engine: list(engine._subscribers))
                answer = [_serial(sub) for sub in subscribers]
            elif op == "stop":
                _release.set()
                break
            else:
                raise ValueError(f"unknown op {op!r}")
            print(json.dumps({"ok": True, "value": answer}), flush=True)
        except Exception as exc:  # the test sees the error instead of a hang
            print(json.dumps({"ok": False, "error": repr(exc)}), flush=True)
    server.stop()
    print(json.dumps({"ok": True, "value": None}), flush=True)


if __name__ == "__main__":
    main()
