"""The guide's "Batch Job Submission" snippet (Python), runnable.

The guide shows only the body: it uses ``await`` at the top level and a ``client`` it never
creates. Both are supplied here (an ``async def main()`` run by ``asyncio.run`` and an
``async with GopherQueue(...) as client``, whose URL comes from ``GOPHERQUEUE_URL``, default
``http://localhost:8080``); the snippet itself is verbatim. The last ``print`` is added so the
outcome is visible::

    GOPHERQUEUE_URL=http://127.0.0.1:8080 python examples/guide/batch.py

On the real server ``atomic=True`` only covers validation: a store failure part-way (an
idempotency key that already exists) still keeps the items before it (see
``BatchConflictError``).
"""

import asyncio
import os

from gopherqueue import GopherQueue


async def main() -> None:
    async with GopherQueue(os.environ.get("GOPHERQUEUE_URL", "http://localhost:8080")) as client:
        # --- the guide's snippet, verbatim (the formatter would add a trailing comma) ---
        # fmt: off
        jobs = [
            {"type": "email", "payload": {"to": "user1@example.com"}},
            {"type": "email", "payload": {"to": "user2@example.com"}}
        ]
        result = await client.submit_batch(jobs, atomic=True)
        # fmt: on
        # --- end of the guide's snippet ---
        print(f"Accepted {result.accepted} of {result.total}: {[job.id for job in result.jobs]}")


asyncio.run(main())
