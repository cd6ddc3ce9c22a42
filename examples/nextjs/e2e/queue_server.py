"""The queue the browser test runs against: the embedded server with an ``email_workflow`` handler.

Run by ``e2e/app.test.mjs`` (any Python with ``gopherqueue[testing]`` installed)::

    python e2e/queue_server.py            # any free port
    python e2e/queue_server.py --port 8080

It prints ``{"url": ...}`` on the first line of standard output, then reads one command per
line on standard input and answers each with one JSON line:

* ``hold``: jobs that start from now on report 40 % progress and wait until ``release``;
* ``release``: let held and later jobs finish (the starting state);
* ``jobs``: the ``email_workflow`` jobs the server stores, with the payload each handler saw;
* ``stop``: stop the server (the app then finds the queue unreachable).

End of input stops the server and exits, so the server never outlives the test.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from typing import Any

from gopherqueue.testing import DevServer, JobContext, PermanentError

# Open: jobs run straight through. `hold` closes it so a test can see a job mid-way.
gate = threading.Event()
gate.set()
# The payload each job's handler received, by job id (the job JSON does not carry it).
payloads: dict[str, Any] = {}
payloads_lock = threading.Lock()


def email_workflow(ctx: JobContext) -> dict[str, Any]:
    """Pretend to send an email: report progress, wait for the gate, report done."""
    with payloads_lock:
        payloads[ctx.job_id] = ctx.payload_json()
    ctx.report_progress(40, "rendering the email")
    # A bound, not a synchronisation: a test that forgets to release fails instead of hanging.
    if not gate.wait(timeout=120):
        raise PermanentError("the test never released the job")
    ctx.report_progress(100, "sent")
    return {"sent": True}


def answer(reply: dict[str, Any]) -> None:
    """Write one JSON reply line."""
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()


def main() -> int:
    """Serve until ``stop`` or the end of standard input."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=0, help="TCP port (default: any free one)")
    args = parser.parse_args()
    server = DevServer(port=args.port, workers=4)
    server.register("email_workflow", email_workflow)
    server.start()
    try:
        answer({"url": server.url})
        for line in sys.stdin:
            command = line.strip()
            if command == "hold":
                gate.clear()
                answer({"ok": True})
            elif command == "release":
                gate.set()
                answer({"ok": True})
            elif command == "jobs":
                jobs = server.jobs(job_type="email_workflow")
                with payloads_lock:
                    for job in jobs:
                        job["payload"] = payloads.get(job["id"])
                answer({"jobs": jobs})
            elif command == "stop":
                gate.set()
                server.stop()
                answer({"ok": True})
            else:
                answer({"error": f"unknown command {command!r}"})
    finally:
        gate.set()
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
