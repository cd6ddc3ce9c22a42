"""The guide's "SSE Real-Time Events" snippet (Python), runnable.

The guide shows only the loop: ``async for`` needs a coroutine and a ``client`` the guide never
creates. Both are supplied here (an ``async def main()`` run by ``asyncio.run`` and an
``async with GopherQueue(...) as client``, whose URL comes from ``GOPHERQUEUE_URL``, default
``http://localhost:8080``); the loop itself is verbatim. It runs until interrupted (Ctrl-C)::

    GOPHERQUEUE_URL=http://127.0.0.1:8080 python examples/guide/sse_events.py

What arrives: the real server publishes only ``job.created``, ``job.cancelled``,
``job.retried`` and ``job.deleted`` (no start, progress or completion events), and it can only
filter by job id, so ``job_types=["email"]`` is applied by the client. The stream reconnects
across the server's 30-second cuts; events published while reconnecting are lost.
"""

import asyncio
import contextlib
import os

from gopherqueue import GopherQueue


async def main() -> None:
    async with GopherQueue(os.environ.get("GOPHERQUEUE_URL", "http://localhost:8080")) as client:
        # --- the guide's snippet, verbatim ---
        async for event in client.events(job_types=["email"]):
            print(f"{event.event_type}: {event.data}")
        # --- end of the guide's snippet ---


with contextlib.suppress(KeyboardInterrupt):
    asyncio.run(main())
