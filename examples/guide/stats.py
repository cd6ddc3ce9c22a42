"""The guide's "Queue Statistics" snippet (Python), runnable.

The guide shows only the body: it uses ``await`` at the top level and a ``client`` it never
creates. Both are supplied here (an ``async def main()`` run by ``asyncio.run`` and an
``async with GopherQueue(...) as client``, whose URL comes from ``GOPHERQUEUE_URL``, default
``http://localhost:8080``); the snippet itself is verbatim::

    GOPHERQUEUE_URL=http://127.0.0.1:8080 python examples/guide/stats.py
"""

import asyncio
import os

from gopherqueue import GopherQueue


async def main() -> None:
    async with GopherQueue(os.environ.get("GOPHERQUEUE_URL", "http://localhost:8080")) as client:
        # --- the guide's snippet, verbatim ---
        stats = await client.stats()
        print(f"Pending: {stats.pending}, Running: {stats.running}")
        # --- end of the guide's snippet ---


asyncio.run(main())
