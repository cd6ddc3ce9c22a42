"""The guide's "Basic Usage" snippet (Python SDK), runnable.

Verbatim except for one line (and the ``import os`` it needs): the guide hard-codes ``GopherQueue("http://localhost:8080")``;
here the URL comes from the ``GOPHERQUEUE_URL`` environment variable, with the guide's URL as
the default, so the example runs against any server::

    GOPHERQUEUE_URL=http://127.0.0.1:8080 python examples/guide/basic_usage.py

Run against the real ``gq serve``, the "email" job fails (the real server only knows the
``echo``, ``sleep`` and ``error`` job types), so only "Created job: ..." is printed; the tests
run it against the embedded server with an ``email`` handler registered.
"""

# ruff: noqa: E402, I001
# E402, I001: the guide imports asyncio at the bottom, next to the asyncio.run() call, and
# leaves no blank lines around it; kept as written.

# The guide's code below is kept exactly as written, layout included (ruff format would
# re-wrap it); the formatter is off from here on.
# fmt: off

import os  # added for the URL line below

from gopherqueue import GopherQueue

async def main():
    # Changed from the guide: GopherQueue("http://localhost:8080") -> the URL from GOPHERQUEUE_URL.
    async with GopherQueue(os.environ.get("GOPHERQUEUE_URL", "http://localhost:8080")) as client:
        # Submit a job
        job = await client.submit("email", {"to": "user@example.com"})
        print(f"Created job: {job.id}")

        # Wait for completion
        result = await client.wait(job.id, timeout=30)
        if result.success:
            print("Job completed successfully!")

# Run
import asyncio
asyncio.run(main())
